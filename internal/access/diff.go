package access

import (
	"slices"
	"sort"
	"strings"

	"github.com/keywarden/keywarden/internal/arn"
	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/policy"
)

// A Change is access that an edit of the inventory's documents gives or
// takes away: one principal (or symbolic principal), one key, one action,
// with the decisions before and after.
type Change struct {
	Principal   string         `json:"principal,omitempty"`
	Symbol      *engine.Symbol `json:"symbol,omitempty"`
	Kind        Kind           `json:"kind"`
	Description string         `json:"description"`
	Key         string         `json:"key"`
	Action      string         `json:"action"`
	Before      engine.Result  `json:"before"`
	After       engine.Result  `json:"after"`
}

// Name is how the change names its principal.
func (c *Change) Name() string {
	if c.Principal != "" {
		return c.Principal
	}
	return c.Description
}

// Gained reports whether the edit gives access the principal did not have
// (an Allow, conditional or not, or an Unknown, where there was none).
func (c *Change) Gained() bool { return !grants(c.Before) && grants(c.After) }

// Lost reports whether the edit takes access away.
func (c *Change) Lost() bool { return grants(c.Before) && !grants(c.After) }

// A Sink receives the changes a diff finds, in no set order: one change
// (members nil), or one change shared by several inventory principals,
// members, in the order of answers (by kind, then ARN), with c's
// Principal, Kind and Description unset (Member fills them). A sink must
// not keep c or members.
type Sink func(c *Change, members []*Principal)

// Member is c for one principal of a shared change.
func (c *Change) Member(p *Principal) Change {
	m := *c
	m.Principal, m.Kind, m.Description = p.ARN, p.Kind, describePrincipal(p)
	return m
}

// each is a Sink that passes every change to emit one by one.
func each(emit func(*Change)) Sink {
	return func(c *Change, members []*Principal) {
		if members == nil {
			emit(c)
			return
		}
		for _, p := range members {
			m := c.Member(p)
			emit(&m)
		}
	}
}

func grants(r engine.Result) bool { return r.Decision == engine.Allow || r.Decision == engine.Unknown }

// same reports whether two decisions give the same access: both deny, or
// both allow (or are unknown) under the same conditions.
func same(a, b engine.Result) bool {
	if grants(a) != grants(b) {
		return false
	}
	if !grants(a) {
		return true
	}
	return a.Decision == b.Decision && a.OnRequest() == b.OnRequest() && slices.Equal(sortedCopy(a.Conditions), sortedCopy(b.Conditions))
}

// sortedCopy returns the conditions as a set, sorted: a condition the
// engine reaches by two paths (two grants an account may retire) is one
// condition.
func sortedCopy(ss []string) []string {
	out := append([]string(nil), ss...)
	sort.Strings(out)
	return slices.Compact(out)
}

// noPath is the decision of a principal that nothing on the key can
// reach.
var noPath = engine.Result{Decision: engine.ImplicitDeny, Rule: engine.RuleNoKeyPolicyAllow,
	Summary: "implicitly denied: no key policy statement or grant can reach this principal"}

// KeyDiff is the access that changes when key before becomes after (the
// same key with another policy or other grants, made with WithPolicy or
// WithGrants), for the given actions (every action on a key when nil).
// Only the principals that a changed statement or grant can reach are
// decided again: a statement whose Principal cannot match a principal
// takes no part in its decisions, so the rest of the account keeps its
// access by construction. Symbolic principals are always decided again.
func (ix *Index) KeyDiff(before, after *Key, actions []string) []Change {
	if actions == nil {
		actions = keyActions()
	}
	return ix.keyDiff(nil, before, after, actions)
}

// keyDiff is KeyDiff, with the key's shared answers when ka is not nil.
func (ix *Index) keyDiff(ka *KeyAccess, before, after *Key, actions []string) []Change {
	var out []Change
	ix.keyDiffEach(ka, before, after, actions, each(func(c *Change) { out = append(out, *c) }))
	sortChanges(out)
	return out
}

// keyDiffEach passes every change of KeyDiff to emit, in no set order;
// emit must not keep the pointer.
func (ix *Index) keyDiffEach(ka *KeyAccess, before, after *Key, actions []string, emit Sink) {
	if actions == nil {
		actions = keyActions()
	}
	rc := changedReach(before, after)
	// The actions whose reach is the same are decided together; those
	// no changed statement or grant takes part in are not decided.
	var plain, retire []string
	for _, a := range actions {
		if !rc.matters(a) {
			continue
		}
		if rc.forAction(a) != rc {
			retire = append(retire, a)
		} else {
			plain = append(plain, a)
		}
	}
	retireReach := rc.forAction("kms:RetireGrant")
	if sameIssuers(before.Grants, after.Grants) && before.GrantsGap == nil && after.GrantsGap == nil {
		// Every account that issued a grant of the key still has one,
		// so whoever could retire a grant through its IAM policies still
		// can: only the principals the changed grants name decide again.
		retireReach = rc
	}
	for _, part := range []struct {
		r       *reach
		actions []string
	}{{rc, plain}, {retireReach, retire}} {
		if len(part.actions) > 0 {
			ix.principalChanges(ka, before, after, part.r, part.actions, emit)
		}
	}
	// A symbolic principal that appears or goes (a grantee outside the
	// inventory whose only grant is revoked) changes on every action, as
	// the matrix lists it; one on both sides changes only where the
	// change takes part.
	syms := ix.newSymbolPairs(ka, before, after)
	for _, a := range actions {
		for _, c := range syms.changes(a, rc.matters(a)) {
			emit(&c, nil)
		}
	}
}

// principalChanges decides again the inventory principals a change
// reaches: one by one when they are few; else by groups, those the key's
// shared answers hold when only grants changed and no new principal is
// named (the groups of the key before are then as fine as those after),
// or groups made afresh.
func (ix *Index) principalChanges(ka *KeyAccess, before, after *Key, rc *reach, actions []string, out Sink) {
	var c Change
	var buf []byte
	emit := func(p *Principal, a string, rb, ra engine.Result) {
		if !same(rb, ra) {
			c = Change{Principal: p.ARN, Kind: p.Kind, Description: describePrincipal(p), Key: after.ARN, Action: a, Before: rb, After: ra}
			out(&c, nil)
		}
	}
	// emitSet passes on the change of a group's members together.
	emitSet := func(members []*Principal, a string, rb, ra engine.Result) {
		if !same(rb, ra) {
			c = Change{Key: after.ARN, Action: a, Before: rb, After: ra}
			out(&c, members)
		}
	}
	if few, ok := ix.fewReached(rc); ok {
		for _, p := range few {
			was := ix.askPrincipal(p.ARN, p, before, before.ARN, askOptions{listing: true})
			is := ix.askPrincipal(p.ARN, p, after, after.ARN, askOptions{listing: true})
			for _, a := range actions {
				emit(p, a, was.decide(a), is.decide(a))
			}
		}
		return
	}
	if ka != nil && ka.Key == before && ix.groupsHold(before, after) {
		if after.Policy == before.Policy && sameIssuers(before.Grants, after.Grants) && len(actions) == 1 && actions[0] == "kms:RetireGrant" {
			// Grants alone changed and every account that issued a
			// grant of the key still has one: a principal that could
			// retire no grant before cannot after, so only those that
			// could (the key's shared answer) are asked again.
			aa := ka.Action(actions[0])
			covers := ix.coverAction(actions[0])
			decided := map[string]engine.Result{}
			for _, gr := range aa.Groups {
				g := gr.group
				if !rc.affectsGroup(g) {
					continue
				}
				var ra engine.Result
				ra, buf = ka.decideAfter(g, after, actions[0], covers, decided, buf)
				emitSet(gr.Members(), actions[0], gr.Result, ra)
			}
			return
		}
		// The key's groups decide alike after the change too: each asks
		// its prepared question again with the new policy and grants.
		for _, a := range actions {
			cached := ka.cached(a)
			var byGroup map[*group]engine.Result
			if cached != nil {
				byGroup = map[*group]engine.Result{}
				for _, gr := range cached.Groups {
					byGroup[gr.group] = gr.Result
				}
			}
			covers := ix.coverAction(a)
			decided := map[string]engine.Result{}
			for _, g := range ka.groups {
				if !rc.affectsGroup(g) {
					continue
				}
				var rb, ra engine.Result
				if cached != nil {
					var ok bool
					if rb, ok = byGroup[g]; !ok {
						rb = noPath
					}
				} else {
					rb, buf = ka.decideGroup(g, a, covers, buf)
				}
				ra, buf = ka.decideAfter(g, after, a, covers, decided, buf)
				emitSet(g.members(), a, rb, ra)
			}
		}
		return
	}
	isGroups := ix.affectedGroups(after, rc)
	var wasGroups *affected
	if ka == nil || ka.Key != before {
		wasGroups = ix.affectedGroups(before, rc)
	}
	for _, a := range actions {
		var was map[*Principal]engine.Result
		switch aa := ka.cached(a); {
		case wasGroups != nil:
			was = wasGroups.decide(a)
		case aa != nil:
			// The key's shared answer: every group that may act.
			was = map[*Principal]engine.Result{}
			for _, g := range aa.Groups {
				for _, p := range g.Members() {
					was[p] = g.Result
				}
			}
		default:
			// The key's groups, with their prepared questions.
			was = map[*Principal]engine.Result{}
			for _, g := range ka.groups {
				if !rc.affectsGroup(g) {
					continue
				}
				var r engine.Result
				r, buf = ka.decideGroup(g, a, ix.coverAction(a), buf)
				for _, p := range g.members() {
					was[p] = r
				}
			}
		}
		is := isGroups.decide(a)
		for _, p := range ix.principals {
			if !rc.affects(p) {
				continue
			}
			rb, ok := was[p]
			if !ok {
				rb = noPath
			}
			ra, ok := is[p]
			if !ok {
				ra = noPath
			}
			emit(p, a, rb, ra)
		}
	}
}

// decideAfter decides an action for a group of the key on a changed
// version of it whose groups are the key's (groupsHold): groups of one
// actionKey decide alike after as before, once (decided, by actionKey).
func (ka *KeyAccess) decideAfter(g *group, after *Key, action string, covers []bool, decided map[string]engine.Result, b []byte) (engine.Result, []byte) {
	if g.single != nil {
		return ka.askAfter(g, after).decide(action), b
	}
	b = g.actionKey(b[:0], covers)
	if r, ok := decided[string(b)]; ok {
		return r, b
	}
	r := ka.askAfter(g, after).decide(action)
	decided[string(b)] = r
	return r, b
}

// sameIssuers reports whether the same accounts issued some grant in
// both lists.
func sameIssuers(a, b []engine.Grant) bool {
	set := func(gs []engine.Grant) map[string]bool {
		m := map[string]bool{}
		for _, g := range gs {
			m[g.IssuingAccount] = true
		}
		return m
	}
	x, y := set(a), set(b)
	if len(x) != len(y) {
		return false
	}
	for k := range x {
		if !y[k] {
			return false
		}
	}
	return true
}

// groupsHold reports whether the groups a key makes of its principals
// before a change still decide alike after it: the key names, delegates
// to or reaches through "*" no one it did not, and its conditions on the
// caller's ARN split no group it did not (a new one may test only
// principals it names, which decide alone).
func (ix *Index) groupsHold(before, after *Key) bool {
	a, b := after.facts, before.facts
	for _, v := range a.named {
		if !slices.Contains(b.named, v) {
			return false
		}
	}
	for acct := range a.accounts {
		if !b.accounts[acct] {
			return false
		}
	}
	if a.wildcard && !b.wildcard || a.personal && keyVariables(after) && !(b.personal && keyVariables(before)) {
		return false
	}
	// A principal tag the index's profiles do not tell apart splits
	// classes when the key policy tests it (newTagKeys).
	was := map[string]bool{}
	for _, k := range ix.newTagKeys(before) {
		was[k] = true
	}
	for _, k := range ix.newTagKeys(after) {
		if !was[k] {
			return false
		}
	}
	old := map[string]bool{}
	for _, c := range personalKeyConditions(before) {
		old[c.String()] = true
	}
	for _, c := range personalKeyConditions(after) {
		if old[c.String()] {
			continue
		}
		if c.LowerKey() != "aws:principalarn" || c.Set != policy.Single || c.IfExists || c.Op.Negated() {
			return false
		}
		for _, v := range c.Values {
			if strings.ContainsAny(v, "*?$") || !slices.Contains(b.named, v) {
				return false
			}
		}
	}
	return true
}

// fewReachedLimit is how many principals a change may reach for KeyDiff
// to decide them one by one.
const fewReachedLimit = 64

// fewReached lists the inventory principals a change reaches when they
// are few: those it names, or the principals of the accounts it names.
func (ix *Index) fewReached(r *reach) ([]*Principal, bool) {
	if r.everyone || r.only != nil {
		return nil, false
	}
	var out []*Principal
	seen := map[*Principal]bool{}
	add := func(p *Principal) bool {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
		return len(out) <= fewReachedLimit
	}
	if len(r.accounts) > 0 {
		for _, p := range ix.principals {
			if r.accounts[p.Account] && !add(p) {
				return nil, false
			}
		}
	}
	for _, v := range r.facts.named {
		if p, ok := ix.byARN[v]; ok {
			if !add(p) {
				return nil, false
			}
			continue
		}
		if k, name, ok := arn.IAMName(v); ok && k == "role" {
			if p, ok := ix.roleByName[arn.Account(v)+"/"+name]; ok && !add(p) {
				return nil, false
			}
		}
		if s, ok := arn.ParseSession(v); ok {
			if p, ok := ix.roleByName[s.Account+"/"+s.Role]; ok && !add(p) {
				return nil, false
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rank < out[j].rank })
	return out, true
}

// affected are the groups of a key that a change can reach, each with its
// prepared question.
type affected struct {
	groups []*group
	askers []*asker
}

func (ix *Index) affectedGroups(key *Key, reach *reach) *affected {
	out := &affected{}
	for _, g := range ix.groupsFor(key) {
		// A change that reaches one member (a role the edit names)
		// may leave the others of its group alone: any one suffices.
		if reach.affectsGroup(g) {
			out.groups = append(out.groups, g)
			out.askers = append(out.askers, ix.askPrincipal(g.rep.ARN, g.rep, key, key.ARN, askOptions{listing: true}))
		}
	}
	return out
}

// decide decides the action for every principal of the groups.
func (af *affected) decide(action string) map[*Principal]engine.Result {
	out := map[*Principal]engine.Result{}
	for i, g := range af.groups {
		r := af.askers[i].decide(action)
		for _, p := range g.members() {
			out[p] = r
		}
	}
	return out
}

// symbolPairs are the symbolic principals of two versions of a key,
// paired by what they stand for, to compare their decisions action by
// action.
type symbolPairs struct {
	names []string
	pairs map[string]*[2]*symbolic
	ka    [2]*KeyAccess
	key   string
	// shared is set when the symbols before are the key's own, whose
	// decisions the KeyAccess keeps.
	shared bool
}

func (ix *Index) newSymbolPairs(ka *KeyAccess, before, after *Key) *symbolPairs {
	sp := &symbolPairs{pairs: map[string]*[2]*symbolic{}, key: after.ARN,
		ka: [2]*KeyAccess{{ix: ix, Key: before}, {ix: ix, Key: after}}}
	sides := [2][]*symbolic{nil, ix.symbolsOf(after)}
	if ka != nil && ka.Key == before {
		// The key's own symbols, with their prepared questions.
		sp.ka[0], sides[0], sp.shared = ka, ka.symbols, true
	} else {
		sides[0] = ix.symbolsOf(before)
	}
	for i, syms := range sides {
		for _, s := range syms {
			name := string(s.kind) + "|" + s.caller + "|" + s.description
			pair := sp.pairs[name]
			if pair == nil {
				pair = &[2]*symbolic{}
				sp.pairs[name] = pair
				sp.names = append(sp.names, name)
			}
			pair[i] = s
		}
	}
	// A symbol on both sides asks the question it asked of the key
	// before, with the new policy and grants.
	for _, pair := range sp.pairs {
		if b, a := pair[0], pair[1]; b != nil && a != nil && b.fixed == nil && a.fixed == nil {
			q := *b.ask(sp.ka[0])
			q.pol.KeyPolicy, q.pol.Unread.KeyPolicy = after.Policy, after.PolicyGap
			q.pol.Grants = after.Grants
			a.once.Do(func() { a.asker = &q })
		}
	}
	return sp
}

// changes compares the symbolic principals' decisions for one action:
// of every one when both is set, else of those on one side only.
func (sp *symbolPairs) changes(action string, both bool) []Change {
	var out []Change
	for _, name := range sp.names {
		pair := sp.pairs[name]
		if !both && pair[0] != nil && pair[1] != nil {
			continue
		}
		rb, ra := noPath, noPath
		var s *symbolic
		if pair[0] != nil {
			if sp.shared {
				rb = sp.ka[0].decideSymbol(pair[0], action)
			} else {
				rb = pair[0].decide(sp.ka[0], action)
			}
			s = pair[0]
		}
		if pair[1] != nil {
			ra, s = pair[1].decide(sp.ka[1], action), pair[1]
		}
		if same(rb, ra) {
			continue
		}
		e := s.entry(ra)
		out = append(out, Change{Principal: e.Principal, Symbol: e.Symbol, Kind: e.Kind, Description: e.Description, Key: sp.key, Action: action, Before: rb, After: ra})
	}
	return out
}

// A reach is the set of principals a change can affect.
type reach struct {
	everyone bool
	accounts map[string]bool
	facts    keyFacts // named principals
	only     map[*Principal]bool
	// retirers are the accounts whose principals may retire a changed
	// grant through their IAM policies: they matter to RetireGrant only.
	retirers map[string]bool
	// changed are the statements that differ; grantOps the operations of
	// the grants that differ (with RetireGrant); any is set when every
	// action may change (the policy appeared, or went).
	changed  []*policy.Statement
	grantOps map[string]bool
	any      bool
}

// matters reports whether the change can change a decision about the
// action: a statement takes part only in the actions it matches, a grant
// only in its operations and in retiring it.
func (r *reach) matters(action string) bool {
	if r.any || r.grantOps[action] {
		return true
	}
	for _, s := range r.changed {
		if s.MatchAction(action) {
			return true
		}
	}
	return false
}

// forAction is the reach of a change for one action: RetireGrant also
// reaches the retirers.
func (r *reach) forAction(action string) *reach {
	if action != "kms:RetireGrant" || len(r.retirers) == 0 {
		return r
	}
	c := *r
	c.accounts = map[string]bool{}
	for a := range r.accounts {
		c.accounts[a] = true
	}
	for a := range r.retirers {
		c.accounts[a] = true
	}
	return &c
}

// affectsGroup reports whether a change reaches some member of a group.
// The members share their account, and a principal the key policy names
// groups alone, so the first member answers for all unless the change
// reaches listed principals only (a role an edit pins by its ARN).
func (r *reach) affectsGroup(g *group) bool {
	if r.only != nil {
		return slices.ContainsFunc(g.members(), r.affects)
	}
	return r.affects(g.members()[0])
}

func (r *reach) affects(p *Principal) bool {
	switch {
	case r.only != nil:
		return r.only[p]
	case r.everyone || r.accounts[p.Account]:
		return true
	}
	return r.facts.names(p)
}

// changedReach finds the statements and grants that differ between two
// versions of a key and who they can reach.
func changedReach(before, after *Key) *reach {
	r := &reach{accounts: map[string]bool{}, retirers: map[string]bool{}, grantOps: map[string]bool{}}
	if (before.Policy == nil) != (after.Policy == nil) {
		r.everyone, r.any = true, true
		return r
	}
	addPrincipal := func(p *policy.Principal, not bool) {
		if p == nil {
			return
		}
		if not || p.Wildcard {
			r.everyone = true
			return
		}
		for _, v := range p.AWS {
			if a := arn.AccountOfPrincipal(v); a != "" {
				r.accounts[a] = true
			} else if !slices.Contains(r.facts.named, v) {
				r.facts.named = append(r.facts.named, v)
			}
		}
	}
	if before.Policy != nil {
		count := map[string]int{}
		for _, s := range before.Policy.Statements {
			count[s.Canonical()]++
		}
		for _, s := range after.Policy.Statements {
			count[s.Canonical()]--
		}
		for _, d := range []*policy.Document{before.Policy, after.Policy} {
			for _, s := range d.Statements {
				if count[s.Canonical()] == 0 {
					continue
				}
				r.changed = append(r.changed, s)
				if arns := pinnedPrincipals(s); arns != nil {
					// The statement applies to those principals only,
					// whatever accounts its Principal names.
					for _, v := range arns {
						if !slices.Contains(r.facts.named, v) {
							r.facts.named = append(r.facts.named, v)
						}
					}
					continue
				}
				addPrincipal(s.Principal, false)
				addPrincipal(s.NotPrincipal, true)
			}
		}
	}
	grantKey := func(g engine.Grant) string {
		return strings.Join([]string{g.ID, g.GranteePrincipal, g.RetiringPrincipal, g.IssuingAccount, strings.Join(g.Operations, ","),
			mapText(g.EncryptionContextEquals), mapText(g.EncryptionContextSubset)}, "|")
	}
	gcount := map[string]int{}
	for _, g := range before.Grants {
		gcount[grantKey(g)]++
	}
	for _, g := range after.Grants {
		gcount[grantKey(g)]--
	}
	if (before.GrantsGap == nil) != (after.GrantsGap == nil) {
		r.everyone, r.any = true, true
	}
	for _, gs := range [][]engine.Grant{before.Grants, after.Grants} {
		for _, g := range gs {
			if gcount[grantKey(g)] == 0 {
				continue
			}
			for _, v := range []string{g.GranteePrincipal, g.RetiringPrincipal} {
				if a := arn.AccountOfPrincipal(v); a != "" {
					r.accounts[a] = true
				} else if v != "" {
					r.facts.named = append(r.facts.named, v)
				}
			}
		}
	}
	// The issuing account and the key's account may retire grants
	// through their IAM policies: RetireGrant reaches them (retirers).
	for _, gs := range [][]engine.Grant{before.Grants, after.Grants} {
		for _, g := range gs {
			if gcount[grantKey(g)] == 0 {
				continue
			}
			r.retirers[before.Inv.Account] = true
			if g.IssuingAccount != "" {
				r.retirers[g.IssuingAccount] = true
			}
			for _, op := range g.Operations {
				r.grantOps["kms:"+op] = true
			}
			r.grantOps["kms:RetireGrant"] = true
		}
	}
	return r
}

// pinnedPrincipals returns the principal ARNs a statement's conditions
// limit it to — ArnEquals or StringEquals on aws:PrincipalArn with fixed
// values — when its Principal names accounts only: a statement that lets
// an account's IAM policies grant actions to a few of its principals
// reaches those principals and no one else. Nil when the statement is not
// so limited.
func pinnedPrincipals(s *policy.Statement) []string {
	if s.Principal == nil || s.Principal.Wildcard || s.NotPrincipal != nil || len(s.Principal.Service)+len(s.Principal.Federated)+len(s.Principal.CanonicalUser) > 0 {
		return nil
	}
	for _, v := range s.Principal.AWS {
		if !arn.IsAccountID(v) && !strings.HasSuffix(v, ":root") {
			return nil
		}
	}
	for _, c := range s.Conditions {
		if c.LowerKey() != "aws:principalarn" || c.Set != policy.Single || c.IfExists {
			continue
		}
		if op := strings.ToLower(c.Operator); op != "arnequals" && op != "stringequals" {
			continue
		}
		fixed := true
		for _, v := range c.Values {
			if strings.ContainsAny(v, "*?$") {
				fixed = false
			}
		}
		if fixed && len(c.Values) > 0 {
			return c.Values
		}
	}
	return nil
}

func mapText(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "=" + m[k] + ";")
	}
	return b.String()
}

// IdentityDiff is the access that changes on every key when the identity
// policy (or permissions boundary) old becomes new for every principal that
// has it, for the given actions (every action on a key when nil). Only
// those principals, and only the keys their old or new statements can
// cover, are decided again.
func (ix *Index) IdentityDiff(old, new *policy.Document, actions []string) []Change {
	if actions == nil {
		actions = keyActions()
	}
	// The classes that hold the policy; one member of each decides for
	// all of them.
	var classes []*class
	for _, pr := range ix.profiles {
		for _, c := range pr.classes {
			if holds(c.members[0], old) {
				classes = append(classes, c)
			}
		}
	}
	stmts := append(kmsOf(old), kmsOf(new)...)
	// A new policy that tests principal tags (which the profiles may not
	// hold) or resolves personal variables splits every class.
	newTags := map[string]bool{}
	addTagKeys(newTags, new)
	alone := len(newTags) > 0 || usesVariables(new)
	var out []Change
	for _, k := range ix.keys {
		covered := false
		for _, s := range stmts {
			if mayCover(s, k.ARN) {
				covered = true
				break
			}
		}
		if !covered {
			continue
		}
		for _, c := range classes {
			// A member the key names, or every member when decisions
			// differ within the class, decides alone; the others share
			// one decision.
			var units [][]*Principal
			var rest []*Principal
			for _, m := range c.members {
				if c.alone || alone || k.facts.personal || k.facts.names(m) {
					units = append(units, []*Principal{m})
				} else {
					rest = append(rest, m)
				}
			}
			if len(rest) > 0 {
				units = append(units, rest)
			}
			for _, members := range units {
				rep := members[0]
				if !k.facts.wildcard && !k.facts.accounts[rep.Account] && !k.facts.names(rep) {
					continue
				}
				edited := *rep
				edited.Identity = replaceDoc(rep.Identity, old, new)
				if rep.Boundary == old {
					edited.Boundary = new
				}
				wasAsk := ix.askPrincipal(rep.ARN, rep, k, k.ARN, askOptions{listing: true})
				isAsk := ix.askPrincipal(rep.ARN, &edited, k, k.ARN, askOptions{listing: true})
				for _, a := range actions {
					rb, ra := wasAsk.decide(a), isAsk.decide(a)
					if same(rb, ra) {
						continue
					}
					for _, p := range members {
						out = append(out, Change{Principal: p.ARN, Kind: p.Kind, Description: describePrincipal(p), Key: k.ARN, Action: a, Before: rb, After: ra})
					}
				}
			}
		}
	}
	sortChanges(out)
	return out
}

func holds(p *Principal, d *policy.Document) bool {
	return p.Boundary == d || slices.Contains(p.Identity, d)
}

func replaceDoc(docs []*policy.Document, old, new *policy.Document) []*policy.Document {
	out := make([]*policy.Document, 0, len(docs))
	for _, d := range docs {
		switch {
		case d != old:
			out = append(out, d)
		case new != nil:
			out = append(out, new)
		}
	}
	return out
}

// kmsOf returns the statements of a policy that cover some KMS action on
// a key.
func kmsOf(d *policy.Document) []*policy.Statement {
	if d == nil {
		return nil
	}
	var out []*policy.Statement
	for _, s := range d.Statements {
		for i := range awsfacts.KMSActions {
			a := &awsfacts.KMSActions[i]
			if a.Resource != awsfacts.NoResource && s.MatchAction("kms:"+a.Name) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// keyActions are the KMS actions on a key.
func keyActions() []string {
	var out []string
	for _, a := range awsfacts.KMSActions {
		if a.Resource == awsfacts.KeyResource {
			out = append(out, "kms:"+a.Name)
		}
	}
	return out
}

func sortChanges(cs []Change) {
	sort.SliceStable(cs, func(i, j int) bool { return ChangeLess(&cs[i], &cs[j]) })
}

// ChangeLess is the order of changes: by key, the principals of the
// inventory and those outside it by ARN before the classes of callers,
// by name, then by action.
func ChangeLess(a, b *Change) bool {
	switch {
	case a.Key != b.Key:
		return a.Key < b.Key
	case (a.Principal == "") != (b.Principal == ""):
		return a.Principal != ""
	case a.Name() != b.Name():
		return a.Name() < b.Name()
	}
	return a.Action < b.Action
}
