package access

import (
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/keywarden/keywarden/internal/arn"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/policy"
)

// KeyAccess answers who can do what with one key. The principals of the
// inventory are split once into groups that decide alike (see profiles.go),
// the engine is asked once per group and action, and the answers are kept
// for everyone who asks about the key again: the checks of a scan, the
// rows of the matrix. It is safe for concurrent use.
//
// The work for one key grows with the number of groups that something on
// the key can reach (principals of accounts the key policy delegates to
// whose identity policies can cover the key, principals the key policy or
// a grant names, everyone for a "*" statement), not with the number of
// principals of the account.
type KeyAccess struct {
	ix  *Index
	Key *Key
	// groups are the inventory principals something on the key can reach.
	groups  []*group
	symbols []*symbolic
	mu      sync.Mutex
	actions map[string]*ActionAccess
	whoCan  map[string]*WhoCanResult
	// byMember finds a principal's group, byDoc the groups holding an
	// identity document (Diff, IdentityDiff).
	byMember map[*Principal]*group
	byDoc    map[*policy.Document][]*group
}

// A group is principals of the inventory that decide alike on the key.
type group struct {
	rep     *Principal
	classes []*class
	// list holds the members instead of classes when the key policy's
	// conditions on principals' ARNs split classes.
	list []*Principal
	// single is set for a principal that decides alone: the key names
	// it, its policies resolve variables, or the key policy tests its ARN.
	single *Principal
	once   sync.Once
	asker  *asker
}

// members returns the group's principals, sorted by ARN.
func (g *group) members() []*Principal {
	if g.single != nil {
		return []*Principal{g.single}
	}
	if len(g.list) == 0 && len(g.classes) == 1 {
		return g.classes[0].members
	}
	out := append([]*Principal(nil), g.list...)
	for _, c := range g.classes {
		out = append(out, c.members...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
	return out
}

// An ActionAccess is everyone who can perform one action on the key.
type ActionAccess struct {
	Action string
	// Groups are the principals of the inventory allowed (or whose answer
	// is Unknown), each group with the decision its members share.
	Groups []GroupResult
	// Symbols are the principals outside the inventory, one entry each.
	Symbols []Entry
}

// A GroupResult is a decision that several principals share.
type GroupResult struct {
	Members []*Principal
	Result  engine.Result
}

// Access prepares the answers about one key. It does not keep them: the
// caller holds the KeyAccess as long as it asks about the key, so that a
// scan's memory is bounded by the largest key's answers.
func (ix *Index) Access(key *Key) *KeyAccess {
	ka := &KeyAccess{ix: ix, Key: key, actions: map[string]*ActionAccess{}, whoCan: map[string]*WhoCanResult{}}
	ka.groups = ix.groupsFor(key)
	ka.symbols = ix.symbolsOf(key)
	return ka
}

// Action returns who can perform the action on the key, computing it on
// first use.
func (ka *KeyAccess) Action(action string) *ActionAccess {
	return ka.action(action, false)
}

// Outside is Action for the principals of other accounts only: the
// principals of the key's account are not asked about (key-cross-account
// needs no more, and most principals are in the key's account).
func (ka *KeyAccess) Outside(action string) *ActionAccess {
	return ka.action(action, true)
}

func (ka *KeyAccess) action(action string, outside bool) *ActionAccess {
	id := action
	if outside {
		id = "outside:" + action
	}
	ka.mu.Lock()
	aa, ok := ka.actions[id]
	if !ok && outside {
		// The whole answer holds the outside part.
		if all, ok2 := ka.actions[action]; ok2 {
			aa, ok = all, true
		}
	}
	ka.mu.Unlock()
	if ok {
		return aa
	}
	aa = &ActionAccess{Action: action}
	for _, g := range ka.groups {
		if outside && g.rep.Account == ka.Key.Inv.Account {
			continue
		}
		r := g.ask(ka).decide(action)
		if ka.Key.Policy == nil && r.Decision == engine.Unknown && !citesGrant(r) {
			// Every principal's answer needs the key policy: one
			// symbolic entry says so (symbolsOf).
			continue
		}
		if r.Decision == engine.Allow || r.Decision == engine.Unknown {
			aa.Groups = append(aa.Groups, GroupResult{Members: g.members(), Result: r})
		}
	}
	for _, s := range ka.symbols {
		r := s.decide(ka, action)
		if r.Decision == engine.Allow || r.Decision == engine.Unknown {
			aa.Symbols = append(aa.Symbols, s.entry(r))
		}
	}
	ka.mu.Lock()
	if prev, ok := ka.actions[id]; ok {
		aa = prev
	} else {
		ka.actions[id] = aa
	}
	ka.mu.Unlock()
	return aa
}

// askAfter is a group's prepared question about the key with another
// policy and grants (a fix's variant of it).
func (ka *KeyAccess) askAfter(g *group, after *Key) *asker {
	a := *g.ask(ka)
	a.pol.KeyPolicy, a.pol.Unread.KeyPolicy = after.Policy, after.PolicyGap
	a.pol.Grants = after.Grants
	return &a
}

// cached returns the answer about an action when it was computed, nil
// otherwise.
func (ka *KeyAccess) cached(action string) *ActionAccess {
	if ka == nil || ka.Key.Policy == nil {
		// Without the key policy the answer leaves out the principals
		// whose decision is Unknown for that reason alone.
		return nil
	}
	ka.mu.Lock()
	defer ka.mu.Unlock()
	return ka.actions[action]
}

// groupOf returns the group of the key's answers a principal is in.
func (ka *KeyAccess) groupOf(p *Principal) *group {
	ka.mu.Lock()
	defer ka.mu.Unlock()
	if ka.byMember == nil {
		ka.byMember = map[*Principal]*group{}
		for _, g := range ka.groups {
			for _, m := range g.members() {
				ka.byMember[m] = g
			}
		}
	}
	return ka.byMember[p]
}

// citesGrant reports whether a decision rests on a grant.
func citesGrant(r engine.Result) bool {
	for _, reason := range r.Reasons {
		if reason.Layer == engine.LayerGrant {
			return true
		}
	}
	return false
}

// ask returns the group's prepared question, built on first use.
func (g *group) ask(ka *KeyAccess) *asker {
	g.once.Do(func() {
		g.asker = ka.ix.askPrincipal(g.rep.ARN, g.rep, ka.Key, ka.Key.ARN, askOptions{listing: true})
	})
	return g.asker
}

// groupsFor splits the principals something on the key can reach into
// groups that decide alike.
func (ix *Index) groupsFor(key *Key) []*group {
	f := key.facts
	var out []*group
	singles := map[*Principal]bool{}
	single := func(p *Principal) {
		if !singles[p] {
			singles[p] = true
			out = append(out, &group{rep: p, single: p})
		}
	}
	// Principals the key names decide alone.
	for _, v := range f.named {
		if p, ok := ix.byARN[v]; ok {
			single(p)
			continue
		}
		if k, name, ok := arn.IAMName(v); ok && k == "role" {
			if p, ok := ix.roleByName[arn.Account(v)+"/"+name]; ok {
				single(p)
			}
		}
		if s, ok := arn.ParseSession(v); ok {
			if p, ok := ix.roleByName[s.Account+"/"+s.Role]; ok {
				single(p)
			}
		}
	}
	covered := ix.coveredStatements(key)
	personal := personalKeyConditions(key)
	byKey := map[string]*group{}
	for _, pr := range ix.profiles {
		delegated := f.accounts[pr.acct.inv.ID]
		if !f.wildcard && !delegated {
			continue
		}
		for _, c := range pr.classes {
			rel, allows := relevant(c.kms, covered, ix.stmts)
			if !f.wildcard && !allows && pr.kind != KindRoot && !pr.identityGap {
				// Delegation needs an identity Allow that covers the key.
				continue
			}
			whole := len(personal) == 0 && !c.alone
			for _, p := range c.members {
				if singles[p] {
					whole = false
				}
			}
			for _, p := range c.members {
				if singles[p] {
					continue
				}
				if c.alone || f.personal && personalVariables(key) {
					single(p)
					continue
				}
				gk := groupKey(pr.id, rel, p, personal)
				g := byKey[gk]
				if g == nil {
					g = &group{rep: p}
					byKey[gk] = g
					out = append(out, g)
				}
				switch {
				case !whole:
					// The key tests principals' ARNs, or names some
					// members: the class splits.
					g.list = append(g.list, p)
				case len(g.classes) == 0 || g.classes[len(g.classes)-1] != c:
					g.classes = append(g.classes, c)
				}
			}
		}
	}
	return out
}

// groupKey is what a principal's decisions on a key depend on: its
// profile, its identity statements that can reach the key, and how the
// key policy's conditions on its ARN come out for it.
func groupKey(profileID int, rel []int, p *Principal, personal []*policy.Condition) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(profileID))
	for _, id := range rel {
		b.WriteByte('|')
		b.WriteString(strconv.Itoa(id))
	}
	if len(personal) > 0 {
		b.WriteByte('#')
		ctx := ownContext(p)
		for _, c := range personal {
			b.WriteByte("ftu"[c.Eval(ctx)])
		}
	}
	return b.String()
}

// relevant returns the statements of a class that can reach the key, and
// whether one of them is an Allow.
func relevant(kms []int, covered []bool, stmts []*policy.Statement) ([]int, bool) {
	var out []int
	allows := false
	for _, id := range kms {
		if covered[id] {
			out = append(out, id)
			if stmts[id].Effect == policy.Allow {
				allows = true
			}
		}
	}
	return out, allows
}

// coveredStatements marks the identity statements whose resources can
// include the key.
func (ix *Index) coveredStatements(key *Key) []bool {
	out := make([]bool, len(ix.stmts))
	for id, s := range ix.stmts {
		out[id] = mayCover(s, key.ARN)
	}
	return out
}

// mayCover reports whether a statement's resources could include the key.
func mayCover(s *policy.Statement, keyARN string) bool {
	if s.Resource == nil {
		return true // NotResource: let the engine decide
	}
	for _, r := range s.Resource {
		if strings.Contains(r, "${") || policy.MatchResource(r, keyARN) {
			return true
		}
	}
	return false
}

// personalKeyConditions are the conditions of the key policy and the RCPs
// of the key's account that test the caller's ARN or user name.
func personalKeyConditions(key *Key) []*policy.Condition {
	var out []*policy.Condition
	add := func(d *policy.Document) {
		if d == nil {
			return
		}
		for _, s := range d.Statements {
			for _, c := range s.Conditions {
				if principalKeys[c.LowerKey()] {
					out = append(out, c)
				}
			}
		}
	}
	add(key.Policy)
	if key.acct != nil {
		for _, l := range key.acct.rcps {
			for _, d := range l {
				add(d)
			}
		}
	}
	return out
}

// personalVariables reports whether the key policy resolves policy
// variables, whose values differ between principals.
func personalVariables(key *Key) bool { return usesVariables(key.Policy) }
