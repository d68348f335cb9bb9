package remedy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/msg"
)

// AWS's limits on the documents a fix writes.
//
//   - [key policy]: 32 KB; printable ASCII and Latin-1 characters, tab,
//     line feed and carriage return only.
//   - [IAM quotas]: a managed policy 6,144 characters, the inline
//     policies of a user 2,048, of a group 5,120, of a role 10,240 (all
//     of an identity's inline policies together), white space not counted.
//   - [IAM Sid]: letters and digits only; Sids unique within a policy.
//
// [key policy]: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
// [IAM quotas]: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
// [IAM Sid]: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html
const (
	KeyPolicyLimit     = 32768
	ManagedPolicyLimit = 6144
)

// InlineLimit is the size limit of all inline policies of one identity.
var InlineLimit = map[string]int{"user": 2048, "group": 5120, "role": 10240}

var (
	iamSid     = regexp.MustCompile(`^[A-Za-z0-9]*$`)
	policyName = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
)

// finish settles what the plan's edits come to: an IAM policy left with
// no statement is deleted or detached instead of written empty.
func (p *Plan) finish() {
	var ops []op
	for _, o := range p.ops {
		if ip, ok := o.(*inlinePolicy); ok && ip.old == nil && len(ip.doc.Stmts) == 0 {
			continue // a new policy with nothing in it
		}
		ops = append(ops, o)
	}
	p.ops = ops
}

// valid checks every document the plan writes and every call it makes.
func (p *Plan) valid(w *World) Claim {
	problems := append([]msg.Text(nil), w.errs...)
	var sizes []msg.Text
	widest := p.values(true)
	for _, o := range p.ops {
		switch o := o.(type) {
		case *putKeyPolicy:
			d := resolve(o.doc, widest)
			if len(d.Stmts) == 0 {
				problems = append(problems, catalog.T(mKeyPolicyEmpty, o.key.ARN))
				continue
			}
			problems = append(problems, checkSids(d, false)...)
			problems = append(problems, keyPolicyCharacters(d)...)
			n := len(d.JSON())
			sizes = append(sizes, catalog.T(mSizeKeyPolicy, n, KeyPolicyLimit))
			if n > KeyPolicyLimit {
				problems = append(problems, catalog.T(mTooLarge, o.key.ARN, n, KeyPolicyLimit))
			}
			problems = append(problems, p.callable(o.key, "kms:PutKeyPolicy")...)
		case *policyVersion:
			if len(o.doc.Stmts) == 0 {
				continue // detached instead
			}
			d := resolve(o.doc, widest)
			problems = append(problems, checkSids(d, true)...)
			n := compactSize(d)
			sizes = append(sizes, catalog.T(mSizeManaged, n, ManagedPolicyLimit))
			if n > ManagedPolicyLimit {
				problems = append(problems, catalog.T(mTooLarge, o.mp.ARN, n, ManagedPolicyLimit))
			}
		case *replaceManaged:
			d := resolve(o.doc, widest)
			if len(d.Stmts) == 0 {
				problems = append(problems, catalog.T(mPolicyEmpty, o.name))
				continue
			}
			if !policyName.MatchString(o.name) {
				problems = append(problems, catalog.T(mBadPolicyName, o.name))
			}
			problems = append(problems, checkSids(d, true)...)
			n := compactSize(d)
			sizes = append(sizes, catalog.T(mSizeManaged, n, ManagedPolicyLimit))
			if n > ManagedPolicyLimit {
				problems = append(problems, catalog.T(mTooLarge, o.name, n, ManagedPolicyLimit))
			}
		case *inlinePolicy:
			if len(o.doc.Stmts) == 0 {
				continue // deleted instead
			}
			if !policyName.MatchString(o.name) {
				problems = append(problems, catalog.T(mBadPolicyName, o.name))
			}
			d := resolve(o.doc, widest)
			problems = append(problems, checkSids(d, true)...)
			n := compactSize(d) + otherInline(p.ix.Snapshot, o.owner, o.name)
			limit := InlineLimit[o.owner.Kind]
			sizes = append(sizes, catalog.T(mSizeInline, o.owner.Kind, n, limit))
			if n > limit {
				problems = append(problems, catalog.T(mInlineTooLarge, o.owner.ARN, n, limit))
			}
		case *revokeGrant:
			problems = append(problems, p.callable(o.key, "kms:RevokeGrant")...)
		case *createGrant:
			problems = append(problems, p.callable(o.key, "kms:CreateGrant")...)
		case *cancelDeletion:
			problems = append(problems, p.callable(o.key, "kms:CancelKeyDeletion")...)
		case *enableRotation:
			if o.region != "" {
				continue // the key is not in the input
			}
			if k, err := p.ix.Key(o.key.ARN); err == nil {
				problems = append(problems, p.callable(k, "kms:EnableKeyRotation")...)
			}
		}
	}
	if len(problems) > 0 {
		return Claim{Why: msg.Join(problems, msg.Text{EN: "; ", JA: "。"})}
	}
	if len(sizes) == 0 {
		return Claim{Holds: true, Why: catalog.T(mValidCalls)}
	}
	return Claim{Holds: true, Why: catalog.T(mValid, msg.Join(sizes, msg.Text{EN: ", ", JA: "、"}))}
}

// checkSids finds duplicate Sids, and Sids IAM does not accept.
func checkSids(d *Doc, iam bool) []msg.Text {
	var out []msg.Text
	seen := map[string]bool{}
	for _, s := range d.Stmts {
		if s.Sid == "" {
			continue
		}
		if seen[s.Sid] {
			out = append(out, catalog.T(mDuplicateSid, s.Sid))
		}
		seen[s.Sid] = true
		if iam && !iamSid.MatchString(s.Sid) {
			out = append(out, catalog.T(mBadSid, s.Sid))
		}
	}
	return out
}

// keyPolicyCharacters finds characters KMS does not accept in a key
// policy.
func keyPolicyCharacters(d *Doc) []msg.Text {
	bad := func(s string) bool {
		for _, r := range s {
			if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0x7e || r >= 0xa0 && r <= 0xff {
				continue
			}
			return true
		}
		return false
	}
	for _, s := range d.Stmts {
		for _, v := range s.strings() {
			if bad(v) {
				return []msg.Text{catalog.T(mBadCharacters, fmt.Sprintf("%q", v))}
			}
		}
	}
	return nil
}

// strings lists every string of a statement.
func (s *Stmt) strings() []string {
	out := []string{s.Sid}
	for _, p := range []*Principal{s.Principal, s.NotPrincipal} {
		if p != nil {
			out = append(out, p.AWS...)
			out = append(out, p.Service...)
			out = append(out, p.Federated...)
			out = append(out, p.CanonicalUser...)
		}
	}
	out = append(out, s.Action...)
	out = append(out, s.NotAction...)
	out = append(out, s.Resource...)
	out = append(out, s.NotResource...)
	for _, c := range s.Cond {
		out = append(out, c.Op, c.Key)
		out = append(out, c.Values...)
	}
	return out
}

// compactSize is the size of a document without white space.
func compactSize(d *Doc) int {
	var b bytes.Buffer
	if err := json.Compact(&b, d.JSON()); err != nil {
		return len(d.JSON())
	}
	return len([]rune(b.String()))
}

// otherInline sums the sizes of the owner's other inline policies.
func otherInline(snap *inventory.Snapshot, o Owner, name string) int {
	var ips []inventory.InlinePolicy
	for _, a := range snap.Accounts {
		for _, u := range a.Users {
			if u.ARN == o.ARN {
				ips = u.InlinePolicies
			}
		}
		for _, g := range a.Groups {
			if g.ARN == o.ARN {
				ips = g.InlinePolicies
			}
		}
		for _, r := range a.Roles {
			if r.ARN == o.ARN {
				ips = r.InlinePolicies
			}
		}
	}
	n := 0
	for _, ip := range ips {
		if ip.Name != name && ip.Document != nil {
			n += len([]rune(string(ip.Document.JSON)))
		}
	}
	return n
}

// callable checks that someone of the input may make a call on the key
// (under conditions it can meet, if need be); a fix nobody can apply is
// not valid.
func (p *Plan) callable(k *access.Key, action string) []msg.Text {
	// The account's root user first: it usually may, and then nobody
	// else needs to be asked.
	if pr, err := p.ix.Principal("arn:aws:iam::" + k.Inv.Account + ":root"); err == nil {
		if r := p.ix.DecideAs(pr, pr.Identity, k, action); r.Decision == engine.Allow {
			return nil
		}
	}
	res, err := p.whoCan(k, action)
	if err == nil {
		for _, e := range res.Entries {
			switch e.Kind {
			case access.KindRoot, access.KindUser, access.KindRole:
				if e.Decision == engine.Allow {
					return nil
				}
			}
		}
	}
	return []msg.Text{catalog.T(mNoCaller, action, k.ARN)}
}

// Callers lists the principals of the inventory (the root user, users,
// roles) that may call the action on the key without conditions. An Allow
// qualified only by inputs that were not read stands: they can only take
// access away.
func (p *Plan) Callers(k *access.Key, action string) []string {
	res, err := p.whoCan(k, action)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range res.Entries {
		switch e.Kind {
		case access.KindRoot, access.KindUser, access.KindRole:
			if e.Decision == engine.Allow && !e.Result.OnRequest() {
				out = append(out, e.Principal)
			}
		}
	}
	return out
}
