package remedy

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/msg"
	"github.com/keywarden/keywarden/internal/policy"
)

// An Intent is what one finding that a fix covers is about: the access
// changes it accepts, and how to tell that it no longer holds.
type Intent struct {
	// Name is the finding, as the proof names it ("key-public on key x").
	Name msg.Text
	// Lose reports whether a change that takes access away (or narrows
	// it to more conditions) is one the finding is about. Nil: none is.
	Lose func(c *access.Change) bool
	// Gain reports the same of a change that gives access; nil: none is.
	Gain func(c *access.Change) bool
	// Effective reports whether the finding no longer holds once the fix
	// is applied.
	Effective func(w *World) bool
	// Uniform is set when Lose and Gain look only at a change's key,
	// action and decisions, never at its principal: a change that many
	// principals share is then judged once.
	Uniform bool
}

// A World is the account as a plan leaves it: keys with their new
// policies and grants, new key states, new IAM documents.
type World struct {
	plan *Plan
	keys map[*access.Key]*access.Key
	inv  map[*inventory.Key]*inventory.Key
	docs map[*policy.Document]*policy.Document
	// replaced lists the identity documents in the order they change.
	replaced []*policy.Document
	// added are new inline policies, by principal ARN.
	added map[string][]*policy.Document
	// rendered are the documents as written, for the size limits.
	errs []msg.Text
}

// Key returns k as the plan leaves it (k itself when unchanged).
func (w *World) Key(k *access.Key) *access.Key {
	if a, ok := w.keys[k]; ok {
		return a
	}
	return k
}

// Inv returns the inventory key as the plan leaves it (its state and
// rotation).
func (w *World) Inv(k *inventory.Key) *inventory.Key {
	if a, ok := w.inv[k]; ok {
		return a
	}
	return k
}

// Doc returns an identity document as the plan leaves it; nil when it is
// deleted or detached.
func (w *World) Doc(d *policy.Document) *policy.Document {
	if a, ok := w.docs[d]; ok {
		return a
	}
	return d
}

// Added returns the identity documents the plan gives a principal.
func (w *World) Added(arn string) []*policy.Document { return w.added[arn] }

// world builds the account after the plan, with the placeholders taking
// their proof values. Documents that do not parse are recorded as errors.
func (p *Plan) world() *World {
	w := &World{plan: p, keys: map[*access.Key]*access.Key{}, inv: map[*inventory.Key]*inventory.Key{},
		docs: map[*policy.Document]*policy.Document{}, added: map[string][]*policy.Document{}}
	values := p.values(false)
	parse := func(d *Doc, name string) *policy.Document {
		r := resolve(d, values)
		if len(r.Stmts) == 0 && d.Kind == policy.Identity {
			// The placeholder's proof value leaves nothing: the policy
			// would be deleted or detached.
			return nil
		}
		pd, err := r.Parse(name)
		if err != nil {
			w.errs = append(w.errs, catalog.T(mDocInvalid, name, firstLine(err)))
			return nil
		}
		return pd
	}
	grants := map[*access.Key][]engine.Grant{}
	grantsOf := func(k *access.Key) []engine.Grant {
		if g, ok := grants[k]; ok {
			return g
		}
		return k.Grants
	}
	for _, o := range p.ops {
		switch o := o.(type) {
		case *putKeyPolicy:
			if d := parse(o.doc, "key policy of "+o.key.ARN); d != nil {
				w.keys[o.key] = w.Key(o.key).WithPolicy(d)
			}
		case *revokeGrant:
			var keep []engine.Grant
			for _, g := range grantsOf(o.key) {
				if g.ID != o.grant.ID {
					keep = append(keep, g)
				}
			}
			grants[o.key] = keep
		case *createGrant:
			g := o.grant
			grants[o.key] = append(append([]engine.Grant(nil), grantsOf(o.key)...), engine.Grant{
				ID: g.ID, Name: g.Name, GranteePrincipal: g.GranteePrincipal, RetiringPrincipal: g.RetiringPrincipal,
				Operations: g.Operations, EncryptionContextEquals: g.EncryptionContextEquals,
				EncryptionContextSubset: g.EncryptionContextSubset, IssuingAccount: o.key.Inv.Account,
			})
		case *cancelDeletion:
			inv := *w.Inv(o.key.Inv)
			md := *inv.Metadata
			// A key whose deletion is cancelled is Disabled.
			md.State, md.Enabled, md.DeletionDate = "Disabled", false, time.Time{}
			inv.Metadata = &md
			w.inv[o.key.Inv] = &inv
		case *enableRotation:
			inv := *w.Inv(o.key)
			inv.Rotation = &inventory.Rotation{Enabled: true, PeriodDays: o.period}
			inv.RotationIncomplete = nil
			w.inv[o.key] = &inv
		case *policyVersion:
			w.docs[o.old] = nil
			if len(o.doc.Stmts) > 0 {
				w.docs[o.old] = parse(o.doc, "new version of "+o.mp.ARN)
			}
			w.replaced = append(w.replaced, o.old)
		case *inlinePolicy:
			switch {
			case o.old != nil && len(o.doc.Stmts) == 0:
				w.docs[o.old] = nil
				w.replaced = append(w.replaced, o.old)
			case o.old != nil:
				w.docs[o.old] = parse(o.doc, "inline policy "+o.name+" of "+o.owner.ARN)
				w.replaced = append(w.replaced, o.old)
			case len(o.doc.Stmts) > 0:
				if d := parse(o.doc, "inline policy "+o.name+" of "+o.owner.ARN); d != nil {
					w.added[o.owner.ARN] = append(w.added[o.owner.ARN], d)
				}
			}
		case *replaceManaged:
			w.docs[o.oldDoc] = parse(o.doc, "policy "+o.name)
			w.replaced = append(w.replaced, o.oldDoc)
		}
	}
	for k, gs := range grants {
		w.keys[k] = w.Key(k).WithGrantsRead(gs)
	}
	return w
}

// diff adds the access the plan changes to a tally: the key edits with
// KeyDiff (from the key's shared answers when the caller holds them), the
// identity edits with IdentityDiff unless byKey (a Pending then adds them
// key by key), new inline policies principal by principal.
func (p *Plan) diff(w *World, t *tally, byKey bool) {
	var keys []*access.Key
	for k := range w.keys {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].ARN < keys[j].ARN })
	// Changes the new inline policies decide again replace those of the
	// key edits for their principals.
	redo := map[string]bool{}
	for a := range w.added {
		redo[a] = true
	}
	for _, k := range keys {
		add := func(c *access.Change) {
			if !redo[c.Principal] {
				t.add(*c)
			}
		}
		if ka := p.sharedAccess(k); ka != nil {
			ka.DiffSets(w.keys[k], p.keyDiffActions(k), func(c *access.Change, members []*access.Principal) { t.addSet(c, members, redo) })
		} else {
			for _, c := range p.ix.KeyDiff(k, w.keys[k], p.keyDiffActions(k)) {
				add(&c)
			}
		}
	}
	if !byKey {
		for _, old := range w.replaced {
			for _, c := range p.ix.IdentityDiff(old, w.docs[old], p.actions) {
				if k, err := p.ix.Key(c.Key); err == nil && len(applicable(k, []string{c.Action})) == 0 {
					continue
				}
				t.add(c)
			}
		}
	}
	// New inline policies: their principal decides again on every key
	// the new statements may cover, with the keys as the plan leaves
	// them, and on every key the plan edits.
	var arns []string
	for a := range w.added {
		arns = append(arns, a)
	}
	sort.Strings(arns)
	for _, arn := range arns {
		pr, err := p.ix.Principal(arn)
		if err != nil {
			continue
		}
		identity := append(append([]*policy.Document(nil), pr.Identity...), w.added[arn]...)
		for _, k := range p.coveredKeys(w.added[arn], keys) {
			// Only what the new statements, or the key's changed ones,
			// take part in can change.
			actions := applicable(k, p.touchedActions(w.added[arn], k))
			before := p.ix.DecideAllAs(pr, pr.Identity, k, actions)
			now := p.ix.DecideAllAs(pr, identity, w.Key(k), actions)
			for i, a := range actions {
				if !access.SameAccess(before[i], now[i]) {
					t.add(access.ChangeOf(pr, k.ARN, a, before[i], now[i]))
				}
			}
		}
	}
}

// touchedActions are the key actions that the documents' statements, or
// the statements of k's key policy that the plan adds or changes, match.
func (p *Plan) touchedActions(docs []*policy.Document, k *access.Key) []string {
	var stmts []*policy.Statement
	for _, d := range docs {
		stmts = append(stmts, d.Statements...)
	}
	for _, o := range p.ops {
		if kp, ok := o.(*putKeyPolicy); ok && kp.key == k {
			changed := map[int]bool{}
			for _, i := range kp.doc.Changed() {
				changed[i] = true
			}
			for _, s := range k.Policy.Statements {
				if changed[s.Index] {
					stmts = append(stmts, s)
				}
			}
			if d, err := kp.doc.Parse("fixed key policy"); err == nil {
				for i, s := range d.Statements {
					if kp.doc.Stmts[i].From < 0 || changed[kp.doc.Stmts[i].From] {
						stmts = append(stmts, s)
					}
				}
			}
		}
		if _, ok := o.(*revokeGrant); ok {
			return keyActions
		}
	}
	var out []string
	for _, a := range keyActions {
		for _, s := range stmts {
			if s.MatchAction(a) {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// sharedAccess is the caller's answers about a key, nil when it holds none.
func (p *Plan) sharedAccess(k *access.Key) *access.KeyAccess {
	if p.shared == nil {
		return nil
	}
	return p.shared(k)
}

// coveredKeys lists the keys some statement of the documents may apply
// to, and the edited keys: by ARN when the statements name keys, by a
// pass over every key otherwise.
func (p *Plan) coveredKeys(docs []*policy.Document, edited []*access.Key) []*access.Key {
	seen := map[*access.Key]bool{}
	var out []*access.Key
	add := func(k *access.Key) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	exact := true
	var arns []string
	for _, d := range docs {
		for _, s := range d.Statements {
			if s.NotResource != nil {
				exact = false
			}
			for _, r := range s.Resource {
				if strings.ContainsAny(r, "*?$") {
					exact = false
				}
				arns = append(arns, r)
			}
		}
	}
	if exact {
		for _, a := range arns {
			if k, err := p.ix.Key(a); err == nil && k.ARN == a {
				add(k)
			}
		}
	} else {
		for _, k := range p.ix.Keys() {
			if covers(docs, k.ARN) {
				add(k)
			}
		}
	}
	for _, k := range edited {
		add(k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
	return out
}

// keyDiffActions are the actions the plan's edits of a key are decided
// on: every action on a key that the key's type can perform. KeyDiff
// itself decides only those a changed statement or grant takes part in
// (and every action of a principal outside the inventory that appears or
// goes with the change).
func (p *Plan) keyDiffActions(k *access.Key) []string {
	return applicable(k, keyActions)
}

// applicable leaves out the cryptographic operations the key's type
// cannot perform (Sign on a symmetric encryption key): they fail on the
// key, whatever the policies say, and the access matrix leaves them out.
func applicable(k *access.Key, actions []string) []string {
	usage := ""
	if md := k.Inv.Metadata; md != nil {
		usage = md.KeyUsage
	}
	can := map[string]bool{}
	for _, a := range awsfacts.KeyUseFor(usage) {
		can[a] = true
	}
	var out []string
	for _, a := range actions {
		if !IsUse(a) || can[a] {
			out = append(out, a)
		}
	}
	return out
}

// covers reports whether some statement of the documents may apply to the
// key.
func covers(docs []*policy.Document, keyARN string) bool {
	for _, d := range docs {
		for _, s := range d.Statements {
			if s.NotResource != nil {
				return true
			}
			for _, r := range s.Resource {
				if strings.Contains(r, "${") || policy.MatchResource(r, keyARN) {
					return true
				}
			}
		}
	}
	return false
}

// keyActions are the KMS actions on a key, as KeyDiff decides them.
var keyActions = func() []string {
	var out []string
	for _, a := range kmsNames {
		if info := awsfacts.LookupKMS(a); info != nil && info.Resource == awsfacts.KeyResource {
			out = append(out, a)
		}
	}
	return out
}()

// DiffCap is how many changes a fix lists; the rest are counted. Tests
// that need every change raise it.
var DiffCap = 50

// Prove checks a plan with the engine against what the findings it covers
// are about, and returns the fix's proof and access diff.
func (p *Plan) Prove(intents []Intent) (*Proof, *Diff) {
	p.finish()
	w := p.world()
	t := newTally(intents)
	p.diff(w, t, false)
	return p.conclude(intents, w, t)
}

// A Pending is a proof whose identity diff is added key by key, from the
// answers a scan holds for each key, before it concludes: an IAM edit
// reaches every key its statements cover, and the scan asks about every
// key anyway.
type Pending struct {
	plan    *Plan
	intents []Intent
	w       *World
	t       *tally
	docs    []*policy.Document // the replaced documents and their new versions
}

// ProveByKey starts a proof whose identity diff comes key by key: call
// Key for every key of the account, then Done. Only narrowing edits of
// IAM policies may be proved so (Pin): their diff is then exact from each
// key's answers.
func (p *Plan) ProveByKey(intents []Intent) *Pending {
	p.finish()
	w := p.world()
	t := newTally(intents)
	p.diff(w, t, true)
	pd := &Pending{plan: p, intents: intents, w: w, t: t}
	for _, old := range w.replaced {
		pd.docs = append(pd.docs, old)
		if d := w.docs[old]; d != nil {
			pd.docs = append(pd.docs, d)
		}
	}
	return pd
}

// Key adds the identity changes on one key, from its answers. It may be
// called for several keys at once.
func (pd *Pending) Key(ka *access.KeyAccess) {
	if !covers(pd.docs, ka.Key.ARN) {
		return
	}
	actions := pd.plan.actions
	if actions == nil {
		actions = keyActions
	}
	actions = applicable(ka.Key, actions)
	for _, old := range pd.w.replaced {
		ka.IdentityDiffSets(old, pd.w.docs[old], actions, func(c *access.Change, members []*access.Principal) { pd.t.addSet(c, members, nil) })
	}
}

// Done concludes the proof.
func (pd *Pending) Done() (*Proof, *Diff) { return pd.plan.conclude(pd.intents, pd.w, pd.t) }

// A Diff is the access a fix changes: the first changes in order (by key,
// principal, action), and how many there are.
type Diff struct {
	First []access.Change
	Total int
}

// A tally collects the access changes of a plan as they are computed,
// without keeping them all: how many, the first ones, which findings they
// are about, and the changes no finding is about.
type tally struct {
	mu      sync.Mutex
	intents []Intent
	used    []bool
	total   int
	first   []access.Change
	other   int
	gained  int
	otherEx *access.Change
	gainEx  *access.Change
	bound   *access.Change
	// lost are the principals that lose PutKeyPolicy, by key.
	lost map[string]map[string]bool
	// uniform is set when no intent looks at a change's principal.
	uniform bool
	scratch access.Change
}

func newTally(intents []Intent) *tally {
	t := &tally{intents: intents, used: make([]bool, len(intents)), lost: map[string]map[string]bool{}, uniform: true}
	for _, in := range intents {
		t.uniform = t.uniform && in.Uniform
	}
	return t
}

func (t *tally) add(c access.Change) {
	t.mu.Lock()
	t.addLocked(c)
	t.mu.Unlock()
}

func (t *tally) addLocked(c access.Change) {
	t.total++
	t.keep(&c, nil)
	t.judge(&c, nil, 1, c.Gained() || !c.Lost() && widens(&c))
	t.losing(&c)
}

// addSet tallies a change that members share (access.Sink): each member
// counts, the first ones are kept, and the intents judge the change once
// when none looks at the principal (Intent.Uniform), else member by member.
// skip leaves out members whose changes are tallied elsewhere.
func (t *tally) addSet(c *access.Change, members []*access.Principal, skip map[string]bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if members == nil {
		if !skip[c.Principal] {
			t.addLocked(*c)
		}
		return
	}
	if len(skip) > 0 {
		var kept []*access.Principal
		for _, p := range members {
			if !skip[p.ARN] {
				kept = append(kept, p)
			}
		}
		members = kept
	}
	if len(members) == 0 {
		return
	}
	t.total += len(members)
	gain := c.Gained() || !c.Lost() && widens(c)
	// The member's change is written over one scratch value: the
	// intents and keep do not hold on to it.
	m := &t.scratch
	*m = *c
	// Members come in ARN order: once one is past the first changes
	// kept, so are the rest.
	for _, p := range members {
		m.Principal, m.Kind = p.ARN, p.Kind
		if t.bound != nil && !less(*m, *t.bound) {
			break
		}
		t.keep(m, p)
	}
	if t.uniform {
		m.Principal, m.Kind = members[0].ARN, members[0].Kind
		t.judge(m, members[0], len(members), gain)
	} else {
		for _, p := range members {
			m.Principal, m.Kind = p.ARN, p.Kind
			t.judge(m, p, 1, gain)
		}
	}
	if m.Action == "kms:PutKeyPolicy" && m.Lost() {
		for _, p := range members {
			m.Principal = p.ARN
			t.losing(m)
		}
	}
}

// keep holds a change among the first ones, described in full (p is its
// principal when the change is one of a set).
func (t *tally) keep(c *access.Change, p *access.Principal) {
	// Keep the first DiffCap changes in order: once that many are held,
	// a change after the last of them is not kept.
	if t.bound != nil && !less(*c, *t.bound) {
		return
	}
	t.first = append(t.first, described(c, p))
	if len(t.first) >= 4*DiffCap {
		sortChanges(t.first)
		t.first = t.first[:DiffCap]
		b := t.first[DiffCap-1]
		t.bound = &b
	}
}

// described is a copy of c with its principal's description.
func described(c *access.Change, p *access.Principal) access.Change {
	if p == nil {
		return *c
	}
	return c.Member(p)
}

// judge matches n changes like c with the findings' intents.
func (t *tally) judge(c *access.Change, p *access.Principal, n int, gain bool) {
	ok := false
	for j, in := range t.intents {
		if gain && in.Gain != nil && in.Gain(c) || !gain && in.Lose != nil && in.Lose(c) {
			ok, t.used[j] = true, true
		}
	}
	if ok {
		return
	}
	t.other += n
	if t.otherEx == nil || less(*c, *t.otherEx) {
		cc := described(c, p)
		t.otherEx = &cc
	}
	if gain {
		t.gained += n
		if t.gainEx == nil || less(*c, *t.gainEx) {
			cc := described(c, p)
			t.gainEx = &cc
		}
	}
}

// losing notes a principal that loses PutKeyPolicy on a key.
func (t *tally) losing(c *access.Change) {
	if c.Action == "kms:PutKeyPolicy" && c.Lost() {
		if t.lost[c.Key] == nil {
			t.lost[c.Key] = map[string]bool{}
		}
		t.lost[c.Key][c.Principal] = true
	}
}

// diff is the tally's diff, sorted.
func (t *tally) diff() *Diff {
	sortChanges(t.first)
	if len(t.first) > DiffCap {
		t.first = t.first[:DiffCap]
	}
	return &Diff{First: t.first, Total: t.total}
}

func less(a, b access.Change) bool { return access.ChangeLess(&a, &b) }

func sortChanges(cs []access.Change) {
	sort.SliceStable(cs, func(i, j int) bool { return less(cs[i], cs[j]) })
}

// conclude writes the proof from the world and the tallied changes.
func (p *Plan) conclude(intents []Intent, w *World, t *tally) (*Proof, *Diff) {
	proof := &Proof{}
	proof.Valid = p.valid(w)

	// Effective.
	var still []msg.Text
	for _, in := range intents {
		if in.Effective != nil && !in.Effective(w) {
			still = append(still, in.Name)
		}
	}
	if len(still) == 0 {
		proof.Effective = Claim{Holds: true, Why: catalog.T(mEffective, len(intents))}
	} else {
		proof.Effective = Claim{Why: catalog.T(mNotEffective, msg.Join(still, msg.Text{EN: "; ", JA: "、"}))}
	}

	// Minimal.
	var idle []msg.Text
	for j, in := range intents {
		if (in.Lose != nil || in.Gain != nil) && !t.used[j] {
			idle = append(idle, in.Name)
		}
	}
	switch {
	case t.other > 0:
		proof.Minimal = Claim{Why: catalog.T(mNotMinimalOther, t.other, describeChange(*t.otherEx))}
	case len(idle) > 0:
		proof.Minimal = Claim{Why: catalog.T(mNotMinimalIdle, msg.Join(idle, msg.Text{EN: "; ", JA: "、"}))}
	case t.total == 0:
		proof.Minimal = Claim{Holds: true, Why: catalog.T(mMinimalNone)}
	default:
		proof.Minimal = Claim{Holds: true, Why: catalog.T(mMinimal, t.total)}
	}
	if p.actions != nil && len(w.replaced) > 0 {
		if bad := p.sameOtherwise(w); bad != "" {
			proof.Minimal = Claim{Why: catalog.T(mNotMinimalOtherAction, bad)}
		} else if proof.Minimal.Holds {
			proof.Minimal.Why = msg.Join([]msg.Text{proof.Minimal.Why, catalog.T(mMinimalOtherActions, msg.List(Names(p.actions)))}, msg.Text{EN: "; ", JA: "。"})
		}
	}

	// Safe.
	lock := p.lockouts(w, t.lost)
	switch {
	case t.gained > 0:
		proof.Safe = Claim{Why: catalog.T(mUnsafeGain, t.gained, describeChange(*t.gainEx))}
	case len(lock) > 0:
		proof.Safe = Claim{Why: catalog.T(mUnsafeLockout, msg.List(lock))}
	default:
		proof.Safe = Claim{Holds: true, Why: catalog.T(mSafe)}
	}
	return proof, t.diff()
}

// widens reports whether a change keeps access under fewer conditions.
func widens(c *access.Change) bool {
	return c.Before.Decision == engine.Allow && c.After.Decision == engine.Allow && c.Before.OnRequest() && !c.After.OnRequest()
}

// describeChange writes one change for a claim.
func describeChange(c access.Change) string {
	return fmt.Sprintf("%s, %s, %s: %s → %s", c.Name(), c.Key, c.Action, Decision(c.Before), Decision(c.After))
}

// Decision writes a decision the way a diff shows it.
func Decision(r engine.Result) string {
	switch {
	case r.Decision == engine.Allow && r.OnRequest():
		return "Allow (conditional)"
	case r.Decision == engine.Allow && len(r.Unless) > 0:
		return "Allow (unless unread data denies)"
	}
	return r.Decision.String()
}

// AccessChanges converts engine changes for a fix.
func AccessChanges(cs []access.Change) []AccessChange {
	out := make([]AccessChange, len(cs))
	for i, c := range cs {
		out[i] = AccessChange{Principal: c.Name(), Key: c.Key, Action: c.Action, Before: Decision(c.Before), After: Decision(c.After)}
	}
	return out
}

// lockouts lists the keys that someone could manage before the plan and
// nobody can after it.
func (p *Plan) lockouts(w *World, lost map[string]map[string]bool) []string {
	check := map[*access.Key]bool{}
	for k, after := range w.keys {
		// A grant never gives PutKeyPolicy: only a new key policy can
		// lock a key.
		if after.Policy != k.Policy {
			check[k] = true
		}
	}
	for arn := range lost {
		if k, err := p.ix.Key(arn); err == nil {
			check[k] = true
		}
	}
	var out []string
	for k := range check {
		if !p.managed(k, nil) {
			continue // it was not manageable before: the plan locks no one out
		}
		if !p.managed(w.Key(k), lost[k.ARN]) {
			out = append(out, k.ARN)
		}
	}
	sort.Strings(out)
	return out
}

// managed reports whether a principal of the inventory may call
// kms:PutKeyPolicy on the key without conditions, those in lost left out
// (shared/kms-authorization.md §4.4). The account's root user is asked
// first: it can whenever the account statement stands, and then nobody
// else needs to be asked.
func (p *Plan) managed(k *access.Key, lost map[string]bool) bool {
	root := "arn:aws:iam::" + k.Inv.Account + ":root"
	if pr, err := p.ix.Principal(root); err == nil && !lost[root] {
		r := p.ix.DecideAs(pr, pr.Identity, k, "kms:PutKeyPolicy")
		if r.Decision == engine.Allow && !r.OnRequest() {
			return true
		}
	}
	for _, m := range p.Callers(k, "kms:PutKeyPolicy") {
		if !lost[m] {
			return true
		}
	}
	return false
}

// sameOtherwise checks, for every KMS action the diff was not asked
// about, that each replaced identity document allows it exactly as before:
// the statements that match it, without their action lists, are the same.
// It returns the first action that differs, "" when none does.
func (p *Plan) sameOtherwise(w *World) string {
	limited := map[string]bool{}
	for _, a := range p.actions {
		limited[a] = true
	}
	for _, old := range w.replaced {
		now := w.docs[old]
		for _, a := range kmsNames {
			if limited[a] {
				continue
			}
			if !sameFor(old, now, a) {
				return a
			}
		}
	}
	return ""
}

// sameFor reports whether two documents allow and deny an action on the
// same resources under the same conditions.
func sameFor(a, b *policy.Document, action string) bool {
	return slices.Equal(matching(a, action), matching(b, action))
}

func matching(d *policy.Document, action string) []string {
	if d == nil {
		return nil
	}
	var out []string
	for _, s := range d.Statements {
		if !s.MatchAction(action) {
			continue
		}
		c := *s
		c.Sid, c.Action, c.NotAction = "", nil, nil
		out = append(out, c.Canonical())
	}
	sort.Strings(out)
	return out
}

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
