package access

import (
	"strings"

	"github.com/keywarden/keywarden/internal/arn"
	"github.com/keywarden/keywarden/internal/engine"
)

// An asker holds the engine's inputs for one caller and one key (or none,
// for actions without a key), built once and reused for every action
// asked: who-can and the matrix ask many actions of one group.
type asker struct {
	req engine.Request
	pol engine.Policies
}

// decide asks about one action.
func (a *asker) decide(action string) engine.Result {
	req := a.req
	req.Action = action
	return engine.Decide(req, &a.pol)
}

// askOptions say how a question is asked.
type askOptions struct {
	// given are request context keys the user gave (any case); they win.
	given map[string]engine.Value
	// closed makes keys that are not given absent (a direct call with
	// nothing more) instead of unknown.
	closed bool
	// listing: who-can and the matrix list the principals one by one and
	// report unread grants once, for the key, rather than on each of them.
	listing bool
	// absent are keys (lower case, or prefixes ending in "/") known to be
	// absent from the request.
	absent []string
}

// askPrincipal prepares questions of an inventory principal (caller is its
// ARN, or a session of its role) about a key (nil for actions without one).
func (ix *Index) askPrincipal(caller string, p *Principal, key *Key, resource string, o askOptions) *asker {
	a, m, absent := ix.newAsker(key, resource, o)
	a.req.Principal = caller
	a.pol.Identity, a.pol.Boundary = p.Identity, p.Boundary
	a.pol.Unread.Identity, a.pol.Unread.Boundary = p.IdentityGap, p.BoundaryGap
	a.pol.SCPs, a.pol.Unread.SCPs = p.acct.scps, p.acct.scpGap
	// The role's ARN with its path, as AWS sets aws:PrincipalArn for its
	// sessions.
	m["aws:principalarn"] = one(p.ARN)
	orgContext(m, &absent, p.acct)
	for _, t := range p.Tags {
		m["aws:principaltag/"+strings.ToLower(t.Key)] = one(t.Value)
	}
	absent = append(absent, "aws:principaltag/")
	if p.Kind != KindUser {
		absent = append(absent, "aws:username")
	}
	a.finish(m, absent, o)
	return a
}

// askExternal prepares questions of a principal outside the inventory,
// named by ARN (or a service principal): its own IAM policies are its to
// choose. The SCPs of its account apply when the account is in the
// inventory.
func (ix *Index) askExternal(caller string, key *Key, resource string, o askOptions) *asker {
	a, m, absent := ix.newAsker(key, resource, o)
	a.req.Principal = caller
	if !arn.IsServicePrincipal(caller) {
		a.pol.IdentityOpen = true
		acctID := arn.Account(caller)
		if arn.IsAccountID(caller) {
			acctID = caller
		}
		if acct := ix.accounts[acctID]; acct != nil {
			a.pol.SCPs, a.pol.Unread.SCPs = acct.scps, acct.scpGap
			orgContext(m, &absent, acct)
		}
	}
	a.finish(m, absent, o)
	return a
}

// askSymbol prepares questions of a symbolic caller (any principal of an
// account, anyone outside the organization). identityGap, when set, says
// its identity policies exist but were not read (principals missing from
// an incomplete IAM listing); otherwise they are its own to choose.
func (ix *Index) askSymbol(sym *engine.Symbol, identityGap *engine.Gap, key *Key, resource string, o askOptions) *asker {
	a, m, absent := ix.newAsker(key, resource, o)
	a.req.Caller = sym
	if identityGap != nil {
		a.pol.Unread.Identity = identityGap
	} else {
		a.pol.IdentityOpen = true
	}
	if acct := ix.accounts[sym.Account]; acct != nil {
		a.pol.SCPs, a.pol.Unread.SCPs = acct.scps, acct.scpGap
	}
	a.finish(m, absent, o)
	return a
}

// newAsker starts a question about a key (nil for actions without one) or
// another resource: the key's inputs are in, the caller's are the
// caller's to add to the asker and to the context m and absent keys.
func (ix *Index) newAsker(key *Key, resource string, o askOptions) (*asker, map[string]engine.Value, []string) {
	a := &asker{}
	a.req.Resource = resource
	m := map[string]engine.Value{}
	var absent []string
	ix.keyInputs(a, m, &absent, key, o)
	return a, m, absent
}

// keyInputs fills in what the key brings: its policy, grants and RCPs,
// and the properties conditions can test (built once per key).
func (ix *Index) keyInputs(a *asker, m map[string]engine.Value, absent *[]string, key *Key, o askOptions) {
	if key == nil {
		return
	}
	a.pol.KeyPolicy, a.pol.Unread.KeyPolicy = key.Policy, key.PolicyGap
	a.pol.Grants = key.Grants
	if !o.listing {
		a.pol.Unread.Grants = key.GrantsGap
	}
	a.pol.AWSManagedKey = key.Inv.AWSManaged()
	if key.acct != nil {
		a.pol.RCPs, a.pol.Unread.RCPs = key.acct.rcps, key.acct.rcpGap
	}
	a.req.ResourceContext = key.ctx
	*absent = append(*absent, key.absent...)
}

func (a *asker) finish(m map[string]engine.Value, absent []string, o askOptions) {
	for k, v := range o.given {
		m[strings.ToLower(k)] = v
	}
	a.req.Context, a.req.Absent, a.req.Open = m, append(absent, o.absent...), !o.closed
}

// orgContext fills the caller's organization: known, known to be none,
// or unknown.
func orgContext(m map[string]engine.Value, absent *[]string, acct *account) {
	switch {
	case acct.orgID != "":
		m["aws:principalorgid"] = one(acct.orgID)
		if len(acct.paths) > 0 {
			m["aws:principalorgpaths"] = list(acct.paths)
		}
	case acct.orgUnknown:
		m["aws:principalorgid"] = unknown()
		m["aws:principalorgpaths"] = unknown()
	default:
		*absent = append(*absent, "aws:principalorgid", "aws:principalorgpaths")
	}
}

func one(v string) engine.Value    { return engine.Value{Strings: []string{v}} }
func list(v []string) engine.Value { return engine.Value{Strings: v, List: true} }
func unknown() engine.Value        { return engine.Value{Unknown: true} }

// keyContext is the properties of the key that conditions can test, and
// the keys known to be absent.
func keyContext(k *Key) (map[string]engine.Value, []string) {
	m := map[string]engine.Value{}
	var absent []string
	inv := k.Inv
	if md := inv.Metadata; md != nil {
		set := func(key, v string) {
			if v != "" {
				m[key] = one(v)
			}
		}
		set("kms:keyspec", md.KeySpec)
		set("kms:customermasterkeyspec", md.KeySpec)
		set("kms:keyusage", md.KeyUsage)
		set("kms:customermasterkeyusage", md.KeyUsage)
		set("kms:keyorigin", md.Origin)
		if md.MultiRegion {
			m["kms:multiregion"] = one("true")
			set("kms:multiregionkeytype", md.MultiRegionKeyType)
		} else {
			m["kms:multiregion"] = one("false")
		}
	}
	if inv.TagsIncomplete == nil {
		for _, t := range inv.Tags {
			m["aws:resourcetag/"+strings.ToLower(t.Key)] = one(t.Value)
		}
	}
	if len(inv.Aliases) > 0 {
		m["kms:resourcealiases"] = list(inv.Aliases)
	} else {
		absent = append(absent, "kms:resourcealiases")
	}
	if inv.TagsIncomplete == nil {
		absent = append(absent, "aws:resourcetag/")
	}
	return m, absent
}
