package checks

import (
	"encoding/json"
	"fmt"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/policy"
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
		w := ke.w
		subjects := directAccess(w, k, useActions(k.Inv))
		for _, sa := range subjectsSorted(subjects) {
			out = append(out, directAccessFinding(env, k, sa))
		}
		if len(subjects) == 0 {
			f := keyFinding(k, Pass, true)
			f.Message = Text{
				EN: "no principal can use key " + keyRef(k.Inv) + " through the key policy alone: every use needs an IAM policy or a grant",
				JA: "キーポリシーだけでキー " + keyRef(k.Inv) + " を使用できるプリンシパルはありません: 使用には IAM ポリシーまたはグラントが必要です",
			}
			out = append(out, f)
		}
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
		f.Message = Text{
			EN: fmt.Sprintf("key policy statement %s lets principals use key %s through the key policy alone (%s), whatever their IAM policies say", stmtList(stmts), ref, list),
			JA: fmt.Sprintf("キーポリシーのステートメント %s により、プリンシパルは IAM ポリシーにかかわらずキーポリシーだけでキー %s を使用できます (%s)", stmtList(stmts), ref, list),
		}
		reached := joinLimited(sortedKeys(sa.reached), 5)
		f.Explanation = append(f.Explanation, Text{
			EN: fmt.Sprintf("principals of the input it reaches (%d): %s", len(sa.reached), reached),
			JA: fmt.Sprintf("対象になる入力中のプリンシパル (%d 件): %s", len(sa.reached), reached),
		})
	default:
		f.Message = Text{
			EN: fmt.Sprintf("%s can use key %s through the key policy alone (%s): IAM policies do not show this access", sa.subject, ref, list),
			JA: fmt.Sprintf("%s はキーポリシーだけでキー %s を使用できます (%s): この権限は IAM ポリシーには現れません", sa.subject, ref, list),
		}
		if sa.kind == access.KindNamed {
			f.Explanation = append(f.Explanation, Text{
				EN: sa.subject + " is not in the input: it was deleted, or its account's IAM data was not read",
				JA: sa.subject + " は入力にありません: 削除されたか、そのアカウントの IAM データが取得されていません",
			})
		}
	}
	f.Explanation = append(f.Explanation, Text{
		EN: "named in key policy statement " + stmtList(stmts),
		JA: "キーポリシーのステートメント " + stmtList(stmts) + " で指定されています",
	})
	if len(sa.conds) > 0 {
		f.Explanation = append(f.Explanation, underConditions(sortedKeys(sa.conds)))
	}
	if status == Unknown {
		f.Missing = sortedKeys(sa.missing)
		return f
	}
	f.Remediation = directAccessRemediation(env, k, sa, stmts)
	return f
}

// directAccessRemediation moves the subject's use of the key from the key
// policy to IAM: the key policy loses the subject's cryptographic actions
// (keeping everything else it had), delegates them to the account if it
// did not, and the subject gets an inline IAM policy naming the key. The
// engine re-checks the fixed key policy: the subject no longer has direct
// use, the account delegates the actions, and the key stays manageable.
func directAccessRemediation(env *Env, k *access.Key, sa *subjectAccess, stmts []*policy.Statement) *Remediation {
	p, err := decodeKeyPolicy(k.Policy.Raw)
	if err != nil {
		return nil
	}
	var conds []any
	unconditional := false
	for _, s := range stmts {
		dropForSubject(p, s, sa.subject, isUseAction, "WithoutUse")
		if st := rawStatement(k.Policy.Raw, s.Index); st != nil {
			if c, ok := st[elementKey(st, "Condition")]; ok {
				conds = append(conds, c)
			} else {
				unconditional = true
			}
		}
	}
	if unconditional {
		// One statement allowed without conditions: so does the IAM policy.
		conds = nil
	}
	acts := sortedKeys(sa.actions)
	fixed, err := p.encode()
	if err != nil {
		return nil
	}
	addedDelegation := false
	if fk, err := parseFixed(k, fixed); err == nil && !delegatesAll(env, fk, acts) {
		p.add(accountStatement(p.uniqueSid("Enable IAM User Permissions"), k.Inv.Account))
		if fixed, err = p.encode(); err != nil {
			return nil
		}
		addedDelegation = true
	}
	who := principalLabel(sa.subject)
	summary := Text{
		EN: fmt.Sprintf("Move %s's use of the key into IAM, where reviews see it: take %s out of key policy statement %s for %s (its other permissions stay)", who, shortActions(acts), stmtList(stmts), who),
		JA: fmt.Sprintf("%s によるキーの使用を、レビューで見える IAM に移してください: キーポリシーのステートメント %s から %s の %s を外し (他の権限はそのまま残ります)", who, stmtList(stmts), who, shortActions(acts)),
	}
	if sa.subject == anyone {
		summary = Text{
			EN: fmt.Sprintf("Stop key policy statement %s from giving every principal direct use of the key: take %s out of it (its other permissions stay)", stmtList(stmts), shortActions(acts)),
			JA: fmt.Sprintf("キーポリシーのステートメント %s がすべてのプリンシパルにキーの直接の使用を許可しないようにしてください: ステートメントから %s を外し (他の権限はそのまま残ります)", stmtList(stmts), shortActions(acts)),
		}
	}
	if addedDelegation {
		summary.EN += ", add the account statement so that IAM policies can grant them"
		summary.JA += "、IAM ポリシーで許可できるようにアカウントのステートメントを追加し"
	}
	change := Text{
		EN: fmt.Sprintf("Replace the policy with the one in the AWS CLI command: statement %s no longer gives %s to %s.", stmtList(stmts), shortActions(acts), who),
		JA: fmt.Sprintf("ポリシーを AWS CLI コマンド内のものに置き換えます: ステートメント %s は %s に %s を与えなくなります。", stmtList(stmts), who, shortActions(acts)),
	}
	kind, name, isIAM := iamOwner(sa.subject)
	_, notFound := env.Index.Principal(sa.subject)
	var r *Remediation
	switch {
	case sa.subject != anyone && isIAM && notFound == nil:
		idDoc := iamUsePolicy(k.ARN, acts, conds)
		polName := "kms-use-" + k.Inv.ID
		summary.EN += fmt.Sprintf(", and give the %s %s an inline IAM policy (%s) allowing them on this key. Apply the IAM policy first, so the principal never loses access.", kind, name, polName)
		summary.JA += fmt.Sprintf("、%s %s にこのキーでそれらを許可するインラインの IAM ポリシー (%s) を付与してください。プリンシパルがアクセスを失わないよう、IAM ポリシーを先に適用します。", kindJA(kind), name, polName)
		r = keyPolicyFix(k, fixed, summary, change)
		r.CLI = fmt.Sprintf("aws iam put-%s-policy --%s-name %s --policy-name %s --policy-document %s\n\n%s",
			kind, kind, shellQuote(name), polName, shellQuote(string(idDoc)), r.CLI)
		r.Terraform = fmt.Sprintf("resource \"aws_iam_%s_policy\" %q {\n  %s   = %q\n  name   = %q\n  policy = <<-EOT\n%s\n  EOT\n}\n\n%s",
			kind, tfName(polName), kind, name, polName, indent(string(idDoc), "    "), r.Terraform)
		r.Console = append([]Text{{
			EN: fmt.Sprintf("In the IAM console, open the %s %s, choose Add permissions, Create inline policy, JSON, paste the IAM policy from the AWS CLI command, and name it %s.", kind, name, polName),
			JA: fmt.Sprintf("IAM コンソールで%s %s を開き、「許可を追加」→「インラインポリシーを作成」→「JSON」で AWS CLI コマンド内の IAM ポリシーを貼り付け、名前を %s にします。", kindJA(kind), name, polName),
		}}, r.Console...)
	case sa.subject == anyone:
		summary.EN += ". Then give the principals that need the key an IAM policy naming it; today the statement reaches " + fmt.Sprint(len(sa.reached)) + " principals of the input."
		summary.JA += "、キーを必要とするプリンシパルにはキーを指定した IAM ポリシーを付与してください。現在このステートメントは入力データ中の " + fmt.Sprint(len(sa.reached)) + " 個のプリンシパルに及んでいます。"
		r = keyPolicyFix(k, fixed, summary, change)
	default:
		summary.EN += ". " + sa.subject + " is not in the input (deleted, or in an account not read): if it no longer exists, removing it is all there is to do."
		summary.JA += "。" + sa.subject + " は入力データにありません (削除済み、または読み込んでいないアカウント)。既に存在しないなら、削除するだけで済みます。"
		r = keyPolicyFix(k, fixed, summary, change)
	}
	if fk, err := parseFixed(k, fixed); err == nil {
		after := directAccess(newWhoCanMemo(env), fk, useActions(k.Inv))
		_, still := after[sa.subject]
		r.Verified = !still && delegatesAll(env, fk, acts) && managedAfter(env, fk)
	}
	callerCheck(env, k, "kms:PutKeyPolicy", r)
	return r
}

func kindJA(kind string) string {
	if kind == "user" {
		return "ユーザー"
	}
	return "ロール"
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

// rawStatement returns statement i of a policy as JSON.
func rawStatement(raw []byte, i int) map[string]any {
	p, err := decodeKeyPolicy(raw)
	if err != nil {
		return nil
	}
	return p.stmt(i)
}

// iamUsePolicy is an identity policy allowing the actions on one key,
// under the conditions the key policy had (when there was exactly one
// condition block; several alternatives become one statement each).
func iamUsePolicy(keyARN string, actions []string, conds []any) []byte {
	stmt := func(sid string, c any) map[string]any {
		s := map[string]any{"Sid": sid, "Effect": "Allow", "Action": anyList(actions), "Resource": keyARN}
		if c != nil {
			s["Condition"] = c
		}
		return s
	}
	var stmts []any
	if len(conds) == 0 {
		stmts = append(stmts, stmt("UseKey", nil))
	}
	for i, c := range conds {
		sid := "UseKey"
		if i > 0 {
			sid = fmt.Sprintf("UseKey%d", i+1)
		}
		stmts = append(stmts, stmt(sid, c))
	}
	b, _ := json.MarshalIndent(map[string]any{"Version": "2012-10-17", "Statement": stmts}, "", "  ")
	return b
}
