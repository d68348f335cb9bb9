package remedy

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keywarden/keywarden/internal/policy"
)

func parse(t *testing.T, kind policy.Kind, stmts ...string) *policy.Document {
	t.Helper()
	d, err := policy.Parse("test", []byte(`{"Version":"2012-10-17","Statement":[`+strings.Join(stmts, ",")+`]}`), kind)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// statements writes a document's statements compactly, for comparisons.
func statements(t *testing.T, d *Doc) string {
	t.Helper()
	var v struct{ Statement json.RawMessage }
	if err := json.Unmarshal(d.JSON(), &v); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, v.Statement); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestEditDocRoundTrip: a document edited with no change is written with
// the same meaning, statement by statement, whatever its layout.
func TestEditDocRoundTrip(t *testing.T) {
	t.Parallel()
	d := parse(t, policy.Resource,
		`{"Sid":"A","Effect":"Allow","Principal":"*","Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"111122223333","kms:ViaService":["s3.us-east-1.amazonaws.com","ec2.us-east-1.amazonaws.com"]},"Bool":{"aws:SecureTransport":true}}}`,
		`{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:root"],"Service":"logs.amazonaws.com"},"NotAction":"kms:Describe*","NotResource":"arn:aws:kms:*:*:alias/x"}`,
		`{"Sid":"Spaces are fine in a key policy","Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}`)
	e := EditDoc(d)
	back, err := e.Parse("again")
	if err != nil {
		t.Fatal(err)
	}
	for i := range d.Statements {
		if a, b := d.Statements[i].Canonical(), back.Statements[i].Canonical(); a != b {
			t.Errorf("statement %d changed meaning:\n was %s\n now %s", i, a, b)
		}
	}
	if got := e.Changed(); len(got) != 0 {
		t.Errorf("Changed() = %v for an unedited document", got)
	}
}

// TestDropFor pins the statement edit the key-policy fixes share: a
// subject loses actions and keeps everything else.
func TestDropFor(t *testing.T) {
	t.Parallel()
	const admin, app = "arn:aws:iam::111122223333:role/admin", "arn:aws:iam::111122223333:role/app"
	isUse := func(a string) bool { return IsUse(a) }
	tests := []struct {
		name, stmt, subject, want string
	}{
		{"a statement naming only the subject is narrowed in place",
			`{"Sid":"Lead","Effect":"Allow","Principal":{"AWS":"` + admin + `"},"Action":["kms:Decrypt","kms:PutKeyPolicy"],"Resource":"*"}`, admin,
			`[{"Sid":"Lead","Effect":"Allow","Principal":{"AWS":"` + admin + `"},"Action":"kms:PutKeyPolicy","Resource":"*"}]`},
		{"a shared statement loses the subject, which keeps the rest in a statement of its own, same conditions",
			`{"Sid":"Use","Effect":"Allow","Principal":{"AWS":["` + admin + `","` + app + `"]},"Action":["kms:Decrypt","kms:DescribeKey"],"Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}`, admin,
			`[{"Sid":"Use","Effect":"Allow","Principal":{"AWS":"` + app + `"},"Action":["kms:Decrypt","kms:DescribeKey"],"Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}},` +
				`{"Sid":"UseX","Effect":"Allow","Principal":{"AWS":"` + admin + `"},"Action":"kms:DescribeKey","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]`},
		{"a statement left with nothing is removed",
			`{"Effect":"Allow","Principal":{"AWS":"` + app + `"},"Action":"kms:Decrypt","Resource":"*"},{"Sid":"Keep","Effect":"Allow","Principal":{"AWS":"` + admin + `"},"Action":"kms:*","Resource":"*"}`, app,
			`[{"Sid":"Keep","Effect":"Allow","Principal":{"AWS":"` + admin + `"},"Action":"kms:*","Resource":"*"}]`},
		{"a wildcard statement is narrowed for everyone",
			`{"Effect":"Allow","Principal":"*","Action":["kms:Decrypt","kms:DescribeKey"],"Resource":"*"}`, Anyone,
			`[{"Effect":"Allow","Principal":"*","Action":"kms:DescribeKey","Resource":"*"}]`},
		{"kms:* loses the cryptographic actions: the rest written as patterns, nothing added",
			`{"Effect":"Allow","Principal":{"AWS":"` + admin + `"},"Action":"kms:*","Resource":"*"}`, admin,
			`[{"Effect":"Allow","Principal":{"AWS":"` + admin + `"},"Action":["kms:CancelKeyDeletion","kms:ConnectCustomKeyStore","kms:Create*","kms:Delete*","kms:Describe*","kms:Disable*","kms:DisconnectCustomKeyStore","kms:Enable*","kms:GenerateRandom","kms:Get*","kms:ImportKeyMaterial","kms:List*","kms:PutKeyPolicy","kms:ReplicateKey","kms:RetireGrant","kms:RevokeGrant","kms:RotateKeyOnDemand","kms:ScheduleKeyDeletion","kms:SynchronizeMultiRegionKey","kms:TagResource","kms:UntagResource","kms:Update*"],"Resource":"*"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := EditDoc(parse(t, policy.Resource, tt.stmt))
			DropFor(d, 0, tt.subject, isUse, "X")
			if diff := cmp.Diff(tt.want, statements(t, d)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			// Whatever the edit, the subject never gains an action.
			after, err := d.Parse("after")
			if err != nil {
				t.Fatal(err)
			}
			before := parse(t, policy.Resource, tt.stmt)
			for _, a := range kmsNames {
				if allowsFor(after, tt.subject, a) && !allowsFor(before, tt.subject, a) {
					t.Errorf("%s gains %s", tt.subject, a)
				}
			}
		})
	}
}

// allowsFor reports whether some Allow of d names the subject (or "*")
// for the action.
func allowsFor(d *policy.Document, subject, action string) bool {
	for _, s := range d.Statements {
		if s.Effect != policy.Allow || !s.MatchAction(action) {
			continue
		}
		if s.Principal != nil && (s.Principal.Wildcard || contains(s.Principal.AWS, subject)) {
			return true
		}
	}
	return false
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// TestWithout: what a statement allows minus the dropped actions, never
// more.
func TestWithout(t *testing.T) {
	t.Parallel()
	decrypt := func(a string) bool { return a == "kms:Decrypt" || a == "kms:ReEncryptFrom" }
	tests := []struct {
		name              string
		action, notAction []string
		wantA, wantNA     []string
	}{
		{"console key user list: patterns that lose nothing stay", []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"}, nil,
			[]string{"kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:ReEncryptTo"}, nil},
		{"* becomes NotAction of the dropped actions", []string{"*"}, nil, nil, []string{"kms:Decrypt", "kms:ReEncryptFrom"}},
		{"NotAction grows", nil, []string{"s3:*"}, nil, []string{"s3:*", "kms:Decrypt", "kms:ReEncryptFrom"}},
		{"other services stay", []string{"s3:GetObject", "kms:Decrypt"}, nil, []string{"s3:GetObject"}, nil},
		{"nothing left", []string{"kms:Decrypt"}, nil, nil, nil},
		{"nothing dropped", []string{"kms:Encrypt"}, nil, []string{"kms:Encrypt"}, nil},
	}
	for _, tt := range tests {
		a, na := Without(tt.action, tt.notAction, decrypt)
		if diff := cmp.Diff(tt.wantA, a); diff != "" {
			t.Errorf("%s: Action (-want +got):\n%s", tt.name, diff)
		}
		if diff := cmp.Diff(tt.wantNA, na); diff != "" {
			t.Errorf("%s: NotAction (-want +got):\n%s", tt.name, diff)
		}
		for _, x := range kmsNames {
			was, is := allows(tt.action, tt.notAction, x), allows(a, na, x)
			if is && !was || is && decrypt(x) || was && !is && !decrypt(x) {
				t.Errorf("%s: %s was allowed %v, is %v", tt.name, x, was, is)
			}
		}
	}
}

// TestPin: an identity statement's pinned actions move to a statement of
// their own on the given resources; the rest stays.
func TestPin(t *testing.T) {
	t.Parallel()
	decrypt := func(a string) bool { return a == "kms:Decrypt" || a == "kms:ReEncryptFrom" }
	d := EditDoc(parse(t, policy.Identity,
		`{"Sid":"All","Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt","s3:GetObject"],"Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}`,
		`{"Sid":"Other","Effect":"Allow","Action":"sqs:*","Resource":"*"}`))
	moved := Pin(d, 0, decrypt, []string{"<KEYS>"}, "PinnedKeys")
	if diff := cmp.Diff([]string{"kms:Decrypt"}, moved); diff != "" {
		t.Errorf("moved (-want +got):\n%s", diff)
	}
	want := `[{"Sid":"All","Effect":"Allow","Action":["kms:Encrypt","s3:GetObject"],"Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}},` +
		`{"Sid":"AllPinnedKeys","Effect":"Allow","Action":"kms:Decrypt","Resource":"<KEYS>","Condition":{"Bool":{"aws:SecureTransport":"true"}}},` +
		`{"Sid":"Other","Effect":"Allow","Action":"sqs:*","Resource":"*"}]`
	if diff := cmp.Diff(want, statements(t, d)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{0}, d.Changed()); diff != "" {
		t.Errorf("Changed (-want +got):\n%s", diff)
	}
	// With no key chosen, the pinned statement goes.
	r := resolve(d, map[string][]string{"<KEYS>": nil})
	if len(r.Stmts) != 2 {
		t.Errorf("resolved with no key: %d statements, want 2", len(r.Stmts))
	}
}

// TestConditions: a condition added to a statement only narrows it;
// values taken out of a condition never widen it.
func TestConditions(t *testing.T) {
	t.Parallel()
	d := EditDoc(parse(t, policy.Resource,
		`{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":["111122223333","444455556666"]},"StringNotEquals":{"aws:PrincipalAccount":"444455556666"}}}`))
	st := d.Stmts[0]
	if !st.AddCondition("StringEquals", "kms:calleraccount", "111122223333") {
		t.Fatal("the intersection is not empty")
	}
	if got := st.Cond[0].Values; len(got) != 1 || got[0] != "111122223333" {
		t.Errorf("values intersected = %v", got)
	}
	if st.AddCondition("StringEquals", "kms:CallerAccount", "999999999999") {
		t.Error("an empty intersection must say the statement goes")
	}
	d = EditDoc(parse(t, policy.Resource,
		`{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":["111122223333","444455556666"]},"StringNotEquals":{"aws:PrincipalAccount":"444455556666"}}}`))
	drop := func(v string) bool { return v == "444455556666" }
	if !d.Stmts[0].RemoveConditionValues(drop) {
		t.Fatal("a condition with a value left keeps the statement")
	}
	if got := d.Stmts[0].Cond[1].Values; len(got) != 1 {
		t.Errorf("a negated condition must keep its values, got %v", got)
	}
	d = EditDoc(parse(t, policy.Resource, `{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"444455556666"}}}`))
	if d.Stmts[0].RemoveConditionValues(drop) {
		t.Error("an emptied condition must remove the statement, never drop the condition")
	}
}

// TestUniqueSid: added statements never repeat a Sid.
func TestUniqueSid(t *testing.T) {
	t.Parallel()
	d := EditDoc(parse(t, policy.Identity, `{"Sid":"UseKey","Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}`))
	d.Add(&Stmt{From: -1, Sid: "UseKey", Effect: policy.Allow, Action: []string{"kms:Encrypt"}, Resource: []string{"*"}})
	d.Add(&Stmt{From: -1, Sid: "UseKey", Effect: policy.Allow, Action: []string{"kms:Sign"}, Resource: []string{"*"}})
	var sids []string
	for _, s := range d.Stmts {
		sids = append(sids, s.Sid)
	}
	if diff := cmp.Diff([]string{"UseKey", "UseKey2", "UseKey3"}, sids); diff != "" {
		t.Errorf("Sids (-want +got):\n%s", diff)
	}
	if p := checkSids(d, true); len(p) != 0 {
		t.Errorf("checkSids = %v", p)
	}
	d.Stmts[1].Sid = "UseKey"
	d.Stmts[2].Sid = "Use key"
	if p := checkSids(d, true); len(p) != 2 {
		t.Errorf("checkSids found %d problems, want a duplicate and a Sid IAM refuses: %v", len(p), p)
	}
}

// TestJSONEscapes: the documents a fix writes hold no raw character that
// could reorder or hide text.
func TestJSONEscapes(t *testing.T) {
	t.Parallel()
	d := NewDoc(policy.Resource)
	d.Add(&Stmt{From: -1, Sid: "a\u202eb\u0085c\x7f", Effect: policy.Allow, Principal: &Principal{Star: true}, Action: []string{"kms:Decrypt"}, Resource: []string{"*"}})
	out := string(d.JSON())
	for _, r := range []string{"\u202e", "\u0085", "\x7f"} {
		if strings.Contains(out, r) {
			t.Errorf("JSON holds %q raw:\n%s", r, out)
		}
	}
	back, err := d.Parse("back")
	if err != nil {
		t.Fatal(err)
	}
	if back.Statements[0].Sid != "a\u202eb\u0085c\x7f" {
		t.Errorf("the escapes do not decode to the Sid: %q", back.Statements[0].Sid)
	}
	if p := keyPolicyCharacters(d); len(p) == 0 {
		t.Error("KMS refuses such characters in a key policy: the fix is not valid")
	}
}
