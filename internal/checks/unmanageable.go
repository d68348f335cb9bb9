package checks

import (
	"fmt"
	"strings"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/policy"
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
		f.Message = Text{EN: "key " + ref + " could not be checked: " + err.Error(), JA: "キー " + ref + " を確認できませんでした: " + err.Error()}
		f.Missing = []string{err.Error()}
		return f
	}
	if len(who) > 0 {
		f := keyFinding(k, Pass, true)
		f.Message = Text{
			EN: "the key policy of " + ref + " can be changed: " + joinLimited(who, 3) + " may call kms:PutKeyPolicy",
			JA: "キー " + ref + " のキーポリシーは変更可能です: " + joinLimited(who, 3) + " が kms:PutKeyPolicy を呼び出せます",
		}
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
		f.Message = Text{
			EN: "no principal of the input may change the key policy of " + ref + ", but data that could change the answer is missing",
			JA: "入力データ中に、キー " + ref + " のキーポリシーを変更できるプリンシパルはいませんが、判定を変えうるデータが欠けています",
		}
		f.Missing = missing
		f.Explanation = explanation.lines
		return f
	}
	f := keyFinding(k, Fail, true)
	f.Message = Text{
		EN: "nobody can change the key policy of " + ref + ": no existing principal may call kms:PutKeyPolicy without conditions",
		JA: "キー " + ref + " のキーポリシーは誰も変更できません: 条件なしで kms:PutKeyPolicy を呼び出せる既存のプリンシパルがいません",
	}
	f.Explanation = explanation.lines
	if len(conditional) > 0 {
		f.Message = Text{
			EN: "the key policy of " + ref + " can be changed only under conditions: " + strings.Join(conditional, "; "),
			JA: "キー " + ref + " のキーポリシーは条件付きでしか変更できません: " + strings.Join(conditional, "; "),
		}
		f.Remediation = conditionalManagerRemediation(env, k, conditional)
		return f
	}
	f.Remediation = unmanageableRemediation(k, explanation)
	return f
}

// conditionalManagerRemediation is the fix while someone can still change
// the key policy under conditions: meet them once and add the account
// statement, so the key never depends on them again. The engine re-checks
// the fixed policy: the root user can then manage the key unconditionally.
func conditionalManagerRemediation(env *Env, k *access.Key, conditional []string) *Remediation {
	p, err := decodeKeyPolicy(k.Policy.Raw)
	if err != nil {
		return nil
	}
	sid := p.uniqueSid("Enable IAM User Permissions")
	p.add(accountStatement(sid, k.Inv.Account))
	fixed, err := p.encode()
	if err != nil {
		return nil
	}
	r := keyPolicyFix(k, fixed,
		Text{
			EN: "Only " + strings.Join(conditional, "; ") + " may change the key policy. While that still works, have it add the account statement (\"" + sid + "\": Principal arn:aws:iam::" + k.Inv.Account + ":root, Action kms:*), so that the account's root user can always manage the key. If the conditions can no longer be met, only AWS Support can restore access.",
			JA: "キーポリシーを変更できるのは " + strings.Join(conditional, "; ") + " だけです。それが可能なうちに、アカウントのステートメント (\"" + sid + "\": Principal arn:aws:iam::" + k.Inv.Account + ":root、Action kms:*) を追加させ、アカウントのルートユーザーが常にキーを管理できるようにしてください。条件を満たせなくなった場合、アクセスを回復できるのは AWS サポートだけです。",
		},
		Text{
			EN: "As that principal, meeting the conditions, add the statement {\"Sid\": \"" + sid + "\", \"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::" + k.Inv.Account + ":root\"}, \"Action\": \"kms:*\", \"Resource\": \"*\"}.",
			JA: "そのプリンシパルで条件を満たしたうえで、ステートメント {\"Sid\": \"" + sid + "\", \"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::" + k.Inv.Account + ":root\"}, \"Action\": \"kms:*\", \"Resource\": \"*\"} を追加します。",
		})
	if fk, err := parseFixed(k, fixed); err == nil {
		r.Verified = managedAfter(env, fk)
	}
	return r
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
		lo.lines = append(lo.lines, Text{
			EN: "the root user of account " + k.Inv.Account + ": " + r.Summary,
			JA: "アカウント " + k.Inv.Account + " のルートユーザー: " + r.Summary,
		})
		if r.Layer == engine.LayerSCP {
			for _, reason := range r.Reasons {
				if reason.Layer == engine.LayerSCP {
					lo.scp = reason.Policy
					break
				}
			}
			if lo.scp == "" {
				lo.scp = "the service control policies of account " + k.Inv.Account
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
			lo.lines = append(lo.lines, Text{
				EN: v + " is named for kms:PutKeyPolicy but is not a principal ARN: a principal deleted after the policy was written shows as its unique ID, and a new principal with the same name does not match it",
				JA: v + " は kms:PutKeyPolicy に指定されていますが、プリンシパルの ARN ではありません: ポリシーの作成後に削除されたプリンシパルは一意の ID で表示され、同じ名前のプリンシパルを新たに作成しても一致しません",
			})
		case acct != k.Inv.Account:
			lo.lines = append(lo.lines, Text{
				EN: v + " is named for kms:PutKeyPolicy but belongs to account " + acct + ": PutKeyPolicy cannot be called across accounts",
				JA: v + " は kms:PutKeyPolicy に指定されていますが、アカウント " + acct + " に属しています: PutKeyPolicy はアカウントをまたいで呼び出せません",
			})
		default:
			if _, err := env.Index.Principal(v); err != nil {
				lo.lines = append(lo.lines, Text{
					EN: v + " is named for kms:PutKeyPolicy but is not in the input: it was deleted, or was not read",
					JA: v + " は kms:PutKeyPolicy に指定されていますが、入力にありません: 削除されたか、取得されていません",
				})
			} else {
				lo.lines = append(lo.lines, Text{
					EN: v + " is named for kms:PutKeyPolicy but may not call it without conditions (a Deny, a condition, a permissions boundary or an SCP)",
					JA: v + " は kms:PutKeyPolicy に指定されていますが、条件なしでは呼び出せません (Deny、条件、アクセス許可の境界または SCP による制限)",
				})
			}
		}
	}
	if del, _, err := unconditionalCallers(env, withoutGrantGap(k), "kms:ScheduleKeyDeletion"); err == nil {
		if len(del) == 0 {
			lo.lines = append(lo.lines, Text{
				EN: "nobody may schedule the key's deletion either",
				JA: "キーの削除をスケジュールできるプリンシパルもいません",
			})
		} else {
			who := strings.Join(del, ", ")
			lo.lines = append(lo.lines, Text{
				EN: "may still schedule the key's deletion: " + who,
				JA: "キーの削除をスケジュールできるプリンシパルは残っています: " + who,
			})
		}
	}
	return lo
}

// unmanageablePrevention is the SCP AWS documents for keeping principals
// from bypassing the lockout safety check.
const unmanageablePrevention = `# Prevention for the other keys: an SCP that forbids bypassing the key policy
# lockout safety check (attach it to the organization root or the OUs).
resource "aws_organizations_policy" "deny_kms_lockout_bypass" {
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

// unmanageableRemediation says honestly what can be done: when an SCP is
// what stops the root user, change the SCP; otherwise no command can fix
// the key, and only AWS Support can restore access.
func unmanageableRemediation(k *access.Key, lo lockout) *Remediation {
	prevent := Text{
		EN: " To keep other keys manageable, keep the account statement (\"Principal\": {\"AWS\": \"arn:aws:iam::" + k.Inv.Account + ":root\"}, \"Action\": \"kms:*\") in every key policy, never set BypassPolicyLockoutSafetyCheck, and deny it with an SCP (the Terraform snippet).",
		JA: "他のキーを管理可能に保つため、すべてのキーポリシーにアカウントのステートメント (\"Principal\": {\"AWS\": \"arn:aws:iam::" + k.Inv.Account + ":root\"}, \"Action\": \"kms:*\") を残し、BypassPolicyLockoutSafetyCheck を使わず、SCP で禁止してください (Terraform のスニペット)。",
	}
	if lo.scp != "" {
		return &Remediation{
			Summary: Text{
				EN: "A service control policy (" + lo.scp + ") keeps every principal of account " + k.Inv.Account + ", the root user included, from calling kms:PutKeyPolicy on this key. Change that SCP from the organization's management account so that an administrator of the key (or the root user) is no longer denied." + prevent.EN,
				JA: "サービスコントロールポリシー (" + lo.scp + ") により、ルートユーザーを含むアカウント " + k.Inv.Account + " のすべてのプリンシパルがこのキーに kms:PutKeyPolicy を呼び出せません。組織の管理アカウントからその SCP を変更し、キーの管理者 (またはルートユーザー) が拒否されないようにしてください。" + prevent.JA,
			},
			Console: []Text{
				{EN: "Sign in to the organization's management account and open the AWS Organizations console, Policies, Service control policies.", JA: "組織の管理アカウントにサインインし、AWS Organizations コンソールの「ポリシー」→「サービスコントロールポリシー」を開きます。"},
				{EN: "Open " + lo.scp + " and change the statement that denies kms:PutKeyPolicy so that it exempts the key's administrators.", JA: lo.scp + " を開き、kms:PutKeyPolicy を拒否しているステートメントを、キーの管理者を除外するように変更します。"},
			},
			Terraform: unmanageablePrevention,
		}
	}
	return &Remediation{
		Summary: Text{
			EN: "No command can fix this key: nobody may call PutKeyPolicy, and a deleted principal cannot be brought back by creating a new one with the same name. Only AWS Support can restore access: open a case from account " + k.Inv.Account + " naming the key " + k.ARN + "." + prevent.EN,
			JA: "このキーを修正できるコマンドはありません: 誰も PutKeyPolicy を呼び出せず、削除されたプリンシパルは同名のプリンシパルを作り直しても元に戻りません。アクセスを回復できるのは AWS サポートだけです。アカウント " + k.Inv.Account + " からキー " + k.ARN + " を明記してサポートケースを作成してください。" + prevent.JA,
		},
		Console: []Text{
			{EN: "Sign in to account " + k.Inv.Account + " and open the AWS Support Center; choose Create case.", JA: "アカウント " + k.Inv.Account + " にサインインして AWS サポートセンターを開き、「ケースを作成」を選びます。"},
			{EN: fmt.Sprintf("Describe that the key policy of %s no longer lets any principal manage the key, and ask to restore the account's access to it.", k.ARN), JA: fmt.Sprintf("%s のキーポリシーでどのプリンシパルもキーを管理できなくなったことを説明し、アカウントのアクセスの回復を依頼します。", k.ARN)},
		},
		Terraform: unmanageablePrevention,
	}
}
