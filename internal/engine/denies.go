package engine

import (
	"strings"

	"github.com/keywarden/keywarden/internal/policy"
)

// denies gathers every applicable Deny (IAM policy evaluation logic, step
// 1): SCPs, RCPs (withRCP), the key policy (withKP), identity policies, the
// permissions boundary and the session policy, citing each that applies.
// It also applies the rule that Deny+NotPrincipal always denies a
// principal with a permissions boundary.
func (e *evaluator) denies(resource string, withRCP, withKP bool) outcome {
	out := no
	if e.subjectToSCPs() {
		for l, level := range e.p.SCPs {
			for i, d := range level {
				out.add(e.scan(d, where{LayerSCP, l, i}, policy.Deny, resource, &e.ctx, RoleDenies))
			}
		}
	}
	if withRCP && e.subjectToRCPs() {
		for l, level := range e.p.RCPs {
			for i, d := range level {
				out.add(e.resourcePolicyDenies(d, where{LayerRCP, l, i}, resource, &e.ctx))
			}
		}
	}
	if withKP && e.p.KeyPolicy != nil {
		out.add(e.resourcePolicyDenies(e.p.KeyPolicy, where{layer: LayerKeyPolicy}, resource, e.kpCtx))
	}
	out.add(e.scanAll(e.p.Identity, where{layer: LayerIdentity}, policy.Deny, resource, RoleDenies))
	if d := e.p.Boundary; d != nil && e.hasIdentityLimits() {
		out.add(e.scan(d, where{layer: LayerBoundary}, policy.Deny, resource, &e.ctx, RoleDenies))
	}
	if d := e.p.Session; d != nil && e.hasSession() {
		out.add(e.scan(d, where{layer: LayerSession}, policy.Deny, resource, &e.ctx, RoleDenies))
	}
	return out
}

// resourcePolicyDenies finds the Deny statements of a resource-based
// policy (key policy, RCP, bucket policy) that apply to the caller.
func (e *evaluator) resourcePolicyDenies(d *policy.Document, w where, resource string, ctx policy.Context) outcome {
	out := no
	for _, s := range d.Statements {
		if s.Effect != policy.Deny || !s.HasResourceElement() || !s.MatchAction(e.action) {
			continue
		}
		kind := RoleDenies
		if s.NotPrincipal != nil {
			exempt, partial := notPrincipalExempt(s.NotPrincipal, &e.caller)
			switch {
			case e.hasBoundary() && e.caller.kind != callerRoot && e.caller.kind != callerService:
				// IAM: Deny with NotPrincipal always denies principals
				// with a permissions boundary, whatever it lists.
				kind = RoleDeniesBoundary
			case exempt:
				continue
			case partial && e.caller.kind != callerSymbolic:
				kind = RoleDeniesPartial
				e.note("[U] AWS evaluates Deny+NotPrincipal against the caller and its parents (role, account); keywarden exempts a caller only when its own ARN, its role (sessions) and its account are all listed (docs/semantics.md)")
			default:
				kind = RoleDeniesNotListed
			}
		} else if s.Principal == nil || principalMatch(s.Principal, &e.caller) == noMatch {
			continue
		}
		out.add(e.statementOutcome(d, w, s, kind, resource, ctx))
	}
	return out
}

// subjectToSCPs: SCPs limit every principal of a member account except
// service principals and service-linked roles (AWS Organizations, "SCP
// effects on permissions").
func (e *evaluator) subjectToSCPs() bool {
	if len(e.p.SCPs) == 0 && e.p.Unread.SCPs == nil {
		return false
	}
	if !e.caller.iamPrincipal() {
		return e.caller.kind == callerSymbolic
	}
	// Service-linked roles live under the path /aws-service-role/ and are
	// named AWSServiceRoleFor...; a session ARN does not carry the path,
	// so the name tells.
	v, _ := e.ctx.value("aws:principalarn")
	if strings.Contains(v, ":role/aws-service-role/") || e.caller.isSession() && strings.HasPrefix(e.caller.name, "AWSServiceRoleFor") {
		e.note("service-linked roles are not limited by SCPs")
		return false
	}
	return true
}

// subjectToRCPs: RCPs limit requests to customer managed keys; never
// kms:RetireGrant, never AWS managed keys (KMS developer guide, "Resource
// control policies in AWS KMS").
func (e *evaluator) subjectToRCPs() bool {
	if len(e.p.RCPs) == 0 && e.p.Unread.RCPs == nil || e.p.AWSManagedKey {
		return false
	}
	return !strings.EqualFold(e.action, "kms:RetireGrant")
}

// hasBoundary reports whether the caller has a permissions boundary, read
// or not.
func (e *evaluator) hasBoundary() bool { return e.p.Boundary != nil || e.p.Unread.Boundary != nil }

// hasIdentityLimits reports whether boundaries apply to the caller: IAM
// users and role sessions; not the root user, services or symbols.
func (e *evaluator) hasIdentityLimits() bool {
	switch e.caller.kind {
	case callerUser, callerRole, callerSession, callerFederated:
		return true
	}
	return false
}

// hasSession reports whether a session policy can apply to the caller.
func (e *evaluator) hasSession() bool {
	switch e.caller.kind {
	case callerRole, callerSession, callerFederated:
		return true
	}
	return false
}
