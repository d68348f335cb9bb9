package access

import (
	"fmt"
	"sync"

	"github.com/keywarden/keywarden/internal/engine"
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
	// byClass and byMember find a principal's group (For); byDoc the
	// groups holding an identity document (Diff, IdentityDiff).
	byClass  map[*class]*group
	byMember map[*Principal]*group
	// splitClasses are the classes some of whose members are in byMember.
	splitClasses map[*class]bool
	// memo holds the groups' decisions by action and actionKey.
	memoMu sync.Mutex
	memo   map[string]engine.Result
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
	group  *group
	Result engine.Result
}

// Members are the principals that share the decision, by kind then ARN.
func (gr *GroupResult) Members() []*Principal { return gr.group.members() }

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
	covers := ka.ix.coverAction(action)
	var b []byte
	for _, g := range ka.groups {
		if outside && g.rep.Account == ka.Key.Inv.Account {
			continue
		}
		// Groups that differ only in statements that do not cover the
		// action decide it alike: the engine never cites a statement
		// that does not apply.
		var r engine.Result
		r, b = ka.decideGroup(g, action, covers, b)
		if ka.Key.Policy == nil && r.Decision == engine.Unknown && !citesGrant(r) {
			// Every principal's answer needs the key policy: one
			// symbolic entry says so (symbolsOf).
			continue
		}
		if r.Decision == engine.Allow || r.Decision == engine.Unknown {
			aa.Groups = append(aa.Groups, GroupResult{group: g, Result: r})
		}
	}
	for _, s := range ka.symbols {
		r := ka.decideSymbol(s, action)
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
// indexGroups finds the groups of the key's classes (byClass), and of
// the principals grouped one by one (byMember: those a key names, splits
// from their class or asks alone), once; ka.mu is held.
func (ka *KeyAccess) indexGroups() {
	if ka.byClass != nil {
		return
	}
	ka.byClass, ka.byMember = map[*class]*group{}, map[*Principal]*group{}
	ka.splitClasses = map[*class]bool{}
	for _, g := range ka.groups {
		if g.single != nil {
			ka.byMember[g.single] = g
			ka.splitClasses[g.single.class] = true
		}
		for _, m := range g.list {
			ka.byMember[m] = g
			ka.splitClasses[m.class] = true
		}
		for _, c := range g.classList() {
			ka.byClass[c] = g
		}
	}
}

// decideGroup decides an action for a group, once per key for groups
// that differ only in statements that do not cover the action (the
// engine never cites a statement that does not apply): ActionAccess and
// the diffs of IAM edits, one per fix, share the decisions. covers is
// ix.coverAction(action); b is a buffer, returned for reuse.
func (ka *KeyAccess) decideGroup(g *group, action string, covers []bool, b []byte) (engine.Result, []byte) {
	b = append(b[:0], action...)
	b = append(b, 0)
	if g.single != nil {
		b = fmt.Appendf(b, "%p", g.single)
	} else {
		b = g.actionKey(b, covers)
	}
	if r, ok := ka.recall(b); ok {
		return r, b
	}
	r := g.ask(ka).decide(action)
	ka.remember(b, r)
	return r, b
}

// recall and remember read and write the key's memo of decisions.
func (ka *KeyAccess) recall(k []byte) (engine.Result, bool) {
	ka.memoMu.Lock()
	defer ka.memoMu.Unlock()
	r, ok := ka.memo[string(k)]
	return r, ok
}

func (ka *KeyAccess) remember(k []byte, r engine.Result) {
	ka.memoMu.Lock()
	defer ka.memoMu.Unlock()
	if ka.memo == nil {
		ka.memo = map[string]engine.Result{}
	}
	ka.memo[string(k)] = r
}

// decideSymbol is decideGroup for one of the key's own symbolic
// principals (ka.symbols).
func (ka *KeyAccess) decideSymbol(s *symbolic, action string) engine.Result {
	k := fmt.Appendf(nil, "%s\x00y%p", action, s)
	if r, ok := ka.recall(k); ok {
		return r
	}
	r := s.decide(ka, action)
	ka.remember(k, r)
	return r
}

func (g *group) ask(ka *KeyAccess) *asker {
	g.once.Do(func() {
		g.asker = ka.ix.askPrincipal(g.rep.ARN, g.rep, ka.Key, ka.Key.ARN, askOptions{listing: true})
	})
	return g.asker
}

// For decides the action for one principal of the inventory, from the
// group it belongs to on this key; a principal that nothing on the key
// reaches is denied.
func (ka *KeyAccess) For(action string, p *Principal) engine.Result {
	ka.mu.Lock()
	ka.indexGroups()
	g := ka.byMember[p]
	if g == nil {
		g = ka.byClass[p.class]
	}
	ka.mu.Unlock()
	if g == nil {
		return noPath
	}
	return g.ask(ka).decide(action)
}

// Members is every principal of the inventory the action's answer lists,
// each with its decision, by kind (root, users, roles) then ARN; cheaper
// than WhoCan when only the principals of the inventory matter.
func (aa *ActionAccess) Members() []Member {
	runs := make([][]*Principal, len(aa.Groups))
	for i := range aa.Groups {
		runs[i] = aa.Groups[i].Members()
	}
	out := make([]Member, 0, runLen(runs))
	mergeRuns(runs, func(i int, p *Principal) { out = append(out, Member{Principal: p, Result: &aa.Groups[i].Result}) })
	return out
}

// A Member is a principal of the inventory with its decision.
type Member struct {
	Principal *Principal
	Result    *engine.Result
}
