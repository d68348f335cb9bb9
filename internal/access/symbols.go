package access

import (
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/keywarden/keywarden/internal/arn"
	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/engine"
)

// A symbolic is a principal outside the inventory's list that the key's
// policy or grants can reach: a principal named by ARN that the inventory
// does not hold, a service, any principal of another account, anyone
// outside the organization. Answers print it as what it is, never as an
// ARN that does not exist.
type symbolic struct {
	kind        Kind
	caller      string         // a named principal or service
	sym         *engine.Symbol // or a class of callers
	identityGap *engine.Gap
	account     string
	description string
	// fixed, when set, answers without the engine (unread key data).
	fixed func(action string) (engine.Result, bool)
	once  sync.Once
	asker *asker
}

func (s *symbolic) ask(ka *KeyAccess) *asker {
	s.once.Do(func() {
		o := askOptions{listing: true}
		if s.sym != nil {
			s.asker = ka.ix.askSymbol(s.sym, s.identityGap, ka.Key, ka.Key.ARN, o)
		} else {
			s.asker = ka.ix.askExternal(s.caller, ka.Key, ka.Key.ARN, o)
		}
	})
	return s.asker
}

// decide answers for the symbolic principal.
func (s *symbolic) decide(ka *KeyAccess, action string) engine.Result {
	if s.fixed != nil {
		if r, ok := s.fixed(action); ok {
			return r
		}
		return engine.Result{Decision: engine.ImplicitDeny}
	}
	return s.ask(ka).decide(action)
}

func (s *symbolic) entry(r engine.Result) Entry {
	e := entryOf(r, s.caller, s.kind, s.account, s.description)
	if s.sym != nil {
		sym := *s.sym
		e.Symbol = &sym
	}
	return e
}

// symbolsOf lists the principals outside the inventory's list that the
// key's policy and grants can reach.
func (ix *Index) symbolsOf(key *Key) []*symbolic {
	f := key.facts
	var out []*symbolic
	if key.Policy == nil {
		g := key.PolicyGap
		out = append(out, &symbolic{kind: KindAnyone, description: "any other principal: the key policy was not read",
			fixed: func(action string) (engine.Result, bool) {
				return engine.Result{Decision: engine.Unknown, Layer: engine.LayerKeyPolicy, Rule: engine.RuleMissingInput,
					Summary: "unknown: " + g.String(), Missing: []string{g.String()}}, true
			}})
	}
	if g := key.GrantsGap; g != nil {
		out = append(out, &symbolic{kind: KindGrantee, description: "the grantees of grants that were not read",
			fixed: func(action string) (engine.Result, bool) {
				if info := awsfacts.LookupKMS(action); info == nil || !info.GrantOp {
					return engine.Result{}, false
				}
				return engine.Result{Decision: engine.Unknown, Layer: engine.LayerGrant, Rule: engine.RuleMissingInput,
					Summary: "unknown: a grant that was not read may allow " + action + ": " + g.String(), Missing: []string{g.String()}}, true
			}})
	}
	grantees := map[string]string{}
	for _, g := range key.Grants {
		if g.GranteePrincipal != "" {
			if _, ok := grantees[g.GranteePrincipal]; !ok {
				grantees[g.GranteePrincipal] = g.ID
			}
		}
	}
	for _, v := range f.named {
		if ix.inInventory(v) {
			continue
		}
		kind, what := KindNamed, "principal"
		if _, ok := grantees[v]; ok && !ix.namedByPolicy(key, v) {
			kind, what = KindGrantee, "grantee"
		}
		desc := what + " " + v
		if a := ix.accounts[arn.Account(v)]; a != nil && a.iamGap == nil {
			desc += " (not in the inventory: deleted, or not read)"
		} else {
			desc += " (its own IAM policies are unknown)"
		}
		out = append(out, &symbolic{kind: kind, caller: v, account: arn.Account(v), description: desc})
	}
	for _, svc := range f.services {
		desc := "the AWS service " + svc + " acting on its own"
		if id, ok := grantees[svc]; ok {
			desc = "the AWS service " + svc + " (grantee of grant " + id + ")"
		}
		out = append(out, &symbolic{kind: KindService, caller: svc, description: desc})
	}
	accounts := make([]string, 0, len(f.accounts))
	for a := range f.accounts {
		accounts = append(accounts, a)
	}
	sort.Strings(accounts)
	for _, a := range accounts {
		if s := ix.accountSymbol(a); s != nil {
			out = append(out, s)
		}
	}
	if f.wildcard {
		// Inventory accounts whose IAM listing is incomplete: "*"
		// reaches their missing principals too.
		for _, id := range ix.accountIDs() {
			if ix.accounts[id].iamGap != nil && !f.accounts[id] {
				out = append(out, ix.accountSymbol(id))
			}
		}
		out = append(out, ix.outsiders(key)...)
	}
	return out
}

// accountSymbol stands for the principals of an account that the inventory
// does not list: all of them for an account outside it, the missing ones
// for an account whose IAM listing is incomplete. It is nil when the
// inventory lists every principal of the account.
func (ix *Index) accountSymbol(id string) *symbolic {
	a := ix.accounts[id]
	switch {
	case a == nil:
		return &symbolic{kind: KindAccount, sym: &engine.Symbol{Account: id}, account: id,
			description: "any principal of account " + id + " that its own IAM policies allow"}
	case a.iamGap != nil:
		return &symbolic{kind: KindAccount, sym: &engine.Symbol{Account: id, OrgID: a.orgID}, identityGap: a.iamGap, account: id,
			description: "principals of account " + id + " that the incomplete IAM listing may have missed"}
	}
	return nil
}

// outsiders are the symbols for "*": anyone outside the inventory's
// accounts and organizations, and the principals of the key's
// organization in accounts the inventory does not hold.
func (ix *Index) outsiders(key *Key) []*symbolic {
	known := map[string]bool{}
	for id := range ix.accounts {
		known[id] = true
	}
	for a := range key.facts.accounts {
		known[a] = true
	}
	not := make([]string, 0, len(known))
	for a := range known {
		not = append(not, a)
	}
	sort.Strings(not)
	var orgs []string
	for _, id := range ix.accountIDs() {
		if o := ix.accounts[id].orgID; o != "" && !slices.Contains(orgs, o) {
			orgs = append(orgs, o)
		}
	}
	var out []*symbolic
	desc := "anyone outside account " + strings.Join(not, ", ")
	if len(not) > 1 {
		desc = "anyone outside accounts " + strings.Join(not, ", ")
	}
	if len(orgs) > 0 {
		desc = "anyone outside organization " + strings.Join(orgs, ", ")
		if len(orgs) > 1 {
			desc = "anyone outside organizations " + strings.Join(orgs, ", ")
		}
		if len(not) == 1 {
			desc += " and account " + not[0]
		} else {
			desc += " and accounts " + strings.Join(not, ", ")
		}
	}
	out = append(out, &symbolic{kind: KindAnyone, sym: &engine.Symbol{NotAccounts: not, NotOrgs: orgs}, description: desc})
	for _, o := range orgs {
		out = append(out, &symbolic{kind: KindOrg, sym: &engine.Symbol{OrgID: o, NotAccounts: not},
			description: "any principal of organization " + o + " in an account the inventory does not hold, by its own IAM policies"})
	}
	return out
}

// accountIDs returns the inventory's account IDs, sorted.
func (ix *Index) accountIDs() []string {
	out := make([]string, 0, len(ix.accounts))
	for id := range ix.accounts {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// inInventory reports whether a principal ARN named by a key policy or
// grant is a principal of the inventory (a session stands for its role).
func (ix *Index) inInventory(v string) bool {
	if _, ok := ix.byARN[v]; ok {
		return true
	}
	if k, name, ok := arn.IAMName(v); ok && k == "role" {
		_, ok := ix.roleByName[arn.Account(v)+"/"+name]
		return ok
	}
	if s, ok := arn.ParseSession(v); ok {
		_, ok := ix.roleByName[s.Account+"/"+s.Role]
		return ok
	}
	return false
}

// namedByPolicy reports whether the key policy names the principal value.
func (ix *Index) namedByPolicy(key *Key, v string) bool {
	if key.Policy == nil {
		return false
	}
	for _, s := range key.Policy.Statements {
		if s.Principal != nil && slices.Contains(s.Principal.AWS, v) || s.NotPrincipal != nil && slices.Contains(s.NotPrincipal.AWS, v) {
			return true
		}
	}
	return false
}
