package access

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/policy"
)

// DecideAs decides an action on a key (or a variant of one, made with
// WithPolicy or WithGrants) for an inventory principal as if its identity
// policies were identity: what a fix that gives the principal an inline
// policy, or takes one away, would make of its access. It asks as KeyDiff
// and the matrix do.
func (ix *Index) DecideAs(p *Principal, identity []*policy.Document, key *Key, action string) engine.Result {
	edited := *p
	edited.Identity = identity
	return ix.askPrincipal(p.ARN, &edited, key, key.ARN, askOptions{listing: true}).decide(action)
}

// DecideAllAs is DecideAs for several actions, on one prepared question.
func (ix *Index) DecideAllAs(p *Principal, identity []*policy.Document, key *Key, actions []string) []engine.Result {
	edited := *p
	edited.Identity = identity
	a := ix.askPrincipal(p.ARN, &edited, key, key.ARN, askOptions{listing: true})
	out := make([]engine.Result, len(actions))
	for i, action := range actions {
		out[i] = a.decide(action)
	}
	return out
}

// ChangeOf is the change of one principal's access to a key.
func ChangeOf(p *Principal, key, action string, before, after engine.Result) Change {
	return Change{Principal: p.ARN, Kind: p.Kind, Description: describePrincipal(p), Key: key, Action: action, Before: before, After: after}
}

// SameAccess reports whether two decisions give the same access: both
// deny, or both allow (or are unknown) under the same conditions. KeyDiff
// and IdentityDiff list a change exactly when it does not hold.
func SameAccess(a, b engine.Result) bool { return same(a, b) }

// WithGrantsRead returns a copy of the key with other grants, keeping
// whether the grants were read: a fix that revokes or creates grants
// changes only the grants it names.
func (k *Key) WithGrantsRead(gs []engine.Grant) *Key {
	c := *k
	c.Grants = gs
	c.facts = factsOf(&c)
	return &c
}

// Diff is KeyDiff from the key's shared answers (the KeyAccess a scan
// holds for it): the principals it groups, and their prepared questions,
// serve again when the change is one of grants only.
func (ka *KeyAccess) Diff(after *Key, actions []string) []Change {
	return ka.ix.keyDiff(ka, ka.Key, after, actions)
}

// DiffSets is Diff passing each change to emit as it is found, in no set
// order, without keeping them, and the changes that groups of principals
// share as one (Sink): a fix that changes the access of thousands of
// principals alike is counted and sampled by group, not listed in memory.
func (ka *KeyAccess) DiffSets(after *Key, actions []string, emit Sink) {
	ka.ix.keyDiffEach(ka, ka.Key, after, actions, emit)
}

// IdentityDiff is Index.IdentityDiff on this key alone, from its shared
// answers, for an edit that only narrows old (new allows nothing old did
// not): each group of the key that holds old decides again with new in
// its place, on the same prepared question; a principal the key's answers
// do not reach gains nothing from a narrowing.
func (ka *KeyAccess) IdentityDiff(old, new *policy.Document, actions []string) []Change {
	var out []Change
	ka.IdentityDiffSets(old, new, actions, each(func(c *Change) { out = append(out, *c) }))
	sortChanges(out)
	return out
}

// IdentityDiffSets is IdentityDiff passing the changes as they are found,
// the change of each holder (principals of one class of a group) as one
// (Sink). The decisions before are the key's answer about the action
// when it holds one, else each holder's: a group denied before stays
// denied after a narrowing, and a group allowed without old's statements
// keeps its Allow; only the others decide again.
func (ka *KeyAccess) IdentityDiffSets(old, new *policy.Document, actions []string, emit Sink) {
	if actions == nil {
		actions = keyActions()
	}
	holders := ka.holders(old)
	if len(holders) == 0 {
		return
	}
	// Holders whose decision depends on the same things decide alike,
	// for every edit asked of the key (the key's memo): before, groups of
	// one actionKey (decideGroup); after,
	// holders of one profile and split whose identity statements that
	// cover the action are the same ones. A principal that decides alone,
	// or a new document that resolves variables, is asked on its own.
	newTags := map[string]bool{}
	addTagKeys(newTags, new)
	personal := usesVariables(new) || len(newTags) > 0 || testsPrincipal(new)
	// The statements of old, by number, and whether each holder holds
	// it as identity policy: what afterKey needs of the edit.
	oldIDs := map[int]bool{}
	for _, st := range old.Statements {
		if id, ok := ka.ix.stmtIDs[st]; ok {
			oldIDs[id] = true
		}
	}
	holds := make([]bool, len(holders))
	for i, h := range holders {
		holds[i] = slices.Contains(h.rep.Identity, old)
	}
	var b []byte
	var c Change
	var newCover, newStmts, reaching []*policy.Statement
	if new != nil { // nil: the document goes
		newStmts = new.Statements
	}
	for _, a := range actions {
		covers := ka.ix.coverAction(a)
		newCover = newCover[:0]
		for _, st := range newStmts {
			if st.MatchAction(a) {
				newCover = append(newCover, st)
			}
		}
		// A holder none of whose statements of old that cover the action
		// can reach the key, when none of new's can either, and whose
		// boundary is not old, decides as before: its group's decision
		// depends only on its statements that reach the key (rel).
		reaching = reaching[:0]
		for _, st := range newCover {
			if mayCover(st, ka.Key.ARN) {
				reaching = append(reaching, st)
			}
		}
		newReach := len(reaching) > 0
		skip := func(h holder) bool {
			if newReach || h.g.single != nil || h.rep.Boundary == old {
				return false
			}
			for _, id := range h.g.rel {
				if covers[id] && oldIDs[id] {
					return false
				}
			}
			return true
		}
		// The decisions before: the key's answer about the action when
		// it holds one (a group it does not list is denied), else each
		// holder's group's, once per actionKey.
		aa := ka.cached(a)
		var lastGroup *group
		var lastResult engine.Result
		var listed map[*group]int
		if aa != nil {
			listed = make(map[*group]int, len(aa.Groups))
			for j := range aa.Groups {
				listed[aa.Groups[j].group] = j
			}
		}
		for i, h := range holders {
			if skip(h) {
				continue
			}
			var rb engine.Result
			if aa != nil {
				j, ok := listed[h.g]
				if !ok {
					continue // denied before: a narrowing cannot allow
				}
				rb = aa.Groups[j].Result
			} else if h.g == lastGroup {
				rb = lastResult // holders of one group come together
			} else {
				rb, b = ka.decideGroup(h.g, a, covers, b)
				lastGroup, lastResult = h.g, rb
			}
			if rb.Decision != engine.Allow && rb.Decision != engine.Unknown {
				continue // denied before: a narrowing cannot allow
			}
			if rb.Decision == engine.Allow && old.Name != "" && !citesDocument(rb, old.Name) {
				continue // allowed without old
			}
			boundary := h.rep.Boundary
			if boundary == old {
				boundary = new
			}
			shared := h.g.single == nil && !personal
			var ra engine.Result
			ok := false
			if shared {
				b = append(append(append(b[:0], "after\x00"...), a...), 0)
				b = afterKey(b, h, boundary, covers, oldIDs, holds[i], reaching)
				ra, ok = ka.recall(b)
			}
			if !ok {
				is := *h.g.ask(ka)
				is.pol.Identity = replaceDoc(h.rep.Identity, old, new)
				is.pol.Boundary = boundary
				ra = is.decide(a)
				if shared {
					ka.remember(b, ra)
				}
			}
			if same(rb, ra) {
				continue
			}
			c = Change{Key: ka.Key.ARN, Action: a, Before: rb, After: ra}
			emit(&c, h.members)
		}
	}
}

// afterKey is what a holder's decision of an action depends on once its
// documents are edited: its profile and split, its permissions boundary,
// and its group's statements that cover the action and can reach the key
// (rel and covers), those of old (oldIDs) left out and those of new that
// cover the action and can reach the key (newReach) put in when the
// holder holds old. Holders of different documents that end with the same
// statements on the key decide alike.
func afterKey(b []byte, h holder, boundary *policy.Document, covers []bool, oldIDs map[int]bool, holdsOld bool, newReach []*policy.Statement) []byte {
	b = strconv.AppendInt(b, int64(h.g.profile), 10)
	b = append(b, h.g.split...)
	b = fmt.Appendf(b, "#%p", boundary)
	for _, id := range h.g.rel {
		if covers[id] && !oldIDs[id] {
			b = append(b, '|')
			b = strconv.AppendInt(b, int64(id), 10)
		}
	}
	if holdsOld {
		for _, st := range newReach {
			b = fmt.Appendf(b, "|n%p", st)
		}
	}
	return b
}

// citesDocument reports whether a decision cites a statement of the
// identity document named name.
func citesDocument(r engine.Result, name string) bool {
	for _, reason := range r.Reasons {
		if reason.Layer == engine.LayerIdentity && reason.Policy == name {
			return true
		}
	}
	return false
}

// A holder is principals of one group of the key that hold the same
// identity documents and permissions boundary: one class of the group, or
// one principal the group lists alone. Its members change alike when one
// of their documents is edited.
type holder struct {
	g       *group
	rep     *Principal
	members []*Principal
}

// holders returns the principals of the key's groups that hold an
// identity document (or have it as permissions boundary), by class: the
// classes that hold it (an index of the whole inventory, docClasses)
// that the key groups whole, and the members of those it groups one by
// one. A group may join classes that hold different documents yet decide
// alike on the key: each class is looked at with its own documents.
func (ka *KeyAccess) holders(d *policy.Document) []holder {
	classes := ka.ix.docClasses(d)
	ka.mu.Lock()
	defer ka.mu.Unlock()
	ka.indexGroups()
	var out []holder
	for _, c := range classes {
		if g := ka.byClass[c]; g != nil {
			out = append(out, holder{g: g, rep: c.members[0], members: c.members})
		}
		if !ka.splitClasses[c] {
			continue
		}
		for _, p := range c.members {
			if g := ka.byMember[p]; g != nil {
				out = append(out, holder{g: g, rep: p, members: []*Principal{p}})
			}
		}
	}
	return out
}

// docClasses are the classes whose members hold a document as identity
// policy or permissions boundary (the members of a class hold the same
// documents), from an index built on first use.
func (ix *Index) docClasses(d *policy.Document) []*class {
	ix.docClassesOnce.Do(func() {
		ix.byDocClass = map[*policy.Document][]*class{}
		for _, pr := range ix.profiles {
			for _, c := range pr.classes {
				rep := c.members[0]
				for i, x := range rep.Identity {
					if x != nil && !slices.Contains(rep.Identity[:i], x) {
						ix.byDocClass[x] = append(ix.byDocClass[x], c)
					}
				}
				if x := rep.Boundary; x != nil && !slices.Contains(rep.Identity, x) {
					ix.byDocClass[x] = append(ix.byDocClass[x], c)
				}
			}
		}
	})
	return ix.byDocClass[d]
}

// testsPrincipal reports whether a document has a condition on the
// caller's ARN or user name (principalKeys): its statements then decide
// differently for principals of one profile.
func testsPrincipal(d *policy.Document) bool {
	if d == nil {
		return false
	}
	for _, s := range d.Statements {
		for _, c := range s.Conditions {
			if principalKeys[c.LowerKey()] {
				return true
			}
		}
	}
	return false
}
