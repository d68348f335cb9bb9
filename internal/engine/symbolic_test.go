package engine

import (
	"slices"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/policy"
)

// TestSymbolicCallers pins the abstract callers who-can and the checks ask
// about: "any principal of account B" and "anyone outside the organization
// and the key's account". What the symbol does not fix stays open; what
// it does fix decides conditions without an invented principal.
func TestSymbolicCallers(t *testing.T) {
	t.Parallel()
	outsider := &Symbol{NotAccounts: []string{acctA}, NotOrgs: []string{"o-a1b2c3d4e5"}}
	ofB := &Symbol{Account: acctB}
	ofA := &Symbol{Account: acctA, OrgID: "o-a1b2c3d4e5"}
	tests := []struct {
		name     string
		caller   *Symbol
		action   string
		kp       string
		want     Decision
		wantCond string // must appear in a condition of a conditional Allow
	}{
		{"public statement reaches outsiders, through their own IAM", outsider, "kms:Decrypt",
			`{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}}`, Allow, "its own IAM policies allow kms:Decrypt on this key"},
		{"org condition keeps outsiders out", outsider, "kms:Decrypt",
			`{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}}`, ImplicitDeny, ""},
		{"caller-account condition keeps outsiders out", outsider, "kms:Decrypt",
			`{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"111122223333"}}}}`, ImplicitDeny, ""},
		{"another org's condition stays open", outsider, "kms:Decrypt",
			`{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-other"}}}}`, Allow, "StringEquals aws:PrincipalOrgID = o-other"},
		{"org guard deny applies to outsiders", outsider, "kms:Decrypt",
			`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]}`, ExplicitDeny, ""},
		{"principal ARN condition stays open", outsider, "kms:Decrypt",
			`{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/reader"}}}}`, Allow, "ArnLike aws:PrincipalArn"},
		{"principal ARN of the key's account keeps outsiders out", outsider, "kms:Decrypt",
			`{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/*"}}}}`, ImplicitDeny, ""},
		{"org path keeps outsiders out", outsider, "kms:Decrypt",
			`{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":"o-a1b2c3d4e5/*"}}}}`, ImplicitDeny, ""},
		{"outsiders never match a named account", outsider, "kms:Decrypt",
			`{"Statement":{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"kms:Decrypt","Resource":"*"}}`, ImplicitDeny, ""},
		{"account B through its account principal", ofB, "kms:Decrypt",
			`{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"kms:Decrypt","Resource":"*"}}`, Allow, "its own IAM policies in account 444455556666 allow kms:Decrypt on this key"},
		{"account B is not a role of B named by ARN", ofB, "kms:Decrypt",
			`{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:role/reader"},"Action":"kms:Decrypt","Resource":"*"}}`, ImplicitDeny, ""},
		{"account B cannot call an operation that is not cross-account", ofB, "kms:PutKeyPolicy",
			`{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}}`, ImplicitDeny, ""},
		{"any principal of the key's account, delegated", ofA, "kms:Decrypt", kpDefault, Allow, "its own IAM policies in account 111122223333 allow"},
		{"NotPrincipal deny spares no symbol", ofA, "kms:Decrypt",
			`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"},{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:root","arn:aws:iam::111122223333:role/admin"]},"Action":"kms:Decrypt","Resource":"*"}]}`, ExplicitDeny, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Decide(Request{Caller: tt.caller, Action: tt.action, Resource: keyA}, &Policies{KeyPolicy: kp(t, tt.kp)})
			if got.Decision != tt.want {
				t.Fatalf("decision %v, want %v: %s %q", got.Decision, tt.want, got.Summary, got.Conditions)
			}
			if tt.want == Allow && (!got.Conditional || !strings.Contains(strings.Join(got.Conditions, "\n"), tt.wantCond)) {
				t.Errorf("conditions %q lack %q", got.Conditions, tt.wantCond)
			}
			// A symbol's identity policies are its own: every Allow
			// needs them, and says which condition that is.
			if tt.want == Allow && (!strings.HasPrefix(got.OwnIAM, "its own IAM policies") || !slices.Contains(got.Conditions, got.OwnIAM)) {
				t.Errorf("OwnIAM %q is not the own-IAM condition of %q", got.OwnIAM, got.Conditions)
			}
			for _, text := range append([]string{got.Summary}, got.Conditions...) {
				if strings.Contains(text, "000000000000") || strings.Contains(text, "symbolic caller") {
					t.Errorf("made-up identity in %q", text)
				}
			}
		})
	}
}

// TestOwnIAMOnlyForOpenIdentity: a principal whose policies were read
// never has its own IAM as a condition, even when its Allow is
// conditional on the request.
func TestOwnIAMOnlyForOpenIdentity(t *testing.T) {
	t.Parallel()
	id := idp(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringLike":{"kms:ViaService":"s3.*.amazonaws.com"}}}}`)
	got := Decide(Request{Principal: "arn:aws:iam::111122223333:role/app", Action: "kms:Decrypt", Resource: keyA, Open: true},
		&Policies{KeyPolicy: kp(t, kpDefault), Identity: []*policy.Document{id}})
	if got.Decision != Allow || !got.Conditional || got.OwnIAM != "" {
		t.Errorf("got %v conditional %v OwnIAM %q, want a conditional Allow without OwnIAM: %q", got.Decision, got.Conditional, got.OwnIAM, got.Conditions)
	}
}
