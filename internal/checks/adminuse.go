package checks

import (
	"fmt"
	"strings"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/policy"
)

// adminActions are what administering a key means for key-admin-can-use:
// changing who may use it, and destroying it.
var adminActions = []string{"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"}

// key-admin-can-use: no separation of duties between key administrators
// and key users.
var _ = register(&Check{
	ID:       "key-admin-can-use",
	Severity: Medium,
	Title: Text{
		EN: "Key administrators should not also be able to use the key",
		JA: "キー管理者にキーの使用まで許可すべきではありません (職務の分離)",
	},
	Description: Text{
		EN: "A principal named in the key policy (a \"*\" principal included), other than the account, can administer the key through the key policy (kms:PutKeyPolicy or kms:ScheduleKeyDeletion) and can also use it for cryptographic operations, through the key policy, a grant or its IAM policies. Decided with the engine's who-can. The root user's power through the account statement is not reported. AWS managed keys are not checked.",
		JA: "キーポリシーで指定されたプリンシパル (\"*\" を含む、アカウントを除く) が、キーポリシーによってキーを管理でき (kms:PutKeyPolicy または kms:ScheduleKeyDeletion)、さらにキーポリシー、グラント、または IAM ポリシーによって暗号操作にも使用できます。エンジンの who-can で判定します。アカウントのステートメントによるルートユーザーの権限は報告しません。AWS 管理キーは対象外です。",
	},
	Risk: Text{
		EN: "One identity can both decrypt the data the key protects and change or destroy the key: a single compromised administrator exposes the data and can cover its tracks, and no second person is needed to misuse the key. AWS recommends separate administrator and user roles (administrators can still grant themselves use through PutKeyPolicy or CreateGrant, which CloudTrail then records).",
		JA: "1 つの ID が、キーで保護されたデータを復号でき、かつキーの変更や破棄もできます。管理者が 1 人侵害されるだけでデータが漏えいし、痕跡も消せてしまい、キーの悪用に 2 人目は不要です。AWS は管理者と利用者のロールを分けることを推奨しています (管理者も PutKeyPolicy や CreateGrant で自分に使用権限を与えることはできますが、その操作は CloudTrail に記録されます)。",
	},
	References: []string{
		"https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-administrators",
		"https://docs.aws.amazon.com/kms/latest/developerguide/iam-policies-best-practices.html",
		"https://docs.aws.amazon.com/prescriptive-guidance/latest/encryption-best-practices/kms.html",
	},
	RunKey: func(ke *KeyEnv) []Finding {
		env, k := ke.Env, ke.Key
		if k.Policy == nil {
			return []Finding{unknownKeyPolicy(k)}
		}
		var out []Finding
		w := ke.w
		admins := directAccess(w, k, adminActions)
		var fails int
		for _, adm := range subjectsSorted(admins) {
			if len(adm.actions) == 0 {
				continue
			}
			use := subjectUse(w, k, adm.subject)
			switch {
			case len(use.actions) > 0:
				out = append(out, adminUseFinding(env, k, adm, use))
				fails++
			case len(use.unknown) > 0:
				f := keyFinding(k, Unknown, true)
				f.Principal = adm.subject
				f.Message = Text{
					EN: principalLabel(adm.subject) + " can administer key " + keyRef(k.Inv) + "; whether it can also use it could not be decided",
					JA: principalLabel(adm.subject) + " はキー " + keyRef(k.Inv) + " を管理できますが、使用もできるかは判定できませんでした",
				}
				f.Missing = sortedKeys(use.missing)
				out = append(out, f)
				fails++
			}
		}
		if fails == 0 {
			f := keyFinding(k, Pass, true)
			f.Message = Text{
				EN: "no principal the key policy of " + keyRef(k.Inv) + " names as administrator can also use the key",
				JA: "キー " + keyRef(k.Inv) + " のキーポリシーで管理者として指定されたプリンシパルのうち、キーを使用もできるものはありません",
			}
			if len(admins) == 0 {
				f.Message = Text{
					EN: "the key policy of " + keyRef(k.Inv) + " names no administrator other than the account",
					JA: "キー " + keyRef(k.Inv) + " のキーポリシーはアカウント以外に管理者を指定していません",
				}
			}
			out = append(out, f)
		}
		return out
	},
})

// usePaths is how a subject can use a key.
type usePaths struct {
	actions, unknown, missing map[string]bool
	// stmts are the key-policy statements that give use directly.
	stmts map[int]*policy.Statement
	// grants and iam name the grants and the identity policies that give it.
	grants, iam map[string]bool
	// wild is set when a wildcard statement gives a named subject use.
	wild bool
}

// subjectUse finds what the subject can use the key for, by any path: for
// "*", what wildcard statements give an arbitrary principal of the account;
// for a named principal, every who-can answer about it.
func subjectUse(w *whoCanMemo, k *access.Key, subject string) usePaths {
	u := usePaths{actions: map[string]bool{}, unknown: map[string]bool{}, missing: map[string]bool{},
		stmts: map[int]*policy.Statement{}, grants: map[string]bool{}, iam: map[string]bool{}}
	if subject == anyone {
		if sa := directAccess(w, k, useActions(k.Inv))[anyone]; sa != nil {
			u.actions, u.unknown, u.missing, u.stmts = sa.actions, sa.unknown, sa.missing, sa.stmts
		}
		return u
	}
	for _, a := range useActions(k.Inv) {
		if e, ok := w.entryFor(k, a, subject); ok {
			if e.Decision == engine.Unknown {
				u.unknown[a] = true
				for _, m := range e.Result.Missing {
					u.missing[m] = true
				}
				continue
			}
			u.actions[a] = true
			for _, r := range e.Result.Reasons {
				switch r.Layer {
				case engine.LayerGrant:
					u.grants[strings.TrimPrefix(r.Policy, "grant ")] = true
				case engine.LayerIdentity:
					u.iam[r.Policy] = true
				}
			}
			for _, s := range namingStatements(k.Policy, subject, a) {
				u.stmts[s.Index] = s
			}
			if e.Via == engine.RuleDirect {
				for _, s := range keyPolicyStatements(k.Policy, e.Result) {
					if s.NotPrincipal != nil || s.Principal != nil && s.Principal.Wildcard {
						u.wild = true
					}
				}
			}
		}
	}
	if g := k.GrantsGap; g != nil {
		// A grant that was not read may give the subject what the
		// rest does not (shared/kms-authorization.md §14).
		for _, a := range useActions(k.Inv) {
			if info := awsfacts.LookupKMS(a); !u.actions[a] && info != nil && info.GrantOp {
				u.unknown[a] = true
				u.missing[g.String()] = true
			}
		}
	}
	return u
}

func (u usePaths) statements() []*policy.Statement {
	sa := &subjectAccess{stmts: u.stmts}
	return sa.statements()
}

func adminUseFinding(env *Env, k *access.Key, adm *subjectAccess, use usePaths) Finding {
	ref := keyRef(k.Inv)
	who := principalLabel(adm.subject)
	f := keyFinding(k, Fail, true)
	f.Principal = adm.subject
	admStmts := adm.statements()
	if len(admStmts) > 0 {
		f.Statement = stmtRef(admStmts[0])
	}
	f.Message = Text{
		EN: fmt.Sprintf("%s can both administer key %s (%s) and use it (%s): no separation of duties", who, ref, shortActions(sortedKeys(adm.actions)), summarizeActions(use.actions)),
		JA: fmt.Sprintf("%s はキー %s を管理 (%s) も使用 (%s) もできます: 職務が分離されていません", who, ref, shortActions(sortedKeys(adm.actions)), summarizeActions(use.actions)),
	}
	f.Explanation = append(f.Explanation, Text{
		EN: "administers through key policy statement " + stmtList(admStmts),
		JA: "キーポリシーのステートメント " + stmtList(admStmts) + " によりキーを管理できます",
	})
	if s := use.statements(); len(s) > 0 {
		f.Explanation = append(f.Explanation, Text{
			EN: "uses through key policy statement " + stmtList(s),
			JA: "キーポリシーのステートメント " + stmtList(s) + " によりキーを使用できます",
		})
	}
	if len(use.grants) > 0 {
		grants := strings.Join(sortedKeys(use.grants), ", ")
		f.Explanation = append(f.Explanation, Text{
			EN: "uses through grant " + grants,
			JA: "グラント " + grants + " によりキーを使用できます",
		})
	}
	if len(use.iam) > 0 {
		iam := strings.Join(sortedKeys(use.iam), ", ")
		f.Explanation = append(f.Explanation, Text{
			EN: "uses through its IAM policies (the key policy delegates to the account): " + iam,
			JA: "自身の IAM ポリシーによりキーを使用できます (キーポリシーがアカウントに委任しています): " + iam,
		})
	}
	if len(adm.conds) > 0 {
		conds := strings.Join(sortedKeys(adm.conds), "; ")
		f.Explanation = append(f.Explanation, Text{
			EN: "administration under conditions: " + conds,
			JA: "管理できるのは次の条件を満たす場合です: " + conds,
		})
	}
	f.Remediation = adminUseRemediation(env, k, adm, use)
	return f
}

// adminUseRemediation takes the cryptographic actions away from the
// administrator in the key-policy statements that name it (it keeps its
// administration) and revokes the grants that give it use. When it could
// still use the key another way (a wildcard statement, its IAM policies),
// the fixed policy also denies it the cryptographic actions: an explicit
// Deny in the key policy beats every allow. The engine re-checks the fixed
// key policy with those grants gone: the subject still administers, no
// longer uses, and the key stays manageable.
func adminUseRemediation(env *Env, k *access.Key, adm *subjectAccess, use usePaths) *Remediation {
	p, err := decodeKeyPolicy(k.Policy.Raw)
	if err != nil {
		return nil
	}
	stmts := use.statements()
	for _, s := range stmts {
		dropForSubject(p, s, adm.subject, isUseAction, "Admin")
	}
	who := principalLabel(adm.subject)
	grants := sortedKeys(use.grants)
	verify := func(fixed []byte) (verified, stillUses bool) {
		fk, err := parseFixed(k, fixed)
		if err != nil {
			return false, true
		}
		var keep []engine.Grant
		for _, g := range fk.Grants {
			if !use.grants[g.ID] {
				keep = append(keep, g)
			}
		}
		fk.Grants = keep
		w := newWhoCanMemo(env)
		stillAdmin := directAccess(w, fk, adminActions)[adm.subject]
		after := subjectUse(w, fk, adm.subject)
		stillUses = len(after.actions) > 0 || len(after.unknown) > 0
		return stillAdmin != nil && !stillUses && managedAfter(env, fk), stillUses
	}
	fixed, err := p.encode()
	if err != nil {
		return nil
	}
	summary := Text{
		EN: fmt.Sprintf("Separate administration from use: %s keeps its administrator actions and a different principal uses the key.", who),
		JA: fmt.Sprintf("管理と使用を分離してください: %s には管理者のアクションだけを残し、キーの使用は別のプリンシパルに任せます。", who),
	}
	if len(stmts) > 0 {
		summary.EN += fmt.Sprintf(" In the key policy, take the cryptographic actions away from %s (statement %s).", who, stmtList(stmts))
		summary.JA += fmt.Sprintf("キーポリシーで %s から暗号操作のアクションを外します (ステートメント %s)。", who, stmtList(stmts))
	}
	if adm.subject == anyone {
		summary.EN += " Administration by every principal a \"*\" statement reaches is too broad in itself: name the administrators instead (see key-policy-wildcard-admin)."
		summary.JA += "\"*\" のステートメントが及ぶすべてのプリンシパルによる管理自体も広すぎます。管理者を個別に指定してください (key-policy-wildcard-admin を参照)。"
	}
	verified, stillUses := verify(fixed)
	if stillUses && adm.subject != anyone {
		sid := p.uniqueSid("DenyKeyUseToAdministrator")
		p.add(map[string]any{
			"Sid":       sid,
			"Effect":    "Deny",
			"Principal": map[string]any{"AWS": adm.subject},
			"Action":    anyList(useActions(k.Inv)),
			"Resource":  "*",
		})
		if fixed, err = p.encode(); err != nil {
			return nil
		}
		verified, _ = verify(fixed)
		summary.EN += " It can use the key another way"
		summary.JA += "他の経路でもキーを使用できるため"
		if use.wild {
			summary.EN += " (a statement naming \"*\")"
			summary.JA += " (\"*\" を指定したステートメント)"
		}
		if len(use.iam) > 0 {
			summary.EN += " (its IAM policies: " + strings.Join(sortedKeys(use.iam), ", ") + ")"
			summary.JA += " (IAM ポリシー: " + strings.Join(sortedKeys(use.iam), ", ") + ")"
		}
		summary.EN += ", so the fixed policy also denies it the cryptographic actions (statement \"" + sid + "\"); a Deny in the key policy beats every allow."
		summary.JA += "、修正後のポリシーでは暗号操作のアクションを明示的に拒否します (ステートメント \"" + sid + "\")。キーポリシーの Deny はあらゆる許可に優先します。"
	}
	r := keyPolicyFix(k, fixed, summary, Text{
		EN: fmt.Sprintf("Replace the policy with the one in the AWS CLI command: %s keeps its administrator actions and loses %s.", who, summarizeActions(use.actions)),
		JA: fmt.Sprintf("ポリシーを AWS CLI コマンド内のものに置き換えます: %s は管理者のアクションを残し、%s を失います。", who, summarizeActions(use.actions)),
	})
	r.Verified = verified
	if len(grants) > 0 {
		var cli []string
		for _, g := range grants {
			cli = append(cli, fmt.Sprintf("aws kms revoke-grant --region %s --key-id %s --grant-id %s", k.Inv.Region, k.ARN, g))
		}
		r.CLI = strings.Join(append(cli, "", r.CLI), "\n")
		r.Summary.EN += " Revoke grant " + strings.Join(grants, ", ") + ", which gives it use."
		r.Summary.JA += "使用権限を与えているグラント " + strings.Join(grants, ", ") + " を取り消してください。"
	}
	callerCheck(env, k, "kms:PutKeyPolicy", r)
	return r
}
