package access

import (
	"slices"
	"strings"

	"github.com/keywarden/keywarden/internal/arn"
	"github.com/keywarden/keywarden/internal/policy"
)

// keyFacts is what a key's policy and grants say about principals: which
// principals they name, which accounts they delegate to, whether they
// reach everyone.
type keyFacts struct {
	// wildcard: an Allow names "*" or uses NotPrincipal.
	wildcard bool
	// accounts are the accounts an Allow names (delegation) or a grant
	// names as grantee or retiring principal, or that issued a grant.
	accounts map[string]bool
	// named are the principal values (ARNs) the policy names anywhere, in
	// Principal or NotPrincipal, Allow or Deny, and the grantees and
	// retiring principals of the grants.
	named []string
	// services are the service principals named by Allow statements and
	// grants.
	services []string
	// personal: the policy tests the caller's ARN or user name, or
	// resolves policy variables: principals of a class may decide
	// differently.
	personal bool
}

func factsOf(k *Key) *keyFacts {
	f := &keyFacts{accounts: map[string]bool{}}
	addNamed := func(v string) {
		switch {
		case v == "" || v == "*":
		case arn.IsServicePrincipal(v):
			if !slices.Contains(f.services, v) {
				f.services = append(f.services, v)
			}
		case arn.AccountOfPrincipal(v) != "":
		default:
			if !slices.Contains(f.named, v) {
				f.named = append(f.named, v)
			}
		}
	}
	if d := k.Policy; d != nil {
		f.personal = personalConditions(d)
		for _, s := range d.Statements {
			for _, p := range []*policy.Principal{s.Principal, s.NotPrincipal} {
				if p == nil {
					continue
				}
				if s.Effect == policy.Allow && (p == s.NotPrincipal || p.Wildcard) {
					f.wildcard = true
				}
				for _, v := range p.AWS {
					if a := arn.AccountOfPrincipal(v); a != "" && s.Effect == policy.Allow && p == s.Principal {
						f.accounts[a] = true
					}
					addNamed(v)
				}
				if s.Effect == policy.Allow && p == s.Principal {
					for _, v := range p.Service {
						addNamed(v)
					}
				}
			}
		}
	}
	for _, g := range k.Grants {
		for _, v := range []string{g.GranteePrincipal, g.RetiringPrincipal} {
			if a := arn.AccountOfPrincipal(v); a != "" {
				f.accounts[a] = true
			}
			addNamed(v)
		}
		if g.IssuingAccount != "" {
			f.accounts[g.IssuingAccount] = true
		}
	}
	if len(k.Grants) > 0 {
		// The account that owns the key may retire its grants through
		// identities its IAM policies allow (kms:RetireGrant).
		f.accounts[k.Inv.Account] = true
	}
	return f
}

// names reports whether the key's policy or grants name the principal:
// its ARN, its role by name (any path), or a session of its role.
func (f *keyFacts) names(p *Principal) bool {
	for _, v := range f.named {
		if v == p.ARN {
			return true
		}
		if p.Kind != KindRole || !strings.Contains(v, p.Account) {
			continue
		}
		if kind, name, ok := arn.IAMName(v); ok && kind == "role" && name == p.Name && arn.Account(v) == p.Account {
			return true
		}
		if s, ok := arn.ParseSession(v); ok && s.Role == p.Name && s.Account == p.Account {
			return true
		}
	}
	return false
}
