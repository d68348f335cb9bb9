package checks

import (
	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/msg"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/remedy"
)

// key-policy-direct-access: principals that can use a key through its key
// policy alone, which nobody reading only IAM sees (the seed's setting 3).
//
// Severity: info. Naming key users in the key policy is what the KMS
// console does and what AWS recommends for least privilege; it is not a
// flaw. What the finding gives is visibility: access that IAM policies,
// IAM reviews and IAM-only tools do not show. Any higher severity would
// make --fail-on fail on nearly every console-created key.
var _ = register(&Check{
	ID:       "key-policy-direct-access",
	Severity: Info,
	Title: Text{
		EN: "Principals that can use a KMS key through its key policy alone",
		JA: "キーポリシーだけで KMS キーを使用できるプリンシパル",
	},
	Description: Text{
		EN: "Lists, per key, each principal named in the key policy (a \"*\" principal included) that can perform cryptographic operations with the key through the key policy alone, without any IAM policy (the engine's key-policy-direct rule). Such access is invisible to anyone who reads only IAM policies. Access that needs account delegation plus an IAM policy is left to the IAM checks. AWS managed keys are not checked.",
		JA: "キーごとに、キーポリシーで指定されたプリンシパル (\"*\" を含む) のうち、IAM ポリシーなしにキーポリシーだけで暗号操作を実行できるものを列挙します (エンジンの key-policy-direct ルール)。このアクセスは IAM ポリシーだけを見る者には見えません。アカウントへの委任と IAM ポリシーの両方が必要なアクセスは IAM のチェックの対象です。AWS 管理キーは対象外です。",
	},
	Risk: Text{
		EN: "Reviews, access reports and tools that read IAM policies miss this access: removing every IAM permission of the principal does not take the key away from it, and a principal that looks harmless in IAM can decrypt data protected by the key.",
		JA: "IAM ポリシーを読むレビュー、アクセスレポート、ツールはこのアクセスを見落とします。プリンシパルの IAM 権限をすべて削除してもキーは使えたままで、IAM 上は無害に見えるプリンシパルがキーで保護されたデータを復号できます。",
	},
	References: []string{
		"https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-users",
		"https://docs.aws.amazon.com/kms/latest/developerguide/determining-access-key-policy.html",
		"https://docs.aws.amazon.com/kms/latest/developerguide/iam-policies.html",
	},
	RunKey: func(ke *KeyEnv) []Finding {
		env, k := ke.Env, ke.Key
		if k.Policy == nil {
			return []Finding{unknownKeyPolicy(k)}
		}
		var out []Finding
		subjects := subjectsSorted(directAccess(ke.w, k, useActions(k.Inv)))
		for _, sa := range subjects {
			out = append(out, directAccessFinding(env, k, sa))
		}
		if len(subjects) == 0 {
			f := keyFinding(k, Pass, true)
			f.Message = T(mDirectPass, keyRef(k.Inv))
			out = append(out, f)
			return out
		}
		shareFix(out, 0, directAccessFix(ke, subjects, out))
		return out
	},
})

func directAccessFinding(env *Env, k *access.Key, sa *subjectAccess) Finding {
	ref := keyRef(k.Inv)
	stmts := sa.statements()
	status := Fail
	acts := sa.actions
	if len(acts) == 0 {
		status, acts = Unknown, sa.unknown
	}
	f := keyFinding(k, status, true)
	f.Principal = sa.subject
	if len(stmts) > 0 {
		f.Statement = stmtRef(stmts[0])
	}
	list := summarizeActions(acts)
	switch {
	case sa.subject == anyone:
		f.Message = T(mDirectAnyone, stmtList(stmts), ref, list)
		f.Explanation = append(f.Explanation, T(mDirectReached, sa.reached, joinFirst(sa.firstReached, sa.reached)))
	default:
		f.Message = T(mDirectFail, sa.subject, ref, list)
		if sa.kind == access.KindNamed {
			f.Explanation = append(f.Explanation, T(mDirectNotInInput, sa.subject))
		}
	}
	f.Explanation = append(f.Explanation, T(mDirectNamedIn, stmtList(stmts)))
	if len(sa.conds) > 0 {
		f.Explanation = append(f.Explanation, underConditions(sortedKeys(sa.conds)))
	}
	if status == Unknown {
		f.Missing = sortedKeys(sa.missing)
	}
	return f
}

// directAccessFix is one fix for every principal of a key that uses it
// through the key policy alone: their use moves where IAM shows it.
//
//   - A user or role of the input loses its cryptographic actions in the
//     statements that name it (it keeps the rest) and gets an inline IAM
//     policy allowing them on this key, under the conditions the key
//     policy had. When the key policy does not already let IAM policies
//     grant them, a statement delegates exactly those actions, to exactly
//     that principal (aws:PrincipalArn), to its IAM policies: nobody else
//     gains anything. Its access does not change; only the way it is
//     granted does.
//   - A principal the key policy names that is not in the input (deleted,
//     or of an account not read) is taken out of those statements.
//   - "*" (a wildcard statement) loses its cryptographic actions, which
//     go to the account principal with the same conditions when the key
//     policy does not already delegate them: who keeps them is who has an
//     IAM policy for them.
//
// The engine proves it: none of the principals uses the key through the
// key policy alone any more, and the only access that changes is the
// access of principals a wildcard statement or a principal no longer in
// the input had without any IAM policy.
func directAccessFix(ke *KeyEnv, subjects []*subjectAccess, fs []Finding) *Remediation {
	env, k := ke.Env, ke.Key
	plan := env.newPlan()
	doc := plan.KeyPolicy(k)
	acct := k.Inv.Account
	var intents []remedy.Intent
	var moved, removed []string
	wildcard := false
	for i, sa := range subjects {
		if fs[i].Status != Fail {
			continue
		}
		sa := sa
		acts := sortedKeys(sa.actions)
		isActs := func(a string) bool { return sa.actions[a] }
		stmts := sa.statements()
		idx := map[int]bool{}
		for _, s := range stmts {
			idx[s.Index] = true
		}
		intent := remedy.Intent{
			Name: intentName("key-policy-direct-access", &fs[i]),
			Effective: func(w *remedy.World) bool {
				_, still := directAccess(newWhoCanMemo(env), w.Key(k), useActions(k.Inv))[sa.subject]
				return !still
			},
		}
		owner, isIAM := remedy.OwnerOf(sa.subject)
		_, notFound := env.Index.Principal(sa.subject)
		switch {
		case sa.subject == anyone:
			wildcard = true
			delegated := delegatesAll(env, k, acts)
			for _, s := range stmts {
				var conds []remedy.Cond
				for _, st := range doc.From(s.Index) {
					if st.Wildcard() {
						conds = st.Cond
					}
				}
				remedy.DropFor(doc, s.Index, remedy.Anyone, isActs, "")
				if !delegated {
					st := remedy.AccountStatement(s.Sid+"ToIAM", acct, acts)
					st.Cond = conds
					doc.Add(st)
				}
			}
			intent.Lose = onKey(k, func(c *access.Change) bool {
				return remedy.IsUse(c.Action) && citesStatements(c.Before, idx)
			})
		case isIAM && notFound == nil && owner.Kind != "group":
			for _, s := range stmts {
				remedy.DropFor(doc, s.Index, sa.subject, isActs, "WithoutUse")
			}
			if !delegatesAll(env, k, acts) {
				st := remedy.AccountStatement("DelegateUseToIAM", acct, acts)
				st.AddCondition("ArnEquals", "aws:PrincipalArn", sa.subject)
				doc.Add(st)
			}
			ip := plan.InlinePolicy(owner, "kms-use-"+k.Inv.ID, nil, T(mDirectInlineEdit, keyRef(k.Inv)))
			addUseStatements(ip, k, acts, stmts, doc.Original())
			moved = append(moved, sa.subject)
		default:
			for _, s := range stmts {
				remedy.DropFor(doc, s.Index, sa.subject, isActs, "WithoutUse")
			}
			intent.Lose = onKey(k, func(c *access.Change) bool { return c.Principal == sa.subject })
			removed = append(removed, sa.subject)
		}
		intents = append(intents, intent)
	}
	var parts []Text
	if len(moved) > 0 {
		parts = append(parts, T(mDirectMove, msg.List(moved), "kms-use-"+k.Inv.ID))
		plan.SayKeyPolicy(k, T(mDirectMoveEdit, msg.List(moved)))
	}
	if len(removed) > 0 {
		parts = append(parts, T(mDirectRemove, msg.List(removed)))
		plan.SayKeyPolicy(k, T(mDirectRemoveEdit, msg.List(removed)))
	}
	if wildcard {
		parts = append(parts, T(mDirectWildcard))
		plan.SayKeyPolicy(k, T(mDirectWildcardEdit))
	}
	summary := T(mDirectFix, keyRef(k.Inv), msg.Join(parts, Text{EN: " ", JA: ""}))
	return prove(plan, fixID("key-policy-direct-access", k.ARN), summary, intents)
}

// addUseStatements writes the inline policy that gives a principal, on
// one key, the actions the key policy gave it directly, under the same
// conditions: one statement per condition block of the statements that
// named it, or one without conditions when one of them had none.
func addUseStatements(ip *remedy.Doc, k *access.Key, acts []string, stmts []*policy.Statement, orig *policy.Document) {
	var conds [][]remedy.Cond
	unconditional := false
	for _, s := range stmts {
		if len(s.Conditions) == 0 {
			unconditional = true
			break
		}
		var cs []remedy.Cond
		for _, c := range s.Conditions {
			cs = append(cs, remedy.Cond{Op: c.Operator, Key: c.Key, Values: append([]string(nil), c.Values...)})
		}
		conds = append(conds, cs)
	}
	if unconditional || len(conds) == 0 {
		conds = [][]remedy.Cond{nil}
	}
	for _, cs := range conds {
		ip.Add(&remedy.Stmt{From: -1, Sid: "UseKey", Effect: policy.Allow, Action: acts, Resource: []string{k.ARN}, Cond: cs})
	}
}

// delegatesAll reports whether the key policy delegates every one of the
// actions to its account.
func delegatesAll(env *Env, k *access.Key, actions []string) bool {
	dl := accountDelegation(env, k)
	for _, a := range actions {
		if !containsString(dl.actions, a) {
			return false
		}
	}
	return true
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
