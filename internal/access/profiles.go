package access

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/policy"
)

// Principals that differ only in their name decide alike on a key that
// does not name them: the engine reads a principal's account, kind, tags,
// boundary, SCPs and identity policies, and a key policy that does not
// name it reads only its account. The index groups principals so that
// each key asks the engine once per group (issue: an enterprise account in
// seconds):
//
//   - a profile is everything but the identity policies: account, kind,
//     service-linked or not, boundary, the values of the tags some policy
//     tests, the gaps in its data, and how the conditions on its ARN or
//     user name in its SCPs, boundary and identity policies come out;
//   - a class is a profile and one set of identity policies (roles that
//     share managed policies share a class);
//   - for one key, classes whose identity statements that can reach the
//     key are the same form one group (see keyAccess).

// A profile is what a principal's decisions depend on besides its name
// and its identity policies.
type profile struct {
	id      int
	acct    *account
	kind    Kind
	classes []*class
	// identityGap: some identity policy was not read, so an Allow may
	// hide in it.
	identityGap bool
}

// A class is a profile with one set of identity policies.
type class struct {
	profile *profile
	// kms are the numbers of the identity statements that cover some KMS
	// action on a key, Allow and Deny.
	kms     []int
	members []*Principal
	// seq numbers classes as they were made; by profile, then seq, is the
	// order of a key's groups.
	seq int
	// alone is set when the members' KMS statements resolve a policy
	// variable whose value is the principal's own (its name, its ARN), or
	// an unread policy of theirs is named in their answers: each member
	// then decides on its own.
	alone bool
}

// principalKeys are the condition keys whose value differs between
// principals of one class; conditions on them are evaluated per principal
// and enter its profile.
var principalKeys = map[string]bool{"aws:principalarn": true, "aws:username": true}

// collectTagKeys gathers the principal tag keys that the policies which
// apply to every principal test (SCPs, RCPs, key policies); the tags its
// own policies test enter a principal's profile too (profileKey).
func (ix *Index) collectTagKeys() {
	for _, a := range ix.accounts {
		for _, l := range a.scps {
			for _, d := range l {
				addTagKeys(ix.tagKeys, d)
			}
		}
		for _, l := range a.rcps {
			for _, d := range l {
				addTagKeys(ix.tagKeys, d)
			}
		}
	}
	for _, k := range ix.keys {
		addTagKeys(ix.tagKeys, k.Policy)
	}
}

// addTagKeys adds the principal tag keys (lower case) a policy tests, in
// conditions or through policy variables.
func addTagKeys(into map[string]bool, d *policy.Document) {
	if d == nil {
		return
	}
	for _, s := range d.Statements {
		for _, c := range s.Conditions {
			if k, ok := strings.CutPrefix(c.LowerKey(), "aws:principaltag/"); ok {
				into[k] = true
			}
		}
		for _, v := range s.VariableKeys() {
			if k, ok := strings.CutPrefix(v, "aws:principaltag/"); ok {
				into[k] = true
			}
		}
	}
}

// buildProfiles sorts every principal into a profile and a class.
func (ix *Index) buildProfiles() {
	profiles := map[string]*profile{}
	classes := map[string]*class{}
	docKMS := map[*policy.Document][]int{}
	for _, p := range ix.principals {
		pk := ix.profileKey(p)
		pr := profiles[pk]
		if pr == nil {
			pr = &profile{id: len(ix.profiles), acct: p.acct, kind: p.Kind, identityGap: p.IdentityGap != nil}
			if pr.kind == KindRoot || pr.identityGap {
				// Reached by delegation without an Allow of their own.
				ix.openProfiles = append(ix.openProfiles, pr)
			}
			profiles[pk] = pr
			ix.profiles = append(ix.profiles, pr)
		}
		p.profile = pr
		var ck strings.Builder
		fmt.Fprintf(&ck, "%d", pr.id)
		// The root user, and a principal with an unread policy (its
		// answer names its own gap), decide alone.
		alone := p.Kind == KindRoot || p.IdentityGap != nil || p.BoundaryGap != nil
		for _, d := range p.Identity {
			fmt.Fprintf(&ck, "|%p", d)
			ids, ok := docKMS[d]
			if !ok {
				ids = ix.kmsStatements(d)
				docKMS[d] = ids
			}
			p.kms = append(p.kms, ids...)
			for _, id := range ids {
				if personalVariables(ix.stmts[id]) {
					alone = true
				}
			}
		}
		if p.Boundary != nil {
			for _, s := range p.Boundary.Statements {
				if coversKMS(s) && personalVariables(s) {
					alone = true
				}
			}
		}
		if alone {
			fmt.Fprintf(&ck, "|alone:%s", p.ARN)
		}
		c := classes[ck.String()]
		if c == nil {
			c = &class{profile: pr, kms: p.kms, alone: alone, seq: len(classes)}
			classes[ck.String()] = c
			pr.classes = append(pr.classes, c)
			for len(ix.stmtClasses) < len(ix.stmts) {
				ix.stmtClasses = append(ix.stmtClasses, nil)
			}
			for _, id := range slices.Compact(slices.Sorted(slices.Values(p.kms))) {
				ix.stmtClasses[id] = append(ix.stmtClasses[id], c)
			}
		}
		c.members = append(c.members, p)
		p.class = c
	}
}

// profileKey is a principal's profile as a string.
func (ix *Index) profileKey(p *Principal) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%s|%v|%p", p.Account, p.Kind, p.ServiceLinked, p.Boundary)
	if p.Kind == KindRoot {
		b.WriteString("|root")
	}
	if g := p.IdentityGap; g != nil {
		b.WriteString("|idgap:" + g.Reason)
	}
	if g := p.BoundaryGap; g != nil {
		b.WriteString("|pbgap:" + g.Reason)
	}
	var tags []string
	var own map[string]bool
	if len(p.Tags) > 0 {
		own = map[string]bool{}
		for _, d := range p.Identity {
			addTagKeys(own, d)
		}
		addTagKeys(own, p.Boundary)
	}
	for _, t := range p.Tags {
		if k := strings.ToLower(t.Key); ix.tagKeys[k] || own[k] {
			tags = append(tags, strings.ToLower(t.Key)+"="+t.Value)
		}
	}
	sort.Strings(tags)
	for _, t := range tags {
		b.WriteString("|t:" + t)
	}
	// How its own conditions on principal-specific keys come out.
	ctx := ownContext(p)
	vec := func(d *policy.Document) {
		if d == nil {
			return
		}
		for _, s := range d.Statements {
			for _, c := range s.Conditions {
				if principalKeys[c.LowerKey()] {
					b.WriteByte("ftu"[c.Eval(ctx)])
				}
			}
		}
	}
	for _, l := range p.acct.scps {
		for _, d := range l {
			vec(d)
		}
	}
	vec(p.Boundary)
	for _, d := range p.Identity {
		vec(d)
	}
	return b.String()
}

// ownContext holds the principal-specific keys of a principal, for
// conditions that test them.
func ownContext(p *Principal) *policy.MapContext {
	m := &policy.MapContext{Values: map[string]policy.ContextValue{"aws:principalarn": {Strings: []string{p.ARN}}}}
	if p.Kind == KindUser {
		m.Values["aws:username"] = policy.ContextValue{Strings: []string{p.Name}}
	}
	return m
}

// kmsStatements numbers the statements of an identity policy that cover
// some KMS action on a key: only those can decide a key question.
func (ix *Index) kmsStatements(d *policy.Document) []int {
	var out []int
	for _, s := range d.Statements {
		if !coversKMS(s) {
			continue
		}
		id, ok := ix.stmtIDs[s]
		if !ok {
			id = len(ix.stmts)
			ix.stmtIDs[s] = id
			ix.stmts = append(ix.stmts, s)
		}
		out = append(out, id)
	}
	return out
}

// coverAction marks the numbered statements that cover the action, built
// once per action.
func (ix *Index) coverAction(action string) []bool {
	ix.coverMu.Lock()
	defer ix.coverMu.Unlock()
	if c, ok := ix.covers[action]; ok {
		return c
	}
	c := make([]bool, len(ix.stmts))
	for id, s := range ix.stmts {
		c[id] = s.MatchAction(action)
	}
	if ix.covers == nil {
		ix.covers = map[string][]bool{}
	}
	ix.covers[action] = c
	return c
}

// coversKMS reports whether a statement covers some KMS action on a key.
func coversKMS(s *policy.Statement) bool {
	for i := range awsfacts.KMSActions {
		a := &awsfacts.KMSActions[i]
		if a.Resource != awsfacts.NoResource && s.MatchAction("kms:"+a.Name) {
			return true
		}
	}
	return false
}

// usesVariables reports whether a policy resolves a policy variable whose
// value can differ between principals of one profile.
func usesVariables(d *policy.Document) bool {
	if d == nil {
		return false
	}
	for _, s := range d.Statements {
		if personalVariables(s) {
			return true
		}
	}
	return false
}

// personalVariables reports whether a statement resolves a policy
// variable whose value can differ between principals of one profile: a
// principal's ARN, name or ID, its session's attributes, or any key not
// known to be shared. The principal's tags are shared (a profile holds
// the values of the tags policies use, collectTagKeys), and so are the
// keys of its account, of the key and of the request, which are the same
// for every principal asked one question.
func personalVariables(s *policy.Statement) bool {
	for _, k := range s.VariableKeys() {
		if !sharedVariable(k) {
			return true
		}
	}
	return false
}

// sharedVariables are the condition keys whose value is the same for every
// principal of one profile asked one question.
var sharedVariables = map[string]bool{
	"aws:principalaccount": true, "aws:principalorgid": true, "aws:principalorgpaths": true,
	"aws:principaltype": true, "aws:principalisawsservice": true, "aws:principalservicename": true,
	"aws:principalservicenamelist": true, "aws:resourceaccount": true, "aws:resourceorgid": true,
	"aws:resourceorgpaths": true, "aws:requestedregion": true, "aws:sourceip": true,
	"aws:currenttime": true, "aws:epochtime": true, "aws:securetransport": true,
	"aws:viaawsservice": true, "aws:calledvia": true, "aws:calledviafirst": true,
	"aws:calledvialast": true, "aws:sourcevpc": true, "aws:sourcevpce": true, "aws:vpcsourceip": true,
	"aws:referer": true, "aws:useragent": true, "aws:multifactorauthpresent": true,
	"aws:tagkeys": true, "aws:sourceaccount": true, "aws:sourceorgid": true,
	"aws:sourceorgpaths": true, "aws:sourcearn": true,
}

func sharedVariable(k string) bool {
	for _, prefix := range []string{"aws:principaltag/", "aws:resourcetag/", "aws:requesttag/", "kms:"} {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return sharedVariables[k]
}

// personalConditions reports whether a resource-based policy tests keys
// that differ between principals of a class (their ARN, their user name),
// or resolves policy variables.
func personalConditions(d *policy.Document) bool {
	if d == nil {
		return false
	}
	if usesVariables(d) {
		return true
	}
	for _, s := range d.Statements {
		for _, c := range s.Conditions {
			if principalKeys[c.LowerKey()] {
				return true
			}
		}
	}
	return false
}

// indexStatements sorts the numbered identity statements into those that
// name fixed key ARNs only, indexed by ARN, and the others, so that a key
// meets only the statements that can reach it.
func (ix *Index) indexStatements() {
	ix.exactStmts = map[string][]int{}
	for id, s := range ix.stmts {
		exact := s.Resource != nil
		for _, r := range s.Resource {
			if strings.ContainsAny(r, "*?") || strings.Contains(r, "${") {
				exact = false
				break
			}
		}
		if !exact {
			ix.patternStmts = append(ix.patternStmts, id)
			continue
		}
		for _, r := range s.Resource {
			ix.exactStmts[foldARN(r)] = append(ix.exactStmts[foldARN(r)], id)
		}
	}
}

// foldARN lower-cases the fields of an ARN before the resource part, which
// IAM compares without regard to case.
func foldARN(s string) string {
	i, n := 0, 0
	for ; i < len(s) && n < 5; i++ {
		if s[i] == ':' {
			n++
		}
	}
	return strings.ToLower(s[:i]) + s[i:]
}
