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

func sortedCopy(ss []string) []string {
	out := append([]string(nil), ss...)
	sort.Strings(out)
	return out
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
	reach := changedReach(before, after)
	wasGroups, isGroups := ix.affectedGroups(before, reach), ix.affectedGroups(after, reach)
	var out []Change
	for _, a := range actions {
		was := wasGroups.decide(a)
		is := isGroups.decide(a)
		for _, p := range ix.principals {
			if !reach.affects(p) {
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
			if !same(rb, ra) {
				out = append(out, Change{Principal: p.ARN, Kind: p.Kind, Description: describePrincipal(p), Key: after.ARN, Action: a, Before: rb, After: ra})
			}
		}
		out = append(out, ix.symbolChanges(before, after, a)...)
	}
	sortChanges(out)
	return out
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
		if reach.affects(g.members()[0]) {
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

// symbolChanges compares the symbolic principals of two versions of a key.
func (ix *Index) symbolChanges(before, after *Key, action string) []Change {
	type side struct {
		s *symbolic
		r engine.Result
	}
	byName := map[string]*[2]*side{}
	var names []string
	for i, k := range []*Key{before, after} {
		ka := &KeyAccess{ix: ix, Key: k}
		for _, s := range ix.symbolsOf(k) {
			name := string(s.kind) + "|" + s.caller + "|" + s.description
			pair := byName[name]
			if pair == nil {
				pair = &[2]*side{}
				byName[name] = pair
				names = append(names, name)
			}
			pair[i] = &side{s, s.decide(ka, action)}
		}
	}
	var out []Change
	for _, name := range names {
		pair := byName[name]
		rb, ra := noPath, noPath
		var s *symbolic
		if pair[0] != nil {
			rb, s = pair[0].r, pair[0].s
		}
		if pair[1] != nil {
			ra, s = pair[1].r, pair[1].s
		}
		if same(rb, ra) {
			continue
		}
		e := s.entry(ra)
		out = append(out, Change{Principal: e.Principal, Symbol: e.Symbol, Kind: e.Kind, Description: e.Description, Key: after.ARN, Action: action, Before: rb, After: ra})
	}
	return out
}

// A reach is the set of principals a change can affect.
type reach struct {
	everyone bool
	accounts map[string]bool
	facts    keyFacts // named principals
	only     map[*Principal]bool
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
	r := &reach{accounts: map[string]bool{}}
	if (before.Policy == nil) != (after.Policy == nil) {
		r.everyone = true
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
			} else if !containsString(r.facts.named, v) {
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
				if arns := pinnedPrincipals(s); arns != nil {
					// The statement applies to those principals only,
					// whatever accounts its Principal names.
					for _, v := range arns {
						if !containsString(r.facts.named, v) {
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
		r.everyone = true
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
			// The issuing account and the key's account may retire
			// grants through their IAM policies.
			r.accounts[before.Inv.Account] = true
			if g.IssuingAccount != "" {
				r.accounts[g.IssuingAccount] = true
			}
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
				if c.alone || k.facts.personal || k.facts.names(m) {
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
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		switch {
		case a.Key != b.Key:
			return a.Key < b.Key
		case (a.Principal == "") != (b.Principal == ""):
			return a.Principal != ""
		case a.Name() != b.Name():
			return a.Name() < b.Name()
		}
		return a.Action < b.Action
	})
}
