package checks

import (
	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/parallel"
	"github.com/keywarden/keywarden/internal/policy"
)

// KMS.1: IAM customer managed policies should not allow decryption actions
// on all KMS keys.
var _ = register(&Check{
	ID:       "iam-customer-policy-decrypt-all-keys",
	Severity: Medium,
	Control:  "KMS.1",
	Title: Text{
		EN: "Customer managed IAM policies should not allow decryption with all KMS keys",
		JA: "カスタマー管理 IAM ポリシーはすべての KMS キーでの復号を許可すべきではありません",
	},
	Description: Text{
		EN: "The default version of a customer managed policy allows kms:Decrypt or kms:ReEncryptFrom on KMS keys that are not pinned to fixed key ARNs (\"*\", a wildcard key ARN, NotResource), through kms:*, a wildcard, \"*\" or NotAction. Conditions are ignored, as AWS Security Hub does; policies attached only as permissions boundaries are not checked.",
		JA: "カスタマー管理ポリシーのデフォルトバージョンが、固定のキー ARN に限定されていない KMS キー (\"*\"、ワイルドカードを含むキー ARN、NotResource) に対して kms:Decrypt または kms:ReEncryptFrom を (kms:*、ワイルドカード、\"*\"、NotAction によるものを含め) 許可しています。AWS Security Hub と同様に条件は考慮しません。アクセス許可の境界としてのみアタッチされたポリシーは対象外です。",
	},
	Risk: Text{
		EN: "Every key whose key policy delegates to the account (the default key policy does) becomes readable by the principals this policy is attached to, including keys created later and keys of other accounts that trust this account. Least privilege for KMS means naming the keys.",
		JA: "キーポリシーがアカウントに委任しているすべてのキー (デフォルトのキーポリシーはそうしています) が、このポリシーをアタッチしたプリンシパルから復号可能になります。後から作成されるキーや、このアカウントを信頼する他アカウントのキーも含まれます。KMS の最小権限とは、キーを名指しすることです。",
	},
	References: []string{
		"https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-1",
		"https://docs.aws.amazon.com/config/latest/developerguide/iam-customer-policy-blocked-kms-actions.html",
		"https://docs.aws.amazon.com/kms/latest/developerguide/iam-policies-best-practices.html",
	},
	Run: func(env *Env) []Finding {
		var ps []identityPolicy
		for _, p := range env.managedPolicies() {
			// Security Hub runs the rule with excludePermissionBoundaryPolicy.
			if p.Managed.AWSManaged || (p.Managed.UsedAsBoundary() && len(p.Attached) == 0) {
				continue
			}
			ps = append(ps, p)
		}
		return decryptFindings(env, ps, "iam-customer-policy-decrypt-all-keys")
	},
})

// KMS.2: IAM principals should not have inline policies that allow
// decryption actions on all KMS keys.
var _ = register(&Check{
	ID:       "iam-inline-policy-decrypt-all-keys",
	Severity: Medium,
	Control:  "KMS.2",
	Title: Text{
		EN: "Inline IAM policies should not allow decryption with all KMS keys",
		JA: "インライン IAM ポリシーはすべての KMS キーでの復号を許可すべきではありません",
	},
	Description: Text{
		EN: "An inline policy of a user, group or role allows kms:Decrypt or kms:ReEncryptFrom on KMS keys that are not pinned to fixed key ARNs, decided as for KMS.1 (conditions ignored).",
		JA: "ユーザー、グループ、ロールのインラインポリシーが、固定のキー ARN に限定されていない KMS キーに対して kms:Decrypt または kms:ReEncryptFrom を許可しています (KMS.1 と同じ判定で、条件は考慮しません)。",
	},
	Risk: Text{
		EN: "The principal can decrypt with every key whose key policy delegates to its account, now and in the future; inline policies are also easy to overlook in reviews.",
		JA: "プリンシパルは、キーポリシーがアカウントに委任しているすべてのキーで、現在も将来も復号できます。インラインポリシーはレビューで見落とされがちです。",
	},
	References: []string{
		"https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-2",
		"https://docs.aws.amazon.com/config/latest/developerguide/iam-inline-policy-blocked-kms-actions.html",
		"https://docs.aws.amazon.com/kms/latest/developerguide/iam-policies-best-practices.html",
	},
	Run: func(env *Env) []Finding {
		return decryptFindings(env, env.inlinePolicies(), "iam-inline-policy-decrypt-all-keys")
	},
})

// iam-policy-kms-full-access: an IAM policy that allows every KMS action on
// all keys.
var _ = register(&Check{
	ID:       "iam-policy-kms-full-access",
	Severity: High,
	Title: Text{
		EN: "IAM policies should not allow every KMS action on all keys",
		JA: "IAM ポリシーはすべてのキーに対するすべての KMS アクションを許可すべきではありません",
	},
	Description: Text{
		EN: "A customer managed policy, an attached AWS managed policy or an inline policy allows every KMS action (kms:*, \"*\", or NotAction that leaves KMS in) on keys not pinned to fixed ARNs. Whoever has it can change key policies, schedule keys for deletion and create grants on every key that delegates to the account.",
		JA: "カスタマー管理ポリシー、アタッチされた AWS 管理ポリシー、またはインラインポリシーが、固定の ARN に限定されていないキーに対してすべての KMS アクション (kms:*、\"*\"、KMS を除外しない NotAction) を許可しています。これを持つ者は、アカウントに委任しているすべてのキーについて、キーポリシーの変更、削除のスケジュール、グラントの作成ができます。",
	},
	Risk: Text{
		EN: "Full KMS access is key administration and key use at once: a principal holding it can lock others out of a key, destroy it, or grant itself and anyone else decryption.",
		JA: "KMS のフルアクセスは、キーの管理と使用の両方を意味します。これを持つプリンシパルは、他者をキーから締め出したり、キーを破棄したり、自分や他者に復号を許可したりできます。",
	},
	References: []string{
		"https://docs.aws.amazon.com/kms/latest/developerguide/iam-policies-best-practices.html",
		"https://docs.aws.amazon.com/kms/latest/developerguide/control-access.html",
	},
	Run: func(env *Env) []Finding {
		var ps []identityPolicy
		for _, p := range env.managedPolicies() {
			if p.Managed.AWSManaged && len(p.Attached) == 0 {
				continue
			}
			ps = append(ps, p)
		}
		ps = append(ps, env.inlinePolicies()...)
		out := make([]Finding, len(ps))
		parallel.For(len(ps), func(i int) {
			p := &ps[i]
			if p.Err != nil {
				out[i] = unknownPolicy(p)
				return
			}
			gs := fullAccessGrants(p.Doc)
			if len(gs) == 0 {
				out[i] = Finding{Status: Pass, Resource: p.Resource(), Account: p.Account, Principal: principalOf(p), Policy: p.Label, Source: p.Source,
					Message: T(mFullAccessPass, p.Title)}
				return
			}
			g := gs[0]
			f := Finding{Status: Fail, Resource: p.Resource(), Account: p.Account, Principal: principalOf(p), Policy: p.Label,
				Statement: stmtRef(g.Stmt), Source: p.Source,
				Message: T(mFullAccessFail, p.Title, stmtLabel(g.Stmt), g.Resources)}
			if len(p.Attached) > 0 {
				f.Explanation = append(f.Explanation, attachedTo(p.Attached))
			}
			for _, o := range gs[1:] {
				f.Explanation = append(f.Explanation, T(mFullAccessAlso, stmtLabel(o.Stmt), o.Resources))
			}
			f.Remediation = pinFix(env, p, gs, []Finding{f}, "iam-policy-kms-full-access", keyActionList())
			out[i] = f
		})
		return out
	},
})

// fullAccessGrants are the statements of a policy that allow every KMS
// action on keys not pinned to fixed ARNs.
func fullAccessGrants(d *policy.Document) []broadGrant {
	all := kmsActionNames()
	var out []broadGrant
	for _, g := range broadKMSGrants(d, all) {
		if len(g.Actions) == len(all) {
			out = append(out, g)
		}
	}
	return out
}

// keyActionList lists the KMS actions that act on a key.
func keyActionList() []string {
	var out []string
	for _, a := range awsfacts.KMSActions {
		if a.Resource == awsfacts.KeyResource {
			out = append(out, "kms:"+a.Name)
		}
	}
	return out
}
