package engine

import (
	"strconv"
	"strings"

	"github.com/keywarden/keywarden/internal/arn"
	"github.com/keywarden/keywarden/internal/policy"
)

// where identifies a document for explanations; its label is built only
// when a statement of it takes part in the decision.
type where struct {
	layer Layer
	level int
	index int
}

func (w where) label(d *policy.Document) string {
	if d.Name != "" {
		return d.Name
	}
	switch w.layer {
	case LayerIdentity:
		if w.index < len(identityLabels) {
			return identityLabels[w.index]
		}
		return "identity policy #" + strconv.Itoa(w.index)
	case LayerSCP:
		return "SCP level " + strconv.Itoa(w.level) + " policy #" + strconv.Itoa(w.index)
	case LayerRCP:
		return "RCP level " + strconv.Itoa(w.level) + " policy #" + strconv.Itoa(w.index)
	}
	return string(w.layer)
}

// identityLabels are the labels of the first identity policies, which
// most decisions cite.
var identityLabels = [...]string{"identity policy #0", "identity policy #1", "identity policy #2", "identity policy #3",
	"identity policy #4", "identity policy #5", "identity policy #6", "identity policy #7"}

// resourceAndConditions tests a statement's Resource and Condition (not
// its Action, known to match, nor its Principal) against the request, and
// returns the conditions it could not decide.
func (e *evaluator) resourceAndConditions(s *policy.Statement, resource string, ctx policy.Context) (policy.Tri, []string) {
	var r policy.Tri
	if resource == "*" {
		r = matchNoResource(s)
	} else {
		r = s.MatchResource(resource, ctx)
	}
	if r == policy.False {
		return policy.False, nil
	}
	var unknown []*policy.Condition
	t := r.And(s.EvalConditions(ctx, &unknown))
	if t != policy.Unknown {
		return t, nil
	}
	conds := make([]string, 0, len(unknown)+1)
	if r == policy.Unknown {
		conds = append(conds, "the resource matches "+strings.Join(s.Resource, ", "))
	}
	for _, u := range unknown {
		conds = append(conds, u.String())
	}
	return t, conds
}

// matchNoResource decides Resource for actions that have none (ListKeys,
// CreateKey...): "*" applies, and so does an ARN pattern whose resource
// part is "*" (arn:aws:kms:REGION:ACCOUNT:*), per the KMS permissions
// reference.
func matchNoResource(s *policy.Statement) policy.Tri {
	patterns, not := s.Resource, false
	if patterns == nil {
		patterns, not = s.NotResource, true
	}
	if patterns == nil {
		return policy.False
	}
	m := false
	for _, p := range patterns {
		if p == "*" {
			m = true
			break
		}
		if f, n := arn.Split(p); n == 6 && f[5] == "*" && policy.GlobFold(f[2], "kms") {
			m = true
			break
		}
	}
	if m != not {
		return policy.True
	}
	return policy.False
}

// scan evaluates every statement of one document with one effect: the
// outcome "some statement applies", citing every statement that does.
func (e *evaluator) scan(d *policy.Document, w where, effect policy.Effect, resource string, ctx policy.Context, kind RoleKind) outcome {
	out := no
	for _, s := range d.Statements {
		if s.Effect != effect {
			continue
		}
		if !s.MatchAction(e.action) {
			continue
		}
		out.add(e.statementOutcome(d, w, s, kind, resource, ctx))
	}
	return out
}

// statementOutcome is what one statement whose action matches does: it
// applies (its resource and conditions hold), applies only if the request
// meets conditions nobody gave (Unknown), or not at all (no).
func (e *evaluator) statementOutcome(d *policy.Document, w where, s *policy.Statement, kind RoleKind, resource string, ctx policy.Context) outcome {
	t, conds := e.resourceAndConditions(s, resource, ctx)
	if t == policy.False {
		return no
	}
	o := outcome{t: t, reasons: e.cite(e.reason(w.layer, w.label(d), s, kind, conds))}
	if t == policy.Unknown {
		o.alts = []alt{requestConds(conds)}
	}
	return o
}

// scanAll is scan over several documents.
func (e *evaluator) scanAll(docs []*policy.Document, w where, effect policy.Effect, resource string, kind RoleKind) outcome {
	out := no
	for i, d := range docs {
		w.index = i
		out.add(e.scan(d, w, effect, resource, &e.ctx, kind))
	}
	return out
}

// reason cites a statement.
func (e *evaluator) reason(layer Layer, policyLabel string, s *policy.Statement, kind RoleKind, conds []string) Reason {
	r := Reason{Layer: layer, Policy: policyLabel, Statement: s.Index, Sid: s.Sid, Effect: s.Effect.String(), Kind: kind, Conditions: conds}
	switch kind {
	case RoleAllowsAction, RoleAllowsOn:
		r.Subject = e.action
	case RoleDelegates, RoleAllowsRootAccount:
		r.Subject = e.caller.account
	case RoleNamesService:
		r.Subject = e.caller.name
	}
	return r
}

// roleText says in English what a statement did.
func (e *evaluator) roleText(kind RoleKind, subject string) string {
	switch kind {
	case RoleDenies:
		return "denies"
	case RoleDeniesNotListed:
		return "denies (the caller is not listed in NotPrincipal)"
	case RoleDeniesPartial:
		return "denies (NotPrincipal lists only some of the caller, its role and its account)"
	case RoleDeniesBoundary:
		return "denies (NotPrincipal never exempts a principal with a permissions boundary)"
	case RoleAllowsAction:
		return "allows " + subject
	case RoleAllowsOn:
		if noun := e.resourceNoun(); noun != "" {
			return "allows " + subject + " on this " + noun
		}
		return "allows " + subject
	case RoleNamesCaller:
		return "names the caller"
	case RoleNamesRole:
		return "names the caller's role"
	case RoleAllowsEveryone:
		return "allows every principal (\"*\")"
	case RoleAllowsNotListed:
		return "allows everyone not listed in NotPrincipal"
	case RoleDelegates:
		return "delegates to account " + subject
	case RoleAllowsRootAccount:
		return "allows account " + subject + ", which includes its root user"
	case RoleNamesService:
		return "names the service principal " + subject
	}
	return "allows"
}

// resourceNoun names the request's resource: "key", "alias", "resource",
// or nothing for an action without one.
func (e *evaluator) resourceNoun() string {
	switch {
	case e.resource == "*":
		return ""
	case e.info == nil:
		return "resource"
	case strings.Contains(e.resource, ":alias/"):
		return "alias"
	}
	return "key"
}
