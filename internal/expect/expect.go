package expect

import "slices"

// FormatVersion is the version of the expectations format this package
// reads and writes (docs/expectations.md). A file says which version it is
// written in, so that a later format is refused rather than misread.
const FormatVersion = 1

// A File is a parsed expectations file.
type File struct {
	// Name is the file name given to Parse, used in messages and as the
	// location of SARIF results.
	Name  string
	Rules []*Rule
}

// Form is how a rule relates principals to operations.
type Form string

// The rule forms.
const (
	// Only: the operations on the selected keys are possible for the
	// listed principals and nobody else.
	Only Form = "only"
	// Never: no principal the selectors match can perform the operations.
	Never Form = "never"
	// Must: every principal the selectors match can perform every
	// operation (a selector that matches nobody fails).
	Must Form = "must"
	// Exactly is Only and Must together: the listed principals, and
	// nobody else, can. The access lock is written in this form.
	Exactly Form = "exactly"
	// Separate: no principal can perform an operation of the first list
	// and an operation of the second on the same key ("key administrators
	// never use keys").
	Separate Form = "separate"
)

// Forms lists the rule forms in the order documentation gives them.
var Forms = []Form{Only, Never, Must, Exactly, Separate}

// Conditional says whether an Allow that holds only under conditions of
// the request (kms:ViaService, the encryption context, the source IP)
// counts as allowed.
type Conditional string

// The choices; Counts is the default.
const (
	Counts  Conditional = "counts"
	Ignored Conditional = "ignored"
)

// A Rule is one expectation.
type Rule struct {
	// ID names the rule in reports and SARIF (its rule ID); unique in a
	// file: lower-case words and digits joined by '-'.
	ID          string
	Description string
	// Keys select the keys the rule is about; a key is selected when one
	// selector matches it.
	Keys []KeySelector
	// Operations are the operations as written (actions and group
	// names); Expand turns them into actions for a key. Empty for
	// Separate, whose two lists are in Separate.
	Operations []string
	Form       Form
	// Principals is the list of the form (only, never, must, exactly).
	Principals []PrincipalSelector
	// Except are principals a never or separate rule leaves out.
	Except []PrincipalSelector
	// Separate holds the two operation lists of a separate rule.
	Separate [2][]string
	// Conditional says whether conditional allows count; never empty
	// after Parse.
	Conditional Conditional
	// Line is the rule's line in the file (from 1) and Path its YAML path
	// ("expectations[2]"); reports point at them.
	Line int
	Path string
	// Comment is written above the rule by Encode (the access lock says
	// which key a rule is about); Parse leaves it empty.
	Comment string
}

// Allows reports whether the rule's principals are the ones allowed
// (only, exactly): anyone else who can is a violation.
func (r *Rule) Allows() bool { return r.Form == Only || r.Form == Exactly }

// Requires reports whether the rule's principals must be able to (must,
// exactly).
func (r *Rule) Requires() bool { return r.Form == Must || r.Form == Exactly }

// A KeySelector selects keys; every field that is set must match (a
// selector with no field set is invalid, except All).
type KeySelector struct {
	// All selects every key, AWS managed ones included.
	All bool
	// CustomerManaged, when set, selects customer managed keys (true) or
	// AWS managed keys (false).
	CustomerManaged *bool
	// Alias is a glob over the key's alias names, "alias/" included
	// (added when the pattern leaves it out).
	Alias string
	// ARN is a glob over the key ARN.
	ARN string
	// Region and Account are globs over the key's region and account.
	Region  string
	Account string
	// Tags must all be on the key; values are globs.
	Tags []Tag
}

// A Tag is a tag a key selector requires: a key and a glob over its value.
type Tag struct{ Key, Value string }

// A PrincipalSelector selects principals: the users, roles and root users
// the input lists, the principals a key policy or grant names, and the
// classes of principals that answers stand for ("any principal of account
// 444455556666", "anyone outside organization o-…"). Every field that is
// set must match.
type PrincipalSelector struct {
	// ARN is a glob over the principal's ARN, paths included
	// ("arn:aws:iam::111122223333:role/ci/*").
	ARN string
	// Account is the principal's account.
	Account string
	// Kind is the kind of principal: user, role, root, external (a
	// principal named by ARN that the input does not list), account (any
	// principal of an account the input does not list), organization,
	// anyone, service, grantee.
	Kind string
	// IAMPrincipals selects the users and roles the input lists.
	IAMPrincipals bool
	// OutsideOrganization selects principals outside the key's
	// organization (outside the key's account when it is in none).
	OutsideOrganization bool
	// OutsideAccounts selects principals of any account but these.
	OutsideAccounts []string
	// Organization selects principals of this organization.
	Organization string
	// Grantee selects principals whose access comes from a grant.
	Grantee bool
	// Service is a glob over service principal names
	// ("*.amazonaws.com").
	Service string
	// Line is the selector's line in the file.
	Line int
	// Comment is written beside the selector by Encode; Parse leaves it
	// empty.
	Comment string
}

// IsZero reports whether no field of the selector is set.
func (s *PrincipalSelector) IsZero() bool {
	return s.ARN == "" && s.Account == "" && s.Kind == "" && !s.IAMPrincipals && !s.OutsideOrganization &&
		len(s.OutsideAccounts) == 0 && s.Organization == "" && !s.Grantee && s.Service == ""
}

// Kinds are the values of PrincipalSelector.Kind, as the access layer
// names them.
var Kinds = []string{"user", "role", "root", "external", "account", "organization", "anyone", "service", "grantee"}

func validKind(k string) bool { return slices.Contains(Kinds, k) }
