package access

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/keywarden/keywarden/internal/arn"
	"github.com/keywarden/keywarden/internal/policy"
)

// A group is principals of the inventory that decide alike on the key.
// It is built when the KeyAccess is made; its members are listed on first
// use.
type group struct {
	rep *Principal
	// part, when set, is a partition shared with the other keys of the
	// same coverage, whole: its classes are the group's.
	part    *partition
	classes []*class
	// list holds the members instead of classes when the key policy's
	// conditions on principals' ARNs split classes.
	list []*Principal
	// single is set for a principal that decides alone: the key names
	// it, its policies resolve variables, or the key policy tests its ARN.
	single *Principal
	// profile, rel and split are what the group's decisions depend on
	// besides the key (groupKey): an action's decision depends only on
	// the statements of rel that cover the action (actionKey).
	profile int
	rel     []int
	split   string
	once    sync.Once
	asker   *asker
	// all is members(), built once.
	allOnce sync.Once
	all     []*Principal
}

// members returns the group's principals in the order of answers (by
// kind, then ARN: one group holds one kind of principal).
func (g *group) members() []*Principal {
	if g.part != nil {
		return g.part.members()
	}
	g.allOnce.Do(func() {
		if g.single != nil {
			g.all = []*Principal{g.single}
			return
		}
		g.all = classMembers(g.classes, g.list)
	})
	return g.all
}

// classList is the classes whose members are all in the group.
func (g *group) classList() []*class {
	if g.part != nil {
		return g.part.classes
	}
	return g.classes
}

// classMembers lists the members of classes, and principals of list, in
// the order of answers.
func classMembers(classes []*class, list []*Principal) []*Principal {
	if len(list) == 0 && len(classes) == 1 {
		return classes[0].members
	}
	runs := make([][]*Principal, 0, len(classes)+1)
	if len(list) > 0 {
		l := slices.Clone(list)
		slices.SortFunc(l, func(a, b *Principal) int { return a.rank - b.rank })
		runs = append(runs, l)
	}
	for _, c := range classes {
		runs = append(runs, c.members)
	}
	out := make([]*Principal, 0, runLen(runs))
	mergeRuns(runs, func(_ int, p *Principal) { out = append(out, p) })
	return out
}

// A partition is classes of one profile whose identity statements that
// cover a key are the same, for every key that the same pattern statements
// cover and whose policy reaches the same accounts (a coverage): most keys
// of an account share a few coverages, so the classes are sorted into
// partitions once per coverage, not once per key. Statements that name a
// key exactly, and principals a key names, are the key's own (groupsFor).
type partition struct {
	profile int
	rel     []int
	classes []*class
	allOnce sync.Once
	all     []*Principal
}

func (p *partition) members() []*Principal {
	p.allOnce.Do(func() { p.all = classMembers(p.classes, nil) })
	return p.all
}

// A coverage is the partitions of one coverage, built on first use.
type coverage struct {
	once  sync.Once
	parts []*partition
	// of finds a class's partition; alone are the classes reached whose
	// members decide alone.
	of    map[*class]*partition
	alone []*class
}

// maxCoverages bounds the coverages kept: an inventory whose keys all
// differ keeps only the latest.
const maxCoverages = 64

// coverageOf returns the partitions of the key's coverage.
func (ix *Index) coverageOf(key *Key, patterns []int) *coverage {
	f := key.facts
	b := []byte{'n'}
	if f.wildcard {
		b[0] = 'w'
	} else {
		accts := make([]string, 0, len(f.accounts))
		for a := range f.accounts {
			accts = append(accts, a)
		}
		sort.Strings(accts)
		for _, a := range accts {
			b = append(b, a...)
			b = append(b, ',')
		}
	}
	for _, id := range patterns {
		b = append(b, '|')
		b = strconv.AppendInt(b, int64(id), 10)
	}
	ix.coverageMu.Lock()
	cv := ix.coverages[string(b)]
	if cv == nil {
		if len(ix.coverages) >= maxCoverages {
			clear(ix.coverages)
		}
		cv = &coverage{}
		ix.coverages[string(b)] = cv
	}
	ix.coverageMu.Unlock()
	cv.once.Do(func() { ix.buildCoverage(cv, key, patterns) })
	return cv
}

// buildCoverage sorts the classes that the pattern statements reach into
// partitions.
func (ix *Index) buildCoverage(cv *coverage, key *Key, patterns []int) {
	f := key.facts
	covered := make([]bool, len(ix.stmts))
	for _, id := range patterns {
		covered[id] = true
	}
	cv.of = map[*class]*partition{}
	byKey := map[string]*partition{}
	for _, c := range ix.reachedClasses(key, patterns) {
		rel, allows := relevant(c.kms, covered, ix.stmts)
		if !f.wildcard && !allows && c.profile.kind != KindRoot && !c.profile.identityGap {
			continue
		}
		if c.alone {
			cv.alone = append(cv.alone, c)
			continue
		}
		gk := groupKey(c.profile.id, rel, "")
		p := byKey[gk]
		if p == nil {
			p = &partition{profile: c.profile.id, rel: rel}
			byKey[gk] = p
			cv.parts = append(cv.parts, p)
		}
		p.classes = append(p.classes, c)
		cv.of[c] = p
	}
}

// groupsFor splits the principals something on the key can reach into
// groups that decide alike: the partitions of the key's coverage, less the
// classes that the key's own statements (those naming it exactly) or its
// named principals set apart, which are grouped again for the key.
func (ix *Index) groupsFor(key *Key) []*group {
	f := key.facts
	gr := &grouper{ix: ix, key: key, singles: map[*Principal]bool{}, split: map[*class]bool{}, byKey: map[string]*group{}}
	gr.named()
	if !f.wildcard && len(f.accounts) == 0 {
		return gr.out
	}
	var exact, patterns []int
	gr.covered, exact, patterns = ix.coveredStatements(key)
	gr.personal = personalKeyConditions(key)
	gr.variables = f.personal && keyVariables(key)
	gr.tags = ix.newTagKeys(key)
	if len(gr.personal) > 0 || gr.variables || len(gr.tags) > 0 {
		// The key tells the members of classes apart: every class is
		// the key's own.
		for _, c := range ix.reachedClasses(key, append(exact, patterns...)) {
			gr.class(c)
		}
		return gr.out
	}
	cv := ix.coverageOf(key, patterns)
	own := map[*class]bool{}
	for _, id := range exact {
		for _, c := range ix.stmtClasses[id] {
			own[c] = true
		}
	}
	for c := range gr.split {
		own[c] = true
	}
	for _, c := range cv.alone {
		own[c] = true
	}
	cut := map[*partition]bool{}
	for c := range own {
		if p := cv.of[c]; p != nil {
			cut[p] = true
		}
	}
	for _, p := range cv.parts {
		if !cut[p] {
			gr.out = append(gr.out, &group{rep: p.classes[0].members[0], part: p, profile: p.profile, rel: p.rel})
			continue
		}
		var rest []*class
		for _, c := range p.classes {
			if !own[c] {
				rest = append(rest, c)
			}
		}
		if len(rest) > 0 {
			gr.out = append(gr.out, &group{rep: rest[0].members[0], classes: rest, profile: p.profile, rel: p.rel})
		}
	}
	owned := make([]*class, 0, len(own))
	for c := range own {
		if f.wildcard || f.accounts[c.profile.acct.inv.ID] {
			owned = append(owned, c)
		}
	}
	sortClasses(owned)
	for _, c := range owned {
		gr.class(c)
	}
	return gr.out
}

// A grouper sorts the principals of one key into groups.
type grouper struct {
	ix        *Index
	key       *Key
	covered   []bool
	personal  []*policy.Condition
	variables bool
	tags      []string
	singles   map[*Principal]bool
	// split are the classes with a member that decides alone.
	split map[*class]bool
	byKey map[string]*group
	out   []*group
}

func (gr *grouper) single(p *Principal) {
	if !gr.singles[p] {
		gr.singles[p] = true
		gr.split[p.class] = true
		gr.out = append(gr.out, &group{rep: p, single: p})
	}
}

// named sets apart the principals the key names: they decide alone.
func (gr *grouper) named() {
	ix := gr.ix
	for _, v := range gr.key.facts.named {
		if p, ok := ix.byARN[v]; ok {
			gr.single(p)
			continue
		}
		if k, name, ok := arn.IAMName(v); ok && k == "role" {
			if p, ok := ix.roleByName[arn.Account(v)+"/"+name]; ok {
				gr.single(p)
			}
		}
		if s, ok := arn.ParseSession(v); ok {
			if p, ok := ix.roleByName[s.Account+"/"+s.Role]; ok {
				gr.single(p)
			}
		}
	}
}

// class groups the members of one class that the key reaches.
func (gr *grouper) class(c *class) {
	f, pr := gr.key.facts, c.profile
	rel, allows := relevant(c.kms, gr.covered, gr.ix.stmts)
	if !f.wildcard && !allows && pr.kind != KindRoot && !pr.identityGap {
		// Delegation needs an identity Allow that covers the key.
		return
	}
	if c.alone || gr.variables {
		for _, p := range c.members {
			gr.single(p)
		}
		return
	}
	if len(gr.personal) == 0 && len(gr.tags) == 0 && !gr.split[c] {
		// The whole class decides alike: one key for it.
		gk := groupKey(pr.id, rel, "")
		g := gr.byKey[gk]
		if g == nil {
			g = &group{rep: c.members[0], profile: pr.id, rel: rel}
			gr.byKey[gk] = g
			gr.out = append(gr.out, g)
		}
		g.classes = append(g.classes, c)
		return
	}
	// The key tests principals' ARNs or tags their profiles do not hold,
	// or names some members: the class splits.
	for _, p := range c.members {
		if gr.singles[p] {
			continue
		}
		sp := splitKey(p, gr.personal, gr.tags)
		gk := groupKey(pr.id, rel, sp)
		g := gr.byKey[gk]
		if g == nil {
			g = &group{rep: p, profile: pr.id, rel: rel, split: sp}
			gr.byKey[gk] = g
			gr.out = append(gr.out, g)
		}
		g.list = append(g.list, p)
	}
}

// sortClasses orders classes by profile, then as they were made.
func sortClasses(cs []*class) {
	slices.SortFunc(cs, func(a, b *class) int {
		if a.profile.id != b.profile.id {
			return a.profile.id - b.profile.id
		}
		return a.seq - b.seq
	})
}

// groupKey is what a principal's decisions on a key depend on: its
// profile, its identity statements that can reach the key, and split.
func groupKey(profileID int, rel []int, split string) string {
	b := strconv.AppendInt(nil, int64(profileID), 10)
	for _, id := range rel {
		b = append(b, '|')
		b = strconv.AppendInt(b, int64(id), 10)
	}
	return string(append(b, split...))
}

// splitKey is how the key policy's conditions on its ARN come out for a
// principal, and its values of the tags the key policy tests that its
// profile does not hold.
func splitKey(p *Principal, personal []*policy.Condition, tags []string) string {
	var b strings.Builder
	if len(personal) > 0 {
		b.WriteByte('#')
		ctx := ownContext(p)
		for _, c := range personal {
			b.WriteByte("ftu"[c.Eval(ctx)])
		}
	}
	for _, k := range tags {
		b.WriteString("#" + k)
		for _, t := range p.Tags {
			if strings.EqualFold(t.Key, k) {
				b.WriteString("=" + strconv.Quote(t.Value))
			}
		}
	}
	return b.String()
}

// actionKey is groupKey with only the statements that cover the action:
// what the group's decision of that action depends on.
func (g *group) actionKey(b []byte, covers []bool) []byte {
	b = strconv.AppendInt(b, int64(g.profile), 10)
	for _, id := range g.rel {
		if covers[id] {
			b = append(b, '|')
			b = strconv.AppendInt(b, int64(id), 10)
		}
	}
	return append(b, g.split...)
}

// newTagKeys are the principal tag keys the key policy tests that the
// profiles do not hold: a key policy edited after the index was built
// (KeyDiff) may test tags no policy of the inventory tests.
func (ix *Index) newTagKeys(key *Key) []string {
	if key.Policy == nil {
		return nil
	}
	used := map[string]bool{}
	addTagKeys(used, key.Policy)
	var out []string
	for k := range used {
		if !ix.tagKeys[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
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
// include the key: those that name its ARN exactly (found in an index),
// and those with patterns that match it. It returns them also as lists,
// the exact ones and the patterns.
func (ix *Index) coveredStatements(key *Key) (covered []bool, exact, patterns []int) {
	covered = make([]bool, len(ix.stmts))
	for _, id := range ix.exactStmts[foldARN(key.ARN)] {
		if !covered[id] {
			covered[id] = true
			exact = append(exact, id)
		}
	}
	for _, id := range ix.patternStmts {
		if mayCover(ix.stmts[id], key.ARN) {
			covered[id] = true
			patterns = append(patterns, id)
		}
	}
	return covered, exact, patterns
}

// reachedClasses are the classes that something on the key can reach, in
// the order of the index: every class when the key policy allows "*";
// otherwise the classes of the accounts it delegates to that hold an Allow
// statement covering the key (found from the statements, without visiting
// the other classes), and those of the root users and of principals with
// unread identity policies there.
func (ix *Index) reachedClasses(key *Key, covered []int) []*class {
	f := key.facts
	var out []*class
	if f.wildcard {
		for _, pr := range ix.profiles {
			out = append(out, pr.classes...)
		}
		return out
	}
	seen := map[*class]bool{}
	add := func(c *class) {
		if !seen[c] && f.accounts[c.profile.acct.inv.ID] {
			seen[c] = true
			out = append(out, c)
		}
	}
	for _, id := range covered {
		if ix.stmts[id].Effect == policy.Allow {
			for _, c := range ix.stmtClasses[id] {
				add(c)
			}
		}
	}
	for _, pr := range ix.openProfiles {
		for _, c := range pr.classes {
			add(c)
		}
	}
	sortClasses(out)
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

// keyVariables reports whether the key policy resolves policy variables
// whose values differ between principals of one profile.
func keyVariables(key *Key) bool { return usesVariables(key.Policy) }
