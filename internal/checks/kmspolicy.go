package checks

import (
	"strings"

	"github.com/keywarden/keywarden/internal/policy"
)

// broadGrant is one Allow statement that gives KMS actions on keys that are
// not pinned to fixed key ARNs.
type broadGrant struct {
	Stmt *policy.Statement
	// Actions are the actions of interest the statement allows there.
	Actions []string
	// Resources describes the unpinned resources ("*", a wildcard ARN,
	// NotResource).
	Resources string
}

// broadKMSGrants finds the Allow statements of doc that allow any of the
// actions on KMS keys not pinned to fixed ARNs, the way AWS Config's
// iam-*-policy-blocked-kms-actions rules decide it: conditions are
// ignored (Security Hub documents this), a key ARN with any wildcard is
// not pinned, NotResource is not pinned, actions count through wildcards
// and NotAction. An Allow is not reported when an unconditional Deny of the
// same policy removes it for every key it reaches.
func broadKMSGrants(doc *policy.Document, actions []string) []broadGrant {
	var out []broadGrant
	for _, s := range doc.Statements {
		if s.Effect != policy.Allow {
			continue
		}
		probes, desc := unpinnedProbes(s)
		if len(probes) == 0 {
			continue
		}
		var hit []string
		for _, a := range actions {
			if !s.MatchAction(a) {
				continue
			}
			for _, p := range probes {
				if !deniedUnconditionally(doc, a, p) {
					hit = append(hit, a)
					break
				}
			}
		}
		if len(hit) > 0 {
			out = append(out, broadGrant{Stmt: s, Actions: hit, Resources: desc})
		}
	}
	return out
}

// unpinnedProbes returns key ARNs standing for the keys a statement
// reaches beyond fixed ARNs: one per unpinned resource pattern, with its
// wildcards filled in. None means the statement names only fixed ARNs.
func unpinnedProbes(s *policy.Statement) ([]string, string) {
	const probe = "arn:aws:kms:us-east-1:000000000000:key/keywarden-probe"
	if s.NotResource != nil {
		for _, r := range s.NotResource {
			if policy.MatchResource(r, probe) {
				return nil, ""
			}
		}
		return []string{probe}, "NotResource " + strings.Join(s.NotResource, ", ")
	}
	var probes, descs []string
	for _, r := range s.Resource {
		if r == "*" {
			probes = append(probes, probe)
			descs = append(descs, `"*"`)
			continue
		}
		if !strings.ContainsAny(r, "*?") {
			continue // a fixed ARN
		}
		p, ok := fillKeyPattern(r)
		if ok {
			probes = append(probes, p)
			descs = append(descs, r)
		}
	}
	return probes, strings.Join(descs, ", ")
}

// fillKeyPattern makes a KMS key ARN that a wildcard resource pattern
// matches, if the pattern can match a key at all.
func fillKeyPattern(pattern string) (string, bool) {
	f := strings.SplitN(pattern, ":", 6)
	for len(f) < 6 {
		f = append(f, "*")
	}
	fill := func(field, def string) string {
		if field == "*" {
			return def
		}
		return strings.NewReplacer("*", "x", "?", "x").Replace(field)
	}
	if !policy.GlobFold(f[2], "kms") {
		return "", false
	}
	res := f[5]
	if !canStartWith(res, "key/") {
		return "", false
	}
	body := strings.NewReplacer("*", "keywarden-probe", "?", "q").Replace(res)
	if !strings.HasPrefix(body, "key/") {
		body = "key/keywarden-probe"
	}
	arn := "arn:" + fill(f[1], "aws") + ":kms:" + fill(f[3], "us-east-1") + ":" + fill(f[4], "000000000000") + ":" + body
	if !policy.MatchResource(pattern, arn) {
		return "", false
	}
	return arn, true
}

// canStartWith reports whether a glob pattern matches some string that
// starts with prefix.
func canStartWith(pattern, prefix string) bool {
	i := 0
	for j := 0; j < len(prefix); j++ {
		if i >= len(pattern) {
			return false
		}
		switch pattern[i] {
		case '*':
			return true
		case '?':
		default:
			if pattern[i] != prefix[j] {
				return false
			}
		}
		i++
	}
	return true
}

// deniedUnconditionally reports whether a Deny without conditions in doc
// covers the action on the resource.
func deniedUnconditionally(doc *policy.Document, action, resource string) bool {
	for _, s := range doc.Statements {
		if s.Effect != policy.Deny || len(s.Conditions) > 0 || !s.MatchAction(action) {
			continue
		}
		if s.MatchResource(resource, &policy.MapContext{}) == policy.True {
			return true
		}
	}
	return false
}
