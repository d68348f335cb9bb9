package verify

import (
	"strconv"
	"strings"

	"github.com/keywarden/keywarden/internal/engine"
)

// Explain groups the answers on a principal's actions: actions whose
// explanations differ only by the action's name share one, in which the
// engine's texts name them together ("allows kms:Decrypt,
// kms:ReEncryptFrom on this key"). internal/diff explains changes with it
// too.
func Explain(actions []string, results []engine.Result) []Explanation {
	var out []Explanation
	var sigs []string
	for i, a := range actions {
		r := results[i]
		sig := signature(a, r)
		j := indexOf(sigs, sig)
		if j < 0 {
			sigs = append(sigs, sig)
			out = append(out, Explanation{Decision: r.Decision, Rule: r.Rule, Conditional: r.Conditional, Conditions: r.Conditions,
				Unless: r.Unless, Summary: r.Summary, Reasons: r.Reasons, Missing: r.Missing, Unread: r.Unread})
			j = len(out) - 1
		}
		out[j].Actions = append(out[j].Actions, a)
	}
	for i := range out {
		e := &out[i]
		if len(e.Actions) < 2 {
			continue
		}
		first, all := e.Actions[0], strings.Join(e.Actions, ", ")
		e.Summary = strings.ReplaceAll(e.Summary, first, all)
		reasons := make([]engine.Reason, len(e.Reasons))
		for k, r := range e.Reasons {
			r.Role = strings.ReplaceAll(r.Role, first, all)
			if r.Subject == first {
				r.Subject = all
			}
			reasons[k] = r
		}
		e.Reasons = reasons
	}
	return out
}

// signature is an answer with the action's name taken out.
func signature(action string, r engine.Result) string {
	var b strings.Builder
	cut := func(s string) string { return strings.ReplaceAll(s, action, "\x00") }
	b.WriteString(r.Decision.String())
	if r.Conditional {
		b.WriteString("|c")
	}
	for _, list := range [][]string{r.Conditions, r.Unless, r.Missing} {
		b.WriteString("|")
		for _, c := range list {
			b.WriteString(cut(c))
			b.WriteByte(';')
		}
	}
	b.WriteString("|" + cut(r.Summary))
	for _, reason := range r.Reasons {
		b.WriteString("|" + string(reason.Layer) + "/" + reason.Policy + "/" + strconv.Itoa(reason.Statement) + "/" + string(reason.Kind) + "/" + cut(reason.Role) + "/" + strings.Join(reason.Conditions, ";"))
	}
	return b.String()
}

func indexOf(ss []string, s string) int {
	for i, x := range ss {
		if x == s {
			return i
		}
	}
	return -1
}
