package engine

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/keywarden/keywarden/internal/arn"
	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/policy"
)

// Decide evaluates one request against the policies in force and explains
// the decision. It never panics and never returns a denial for a question
// it could not answer: an input that was not read gives Unknown, or an
// Allow that holds unless that input denies.
func Decide(req Request, p *Policies) Result {
	if p == nil {
		p = &Policies{}
	}
	e := evaluators.Get().(*evaluator)
	defer e.release()
	e.init(req, p)
	switch {
	case e.caller.kind == callerInvalid:
		return Result{Decision: Unknown, Layer: LayerKMS, Rule: RuleMissingInput,
			Summary: fmt.Sprintf("unknown: %q is not a principal keywarden recognizes (expected a user, role, session, federated-user or root ARN, an account ID, a service principal or \"anonymous\")", req.Principal),
			Missing: []string{"principal"}}
	case e.caller.kind == callerAnonymous && e.info != nil:
		// KMS accepts only signed requests.
		return Result{Decision: ImplicitDeny, Layer: LayerKMS, Rule: RuleAnonymous,
			Summary: "implicitly denied: KMS never accepts anonymous (unsigned) requests"}
	case e.info == nil:
		return e.decideOther()
	case e.info.Resource == awsfacts.NoResource:
		return e.decideIAMOnly()
	case e.info.Resource == awsfacts.AliasAndKey && strings.Contains(e.resource, ":alias/"):
		return e.decideAlias()
	}
	return e.decideKey()
}

// evaluator holds what one decision computes once.
type evaluator struct {
	// reqCopy holds the request, so that the caller's value does not
	// escape to the heap; req points at it.
	reqCopy  Request
	req      *Request
	p        *Policies
	caller   caller
	info     *awsfacts.KMSAction
	action   string
	resource string
	keyAcct  string
	ctx      reqContext
	kpCtx    keyPolicyView
	notes    []string
	// cited holds the reasons a decision cites while it is made (see
	// cite); finish copies those that reach the result.
	cited  [16]Reason
	nCited int
}

// cite returns a one-reason slice. Most decisions cite a handful of
// statements; taking them from the evaluator rather than allocating each
// halves the allocations of a decision (BenchmarkDecide), and finish
// copies the cited reasons out (detach), so no result points into a
// recycled evaluator.
func (e *evaluator) cite(r Reason) []Reason {
	if e.nCited == len(e.cited) {
		return []Reason{r}
	}
	e.cited[e.nCited] = r
	e.nCited++
	return e.cited[e.nCited-1 : e.nCited : e.nCited]
}

// detach copies reasons into a slice of their own.
func detach(rs []Reason) []Reason {
	if len(rs) == 0 {
		return nil
	}
	return append(make([]Reason, 0, len(rs)), rs...)
}

// evaluators recycles evaluators: one escapes to the heap (its context is
// handed to the policy package as an interface), and who-can and the
// matrix decide millions of requests; reusing them saves an allocation of
// about 1.5 KB per decision (BenchmarkDecide).
var evaluators = sync.Pool{New: func() any { return new(evaluator) }}

// release returns the evaluator to the pool. Results never point into it.
func (e *evaluator) release() {
	*e = evaluator{}
	evaluators.Put(e)
}

func (e *evaluator) init(r Request, p *Policies) {
	e.reqCopy = r
	req := &e.reqCopy
	e.req, e.p = req, p
	e.caller = parseCaller(req)
	e.action, e.resource = req.Action, req.Resource
	e.info = awsfacts.LookupKMS(req.Action)
	// kms:CallerAccount is present for operations on a key and on custom
	// key stores (KMS developer guide, "AWS KMS condition keys").
	callerAccount := e.info != nil && (e.info.Resource != awsfacts.NoResource || e.info.CustomKeyStore)
	e.ctx.init(req, &e.caller, callerAccount)
	e.kpCtx = keyPolicyView{&e.ctx}
	e.keyAcct = arn.Account(req.Resource)
}

func (e *evaluator) note(n string) {
	for _, x := range e.notes {
		if x == n {
			return
		}
	}
	e.notes = append(e.notes, n)
}

// A path is one way to an Allow, with the rule that names it. Paths are
// listed in order of preference: the first one that holds names the
// decision.
type path struct {
	o    outcome
	rule Rule
}

// denial explains an implicit deny: the layer and rule that lack an allow,
// the sentence, and the statements that allowed part of the way.
type denial struct {
	layer   Layer
	rule    Rule
	summary string
	partial []Reason
}

// decideKey decides an action on a KMS key (shared/kms-authorization.md
// §3.2).
func (e *evaluator) decideKey() Result {
	c := &e.caller
	same := c.kind != callerService && c.account == e.keyAcct

	// (1) Explicit denies, everywhere.
	deny := e.denies(e.resource, true, true)
	if deny.t == policy.True {
		return e.explicitDeny(deny)
	}
	// (2) Every SCP level must allow.
	guard, level := e.scpGuard(e.resource)
	if guard.t == policy.False {
		return e.finish(deny, no, nil, e.scpDenial(level))
	}
	// (2b) Operations that do not work across accounts (API reference,
	// "Cross-account use: No").
	if !same && c.kind != callerService && !e.info.CrossAccount {
		return e.finish(deny, no, nil, e.crossAccountDenial())
	}
	if strings.EqualFold(e.action, "kms:RetireGrant") {
		return e.decideRetireGrant(deny, guard)
	}

	// (3) Grants.
	grant := e.grants()
	// (4) The key policy, with the caller's identity where it delegates.
	var pathBuf [6]path
	paths := pathBuf[:0]
	var kp kpAllows
	var side identitySide
	if e.p.KeyPolicy == nil {
		g := e.p.Unread.KeyPolicy
		if g == nil {
			g = &Gap{Input: InputKeyPolicy, Reason: "not given"}
		}
		paths = append(paths, path{unknownOutcome(cond{kind: condUnreadNeed, gap: g, text: "the key policy, which was not read, allows " + e.action}), RuleMissingInput})
	} else {
		kp = e.resourcePolicyAllows(e.p.KeyPolicy, LayerKeyPolicy, e.kpCtx)
		side = e.identity(e.resource)
		switch {
		case c.kind == callerService:
			paths = append(paths, path{or(kp.direct, kp.service), RuleServicePrincipal})
		case same:
			paths = append(paths, path{kp.direct, RuleDirect}, path{and(kp.limited, side.limits()), RuleDirect})
			if c.kind == callerRoot {
				paths = append(paths, path{kp.account, RuleRoot})
			} else {
				paths = append(paths, path{and(kp.account, side.all()), RuleDelegation})
			}
		default:
			// Cross-account: the key policy (naming the caller or its
			// account) and the caller's own IAM must both allow.
			paths = append(paths, path{and(or(kp.direct, kp.limited, kp.account), side.all()), RuleDelegation})
		}
	}
	paths = append(paths, path{grant, RuleGrant}, path{e.unreadGrants(), RuleMissingInput})
	allow := no
	for _, p := range paths {
		allow.add(p.o)
	}
	allow = and(allow, guard)
	if allow.t != policy.False {
		return e.finish(deny, allow, paths, denial{})
	}
	return e.finish(deny, allow, nil, e.keyDenial(same, kp, side))
}

// keyDenial explains an implicit deny on a key by the first missing piece.
func (e *evaluator) keyDenial(same bool, kp kpAllows, side identitySide) denial {
	c := &e.caller
	switch {
	case kp.any().t == policy.False && c.kind == callerService:
		return denial{LayerKeyPolicy, RuleNoKeyPolicyAllow,
			fmt.Sprintf("implicitly denied: no key policy statement allows the service principal %s to call %s", c.name, e.action), nil}
	case kp.any().t == policy.False && same:
		return denial{LayerKeyPolicy, RuleNoKeyPolicyAllow,
			fmt.Sprintf("implicitly denied: no key policy statement allows %s for this caller, directly or by delegation to account %s; IAM policies alone can never allow access to a KMS key", e.action, c.account), nil}
	case kp.any().t == policy.False:
		who := "account " + c.account
		if c.account == "" {
			who = "the caller's account"
		}
		return denial{LayerKeyPolicy, RuleNoKeyPolicyAllow,
			fmt.Sprintf("implicitly denied: no key policy statement allows %s for %s or this caller; a cross-account caller needs the key policy and its own IAM policies", e.action, who), nil}
	case same && kp.account.t == policy.False && kp.direct.t == policy.False && kp.limited.t != policy.False:
		// Only a statement naming the caller's role applies, and the
		// role's boundary or session policy does not allow.
		layer, rule := LayerBoundary, RuleBoundaryNoAllow
		if side.pb.t != policy.False && side.sp.t == policy.False {
			layer, rule = LayerSession, RuleSessionNoAllow
		}
		return denial{layer, rule, "implicitly denied: " + e.describe(kp.limited.reasons) + ", but " + e.missingText(rule) +
			" (a key policy statement that names a role is limited by the role's permissions boundary and session policy)", kp.limited.reasons}
	}
	layer, rule := side.missingLayer()
	partial := append(append(append([]Reason(nil), kp.direct.reasons...), kp.limited.reasons...), kp.account.reasons...)
	if rule != RuleNoIdentityAllow {
		partial = append(partial, side.id.reasons...)
	}
	if !same {
		return denial{layer, rule, "implicitly denied: a cross-account request needs both the key policy and the caller's identity-based policies to allow " + e.action +
			"; " + e.describe(partial) + ", but " + e.missingText(rule), partial}
	}
	return denial{layer, rule, "implicitly denied: " + e.describe(partial) + ", but " + e.missingText(rule), partial}
}

func (e *evaluator) scpDenial(level int) denial {
	return denial{LayerSCP, RuleSCPNoAllow, fmt.Sprintf("implicitly denied: no service control policy at level %d allows %s", level, e.action), nil}
}

func (e *evaluator) crossAccountDenial() denial {
	who := "a principal of account " + e.caller.account
	if e.caller.account == "" {
		who = "a principal of another account"
	}
	what := "a key"
	if e.resourceNoun() == "alias" {
		what = "an alias"
	}
	return denial{LayerKMS, RuleCrossAccountOp, fmt.Sprintf("implicitly denied: %s is not a cross-account operation; %s cannot call it on %s of account %s whatever the policies say",
		e.action, who, what, e.keyAcct), nil}
}

// decideIAMOnly decides actions authorized by identity policies alone
// (ListKeys, CreateKey, or the alias half of an alias operation).
func (e *evaluator) decideIAMOnly() Result {
	res := e.resource
	if e.info != nil && e.info.Resource == awsfacts.NoResource {
		res = "*"
	}
	deny := e.denies(res, false, false)
	if deny.t == policy.True {
		return e.explicitDeny(deny)
	}
	guard, level := e.scpGuard(res)
	if guard.t == policy.False {
		return e.finish(deny, no, nil, e.scpDenial(level))
	}
	side := e.identity(res)
	allow := and(side.all(), guard)
	if allow.t != policy.False {
		return e.finish(deny, allow, []path{{allow, RuleIAMOnly}}, denial{})
	}
	layer, rule := side.missingLayer()
	return e.finish(deny, allow, nil, denial{layer, rule, "implicitly denied: " + e.missingText(rule), nil})
}

// decideAlias decides the alias half of CreateAlias/UpdateAlias/DeleteAlias
// when the request names the alias: IAM policies on the alias ARN. AWS also
// authorizes the operation against the target key's policy, and these
// operations do not work across accounts (API reference, "Cross-account
// use: No").
func (e *evaluator) decideAlias() Result {
	if strings.Contains(e.resource, ":alias/aws/") {
		return Result{Decision: ImplicitDeny, Layer: LayerKMS, Rule: RuleIAMOnly,
			Summary: "implicitly denied: alias names beginning alias/aws/ are reserved for AWS managed keys"}
	}
	if e.caller.kind != callerService && e.caller.account != e.keyAcct {
		deny := e.denies(e.resource, false, false)
		if deny.t == policy.True {
			return e.explicitDeny(deny)
		}
		return e.finish(deny, no, nil, e.crossAccountDenial())
	}
	e.note("AWS also requires " + e.action + " on the target key (its key policy, or IAM through delegation); only the alias was given")
	return e.decideIAMOnly()
}

// decideOther decides a non-KMS action: identity policies, with the
// resource-based policy if one is given.
func (e *evaluator) decideOther() Result {
	if e.p.ResourcePolicy == nil && e.p.ResourceAccount == "" {
		e.note(e.action + " is not a KMS action; it was evaluated with identity policies and SCPs only")
		return e.decideIAMOnly()
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
		deny.add(e.resourcePolicyDenies(rp, where{layer: LayerResource}, e.resource, &e.ctx))
	}
	if deny.t == policy.True {
		return e.explicitDeny(deny)
	}
	guard, level := e.scpGuard(e.resource)
	if guard.t == policy.False {
		return e.finish(deny, no, nil, e.scpDenial(level))
	}
	var rp kpAllows
	if d := e.p.ResourcePolicy; d != nil {
		rp = e.resourcePolicyAllows(d, LayerResource, &e.ctx)
	}
	side := e.identity(e.resource)
	var paths []path
	switch {
	case c.kind == callerService:
		paths = []path{{or(rp.direct, rp.service), RuleServicePrincipal}}
	case same:
		paths = []path{{or(rp.direct, and(rp.limited, side.limits())), RuleDirect}, {side.all(), RuleDelegation}}
	default:
		paths = []path{{and(or(rp.direct, rp.limited, rp.account), side.all()), RuleDelegation}}
	}
	allow := no
	for _, p := range paths {
		allow.add(p.o)
	}
	allow = and(allow, guard)
	if allow.t != policy.False {
		return e.finish(deny, allow, paths, denial{})
	}
	layer, rule := side.missingLayer()
	summary := "implicitly denied: no identity-based policy or resource-based policy allows " + e.action
	if !same {
		summary = "implicitly denied: a cross-account request needs both the resource-based policy and the caller's identity-based policies to allow " + e.action
	}
	if rule != RuleNoIdentityAllow {
		summary = "implicitly denied: " + e.missingText(rule)
	}
	return e.finish(deny, allow, nil, denial{layer, rule, summary, nil})
}

// finish turns the deny and allow outcomes into a Result. paths, in order
// of preference, name the rule of an Allow; den explains a denial.
func (e *evaluator) finish(deny, allow outcome, paths []path, den denial) Result {
	r := Result{}
	if allow.t == policy.False {
		r.Decision, r.Layer, r.Rule, r.Summary = ImplicitDeny, den.layer, den.rule, den.summary
		r.Reasons = e.withRoles(detach(dedupeReasons(den.partial)))
		if deny.t == policy.Unknown {
			r.Notes = append(r.Notes, "an explicit deny may also apply when: "+altsText(deny.alts))
		}
		r.Notes = append(r.Notes, e.notes...)
		return r
	}
	keyResource := e.info != nil && e.info.Resource != awsfacts.NoResource && !strings.Contains(e.resource, ":alias/")
	if limits := e.unreadLimits(keyResource); len(limits) > 0 {
		allow = and(allow, unknownOutcome(limits...))
	}
	r.Reasons = e.withRoles(dedupeReasons(append(detach(allow.reasons), deny.reasons...)))
	r.Notes = e.notes
	var usable, needing []alt
	if allow.t == policy.True {
		usable = []alt{nil}
	}
	for _, a := range allow.alts {
		if a.needs() {
			needing = append(needing, a)
		} else {
			usable = append(usable, a)
		}
	}
	if len(usable) == 0 {
		// Every way to an Allow needs an input that was not read.
		r.Decision, r.Rule = Unknown, RuleMissingInput
		seen := map[string]bool{}
		for _, a := range needing {
			for _, c := range a {
				if c.kind == condUnreadNeed && c.gap != nil && !seen[c.gap.String()] {
					seen[c.gap.String()] = true
					r.Missing = append(r.Missing, c.gap.String())
					r.Unread = append(r.Unread, *c.gap)
					if r.Layer == "" {
						r.Layer = layerOfInput(c.gap.Input)
					}
				}
			}
		}
		r.Summary = "unknown: " + strings.Join(r.Missing, "; ")
		r.Conditions = []string{"it would be allowed if " + altsText(needing)}
		return r
	}
	r.Decision = Allow
	rule, reasons := preferred(paths)
	r.Rule, r.Layer = rule, layerOf(rule)
	r.Summary = e.describeAfter("allowed: ", reasons)
	if len(reasons) == 0 {
		r.Summary = "allowed"
		if rule == RuleIAMOnly {
			r.Summary = "allowed: " + e.action + " is authorized by IAM policies alone"
		}
	} else if rule == RuleIAMOnly {
		r.Summary = e.describeAfter("allowed: "+e.action+" is authorized by IAM policies alone: ", reasons)
	}
	if rule == RuleRoot {
		r.Summary += "; the root user needs no IAM policy"
	}
	if rule == RuleIAMOnly && e.caller.kind == callerRoot {
		r.Summary = "allowed: the root user may call " + e.action + ", which IAM policies alone authorize"
	}
	if allow.t == policy.True && deny.t == policy.False {
		return r
	}
	r.Conditional = true
	r.Conditions = conditionTexts(usable)
	if deny.t == policy.Unknown {
		r.Conditions = append(r.Conditions, "not ("+altsText(deny.alts)+")")
	}
	seen := map[string]bool{}
	for _, a := range usable {
		for _, c := range a {
			if c.own && inAll(usable, c.text) {
				r.OwnIAM = c.text
			}
			if c.kind != condUnreadLimit {
				continue
			}
			if inAll(usable, c.text) && !slices.Contains(r.Unless, c.text) {
				r.Unless = append(r.Unless, c.text)
			}
			if c.gap != nil && !seen[c.gap.String()] {
				seen[c.gap.String()] = true
				r.Unread = append(r.Unread, *c.gap)
			}
		}
	}
	return r
}

// preferred returns the rule and statements of the first path that holds,
// or, when none holds for sure, of the first that may without unread data.
func preferred(paths []path) (Rule, []Reason) {
	for _, p := range paths {
		if p.o.t == policy.True {
			return p.rule, p.o.reasons
		}
	}
	for _, p := range paths {
		if p.o.t == policy.Unknown && !p.o.needsUnread() {
			return p.rule, p.o.reasons
		}
	}
	return RuleDirect, nil
}

func layerOf(r Rule) Layer {
	switch r {
	case RuleGrant:
		return LayerGrant
	case RuleDelegation, RuleIAMOnly:
		return LayerIdentity
	}
	return LayerKeyPolicy
}

func layerOfInput(in Input) Layer {
	switch in {
	case InputIdentity:
		return LayerIdentity
	case InputBoundary:
		return LayerBoundary
	case InputSession:
		return LayerSession
	case InputGrants:
		return LayerGrant
	case InputSCPs:
		return LayerSCP
	case InputRCPs:
		return LayerRCP
	}
	return LayerKeyPolicy
}

func (e *evaluator) explicitDeny(deny outcome) Result {
	var first *Reason
	for i := range deny.reasons {
		if len(deny.reasons[i].Conditions) == 0 {
			first = &deny.reasons[i]
			break
		}
	}
	if first == nil {
		first = &deny.reasons[0]
	}
	return Result{
		Decision: ExplicitDeny, Layer: first.Layer, Rule: RuleExplicitDeny,
		Summary: e.describeAfter("explicitly denied: ", []Reason{*first}),
		Reasons: e.withRoles(dedupeReasons(detach(deny.reasons))), Notes: e.notes,
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
