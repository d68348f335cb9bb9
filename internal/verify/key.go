package verify

import (
	"slices"
	"strings"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/expect"
	"github.com/keywarden/keywarden/internal/inventory"
)

// keyVerifier holds the rules that select one key against the key's
// answers, computed once per action and shared by the rules.
type keyVerifier struct {
	ix      *access.Index
	key     *access.Key
	ka      *access.KeyAccess
	scope   *expect.Scope
	name    string
	actions map[string]*actionSubjects
}

// A subjectResult is one principal (or class) that can, or may, perform
// an action, with the engine's answer.
type subjectResult struct {
	// id tells principals and classes apart across the actions of a key.
	id      string
	subject expect.Subject
	desc    string
	result  engine.Result
}

// actionSubjects are everyone allowed (or whose answer is Unknown) for
// one action, and the listed principals among them by ARN.
type actionSubjects struct {
	all    []subjectResult
	listed map[string]int
}

func newKeyVerifier(ix *access.Index, k *access.Key) *keyVerifier {
	return &keyVerifier{ix: ix, key: k, ka: ix.Access(k), scope: scopeOf(ix.Snapshot, k.Inv.Account),
		name: keyName(k), actions: map[string]*actionSubjects{}}
}

// scopeOf is what selectors need to know of the organizations around a
// key's account.
func scopeOf(snap *inventory.Snapshot, home string) *expect.Scope {
	sc := &expect.Scope{Home: home, Orgs: map[string]string{}, Management: map[string]string{}}
	for _, a := range snap.Accounts {
		switch {
		case a.Organization != nil:
			sc.Orgs[a.ID] = a.Organization.ID
			if m := a.Organization.ManagementAccountID; m != "" {
				sc.Management[a.Organization.ID] = m
			}
		case a.OrganizationIncomplete == nil:
			sc.Orgs[a.ID] = ""
		}
	}
	sc.Org = sc.Orgs[home]
	return sc
}

// subjects returns who can (or may) perform the action on the key.
func (v *keyVerifier) subjects(action string) *actionSubjects {
	if as, ok := v.actions[action]; ok {
		return as
	}
	aa := v.ka.Action(action)
	as := &actionSubjects{listed: map[string]int{}}
	for _, g := range aa.Groups {
		grant := viaGrant(g.Result)
		for _, p := range g.Members() {
			as.listed[p.ARN] = len(as.all)
			as.all = append(as.all, subjectResult{
				id:      p.ARN,
				subject: expect.Subject{ARN: p.ARN, Kind: string(p.Kind), Account: p.Account, Listed: true, ViaGrant: grant},
				desc:    describeListed(p),
				result:  g.Result,
			})
		}
	}
	for _, e := range aa.Symbols {
		id := e.Principal
		if id == "" {
			id = "class:" + string(e.Kind) + ":" + e.Description
		}
		as.all = append(as.all, subjectResult{
			id:      id,
			subject: expect.Subject{ARN: e.Principal, Kind: string(e.Kind), Account: e.Account, Symbol: e.Symbol, ViaGrant: e.Grant != "" || viaGrant(e.Result)},
			desc:    e.Description,
			result:  e.Result,
		})
	}
	v.actions[action] = as
	return as
}

// viaGrant reports whether a grant gives the access.
func viaGrant(r engine.Result) bool {
	if r.Rule == engine.RuleGrant {
		return true
	}
	for _, reason := range r.Reasons {
		if reason.Layer == engine.LayerGrant && reason.Kind == engine.RoleGrantAllows {
			return true
		}
	}
	return false
}

func describeListed(p *access.Principal) string {
	switch p.Kind {
	case access.KindRoot:
		return "the root user of account " + p.Account
	case access.KindUser:
		return "IAM user " + p.Name
	}
	return "IAM role " + p.Name
}

// counted reports whether an answer counts as allowed under the rule: an
// Allow, unless it holds only under conditions of the request and the
// rule ignores those. An Allow that only unread inputs could take away
// counts, and so does one that needs only the caller's own IAM policies
// (a principal outside the input chooses them: its access is the key
// owner's to see whatever the rule says of conditions).
func counted(r engine.Result, c expect.Conditional) bool {
	return r.Decision == engine.Allow && (c == expect.Counts || !r.Conditional || !onRequest(r))
}

// onRequest reports whether an Allow depends on the request: on a
// condition that is neither an unread input's nor the caller's own IAM.
func onRequest(r engine.Result) bool {
	for _, c := range r.Conditions {
		if c != r.OwnIAM && !slices.Contains(r.Unless, c) {
			return true
		}
	}
	return false
}

// keyUsage is the key's usage, "" when its metadata was not read.
func keyUsage(k *access.Key) string {
	if md := k.Inv.Metadata; md != nil {
		return md.KeyUsage
	}
	return ""
}

// rule holds one rule against the key.
func (v *keyVerifier) rule(i int, r *expect.Rule) partial {
	p := partial{rule: i}
	usage := keyUsage(v.key)
	switch r.Form {
	case expect.Only, expect.Exactly, expect.Never:
		v.forbid(&p, r, expect.Expand(r.Operations, usage))
	case expect.Separate:
		v.separate(&p, r, expect.Expand(r.Separate[0], usage), expect.Expand(r.Separate[1], usage))
	}
	if r.Requires() {
		v.require(&p, r, expect.Expand(r.Operations, usage))
	}
	return p
}

// hits collects, per principal, the actions of one counterexample with
// the answers, in the order principals are first met.
type hits struct {
	order []string
	by    map[string]*hitList
}

type hitList struct {
	sr      subjectResult
	partial bool
	actions []string
	results []engine.Result
}

func (h *hits) add(sr subjectResult, partial bool, action string, r engine.Result) {
	if h.by == nil {
		h.by = map[string]*hitList{}
	}
	l := h.by[sr.id]
	if l == nil {
		l = &hitList{sr: sr}
		h.by[sr.id] = l
		h.order = append(h.order, sr.id)
	}
	l.partial = l.partial || partial
	l.actions = append(l.actions, action)
	l.results = append(l.results, r)
}

// counterexamples turns the hits into counterexamples.
func (v *keyVerifier) counterexamples(h *hits, problem Problem) []Counterexample {
	var out []Counterexample
	for _, id := range h.order {
		l := h.by[id]
		c := v.counterexample(problem, l.sr)
		c.Partial = l.partial
		c.Actions = l.actions
		c.Explanations = Explain(l.actions, l.results)
		out = append(out, c)
	}
	return out
}

func (v *keyVerifier) counterexample(problem Problem, sr subjectResult) Counterexample {
	c := Counterexample{Problem: problem, Principal: sr.subject.ARN, Kind: access.Kind(sr.subject.Kind),
		Description: sr.desc, Key: v.key.ARN, KeyName: v.name}
	if sr.subject.Symbol != nil {
		sym := *sr.subject.Symbol
		c.Symbol = &sym
	}
	return c
}

// forbid finds who can perform the operations though an only or exactly
// rule does not list them, or a never rule forbids it.
func (v *keyVerifier) forbid(p *partial, r *expect.Rule, ops []string) {
	var bad, unknown hits
	for _, a := range ops {
		for _, sr := range v.subjects(a).all {
			var m expect.Match
			if r.Allows() {
				if m = expect.MatchAny(r.Principals, &sr.subject, v.scope); m == expect.Yes {
					continue
				}
			} else {
				if expect.MatchAny(r.Except, &sr.subject, v.scope) == expect.Yes {
					continue
				}
				if m = expect.MatchAny(r.Principals, &sr.subject, v.scope); m == expect.No {
					continue
				}
			}
			switch {
			case counted(sr.result, r.Conditional):
				bad.add(sr, m == expect.Maybe, a, sr.result)
			case sr.result.Decision == engine.Unknown:
				unknown.add(sr, m == expect.Maybe, a, sr.result)
			}
		}
	}
	problem := Forbidden
	if r.Allows() {
		problem = NotListed
	}
	p.violations = append(p.violations, v.counterexamples(&bad, problem)...)
	p.unknown = append(p.unknown, v.counterexamples(&unknown, problem)...)
}

// separate finds who can perform operations of both lists.
func (v *keyVerifier) separate(p *partial, r *expect.Rule, first, second []string) {
	type sides struct {
		sr                 subjectResult
		allowed, uncertain [2]bool
		hits               hitList
	}
	var order []string
	by := map[string]*sides{}
	for side, ops := range [2][]string{first, second} {
		for _, a := range ops {
			for _, sr := range v.subjects(a).all {
				if expect.MatchAny(r.Except, &sr.subject, v.scope) == expect.Yes {
					continue
				}
				s := by[sr.id]
				if s == nil {
					s = &sides{sr: sr}
					by[sr.id] = s
					order = append(order, sr.id)
				}
				switch {
				case counted(sr.result, r.Conditional):
					s.allowed[side] = true
				case sr.result.Decision == engine.Unknown:
					s.uncertain[side] = true
				default:
					continue
				}
				s.hits.actions = append(s.hits.actions, a)
				s.hits.results = append(s.hits.results, sr.result)
			}
		}
	}
	for _, id := range order {
		s := by[id]
		var list *[]Counterexample
		switch {
		case s.allowed[0] && s.allowed[1]:
			list = &p.violations
		case (s.allowed[0] || s.uncertain[0]) && (s.allowed[1] || s.uncertain[1]):
			list = &p.unknown
		default:
			continue
		}
		c := v.counterexample(Both, s.sr)
		c.Actions = s.hits.actions
		c.Explanations = Explain(s.hits.actions, s.hits.results)
		*list = append(*list, c)
	}
}

// require checks that every principal a must (or exactly) rule names can
// perform every operation.
func (v *keyVerifier) require(p *partial, r *expect.Rule, ops []string) {
	for i := range r.Principals {
		sel := &r.Principals[i]
		text := PrincipalSelectorText(sel)
		listed := v.listedMatching(sel, r.Except)
		if len(listed) > 0 {
			for _, pr := range listed {
				var bad, unknown hitList
				for _, a := range ops {
					as := v.subjects(a)
					var res engine.Result
					if j, ok := as.listed[pr.ARN]; ok {
						res = as.all[j].result
					} else {
						res = v.denial(pr, a)
					}
					switch {
					case counted(res, r.Conditional):
						p.caveats = append(p.caveats, res.Unless...)
					case res.Decision == engine.Unknown:
						unknown.actions = append(unknown.actions, a)
						unknown.results = append(unknown.results, res)
					default:
						bad.actions = append(bad.actions, a)
						bad.results = append(bad.results, res)
					}
				}
				sr := subjectResult{subject: expect.Subject{ARN: pr.ARN, Kind: string(pr.Kind), Account: pr.Account, Listed: true}, desc: describeListed(pr)}
				for _, l := range []struct {
					hits *hitList
					to   *[]Counterexample
				}{{&bad, &p.violations}, {&unknown, &p.unknown}} {
					if len(l.hits.actions) == 0 {
						continue
					}
					c := v.counterexample(Cannot, sr)
					c.Selector = text
					c.Actions = l.hits.actions
					c.Explanations = Explain(l.hits.actions, l.hits.results)
					*l.to = append(*l.to, c)
				}
			}
			continue
		}
		// No principal of the input matches: principals outside it and
		// classes must.
		var missing, uncertain hitList
		for _, a := range ops {
			found, maybe := false, -1
			as := v.subjects(a)
			for j := range as.all {
				sr := &as.all[j]
				if sr.subject.Listed || sel.Match(&sr.subject, v.scope) != expect.Yes || expect.MatchAny(r.Except, &sr.subject, v.scope) == expect.Yes {
					continue
				}
				if counted(sr.result, r.Conditional) {
					found = true
					p.caveats = append(p.caveats, sr.result.Unless...)
					break
				}
				if sr.result.Decision == engine.Unknown && maybe < 0 {
					maybe = j
				}
			}
			switch {
			case found:
			case maybe >= 0:
				uncertain.actions = append(uncertain.actions, a)
				uncertain.results = append(uncertain.results, as.all[maybe].result)
			default:
				missing.actions = append(missing.actions, a)
				missing.results = append(missing.results, engine.Result{Decision: engine.ImplicitDeny,
					Summary: "no principal matching " + text + " can perform " + a + " on this key"})
			}
		}
		for _, l := range []struct {
			hits *hitList
			to   *[]Counterexample
		}{{&missing, &p.violations}, {&uncertain, &p.unknown}} {
			if len(l.hits.actions) == 0 {
				continue
			}
			c := Counterexample{Problem: Nobody, Selector: text, Description: "no principal matching " + text,
				Key: v.key.ARN, KeyName: v.name, Actions: l.hits.actions, Explanations: Explain(l.hits.actions, l.hits.results)}
			*l.to = append(*l.to, c)
		}
	}
}

// listedMatching returns the principals of the input the selector
// matches (and the exceptions do not).
func (v *keyVerifier) listedMatching(sel *expect.PrincipalSelector, except []expect.PrincipalSelector) []*access.Principal {
	match := func(pr *access.Principal) bool {
		s := expect.Subject{ARN: pr.ARN, Kind: string(pr.Kind), Account: pr.Account, Listed: true}
		return sel.Match(&s, v.scope) == expect.Yes && expect.MatchAny(except, &s, v.scope) != expect.Yes
	}
	if sel.ARN != "" && !strings.ContainsAny(sel.ARN, "*?") {
		// One ARN: no need to look at every principal.
		pr, err := v.ix.Principal(sel.ARN)
		if err != nil || pr.ARN != sel.ARN || !match(pr) {
			return nil
		}
		return []*access.Principal{pr}
	}
	var out []*access.Principal
	for _, pr := range v.ix.Principals() {
		if match(pr) {
			out = append(out, pr)
		}
	}
	return out
}

// denial asks the engine why a principal cannot perform an action on the
// key: the statements that allowed part of the way, the Deny that
// applied.
func (v *keyVerifier) denial(pr *access.Principal, action string) engine.Result {
	ans, err := v.ix.Can(access.Question{Principal: pr.ARN, Action: action, Resource: v.key.ARN})
	if err != nil || len(ans.Steps) == 0 {
		summary := "denied"
		if err != nil {
			summary = err.Error()
		}
		return engine.Result{Decision: engine.ImplicitDeny, Summary: summary}
	}
	return ans.Steps[0].Result
}
