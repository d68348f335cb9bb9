package access

import (
	"testing"

	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/policy"
)

// TestDecideProbe pins what DecideProbe adds to the engine: the key's
// policy (or a WithPolicy copy), its account's RCPs, keys known to be
// absent, and the caller's IAM policies as unknown.
func TestDecideProbe(t *testing.T) {
	t.Parallel()
	const outsider = "arn:aws:iam::999999999999:role/outsider"
	outsiderCtx := map[string]engine.Value{"aws:PrincipalOrgID": {Strings: []string{"o-zzzzzzzzzz"}}}
	policyWith := func(stmt string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"},` + stmt + `]}`
	}
	tests := []struct {
		name     string
		stmt     string
		rcp      string
		absent   []string
		want     engine.Decision
		wantCond bool
	}{
		{"open star: allowed if the outsider's own IAM allows",
			`{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}`, "", nil, engine.Allow, true},
		{"star pinned to the organization: the outsider's organization is given",
			`{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}`, "", nil, engine.ImplicitDeny, false},
		{"star pinned by kms:CallerAccount: derived from the caller",
			`{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"123456789012"}}}`, "", nil, engine.ImplicitDeny, false},
		{"IfExists on a key known absent passes",
			`{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEqualsIfExists":{"aws:SourceAccount":"123456789012"}}}`, "", []string{"aws:sourceaccount"}, engine.Allow, true},
		{"StringEquals on a key known absent fails",
			`{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}`, "", []string{"aws:sourceaccount"}, engine.ImplicitDeny, false},
		{"a key not given stays unknown",
			`{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.ap-northeast-1.amazonaws.com"}}}`, "", nil, engine.Allow, true},
		{"the key account's RCPs apply",
			`{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]}`,
			nil, engine.ExplicitDeny, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := experiment(t, 2)
			a := s.Accounts[0]
			a.Organization = &inventory.Organization{ID: "o-a1b2c3d4e5", ManagementAccountID: "999988887777"}
			if tt.rcp != "" {
				a.Organization.RCPs = []inventory.OrgLevel{{TargetID: "r-ab12", Policies: []inventory.OrgPolicy{{ID: "p-1", Document: doc(t, tt.rcp)}}}}
			}
			a.Keys[0].Policy = doc(t, policyWith(tt.stmt))
			ix := index(t, s)
			k := ix.Keys()[0]
			r := ix.DecideProbe(outsider, "kms:Decrypt", k, outsiderCtx, tt.absent)
			if r.Decision != tt.want || r.Conditional != tt.wantCond {
				t.Errorf("DecideProbe = %s (conditional %v: %v), want %s (conditional %v)\n%s", r.Decision, r.Conditional, r.Conditions, tt.want, tt.wantCond, r.Summary)
			}
		})
	}
}

// TestDecideProbeCopy: a copy made by WithPolicy is what is decided, and
// an unread key policy gives Unknown.
func TestDecideProbeCopy(t *testing.T) {
	t.Parallel()
	s := experiment(t, 2)
	ix := index(t, s)
	k := ix.Keys()[0]
	const caller = "arn:aws:iam::999999999999:role/outsider"
	if r := ix.DecideProbe(caller, "kms:Decrypt", k, nil, nil); r.Decision != engine.ImplicitDeny {
		t.Fatalf("default key policy: %s, want ImplicitDeny", r.Decision)
	}
	open, err := inventory.DecodeDocument([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}`), inventory.Location{File: "test"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := open.Parse("open", policy.Resource)
	if err != nil {
		t.Fatal(err)
	}
	if r := ix.DecideProbe(caller, "kms:Decrypt", k.WithPolicy(d), nil, nil); r.Decision != engine.Allow {
		t.Errorf("open copy: %s, want Allow", r.Decision)
	}
	unread := *k
	unread.Policy, unread.PolicyErr = nil, errTest
	if r := ix.DecideProbe(caller, "kms:Decrypt", &unread, nil, nil); r.Decision != engine.Unknown {
		t.Errorf("unread key policy: %s, want Unknown", r.Decision)
	}
}

type testError string

func (e testError) Error() string { return string(e) }

const errTest = testError("not read")
