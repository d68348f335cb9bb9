package policy

import (
	"strings"
)

// resolve substitutes policy variables in s ([IAM policy elements:
// Variables and tags]): ${key} takes the request's value of key, ${key,
// 'default'} falls back to the default when the key is absent, and ${*},
// ${?} and ${$} stand for those literal characters. Substituted text always
// matches literally. It returns False when a variable has no value (the
// element then matches nothing) and Unknown when the context cannot say.
//
// [IAM policy elements: Variables and tags]: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
func resolve(s string, ctx Context) (string, Tri) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), True
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String(), True
		}
		b.WriteString(s[:i])
		inner := s[i+2 : i+j]
		s = s[i+j+1:]
		switch inner {
		case "*":
			b.WriteString(literalStar)
			continue
		case "?":
			b.WriteString(literalQuestion)
			continue
		case "$":
			b.WriteByte('$')
			continue
		}
		key, def, hasDefault := strings.Cut(inner, ",")
		key = strings.ToLower(strings.TrimSpace(key))
		if hasDefault {
			def = strings.TrimSpace(def)
			if len(def) >= 2 && def[0] == '\'' && def[len(def)-1] == '\'' {
				def = def[1 : len(def)-1]
			}
		}
		values, list, p := ctx.Lookup(key)
		switch {
		case p == Unknowable:
			return "", Unknown
		case p == Present && !list && len(values) == 1:
			b.WriteString(escapeLiteral(values[0]))
		case hasDefault:
			b.WriteString(escapeLiteral(def))
		default:
			return "", False
		}
	}
}

func escapeLiteral(s string) string {
	if !strings.ContainsAny(s, "*?") {
		return s
	}
	s = strings.ReplaceAll(s, "*", literalStar)
	return strings.ReplaceAll(s, "?", literalQuestion)
}

// unescapeLiteral turns resolved text back into plain text, for operators
// that compare values exactly rather than as patterns.
func unescapeLiteral(s string) string {
	if !strings.Contains(s, "\uE000") && !strings.Contains(s, "\uE001") {
		return s
	}
	s = strings.ReplaceAll(s, literalStar, "*")
	return strings.ReplaceAll(s, literalQuestion, "?")
}

// resolveValues resolves every value of a condition; values whose variable
// has no value are dropped (they match nothing).
func resolveValues(vs []string, ctx Context) ([]string, Tri) {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		if !strings.Contains(v, "${") {
			out = append(out, v)
			continue
		}
		r, t := resolve(v, ctx)
		switch t {
		case Unknown:
			return nil, Unknown
		case True:
			out = append(out, r)
		}
	}
	return out, True
}

// VariableKeys returns the condition keys (lower case) of the policy
// variables the statement resolves, in its resources and condition
// values, each once in order of appearance; nil when the document does not
// resolve variables. ${*}, ${?} and ${$} are literal characters, not keys.
func (s *Statement) VariableKeys() []string {
	if !s.variables {
		return nil
	}
	var out []string
	add := func(text string) {
		for {
			i := strings.Index(text, "${")
			if i < 0 {
				return
			}
			j := strings.IndexByte(text[i:], '}')
			if j < 0 {
				return
			}
			inner := text[i+2 : i+j]
			text = text[i+j+1:]
			if inner == "*" || inner == "?" || inner == "$" {
				continue
			}
			key, _, _ := strings.Cut(inner, ",")
			key = strings.ToLower(strings.TrimSpace(key))
			for _, k := range out {
				if k == key {
					key = ""
					break
				}
			}
			if key != "" {
				out = append(out, key)
			}
		}
	}
	for _, r := range s.Resource {
		add(r)
	}
	for _, r := range s.NotResource {
		add(r)
	}
	for _, c := range s.Conditions {
		for _, v := range c.Values {
			add(v)
		}
	}
	return out
}
