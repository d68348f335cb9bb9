package engine

import (
	"slices"
	"strings"
	"testing"
)

// unreadCase is one decision with some input not read; want* say what the
// answer must be and what its conditions or missing data must mention.
type unreadCase struct {
	name      string
	principal string
	action    string
	policies  func(t *testing.T) *Policies
	want      Decision
	// wantCond must appear in a condition (conditional Allow) or in Missing
	// (Unknown); wantUnread lists the inputs that qualify an Allow.
	wantCond   string
	wantUnread []Input
}

func runUnread(t *testing.T, tests []unreadCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Decide(Request{Principal: tt.principal, Action: tt.action, Resource: keyA}, tt.policies(t))
			if got.Decision != tt.want {
				t.Fatalf("decision %v, want %v\nsummary: %s\nconditions: %q\nmissing: %q", got.Decision, tt.want, got.Summary, got.Conditions, got.Missing)
			}
			switch tt.want {
			case Allow:
				if len(tt.wantUnread) > 0 != got.Conditional {
					t.Errorf("conditional = %v, want %v (conditions %q)", got.Conditional, len(tt.wantUnread) > 0, got.Conditions)
				}
				var inputs []Input
				for _, g := range got.Unread {
					inputs = append(inputs, g.Input)
				}
				if !slices.Equal(inputs, tt.wantUnread) {
					t.Errorf("unread = %v, want %v", inputs, tt.wantUnread)
				}
				if tt.wantCond != "" && !strings.Contains(strings.Join(got.Conditions, "\n"), tt.wantCond) {
					t.Errorf("conditions %q lack %q", got.Conditions, tt.wantCond)
				}
				if got.OnRequest() {
					t.Errorf("an Allow qualified only by unread inputs depends on the request: conditions %q, unless %q", got.Conditions, got.Unless)
				}
			case Unknown:
				if tt.wantCond != "" && !strings.Contains(strings.Join(got.Missing, "\n"), tt.wantCond) {
					t.Errorf("missing %q lacks %q", got.Missing, tt.wantCond)
				}
				if got.Rule != RuleMissingInput || !strings.HasPrefix(got.Summary, "unknown: ") {
					t.Errorf("rule %q summary %q", got.Rule, got.Summary)
				}
			default:
				if got.Conditional || len(got.Missing) > 0 {
					t.Errorf("a definite denial carries conditions %q or missing %q", got.Conditions, got.Missing)
				}
			}
		})
	}
}

var (
	scpGap = &Gap{Input: InputSCPs, Owner: acctA, Reason: "SCPs not read: the export has no organizations/scps.json"}
	rcpGap = &Gap{Input: InputRCPs, Owner: acctA, Reason: "RCPs not read: the export has no organizations/rcps.json"}
)

// TestUnreadGuardrails pins shared/kms-authorization.md §14 for SCPs, RCPs,
// boundaries and session policies: they can only take access away, so an
// Allow from the rest holds unless they deny, and a denial stays definite.
func TestUnreadGuardrails(t *testing.T) {
	t.Parallel()
	runUnread(t, []unreadCase{
		{"SCPs not read, the rest allows", session, "kms:Decrypt", func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Identity: ids(t, idDecrypt), Unread: Unread{SCPs: scpGap}}
		}, Allow, "unless a service control policy of account 111122223333 denies it: SCPs not read: the export has no organizations/scps.json", []Input{InputSCPs}},
		{"SCPs not read, the rest denies", session, "kms:Decrypt", func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Identity: ids(t, idS3Only), Unread: Unread{SCPs: scpGap}}
		}, ImplicitDeny, "", nil},
		{"SCPs not read, a key policy deny", session, "kms:Decrypt", func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}`), Unread: Unread{SCPs: scpGap}}
		}, ExplicitDeny, "", nil},
		{"SCPs not read, a service-linked role is not subject", "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForX/s", "kms:Decrypt", func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Identity: ids(t, idDecrypt), Unread: Unread{SCPs: scpGap}}
		}, Allow, "", nil},
		{"SCPs not read, the root user", "arn:aws:iam::111122223333:root", "kms:PutKeyPolicy", func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Unread: Unread{SCPs: scpGap}}
		}, Allow, "service control policy", []Input{InputSCPs}},
		{"RCPs not read, the rest allows", session, "kms:Decrypt", func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpNoRoot), Unread: Unread{RCPs: rcpGap}}
		}, Allow, "unless a resource control policy of account 111122223333 denies it: RCPs not read", []Input{InputRCPs}},
		{"RCPs not read, an AWS managed key is not subject", session, "kms:Decrypt", func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpNoRoot), AWSManagedKey: true, Unread: Unread{RCPs: rcpGap}}
		}, Allow, "", nil},
		{"RCPs not read, the rest denies", session, "kms:Encrypt", func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpNoRoot), Unread: Unread{RCPs: rcpGap}}
		}, ImplicitDeny, "", nil},
		{"both not read", session, "kms:Decrypt", func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Identity: ids(t, idDecrypt), Unread: Unread{SCPs: scpGap, RCPs: rcpGap}}
		}, Allow, "resource control policy", []Input{InputSCPs, InputRCPs}},
		{"boundary not read, delegation", session, "kms:Decrypt", func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Identity: ids(t, idDecrypt), Unread: Unread{Boundary: &Gap{Input: InputBoundary, Reason: "policy not in the export"}}}
		}, Allow, "unless its permissions boundary does not allow kms:Decrypt", []Input{InputBoundary}},
		{"boundary not read, user named directly", alice, "kms:Decrypt", func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:Decrypt","Resource":"*"}}`),
				Unread: Unread{Boundary: &Gap{Input: InputBoundary, Reason: "policy not in the export"}}}
		}, Allow, "unless its permissions boundary, which was not read, denies it", []Input{InputBoundary}},
		{"boundary not read, no identity allow", session, "kms:Decrypt", func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Identity: ids(t, idS3Only), Unread: Unread{Boundary: &Gap{Input: InputBoundary}}}
		}, ImplicitDeny, "", nil},
		{"session policy not read, role named", session, "kms:Decrypt", func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpNoRoot), Unread: Unread{Session: &Gap{Input: InputSession, Reason: "not recorded"}}}
		}, Allow, "session policy", []Input{InputSession}},
	})
}

// TestUnreadPolicies pins §14 for the inputs that can both give and take:
// key policies, identity policies and grants.
func TestUnreadPolicies(t *testing.T) {
	t.Parallel()
	kpGap := &Gap{Input: InputKeyPolicy, Owner: keyA, Reason: "AccessDeniedException (GetKeyPolicy)"}
	idGap := &Gap{Input: InputIdentity, Owner: roleApp, Reason: "the role's policies were not in the export"}
	grGap := &Gap{Input: InputGrants, Owner: keyA, Reason: "AccessDeniedException (ListGrants)"}
	grantApp := []Grant{{ID: "g1", GranteePrincipal: roleApp, Operations: []string{"Decrypt"}}}
	runUnread(t, []unreadCase{
		{"key policy not read, a grant allows", session, "kms:Decrypt", func(t *testing.T) *Policies {
			return &Policies{Grants: grantApp, Unread: Unread{KeyPolicy: kpGap}}
		}, Allow, "unless the key policy, which was not read, denies it", []Input{InputKeyPolicy}},
		{"key policy not read, no grant", session, "kms:Decrypt", func(t *testing.T) *Policies {
			return &Policies{Identity: ids(t, idDecrypt), Unread: Unread{KeyPolicy: kpGap}}
		}, Unknown, "key policy of " + keyA + ": AccessDeniedException", nil},
		{"key policy not read, an identity deny", session, "kms:Decrypt", func(t *testing.T) *Policies {
			return &Policies{Identity: ids(t, `{"Statement":{"Effect":"Deny","Action":"kms:*","Resource":"*"}}`), Unread: Unread{KeyPolicy: kpGap}}
		}, ExplicitDeny, "", nil},
		{"key policy not read, not a cross-account operation", partner, "kms:PutKeyPolicy", func(t *testing.T) *Policies {
			return &Policies{Unread: Unread{KeyPolicy: kpGap}}
		}, ImplicitDeny, "", nil},
		{"identity not read, the key policy names the role", session, "kms:Decrypt", func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpNoRoot), Unread: Unread{Identity: idGap}}
		}, Allow, "unless an identity-based policy of the caller, which was not read, denies it", []Input{InputIdentity}},
		{"identity not read, delegation needs it", session, "kms:Decrypt", func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Unread: Unread{Identity: idGap}}
		}, Unknown, "identity policies of " + roleApp, nil},
		{"identity not read, no path at all", session, "kms:Encrypt", func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpNoRoot), Unread: Unread{Identity: idGap}}
		}, ImplicitDeny, "", nil},
		{"grants not read, nothing else allows", session, "kms:Decrypt", func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpDefault), Identity: ids(t, idS3Only), Unread: Unread{Grants: grGap}}
		}, Unknown, "grants of " + keyA, nil},
		{"grants not read, the key policy allows", session, "kms:Decrypt", func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpNoRoot), Unread: Unread{Grants: grGap}}
		}, Allow, "", nil},
		{"grants not read, an operation grants cannot allow", session, "kms:PutKeyPolicy", func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, kpNoRoot), Unread: Unread{Grants: grGap}}
		}, ImplicitDeny, "", nil},
		{"grants not read, an explicit deny", session, "kms:Decrypt", func(t *testing.T) *Policies {
			return &Policies{KeyPolicy: kp(t, `{"Statement":{"Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*"}}`), Unread: Unread{Grants: grGap}}
		}, ExplicitDeny, "", nil},
	})
}
