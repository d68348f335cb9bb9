package engine

import (
	"slices"
	"strconv"
	"strings"
)

// This file renders what a decision found into English: the conditions an
// Allow holds under, the statements it cites, the one-line summary.

// conditionTexts renders the alternatives an Allow holds under: conditions
// common to all of them one per entry, the rest as "(a and b) or (c)".
func conditionTexts(as []alt) []string {
	var common []string
	for _, c := range as[0] {
		if inAll(as, c.text) && !slices.Contains(common, c.text) {
			common = append(common, c.text)
		}
	}
	var parts []string
	for _, a := range as {
		var texts []string
		for _, c := range a {
			if !slices.Contains(common, c.text) && !slices.Contains(texts, c.text) {
				texts = append(texts, c.text)
			}
		}
		if len(texts) == 0 {
			// This alternative needs nothing beyond the common part.
			return common
		}
		parts = append(parts, strings.Join(texts, " and "))
	}
	if len(parts) == 1 {
		return append(common, strings.Split(parts[0], " and ")...)
	}
	return append(common, "("+strings.Join(parts, ") or (")+")")
}

func inAll(as []alt, text string) bool {
	for _, a := range as {
		found := false
		for _, c := range a {
			if c.text == text {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// altsText renders alternatives as one condition.
func altsText(as []alt) string {
	var parts []string
	for _, a := range as {
		var texts []string
		for _, c := range a {
			texts = append(texts, c.text)
		}
		parts = append(parts, strings.Join(texts, " and "))
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, ") or (") + ")"
}

func dedupeReasons(rs []Reason) []Reason {
	if len(rs) < 2 {
		return rs
	}
	dups := false
	for i := 1; i < len(rs) && !dups; i++ {
		for j := 0; j < i; j++ {
			if rs[j].Layer == rs[i].Layer && rs[j].Policy == rs[i].Policy && rs[j].Statement == rs[i].Statement && rs[j].Kind == rs[i].Kind {
				dups = true
				break
			}
		}
	}
	if !dups {
		return rs
	}
	out := make([]Reason, 0, len(rs))
	for _, r := range rs {
		dup := false
		for i := range out {
			if out[i].Layer == r.Layer && out[i].Policy == r.Policy && out[i].Statement == r.Statement && out[i].Kind == r.Kind {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, r)
		}
	}
	return out
}

// withRoles writes the English role of every reason that has none yet.
func (e *evaluator) withRoles(rs []Reason) []Reason {
	for i := range rs {
		if rs[i].Role == "" {
			rs[i].Role = e.roleText(rs[i].Kind, rs[i].Subject)
		}
	}
	return rs
}

// describe renders the reasons of an allow (or part of one) for a summary.
func (e *evaluator) describe(rs []Reason) string { return e.describeAfter("", rs) }

// describeAfter is describe after a prefix, in one allocation.
func (e *evaluator) describeAfter(prefix string, rs []Reason) string {
	n := len(prefix)
	for _, r := range rs {
		n += len(r.Policy) + len(r.Sid) + len(r.Role) + 40
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(prefix)
	for i, r := range rs {
		if i > 0 {
			b.WriteString(", and ")
		}
		b.WriteString(r.Policy)
		if r.Layer != LayerGrant {
			b.WriteString(" statement ")
			if r.Sid != "" {
				b.WriteByte('\'')
				b.WriteString(r.Sid)
				b.WriteByte('\'')
			} else {
				b.WriteByte('#')
				b.WriteString(strconv.Itoa(r.Statement))
			}
		}
		b.WriteByte(' ')
		if r.Role == "" {
			b.WriteString(e.roleText(r.Kind, r.Subject))
		} else {
			b.WriteString(r.Role)
		}
	}
	return b.String()
}
