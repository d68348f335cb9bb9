package verify

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/expect"
)

// LockOptions are the choices of Lock.
type LockOptions struct {
	// AWSManaged includes AWS managed keys, which every principal of the
	// account may use through their service (left out by default, as in
	// the access matrix).
	AWSManaged bool
}

// Lock writes today's access as rules: for every key, the principals
// (and classes of principals outside the input) that can use it and that
// can administer it, in the exactly form, so that verify on the same
// input holds and any change, gained or lost, violates a rule.
//
// Actions that the same principals can perform share a rule: a key that
// everyone who may use may use fully gets one rule for use and one for
// administer. An allow under conditions of the request counts. Answers
// that could not be decided are left out (verify reports them as
// unknown), and so is a key with no answer at all but with a rule that
// lists nobody.
func Lock(ctx context.Context, ix *access.Index, o LockOptions) (*expect.File, error) {
	f := &expect.File{}
	ids := map[string]int{}
	for _, k := range ix.Keys() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if k.Inv.AWSManaged() && !o.AWSManaged {
			continue
		}
		f.Rules = append(f.Rules, lockKey(ix, k, ids)...)
	}
	return f, nil
}

// lockKey writes the rules of one key.
func lockKey(ix *access.Index, k *access.Key, ids map[string]int) []*expect.Rule {
	ka := ix.Access(k)
	use := expect.Expand([]string{expect.GroupUse}, keyUsage(k))
	actions := append(append([]string(nil), use...), awsfacts.KeyAdmin...)
	// Who can perform each action, as selectors.
	type group struct {
		actions []string
		who     []expect.PrincipalSelector
		sig     string
	}
	var groups []*group
	bySig := map[string]*group{}
	for _, a := range actions {
		who := lockSelectors(ka.Action(a))
		sig := selectorsSig(who)
		g := bySig[sig]
		if g == nil {
			g = &group{who: who, sig: sig}
			bySig[sig] = g
			groups = append(groups, g)
		}
		g.actions = append(g.actions, a)
	}
	name := keyName(k)
	base := "lock-" + slug(name)
	var out []*expect.Rule
	for _, g := range groups {
		if len(g.who) == 0 && len(groups) > 1 {
			// Nobody can: "exactly nobody" would add nothing the other
			// rules do not already say of a key everyone else can use.
			continue
		}
		ops := operationsOf(g.actions, use)
		id := base + "-" + opsSlug(ops)
		if n := ids[id]; n > 0 {
			ids[id] = n + 1
			id = fmt.Sprintf("%s-%d", id, n+1)
		} else {
			ids[id] = 1
		}
		r := &expect.Rule{
			ID:          id,
			Description: fmt.Sprintf("who can %s on %s: exactly the %s listed", strings.Join(ops, ", "), name, principalsWord(len(g.who))),
			Keys:        []expect.KeySelector{{ARN: k.ARN}},
			Operations:  ops,
			Form:        expect.Exactly,
			Principals:  g.who,
			Conditional: expect.Counts,
			Comment:     name,
		}
		if len(g.who) == 0 {
			r.Description = fmt.Sprintf("nobody can %s %s (answers that could not be decided are left out)", strings.Join(ops, ", "), name)
		}
		out = append(out, r)
	}
	return out
}

func principalsWord(n int) string {
	if n == 1 {
		return "1 principal"
	}
	return fmt.Sprintf("%d principals", n)
}

// lockSelectors are the selectors that name exactly who is allowed an
// action: each principal by ARN, each service by name, each class by its
// kind (and its account or organization).
func lockSelectors(aa *access.ActionAccess) []expect.PrincipalSelector {
	var out []expect.PrincipalSelector
	for _, g := range aa.Groups {
		if g.Result.Decision != engine.Allow {
			continue
		}
		for _, p := range g.Members() {
			out = append(out, expect.PrincipalSelector{ARN: p.ARN, Comment: describeListed(p)})
		}
	}
	for _, e := range aa.Symbols {
		if e.Decision != engine.Allow {
			continue
		}
		s := expect.PrincipalSelector{Comment: e.Description}
		switch {
		case e.Kind == access.KindService:
			s.Service = e.Principal
		case e.Principal != "":
			s.ARN = e.Principal
		case e.Symbol != nil && e.Kind == access.KindAccount:
			s.Kind, s.Account = string(e.Kind), e.Symbol.Account
		case e.Symbol != nil && e.Kind == access.KindOrg:
			s.Kind, s.Organization = string(e.Kind), e.Symbol.OrgID
		default:
			s.Kind = string(e.Kind)
		}
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool { return selectorSortKey(&out[i]) < selectorSortKey(&out[j]) })
	return out
}

// selectorSortKey orders principals by ARN, then services, then classes.
func selectorSortKey(s *expect.PrincipalSelector) string {
	switch {
	case s.ARN != "":
		return "0" + s.ARN
	case s.Service != "":
		return "1" + s.Service
	}
	return "2" + PrincipalSelectorText(s)
}

func selectorsSig(ss []expect.PrincipalSelector) string {
	parts := make([]string, len(ss))
	for i := range ss {
		parts[i] = PrincipalSelectorText(&ss[i])
	}
	return strings.Join(parts, "\n")
}

// operationsOf names actions with the groups they complete: use,
// administer, then the actions left.
func operationsOf(actions, use []string) []string {
	has := map[string]bool{}
	for _, a := range actions {
		has[a] = true
	}
	all := func(list []string) bool {
		for _, a := range list {
			if !has[a] {
				return false
			}
		}
		return len(list) > 0
	}
	var out []string
	covered := map[string]bool{}
	for _, g := range []struct {
		name string
		list []string
	}{{expect.GroupUse, use}, {expect.GroupAdminister, awsfacts.KeyAdmin}} {
		if all(g.list) {
			out = append(out, g.name)
			for _, a := range g.list {
				covered[a] = true
			}
		}
	}
	for _, a := range actions {
		if !covered[a] {
			out = append(out, a)
		}
	}
	return out
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// slug turns a key name into part of a rule ID.
func slug(s string) string {
	s = strings.TrimPrefix(s, "alias/")
	s = strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if s == "" {
		return "key"
	}
	return s
}

// opsSlug names a rule's operations in its ID.
func opsSlug(ops []string) string {
	if len(ops) <= 2 {
		parts := make([]string, len(ops))
		for i, op := range ops {
			parts[i] = slug(strings.TrimPrefix(op, "kms:"))
		}
		return strings.Join(parts, "-")
	}
	return slug(strings.TrimPrefix(ops[0], "kms:")) + "-and-more"
}
