package remedy

import (
	"fmt"
	"sort"
	"strings"
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

// diff computes the access the plan changes: the key edits with KeyDiff,
// the identity edits with IdentityDiff, new inline policies principal by
// principal.
func (p *Plan) diff(w *World) []access.Change {
	type id struct{ principal, key, action string }
	byID := map[id]access.Change{}
	var order []id
	put := func(c access.Change) {
		i := id{c.Name(), c.Key, c.Action}
		if _, ok := byID[i]; !ok {
			order = append(order, i)
		}
		byID[i] = c
	}
	var keys []*access.Key
	for k := range w.keys {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].ARN < keys[j].ARN })
	for _, k := range keys {
		for _, c := range p.ix.KeyDiff(k, w.keys[k], nil) {
			put(c)
		}
	}
	for _, old := range w.replaced {
		for _, c := range p.ix.IdentityDiff(old, w.docs[old], p.actions) {
			put(c)
		}
	}
	// New inline policies: their principal decides again on every key
	// the new statements may cover, with the keys as the plan leaves
	// them.
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
		for _, k := range p.ix.Keys() {
			if !covers(w.added[arn], k.ARN) {
				continue
			}
			after := w.Key(k)
			for _, a := range keyActions {
				before := p.ix.DecideAs(pr, pr.Identity, k, a)
				now := p.ix.DecideAs(pr, identity, after, a)
				i := id{pr.ARN, k.ARN, a}
				if access.SameAccess(before, now) {
					if _, ok := byID[i]; ok {
						delete(byID, i)
					}
					continue
				}
				put(access.ChangeOf(pr, k.ARN, a, before, now))
			}
		}
	}
	out := make([]access.Change, 0, len(byID))
	for _, i := range order {
		if c, ok := byID[i]; ok {
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.Key != b.Key:
			return a.Key < b.Key
		case (a.Principal == "") != (b.Principal == ""):
			return a.Principal != ""
		case a.Name() != b.Name():
			return a.Name() < b.Name()
		}
		return a.Action < b.Action
	})
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

// DiffCap is how many changes a fix lists; the rest are counted.
const DiffCap = 50

// Prove checks a plan with the engine against what the findings it covers
// are about, and returns the fix's proof and access diff.
func (p *Plan) Prove(intents []Intent) (*Proof, []access.Change) {
	p.finish()
	w := p.world()
	proof := &Proof{}
	proof.Valid = p.valid(w)
	changes := p.diff(w)

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

	// Minimal and safe.
	var other, gained []access.Change
	used := make([]bool, len(intents))
	accessFindings := 0
	for _, in := range intents {
		if in.Lose != nil || in.Gain != nil {
			accessFindings++
		}
	}
	for i := range changes {
		c := &changes[i]
		gain := c.Gained() || !c.Lost() && widens(c)
		ok := false
		for j, in := range intents {
			if gain && in.Gain != nil && in.Gain(c) || !gain && in.Lose != nil && in.Lose(c) {
				ok, used[j] = true, true
			}
		}
		switch {
		case ok:
		case gain:
			gained = append(gained, *c)
			other = append(other, *c)
		default:
			other = append(other, *c)
		}
	}
	var idle []msg.Text
	for j, in := range intents {
		if (in.Lose != nil || in.Gain != nil) && !used[j] {
			idle = append(idle, in.Name)
		}
	}
	switch {
	case len(other) > 0:
		proof.Minimal = Claim{Why: catalog.T(mNotMinimalOther, len(other), describeChange(other[0]))}
	case len(idle) > 0:
		proof.Minimal = Claim{Why: catalog.T(mNotMinimalIdle, msg.Join(idle, msg.Text{EN: "; ", JA: "、"}))}
	case len(changes) == 0:
		proof.Minimal = Claim{Holds: true, Why: catalog.T(mMinimalNone)}
	default:
		proof.Minimal = Claim{Holds: true, Why: catalog.T(mMinimal, len(changes))}
	}
	if p.actions != nil && len(w.replaced) > 0 {
		if bad := p.sameOtherwise(w); bad != "" {
			proof.Minimal = Claim{Why: catalog.T(mNotMinimalOtherAction, bad)}
		} else if proof.Minimal.Holds {
			proof.Minimal.Why = proof.Minimal.Why.Append(catalog.T(mMinimalOtherActions, msg.List(Names(p.actions))))
		}
	}
	lock := p.lockouts(w, changes)
	switch {
	case len(gained) > 0:
		proof.Safe = Claim{Why: catalog.T(mUnsafeGain, len(gained), describeChange(gained[0]))}
	case len(lock) > 0:
		proof.Safe = Claim{Why: catalog.T(mUnsafeLockout, msg.List(lock))}
	default:
		proof.Safe = Claim{Holds: true, Why: catalog.T(mSafe)}
	}
	return proof, changes
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

// AccessChanges converts engine changes for a fix, at most DiffCap of
// them; it returns the total too.
func AccessChanges(cs []access.Change) ([]AccessChange, int) {
	n := len(cs)
	if n > DiffCap {
		cs = cs[:DiffCap]
	}
	out := make([]AccessChange, len(cs))
	for i, c := range cs {
		out[i] = AccessChange{Principal: c.Name(), Key: c.Key, Action: c.Action, Before: Decision(c.Before), After: Decision(c.After)}
	}
	return out, n
}

// lockouts lists the keys that someone could manage before the plan and
// nobody can after it.
func (p *Plan) lockouts(w *World, changes []access.Change) []string {
	var out []string
	check := map[*access.Key]bool{}
	for k := range w.keys {
		check[k] = true
	}
	for _, c := range changes {
		if c.Action == "kms:PutKeyPolicy" && c.Lost() {
			if k, err := p.ix.Key(c.Key); err == nil {
				check[k] = true
			}
		}
	}
	for k := range check {
		if len(p.Callers(k, "kms:PutKeyPolicy")) == 0 {
			continue // it was not manageable before: the plan locks no one out
		}
		after := p.Callers(w.Key(k), "kms:PutKeyPolicy")
		lost := map[string]bool{}
		for _, c := range changes {
			if c.Key == k.ARN && c.Action == "kms:PutKeyPolicy" && c.Lost() {
				lost[c.Principal] = true
			}
		}
		n := 0
		for _, m := range after {
			if !lost[m] {
				n++
			}
		}
		if n == 0 {
			out = append(out, k.ARN)
		}
	}
	sort.Strings(out)
	return out
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
	return sameStrings(matching(a, action), matching(b, action))
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

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
