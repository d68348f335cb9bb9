package policy

import (
	"strings"
	"unicode/utf8"

	"github.com/keywarden/keywarden/internal/arn"
)

// Literal stand-ins: a policy variable ${*} or ${?}, or a context value
// substituted into a pattern, must match its character literally. They are
// written into resolved patterns as these private-use runes, which Glob
// matches against the literal character.
const (
	literalStar     = "\uE000"
	literalQuestion = "\uE001"
)

// Glob reports whether s matches pattern, where * matches any run of
// characters (including none) and ? exactly one. Matching is case-sensitive.
func Glob(pattern, s string) bool { return glob(pattern, s, false) }

// GlobFold is Glob ignoring ASCII case, as action names are matched.
func GlobFold(pattern, s string) bool { return glob(pattern, s, true) }

func glob(pattern, s string, fold bool) bool {
	px, sx := 0, 0
	starPx, starSx := -1, -1
	for px < len(pattern) || sx < len(s) {
		if px < len(pattern) {
			c := pattern[px]
			switch {
			case c == '*':
				starPx, starSx = px, sx+1
				px++
				continue
			case c == '?':
				if sx < len(s) {
					_, n := utf8.DecodeRuneInString(s[sx:])
					px++
					sx += n
					continue
				}
			case c == 0xEE && strings.HasPrefix(pattern[px:], literalStar):
				if sx < len(s) && s[sx] == '*' {
					px += len(literalStar)
					sx++
					continue
				}
			case c == 0xEE && strings.HasPrefix(pattern[px:], literalQuestion):
				if sx < len(s) && s[sx] == '?' {
					px += len(literalQuestion)
					sx++
					continue
				}
			default:
				if sx < len(s) && (s[sx] == c || (fold && lower(s[sx]) == lower(c))) {
					px++
					sx++
					continue
				}
			}
		}
		if starSx > 0 && starSx <= len(s) {
			px, sx = starPx, starSx
			continue
		}
		return false
	}
	return true
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// MatchAction reports whether an action pattern from a policy matches an
// action: case-insensitive, with * and ?. "*" matches every action.
func MatchAction(pattern, action string) bool {
	if pattern == "*" {
		return true
	}
	return GlobFold(pattern, action)
}

// MatchResource reports whether a Resource pattern matches an ARN, the way
// IAM does: "*" matches everything; otherwise partition, service, region
// and account are matched field by field (wildcards stay inside a field)
// and the resource part, which may contain colons, is matched as a whole.
// Partition, service, region and account ignore case; the resource part is
// case-sensitive. A pattern with fewer than six fields is padded with "*"
// fields, as the reference simulator does.
func MatchResource(pattern, target string) bool {
	if pattern == "*" || pattern == target {
		return true
	}
	if !strings.ContainsAny(pattern, "*?") && !strings.Contains(pattern, literalStar) && !strings.Contains(pattern, literalQuestion) {
		// Without wildcards the ARNs must be equal but for the case of
		// the fields before the resource part.
		if len(pattern) != len(target) || !strings.EqualFold(pattern, target) {
			return false
		}
	}
	pf, pn := arn.Split(pattern)
	af, an := arn.Split(target)
	if an < 6 {
		return Glob(pattern, target)
	}
	for i := pn; i < 6; i++ {
		pf[i] = "*"
	}
	for i := 0; i < 5; i++ {
		if !glob(pf[i], af[i], true) {
			return false
		}
	}
	return glob(pf[5], af[5], false)
}

// ArnLikeMatch is the ArnLike/ArnEquals operator: the six ARN fields are
// compared one by one, case-sensitively, with * and ? kept inside a field
// (unlike StringLike, whose * crosses colons).
func ArnLikeMatch(pattern, target string) bool {
	pf, pn := arn.Split(pattern)
	af, an := arn.Split(target)
	if pn != 6 || an != 6 {
		return pn == an && Glob(pattern, target)
	}
	for i := 0; i < 6; i++ {
		if !glob(pf[i], af[i], false) {
			return false
		}
	}
	return true
}

// MatchAction reports whether the statement's Action (or NotAction) covers
// an action. A statement without either covers nothing.
func (s *Statement) MatchAction(action string) bool {
	if s.actions == nil {
		return false
	}
	m := false
	for i, p := range s.actions {
		if s.actionExact[i] {
			if len(p) == len(action) && strings.EqualFold(p, action) {
				m = true
				break
			}
			continue
		}
		if p == "*" || glob(p, action, true) {
			m = true
			break
		}
	}
	if s.NotAction != nil {
		return !m
	}
	return m
}

// MatchResource reports whether the statement's Resource (or NotResource)
// covers a resource ARN. Policy variables in the patterns are resolved
// from ctx; a pattern whose variable the context cannot know makes the
// answer Unknown unless another pattern decides it. A statement without
// Resource or NotResource covers nothing.
func (s *Statement) MatchResource(arn string, ctx Context) Tri {
	patterns := s.Resource
	if patterns == nil {
		patterns = s.NotResource
	}
	if patterns == nil {
		return False
	}
	m := False
	for _, p := range patterns {
		if s.variables && strings.Contains(p, "${") {
			r, t := resolve(p, ctx)
			if t != True {
				if t == Unknown {
					m = Unknown
				}
				continue
			}
			p = r
		}
		if MatchResource(p, arn) {
			m = True
			break
		}
	}
	if s.NotResource != nil {
		return m.Not()
	}
	return m
}

// EvalConditions evaluates every condition of the statement (they are
// ANDed). Conditions that evaluate to Unknown are appended to *unknown when
// unknown is not nil, so that a conditional answer can say what it depends
// on.
func (s *Statement) EvalConditions(ctx Context, unknown *[]*Condition) Tri {
	result := True
	for _, c := range s.Conditions {
		switch c.Eval(ctx) {
		case False:
			return False
		case Unknown:
			result = Unknown
			if unknown != nil {
				*unknown = append(*unknown, c)
			}
		}
	}
	return result
}
