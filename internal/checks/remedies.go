package checks

import (
	"strings"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/arn"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/msg"
	"github.com/keywarden/keywarden/internal/remedy"
)

// This file is what the checks' fixes share. A check decides; for its
// failing findings it plans the edits with the remedy package (typed
// documents, never generic maps), states what each finding is about (the
// access changes it accepts and how to tell it no longer holds), and lets
// the engine prove the plan before it is shown. Findings that one fix
// resolves share it: one plan, one proof, one Remediation with one ID.

// newPlan starts a fix over the scan's index, reusing the who-can answers
// of the keys whose checks are running.
func (env *Env) newPlan() *remedy.Plan { return remedy.NewPlan(env.Index, env.sharedAccess) }

// prove proves a plan for the findings it covers and renders it as their
// fix. A fix that is not verified says in its summary what it does
// instead.
func prove(p *remedy.Plan, id string, summary Text, intents []remedy.Intent) *Remediation {
	proof, diff := p.Prove(intents)
	r := p.Render(summary, proof, diff)
	r.ID = id
	if !r.Verified {
		r.Summary = r.Summary.Append(notVerified(proof))
	}
	return r
}

// proveByKey is prove for a plan whose identity diff the scan adds key by
// key (remedy.Pending): the fix returned is filled in when every key has
// been seen, before the findings are reported.
func (env *Env) proveByKey(p *remedy.Plan, id string, summary Text, intents []remedy.Intent) *Remediation {
	r := &Remediation{ID: id, Summary: summary}
	pd := p.ProveByKey(intents)
	env.pendingMu.Lock()
	env.pending = append(env.pending, pendingFix{pd, func(proof *Proof, diff *remedy.Diff) {
		*r = *p.Render(summary, proof, diff)
		r.ID = id
		if !r.Verified {
			r.Summary = r.Summary.Append(notVerified(proof))
		}
	}})
	env.pendingMu.Unlock()
	return r
}

// A pendingFix is a fix whose proof waits for the scan's keys.
type pendingFix struct {
	pd   *remedy.Pending
	done func(*Proof, *remedy.Diff)
}

// notVerified says which claims of a proof fail, and why.
func notVerified(p *Proof) Text {
	var parts []Text
	for _, c := range []struct {
		claim Claim
		id    string
	}{{p.Valid, mNotValid}, {p.Effective, mNotEffective}, {p.Minimal, mNotMinimal}, {p.Safe, mNotSafe}} {
		if !c.claim.Holds {
			parts = append(parts, T(c.id, c.claim.Why))
		}
	}
	return T(mNotVerified, msg.Join(parts, Text{EN: "; ", JA: "。"}))
}

// advice is a fix that has no edits: what to do when no command can do it.
func advice(id string, summary Text, console ...Text) *Remediation {
	return &Remediation{ID: id, Summary: summary, Console: console}
}

// fixID names a fix by its check and what it edits.
func fixID(check, target string) string { return check + ":" + target }

// shareFix sets one fix on the failing findings of fs from index from on.
func shareFix(fs []Finding, from int, r *Remediation) {
	if r == nil {
		return
	}
	for i := from; i < len(fs); i++ {
		if fs[i].Status == Fail {
			fs[i].Remediation = r
		}
	}
}

// citesStatements reports whether a decision rests on one of the key
// policy's statements (by index).
func citesStatements(r engine.Result, idx map[int]bool) bool {
	for _, reason := range r.Reasons {
		if reason.Layer == engine.LayerKeyPolicy && reason.Effect == "Allow" && idx[reason.Statement] {
			return true
		}
	}
	return false
}

// citesGrantID reports whether a decision rests on a grant.
func citesGrantID(r engine.Result, ids map[string]bool) bool {
	for _, reason := range r.Reasons {
		if reason.Layer == engine.LayerGrant && ids[strings.TrimPrefix(reason.Policy, "grant ")] {
			return true
		}
	}
	return false
}

// changeAccount is the account of the principal an access change is
// about: the account of its ARN, or the account its symbol stands for
// ("" for a symbol of no one account).
func changeAccount(c *access.Change) string {
	if c.Principal != "" {
		if a := arn.AccountOfPrincipal(c.Principal); a != "" {
			return a
		}
	}
	if c.Symbol != nil {
		return c.Symbol.Account
	}
	return ""
}

// onKey restricts a change predicate to one key.
func onKey(k *access.Key, f func(c *access.Change) bool) func(c *access.Change) bool {
	return func(c *access.Change) bool { return c.Key == k.ARN && f(c) }
}

// intentName names a finding in a proof.
func intentName(check string, f *Finding) Text {
	who := f.Principal
	if who == "" {
		who = f.Resource
	}
	return msg.Same(check + " (" + who + ")")
}

// placeholderName makes the name of a placeholder from a policy or
// principal name: letters, digits, '-' and '_' only, so that it is the same
// text in a document, a shell command and Terraform.
func placeholderName(format, name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return strings.Replace(format, "%s", b.String(), 1)
}

// useOrGrant reports whether an action uses the key or creates grants,
// which is a way to use it.
func useOrGrant(a string) bool { return remedy.IsUse(a) || a == "kms:CreateGrant" }
