package expect

import (
	"slices"
	"strings"

	"github.com/keywarden/keywarden/internal/arn"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/policy"
)

// SelectsKey reports whether one of the rule's key selectors matches the
// key.
func (r *Rule) SelectsKey(k *inventory.Key) bool {
	for i := range r.Keys {
		if r.Keys[i].Matches(k) {
			return true
		}
	}
	return false
}

// Matches reports whether the key selector matches the key.
func (s *KeySelector) Matches(k *inventory.Key) bool {
	if s.All {
		return true
	}
	if s.CustomerManaged != nil && *s.CustomerManaged == awsManaged(k) {
		return false
	}
	if s.Alias != "" && !slices.ContainsFunc(k.Aliases, func(a string) bool { return policy.Glob(s.Alias, a) }) {
		return false
	}
	if s.ARN != "" && !policy.Glob(s.ARN, k.ARN) {
		return false
	}
	if s.Region != "" && !policy.Glob(s.Region, k.Region) {
		return false
	}
	if s.Account != "" && s.Account != k.Account {
		return false
	}
	for _, t := range s.Tags {
		if !slices.ContainsFunc(k.Tags, func(kt inventory.Tag) bool { return kt.Key == t.Key && policy.Glob(t.Value, kt.Value) }) {
			return false
		}
	}
	return true
}

// awsManaged reports whether a key is AWS managed: by its metadata, or,
// when that was not read, by its alias (AWS managed keys are the only
// ones whose aliases start with alias/aws/).
func awsManaged(k *inventory.Key) bool {
	if k.Metadata != nil {
		return k.AWSManaged()
	}
	return slices.ContainsFunc(k.Aliases, func(a string) bool { return strings.HasPrefix(a, "alias/aws/") })
}

// Match is how far a principal selector matches a subject: a class of
// principals ("anyone outside organization o-…") can be partly inside a
// selector.
type Match uint8

// The matches, weakest first.
const (
	No Match = iota
	// Maybe: the subject is a class some of whose principals the
	// selector matches, or one whose account is not known.
	Maybe
	Yes
)

// A Subject is a principal as rules see it: a user, role or root user the
// input lists, a principal or service a key policy or grant names, or a
// class of principals the access layer stands for with a symbol.
type Subject struct {
	// ARN is the principal's ARN (or a service principal's name); empty
	// for a class.
	ARN string
	// Kind is the access layer's kind ("role", "anyone", ...).
	Kind string
	// Account is the principal's account; empty when not known (a class,
	// a unique ID of a deleted principal).
	Account string
	// Listed is set for the users, roles and root users the input lists.
	Listed bool
	// Symbol describes a class.
	Symbol *engine.Symbol
	// ViaGrant is set when the access in question comes from a grant.
	ViaGrant bool
}

// A Scope is what selectors need to know of the input around a key: its
// account and organization, and the organizations of the accounts the
// input holds.
type Scope struct {
	// Home is the key's account.
	Home string
	// Org is the organization of the key's account; empty when it is in
	// none, or when that could not be read.
	Org string
	// Orgs maps each account the input holds to its organization ("" for
	// none); Management maps organizations to their management accounts.
	Orgs       map[string]string
	Management map[string]string
}

// orgOf returns the organization of an account, and whether it is known.
// An account the input does not hold is taken to be outside the key's
// organization (as key-cross-account judges it), unless it is that
// organization's management account.
func (sc *Scope) orgOf(acct string) (string, bool) {
	if o, ok := sc.Orgs[acct]; ok {
		return o, true
	}
	for o, m := range sc.Management {
		if m == acct {
			return o, true
		}
	}
	return "", false
}

// insideOrg reports whether an account is inside the key's organization
// (the key's account when there is none).
func (sc *Scope) insideOrg(acct string) bool {
	if sc.Org == "" {
		return acct == sc.Home
	}
	o, _ := sc.orgOf(acct)
	return o == sc.Org
}

// MatchAny is how far any of the selectors matches: the best match.
func MatchAny(sels []PrincipalSelector, s *Subject, sc *Scope) Match {
	best := No
	for i := range sels {
		if m := sels[i].Match(s, sc); m > best {
			best = m
			if best == Yes {
				break
			}
		}
	}
	return best
}

// Match is how far the selector matches the subject: the weakest match
// of its fields.
func (sel *PrincipalSelector) Match(s *Subject, sc *Scope) Match {
	m := Yes
	and := func(f Match) {
		if f < m {
			m = f
		}
	}
	if sel.ARN != "" {
		and(matchARN(sel.ARN, s, sc))
	}
	if sel.Account != "" {
		and(matchAccount(sel.Account, s, sc))
	}
	if sel.Kind != "" {
		and(yesNo(s.Kind == sel.Kind))
	}
	if sel.IAMPrincipals {
		and(yesNo(s.Listed && (s.Kind == "user" || s.Kind == "role")))
	}
	if sel.OutsideOrganization {
		and(matchOutsideOrg(s, sc))
	}
	if len(sel.OutsideAccounts) > 0 {
		and(matchOutsideAccounts(sel.OutsideAccounts, s))
	}
	if sel.Organization != "" {
		and(matchOrganization(sel.Organization, s, sc))
	}
	if sel.Grantee {
		and(yesNo(s.ViaGrant || s.Kind == "grantee"))
	}
	if sel.Service != "" {
		and(yesNo(s.Kind == "service" && policy.Glob(sel.Service, s.ARN)))
	}
	return m
}

func yesNo(b bool) Match {
	if b {
		return Yes
	}
	return No
}

// isClass reports whether the subject stands for many principals.
func (s *Subject) isClass() bool { return s.ARN == "" }

func matchARN(pattern string, s *Subject, sc *Scope) Match {
	if !s.isClass() {
		return yesNo(policy.Glob(pattern, s.ARN))
	}
	// A class holds principals whose ARNs the pattern may match: those of
	// the pattern's account when it names one.
	f, n := arn.Split(pattern)
	if n != 6 || (f[2] != "iam" && f[2] != "sts" && !strings.ContainsAny(f[2], "*?")) {
		return No
	}
	if acct := f[4]; !strings.ContainsAny(acct, "*?") {
		if matchAccount(acct, s, sc) == No {
			return No
		}
	}
	return Maybe
}

func matchAccount(acct string, s *Subject, sc *Scope) Match {
	if s.Kind == "service" {
		return No
	}
	if a := s.account(); a != "" {
		return yesNo(a == acct)
	}
	sym := s.Symbol
	if sym == nil {
		return Maybe
	}
	if slices.Contains(sym.NotAccounts, acct) {
		return No
	}
	o, known := sc.orgOf(acct)
	switch {
	case known && o != "" && slices.Contains(sym.NotOrgs, o):
		return No
	case known && sym.OrgID != "" && o != sym.OrgID:
		return No
	case !known && sym.OrgID != "" && sym.OrgID == sc.Org:
		// An account the input does not hold is judged outside the key's
		// organization (as key-cross-account judges it).
		return No
	}
	return Maybe
}

func (s *Subject) account() string {
	if s.Symbol != nil && s.Symbol.Account != "" {
		return s.Symbol.Account
	}
	return s.Account
}

func matchOutsideOrg(s *Subject, sc *Scope) Match {
	if s.Kind == "service" {
		return No
	}
	if a := s.account(); a != "" {
		return yesNo(!sc.insideOrg(a))
	}
	sym := s.Symbol
	switch {
	case sym == nil:
		return Maybe
	case sym.OrgID != "":
		if sc.Org == "" {
			// The organization symbol stands for accounts the input does
			// not hold, and the key's account is held.
			return Yes
		}
		return yesNo(sym.OrgID != sc.Org)
	case sc.Org != "" && slices.Contains(sym.NotOrgs, sc.Org):
		return Yes
	case sc.Org == "" && slices.Contains(sym.NotAccounts, sc.Home):
		return Yes
	}
	return Maybe
}

func matchOutsideAccounts(list []string, s *Subject) Match {
	if s.Kind == "service" {
		return No
	}
	if a := s.account(); a != "" {
		return yesNo(!slices.Contains(list, a))
	}
	if s.Symbol == nil {
		return Maybe
	}
	for _, a := range list {
		if !slices.Contains(s.Symbol.NotAccounts, a) {
			return Maybe
		}
	}
	return Yes
}

func matchOrganization(org string, s *Subject, sc *Scope) Match {
	if s.Kind == "service" {
		return No
	}
	if a := s.account(); a != "" {
		o, known := sc.orgOf(a)
		switch {
		case known:
			return yesNo(o == org)
		case org == sc.Org:
			// An account the input does not hold is judged outside the
			// key's organization.
			return No
		}
		return Maybe
	}
	sym := s.Symbol
	switch {
	case sym == nil:
		return Maybe
	case sym.OrgID != "":
		return yesNo(sym.OrgID == org)
	case slices.Contains(sym.NotOrgs, org):
		return No
	}
	return Maybe
}
