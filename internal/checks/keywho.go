package checks

import (
	"sort"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/policy"
)

// This file groups who-can answers the way the key-policy checks report
// them: by the principal the key policy names, with "*" standing for
// everyone a wildcard (or NotPrincipal) statement reaches.

// anyone is the subject of findings about wildcard statements.
const anyone = "*"

// whoCanMemo keeps the who-can answers of the checks of one key: of the
// key itself (the KeyAccess the scan shares) and of the variants of it
// that checks build to isolate statements or verify fixes.
type whoCanMemo struct {
	env     *Env
	access  map[*access.Key]*access.KeyAccess
	m       map[*access.Key]map[string]*access.WhoCanResult
	partsOf map[*access.Key]keyParts
}

func newWhoCanMemo(env *Env) *whoCanMemo {
	return &whoCanMemo{env: env, access: map[*access.Key]*access.KeyAccess{}, m: map[*access.Key]map[string]*access.WhoCanResult{}}
}

// outside lists who can perform the action on the key among the
// principals of other accounts (and the symbolic ones): what
// key-cross-account asks, without deciding for every principal of the
// key's own account.
func (w *whoCanMemo) outside(k *access.Key, action string) []access.Entry {
	ka := w.access[k]
	if ka == nil {
		ka = w.env.Index.Access(k)
		w.access[k] = ka
	}
	aa := ka.Outside(action)
	var out []access.Entry
	for _, g := range aa.Groups {
		for _, p := range g.Members() {
			if p.Account != k.Inv.Account {
				out = append(out, access.EntryOf(g.Result, p))
			}
		}
	}
	out = append(out, aa.Symbols...)
	access.SortEntries(out)
	return out
}

// entryFor is who-can's entry for one subject (a principal ARN): asked of
// its group for a principal of the inventory, found in the list for one
// outside it. ok is false when the subject cannot perform the action.
func (w *whoCanMemo) entryFor(k *access.Key, action, subject string) (access.Entry, bool) {
	if p, err := w.env.Index.Principal(subject); err == nil && p.ARN == subject {
		ka := w.access[k]
		if ka == nil {
			ka = w.env.Index.Access(k)
			w.access[k] = ka
		}
		r := ka.For(action, p)
		if r.Decision != engine.Allow && r.Decision != engine.Unknown {
			return access.Entry{}, false
		}
		return access.EntryOf(r, p), true
	}
	for _, e := range w.get(k, action).Entries {
		if e.Principal == subject {
			return e, true
		}
	}
	return access.Entry{}, false
}

// action is the key's answer about an action, by groups.
func (w *whoCanMemo) action(k *access.Key, action string) *access.ActionAccess {
	ka := w.access[k]
	if ka == nil {
		ka = w.env.Index.Access(k)
		w.access[k] = ka
	}
	return ka.Action(action)
}

func (w *whoCanMemo) get(k *access.Key, action string) *access.WhoCanResult {
	byAction := w.m[k]
	if byAction == nil {
		byAction = map[string]*access.WhoCanResult{}
		w.m[k] = byAction
	}
	if r, ok := byAction[action]; ok {
		return r
	}
	ka := w.access[k]
	if ka == nil {
		ka = w.env.Index.Access(k)
		w.access[k] = ka
	}
	r, err := ka.WhoCan(action)
	if err != nil {
		r = &access.WhoCanResult{Action: action, Key: k.ARN}
	}
	byAction[action] = r
	return r
}

// namingStatements are the Allow statements of a key policy that name the
// principal explicitly (its ARN, as written) and cover the action.
func namingStatements(d *policy.Document, principal, action string) []*policy.Statement {
	var out []*policy.Statement
	for _, s := range d.Statements {
		if s.Effect != policy.Allow || s.Principal == nil || !s.MatchAction(action) {
			continue
		}
		for _, v := range s.Principal.AWS {
			if v == principal {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// subjectAccess is what one subject may do with a key, and how.
type subjectAccess struct {
	subject string
	kind    access.Kind
	actions map[string]bool
	// unknown actions could not be decided (missing data).
	unknown map[string]bool
	missing map[string]bool
	stmts   map[int]*policy.Statement
	conds   map[string]bool
	// reached counts the principals a "*" subject stands for;
	// firstReached are the first five by ARN.
	reached      int
	firstReached []string
}

func newSubjectAccess(subject string, kind access.Kind) *subjectAccess {
	return &subjectAccess{subject: subject, kind: kind, actions: map[string]bool{}, unknown: map[string]bool{},
		missing: map[string]bool{}, stmts: map[int]*policy.Statement{}, conds: map[string]bool{}}
}

func (s *subjectAccess) statements() []*policy.Statement {
	var out []*policy.Statement
	for _, st := range s.stmts {
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Index < out[j].Index })
	return out
}

func (s *subjectAccess) record(e access.Entry, action string, stmts []*policy.Statement) {
	if e.Decision == engine.Unknown {
		s.unknown[action] = true
		for _, m := range e.Result.Missing {
			s.missing[m] = true
		}
	} else {
		s.actions[action] = true
	}
	for _, st := range stmts {
		s.stmts[st.Index] = st
	}
	for _, c := range e.Conditions {
		s.conds[c] = true
	}
}

// policyPart is the key with only some Allow statements of its key policy
// (every Deny stays, so what they deny stays denied) and no grants: the
// engine then answers "what do these statements give on their own", which
// the whole policy can hide when another statement allows first. A kept
// statement may have its Principal replaced; indexes stay those of the
// real policy, so explanations cite real statements.
func policyPart(k *access.Key, edit func(s *policy.Statement) *policy.Statement) *access.Key {
	d := *k.Policy
	d.Statements = nil
	for _, s := range k.Policy.Statements {
		if s.Effect == policy.Deny {
			d.Statements = append(d.Statements, s)
			continue
		}
		if e := edit(s); e != nil {
			d.Statements = append(d.Statements, e)
		}
	}
	part := k.WithPolicy(&d)
	part = part.WithGrants(nil)
	return part
}

// namedPart keeps the Allow statements that name principals, without the
// account principal (delegation is not direct access).
func namedPart(k *access.Key) *access.Key {
	acct := k.Inv.Account
	return policyPart(k, func(s *policy.Statement) *policy.Statement {
		if s.Principal == nil || s.Principal.Wildcard {
			return nil
		}
		pr := *s.Principal
		pr.AWS = nil
		for _, v := range s.Principal.AWS {
			if !isAccountPrincipal(v, acct) {
				pr.AWS = append(pr.AWS, v)
			}
		}
		if len(pr.AWS) == 0 {
			return nil
		}
		c := *s
		c.Principal = &pr
		return &c
	})
}

// wildPart keeps the Allow statements that name "*" or use NotPrincipal.
func wildPart(k *access.Key) *access.Key {
	return policyPart(k, func(s *policy.Statement) *policy.Statement {
		if s.NotPrincipal != nil || s.Principal != nil && s.Principal.Wildcard {
			return s
		}
		return nil
	})
}

// keyParts caches a key's parts within one check run.
type keyParts struct{ named, wild *access.Key }

func (w *whoCanMemo) parts(k *access.Key) keyParts {
	if w.partsOf == nil {
		w.partsOf = map[*access.Key]keyParts{}
	}
	p, ok := w.partsOf[k]
	if !ok {
		p = keyParts{named: namedPart(k), wild: wildPart(k)}
		w.partsOf[k] = p
	}
	return p
}

// anyAccountPrincipal stands for an arbitrary principal of the key's own
// account that no statement names.
func anyAccountPrincipal(acct string) probe {
	return probe{sym: engine.Symbol{Account: acct}, absent: directCallAbsent}
}

// directAccess groups what principals can do with the key through the key
// policy alone, without account delegation or grants (the engine's
// key-policy-direct rule), by subject: each principal the key policy names,
// and "*" for what wildcard and NotPrincipal statements give an arbitrary
// principal of the key's account.
func directAccess(w *whoCanMemo, k *access.Key, actions []string) map[string]*subjectAccess {
	out := map[string]*subjectAccess{}
	parts := w.parts(k)
	record := func(e access.Entry, a string) {
		if e.Via != engine.RuleDirect || (e.Decision != engine.Allow && e.Decision != engine.Unknown) {
			return
		}
		sa := out[e.Principal]
		if sa == nil {
			sa = newSubjectAccess(e.Principal, e.Kind)
			out[e.Principal] = sa
		}
		stmts := namingStatements(k.Policy, e.Principal, a)
		if len(stmts) == 0 {
			stmts = keyPolicyStatements(k.Policy, e.Result)
		}
		sa.record(e, a, stmts)
	}
	// The principals "*" reaches, as groups of the key's answers: a
	// principal is in one group of a key, so distinct groups hold
	// distinct principals.
	var reached []access.GroupResult
	seen := map[*access.Principal]bool{} // by a group's first member
	for _, a := range actions {
		// Groups share their decision: only those the key policy
		// allows directly are listed member by member.
		aa := w.action(parts.named, a)
		for _, g := range aa.Groups {
			if g.Result.Rule == engine.RuleDirect {
				for _, p := range g.Members() {
					record(access.EntryOf(g.Result, p), a)
				}
			}
		}
		for _, e := range aa.Symbols {
			record(e, a)
		}
		if len(wildcardStatements(k.Policy)) == 0 {
			continue
		}
		r := decideProbe(w.env, parts.wild, anyAccountPrincipal(k.Inv.Account), a)
		if (r.Decision != engine.Allow && r.Decision != engine.Unknown) || r.Rule != engine.RuleDirect {
			continue
		}
		sa := out[anyone]
		if sa == nil {
			sa = newSubjectAccess(anyone, access.KindAnyone)
			out[anyone] = sa
		}
		sa.record(access.Entry{Principal: anyone, Decision: r.Decision, Conditions: r.Conditions, Result: r}, a, keyPolicyStatements(k.Policy, r))
		for _, g := range w.action(parts.wild, a).Groups {
			if ms := g.Members(); g.Result.Decision == engine.Allow && len(ms) > 0 && !seen[ms[0]] {
				seen[ms[0]] = true
				reached = append(reached, g)
			}
		}
	}
	if sa := out[anyone]; sa != nil {
		sa.reached, sa.firstReached = reachedOf(reached)
	}
	return out
}

// reachedOf counts the members of groups and lists the first five ARNs.
func reachedOf(groups []access.GroupResult) (int, []string) {
	n := 0
	var first []string
	for _, g := range groups {
		ms := g.Members()
		n += len(ms)
		for i := 0; i < len(ms) && i < 5; i++ {
			first = append(first, ms[i].ARN)
		}
	}
	sort.Strings(first)
	if len(first) > 5 {
		first = first[:5]
	}
	return n, first
}

// subjectsSorted returns the subjects, "*" first.
func subjectsSorted(m map[string]*subjectAccess) []*subjectAccess {
	var out []*subjectAccess
	for _, s := range m {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].subject < out[j].subject })
	return out
}

// principalLabel names a subject in messages.
func principalLabel(subject string) string {
	if subject == anyone {
		return "\"*\""
	}
	return subject
}
