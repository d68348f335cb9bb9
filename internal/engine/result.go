package engine

import (
	"fmt"
	"strings"

	"github.com/keywarden/keywarden/internal/policy"
)

// Decision is the outcome of a request.
type Decision uint8

// The decisions. Unknown means an input needed to decide was missing (for
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
	RuleExplicitDeny      Rule = "explicit-deny"
	RuleNotPrincipalBound Rule = "notprincipal-boundary"
	RuleSCPNoAllow        Rule = "scp-no-allow"
	RuleRCPNoAllow        Rule = "rcp-no-allow"
	RuleCrossAccountOp    Rule = "not-cross-account-operation"
	RuleGrant             Rule = "grant"
	RuleDirect            Rule = "key-policy-direct"
	RuleDelegation        Rule = "account-delegation"
	RuleRoot              Rule = "root-user"
	RuleServicePrincipal  Rule = "service-principal"
	RuleIAMOnly           Rule = "iam-only-action"
	RuleNoKeyPolicyAllow  Rule = "no-key-policy-allow"
	RuleNoIdentityAllow   Rule = "no-identity-allow"
	RuleBoundaryNoAllow   Rule = "boundary-no-allow"
	RuleSessionNoAllow    Rule = "session-policy-no-allow"
	RuleAnonymous         Rule = "anonymous"
	RuleMissingInput      Rule = "missing-input"
	RuleCombined          Rule = "combined"
)

// A Reason is one statement (or grant) that took part in a decision.
type Reason struct {
	Layer Layer `json:"layer"`
	// Policy is the document's name ("identity policy #0", "SCP level 1
	// (ou-abcd) policy #0", a grant ID).
	Policy string `json:"policy"`
	// Statement is the statement index; -1 for a grant.
	Statement int    `json:"statement"`
	Sid       string `json:"sid,omitempty"`
	Effect    string `json:"effect"`
	// Role says what the statement did: "denies", "allows",
	// "names the caller", "delegates to account 111122223333".
	Role string `json:"role"`
	// Conditions lists the statement's conditions that the request context
	// could not decide (open contexts only).
	Conditions []string `json:"conditions,omitempty"`
}

// Result is a decision with its explanation.
type Result struct {
	Decision Decision `json:"decision"`
	// Layer is the layer that decided.
	Layer Layer `json:"layer"`
	Rule  Rule  `json:"rule"`
	// Summary is the explanation in one English sentence.
	Summary string `json:"summary"`
	// Reasons are the statements that decided, in evaluation order.
	Reasons []Reason `json:"reasons,omitempty"`
	// Notes record uncertain points of AWS behaviour (tagged [U]) that
	// decided this case, and other facts worth knowing.
	Notes []string `json:"notes,omitempty"`
	// Conditional is set when the context was open and the decision holds
	// only if the Conditions hold.
	Conditional bool     `json:"conditional,omitempty"`
	Conditions  []string `json:"conditions,omitempty"`
	// Missing lists the inputs whose absence made the answer Unknown.
	Missing []string `json:"missing,omitempty"`
	// Parts are the sub-decisions of operations that AWS authorizes twice
	// (an alias and its key, ReEncrypt's source and destination).
	Parts []Result `json:"parts,omitempty"`
}

// Policies are the policies in force for one request.
type Policies struct {
	// KeyPolicy is the key's policy; nil means it is not known, which
	// makes any answer that depends on it Unknown.
	KeyPolicy *policy.Document
	// Identity holds every identity-based policy of the caller: inline and
	// managed, and its groups' for a user.
	Identity []*policy.Document
	// IdentityUnknown is set when the caller's identity policies are not
	// known (a principal outside the inventory): answers that need them
	// become conditional on "its own IAM policies allow".
	IdentityUnknown bool
	Boundary        *policy.Document
	Session         *policy.Document
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

// Value is a request context value: a string, or a list of strings.
type Value = policy.ContextValue

// A Request is one KMS call.
type Request struct {
	// Principal is the caller: an IAM user or role ARN, an assumed-role
	// session ARN, a federated-user ARN, the account root
	// (arn:aws:iam::ACCOUNT:root), a service principal
	// (cloudtrail.amazonaws.com) or "anonymous".
	Principal string
	// Action is "kms:Name".
	Action string
	// Resource is the key ARN (an alias ARN for alias operations; "*" for
	// actions without a resource).
	Resource string
	// Context holds request context keys (any case). Keys derivable from
	// the principal are filled in when absent; given values win.
	Context map[string]Value
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
