package engine

import (
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/policy"
)

const (
	acctA   = "111122223333"
	acctB   = "444455556666"
	keyA    = "arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	session = "arn:aws:sts::111122223333:assumed-role/app/i-0abc"
	roleApp = "arn:aws:iam::111122223333:role/app"
	alice   = "arn:aws:iam::111122223333:user/alice"
	partner = "arn:aws:sts::444455556666:assumed-role/partner/job-7"
)

// Policy snippets used by the tests.
const (
	kpDefault = `{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`
	kpNoRoot  = `{"Version":"2012-10-17","Statement":[{"Sid":"AppOnly","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"kms:Decrypt","Resource":"*"}]}`
	idDecrypt = `{"Version":"2012-10-17","Statement":[{"Sid":"UseKey","Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}`
	idS3Only  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	allowAll  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
)

func kp(t *testing.T, s string) *policy.Document  { return mustParse(t, s, policy.Resource) }
func idp(t *testing.T, s string) *policy.Document { return mustParse(t, s, policy.Identity) }
func scp(t *testing.T, s string) *policy.Document { return mustParse(t, s, policy.SCP) }
func rcp(t *testing.T, s string) *policy.Document { return mustParse(t, s, policy.RCP) }
func ids(t *testing.T, s ...string) []*policy.Document {
	var out []*policy.Document
	for _, x := range s {
		out = append(out, idp(t, x))
	}
	return out
}

func mustParse(t *testing.T, s string, k policy.Kind) *policy.Document {
	t.Helper()
	d, err := policy.Parse("test", []byte(s), k)
	if err != nil {
		t.Fatalf("parse %s: %v", s, err)
	}
	return d
}

func ctx(kv ...string) map[string]Value {
	m := map[string]Value{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = Value{Strings: []string{kv[i+1]}}
	}
	return m
}

type decideCase struct {
	name      string
	principal string
	action    string
	resource  string
	context   map[string]Value
	policies  func(t *testing.T) *Policies
	want      Decision
	wantRule  Rule
	wantLayer Layer
}

func runCases(t *testing.T, tests []decideCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tt.resource
			if res == "" {
				res = keyA
			}
			got := Decide(Request{Principal: tt.principal, Action: tt.action, Resource: res, Context: tt.context}, tt.policies(t))
			if got.Decision != tt.want || (tt.wantRule != "" && got.Rule != tt.wantRule) || (tt.wantLayer != "" && got.Layer != tt.wantLayer) {
				t.Errorf("Decide(%s %s) = %v rule %q layer %q, want %v rule %q layer %q\nsummary: %s\nnotes: %v",
					tt.principal, tt.action, got.Decision, got.Rule, got.Layer, tt.want, tt.wantRule, tt.wantLayer, got.Summary, got.Notes)
			}
			if got.Summary == "" {
				t.Error("empty summary")
			}
		})
	}
}

// TestPrincipalForms pins §2.3: what a key-policy Allow is worth by the
// principal form it names, with and without boundaries and session
// policies (IAM User Guide, "Policy evaluation logic").
func TestPrincipalForms(t *testing.T) {
	t.Parallel()
	boundaryNoKMS := idS3Only
	runCases(t, []decideCase{
		{"user ARN: the key policy alone allows, the boundary does not limit it", alice, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:Decrypt","Resource":"*"}}`), Boundary: idp(t, boundaryNoKMS)}
		}, Allow, RuleDirect, LayerKeyPolicy},
		{"role ARN: the session is allowed without IAM", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpNoRoot)}
		}, Allow, RuleDirect, LayerKeyPolicy},
		{"role ARN with a path matches the session by name", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/service/app"},"Action":"kms:Decrypt","Resource":"*"}}`)}
		}, Allow, RuleDirect, ""},
		{"role ARN: the boundary limits the session", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpNoRoot), Boundary: idp(t, boundaryNoKMS)}
		}, ImplicitDeny, RuleBoundaryNoAllow, LayerBoundary},
		{"role ARN: the session policy limits the session", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpNoRoot), Session: idp(t, idS3Only)}
		}, ImplicitDeny, RuleSessionNoAllow, LayerSession},
		{"role ARN: boundary allowing KMS lets the session through", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpNoRoot), Boundary: idp(t, allowAll)}
		}, Allow, RuleDirect, ""},
		{"session ARN: not limited by the session policy", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/app/i-0abc"},"Action":"kms:Decrypt","Resource":"*"}}`), Session: idp(t, idS3Only), Boundary: idp(t, idS3Only)}
		}, Allow, RuleDirect, ""},
		{"session ARN of another session does not match", "arn:aws:sts::111122223333:assumed-role/app/other", "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/app/i-0abc"},"Action":"kms:Decrypt","Resource":"*"}}`)}
		}, ImplicitDeny, RuleNoKeyPolicyAllow, LayerKeyPolicy},
		{"role given as caller never matches a session-ARN statement", roleApp, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/app/i-0abc"},"Action":"kms:Decrypt","Resource":"*"}}`)}
		}, ImplicitDeny, "", ""},
		{"star principal: not limited by boundary or session policy", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}}`), Boundary: idp(t, idS3Only), Session: idp(t, idS3Only)}
		}, Allow, RuleDirect, ""},
		{"account principal: delegation needs the identity policy", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Identity: ids(t, idS3Only)}
		}, ImplicitDeny, RuleNoIdentityAllow, LayerIdentity},
		{"account principal: delegation with identity allow", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Identity: ids(t, idDecrypt)}
		}, Allow, RuleDelegation, LayerIdentity},
		{"account ID form means the account", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}`), Identity: ids(t, idDecrypt)}
		}, Allow, RuleDelegation, ""},
		{"delegation is limited to the actions of the account statement", session, "kms:Encrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:Decrypt","Resource":"*"}}`), Identity: ids(t, allowAll)}
		}, ImplicitDeny, RuleNoKeyPolicyAllow, LayerKeyPolicy},
		{"without an account statement IAM cannot allow", session, "kms:Encrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpNoRoot), Identity: ids(t, allowAll)}
		}, ImplicitDeny, RuleNoKeyPolicyAllow, LayerKeyPolicy},
		{"delegation: boundary must allow too", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Identity: ids(t, idDecrypt), Boundary: idp(t, idS3Only)}
		}, ImplicitDeny, RuleBoundaryNoAllow, LayerBoundary},
		{"unique-ID principal (deleted role) matches nobody", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"AROAEXAMPLEID12345678"},"Action":"kms:Decrypt","Resource":"*"}}`)}
		}, ImplicitDeny, RuleNoKeyPolicyAllow, ""},
		{"wildcard inside a principal ARN matches nobody", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/*"},"Action":"kms:Decrypt","Resource":"*"}}`)}
		}, ImplicitDeny, RuleNoKeyPolicyAllow, ""},
		{"federated user without session policy has no identity permissions", "arn:aws:sts::111122223333:federated-user/bob", "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Identity: ids(t, idDecrypt)}
		}, ImplicitDeny, RuleSessionNoAllow, LayerSession},
		{"federated user named in the key policy", "arn:aws:sts::111122223333:federated-user/bob", "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111122223333:federated-user/bob"},"Action":"kms:Decrypt","Resource":"*"}}`)}
		}, Allow, RuleDirect, ""},
		{"key policy statement without Resource is inert", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt"}}`)}
		}, ImplicitDeny, RuleNoKeyPolicyAllow, ""},
	})
}

// TestRootUser pins §3.3: the account principal covers the root user,
// which needs no IAM policy; without an account statement root has no
// access; SCPs of a member account still bind it.
func TestRootUser(t *testing.T) {
	t.Parallel()
	root := "arn:aws:iam::111122223333:root"
	runCases(t, []decideCase{
		{"default key policy", root, "kms:ScheduleKeyDeletion", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault)}
		}, Allow, RuleRoot, LayerKeyPolicy},
		{"account ID as caller means root", acctA, "kms:PutKeyPolicy", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault)}
		}, Allow, RuleRoot, ""},
		{"no account statement", root, "kms:PutKeyPolicy", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpNoRoot)}
		}, ImplicitDeny, RuleNoKeyPolicyAllow, ""},
		{"SCP denies the member account's root", root, "kms:ScheduleKeyDeletion", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), SCPs: [][]*policy.Document{{scp(t, allowAll)}, {scp(t, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"kms:ScheduleKeyDeletion","Resource":"*","Condition":{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"}}}]}`)}}}
		}, ExplicitDeny, RuleExplicitDeny, LayerSCP},
		{"deny to the account principal denies root too", root, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"kms:Decrypt","Resource":"*"}]}`)}
		}, ExplicitDeny, "", LayerKeyPolicy},
	})
}

// TestCrossAccount pins §6: both the key policy and the caller's IAM must
// allow; operations that do not work across accounts fail whatever the
// policies say.
func TestCrossAccount(t *testing.T) {
	t.Parallel()
	kpShare := `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},{"Sid":"ShareWithB","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"kms:*","Resource":"*"}]}`
	runCases(t, []decideCase{
		{"both sides allow", partner, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpShare), Identity: ids(t, idDecrypt)}
		}, Allow, RuleDelegation, ""},
		{"key policy only", partner, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpShare)}
		}, ImplicitDeny, RuleNoIdentityAllow, LayerIdentity},
		{"IAM only", partner, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Identity: ids(t, allowAll)}
		}, ImplicitDeny, RuleNoKeyPolicyAllow, LayerKeyPolicy},
		{"role named directly still needs its IAM", partner, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:role/partner"},"Action":"kms:Decrypt","Resource":"*"}}`)}
		}, ImplicitDeny, RuleNoIdentityAllow, ""},
		{"star principal still needs the caller's IAM", partner, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}}`)}
		}, ImplicitDeny, RuleNoIdentityAllow, ""},
		{"PutKeyPolicy is not a cross-account operation", partner, "kms:PutKeyPolicy", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpShare), Identity: ids(t, allowAll)}
		}, ImplicitDeny, RuleCrossAccountOp, LayerKMS},
		{"ScheduleKeyDeletion is not a cross-account operation", partner, "kms:ScheduleKeyDeletion", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpShare), Identity: ids(t, allowAll)}
		}, ImplicitDeny, RuleCrossAccountOp, ""},
		{"GetKeyPolicy is not a cross-account operation", partner, "kms:GetKeyPolicy", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpShare), Identity: ids(t, allowAll)}
		}, ImplicitDeny, RuleCrossAccountOp, ""},
		{"CreateGrant works across accounts", partner, "kms:CreateGrant", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpShare), Identity: ids(t, allowAll)}
		}, Allow, "", ""},
		{"GetKeyRotationStatus works across accounts", partner, "kms:GetKeyRotationStatus", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpShare), Identity: ids(t, allowAll)}
		}, Allow, "", ""},
		{"explicit deny is reported before the cross-account gate", partner, "kms:PutKeyPolicy", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpShare), Identity: ids(t, `{"Statement":{"Effect":"Deny","Action":"kms:*","Resource":"*"}}`)}
		}, ExplicitDeny, "", LayerIdentity},
	})
}

// TestGrants pins §5: grants allow without key policy or IAM, never
// override a deny, and honour their constraints.
func TestGrants(t *testing.T) {
	t.Parallel()
	ecCtx := map[string]Value{"kms:EncryptionContext:Department": {Strings: []string{"Finance"}}, "kms:EncryptionContextKeys": {Strings: []string{"Department"}, List: true}}
	grant := func(grantee string, ops ...string) Grant {
		return Grant{ID: "g-1", GranteePrincipal: grantee, Operations: ops}
	}
	runCases(t, []decideCase{
		{"role grantee matches its session", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Grants: []Grant{grant(roleApp, "Decrypt")}}
		}, Allow, RuleGrant, LayerGrant},
		{"operation not in the grant", session, "kms:Encrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Grants: []Grant{grant(roleApp, "Decrypt")}}
		}, ImplicitDeny, "", ""},
		{"grant to another principal", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Grants: []Grant{grant("arn:aws:iam::111122223333:role/other", "Decrypt")}}
		}, ImplicitDeny, "", ""},
		{"cross-account grantee needs no IAM", partner, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Grants: []Grant{grant("arn:aws:iam::444455556666:role/partner", "Decrypt")}}
		}, Allow, RuleGrant, ""},
		{"key policy deny beats the grant", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}`), Grants: []Grant{grant(roleApp, "Decrypt")}}
		}, ExplicitDeny, "", LayerKeyPolicy},
		{"SCP without allow beats the grant", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Grants: []Grant{grant(roleApp, "Decrypt")}, SCPs: [][]*policy.Document{{scp(t, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`)}}}
		}, ImplicitDeny, RuleSCPNoAllow, LayerSCP},
		{"[U] boundary does not remove a grant's allow", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Boundary: idp(t, idS3Only), Grants: []Grant{grant(roleApp, "Decrypt")}}
		}, Allow, RuleGrant, ""},
		{"EC subset holds with extra pairs", session, "kms:Decrypt", "", map[string]Value{"kms:EncryptionContext:Department": {Strings: []string{"Finance"}}, "kms:EncryptionContext:Project": {Strings: []string{"x"}}}, func(t *testing.T) *Policies {
			g := grant(roleApp, "Decrypt")
			g.EncryptionContextSubset = map[string]string{"Department": "Finance"}
			return &Policies{KeyPolicy: kp(t, kpDefault), Grants: []Grant{g}}
		}, Allow, RuleGrant, ""},
		{"EC equals fails with an extra pair", session, "kms:Decrypt", "", map[string]Value{"kms:EncryptionContext:Department": {Strings: []string{"Finance"}}, "kms:EncryptionContext:Project": {Strings: []string{"x"}}}, func(t *testing.T) *Policies {
			g := grant(roleApp, "Decrypt")
			g.EncryptionContextEquals = map[string]string{"Department": "Finance"}
			return &Policies{KeyPolicy: kp(t, kpDefault), Grants: []Grant{g}}
		}, ImplicitDeny, "", ""},
		{"[U] EC constraint keys ignore case, values do not", session, "kms:Decrypt", "", ecCtx, func(t *testing.T) *Policies {
			g := grant(roleApp, "Decrypt")
			g.EncryptionContextEquals = map[string]string{"department": "Finance"}
			return &Policies{KeyPolicy: kp(t, kpDefault), Grants: []Grant{g}}
		}, Allow, RuleGrant, ""},
		{"EC constraint value is case-sensitive", session, "kms:Decrypt", "", ecCtx, func(t *testing.T) *Policies {
			g := grant(roleApp, "Decrypt")
			g.EncryptionContextEquals = map[string]string{"Department": "finance"}
			return &Policies{KeyPolicy: kp(t, kpDefault), Grants: []Grant{g}}
		}, ImplicitDeny, "", ""},
		{"EC constraint without context fails", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			g := grant(roleApp, "Decrypt")
			g.EncryptionContextSubset = map[string]string{"Department": "Finance"}
			return &Policies{KeyPolicy: kp(t, kpDefault), Grants: []Grant{g}}
		}, ImplicitDeny, "", ""},
		{"EC constraint is ignored for DescribeKey", session, "kms:DescribeKey", "", nil, func(t *testing.T) *Policies {
			g := grant(roleApp, "DescribeKey")
			g.EncryptionContextSubset = map[string]string{"Department": "Finance"}
			return &Policies{KeyPolicy: kp(t, kpDefault), Grants: []Grant{g}}
		}, Allow, RuleGrant, ""},
		{"[U] account grantee needs the caller's IAM", "arn:aws:sts::111122223333:assumed-role/batch/x", "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpNoRoot), Grants: []Grant{grant("arn:aws:iam::111122223333:root", "Decrypt")}}
		}, ImplicitDeny, "", ""},
		{"[U] account grantee with the caller's IAM", "arn:aws:sts::111122223333:assumed-role/batch/x", "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpNoRoot), Identity: ids(t, idDecrypt), Grants: []Grant{grant("arn:aws:iam::111122223333:root", "Decrypt")}}
		}, Allow, RuleGrant, ""},
		{"RetireGrant by the retiring principal", session, "kms:RetireGrant", "", nil, func(t *testing.T) *Policies {
			g := grant("arn:aws:iam::111122223333:role/other", "Decrypt")
			g.RetiringPrincipal = roleApp
			return &Policies{KeyPolicy: kp(t, kpNoRoot), Grants: []Grant{g}}
		}, Allow, RuleGrant, LayerGrant},
		{"RetireGrant in a key policy has no effect", "arn:aws:sts::444455556666:assumed-role/x/y", "kms:RetireGrant", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:RetireGrant","Resource":"*"}}`), Identity: ids(t, allowAll), Grants: []Grant{grant(roleApp, "Decrypt")}}
		}, ImplicitDeny, RuleGrant, LayerGrant},
	})
}

// TestOrganizations pins SCP and RCP levels (§2.2 steps 2 and 3).
func TestOrganizations(t *testing.T) {
	t.Parallel()
	full := allowAll
	s3only := `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`
	perimeter := `{"Statement":{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"},"Bool":{"aws:PrincipalIsAWSService":"false"}}}}`
	runCases(t, []decideCase{
		{"every SCP level allows", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Identity: ids(t, idDecrypt), SCPs: [][]*policy.Document{{scp(t, full)}, {scp(t, full)}, {scp(t, full)}}}
		}, Allow, "", ""},
		{"one SCP level without allow", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Identity: ids(t, idDecrypt), SCPs: [][]*policy.Document{{scp(t, full)}, {scp(t, s3only)}, {scp(t, full)}}}
		}, ImplicitDeny, RuleSCPNoAllow, LayerSCP},
		{"SCP allow split across policies of one level", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Identity: ids(t, idDecrypt), SCPs: [][]*policy.Document{{scp(t, s3only), scp(t, `{"Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}`)}}}
		}, Allow, "", ""},
		{"SCP with a condition (full IAM grammar)", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Identity: ids(t, idDecrypt), SCPs: [][]*policy.Document{{scp(t, `{"Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}}}`)}}}
		}, ImplicitDeny, RuleSCPNoAllow, ""},
		{"SCPs do not apply to service-linked roles", "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForX/s", "kms:Decrypt", "", ctx("aws:PrincipalArn", "arn:aws:iam::111122223333:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX"), func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Identity: ids(t, idDecrypt), SCPs: [][]*policy.Document{{scp(t, s3only)}}}
		}, Allow, "", ""},
		{"SCPs do not apply to a service-linked role's session (known by its name)", "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling", "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Identity: ids(t, idDecrypt), SCPs: [][]*policy.Document{{scp(t, s3only)}}}
		}, Allow, "", ""},
		{"RCP denies a caller outside the organization", partner, "kms:Decrypt", "", ctx("aws:PrincipalOrgID", "o-other"), func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}}`), Identity: ids(t, idDecrypt), RCPs: [][]*policy.Document{{rcp(t, perimeter)}}}
		}, ExplicitDeny, "", LayerRCP},
		{"RCP perimeter: a caller with no organization is denied (IfExists)", partner, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}}`), Identity: ids(t, idDecrypt), RCPs: [][]*policy.Document{{rcp(t, perimeter)}}}
		}, ExplicitDeny, "", LayerRCP},
		{"RCP perimeter exempts service principals", "cloudtrail.amazonaws.com", "kms:GenerateDataKey", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, `{"Statement":{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*"}}`), RCPs: [][]*policy.Document{{rcp(t, perimeter)}}}
		}, Allow, RuleServicePrincipal, ""},
		{"RCPs do not apply to AWS managed keys", partner, "kms:Decrypt", "", ctx("aws:PrincipalOrgID", "o-other"), func(t *testing.T) *Policies {
			return &Policies{AWSManagedKey: true, KeyPolicy: kp(t, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}}`), Identity: ids(t, idDecrypt), RCPs: [][]*policy.Document{{rcp(t, perimeter)}}}
		}, Allow, "", ""},
		{"RCPs never control RetireGrant", partner, "kms:RetireGrant", "", ctx("aws:PrincipalOrgID", "o-other"), func(t *testing.T) *Policies {
			g := Grant{ID: "g", GranteePrincipal: "arn:aws:iam::444455556666:role/partner", Operations: []string{"RetireGrant"}}
			return &Policies{KeyPolicy: kp(t, kpDefault), Grants: []Grant{g}, RCPs: [][]*policy.Document{{rcp(t, perimeter)}}}
		}, Allow, "", ""},
	})
}

// TestSpecialCallers: service principals, anonymous callers, IAM-only
// actions and aliases.
func TestSpecialCallers(t *testing.T) {
	t.Parallel()
	runCases(t, []decideCase{
		{"service principal named in the key policy", "cloudtrail.amazonaws.com", "kms:GenerateDataKey", "", ctx("aws:SourceArn", "arn:aws:cloudtrail:us-east-1:111122223333:trail/main"), func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, `{"Statement":{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*","Condition":{"StringLike":{"aws:SourceArn":"arn:aws:cloudtrail:*:111122223333:trail/*"}}}}`)}
		}, Allow, RuleServicePrincipal, ""},
		{"service principal, condition fails", "cloudtrail.amazonaws.com", "kms:GenerateDataKey", "", ctx("aws:SourceArn", "arn:aws:cloudtrail:us-east-1:999988887777:trail/x"), func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, `{"Statement":{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*","Condition":{"StringLike":{"aws:SourceArn":"arn:aws:cloudtrail:*:111122223333:trail/*"}}}}`)}
		}, ImplicitDeny, RuleNoKeyPolicyAllow, ""},
		{"service principal not named", "logs.amazonaws.com", "kms:Encrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault)}
		}, ImplicitDeny, RuleNoKeyPolicyAllow, ""},
		{"anonymous", "anonymous", "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}}`)}
		}, ImplicitDeny, RuleAnonymous, LayerKMS},
		{"ListKeys is authorized by IAM alone", session, "kms:ListKeys", "*", nil, func(t *testing.T) *Policies {
			return &Policies{Identity: ids(t, `{"Statement":{"Effect":"Allow","Action":"kms:List*","Resource":"*"}}`)}
		}, Allow, RuleIAMOnly, LayerIdentity},
		{"CreateKey with an account-wide resource pattern", session, "kms:CreateKey", "*", nil, func(t *testing.T) *Policies {
			return &Policies{Identity: ids(t, `{"Statement":{"Effect":"Allow","Action":"kms:CreateKey","Resource":"arn:aws:kms:us-east-1:111122223333:*"}}`)}
		}, Allow, RuleIAMOnly, ""},
		{"ListKeys not allowed", session, "kms:ListKeys", "*", nil, func(t *testing.T) *Policies {
			return &Policies{Identity: ids(t, idDecrypt)}
		}, ImplicitDeny, RuleNoIdentityAllow, ""},
		{"alias ARN in an identity policy does not cover the key", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Identity: ids(t, `{"Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:ap-northeast-1:111122223333:alias/app"}}`)}
		}, ImplicitDeny, RuleNoIdentityAllow, ""},
		{"CreateAlias on the alias (IAM)", session, "kms:CreateAlias", "arn:aws:kms:ap-northeast-1:111122223333:alias/app", nil, func(t *testing.T) *Policies {
			return &Policies{Identity: ids(t, `{"Statement":{"Effect":"Allow","Action":"kms:CreateAlias","Resource":"arn:aws:kms:ap-northeast-1:111122223333:alias/app"}}`)}
		}, Allow, RuleIAMOnly, ""},
		{"CreateAlias on a reserved alias", session, "kms:CreateAlias", "arn:aws:kms:ap-northeast-1:111122223333:alias/aws/s3", nil, func(t *testing.T) *Policies {
			return &Policies{Identity: ids(t, allowAll)}
		}, ImplicitDeny, "", LayerKMS},
		{"key policy unknown", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{Identity: ids(t, allowAll)}
		}, Unknown, RuleMissingInput, LayerKeyPolicy},
		{"key policy unknown but an identity deny decides", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{Identity: ids(t, `{"Statement":{"Effect":"Deny","Action":"kms:*","Resource":"*"}}`)}
		}, ExplicitDeny, "", LayerIdentity},
		{"not a principal", "bob", "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault)}
		}, Unknown, RuleMissingInput, ""},
	})
}

// TestNotPrincipal pins §3.5.2: Deny+NotPrincipal spares a caller only when
// its own ARN, its role and its account are all listed, and never spares a
// principal with a permissions boundary.
func TestNotPrincipal(t *testing.T) {
	t.Parallel()
	deny := func(listed ...string) string {
		q := make([]string, len(listed))
		for i, l := range listed {
			q[i] = `"` + l + `"`
		}
		return `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},{"Sid":"OnlyListed","Effect":"Deny","NotPrincipal":{"AWS":[` + strings.Join(q, ",") + `]},"Action":"kms:Decrypt","Resource":"*"}]}`
	}
	runCases(t, []decideCase{
		{"session, role and account listed: spared", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, deny(session, roleApp, "arn:aws:iam::111122223333:root")), Identity: ids(t, idDecrypt)}
		}, Allow, "", ""},
		{"[U] only the account listed: denied", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, deny("111122223333")), Identity: ids(t, idDecrypt)}
		}, ExplicitDeny, "", LayerKeyPolicy},
		{"[U] only the role listed: denied", session, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, deny(roleApp)), Identity: ids(t, idDecrypt)}
		}, ExplicitDeny, "", ""},
		{"user and account listed: spared", alice, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, deny(alice, acctA)), Identity: ids(t, idDecrypt)}
		}, Allow, "", ""},
		{"other user: denied", "arn:aws:iam::111122223333:user/bob", "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, deny(alice, acctA)), Identity: ids(t, idDecrypt)}
		}, ExplicitDeny, "", ""},
		{"listed user with a boundary: always denied", alice, "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, deny(alice, acctA)), Identity: ids(t, idDecrypt), Boundary: idp(t, allowAll)}
		}, ExplicitDeny, "", LayerKeyPolicy},
		{"root spared when the account is listed", "arn:aws:iam::111122223333:root", "kms:Decrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, deny(acctA))}
		}, Allow, RuleRoot, ""},
		{"deny applies only to its actions", session, "kms:Encrypt", "", nil, func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, deny(alice, acctA)), Identity: ids(t, `{"Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}}`)}
		}, Allow, "", ""},
	})
}

// TestOpenContext: with an open context, conditions on keys the request
// does not give make an Allow conditional instead of silently false.
func TestOpenContext(t *testing.T) {
	t.Parallel()
	d := kp(t, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.ap-northeast-1.amazonaws.com"}}}}`)
	got := Decide(Request{Principal: session, Action: "kms:Decrypt", Resource: keyA, Open: true}, &Policies{KeyPolicy: d})
	if got.Decision != Allow || !got.Conditional || len(got.Conditions) != 1 || !strings.Contains(got.Conditions[0], "kms:ViaService = s3.ap-northeast-1.amazonaws.com") {
		t.Errorf("open context: %+v", got)
	}
	// The same question, closed: the key is absent, so no access.
	closed := Decide(Request{Principal: session, Action: "kms:Decrypt", Resource: keyA}, &Policies{KeyPolicy: d})
	if closed.Decision != ImplicitDeny || closed.Conditional {
		t.Errorf("closed context: %+v", closed)
	}
	// An unknown identity makes delegation conditional on its own IAM.
	ext := Decide(Request{Principal: partner, Action: "kms:Decrypt", Resource: keyA, Open: true}, &Policies{IdentityOpen: true,
		KeyPolicy: kp(t, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"kms:Decrypt","Resource":"*"}}`)})
	if ext.Decision != Allow || !ext.Conditional || !strings.Contains(strings.Join(ext.Conditions, " "), "its own IAM policies in account 444455556666") {
		t.Errorf("unknown identity: %+v", ext)
	}
	// A deny that may apply makes an allow conditional on it not applying.
	withDeny := Decide(Request{Principal: session, Action: "kms:Decrypt", Resource: keyA, Open: true, Context: ctx("kms:ViaService", "s3.ap-northeast-1.amazonaws.com")}, &Policies{
		KeyPolicy: kp(t, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"kms:Decrypt","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}`)})
	if withDeny.Decision != Allow || !withDeny.Conditional || !strings.Contains(strings.Join(withDeny.Conditions, " "), "not (NotIpAddress aws:SourceIp") {
		t.Errorf("possible deny: %+v", withDeny)
	}
}

// TestDerivedContext: keys derived from the principal are available to
// conditions, and given values win.
func TestDerivedContext(t *testing.T) {
	t.Parallel()
	d := kp(t, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"111122223333","aws:PrincipalArn":"arn:aws:iam::111122223333:role/app","aws:PrincipalType":"AssumedRole"}}}}`)
	if got := Decide(Request{Principal: session, Action: "kms:Decrypt", Resource: keyA}, &Policies{KeyPolicy: d}); got.Decision != Allow {
		t.Errorf("derived keys: %v %s", got.Decision, got.Summary)
	}
	given := Decide(Request{Principal: session, Action: "kms:Decrypt", Resource: keyA, Context: ctx("aws:PrincipalArn", "arn:aws:iam::111122223333:role/path/app")}, &Policies{KeyPolicy: d})
	if given.Decision != ImplicitDeny {
		t.Errorf("a given aws:PrincipalArn must win: %v", given.Decision)
	}
	u := kp(t, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"aws:username":"alice"},"Bool":{"aws:SecureTransport":"true"}}}}`)
	if got := Decide(Request{Principal: alice, Action: "kms:Decrypt", Resource: keyA}, &Policies{KeyPolicy: u}); got.Decision != Allow {
		t.Errorf("aws:username and aws:SecureTransport: %v %s", got.Decision, got.Summary)
	}
}

// TestSeedExplanation: the explanation makes the classic experiment
// obvious (issue 2, item 4).
func TestSeedExplanation(t *testing.T) {
	t.Parallel()
	id := idp(t, `{"Version":"2012-10-17","Statement":[{"Sid":"SamplePolicy","Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"`+keyA+`"}]}`)
	got := Decide(Request{Principal: session, Action: "kms:Decrypt", Resource: keyA}, &Policies{KeyPolicy: kp(t, kpDefault), Identity: []*policy.Document{id}})
	want := "allowed: key policy statement 'Enable IAM User Permissions' delegates to account 111122223333, and identity policy #0 statement 'SamplePolicy' allows kms:Decrypt on this key"
	if got.Summary != want {
		t.Errorf("summary:\n got %s\nwant %s", got.Summary, want)
	}
	denied := Decide(Request{Principal: session, Action: "kms:Decrypt", Resource: keyA}, &Policies{KeyPolicy: kp(t, kpDefault), Identity: ids(t, idS3Only)})
	want = "implicitly denied: key policy statement 'Enable IAM User Permissions' delegates to account 111122223333, but no identity-based policy allows kms:Decrypt on this key"
	if denied.Summary != want {
		t.Errorf("summary:\n got %s\nwant %s", denied.Summary, want)
	}
	if len(denied.Reasons) != 1 || denied.Reasons[0].Sid != "Enable IAM User Permissions" {
		t.Errorf("reasons = %+v", denied.Reasons)
	}
}

// TestResourcePolicyActions pins general IAM evaluation for non-KMS
// resources (an S3 bucket policy): in the same account, either the
// identity policy or a bucket policy naming the caller suffices; across
// accounts, both are needed.
func TestResourcePolicyActions(t *testing.T) {
	t.Parallel()
	obj := "arn:aws:s3:::reports/q1.csv"
	bucketNamesApp := `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}}`
	bucketDeny := `{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::reports/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}}`
	s3Read := `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}}`
	runCases(t, []decideCase{
		{"identity policy alone (same account)", session, "s3:GetObject", obj, nil, func(t *testing.T) *Policies {
			return &Policies{ResourceAccount: acctA, Identity: ids(t, s3Read)}
		}, Allow, RuleDelegation, LayerIdentity},
		{"bucket policy alone (same account)", session, "s3:GetObject", obj, nil, func(t *testing.T) *Policies {
			return &Policies{ResourceAccount: acctA, ResourcePolicy: kp(t, bucketNamesApp)}
		}, Allow, RuleDirect, ""},
		{"neither", session, "s3:PutObject", obj, nil, func(t *testing.T) *Policies {
			return &Policies{ResourceAccount: acctA, ResourcePolicy: kp(t, bucketNamesApp), Identity: ids(t, s3Read)}
		}, ImplicitDeny, RuleNoIdentityAllow, LayerIdentity},
		{"cross-account needs both", partner, "s3:GetObject", obj, nil, func(t *testing.T) *Policies {
			return &Policies{ResourceAccount: acctA, Identity: ids(t, s3Read)}
		}, ImplicitDeny, "", ""},
		{"bucket policy deny", session, "s3:GetObject", obj, ctx("aws:SecureTransport", "false"), func(t *testing.T) *Policies {
			return &Policies{ResourceAccount: acctA, ResourcePolicy: kp(t, bucketDeny), Identity: ids(t, s3Read)}
		}, ExplicitDeny, "", LayerResource},
	})
}
