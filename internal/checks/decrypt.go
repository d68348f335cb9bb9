package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/msg"
	"github.com/keywarden/keywarden/internal/parallel"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/remedy"
)

// decryptActions are the actions KMS.1 and KMS.2 look for.
var decryptActions = []string{"kms:Decrypt", "kms:ReEncryptFrom"}

// decryptFindings evaluates KMS.1/KMS.2 on a set of policies: one finding
// per statement that allows decryption on keys not pinned to fixed ARNs,
// all of a policy's findings sharing one fix.
func decryptFindings(env *Env, ps []identityPolicy, check string) []Finding {
	per := make([][]Finding, len(ps))
	parallel.For(len(ps), func(i int) {
		p := &ps[i]
		if p.Err != nil {
			per[i] = []Finding{unknownPolicy(p)}
			return
		}
		grants := broadKMSGrants(p.Doc, decryptActions)
		if len(grants) == 0 {
			per[i] = []Finding{{Status: Pass, Resource: p.Resource(), Account: p.Account, Principal: principalOf(p), Policy: p.Label, Source: p.Source,
				Message: T(mDecryptPass, p.Title)}}
			return
		}
		var fs []Finding
		for _, g := range grants {
			fs = append(fs, decryptFailure(env, p, g))
		}
		shareFix(fs, 0, pinFix(env, p, grants, fs, check, decryptActions))
		per[i] = fs
	})
	var out []Finding
	for _, fs := range per {
		out = append(out, fs...)
	}
	return out
}

func principalOf(p *identityPolicy) string {
	if p.Managed != nil {
		return ""
	}
	return p.OwnerARN
}

func unknownPolicy(p *identityPolicy) Finding {
	return Finding{Status: Unknown, Resource: p.Resource(), Account: p.Account, Principal: principalOf(p), Policy: p.Label, Source: p.Source,
		Message: T(mPolicyUnread, p.Title, p.Err.Error()),
		Missing: []string{p.Err.Error()}}
}

func stmtRef(s *policy.Statement) *Statement { return &Statement{Index: s.Index, Sid: s.Sid} }

func stmtLabel(s *policy.Statement) string {
	if s.Sid != "" {
		return fmt.Sprintf("'%s' (#%d)", s.Sid, s.Index)
	}
	return fmt.Sprintf("#%d", s.Index)
}

// decryptFailure is the failing finding about one statement.
func decryptFailure(env *Env, p *identityPolicy, g broadGrant) Finding {
	f := Finding{Status: Fail, Resource: p.Resource(), Account: p.Account, Principal: principalOf(p), Policy: p.Label,
		Statement: stmtRef(g.Stmt), Source: p.Source,
		Message: T(mDecryptFail, p.Title, stmtLabel(g.Stmt), msg.List(g.Actions), g.Resources)}
	if len(p.Attached) > 0 {
		f.Explanation = append(f.Explanation, attachedTo(p.Attached))
	}
	for _, k := range reachableKeys(env, p, g) {
		f.Explanation = append(f.Explanation, T(mReachesKey, k.ARN))
	}
	return f
}

// reachableKeys lists the customer managed keys of the policy's account
// that the statement reaches today: their key policy delegates to the
// account. They are the candidates for the keys the statement is pinned
// to; the user chooses among them.
func reachableKeys(env *Env, p *identityPolicy, g broadGrant) []*access.Key {
	var out []*access.Key
	for _, k := range env.Index.Keys() {
		if k.Inv.Account != p.Account || k.Inv.AWSManaged() || k.Policy == nil {
			continue
		}
		if g.Stmt.MatchResource(k.ARN, &policy.MapContext{Open: true}) == policy.False {
			continue
		}
		if delegatesTo(k.Policy, p.Account) {
			out = append(out, k)
		}
	}
	return out
}

// delegatesTo reports whether a key policy has an Allow for the account
// principal.
func delegatesTo(d *policy.Document, acct string) bool {
	for _, s := range d.Statements {
		if s.Effect != policy.Allow || s.Principal == nil {
			continue
		}
		for _, v := range s.Principal.AWS {
			if v == acct || v == "arn:aws:iam::"+acct+":root" {
				return true
			}
		}
	}
	return false
}

// maxCandidates is how many candidate keys a placeholder lists.
const maxCandidates = 10

// pinFix is the fix of KMS.1, KMS.2 and iam-policy-kms-full-access: the
// statements' pinned actions (decryption, or every action on a key) move
// to a statement of their own whose Resource is the keys the principals
// need — a named placeholder with the keys the statements reach today as
// candidates, since keywarden cannot know which keys they use — and
// everything else the statements allowed stays as it was. An AWS managed
// policy, which cannot be edited, is replaced by a customer managed copy
// with the change. The engine decides the pinned actions again for every
// principal holding the policy on every key (with no key listed: the most
// the fix can take away); every other action is shown unchanged statement
// by statement.
func pinFix(env *Env, p *identityPolicy, grants []broadGrant, fs []Finding, check string, pinned []string) *Remediation {
	exact := map[string]bool{}
	for _, x := range pinned {
		exact[x] = true
	}
	isPinned := func(a string) bool {
		if exact[a] {
			return true // as the engine writes it, the common case
		}
		for _, x := range pinned {
			if strings.EqualFold(a, x) {
				return true
			}
		}
		return false
	}
	plan := env.newPlan()
	var name string
	if p.Managed != nil {
		name = placeholderName("<KEYS_%s_USES>", p.Managed.Name)
	} else {
		name = placeholderName("<KEYS_"+strings.ToUpper(p.OwnerKind)+"_%s_USES>", p.OwnerName)
	}
	// The candidates: the keys the statements reach today.
	seen := map[string]bool{}
	var keys []*access.Key
	for _, g := range grants {
		for _, k := range reachableKeys(env, p, g) {
			if !seen[k.ARN] {
				seen[k.ARN] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].ARN < keys[j].ARN })
	var candidates, widest []string
	for i, k := range keys {
		widest = append(widest, k.ARN)
		if i < maxCandidates {
			c := k.ARN
			if len(k.Inv.Aliases) > 0 {
				c += " (" + strings.Join(k.Inv.Aliases, ", ") + ")"
			}
			candidates = append(candidates, c)
		}
	}
	if len(widest) == 0 {
		// Only the size limits read this: as long as a key ARN.
		widest = []string{strings.Repeat("x", 75)}
	}
	note := T(mPinNote, len(keys))
	if len(keys) > maxCandidates {
		note = T(mPinNoteMore, len(keys), maxCandidates)
	}
	plan.Placeholder(name, candidates, note, nil, widest)

	var doc *remedy.Doc
	var holders []remedy.Owner
	if p.Managed != nil {
		holders = remedy.HoldersOf(env.Snapshot, p.Managed.ARN)
	}
	switch {
	case p.Managed != nil && p.Managed.AWSManaged:
		doc = plan.ReplaceManaged(p.Managed, p.Doc, p.Account, p.Managed.Name+"-PinnedKeys", holders)
	case p.Managed != nil:
		doc = plan.ManagedPolicy(p.Managed, p.Doc, holders)
	default:
		doc = plan.InlinePolicy(p.owner(), p.Name, p.Doc)
	}
	var stmts []string
	for _, g := range grants {
		resources := []string{name}
		for _, r := range g.Stmt.Resource {
			if !strings.ContainsAny(r, "*?") {
				resources = append(resources, r) // fixed ARNs it named stay
			}
		}
		remedy.Pin(doc, g.Stmt.Index, isPinned, resources, "PinnedKeys")
		stmts = append(stmts, stmtLabel(g.Stmt))
	}
	plan.LimitDiff(pinnedKeyActions(pinned))

	var intents []remedy.Intent
	for i := range fs {
		f := &fs[i]
		intents = append(intents, remedy.Intent{
			Name:    intentName(check, f),
			Lose:    func(c *access.Change) bool { return isPinned(c.Action) },
			Uniform: true,
			Effective: func(w *remedy.World) bool {
				d := w.Doc(p.Doc)
				if d == nil {
					return true
				}
				if check == "iam-policy-kms-full-access" {
					return len(fullAccessGrants(d)) == 0
				}
				return len(broadKMSGrants(d, decryptActions)) == 0
			},
		})
	}
	what := T(mPinWhatDecrypt)
	if check == "iam-policy-kms-full-access" {
		what = T(mPinWhatAll)
	}
	summary := T(mPinSummary, what, msg.List(stmts), p.Title, name)
	if p.Managed != nil && p.Managed.AWSManaged {
		summary = summary.Append(T(mPinAWSManaged, p.Title, p.Managed.Name+"-PinnedKeys"))
	}
	// The holders' access is decided again key by key, as the scan
	// asks about each key: the fix is complete when the scan is.
	return env.proveByKey(plan, fixID(check, p.Resource()+"#"+p.Name), summary, intents)
}

// pinnedKeyActions are the pinned actions that act on a key: those the
// access diff decides.
func pinnedKeyActions(pinned []string) []string {
	var out []string
	for _, a := range pinned {
		if remedy.IsKeyAction(a) {
			out = append(out, a)
		}
	}
	return out
}

// attachedTo is the explanation line naming the principals a policy is
// attached to.
func attachedTo(arns []string) Text {
	return T(mAttachedTo, strings.Join(arns, ", "))
}
