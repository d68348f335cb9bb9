package remedy

import (
	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/policy"
)

// This file holds the statement edits the checks' fixes are made of. Each
// one narrows: it never lets a statement allow what it did not.

// Anyone is the subject of edits about what a wildcard (or NotPrincipal)
// statement gives every principal it reaches.
const Anyone = "*"

// DropFor takes the actions drop reports away from subject in the
// statements made from statement from of a key policy, and leaves them
// everything else: a statement naming only the subject (or, for Anyone, a
// wildcard statement) is narrowed in place, or removed when nothing is
// left; a statement naming others too loses the subject, and a copy that
// names only the subject, with the same conditions, keeps what it keeps.
// The copy's Sid is the statement's with suffix. It reports whether the
// subject keeps some action there.
func DropFor(d *Doc, from int, subject string, drop func(string) bool, suffix string) bool {
	kept := false
	for _, st := range d.From(from) {
		if subject == Anyone {
			if !st.Wildcard() {
				continue
			}
			kept = narrowInPlace(d, st, drop) || kept
			continue
		}
		if !names(st, subject) {
			continue
		}
		if st.OnlyAWS(subject) {
			kept = narrowInPlace(d, st, drop) || kept
			continue
		}
		orig := st.Copy()
		if !st.RemoveAWS(func(v string) bool { return v == subject }) {
			d.Remove(st)
		}
		a, na := Without(orig.Action, orig.NotAction, drop)
		if a == nil && na == nil {
			continue
		}
		c := orig
		c.Principal = &Principal{AWS: []string{subject}}
		c.NotPrincipal = nil
		c.Action, c.NotAction = a, na
		c.Sid = orig.Sid + suffix
		d.InsertAfter(st, c)
		kept = true
	}
	return kept
}

func names(st *Stmt, subject string) bool {
	if st.Principal == nil || st.Principal.Star {
		return false
	}
	for _, v := range st.Principal.AWS {
		if v == subject {
			return true
		}
	}
	return false
}

// narrowInPlace takes the dropped actions out of a statement; it removes
// the statement when nothing is left and reports whether something is.
func narrowInPlace(d *Doc, st *Stmt, drop func(string) bool) bool {
	a, na := Without(st.Action, st.NotAction, drop)
	if a == nil && na == nil {
		d.Remove(st)
		return false
	}
	st.Action, st.NotAction = a, na
	return true
}

// Pin splits the statements made from statement from of an identity
// policy: what they allow beyond the pinned actions stays on their
// resources; the pinned actions they allow move to a statement of their
// own on resources (with the same conditions), or go when resources is
// empty. The new statement's Sid is the old one's with suffix (IAM Sids
// are letters and digits). It returns the actions that moved.
func Pin(d *Doc, from int, pinned func(string) bool, resources []string, suffix string) []string {
	var moved []string
	for _, st := range d.From(from) {
		if st.Effect != policy.Allow {
			continue
		}
		var these []string
		for _, a := range Allowed(st.Action, st.NotAction) {
			if pinned(a) {
				these = append(these, a)
			}
		}
		if len(these) == 0 {
			continue
		}
		moved = append(moved, these...)
		orig := st.Copy()
		at := d.index(st)
		if narrowInPlace(d, st, pinned) {
			at++
		}
		if len(resources) == 0 {
			continue
		}
		c := orig
		c.Action, c.NotAction = these, nil
		c.Resource, c.NotResource = append([]string(nil), resources...), nil
		c.Sid = orig.Sid + suffix
		d.insertAt(at, c)
	}
	return moved
}

// AccountStatement is a statement that lets the account's IAM policies
// grant the actions on the key (the default key policy's statement, with
// kms:*, lets them grant everything and the root user manage the key)
// [default key policy].
//
// [default key policy]: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
func AccountStatement(sid, account string, actions []string) *Stmt {
	return &Stmt{From: -1, Sid: sid, Effect: policy.Allow, Principal: &Principal{AWS: []string{"arn:aws:iam::" + account + ":root"}},
		Action: append([]string(nil), actions...), Resource: []string{"*"}}
}

// IsUse reports whether an action is a cryptographic operation.
func IsUse(action string) bool {
	for _, a := range awsfacts.KeyUse {
		if a == action {
			return true
		}
	}
	return false
}

// IsKeyAction reports whether an action acts on a key.
func IsKeyAction(action string) bool {
	a := awsfacts.LookupKMS(action)
	return a != nil && a.Resource == awsfacts.KeyResource
}
