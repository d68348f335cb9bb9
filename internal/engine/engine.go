package engine

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/policy"
)

// Decide evaluates one request against the policies in force and explains
// the decision. It never panics and never returns a denial for a question
// it could not answer: a missing key policy gives Unknown.
func Decide(req Request, p *Policies) Result {
	if p == nil {
		p = &Policies{}
	}
	e := newEvaluator(&req, p)
	defer e.release()
	return e.decide()
}

func (e *evaluator) decide() Result {
	req := e.req
	switch {
	case e.caller.kind == callerInvalid:
		return Result{Decision: Unknown, Layer: LayerKMS, Rule: RuleMissingInput,
			Summary: fmt.Sprintf("unknown: %q is not a principal keywarden recognizes (expected a user, role, session, federated-user or root ARN, an account ID, a service principal or \"anonymous\")", req.Principal),
			Missing: []string{"principal"}}
	case e.caller.kind == callerAnonymous:
		// KMS accepts only signed requests.
		return Result{Decision: ImplicitDeny, Layer: LayerKMS, Rule: RuleAnonymous,
			Summary: "implicitly denied: KMS never accepts anonymous (unsigned) requests"}
	case e.info == nil:
		return e.decideOther()
	case e.info.Resource == awsfacts.NoResource:
		return e.decideIAMOnly(RuleIAMOnly)
	case e.info.Resource == awsfacts.AliasAndKey && strings.Contains(req.Resource, ":alias/"):
		return e.decideAlias()
	}
	return e.decideKey()
}

// evaluator holds what one decision computes once.
type evaluator struct {
	req       *Request
	reqCopy   Request
	p         *Policies
	caller    caller
	info      *awsfacts.KMSAction
	action    string
	ctx       *reqContext
	kpCtx     policy.Context
	rc        reqContext
	arena     [8]Reason
	arenaUsed int
	resource  string
	keyAcct   string
	notes     []string
}

var evaluators = sync.Pool{New: func() any { return new(evaluator) }}

func newEvaluator(req *Request, p *Policies) *evaluator {
	e := evaluators.Get().(*evaluator)
	// Reset field by field: the reason arena is overwritten before use and
	// need not be cleared.
	// The request is copied into the pooled evaluator so that the caller's
	// value does not escape to the heap.
	e.reqCopy = *req
	req = &e.reqCopy
	e.req, e.p, e.caller, e.action, e.resource = req, p, parseCaller(req.Principal), req.Action, req.Resource
	e.notes, e.arenaUsed, e.rc = nil, 0, reqContext{}
	e.info = awsfacts.LookupKMS(req.Action)
	keyAction := e.info != nil && e.info.Resource != awsfacts.NoResource
	e.rc.init(req, &e.caller, keyAction)
	e.ctx = &e.rc
	e.kpCtx = keyPolicyView{&e.rc}
	e.keyAcct = accountOf(req.Resource)
	return e
}

// release returns the evaluator to the pool; results never point into it
// (finish copies reasons out of the arena).
func (e *evaluator) release() {
	e.req, e.p = nil, nil
	evaluators.Put(e)
}

// detach copies reasons out of the evaluator's arena.
func detach(rs []Reason) []Reason {
	if len(rs) == 0 {
		return nil
	}
	return append(make([]Reason, 0, len(rs)), rs...)
}

func (e *evaluator) note(n string) {
	for _, x := range e.notes {
		if x == n {
			return
		}
	}
	e.notes = append(e.notes, n)
}

// outcome is a three-valued verdict with what it depends on: the
// conditions that must hold (when Unknown) and the statements behind it.
type outcome struct {
	t       policy.Tri
	conds   []string
	reasons []Reason
}

var (
	no  = outcome{t: policy.False}
	yes = outcome{t: policy.True}
)

// and combines two outcomes that must both hold; combined reason lists
// come from the evaluator's arena while it lasts.
func (e *evaluator) and(a, b outcome) outcome {
	if len(a.reasons) > 0 && len(b.reasons) > 0 && e.arenaUsed+len(a.reasons)+len(b.reasons) <= len(e.arena) {
		t := a.t.And(b.t)
		if t == policy.False {
			return outcome{t: policy.False}
		}
		start := e.arenaUsed
		n := copy(e.arena[start:], a.reasons)
		n += copy(e.arena[start+n:], b.reasons)
		e.arenaUsed += n
		out := outcome{t: t, reasons: e.arena[start : start+n : start+n]}
		if t == policy.Unknown {
			out.conds = append(append([]string(nil), a.conds...), b.conds...)
		}
		return out
	}
	return and(a, b)
}

// and combines two outcomes that must both hold.
func and(a, b outcome) outcome {
	t := a.t.And(b.t)
	if t == policy.False {
		return outcome{t: policy.False}
	}
	out := outcome{t: t}
	switch {
	case len(b.reasons) == 0:
		out.reasons = a.reasons[:len(a.reasons):len(a.reasons)]
	case len(a.reasons) == 0:
		out.reasons = b.reasons[:len(b.reasons):len(b.reasons)]
	default:
		out.reasons = append(append(make([]Reason, 0, len(a.reasons)+len(b.reasons)), a.reasons...), b.reasons...)
	}
	if t == policy.Unknown {
		out.conds = append(append([]string(nil), a.conds...), b.conds...)
	}
	return out
}

// or keeps the first true alternative, or else the unknown ones.
func or(alts ...outcome) outcome {
	var unknown []outcome
	for _, a := range alts {
		switch a.t {
		case policy.True:
			return a
		case policy.Unknown:
			unknown = append(unknown, a)
		}
	}
	switch len(unknown) {
	case 0:
		return no
	case 1:
		return unknown[0]
	}
	out := outcome{t: policy.Unknown}
	var parts []string
	for _, u := range unknown {
		out.reasons = append(out.reasons, u.reasons...)
		parts = append(parts, strings.Join(u.conds, " and "))
	}
	out.conds = []string{"(" + strings.Join(parts, ") or (") + ")"}
	return out
}

// docLabel names a document in explanations.
func docLabel(d *policy.Document, fallback string) string {
	if d.Name != "" {
		return d.Name
	}
	return fallback
}

// statementApplies tests a statement's Action, Resource and Condition
// (not its Principal) against the request.
func (e *evaluator) statementApplies(s *policy.Statement, resource string, ctx policy.Context) (policy.Tri, []string) {
	if !s.MatchAction(e.action) {
		return policy.False, nil
	}
	return e.resourceAndConditions(s, resource, ctx)
}

// resourceAndConditions is statementApplies for a statement whose action
// is already known to match.
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
	c := s.EvalConditions(ctx, &unknown)
	t := r.And(c)
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
		if f, n := policy.SplitARN(p); n == 6 && f[5] == "*" && policy.GlobFold(f[2], "kms") {
			m = true
			break
		}
	}
	if not {
		m = !m
	}
	if m {
		return policy.True
	}
	return policy.False
}

// scan evaluates every statement of one document with one effect and
// returns the outcome "some statement applies".
func (e *evaluator) scan(d *policy.Document, w where, effect policy.Effect, resource string, ctx policy.Context, role roleKind) outcome {
	var alts []outcome
	for _, s := range d.Statements {
		if s.Effect != effect {
			continue
		}
		t, conds := e.statementApplies(s, resource, ctx)
		if t == policy.False {
			continue
		}
		r := Reason{Layer: w.layer, Policy: w.label(d), Statement: s.Index, Sid: s.Sid, Effect: effect.String(), Role: e.roleText(role), Conditions: conds}
		o := outcome{t: t, conds: conds, reasons: e.one(r)}
		if t == policy.True {
			return o
		}
		alts = append(alts, o)
	}
	return or(alts...)
}

// scanAll is scan over several documents.
func (e *evaluator) scanAll(docs []*policy.Document, w where, effect policy.Effect, resource string, role roleKind) outcome {
	var alts []outcome
	for i, d := range docs {
		w.index = i
		o := e.scan(d, w, effect, resource, e.ctx, role)
		if o.t == policy.True {
			return o
		}
		if o.t == policy.Unknown {
			alts = append(alts, o)
		}
	}
	return or(alts...)
}

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

var identityLabels = func() (l [16]string) {
	for i := range l {
		l[i] = "identity policy #" + strconv.Itoa(i)
	}
	return l
}()

// Explanation texts that depend only on an action or an account are built
// once: the set of actions and accounts a process sees is small.
var allowsOnKeyText, delegatesText sync.Map

func cached(m *sync.Map, key string, build func() string) string {
	if v, ok := m.Load(key); ok {
		return v.(string)
	}
	v, _ := m.LoadOrStore(key, build())
	return v.(string)
}

// roleKind says what a matching statement does, rendered on demand.
type roleKind uint8

const (
	roleDenies roleKind = iota
	roleAllows
	roleAllowsAction
	roleAllowsOnKey
)

func (e *evaluator) roleText(r roleKind) string {
	switch r {
	case roleDenies:
		return "denies"
	case roleAllowsAction:
		return "allows " + e.action
	case roleAllowsOnKey:
		if e.info == nil {
			return "allows " + e.action + " on this resource"
		}
		return cached(&allowsOnKeyText, e.action, func() string { return "allows " + e.action + " on this key" })
	}
	return "allows"
}

// subjectToSCPs: SCPs limit every principal of a member account except
// service principals and service-linked roles.
func (e *evaluator) subjectToSCPs() bool {
	if len(e.p.SCPs) == 0 || e.caller.kind == callerService {
		return false
	}
	// Service-linked roles live under the path /aws-service-role/ and are
	// named AWSServiceRoleFor...; a session ARN does not carry the path,
	// so the name tells.
	v, _ := e.ctx.value("aws:principalarn")
	if strings.Contains(v, ":role/aws-service-role/") ||
		(e.caller.kind == callerSession || e.caller.kind == callerRole) && strings.HasPrefix(e.caller.name, "AWSServiceRoleFor") {
		e.note("service-linked roles are not limited by SCPs")
		return false
	}
	return true
}

// subjectToRCPs: RCPs limit requests to customer managed keys; never
// kms:RetireGrant, never AWS managed keys.
func (e *evaluator) subjectToRCPs() bool {
	if len(e.p.RCPs) == 0 || e.p.AWSManagedKey {
		return false
	}
	return !strings.EqualFold(e.action, "kms:RetireGrant")
}

// denies gathers every applicable Deny: SCPs, RCPs (if withRCP), key
// policy (if kp), identity policies, boundary, session policy. It also
// applies the rule that Deny+NotPrincipal always denies a principal with a
// permissions boundary.
func (e *evaluator) denies(resource string, withRCP, kp bool) outcome {
	var alts []outcome
	add := func(o outcome) bool {
		if o.t == policy.False {
			return false
		}
		alts = append(alts, o)
		return o.t == policy.True
	}
	if e.subjectToSCPs() {
		for l, level := range e.p.SCPs {
			for i, d := range level {
				if add(e.scan(d, where{LayerSCP, l, i}, policy.Deny, resource, e.ctx, roleDenies)) {
					return alts[len(alts)-1]
				}
			}
		}
	}
	if withRCP && e.subjectToRCPs() {
		for l, level := range e.p.RCPs {
			for i, d := range level {
				if add(e.resourcePolicyDenies(d, where{LayerRCP, l, i}, resource, e.ctx)) {
					return alts[len(alts)-1]
				}
			}
		}
	}
	if kp && e.p.KeyPolicy != nil {
		if add(e.resourcePolicyDenies(e.p.KeyPolicy, where{layer: LayerKeyPolicy}, resource, e.kpCtx)) {
			return alts[len(alts)-1]
		}
	}
	for i, d := range e.p.Identity {
		if add(e.scan(d, where{LayerIdentity, 0, i}, policy.Deny, resource, e.ctx, roleDenies)) {
			return alts[len(alts)-1]
		}
	}
	if d := e.p.Boundary; d != nil {
		if add(e.scan(d, where{LayerBoundary, 0, 0}, policy.Deny, resource, e.ctx, roleDenies)) {
			return alts[len(alts)-1]
		}
	}
	if d := e.p.Session; d != nil {
		if add(e.scan(d, where{LayerSession, 0, 0}, policy.Deny, resource, e.ctx, roleDenies)) {
			return alts[len(alts)-1]
		}
	}
	return or(alts...)
}

// resourcePolicyDenies finds Deny statements of a resource-based policy
// (key policy, RCP) that apply to the caller.
func (e *evaluator) resourcePolicyDenies(d *policy.Document, w where, resource string, ctx policy.Context) outcome {
	var alts []outcome
	for _, s := range d.Statements {
		if s.Effect != policy.Deny || !s.HasResourceElement() || !s.MatchAction(e.action) {
			continue
		}
		role := "denies"
		if s.NotPrincipal != nil {
			exempt, partial := notPrincipalExempt(s.NotPrincipal, &e.caller)
			switch {
			case e.p.Boundary != nil && e.caller.kind != callerRoot && e.caller.kind != callerService:
				// IAM: Deny with NotPrincipal always denies principals
				// with a permissions boundary, whatever it lists.
				role = "denies (NotPrincipal never exempts a principal with a permissions boundary)"
			case exempt:
				continue
			case partial:
				role = "denies (NotPrincipal lists only some of the caller, its role and its account)"
				e.note("[U] AWS evaluates Deny+NotPrincipal against the caller and its parents (role, account); keywarden exempts a caller only when its own ARN, its role (sessions) and its account are all listed (docs/semantics.md)")
			default:
				role = "denies (the caller is not listed in NotPrincipal)"
			}
		} else if s.Principal == nil || principalMatch(s.Principal, &e.caller) == noMatch {
			continue
		}
		t, conds := e.resourceAndConditions(s, resource, ctx)
		if t == policy.False {
			continue
		}
		o := outcome{t: t, conds: conds, reasons: e.one(Reason{Layer: w.layer, Policy: w.label(d), Statement: s.Index, Sid: s.Sid, Effect: "Deny", Role: role, Conditions: conds})}
		if t == policy.True {
			return o
		}
		alts = append(alts, o)
	}
	return or(alts...)
}

// guardrails checks that every SCP level allows the request (RCP levels
// always do: RCPFullAWSAccess is attached at every level).
func (e *evaluator) scpAllows(resource string) (outcome, int) {
	if !e.subjectToSCPs() {
		return yes, -1
	}
	all := yes
	for l, level := range e.p.SCPs {
		o := e.scanAll(level, where{LayerSCP, l, 0}, policy.Allow, resource, roleAllows)
		if o.t == policy.False {
			return o, l
		}
		all = e.and(all, outcome{t: o.t, conds: o.conds})
	}
	return all, -1
}

// scpGuard checks that every SCP level allows the request; it returns the
// guard outcome to AND into an allow, or the denial when a level does not
// allow.
func (e *evaluator) scpGuard(deny outcome) (outcome, *Result) {
	scp, level := e.scpAllows(e.resource)
	if scp.t == policy.False {
		r := e.finish(deny, no, "", "", "", LayerSCP, RuleSCPNoAllow,
			fmt.Sprintf("implicitly denied: no service control policy at level %d allows %s", level, e.action), nil)
		return no, &r
	}
	return outcome{t: scp.t, conds: scp.conds}, nil
}

// identitySide evaluates the caller's own side: identity policies, the
// permissions boundary and the session policy.
type identitySide struct {
	id, pb, sp outcome
}

func (e *evaluator) identity(resource string) identitySide {
	var s identitySide
	switch {
	case e.caller.kind == callerRoot:
		// The root user has no identity policies; it may do anything its
		// account allows (shared/kms-authorization.md §3.3).
		s.id = yes
	case e.p.IdentityUnknown:
		s.id = outcome{t: policy.Unknown, conds: []string{fmt.Sprintf("its own IAM policies in account %s allow %s on this key", e.caller.account, e.action)}}
	default:
		s.id = e.scanAll(e.p.Identity, where{LayerIdentity, 0, 0}, policy.Allow, resource, roleAllowsOnKey)
	}
	s.pb = yes
	if d := e.p.Boundary; d != nil && e.caller.kind != callerRoot {
		s.pb = e.scan(d, where{LayerBoundary, 0, 0}, policy.Allow, resource, e.ctx, roleAllowsAction)
	}
	s.sp = yes
	if d := e.p.Session; d != nil && (e.caller.kind == callerSession || e.caller.kind == callerRole || e.caller.kind == callerFederated) {
		s.sp = e.scan(d, where{LayerSession, 0, 0}, policy.Allow, resource, e.ctx, roleAllowsAction)
	} else if e.caller.kind == callerFederated {
		// GetFederationToken without a session policy gives no
		// identity-based permissions.
		s.sp = no
		e.note("a federated-user session without a session policy has no identity-based permissions")
	}
	return s
}

func (s identitySide) limits() outcome { return and(s.pb, s.sp) }

// all is identity allow plus boundary plus session.
func (s identitySide) all() outcome { return and(s.id, s.limits()) }

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

// finish turns the deny outcome and the allow outcome into a Result.
func (e *evaluator) finish(deny outcome, allow outcome, allowLayer Layer, allowRule Rule, allowSummary string, denyLayer Layer, denyRule Rule, denySummary string, partial []Reason) Result {
	r := Result{}
	switch {
	case allow.t == policy.False:
		r.Decision, r.Layer, r.Rule, r.Summary = ImplicitDeny, denyLayer, denyRule, denySummary
		r.Reasons = partial
		if deny.t == policy.Unknown {
			r.Notes = append(r.Notes, "an explicit deny may also apply when: "+strings.Join(deny.conds, " and "))
		}
	default:
		r.Decision, r.Layer, r.Rule, r.Summary = Allow, allowLayer, allowRule, allowSummary
		r.Reasons = allow.reasons
		if allow.t == policy.Unknown || deny.t == policy.Unknown {
			r.Conditional = true
			if allow.t == policy.Unknown {
				r.Conditions = append(r.Conditions, allow.conds...)
			}
			if deny.t == policy.Unknown {
				r.Conditions = append(r.Conditions, "not ("+strings.Join(deny.conds, " and ")+")")
				r.Reasons = append(r.Reasons, deny.reasons...)
			}
		}
	}
	r.Notes = append(r.Notes, e.notes...)
	r.Reasons = detach(r.Reasons)
	return r
}

func explicitDeny(deny outcome, notes []string) Result {
	r := deny.reasons[0]
	return Result{
		Decision: ExplicitDeny, Layer: r.Layer, Rule: RuleExplicitDeny,
		Summary: fmt.Sprintf("explicitly denied: %s statement %s %s", r.Policy, stmtLabel(r), r.Role),
		Reasons: detach(deny.reasons), Notes: append([]string(nil), notes...),
	}
}

func stmtLabel(r Reason) string {
	if r.Sid != "" {
		return "'" + r.Sid + "'"
	}
	return "#" + itoa(r.Statement)
}

// describe renders the reasons that make up an allow for a summary.
func describe(rs []Reason) string { return describeAfter("", rs) }

// describeAfter is describe with a prefix, built in one allocation.
func describeAfter(prefix string, rs []Reason) string {
	var b strings.Builder
	n := len(prefix)
	for _, r := range rs {
		n += len(r.Policy) + len(r.Sid) + len(r.Role) + 24
	}
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
		b.WriteString(r.Role)
	}
	return b.String()
}

// one returns a one-element reason slice, from the evaluator's arena while
// it lasts (most decisions cite a handful of statements).
func (e *evaluator) one(r Reason) []Reason {
	if e.arenaUsed < len(e.arena) {
		e.arena[e.arenaUsed] = r
		e.arenaUsed++
		return e.arena[e.arenaUsed-1 : e.arenaUsed : e.arenaUsed]
	}
	return []Reason{r}
}

// decideIAMOnly decides actions authorized by identity policies alone
// (ListKeys, CreateKey, or the alias half of an alias operation).
func (e *evaluator) decideIAMOnly(rule Rule) Result {
	res := e.resource
	if e.info != nil && e.info.Resource == awsfacts.NoResource {
		res = "*"
	}
	deny := e.denies(res, false, false)
	if deny.t == policy.True {
		return explicitDeny(deny, e.notes)
	}
	if scp, level := e.scpAllows(res); scp.t == policy.False {
		return e.finish(deny, no, "", "", "", LayerSCP, RuleSCPNoAllow,
			fmt.Sprintf("implicitly denied: no service control policy at level %d allows %s", level, e.action), nil)
	} else {
		side := e.identity(res)
		allow := e.and(side.all(), outcome{t: scp.t, conds: scp.conds})
		layer, r := side.missingLayer()
		what := "no identity-based policy allows " + e.action
		switch r {
		case RuleBoundaryNoAllow:
			what = "the permissions boundary does not allow " + e.action
		case RuleSessionNoAllow:
			what = "the session policy does not allow " + e.action
		}
		summary := "allowed: " + e.action + " is authorized by IAM policies alone"
		if len(allow.reasons) > 0 {
			summary += ": " + describe(allow.reasons)
		}
		if e.caller.kind == callerRoot {
			summary = "allowed: the root user may call " + e.action + ", which IAM policies alone authorize"
		}
		return e.finish(deny, allow, LayerIdentity, rule, summary, layer, r, "implicitly denied: "+what, nil)
	}
}

// decideAlias decides the alias half of CreateAlias/UpdateAlias/DeleteAlias
// when the request names the alias: IAM policies on the alias ARN. AWS also
// authorizes the operation against the target key's policy.
func (e *evaluator) decideAlias() Result {
	if strings.Contains(e.resource, ":alias/aws/") {
		return Result{Decision: ImplicitDeny, Layer: LayerKMS, Rule: RuleIAMOnly,
			Summary: "implicitly denied: alias names beginning alias/aws/ are reserved for AWS managed keys"}
	}
	e.note("AWS also requires " + e.action + " on the target key (its key policy, or IAM through delegation); only the alias was given")
	return e.decideIAMOnly(RuleIAMOnly)
}

// decideOther decides a non-KMS action: identity policies, with the key
// policy field read as the resource-based policy if one is given.
func (e *evaluator) decideOther() Result {
	if e.p.ResourcePolicy == nil && e.p.ResourceAccount == "" {
		e.note(e.action + " is not a KMS action; it was evaluated with identity policies and SCPs only")
		return e.decideIAMOnly(RuleIAMOnly)
	}
	return e.decideWithResourcePolicy()
}

// decideWithResourcePolicy is AWS's general evaluation for a resource whose
// policy is not a KMS key policy (an S3 bucket): unlike a key policy, a
// same-account identity-policy Allow suffices on its own, and a
// resource-policy Allow naming the caller suffices on its own (IAM User
// Guide, "Policy evaluation logic"; shared/kms-authorization.md §2.3).
func (e *evaluator) decideWithResourcePolicy() Result {
	c := &e.caller
	resAcct := e.keyAcct
	if resAcct == "" {
		resAcct = e.p.ResourceAccount
	}
	same := c.kind != callerService && (resAcct == "" || c.account == resAcct)

	deny := e.denies(e.resource, true, false)
	if rp := e.p.ResourcePolicy; rp != nil {
		rpDeny := e.resourcePolicyDenies(rp, where{layer: LayerResource}, e.resource, e.ctx)
		deny = or(deny, rpDeny)
	}
	if deny.t == policy.True {
		return explicitDeny(deny, e.notes)
	}
	guard, denied := e.scpGuard(deny)
	if denied != nil {
		return *denied
	}
	direct, limited, account, service := no, no, no, no
	if rp := e.p.ResourcePolicy; rp != nil {
		direct, limited, account, service = e.resourcePolicyAllows(rp, LayerResource, e.ctx)
	}
	side := e.identity(e.resource)
	var allow outcome
	rule := RuleDirect
	switch {
	case c.kind == callerService:
		allow = or(direct, service)
		rule = RuleServicePrincipal
	case same:
		viaRP := or(direct, e.and(limited, side.limits()))
		viaID := side.all()
		allow = or(viaRP, viaID)
		if allow.t == viaID.t && viaRP.t != allow.t {
			rule = RuleDelegation
		}
	default:
		allow = e.and(or(direct, limited, account), side.all())
		rule = RuleDelegation
	}
	allow = e.and(allow, guard)
	if allow.t != policy.False {
		return e.finish(deny, allow, layerOf(rule), rule, describeAfter("allowed: ", allow.reasons), "", "", "", nil)
	}
	layer, r := side.missingLayer()
	summary := "implicitly denied: no identity-based policy or resource-based policy allows " + e.action
	if !same {
		summary = "implicitly denied: a cross-account request needs both the resource-based policy and the caller's identity-based policies to allow " + e.action
	}
	switch r {
	case RuleBoundaryNoAllow:
		summary = "implicitly denied: the permissions boundary does not allow " + e.action
	case RuleSessionNoAllow:
		summary = "implicitly denied: the session policy does not allow " + e.action
	}
	return e.finish(deny, allow, "", "", "", layer, r, summary, nil)
}

// decideKey decides an action on a KMS key (shared/kms-authorization.md
// §3.2 decideKey).
func (e *evaluator) decideKey() Result {
	c := &e.caller
	same := c.kind != callerService && c.account == e.keyAcct

	// (1) Explicit denies, everywhere.
	deny := e.denies(e.resource, true, true)
	if deny.t == policy.True {
		return explicitDeny(deny, e.notes)
	}

	// (2) Guardrails that need an allow.
	guard, denied := e.scpGuard(deny)
	if denied != nil {
		return *denied
	}

	// (2b) Operations that do not work across accounts.
	if !same && c.kind != callerService && !e.info.CrossAccount {
		return e.finish(deny, no, "", "", "", LayerKMS, RuleCrossAccountOp,
			fmt.Sprintf("implicitly denied: %s is not a cross-account operation; a principal of account %s cannot call it on a key of account %s whatever the policies say", e.action, c.account, e.keyAcct), nil)
	}

	if strings.EqualFold(e.action, "kms:RetireGrant") {
		return e.decideRetireGrant(deny, guard)
	}

	// (3) Grants.
	grant := e.grants()
	if grant.t == policy.True {
		allow := e.and(grant, guard)
		return e.finish(deny, allow, LayerGrant, RuleGrant, describeAfter("allowed: ", grant.reasons), "", "", "", nil)
	}

	// (4) Key policy and identity.
	if e.p.KeyPolicy == nil {
		r := Result{Decision: Unknown, Layer: LayerKeyPolicy, Rule: RuleMissingInput,
			Summary: "unknown: the key policy is not available, and every decision on a KMS key depends on it",
			Missing: []string{"key policy"}}
		r.Notes = append(r.Notes, e.notes...)
		return r
	}
	direct, limited, account, service := e.keyPolicyAllows()
	if same && c.kind != callerService && c.kind != callerFederated && guard.t == policy.True {
		// Fast path: a statement naming the caller, or its role when no
		// boundary or session policy can limit it, decides alone.
		var win outcome
		switch {
		case direct.t == policy.True:
			win = direct
		case limited.t == policy.True && e.p.Boundary == nil && e.p.Session == nil:
			win = limited
		}
		if win.t == policy.True {
			return e.finish(deny, win, LayerKeyPolicy, RuleDirect, describeAfter("allowed: ", win.reasons), "", "", "", nil)
		}
	}
	side := e.identity(e.resource)

	var altBuf [4]outcome
	var ruleBuf [4]Rule
	alts, rules := altBuf[:0], ruleBuf[:0]
	addAlt := func(o outcome, r Rule) {
		if o.t != policy.False {
			alts = append(alts, o)
			rules = append(rules, r)
		}
	}
	if c.kind == callerService {
		addAlt(or(direct, service), RuleServicePrincipal)
	} else if same {
		addAlt(direct, RuleDirect)
		addAlt(e.and(limited, side.limits()), RuleDirect)
		if c.kind == callerRoot {
			addAlt(account, RuleRoot)
		} else {
			addAlt(e.and(account, side.all()), RuleDelegation)
		}
	} else {
		// Cross-account: the key policy (naming the caller or its account)
		// and the caller's own IAM must both allow.
		addAlt(e.and(or(direct, limited, account), side.all()), RuleDelegation)
	}
	addAlt(grant, RuleGrant)

	allow := or(alts...)
	rule := RuleDirect
	for i, a := range alts {
		if a.t == allow.t {
			rule = rules[i]
			break
		}
	}
	allow = e.and(allow, guard)

	if allow.t != policy.False {
		summary := describeAfter("allowed: ", allow.reasons)
		if rule == RuleRoot {
			summary += "; the root user needs no IAM policy"
		}
		return e.finish(deny, allow, layerOf(rule), rule, summary, "", "", "", nil)
	}
	// Explain a denial by the first missing piece.
	kpAny := or(direct, limited, account, service)
	var dLayer Layer
	var dRule Rule
	var dSummary string
	var partial []Reason
	switch {
	case kpAny.t == policy.False && c.kind == callerService:
		dLayer, dRule = LayerKeyPolicy, RuleNoKeyPolicyAllow
		dSummary = fmt.Sprintf("implicitly denied: no key policy statement allows the service principal %s to call %s", c.name, e.action)
	case kpAny.t == policy.False:
		dLayer, dRule = LayerKeyPolicy, RuleNoKeyPolicyAllow
		dSummary = fmt.Sprintf("implicitly denied: no key policy statement allows %s for this caller, directly or by delegation to account %s; IAM policies alone can never allow access to a KMS key", e.action, c.account)
		if !same {
			dSummary = fmt.Sprintf("implicitly denied: no key policy statement allows %s for account %s or this caller; a cross-account caller needs the key policy and its own IAM policies", e.action, c.account)
		}
	case same && account.t == policy.False && limited.t != policy.False:
		// Only a statement naming the caller's role applies, and the
		// role's boundary or session policy does not allow.
		partial = append(partial, limited.reasons...)
		dLayer, dRule = LayerBoundary, RuleBoundaryNoAllow
		what := "the permissions boundary does not allow " + e.action
		if side.pb.t != policy.False && side.sp.t == policy.False {
			dLayer, dRule = LayerSession, RuleSessionNoAllow
			what = "the session policy does not allow " + e.action
		}
		dSummary = "implicitly denied: " + describe(partial) + ", but " + what + " (a key policy statement that names a role is limited by the role's permissions boundary and session policy)"
	default:
		dLayer, dRule = side.missingLayer()
		partial = append(partial, direct.reasons...)
		partial = append(partial, limited.reasons...)
		partial = append(partial, account.reasons...)
		missing := "no identity-based policy allows " + e.action + " on this key"
		switch dRule {
		case RuleBoundaryNoAllow:
			missing = "the permissions boundary does not allow " + e.action
			partial = append(partial, side.id.reasons...)
		case RuleSessionNoAllow:
			missing = "the session policy does not allow " + e.action
			partial = append(partial, side.id.reasons...)
		}
		dSummary = "implicitly denied: " + describe(partial) + ", but " + missing
	}
	return e.finish(deny, allow, layerOf(rule), rule, "", dLayer, dRule, dSummary, partial)
}

func layerOf(r Rule) Layer {
	switch r {
	case RuleGrant:
		return LayerGrant
	case RuleDelegation:
		return LayerIdentity
	}
	return LayerKeyPolicy
}

// keyPolicyAllows classifies the key policy's applicable Allow statements
// by how they name the caller.
func (e *evaluator) keyPolicyAllows() (direct, limited, account, service outcome) {
	return e.resourcePolicyAllows(e.p.KeyPolicy, LayerKeyPolicy, e.kpCtx)
}

// resourcePolicyAllows classifies a resource-based policy's applicable
// Allow statements by how they name the caller.
func (e *evaluator) resourcePolicyAllows(d *policy.Document, layer Layer, ctx policy.Context) (direct, limited, account, service outcome) {
	var bufs [4][2]outcome
	dA, lA, aA, sA := bufs[0][:0], bufs[1][:0], bufs[2][:0], bufs[3][:0]
	for _, s := range d.Statements {
		if s.Effect != policy.Allow {
			continue
		}
		if !s.HasResourceElement() || !s.MatchAction(e.action) {
			// Statements without Action or Resource are accepted by KMS
			// and ignored; the action test is cheap, so it goes first.
			continue
		}
		var m matchKind
		role := ""
		switch {
		case s.NotPrincipal != nil:
			if exempt, _ := notPrincipalExempt(s.NotPrincipal, &e.caller); exempt {
				continue
			}
			m = matchStrong
			role = "allows everyone not listed in NotPrincipal"
			e.note("Allow with NotPrincipal is no longer supported by AWS; it is read with its historical meaning, everyone except the listed principals")
		case s.Principal != nil:
			m = principalMatch(s.Principal, &e.caller)
		}
		if m == noMatch {
			continue
		}
		t, conds := e.resourceAndConditions(s, e.resource, ctx)
		if t == policy.False {
			continue
		}
		if role == "" {
			switch m {
			case matchStrong:
				role = "names the caller"
				if s.Principal.Wildcard {
					role = "allows every principal (\"*\")"
				}
			case matchLimited:
				role = "names the caller's role"
			case matchAccount:
				role = cached(&delegatesText, e.caller.account, func() string { return "delegates to account " + e.caller.account })
				if e.caller.kind == callerRoot {
					role = "allows account " + e.caller.account + ", which includes its root user"
				}
			case matchService:
				role = "names the service principal " + e.caller.name
			}
		}
		o := outcome{t: t, conds: conds, reasons: e.one(Reason{Layer: layer, Policy: docLabel(d, string(layer)), Statement: s.Index, Sid: s.Sid, Effect: "Allow", Role: role, Conditions: conds})}
		switch m {
		case matchStrong:
			dA = append(dA, o)
		case matchLimited:
			lA = append(lA, o)
		case matchAccount:
			aA = append(aA, o)
		case matchService:
			sA = append(sA, o)
		}
	}
	return or(dA...), or(lA...), or(aA...), or(sA...)
}

// grants finds a grant that allows the request (shared/kms-authorization.md
// §5.5). Grants allow without key-policy delegation and without IAM, also
// across accounts; they never deny.
func (e *evaluator) grants() outcome {
	if len(e.p.Grants) == 0 {
		return no
	}
	op := e.action
	if i := strings.IndexByte(op, ':'); i >= 0 {
		op = op[i+1:]
	}
	var alts []outcome
	for i := range e.p.Grants {
		g := &e.p.Grants[i]
		if !hasOp(g.Operations, op) {
			continue
		}
		gm := e.granteeMatch(g.GranteePrincipal)
		if gm == noMatch {
			continue
		}
		label := "grant " + g.ID
		if g.ID == "" {
			label = "grant #" + itoa(i)
		}
		o := outcome{t: policy.True, reasons: []Reason{{Layer: LayerGrant, Policy: label, Statement: -1, Effect: "Allow",
			Role: fmt.Sprintf("allows %s to %s for grantee %s", op, "use the key", g.GranteePrincipal)}}}
		if e.info.EncryptionContext {
			ec := e.ecConstraint(g)
			if ec.t == policy.False {
				continue
			}
			o = e.and(o, ec)
		}
		if gm == matchAccount {
			// [U] §13.2: an account grantee acts like key-policy
			// delegation; the caller's IAM must allow too.
			e.note("[U] AWS does not document account grantees; keywarden treats them like key-policy delegation: the caller's IAM policies must also allow (docs/semantics.md)")
			side := e.identity(e.resource)
			if e.caller.kind != callerRoot {
				o = e.and(o, side.all())
			}
		} else if e.p.Boundary != nil || e.p.Session != nil {
			e.note("[U] AWS does not document whether permissions boundaries or session policies limit grants; keywarden lets the grant allow (docs/semantics.md)")
		}
		if o.t == policy.True {
			return o
		}
		if o.t == policy.Unknown {
			alts = append(alts, o)
		}
	}
	return or(alts...)
}

func hasOp(ops []string, op string) bool {
	for _, o := range ops {
		if strings.EqualFold(o, op) {
			return true
		}
	}
	return false
}

// granteeMatch: an exact ARN; a role grantee matches its sessions; an
// account grantee matches identities of the account.
func (e *evaluator) granteeMatch(grantee string) matchKind {
	if grantee == "" {
		return noMatch
	}
	if e.caller.kind == callerService {
		if strings.EqualFold(grantee, e.caller.name) {
			return matchStrong
		}
		return noMatch
	}
	if grantee == e.caller.arn {
		return matchStrong
	}
	m := principalValueMatch(grantee, &e.caller)
	if m == matchStrong && grantee == "*" {
		return noMatch // a grant cannot name "*"
	}
	return m
}

// ecConstraint tests a grant's encryption-context constraint. Pair keys
// compare without regard to case, values exactly ([U] §13.3).
func (e *evaluator) ecConstraint(g *Grant) outcome {
	if g.EncryptionContextEquals == nil && g.EncryptionContextSubset == nil {
		return yes
	}
	ec, known := e.ctx.encryptionContext()
	if !known {
		return outcome{t: policy.Unknown, conds: []string{"the request's encryption context satisfies the grant's constraint"}}
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

// decideRetireGrant: RetireGrant is decided by the grants themselves: the
// retiring principal, a grantee whose grant includes RetireGrant, or the
// account that issued the grant (and IAM identities it delegates to). A
// key-policy statement for kms:RetireGrant has no effect.
func (e *evaluator) decideRetireGrant(deny, guard outcome) Result {
	var alts []outcome
	for i := range e.p.Grants {
		g := &e.p.Grants[i]
		label := "grant " + g.ID
		if g.ID == "" {
			label = "grant #" + itoa(i)
		}
		mk := func(role string) outcome {
			return outcome{t: policy.True, reasons: []Reason{{Layer: LayerGrant, Policy: label, Statement: -1, Effect: "Allow", Role: role}}}
		}
		if m := e.granteeMatch(g.RetiringPrincipal); m == matchStrong || m == matchLimited {
			alts = append(alts, mk("names the caller as retiring principal"))
		}
		if hasOp(g.Operations, "RetireGrant") {
			if m := e.granteeMatch(g.GranteePrincipal); m == matchStrong || m == matchLimited {
				alts = append(alts, mk("lets its grantee retire it"))
			}
		}
		issuer := g.IssuingAccount
		if issuer == "" {
			issuer = e.keyAcct
		}
		if issuer == e.caller.account {
			o := mk("was issued by account " + issuer + ", which may retire it")
			if e.caller.kind != callerRoot {
				o = e.and(o, e.identity(e.resource).all())
			}
			alts = append(alts, o)
		}
	}
	allow := e.and(or(alts...), guard)
	return e.finish(deny, allow, LayerGrant, RuleGrant, describeAfter("allowed: ", allow.reasons), LayerGrant, RuleGrant,
		"implicitly denied: kms:RetireGrant is authorized by grants (retiring principal, grantee, issuing account), and none lets this caller retire a grant on this key", nil)
}

func itoa(i int) string { return strconv.Itoa(i) }

// sortedReasons orders reasons by layer, policy and statement, for output.
func sortedReasons(rs []Reason) []Reason {
	out := append([]Reason(nil), rs...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Layer != out[j].Layer {
			return out[i].Layer < out[j].Layer
		}
		if out[i].Policy != out[j].Policy {
			return out[i].Policy < out[j].Policy
		}
		return out[i].Statement < out[j].Statement
	})
	return out
}
