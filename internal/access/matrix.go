package access

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/policy"
)

// A Cell is what one principal may do with one key.
type Cell struct {
	Principal string `json:"principal"`
	Kind      Kind   `json:"kind"`
	Key       string `json:"key"`
	// Use and Admin list the actions allowed, from awsfacts.KeyUse and
	// awsfacts.KeyAdmin; an action whose allow depends on the request is
	// marked with a trailing "*" and its conditions are in Conditions.
	Use        []string            `json:"use,omitempty"`
	Admin      []string            `json:"admin,omitempty"`
	Conditions map[string][]string `json:"conditions,omitempty"`
	// Unknown lists actions that could not be decided, with Missing saying
	// why.
	Unknown []string `json:"unknown,omitempty"`
	Missing []string `json:"missing,omitempty"`
}

// Matrix is the access matrix of the inventory: one cell per principal and
// key with any access (or an unknown answer), sorted by key and principal.
type Matrix struct {
	Cells []Cell `json:"cells"`
	// Keys and Principals are the axes.
	Keys       []string `json:"keys"`
	Principals []string `json:"principals"`
}

// Matrix computes what every principal of the inventory may do with every
// key. A principal is evaluated against a key only when something could
// give it access: the key policy names it or "*", a grant names it, or its
// account is delegated and one of its identity policies allows a KMS
// action on a resource that could be the key. Everyone else has no access
// by construction (no key-policy path, no grant).
func (ix *Index) Matrix() *Matrix {
	kmsStmts := make([][]*policy.Statement, len(ix.principals))
	classes := make([]int, len(ix.principals))
	classIDs := map[string]int{}
	for i, p := range ix.principals {
		kmsStmts[i] = kmsStatements(p)
		c := classOf(p)
		if c == p.ARN {
			classes[i] = -1 // a class of its own
			continue
		}
		id, ok := classIDs[c]
		if !ok {
			id = len(classIDs)
			classIDs[c] = id
		}
		classes[i] = id
	}
	cells := make([][]Cell, len(ix.keys))
	var wg sync.WaitGroup
	work := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ki := range work {
				cells[ki] = ix.keyCells(ix.keys[ki], kmsStmts, classes)
			}
		}()
	}
	for ki := range ix.keys {
		work <- ki
	}
	close(work)
	wg.Wait()
	m := &Matrix{}
	for _, k := range ix.keys {
		m.Keys = append(m.Keys, k.ARN)
	}
	for _, p := range ix.principals {
		m.Principals = append(m.Principals, p.ARN)
	}
	n := 0
	for _, cs := range cells {
		n += len(cs)
	}
	m.Cells = make([]Cell, 0, n)
	for _, cs := range cells {
		m.Cells = append(m.Cells, cs...)
	}
	return m
}

// kmsStatements returns the principal's identity statements (Allow and
// Deny) that cover some KMS action on a key.
func kmsStatements(p *Principal) []*policy.Statement {
	var out []*policy.Statement
	for _, d := range p.Identity {
		for _, s := range d.Statements {
			for _, a := range awsfacts.KMSActions {
				if a.Resource != awsfacts.NoResource && s.MatchAction("kms:"+a.Name) {
					out = append(out, s)
					break
				}
			}
		}
	}
	return out
}

// keyFacts is what the prefilter needs to know about a key policy.
type keyFacts struct {
	anyone    bool
	delegated map[string]bool // accounts named by an Allow
	named     []string        // principal values of Allow statements
}

func factsOf(k *Key) keyFacts {
	f := keyFacts{delegated: map[string]bool{}}
	if k.Policy == nil {
		return f
	}
	for _, s := range k.Policy.Statements {
		if s.Effect != policy.Allow {
			continue
		}
		if s.NotPrincipal != nil || (s.Principal != nil && s.Principal.Wildcard) {
			f.anyone = true
			continue
		}
		if s.Principal == nil {
			continue
		}
		for _, v := range s.Principal.AWS {
			switch {
			case len(v) == 12 && strings.Trim(v, "0123456789") == "":
				f.delegated[v] = true
			case strings.HasSuffix(v, ":root"):
				f.delegated[accountOfARN(v)] = true
			default:
				f.named = append(f.named, v)
			}
		}
	}
	return f
}

// mayReach is the prefilter: could anything give p access to k?
func (f *keyFacts) mayReach(p *Principal, k *Key, stmts []*policy.Statement) bool {
	if f.anyone || k.Policy == nil || k.GrantsErr != nil || p.PolicyErr != nil {
		return true
	}
	for _, v := range f.named {
		if v == p.ARN {
			return true
		}
		if p.Kind == KindRole && strings.Contains(v, ":role/") && accountOfARN(v) == p.Account && v[strings.LastIndexByte(v, '/')+1:] == p.Name {
			return true
		}
	}
	for _, g := range k.Grants {
		if g.GranteePrincipal == p.ARN || g.RetiringPrincipal == p.ARN || g.GranteePrincipal == "arn:aws:iam::"+p.Account+":root" ||
			p.Kind == KindRole && strings.HasSuffix(g.GranteePrincipal, ":role/"+p.Name) {
			return true
		}
	}
	if !f.delegated[p.Account] {
		return false
	}
	if p.Kind == KindRoot {
		return true
	}
	for _, s := range stmts {
		if s.Effect == policy.Allow && mayCover(s, k.ARN) {
			return true
		}
	}
	return false
}

// mayCover reports whether a statement's resources could include the key.
func mayCover(s *policy.Statement, arn string) bool {
	if s.Resource == nil {
		return true // NotResource: let the engine decide
	}
	for _, r := range s.Resource {
		if strings.Contains(r, "${") || policy.MatchResource(r, arn) {
			return true
		}
	}
	return false
}

// pairKey is a principal's class extended with the identity statements
// that matter for one key: principals of one class whose KMS statements
// cannot reach the key decide alike whatever those statements say.
type pairKey struct {
	class int
	s     [3]*policy.Statement
	more  string
}

func pairClass(class int, stmts []*policy.Statement, arn string) pairKey {
	k := pairKey{class: class}
	n := 0
	for _, s := range stmts {
		if !mayCover(s, arn) {
			continue
		}
		if n < len(k.s) {
			k.s[n] = s
		} else {
			k.more += fmt.Sprintf("|%p", s)
		}
		n++
	}
	return k
}

// classOf groups principals whose decisions on a key can only differ if
// the key names one of them: same account, same identity policies (the
// same parsed documents), same boundary, same tags. A principal whose
// policies test principal-specific keys (aws:PrincipalArn, aws:username,
// aws:userid) or use policy variables gets a class of its own.
func classOf(p *Principal) string {
	if p.Kind == KindRoot || p.PolicyErr != nil || usesPrincipalKeys(p.Boundary) {
		return p.ARN
	}
	var b strings.Builder
	b.WriteString(p.Account)
	b.WriteString(string(p.Kind))
	for _, d := range p.Identity {
		if usesPrincipalKeys(d) {
			return p.ARN
		}
	}
	// Identity statements enter the class per key (pairClass): only those
	// that cover KMS actions on that key can change a decision.
	fmt.Fprintf(&b, "|b%p", p.Boundary)
	for _, t := range p.Tags {
		b.WriteString("|" + t.Key + "=" + t.Value)
	}
	return b.String()
}

// principalKeys are condition keys whose value differs between principals
// of one class.
var principalKeys = map[string]bool{"aws:principalarn": true, "aws:username": true, "aws:userid": true, "aws:sourceidentity": true}

func usesPrincipalKeys(d *policy.Document) bool {
	if d == nil {
		return false
	}
	for _, s := range d.Statements {
		for _, c := range s.Conditions {
			if principalKeys[c.LowerKey()] {
				return true
			}
			for _, v := range c.Values {
				if strings.Contains(v, "${") {
					return true
				}
			}
		}
		for _, r := range append(append([]string(nil), s.Resource...), s.NotResource...) {
			if strings.Contains(r, "${") {
				return true
			}
		}
	}
	return false
}

// specific reports whether the key policy or a grant names p itself, so
// that p's decision cannot be shared with its class.
func (f *keyFacts) specific(p *Principal, k *Key) bool {
	for _, v := range f.named {
		if v == p.ARN || p.Kind == KindRole && strings.Contains(v, ":role/") && accountOfARN(v) == p.Account && v[strings.LastIndexByte(v, '/')+1:] == p.Name {
			return true
		}
	}
	for _, g := range k.Grants {
		if g.GranteePrincipal == p.ARN || g.RetiringPrincipal == p.ARN ||
			p.Kind == KindRole && strings.HasSuffix(g.GranteePrincipal, ":role/"+p.Name) {
			return true
		}
	}
	return false
}

func (ix *Index) keyCells(k *Key, kmsStmts [][]*policy.Statement, classes []int) []Cell {
	f := factsOf(k)
	keyPersonal := usesPrincipalKeys(k.Policy)
	shared := map[pairKey]*Cell{}
	// A key open to "*" reaches every principal: size for that at once
	// rather than growing (and copying) the slice many times.
	var out []Cell
	if f.anyone {
		out = make([]Cell, 0, len(ix.principals))
	}
	for i, p := range ix.principals {
		if !f.mayReach(p, k, kmsStmts[i]) {
			continue
		}
		share := !keyPersonal && classes[i] >= 0 && !f.specific(p, k)
		var class pairKey
		if share {
			class = pairClass(classes[i], kmsStmts[i], k.ARN)
			if c, ok := shared[class]; ok {
				if c != nil {
					cc := *c
					cc.Principal = p.ARN
					out = append(out, cc)
				}
				continue
			}
		}
		c := Cell{Principal: p.ARN, Kind: p.Kind, Key: k.ARN}
		missing := map[string]bool{}
		eval := func(actions []string, into *[]string) {
			for _, a := range actions {
				r := ix.decide(p.ARN, p, k, a, k.ARN, nil, false)
				name := strings.TrimPrefix(a, "kms:")
				switch r.Decision {
				case engine.Allow:
					if r.Conditional {
						*into = append(*into, name+"*")
						if c.Conditions == nil {
							c.Conditions = map[string][]string{}
						}
						c.Conditions[name] = r.Conditions
					} else {
						*into = append(*into, name)
					}
				case engine.Unknown:
					c.Unknown = append(c.Unknown, name)
					for _, m := range r.Missing {
						missing[m] = true
					}
				}
			}
		}
		eval(useActionsOf(k), &c.Use)
		eval(awsfacts.KeyAdmin, &c.Admin)
		if len(c.Use)+len(c.Admin)+len(c.Unknown) == 0 {
			if share {
				shared[class] = nil
			}
			continue
		}
		for m := range missing {
			c.Missing = append(c.Missing, m)
		}
		sort.Strings(c.Missing)
		if share {
			cc := c
			shared[class] = &cc
		}
		out = append(out, c)
	}
	return out
}

// useActionsOf is the use actions that the key's type supports.
func useActionsOf(k *Key) []string {
	if md := k.Inv.Metadata; md != nil {
		return awsfacts.KeyUseFor(md.KeyUsage)
	}
	return awsfacts.KeyUse
}
