package engine

import (
	"strings"

	"github.com/keywarden/keywarden/internal/policy"
)

// grants finds the grants that allow the request (shared/kms-authorization.md
// §5.5). Grants allow without key-policy delegation and without IAM, also
// across accounts; they never deny.
func (e *evaluator) grants() outcome {
	out := no
	op := opName(e.action)
	for i := range e.p.Grants {
		g := &e.p.Grants[i]
		if !hasOp(g.Operations, op) {
			continue
		}
		gm := granteeMatch(g.GranteePrincipal, &e.caller)
		if gm == noMatch {
			continue
		}
		o := outcome{t: policy.True, reasons: []Reason{{Layer: LayerGrant, Policy: grantLabel(g, i), Statement: -1, Effect: "Allow",
			Kind: RoleGrantAllows, Subject: op, Role: "allows " + op + " for grantee " + g.GranteePrincipal}}}
		if e.info.EncryptionContext {
			o = and(o, e.ecConstraint(g))
		}
		if strings.EqualFold(op, "CreateGrant") {
			o = and(o, e.childGrant(g, grantLabel(g, i)))
		}
		if gm == matchAccount {
			// [U] §13.2: an account grantee acts like key-policy
			// delegation; the caller's IAM must allow too.
			e.note("[U] AWS does not document account grantees; keywarden treats them like key-policy delegation: the caller's IAM policies must also allow (docs/semantics.md)")
			if e.caller.kind != callerRoot {
				o = and(o, e.identity(e.resource).all())
			}
		} else if e.p.Boundary != nil || e.p.Session != nil {
			e.note("[U] AWS does not document whether permissions boundaries or session policies limit grants; keywarden lets the grant allow (docs/semantics.md)")
		}
		out.add(o)
	}
	return out
}

// unreadGrants is the alternative "a grant that was not read allows it",
// for an operation grants can allow.
func (e *evaluator) unreadGrants() outcome {
	g := e.p.Unread.Grants
	if g == nil || e.info == nil || !e.info.GrantOp || e.caller.kind == callerAnonymous {
		return no
	}
	return unknownOutcome(cond{kind: condUnreadNeed, gap: g, text: "a grant that was not read allows " + e.action})
}

func opName(action string) string {
	if i := strings.IndexByte(action, ':'); i >= 0 {
		return action[i+1:]
	}
	return action
}

func grantLabel(g *Grant, i int) string {
	if g.ID == "" {
		return "grant #" + itoa(i)
	}
	return "grant " + g.ID
}

func hasOp(ops []string, op string) bool {
	for _, o := range ops {
		if strings.EqualFold(o, op) {
			return true
		}
	}
	return false
}

// ecConstraint tests a grant's encryption-context constraint. Pair keys
// compare without regard to case, values exactly ([U] §13.3).
func (e *evaluator) ecConstraint(g *Grant) outcome {
	if g.EncryptionContextEquals == nil && g.EncryptionContextSubset == nil {
		return yes
	}
	ec, known := e.ctx.encryptionContext()
	if !known {
		return unknownOutcome(cond{kind: condRequest, text: "the request's encryption context satisfies the grant's constraint"})
	}
	if g.EncryptionContextEquals != nil {
		if len(ec) != len(g.EncryptionContextEquals) {
			return no
		}
		for k, v := range g.EncryptionContextEquals {
			if got, ok := ec[strings.ToLower(k)]; !ok || got != v {
				return no
			}
		}
		return yes
	}
	for k, v := range g.EncryptionContextSubset {
		if got, ok := ec[strings.ToLower(k)]; !ok || got != v {
			return no
		}
	}
	return yes
}

// childGrant applies the limits on grants created with CreateGrant
// permission that came from a grant (KMS developer guide, "Creating
// grants", "Granting CreateGrant permission"): the new grant may allow only
// operations of the parent grant, and its constraint must be at least as
// strict: an EncryptionContextSubset may gain pairs or become an
// EncryptionContextEquals, never the reverse. The new grant's operations
// come from kms:GrantOperations and its constraint type from
// kms:GrantConstraintType; its pairs, like any CreateGrant request's, from
// the kms:EncryptionContext: keys (checked by ecConstraint).
//
// [Granting CreateGrant permission]: https://docs.aws.amazon.com/kms/latest/developerguide/create-grant-overview.html#grant-creategrant
func (e *evaluator) childGrant(g *Grant, label string) outcome {
	out := yes
	ops, list, p := e.ctx.Lookup("kms:grantoperations")
	_ = list
	switch p {
	case policy.Present:
		for _, op := range ops {
			if !hasOp(g.Operations, op) {
				e.note("a grant created with CreateGrant permission from " + label + " may allow only the parent grant's operations (" + strings.Join(g.Operations, ", ") + "); the request asks for " + op)
				return no
			}
		}
	case policy.Absent:
		e.note("the request does not say which operations the new grant allows; " + label + " lets its grantee create grants for its own operations only (" + strings.Join(g.Operations, ", ") + ")")
	default:
		out = and(out, unknownOutcome(cond{kind: condRequest, text: "the new grant allows only operations of " + label + " (" + strings.Join(g.Operations, ", ") + ")"}))
	}
	if g.EncryptionContextEquals != nil {
		switch v, ok := e.ctx.value("kms:grantconstrainttype"); {
		case ok && !strings.EqualFold(v, "EncryptionContextEquals"):
			e.note("a grant created from " + label + " must keep its EncryptionContextEquals constraint")
			return no
		case !ok:
			if _, _, p := e.ctx.Lookup("kms:grantconstrainttype"); p != policy.Absent {
				out = and(out, unknownOutcome(cond{kind: condRequest, text: "the new grant has an EncryptionContextEquals constraint, as " + label + " has"}))
			}
		}
	}
	if g.EncryptionContextSubset != nil {
		if _, _, p := e.ctx.Lookup("kms:grantconstrainttype"); p == policy.Absent && !e.ctx.open {
			e.note("a grant created from " + label + " needs an encryption context constraint at least as strict as the parent's; the request gives no kms:GrantConstraintType")
		}
	}
	return out
}

// decideRetireGrant: RetireGrant is decided by the grants themselves
// (KMS developer guide, "Retiring and revoking grants"; API reference,
// RetireGrant): the retiring principal; the grantee when the grant
// includes RetireGrant; the account in which the grant was created, and
// the account that owns the key, through identities whose IAM policies
// allow kms:RetireGrant; and, when the retiring principal is an account,
// identities of that account whose IAM policies allow it. A key-policy
// statement for kms:RetireGrant has no effect, and RCPs do not apply.
func (e *evaluator) decideRetireGrant(deny, guard outcome) Result {
	out := no
	var side *identitySide
	iam := func() outcome {
		if e.caller.kind == callerRoot {
			return yes
		}
		if side == nil {
			s := e.identity(e.resource)
			side = &s
		}
		return side.all()
	}
	for i := range e.p.Grants {
		g := &e.p.Grants[i]
		label := grantLabel(g, i)
		mk := func(kind RoleKind, subject, role string) outcome {
			return outcome{t: policy.True, reasons: []Reason{{Layer: LayerGrant, Policy: label, Statement: -1, Effect: "Allow", Kind: kind, Subject: subject, Role: role}}}
		}
		switch granteeMatch(g.RetiringPrincipal, &e.caller) {
		case matchStrong, matchLimited:
			out.add(mk(RoleGrantRetiring, "", "names the caller as retiring principal"))
		case matchAccount:
			out.add(and(mk(RoleGrantRetiringAcct, e.caller.account, "names account "+e.caller.account+" as retiring principal"), iam()))
		}
		if hasOp(g.Operations, "RetireGrant") {
			if m := granteeMatch(g.GranteePrincipal, &e.caller); m == matchStrong || m == matchLimited {
				out.add(mk(RoleGrantGranteeRetire, "", "lets its grantee retire it"))
			}
		}
		issuer := g.IssuingAccount
		if issuer == "" {
			issuer = e.keyAcct
		}
		for _, acct := range uniqueAccounts(issuer, e.keyAcct) {
			if acct == e.caller.account {
				out.add(and(mk(RoleGrantIssuer, acct, "belongs to account "+acct+", which may retire grants it issued or on its keys"), iam()))
			}
		}
	}
	out.add(e.unreadGrants())
	allow := and(out, guard)
	return e.finish(deny, allow, []path{{allow, RuleGrant}}, denial{LayerGrant, RuleGrant,
		"implicitly denied: kms:RetireGrant is authorized by grants (retiring principal, grantee, issuing account), and none lets this caller retire a grant on this key", nil})
}

func uniqueAccounts(a, b string) []string {
	if a == b || b == "" {
		return []string{a}
	}
	return []string{a, b}
}
