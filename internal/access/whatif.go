package access

import (
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
