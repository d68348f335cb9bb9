package engine

import (
	"strings"

	"github.com/keywarden/keywarden/internal/policy"
)

// An outcome is a three-valued verdict on one part of a decision ("the key
// policy allows", "no SCP denies"), with the statements behind it and, when
// it is unknown, what it depends on: alternatives, any one of which makes
// it true, each a list of conditions that must all hold.
type outcome struct {
	t       policy.Tri
	alts    []alt
	reasons []Reason
}

// An alt is one way an unknown outcome can be true: all its conditions.
type alt []cond

// condKind says what kind of thing a condition depends on, which decides
// how an answer that needs it is reported.
type condKind uint8

const (
	// condRequest: a request context key the question leaves open, or
	// the caller's own IAM policies (it chooses them): the answer is a
	// conditional Allow.
	condRequest condKind = iota
	// condUnreadLimit: an input that was not read and can only take
	// access away (a guardrail, or a Deny in unread policies): the answer
	// is an Allow that holds "unless" it does.
	condUnreadLimit
	// condUnreadNeed: an input that was not read must allow: the answer
	// is Unknown.
	condUnreadNeed
)

type cond struct {
	kind condKind
	text string
	gap  *Gap
	// own: the condition is the caller's own IAM policies (Result.OwnIAM).
	own bool
}

var (
	no  = outcome{t: policy.False}
	yes = outcome{t: policy.True}
)

// maxAlts bounds the alternatives an outcome keeps; beyond it they are
// merged into one (its text stays exact, its kind the strongest).
const maxAlts = 8

func unknownOutcome(c ...cond) outcome {
	return outcome{t: policy.Unknown, alts: []alt{c}}
}

// and combines outcomes that must all hold.
func and(os ...outcome) outcome {
	out := yes
	for _, o := range os {
		out = and2(out, o)
		if out.t == policy.False {
			return no
		}
	}
	return out
}

func and2(a, b outcome) outcome {
	t := a.t.And(b.t)
	if t == policy.False {
		return no
	}
	out := outcome{t: t}
	switch {
	case len(b.reasons) == 0:
		out.reasons = a.reasons
	case len(a.reasons) == 0:
		out.reasons = b.reasons
	default:
		out.reasons = append(append(make([]Reason, 0, len(a.reasons)+len(b.reasons)), a.reasons...), b.reasons...)
	}
	if t != policy.Unknown {
		return out
	}
	switch {
	case a.t == policy.True:
		out.alts = b.alts
	case b.t == policy.True:
		out.alts = a.alts
	default:
		for _, x := range a.alts {
			for _, y := range b.alts {
				out.alts = append(out.alts, append(append(make(alt, 0, len(x)+len(y)), x...), y...))
			}
		}
		out.alts = capAlts(out.alts)
	}
	return out
}

// or combines alternatives: true when one is, with the statements of every
// alternative that holds or may hold.
func or(os ...outcome) outcome {
	out := no
	for _, o := range os {
		out.add(o)
	}
	return out
}

// add makes o one more alternative of out. The outcome cites the
// statements of every alternative that holds; while none holds for sure,
// of every one that may.
func (out *outcome) add(o outcome) {
	switch {
	case o.t == policy.False:
		return
	case o.t == policy.True && out.t != policy.True:
		out.t, out.alts, out.reasons = policy.True, nil, o.reasons
		return
	case o.t == policy.Unknown && out.t == policy.True:
		return
	case o.t == policy.Unknown:
		out.t = policy.Unknown
		alts := out.alts[:len(out.alts):len(out.alts)]
		for _, a := range o.alts {
			// A or A is A: the same way, reached twice (two grants an
			// account may retire), is one alternative.
			if !hasAlt(alts, a) {
				alts = append(alts, a)
			}
		}
		out.alts = capAlts(alts)
	}
	if len(out.reasons) == 0 {
		out.reasons = o.reasons
	} else if len(o.reasons) > 0 {
		out.reasons = append(out.reasons[:len(out.reasons):len(out.reasons)], o.reasons...)
	}
}

// capAlts merges alternatives beyond maxAlts into one.
// hasAlt reports whether as holds an alternative with the same
// conditions as a.
func hasAlt(as []alt, a alt) bool {
	for _, x := range as {
		if len(x) != len(a) {
			continue
		}
		same := true
		for i := range x {
			if x[i].kind != a[i].kind || x[i].text != a[i].text {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	return false
}

func capAlts(as []alt) []alt {
	if len(as) <= maxAlts {
		return as
	}
	merged := cond{kind: condRequest}
	var parts []string
	for _, a := range as {
		var texts []string
		for _, c := range a {
			texts = append(texts, c.text)
			if c.kind > merged.kind {
				merged.kind, merged.gap = c.kind, c.gap
			}
		}
		parts = append(parts, strings.Join(texts, " and "))
	}
	merged.text = "(" + strings.Join(parts, ") or (") + ")"
	return []alt{{merged}}
}

// needsUnread reports whether every alternative of an unknown outcome needs an
// unread input to allow.
func (o outcome) needsUnread() bool {
	if o.t != policy.Unknown {
		return false
	}
	for _, a := range o.alts {
		if !a.needs() {
			return false
		}
	}
	return true
}

func (a alt) needs() bool {
	for _, c := range a {
		if c.kind == condUnreadNeed {
			return true
		}
	}
	return false
}

// requestConds turns a statement's undecided conditions into one
// alternative.
func requestConds(texts []string) []cond {
	out := make([]cond, len(texts))
	for i, t := range texts {
		out[i] = cond{kind: condRequest, text: t}
	}
	return out
}
