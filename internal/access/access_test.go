package access

import (
	"fmt"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/inventory"
)

const (
	acct   = "123456789012"
	region = "ap-northeast-1"
	keyARN = "arn:aws:kms:ap-northeast-1:123456789012:key/15dfcb2a-6625-4f70-b9a6-edcec05d6f03"
	role   = "arn:aws:iam::123456789012:role/dev-sample-ec2-role1"
	bucket = "sample-dev-blog-bucket"
)

func doc(t testing.TB, s string) *inventory.Document {
	t.Helper()
	d, err := inventory.DecodeDocument([]byte(s), inventory.Location{File: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

const (
	defaultKeyPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"}]}`
	namedKeyPolicy   = `{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"},{"Sid":"Allow use of the key","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/dev-sample-ec2-role1"},"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*"}]}`
	s3Policy         = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::sample-dev-blog-bucket/*"}]}`
	kmsPolicy        = `{"Version":"2012-10-17","Statement":[{"Sid":"SamplePolicy","Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"arn:aws:kms:ap-northeast-1:123456789012:key/15dfcb2a-6625-4f70-b9a6-edcec05d6f03"}]}`
)

// experiment builds the classic experiment's account in one of its three
// settings.
func experiment(t testing.TB, setting int) *inventory.Snapshot {
	kp, inline := defaultKeyPolicy, []inventory.InlinePolicy{{Name: "s3", Document: doc(t, s3Policy)}}
	switch setting {
	case 1:
		inline = append(inline, inventory.InlinePolicy{Name: "kms", Document: doc(t, kmsPolicy)})
	case 3:
		kp = namedKeyPolicy
	}
	return &inventory.Snapshot{Version: inventory.FormatVersion, Accounts: []*inventory.Account{{
		ID:    acct,
		Roles: []*inventory.Role{{ARN: role, Name: "dev-sample-ec2-role1", Path: "/", InlinePolicies: inline}},
		Users: []*inventory.User{{ARN: "arn:aws:iam::123456789012:user/auditor", Name: "auditor", Path: "/"}},
		Keys: []*inventory.Key{{ARN: keyARN, ID: "15dfcb2a-6625-4f70-b9a6-edcec05d6f03", Region: region, Account: acct,
			Metadata: &inventory.KeyMetadata{State: "Enabled", Enabled: true, KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT", Origin: "AWS_KMS", Manager: "CUSTOMER"},
			Policy:   doc(t, kp), Aliases: []string{"alias/dev-sample"}}},
		Buckets: []*inventory.Bucket{{Name: bucket, Region: region, Encryption: &inventory.BucketEncryption{Algorithm: inventory.SSEKMS, KMSKeyID: keyARN}}},
	}}}
}

func index(t testing.TB, s *inventory.Snapshot) *Index {
	t.Helper()
	ix, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// TestClassicExperiment: settings 1–3, upload and download, end to end.
func TestClassicExperiment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		setting int
		action  string
		want    engine.Decision
		side    string // the side that decides a denial
	}{
		{1, "s3:PutObject", engine.Allow, ""},
		{1, "s3:GetObject", engine.Allow, ""},
		{2, "s3:PutObject", engine.ImplicitDeny, "KMS"},
		{2, "s3:GetObject", engine.ImplicitDeny, "KMS"},
		{3, "s3:PutObject", engine.Allow, ""},
		{3, "s3:GetObject", engine.Allow, ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("setting%d/%s", tt.setting, tt.action), func(t *testing.T) {
			ix := index(t, experiment(t, tt.setting))
			a, err := ix.Can(Question{Principal: "dev-sample-ec2-role1", Action: tt.action, Resource: "arn:aws:s3:::" + bucket + "/report.csv"})
			if err != nil {
				t.Fatal(err)
			}
			if a.Decision != tt.want || a.Conditional {
				t.Fatalf("decision %v (conditional %v), want %v: %s", a.Decision, a.Conditional, tt.want, a.Summary)
			}
			if len(a.Steps) != 2 || a.Steps[0].Side != "S3" || a.Steps[1].Side != "KMS" {
				t.Fatalf("steps = %+v", a.Steps)
			}
			if tt.side != "" && !strings.Contains(a.Summary, "the "+tt.side+" side decides") {
				t.Errorf("summary does not name the %s side: %s", tt.side, a.Summary)
			}
			if tt.setting == 3 && !strings.Contains(a.Steps[1].Result.Summary, "names the caller's role") {
				t.Errorf("setting 3 should be allowed by the key policy naming the role: %s", a.Steps[1].Result.Summary)
			}
		})
	}
}

// TestWhoCanExperiment: who-can kms:Decrypt lists the role in settings 1
// and 3, not in 2; the root user is always there (default key policy).
func TestWhoCanExperiment(t *testing.T) {
	t.Parallel()
	for setting, wantRole := range map[int]bool{1: true, 2: false, 3: true} {
		ix := index(t, experiment(t, setting))
		w, err := ix.WhoCan("kms:Decrypt", "alias/dev-sample")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		hasRole := false
		for _, e := range w.Entries {
			got = append(got, e.Principal+" via "+string(e.Via))
			if e.Principal == role {
				hasRole = true
				if e.Conditional {
					t.Errorf("setting %d: the role's access should not be conditional: %v", setting, e.Conditions)
				}
			}
		}
		if hasRole != wantRole {
			t.Errorf("setting %d: role listed = %v, want %v; entries: %v", setting, hasRole, wantRole, got)
		}
		if len(w.Entries) == 0 || w.Entries[0].Kind != KindRoot {
			t.Errorf("setting %d: root user should be first: %v", setting, got)
		}
		for _, e := range w.Entries {
			if e.Principal == "arn:aws:iam::123456789012:user/auditor" {
				t.Errorf("setting %d: the auditor has no KMS permission but is listed", setting)
			}
		}
	}
}

// TestWhoCanSymbolic: principals outside the inventory appear symbolically,
// and request-dependent conditions make entries conditional.
func TestWhoCanSymbolic(t *testing.T) {
	t.Parallel()
	s := experiment(t, 2)
	k := s.Accounts[0].Keys[0]
	k.Policy = doc(t, `{"Version":"2012-10-17","Statement":[
		{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"},
		{"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"kms:Decrypt","Resource":"*"},
		{"Sid":"PartnerRole","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::777788889999:role/reader"},"Action":"kms:Decrypt","Resource":"*"},
		{"Sid":"ViaS3","Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"123456789012","kms:ViaService":"s3.ap-northeast-1.amazonaws.com"}}},
		{"Sid":"Trail","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:Decrypt","Resource":"*"}]}`)
	k.Grants = []inventory.Grant{{ID: "g-1", GranteePrincipal: "arn:aws:iam::999988887777:role/batch", Operations: []string{"Decrypt"}}}
	ix := index(t, s)
	w, err := ix.WhoCan("kms:Decrypt", keyARN)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Entry{}
	for _, e := range w.Entries {
		byName[e.Name()] = e
		for _, text := range append([]string{e.Principal, e.Description, e.Result.Summary}, e.Conditions...) {
			if strings.Contains(text, "000000000000") || strings.Contains(text, "keywarden-") || strings.Contains(text, ":role/*") {
				t.Errorf("made-up principal in %q", text)
			}
		}
	}
	check := func(name string, kind Kind, via engine.Rule, conditional bool, condPart string) {
		t.Helper()
		e, ok := byName[name]
		if !ok {
			var names []string
			for n := range byName {
				names = append(names, n)
			}
			t.Errorf("%s not listed; entries: %q", name, names)
			return
		}
		if e.Kind != kind || e.Via != via || e.Conditional != conditional || !strings.Contains(strings.Join(e.Conditions, " "), condPart) {
			t.Errorf("%s: kind %s via %s conditional %v conditions %v; want %s via %s conditional %v containing %q", name, e.Kind, e.Via, e.Conditional, e.Conditions, kind, via, conditional, condPart)
		}
	}
	check("any principal of account 444455556666 that its own IAM policies allow", KindAccount, engine.RuleDelegation, true, "its own IAM policies in account 444455556666")
	check("arn:aws:iam::777788889999:role/reader", KindNamed, engine.RuleDelegation, true, "its own IAM policies")
	check("cloudtrail.amazonaws.com", KindService, engine.RuleServicePrincipal, false, "")
	check("arn:aws:iam::999988887777:role/batch", KindGrantee, engine.RuleGrant, false, "")
	// The role of the inventory is allowed through S3 only.
	check(role, KindRole, engine.RuleDirect, true, "kms:ViaService = s3.ap-northeast-1.amazonaws.com")
	// ViaS3 pins the caller's account: outsiders are not listed.
	for _, e := range w.Entries {
		if e.Kind == KindAnyone {
			t.Errorf("outsiders listed: %+v", e)
		}
	}
	if e := byName["any principal of account 444455556666 that its own IAM policies allow"]; e.Symbol == nil || e.Symbol.Account != "444455556666" {
		t.Errorf("symbol = %+v", e.Symbol)
	}
}

// TestUnknownKeyPolicy: a key policy that was not read makes answers
// Unknown, never "no access".
func TestUnknownKeyPolicy(t *testing.T) {
	t.Parallel()
	s := experiment(t, 1)
	k := s.Accounts[0].Keys[0]
	k.Policy, k.PolicyIncomplete = nil, &inventory.Incomplete{Reason: "AccessDeniedException", Source: "kms/ap-northeast-1/x/get-key-policy.json"}
	ix := index(t, s)
	a, err := ix.Can(Question{Principal: role, Action: "kms:Decrypt", Resource: keyARN})
	if err != nil {
		t.Fatal(err)
	}
	if a.Decision != engine.Unknown {
		t.Errorf("decision %v, want Unknown: %s", a.Decision, a.Summary)
	}
	w, err := ix.WhoCan("kms:Decrypt", keyARN)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Notes) == 0 || len(w.Entries) == 0 || w.Entries[0].Decision != engine.Unknown {
		t.Errorf("who-can with an unread key policy: %+v", w)
	}
}

// TestMatrixPrefilter: the matrix with its prefilter equals the matrix
// computed by evaluating every principal against every key.
func TestMatrixPrefilter(t *testing.T) {
	t.Parallel()
	s := generated(t, 40, 12)
	ix := index(t, s)
	m := ix.Matrix(MatrixOptions{AWSManaged: true})
	got := map[string]string{}
	for _, c := range m.Cells {
		if c.Principal != "" {
			got[c.Principal+" "+c.Key] = fmt.Sprint(c.Use, c.Admin, c.Unknown)
		}
	}
	for _, k := range ix.keys {
		for _, p := range ix.principals {
			var use, admin, unk []string
			for _, group := range []struct {
				actions []string
				into    *[]string
			}{{useActionsOf(k), &use}, {adminActions, &admin}} {
				for _, a := range group.actions {
					r := ix.askPrincipal(p.ARN, p, k, k.ARN, askOptions{listing: true}).decide(a)
					name := strings.TrimPrefix(a, "kms:")
					switch {
					case r.Decision == engine.Allow && r.Conditional:
						*group.into = append(*group.into, name+"*")
					case r.Decision == engine.Allow:
						*group.into = append(*group.into, name)
					case r.Decision == engine.Unknown:
						unk = append(unk, name)
					}
				}
			}
			want := ""
			if len(use)+len(admin)+len(unk) > 0 {
				want = fmt.Sprint(use, admin, unk)
			}
			if got[p.ARN+" "+k.ARN] != want {
				t.Errorf("%s on %s: matrix %q, brute force %q", p.ARN, k.ARN, got[p.ARN+" "+k.ARN], want)
			}
		}
	}
}
