package engine

import (
	"fmt"
	"strings"

	"github.com/keywarden/keywarden/internal/policy"
)

// Decision is the outcome of a request.
type Decision uint8

// The decisions. Unknown means an input needed to decide was not read (for
// example a key policy that could not be read); it is never a denial.
const (
	ImplicitDeny Decision = iota
	Allow
	ExplicitDeny
	Unknown
)

func (d Decision) String() string {
	switch d {
	case Allow:
		return "Allow"
	case ImplicitDeny:
		return "ImplicitDeny"
	case ExplicitDeny:
		return "ExplicitDeny"
	case Unknown:
		return "Unknown"
	}
	return "invalid"
}

// MarshalText implements encoding.TextMarshaler.
func (d Decision) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; it accepts the names
// String returns.
func (d *Decision) UnmarshalText(b []byte) error {
	v, err := ParseDecision(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// ParseDecision reads "Allow", "ImplicitDeny", "ExplicitDeny" or "Unknown".
func ParseDecision(s string) (Decision, error) {
	switch s {
	case "Allow":
		return Allow, nil
	case "ImplicitDeny":
		return ImplicitDeny, nil
	case "ExplicitDeny":
		return ExplicitDeny, nil
	case "Unknown":
		return Unknown, nil
	}
	return 0, fmt.Errorf("invalid decision %q (want Allow, ImplicitDeny, ExplicitDeny or Unknown)", s)
}

// Layer is the kind of policy (or rule) that took part in a decision,
// named as AWS's access-denied messages name them.
type Layer string

// The layers.
const (
	LayerKeyPolicy Layer = "key policy"
	// LayerResource is the resource-based policy of a non-KMS resource
	// (an S3 bucket policy).
	LayerResource Layer = "resource-based policy"
	LayerIdentity Layer = "identity-based policy"
	LayerBoundary Layer = "permissions boundary"
	LayerSession  Layer = "session policy"
	LayerSCP      Layer = "service control policy"
	LayerRCP      Layer = "resource control policy"
	LayerGrant    Layer = "grant"
	// LayerKMS is a rule of KMS itself rather than a policy: an operation
	// that does not work across accounts, an anonymous caller.
	LayerKMS Layer = "KMS"
)

// Rule names the rule of the decision procedure that fired.
type Rule string

// The rules (shared/kms-authorization.md §3.2).
const (
	RuleExplicitDeny     Rule = "explicit-deny"
	RuleSCPNoAllow       Rule = "scp-no-allow"
	RuleCrossAccountOp   Rule = "not-cross-account-operation"
	RuleGrant            Rule = "grant"
	RuleDirect           Rule = "key-policy-direct"
	RuleDelegation       Rule = "account-delegation"
	RuleRoot             Rule = "root-user"
	RuleServicePrincipal Rule = "service-principal"
	RuleIAMOnly          Rule = "iam-only-action"
	RuleNoKeyPolicyAllow Rule = "no-key-policy-allow"
	RuleNoIdentityAllow  Rule = "no-identity-allow"
	RuleBoundaryNoAllow  Rule = "boundary-no-allow"
	RuleSessionNoAllow   Rule = "session-policy-no-allow"
	RuleAnonymous        Rule = "anonymous"
	RuleMissingInput     Rule = "missing-input"
)

// RoleKind says what a statement (or grant) did in a decision; with
// Reason.Subject it is all a renderer needs to say it in any language.
type RoleKind string

// The role kinds. Subject, where used, is named in the comment.
const (
	RoleDenies             RoleKind = "denies"
	RoleDeniesNotListed    RoleKind = "denies-not-listed"    // Deny+NotPrincipal that does not list the caller
	RoleDeniesPartial      RoleKind = "denies-partly-listed" // Deny+NotPrincipal listing only some of caller, role, account
	RoleDeniesBoundary     RoleKind = "denies-boundary"      // Deny+NotPrincipal and the caller has a boundary
	RoleAllows             RoleKind = "allows"               // an SCP or RCP level that allows
	RoleAllowsAction       RoleKind = "allows-action"        // Subject: the action (boundary, session policy)
	RoleAllowsOn           RoleKind = "allows-on"            // Subject: the action; on this key/alias/resource
	RoleNamesCaller        RoleKind = "names-caller"
	RoleNamesRole          RoleKind = "names-role"
	RoleAllowsEveryone     RoleKind = "allows-everyone"     // Principal "*"
	RoleAllowsNotListed    RoleKind = "allows-not-listed"   // Allow+NotPrincipal
	RoleDelegates          RoleKind = "delegates"           // Subject: the account
	RoleAllowsRootAccount  RoleKind = "allows-root-account" // Subject: the account
	RoleNamesService       RoleKind = "names-service"       // Subject: the service principal
	RoleGrantAllows        RoleKind = "grant-allows"        // Subject: the operation
	RoleGrantRetiring      RoleKind = "grant-retiring"      // the caller is the retiring principal
	RoleGrantRetiringAcct  RoleKind = "grant-retiring-account"
	RoleGrantGranteeRetire RoleKind = "grant-grantee-retire"
	RoleGrantIssuer        RoleKind = "grant-issuer" // Subject: the account
)

// A Reason is one statement (or grant) that took part in a decision.
type Reason struct {
	Layer Layer `json:"layer"`
	// Policy is the document's name ("identity policy #0", "SCP level 1
	// policy #0", "grant 8c94...").
	Policy string `json:"policy"`
	// Statement is the statement index; -1 for a grant.
	Statement int    `json:"statement"`
	Sid       string `json:"sid,omitempty"`
	Effect    string `json:"effect"`
	// Role says in English what the statement did: "denies", "allows
	// kms:Decrypt on this key", "names the caller", "delegates to account
	// 111122223333". Kind and Subject say the same for renderers.
	Role    string   `json:"role"`
	Kind    RoleKind `json:"kind"`
	Subject string   `json:"subject,omitempty"`
	// Conditions lists the statement's conditions that the request context
	// could not decide (open contexts only).
	Conditions []string `json:"conditions,omitempty"`
}

// Input names a kind of input a decision can depend on.
type Input string

// The inputs that can be missing.
const (
	InputKeyPolicy Input = "key policy"
	InputIdentity  Input = "identity policies"
	InputBoundary  Input = "permissions boundary"
	InputSession   Input = "session policy"
	InputGrants    Input = "grants"
	InputSCPs      Input = "service control policies"
	InputRCPs      Input = "resource control policies"
)

// A Gap is an input that was not read: what it is, whose it is, and why it
// is missing.
type Gap struct {
	Input Input `json:"input"`
	// Owner is the key, principal or account the input belongs to.
	Owner string `json:"owner,omitempty"`
	// Reason says why it was not read: "SCPs not read: the export has no
	// organizations/scps.json".
	Reason string `json:"reason,omitempty"`
}

// String is "key policy of arn:...: reason".
func (g Gap) String() string {
	var b strings.Builder
	b.WriteString(string(g.Input))
	if g.Owner != "" {
		b.WriteString(" of ")
		b.WriteString(g.Owner)
	}
	if g.Reason != "" {
		b.WriteString(": ")
		b.WriteString(g.Reason)
	}
	return b.String()
}

// Unread lists the inputs of one decision that could not be read; nil
// means read (or, for the optional inputs, absent).
//
// Each input can only move a decision one way (shared/kms-authorization.md
// §14): guardrails (SCPs, RCPs, boundary, session policy) only take access
// away, so an Allow from the rest holds "unless the unread guardrail
// denies"; the key policy and identity policies can give and take, so an
// Allow that needs them is Unknown while an Allow without them holds unless
// they deny; grants only give, so a denial a grant could overturn is
// Unknown.
type Unread struct {
	KeyPolicy *Gap
	Identity  *Gap
	Boundary  *Gap
	Session   *Gap
	Grants    *Gap
	SCPs      *Gap
	RCPs      *Gap
}

// Result is a decision with its explanation.
type Result struct {
	Decision Decision `json:"decision"`
	// Layer is the layer that decided.
	Layer Layer `json:"layer"`
	Rule  Rule  `json:"rule"`
	// Summary is the explanation in one English sentence.
	Summary string `json:"summary"`
	// Reasons are every statement and grant that applied: the Allows
	// that gave access (all of them, not only the first), the Denies that
	// applied or may apply, and for a denial the statements that allowed
	// part of the way.
	Reasons []Reason `json:"reasons,omitempty"`
	// Notes record uncertain points of AWS behaviour (tagged [U]) that
	// decided this case, and other facts worth knowing.
	Notes []string `json:"notes,omitempty"`
	// Conditional is set when the decision is Allow but holds only if the
	// Conditions hold: conditions on the request the question left open,
	// and "unless ..." for inputs that were not read and could deny.
	Conditional bool     `json:"conditional,omitempty"`
	Conditions  []string `json:"conditions,omitempty"`
	// Unless lists the conditions that come from inputs that were not
	// read ("unless a service control policy ... denies it"): an Allow
	// whose Conditions are all in Unless holds for every request unless
	// an unread guardrail or policy denies it.
	Unless []string `json:"unless,omitempty"`
	// OwnIAM is the condition of Conditions that asks for the caller's
	// own IAM policies, when they are its to choose (a principal of an
	// account outside the input, a symbolic caller) and every way to the
	// Allow needs them: not a condition on the request.
	OwnIAM string `json:"ownIAM,omitempty"`
	// Unread lists the inputs that were not read and matter: those behind
	// Unless for an Allow, those that made the answer Unknown otherwise.
	Unread []Gap `json:"unread,omitempty"`
	// Missing lists the inputs whose absence made the answer Unknown, as
	// text (Unread holds them structured).
	Missing []string `json:"missing,omitempty"`
}

// OnRequest reports whether an Allow depends on the request: on
// conditions beyond the "unless" of unread inputs.
func (r *Result) OnRequest() bool { return len(r.Conditions) > len(r.Unless) }

// Policies are the policies in force for one request.
type Policies struct {
	// KeyPolicy is the key's policy; nil means it is not known, which
	// makes any answer that needs it Unknown (Unread.KeyPolicy says why).
	KeyPolicy *policy.Document
	// Identity holds every identity-based policy of the caller: inline and
	// managed, and its groups' for a user.
	Identity []*policy.Document
	// IdentityOpen is set when the caller's identity policies are its own
	// to choose (a principal of an account outside the inventory, a
	// symbolic caller): answers that need them are conditional on "its own
	// IAM policies allow". Unread.Identity is the other case: policies
	// that exist but could not be read.
	IdentityOpen bool
	Boundary     *policy.Document
	Session      *policy.Document
	// SCPs is the caller account's SCP chain, root first; each level must
	// allow. Empty means the account is not governed by SCPs.
	SCPs [][]*policy.Document
	// RCPs is the key account's RCP chain (custom RCPs only:
	// RCPFullAWSAccess is implicit at every level).
	RCPs [][]*policy.Document
	// Grants on the key.
	Grants []Grant
	// AWSManagedKey marks an AWS managed key, to which RCPs do not apply.
	AWSManagedKey bool

	// ResourcePolicy is the resource-based policy of a non-KMS resource
	// (an S3 bucket policy), used for actions of other services.
	ResourcePolicy *policy.Document
	// ResourceAccount owns the resource when its ARN does not say (S3
	// bucket ARNs carry no account).
	ResourceAccount string

	// Unread lists the inputs that exist but could not be read.
	Unread Unread
}

// A Grant is a KMS grant on the key.
type Grant struct {
	ID                string
	Name              string
	GranteePrincipal  string
	RetiringPrincipal string
	// Operations are KMS operation names without the "kms:" prefix.
	Operations []string
	// At most one of the two constraints is set.
	EncryptionContextEquals map[string]string
	EncryptionContextSubset map[string]string
	IssuingAccount          string
}

// Value is a request context value: a string, a list of strings, or a
// value known only by what it is not (policy.ContextValue).
type Value = policy.ContextValue

// A Symbol is a caller that stands for many: "any principal of account
// 444455556666", "any principal outside organization o-a1b2c3d4e5". What
// the symbol does not fix (its ARN, its tags, its own IAM policies) is
// open: conditions on it evaluate to unknown, never to an invented value.
//
// A symbol stands for principals that no Principal element or grant names
// by ARN: it matches "*", a NotPrincipal that does not list it and, when
// its account is known, that account's principal. Callers of the engine
// list the principals named by ARN separately.
type Symbol struct {
	// Account is the callers' account, when one is meant.
	Account string `json:"account,omitempty"`
	// NotAccounts are accounts the callers are known not to belong to.
	NotAccounts []string `json:"notAccounts,omitempty"`
	// OrgID is the callers' organization, when known.
	OrgID string `json:"organization,omitempty"`
	// NotOrgs are organizations the callers are known not to belong to;
	// they may belong to none.
	NotOrgs []string `json:"notOrganizations,omitempty"`
}

// A Request is one call.
type Request struct {
	// Principal is the caller: an IAM user or role ARN, an assumed-role
	// session ARN, a federated-user ARN, the account root
	// (arn:aws:iam::ACCOUNT:root), a service principal
	// (cloudtrail.amazonaws.com) or "anonymous". It is ignored when Caller
	// is set.
	Principal string
	// Caller is a symbolic caller standing for many principals.
	Caller *Symbol
	// Action is "kms:Name" (or another service's action).
	Action string
	// Resource is the key ARN (an alias ARN for alias operations; "*" for
	// actions without a resource).
	Resource string
	// Context holds request context keys (any case). Keys derivable from
	// the principal are filled in when absent; given values win.
	Context map[string]Value
	// ResourceContext holds the keys that describe the resource (lower
	// case: kms:keyspec, aws:resourcetag/…, kms:resourcealiases),
	// consulted after Context. It lets many requests about one key share
	// one map.
	ResourceContext map[string]Value
	// Open makes keys that are neither given nor derivable unknown rather
	// than absent.
	Open bool
	// Absent lists lower-case keys, or prefixes ending in "/" (such as
	// "aws:principaltag/"), that an open context knows to be absent: the
	// caller has no other tags, the account is in no organization.
	Absent []string
}

// Normalize lower-cases the request's context keys once, so that Decide
// need not copy the map on every call (condition keys are case-insensitive).
func (r *Request) Normalize() {
	for k := range r.Context {
		if k != strings.ToLower(k) {
			m := make(map[string]Value, len(r.Context))
			for k, v := range r.Context {
				m[strings.ToLower(k)] = v
			}
			r.Context = m
			return
		}
	}
}
