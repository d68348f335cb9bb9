package checks

import (
	"strings"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/remedy"
)

// key-unmanageable: nobody can change the key policy any more
// (shared/kms-authorization.md §4.4).
var _ = register(&Check{
	ID:       "key-unmanageable",
	Severity: High,
	Title: Text{
		EN: "KMS keys should stay manageable: someone must be able to change the key policy",
		JA: "KMS キーは管理可能に保つべきです: キーポリシーを変更できる者が必要です",
	},
	Description: Text{
		EN: "No existing principal can call kms:PutKeyPolicy on the key without conditions: the key policy has no working statement for the account (through which the root user can always manage the key), and every principal it names for PutKeyPolicy is gone, in another account (PutKeyPolicy does not work across accounts), limited by conditions, or denied (by the key policy or by an SCP). Decided with the engine's who-can over the inventory: principals named in the policy but absent from the inventory (deleted ones show as unique IDs) do not count. AWS managed keys, whose policies only their service changes, are not applicable. Unknown when the key policy or the account's IAM data is missing.",
		JA: "既存のどのプリンシパルも、条件なしでこのキーに kms:PutKeyPolicy を呼び出せません: キーポリシーにはアカウント向けの有効なステートメント (これがあればルートユーザーは常にキーを管理できます) がなく、PutKeyPolicy 用に指定されたプリンシパルはすべて、削除済み、別アカウント (PutKeyPolicy はクロスアカウントで使えません)、条件付き、または (キーポリシーや SCP で) 拒否されています。インベントリ全体に対するエンジンの who-can で判定し、ポリシーで指定されていてもインベントリに存在しないプリンシパル (削除されたものは一意の ID で表示されます) は数えません。ポリシーをサービスだけが変更できる AWS 管理キーは対象外です。キーポリシーまたはアカウントの IAM データが欠けている場合は unknown です。",
	},
	Risk: Text{
		EN: "Nobody can change who may use the key, revoke access that the policy gives, or fix a mistake in it; usually nobody can schedule its deletion either. Recovery requires AWS Support.",
		JA: "キーを使用できる者の変更、ポリシーが与えているアクセスの取り消し、ポリシーの誤りの修正が誰にもできません。通常はキーの削除をスケジュールすることもできません。復旧には AWS サポートへの依頼が必要です。",
	},
	References: []string{
		"https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam",
		"https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html",
		"https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-bypass-policy-lockout-safety-check",
		"https://docs.aws.amazon.com/kms/latest/developerguide/policy-evaluation.html",
	},
	RunKey: func(ke *KeyEnv) []Finding {
		env, k := ke.Env, ke.Key
		var out []Finding
		out = append(out, unmanageableFinding(env, k))
		return out
	},
})

func unmanageableFinding(env *Env, k *access.Key) Finding {
	if k.Policy == nil {
		return unknownKeyPolicy(k)
	}
	ref := keyRef(k.Inv)
	who, conditional, unknown, err := inventoryCallers(env, withoutGrantGap(k), "kms:PutKeyPolicy")
	if err != nil {
		f := keyFinding(k, Unknown, true)
		f.Message = T(mUnmanageableError, ref, err.Error())
		f.Missing = []string{err.Error()}
		return f
	}
	if len(who) > 0 {
		f := keyFinding(k, Pass, true)
		f.Message = T(mUnmanageablePass, ref, joinLimited(who, 3))
		return f
	}
	var missing []string
	missing = append(missing, unknown...)
	if a := env.Snapshot.Account(k.Inv.Account); a != nil && a.IAMIncomplete != nil {
		missing = append(missing, "IAM data of account "+a.ID+": "+a.IAMIncomplete.Reason)
	}
	if k.Inv.Metadata == nil {
		missing = append(missing, "metadata of "+k.ARN+" (an AWS managed key would not be applicable)")
	}
	explanation := unmanageableExplanation(env, k)
	if len(missing) > 0 {
		f := keyFinding(k, Unknown, true)
		f.Message = T(mUnmanageableUnknown, ref)
		f.Missing = missing
		f.Explanation = explanation.lines
		return f
	}
	f := keyFinding(k, Fail, true)
	f.Message = T(mUnmanageableFail, ref)
	f.Explanation = explanation.lines
	if len(conditional) > 0 {
		f.Message = T(mUnmanageableConditional, ref, strings.Join(conditional, "; "))
		f.Remediation = conditionalManagerFix(env, k, conditional, &f)
		return f
	}
	f.Remediation = unmanageableAdvice(k, explanation)
	return f
}

// manageActions are what the statement that restores management gives
// the account: changing the key policy, and reading the key and its
// policy; none uses the key.
var manageActions = []string{"kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy"}

// conditionalManagerFix is the fix while someone can still change the key
// policy under conditions: meeting them once, it adds a statement that
// lets the account's root user (and the IAM policies of the account)
// change the key policy without conditions, so the key never depends on
// them again. The engine proves the key manageable afterwards, and that
// the only access gained is the management of the key by principals of
// its account.
func conditionalManagerFix(env *Env, k *access.Key, conditional []string, f *Finding) *Remediation {
	acct := k.Inv.Account
	plan := env.newPlan()
	doc := plan.KeyPolicy(k)
	sid := doc.UniqueSid("AllowAccountToManageKey")
	doc.Add(remedy.AccountStatement(sid, acct, manageActions))
	plan.SayKeyPolicy(k, T(mUnmanageableEdit, sid, acct))
	return prove(plan, fixID("key-unmanageable", k.ARN), T(mUnmanageableConditionalFix, strings.Join(conditional, "; "), sid, acct), []remedy.Intent{{
		Name: intentName("key-unmanageable", f),
		Gain: onKey(k, func(c *access.Change) bool {
			return changeAccount(c) == acct && containsString(manageActions, c.Action)
		}),
		Effective: func(w *remedy.World) bool {
			who, _, err := keyManagers(env, w.Key(k))
			return err == nil && len(who) > 0
		},
	}})
}

// lockout is why a key cannot be managed.
type lockout struct {
	lines []Text
	// scp is set when a service control policy is what stops the root
	// user; the key policy would let the account manage the key.
	scp string
}

func unmanageableExplanation(env *Env, k *access.Key) lockout {
	var lo lockout
	root := "arn:aws:iam::" + k.Inv.Account + ":root"
	if ans, err := env.Index.Can(access.Question{Principal: root, Action: "kms:PutKeyPolicy", Resource: k.ARN}); err == nil && len(ans.Steps) > 0 {
		r := ans.Steps[0].Result
		// The summary is the engine's, in English in both languages.
		lo.lines = append(lo.lines, T(mUnmanageableRoot, k.Inv.Account, r.Summary))
		if r.Layer == engine.LayerSCP {
			for _, reason := range r.Reasons {
				if reason.Layer == engine.LayerSCP {
					lo.scp = reason.Policy
					break
				}
			}
			if lo.scp == "" {
				lo.scp = "SCPs of account " + k.Inv.Account
			}
		}
	}
	// Principals the policy names for PutKeyPolicy and why they do not count.
	named := map[string]bool{}
	for _, s := range k.Policy.Statements {
		if s.Effect != policy.Allow || s.Principal == nil || !s.MatchAction("kms:PutKeyPolicy") {
			continue
		}
		for _, v := range s.Principal.AWS {
			named[v] = true
		}
	}
	for _, v := range sortedKeys(named) {
		switch acct := principalAccount(v); {
		case isAccountPrincipal(v, k.Inv.Account) || v == "*":
		case acct == "":
			lo.lines = append(lo.lines, T(mUnmanageableUniqueID, v))
		case acct != k.Inv.Account:
			lo.lines = append(lo.lines, T(mUnmanageableOtherAccount, v, acct))
		default:
			if _, err := env.Index.Principal(v); err != nil {
				lo.lines = append(lo.lines, T(mUnmanageableNotInInput, v))
			} else {
				lo.lines = append(lo.lines, T(mUnmanageableLimited, v))
			}
		}
	}
	if del, _, err := unconditionalCallers(env, withoutGrantGap(k), "kms:ScheduleKeyDeletion"); err == nil {
		if len(del) == 0 {
			lo.lines = append(lo.lines, T(mUnmanageableNoDeletion))
		} else {
			lo.lines = append(lo.lines, T(mUnmanageableDeletion, strings.Join(del, ", ")))
		}
	}
	return lo
}

// unmanageablePrevention is the SCP AWS documents for keeping principals
// from bypassing the lockout safety check.
const unmanageablePrevention = `resource "aws_organizations_policy" "deny_kms_lockout_bypass" {
  name = "deny-kms-lockout-bypass"
  type = "SERVICE_CONTROL_POLICY"
  content = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyKMSLockoutBypass"
      Effect    = "Deny"
      Action    = ["kms:CreateKey", "kms:PutKeyPolicy"]
      Resource  = "*"
      Condition = { Bool = { "kms:BypassPolicyLockoutSafetyCheck" = "true" } }
    }]
  })
}`

// unmanageableAdvice says honestly what can be done: when an SCP is what
// stops the root user, change the SCP; otherwise no command can fix the
// key, and only AWS Support can restore access. Neither is an edit
// keywarden can prove: the fix is advice, not verified.
func unmanageableAdvice(k *access.Key, lo lockout) *Remediation {
	id := fixID("key-unmanageable", k.ARN)
	prevent := T(mUnmanageablePrevent, k.Inv.Account)
	if lo.scp != "" {
		r := advice(id, T(mUnmanageableSCP, lo.scp, k.Inv.Account).Append(prevent),
			T(mUnmanageableSCPStep1), T(mUnmanageableSCPStep2, lo.scp))
		r.Terraform = unmanageablePrevention
		return r
	}
	r := advice(id, T(mUnmanageableSupport, k.Inv.Account, k.ARN).Append(prevent),
		T(mUnmanageableSupportStep1, k.Inv.Account), T(mUnmanageableSupportStep2, k.ARN))
	r.Terraform = unmanageablePrevention
	return r
}
