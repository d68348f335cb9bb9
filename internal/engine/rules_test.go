package engine

import (
	"strings"
	"testing"
)

// TestChildGrants pins the limits on grants created with CreateGrant
// permission that came from a grant (KMS developer guide, "Creating
// grants", section "Granting CreateGrant permission"): the new grant may
// allow only some or all of the parent's operations, and an
// EncryptionContextSubset may become an EncryptionContextEquals, never the
// reverse.
func TestChildGrants(t *testing.T) {
	t.Parallel()
	list := func(v ...string) Value { return Value{Strings: v, List: true} }
	subset := Grant{ID: "parent", GranteePrincipal: roleApp, Operations: []string{"Decrypt", "GenerateDataKey", "CreateGrant"},
		EncryptionContextSubset: map[string]string{"Department": "IT"}}
	equals := Grant{ID: "parent", GranteePrincipal: roleApp, Operations: []string{"Decrypt", "CreateGrant"},
		EncryptionContextEquals: map[string]string{"Department": "IT"}}
	tests := []struct {
		name  string
		grant Grant
		ctx   map[string]Value
		want  Decision
	}{
		{"subset of the parent's operations", subset, map[string]Value{"kms:GrantOperations": list("Decrypt", "CreateGrant"), "kms:GrantConstraintType": {Strings: []string{"EncryptionContextSubset"}}, "kms:EncryptionContext:Department": {Strings: []string{"IT"}}}, Allow},
		{"an operation the parent lacks", subset, map[string]Value{"kms:GrantOperations": list("Decrypt", "Encrypt"), "kms:EncryptionContext:Department": {Strings: []string{"IT"}}}, ImplicitDeny},
		{"subset tightened to equals", subset, map[string]Value{"kms:GrantOperations": list("Decrypt"), "kms:GrantConstraintType": {Strings: []string{"EncryptionContextEquals"}}, "kms:EncryptionContext:Department": {Strings: []string{"IT"}}, "kms:EncryptionContext:Team": {Strings: []string{"a"}}}, Allow},
		{"subset pair removed", subset, map[string]Value{"kms:GrantOperations": list("Decrypt"), "kms:EncryptionContext:Team": {Strings: []string{"a"}}}, ImplicitDeny},
		{"equals loosened to subset", equals, map[string]Value{"kms:GrantOperations": list("Decrypt"), "kms:GrantConstraintType": {Strings: []string{"EncryptionContextSubset"}}, "kms:EncryptionContext:Department": {Strings: []string{"IT"}}}, ImplicitDeny},
		{"equals kept", equals, map[string]Value{"kms:GrantOperations": list("Decrypt"), "kms:GrantConstraintType": {Strings: []string{"EncryptionContextEquals"}}, "kms:EncryptionContext:Department": {Strings: []string{"IT"}}}, Allow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Decide(Request{Principal: session, Action: "kms:CreateGrant", Resource: keyA, Context: tt.ctx},
				&Policies{KeyPolicy: kp(t, kpNoRoot), Grants: []Grant{tt.grant}})
			if got.Decision != tt.want {
				t.Errorf("decision %v, want %v: %s\nnotes: %v", got.Decision, tt.want, got.Summary, got.Notes)
			}
		})
	}
	// Open context: the new grant's operations are a condition.
	got := Decide(Request{Principal: session, Action: "kms:CreateGrant", Resource: keyA, Open: true},
		&Policies{KeyPolicy: kp(t, kpNoRoot), Grants: []Grant{{ID: "p", GranteePrincipal: roleApp, Operations: []string{"Decrypt", "CreateGrant"}}}})
	if got.Decision != Allow || !strings.Contains(strings.Join(got.Conditions, " "), "the new grant allows only operations of grant p (Decrypt, CreateGrant)") {
		t.Errorf("open: %v %q", got.Decision, got.Conditions)
	}
}

// TestRetireGrantByAccount pins RetireGrant when a grant's retiring
// principal is an account (KMS developer guide, "Retiring and revoking
// grants": "If the retiring principal is a different AWS account,
// administrators in the other account can use kms:RetireGrant to delegate
// permission to retire the grant to an IAM principal in that account").
func TestRetireGrantByAccount(t *testing.T) {
	t.Parallel()
	grant := Grant{ID: "g", GranteePrincipal: "arn:aws:iam::111122223333:role/other", RetiringPrincipal: "arn:aws:iam::444455556666:root", Operations: []string{"Decrypt"}, IssuingAccount: acctA}
	retire := `{"Statement":{"Effect":"Allow","Action":"kms:RetireGrant","Resource":"*"}}`
	tests := []struct {
		name     string
		caller   string
		identity string
		want     Decision
	}{
		{"principal of the retiring account with IAM permission", partner, retire, Allow},
		{"principal of the retiring account without it", partner, idS3Only, ImplicitDeny},
		{"root of the retiring account", "arn:aws:iam::444455556666:root", "", Allow},
		{"principal of the issuing account with IAM permission", session, retire, Allow},
		{"principal of a third account", "arn:aws:sts::999988887777:assumed-role/x/y", retire, ImplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := &Policies{KeyPolicy: kp(t, kpDefault), Grants: []Grant{grant}}
			if tt.identity != "" {
				p.Identity = ids(t, tt.identity)
			}
			got := Decide(Request{Principal: tt.caller, Action: "kms:RetireGrant", Resource: keyA}, p)
			if got.Decision != tt.want {
				t.Errorf("decision %v, want %v: %s", got.Decision, tt.want, got.Summary)
			}
		})
	}
}

// TestAliasOperationsAreNotCrossAccount pins the API reference's
// "Cross-account use: No" for CreateAlias, UpdateAlias and DeleteAlias: an
// alias of another account cannot be changed whatever the policies say.
func TestAliasOperationsAreNotCrossAccount(t *testing.T) {
	t.Parallel()
	alias := "arn:aws:kms:ap-northeast-1:111122223333:alias/app"
	for _, action := range []string{"kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"} {
		got := Decide(Request{Principal: partner, Action: action, Resource: alias}, &Policies{Identity: ids(t, allowAll)})
		if got.Decision != ImplicitDeny || got.Rule != RuleCrossAccountOp || !strings.Contains(got.Summary, "on an alias of account 111122223333") {
			t.Errorf("%s on another account's alias: %v %s %s", action, got.Decision, got.Rule, got.Summary)
		}
		same := Decide(Request{Principal: session, Action: action, Resource: alias}, &Policies{Identity: ids(t, allowAll)})
		if same.Decision != Allow || strings.Contains(same.Summary, "on this key") {
			t.Errorf("%s on its own alias: %v %s", action, same.Decision, same.Summary)
		}
	}
}

// TestCallerAccountForCustomKeyStores pins that kms:CallerAccount is in the
// request of custom key store operations (KMS developer guide, "AWS KMS
// condition keys", kms:CallerAccount), so a Deny on StringNotEquals
// kms:CallerAccount does not fire for the account's own principals.
func TestCallerAccountForCustomKeyStores(t *testing.T) {
	t.Parallel()
	id := ids(t, `{"Statement":[{"Effect":"Allow","Action":"kms:*CustomKeyStore*","Resource":"*"},{"Effect":"Deny","Action":"kms:*","Resource":"*","Condition":{"StringNotEquals":{"kms:CallerAccount":"111122223333"}}}]}`)
	for _, action := range []string{"kms:CreateCustomKeyStore", "kms:DescribeCustomKeyStores", "kms:ConnectCustomKeyStore"} {
		if got := Decide(Request{Principal: session, Action: action, Resource: "*"}, &Policies{Identity: id}); got.Decision != Allow {
			t.Errorf("%s: %v %s", action, got.Decision, got.Summary)
		}
	}
	// ListKeys carries no kms:CallerAccount: the negated condition holds.
	if got := Decide(Request{Principal: session, Action: "kms:ListKeys", Resource: "*"}, &Policies{Identity: ids(t, `{"Statement":[{"Effect":"Allow","Action":"kms:ListKeys","Resource":"*"},{"Effect":"Deny","Action":"kms:*","Resource":"*","Condition":{"StringNotEquals":{"kms:CallerAccount":"111122223333"}}}]}`)}); got.Decision != ExplicitDeny {
		t.Errorf("ListKeys: %v %s", got.Decision, got.Summary)
	}
}

// TestEveryApplyingStatementIsRecorded: overlapping statements are all
// cited, so a user fixing one sees the other.
func TestEveryApplyingStatementIsRecorded(t *testing.T) {
	t.Parallel()
	d := kp(t, `{"Statement":[
		{"Sid":"A","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"kms:Decrypt","Resource":"*"},
		{"Sid":"B","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"kms:*","Resource":"*"},
		{"Sid":"D1","Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"Bool":{"aws:ViaAWSService":"true"}}},
		{"Sid":"D2","Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"ec2.ap-northeast-1.amazonaws.com"}}}]}`)
	allow := Decide(Request{Principal: session, Action: "kms:Decrypt", Resource: keyA}, &Policies{KeyPolicy: d})
	if allow.Decision != Allow || sids(allow.Reasons) != "A,B" {
		t.Errorf("allow: %v, reasons %s", allow.Decision, sids(allow.Reasons))
	}
	deny := Decide(Request{Principal: session, Action: "kms:Decrypt", Resource: keyA, Context: ctx("kms:ViaService", "ec2.ap-northeast-1.amazonaws.com")}, &Policies{KeyPolicy: d})
	if deny.Decision != ExplicitDeny || sids(deny.Reasons) != "D1,D2" {
		t.Errorf("deny: %v, reasons %s", deny.Decision, sids(deny.Reasons))
	}
}

func sids(rs []Reason) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Sid)
	}
	return strings.Join(out, ",")
}
