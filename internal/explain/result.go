package explain

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/keywarden/keywarden/internal/engine"
)

// A Question is what was asked: the result alone does not name the
// action or the resource, and some sentences do.
type Question struct {
	Principal string
	Action    string
	Resource  string
}

// noun names the question's resource as the engine's roles do: "key",
// "alias", "resource", or "" for an action without one.
func (q Question) noun() string {
	switch {
	case q.Resource == "*" || q.Resource == "":
		return ""
	case !strings.HasPrefix(strings.ToLower(q.Action), "kms:"):
		return "resource"
	case strings.Contains(q.Resource, ":alias/"):
		return "alias"
	}
	return "key"
}

// Role says what a statement or grant did in a decision. In English it is
// the engine's own Reason.Role when there is one.
func Role(r engine.Reason, q Question, lang string) string {
	if lang != Japanese && r.Role != "" {
		return r.Role
	}
	return role(r, q, lang)
}

// role writes a role from the reason's Kind and Subject.
func role(r engine.Reason, q Question, lang string) string {
	switch r.Kind {
	case engine.RoleAllowsOn:
		return sprintf(allowsOn[q.noun()].in(lang), r.Subject)
	case engine.RoleGrantAllows:
		grantee := ""
		if m := granteeRe.FindStringSubmatch(r.Role); m != nil {
			grantee = m[1]
		}
		if lang == Japanese {
			return sprintf(grantAllows.JA, grantee, r.Subject)
		}
		return sprintf(grantAllows.EN, r.Subject, grantee)
	}
	if m, ok := roles[r.Kind]; ok {
		return sprintf(m.in(lang), r.Subject)
	}
	return Text(r.Role, lang)
}

var granteeRe = regexp.MustCompile(`for grantee (\S+)$`)

// Statement names the statement (or grant) a reason cites: "key policy
// statement 'Sid' (#1)", "grant 8c94…".
func Statement(r engine.Reason, lang string) string {
	label := PolicyLabel(r.Policy, lang)
	if r.Layer == engine.LayerGrant || r.Statement < 0 {
		return label
	}
	if lang == Japanese {
		label = withNo(label)
	}
	if r.Sid != "" {
		return sprintf(statementSid.in(lang), label, r.Sid, strconv.Itoa(r.Statement))
	}
	return sprintf(statementIndex.in(lang), label, strconv.Itoa(r.Statement))
}

// withNo is a Japanese noun followed by the particle の, with a space
// between them after Latin text (an ARN, a name) and none after Japanese.
func withNo(noun string) string {
	if r, _ := utf8.DecodeLastRuneInString(noun); r < 0x80 {
		return noun + " の"
	}
	return noun + "の"
}

// ReasonLine is one line of an explanation: the statement and what it
// did. (The conditions it holds under are the result's, listed apart.)
func ReasonLine(r engine.Reason, q Question, lang string) string {
	return Statement(r, lang) + ": " + Role(r, q, lang)
}

// Gap says which input was not read, whose it is and why: in English
// exactly engine.Gap.String.
func Gap(g engine.Gap, lang string) string {
	if lang != Japanese {
		return g.String()
	}
	in := Input(g.Input, lang)
	owner := g.Owner
	if isAccountID(owner) {
		owner = "アカウント " + owner
	}
	switch {
	case owner != "" && g.Reason != "":
		return sprintf(gapOwnerReason.JA, in, owner, Reason(g.Reason, lang))
	case owner != "":
		return sprintf(gapOwner.JA, in, owner)
	case g.Reason != "":
		return sprintf(gapReason.JA, in, Reason(g.Reason, lang))
	}
	return in
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Summary is the decision in one sentence. In English it is the engine's
// own Result.Summary; in Japanese it is written from the decision, the
// rule and the statements cited.
func Summary(r *engine.Result, q Question, lang string) string {
	if lang != Japanese {
		return r.Summary
	}
	switch r.Decision {
	case engine.Allow:
		switch {
		case r.Rule == engine.RuleIAMOnly && strings.Contains(r.Summary, "the root user may call"):
			return sprintf(sumAllowRoot, q.Action)
		case r.Rule == engine.RuleIAMOnly:
			return sprintf(sumAllowIAMOnly, q.Action)
		case q.Action != "" && !strings.HasPrefix(strings.ToLower(q.Action), "kms:"):
			// Another service's action (S3): its rules are not a key
			// policy's; the layers that allowed say it.
			return sprintf(sumAllow, otherServiceAllows(r))
		}
		if s, ok := ruleAllows[r.Rule]; ok {
			return sprintf(sumAllow, s)
		}
		return Decision(r.Decision, r.Conditional, lang)
	case engine.ExplicitDeny:
		for _, reason := range r.Reasons {
			if reason.Effect == "Deny" && len(reason.Conditions) == 0 {
				return sprintf(sumExplicitDeny, Statement(reason, lang))
			}
		}
		for _, reason := range r.Reasons {
			if reason.Effect == "Deny" {
				return sprintf(sumExplicitDeny, Statement(reason, lang))
			}
		}
		return Decision(r.Decision, false, lang)
	case engine.Unknown:
		if len(r.Unread) > 0 {
			var gs []string
			for _, g := range r.Unread {
				gs = append(gs, Gap(g, lang))
			}
			return sprintf(sumUnknown, strings.Join(gs, "; "))
		}
		if len(r.Missing) == 1 && r.Missing[0] == "principal" {
			return sumUnknownCaller
		}
		var ms []string
		for _, m := range r.Missing {
			ms = append(ms, Text(m, lang))
		}
		return sprintf(sumUnknown, strings.Join(ms, "; "))
	}
	// An implicit denial.
	if s, ok := ruleDenies[r.Rule]; ok {
		return sumImplicitPrefix + sprintf(s, q.Action)
	}
	return Decision(r.Decision, false, lang)
}

// otherServiceAllows says which policies allow an action of another
// service than KMS: IAM policies, a resource-based policy, or both.
func otherServiceAllows(r *engine.Result) string {
	identity, resource := false, false
	for _, reason := range r.Reasons {
		if reason.Effect != "Allow" {
			continue
		}
		switch reason.Layer {
		case engine.LayerIdentity:
			identity = true
		case engine.LayerResource:
			resource = true
		}
	}
	switch {
	case identity && resource:
		return allowsIAMAndResource
	case resource:
		return allowsResource
	}
	return allowsIAM
}

// Lines is a result's explanation, one line each: the summary, every
// statement that took part, the conditions, what is missing, the notes.
// Answers (can, who-can) print it indented under the decision.
func Lines(r *engine.Result, q Question, lang string) []string {
	out := []string{Summary(r, q, lang)}
	for _, reason := range r.Reasons {
		out = append(out, "- "+ReasonLine(reason, q, lang))
	}
	for _, c := range r.Conditions {
		out = append(out, Label("when", lang)+": "+Condition(c, lang))
	}
	if lang == Japanese && r.Decision == engine.Unknown && len(r.Unread) > 0 {
		for _, g := range r.Unread {
			out = append(out, Label("missing", lang)+": "+Gap(g, lang))
		}
	} else {
		for _, m := range r.Missing {
			out = append(out, Label("missing", lang)+": "+Text(m, lang))
		}
	}
	for _, n := range r.Notes {
		out = append(out, Label("note", lang)+": "+Note(n, lang))
	}
	return out
}
