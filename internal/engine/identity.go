package engine

import (
	"fmt"

	"github.com/keywarden/keywarden/internal/policy"
)

// identitySide is the caller's own side of a decision: its identity
// policies, permissions boundary and session policy.
type identitySide struct {
	id, pb, sp outcome
}

// identity evaluates the caller's own side for a resource.
func (e *evaluator) identity(resource string) identitySide {
	var s identitySide
	c := &e.caller
	switch {
	case c.kind == callerRoot:
		// The root user has no identity policies; it may do anything its
		// account allows (shared/kms-authorization.md §3.3).
		s.id = yes
	case e.p.IdentityOpen || c.kind == callerSymbolic:
		who := "its own IAM policies"
		if c.account != "" {
			who += " in account " + c.account
		}
		s.id = unknownOutcome(cond{kind: condRequest, own: true, text: who + " allow " + e.action + e.onThis()})
	case e.p.Unread.Identity != nil:
		g := e.p.Unread.Identity
		s.id = unknownOutcome(cond{kind: condUnreadNeed, gap: g,
			text: "its identity-based policies, which were not read, allow " + e.action + e.onThis()})
	default:
		s.id = e.scanAll(e.p.Identity, where{layer: LayerIdentity}, policy.Allow, resource, RoleAllowsOn)
	}
	s.pb, s.sp = yes, yes
	if e.hasIdentityLimits() {
		if d := e.p.Boundary; d != nil {
			s.pb = e.scan(d, where{layer: LayerBoundary}, policy.Allow, resource, &e.ctx, RoleAllowsAction)
		} else if g := e.p.Unread.Boundary; g != nil {
			s.pb = unknownOutcome(cond{kind: condUnreadLimit, gap: g, text: "unless its permissions boundary does not allow " + e.action + ": " + gapReason(g)})
		}
	}
	if e.hasSession() {
		switch {
		case e.p.Session != nil:
			s.sp = e.scan(e.p.Session, where{layer: LayerSession}, policy.Allow, resource, &e.ctx, RoleAllowsAction)
		case e.p.Unread.Session != nil:
			g := e.p.Unread.Session
			s.sp = unknownOutcome(cond{kind: condUnreadLimit, gap: g, text: "unless the session policy does not allow " + e.action + ": " + gapReason(g)})
		case c.kind == callerFederated:
			// GetFederationToken without a session policy gives no
			// identity-based permissions.
			s.sp = no
			e.note("a federated-user session without a session policy has no identity-based permissions")
		}
	}
	return s
}

// onThis is " on this key" (alias, resource), or "" for an action without
// a resource.
func (e *evaluator) onThis() string {
	if n := e.resourceNoun(); n != "" {
		return " on this " + n
	}
	return ""
}

// limits is what boundaries and session policies require.
func (s identitySide) limits() outcome { return and(s.pb, s.sp) }

// all is identity allow plus boundary plus session.
func (s identitySide) all() outcome { return and(s.id, s.pb, s.sp) }

// missingLayer names the first layer of the identity side that does not
// allow.
func (s identitySide) missingLayer() (Layer, Rule) {
	switch {
	case s.id.t == policy.False:
		return LayerIdentity, RuleNoIdentityAllow
	case s.pb.t == policy.False:
		return LayerBoundary, RuleBoundaryNoAllow
	case s.sp.t == policy.False:
		return LayerSession, RuleSessionNoAllow
	}
	return LayerIdentity, RuleNoIdentityAllow
}

// missingText says what the identity side lacks, for a denial.
func (e *evaluator) missingText(r Rule) string {
	switch r {
	case RuleBoundaryNoAllow:
		return "the permissions boundary does not allow " + e.action
	case RuleSessionNoAllow:
		return "the session policy does not allow " + e.action
	}
	return "no identity-based policy allows " + e.action + e.onThis()
}

// scpGuard checks that every SCP level of the caller's account allows the
// request (every RCP level always does: RCPFullAWSAccess is attached at
// every level and cannot be detached). It returns the outcome to AND into
// an allow, or the level that does not allow.
func (e *evaluator) scpGuard(resource string) (outcome, int) {
	if !e.subjectToSCPs() || len(e.p.SCPs) == 0 {
		return yes, -1
	}
	all := yes
	for l, level := range e.p.SCPs {
		o := e.scanAll(level, where{layer: LayerSCP, level: l}, policy.Allow, resource, RoleAllows)
		if o.t == policy.False {
			return o, l
		}
		all = and(all, outcome{t: o.t, alts: o.alts})
	}
	return all, -1
}

// unreadLimits are the conditions an Allow holds under because inputs that
// could deny were not read: SCPs, RCPs, the key policy, the caller's
// identity policies, boundary and session policy (each only where it
// applies to this request).
func (e *evaluator) unreadLimits(keyResource bool) []cond {
	var out []cond
	u := &e.p.Unread
	add := func(g *Gap, text string) {
		out = append(out, cond{kind: condUnreadLimit, gap: g, text: text + ": " + gapReason(g)})
	}
	if g := u.SCPs; g != nil && e.subjectToSCPs() {
		add(g, "unless a service control policy"+ofAccount(g, e.caller.account)+" denies it")
	}
	if g := u.RCPs; g != nil && keyResource && e.subjectToRCPs() {
		add(g, "unless a resource control policy"+ofAccount(g, e.keyAcct)+" denies it")
	}
	if g := u.KeyPolicy; keyResource && e.p.KeyPolicy == nil {
		if g == nil {
			g = &Gap{Input: InputKeyPolicy, Reason: "not given"}
		}
		add(g, "unless the key policy, which was not read, denies it")
	}
	if g := u.Identity; g != nil && e.caller.iamPrincipal() && e.caller.kind != callerRoot && !e.p.IdentityOpen {
		add(g, "unless an identity-based policy of the caller, which was not read, denies it")
	}
	if g := u.Boundary; g != nil && e.hasIdentityLimits() {
		add(g, "unless its permissions boundary, which was not read, denies it")
	}
	if g := u.Session; g != nil && e.hasSession() {
		add(g, "unless the session policy, which was not read, denies it")
	}
	return out
}

// ofAccount is " of account A" for a gap's owner (or the given account).
func ofAccount(g *Gap, acct string) string {
	if g.Owner != "" {
		acct = g.Owner
	}
	if acct == "" {
		return ""
	}
	return " of account " + acct
}

func gapReason(g *Gap) string {
	if g.Reason == "" {
		return fmt.Sprintf("the %s could not be read", g.Input)
	}
	return g.Reason
}
