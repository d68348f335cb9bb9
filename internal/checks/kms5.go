package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/policy"
)

// KMS.5: KMS keys should not be publicly accessible.
var _ = register(&Check{
	ID:       "key-public",
	Severity: Critical,
	Control:  "KMS.5",
	Title: Text{
		EN: "KMS keys should not be publicly accessible",
		JA: "KMS キーをパブリックにアクセス可能にすべきではありません",
	},
	Description: Text{
		EN: "The key policy lets an arbitrary principal outside the account and its organization use or manage the key: a Principal \"*\" (or NotPrincipal) Allow whose conditions do not pin the caller. Decided by the engine for a stand-in outsider (another account, another organization, its own IAM policies, tags and request choices unknown): conditions on kms:CallerAccount, aws:PrincipalAccount, aws:PrincipalOrgID, aws:PrincipalArn with fixed accounts, aws:SourceIp and similar keys an outsider cannot choose make a statement non-public; kms:ViaService, encryption context or tag conditions alone do not. Deny statements and resource control policies are taken into account. A grant cannot name \"*\", so grants never make a key public. AWS managed keys are not checked.",
		JA: "キーポリシーが、アカウントとその組織の外にある任意のプリンシパルにキーの使用または管理を許可しています: 呼び出し元を限定する条件のない Principal \"*\" (または NotPrincipal) の Allow です。外部の代理の呼び出し元 (別アカウント、別組織で、その IAM ポリシー、タグ、リクエストの内容は不明) についてエンジンで判定します。kms:CallerAccount、aws:PrincipalAccount、aws:PrincipalOrgID、固定アカウントを指定した aws:PrincipalArn、aws:SourceIp など外部の者が選べないキーの条件があればパブリックではありません。kms:ViaService、暗号化コンテキスト、タグの条件だけではパブリックのままです。Deny ステートメントとリソースコントロールポリシーも考慮します。グラントは \"*\" を指定できないため、グラントによってキーがパブリックになることはありません。AWS 管理キーは対象外です。",
	},
	Risk: Text{
		EN: "Anyone with an AWS account can call the allowed operations on the key once their own IAM policies allow it, which they control: decrypt data encrypted under the key, encrypt data that your systems will trust, create grants or, for management actions, change and delete the key.",
		JA: "AWS アカウントを持つ誰もが、自分で管理できる自身の IAM ポリシーで許可するだけで、許可された操作をこのキーに対して実行できます: キーで暗号化されたデータの復号、自社のシステムが信頼するデータの暗号化、グラントの作成、管理操作であればキーの変更や削除です。",
	},
	References: []string{
		"https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-5",
		"https://docs.aws.amazon.com/config/latest/developerguide/kms-key-policy-no-public-access.html",
		"https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html",
		"https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account",
		"https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-resources.html#access-analyzer-kms-key",
	},
	RunKey: func(ke *KeyEnv) []Finding {
		env, k := ke.Env, ke.Key
		if k.Policy == nil {
			return []Finding{unknownKeyPolicy(k)}
		}
		var out []Finding
		x := publicExposure(env, k)
		for _, i := range x.statements() {
			out = append(out, publicFailure(env, k, x, i))
		}
		if !x.empty() {
			return out
		}
		if len(x.unknown) > 0 {
			f := keyFinding(k, Unknown, true)
			f.Principal = "*"
			f.Message = Text{
				EN: "whether key " + keyRef(k.Inv) + " is public could not be decided: " + strings.Join(sortedKeys(x.missing), "; "),
				JA: "キー " + keyRef(k.Inv) + " がパブリックかどうか判定できませんでした: " + strings.Join(sortedKeys(x.missing), "; "),
			}
			f.Missing = sortedKeys(x.missing)
			out = append(out, f)
			return out
		}
		f := keyFinding(k, Pass, true)
		f.Message = Text{
			EN: "the key policy of " + keyRef(k.Inv) + " does not let principals outside the account and organization use or manage the key",
			JA: "キー " + keyRef(k.Inv) + " のキーポリシーは、アカウントと組織の外のプリンシパルにキーの使用や管理を許可していません",
		}
		if w := wildcardStatements(k.Policy); len(w) > 0 {
			f.Message.EN += "; statement " + stmtList(w) + " names \"*\", but the engine denies an arbitrary outside caller (conditions, Deny statements or RCPs pin the callers)"
			f.Message.JA += "。ステートメント " + stmtList(w) + " は \"*\" を指定していますが、外部の任意の呼び出し元はエンジンの判定で拒否されます (条件、Deny ステートメント、RCP で呼び出し元が限定されています)"
		}
		out = append(out, f)
		return out
	},
})

// wildcardStatements are the Allow statements naming "*" or using
// NotPrincipal.
func wildcardStatements(d *policy.Document) []*policy.Statement {
	var out []*policy.Statement
	for _, s := range d.Statements {
		if s.Effect == policy.Allow && (s.NotPrincipal != nil || s.Principal != nil && s.Principal.Wildcard) {
			out = append(out, s)
		}
	}
	return out
}

// summarizeActions renders an action set for a message: at most six, the
// cryptographic ones first.
func summarizeActions(set map[string]bool) string {
	acts := sortedKeys(set)
	sort.SliceStable(acts, func(i, j int) bool { return isUseAction(acts[i]) && !isUseAction(acts[j]) })
	if len(acts) > 6 {
		return shortActions(acts[:6]) + fmt.Sprintf(" (+%d)", len(acts)-6)
	}
	return shortActions(acts)
}

func publicFailure(env *Env, k *access.Key, x *exposure, i int) Finding {
	s := k.Policy.Statements[i]
	f := keyFinding(k, Fail, true)
	f.Principal = "*"
	f.Statement = stmtRef(s)
	what := Text{EN: "use", JA: "使用"}
	var admin bool
	for a := range x.byStmt[i] {
		if !isUseAction(a) && a != "kms:DescribeKey" && a != "kms:GetPublicKey" {
			admin = true
		}
	}
	if admin {
		what = Text{EN: "use and manage", JA: "使用と管理"}
	}
	acts := summarizeActions(x.byStmt[i])
	f.Message = Text{
		EN: fmt.Sprintf("key policy statement %s lets any principal outside the account and organization %s key %s (%s)", stmtLabel(s), what.EN, keyRef(k.Inv), acts),
		JA: fmt.Sprintf("キーポリシーのステートメント %s により、アカウントと組織の外の任意のプリンシパルがキー %s を%sできます (%s)", stmtLabel(s), keyRef(k.Inv), what.JA, acts),
	}
	principal := "Principal " + s.Principal.String()
	if s.NotPrincipal != nil {
		principal = "NotPrincipal " + s.NotPrincipal.String()
	}
	allowed := strings.Join(sortedKeys(x.byStmt[i]), ", ")
	f.Explanation = append(f.Explanation,
		Text{EN: "statement " + stmtLabel(s) + ": " + principal, JA: "ステートメント " + stmtLabel(s) + ": " + principal},
		Text{
			EN: "allowed for an arbitrary principal of another account and organization: " + allowed,
			JA: "アカウントと組織の外の任意のプリンシパルに許可されるアクション: " + allowed,
		})
	if c := x.conds[i]; len(c) > 0 {
		conds := strings.Join(c, "; ")
		f.Explanation = append(f.Explanation, Text{
			EN: "under conditions the caller controls: " + conds,
			JA: "呼び出し元が自分で満たせる条件: " + conds,
		})
	}
	f.Explanation = append(f.Explanation, unreadCaveats(sortedKeys(x.unless))...)
	f.Remediation = publicRemediation(env, k, s, x)
	return f
}

// publicRemediation pins the statement to the key's account with
// kms:CallerAccount, and offers aws:PrincipalOrgID as an alternative when
// the organization is known. Each fix is re-checked by the engine: the
// statement no longer exposes the key, and the account can still manage it.
func publicRemediation(env *Env, k *access.Key, s *policy.Statement, before *exposure) *Remediation {
	acct := k.Inv.Account
	pin := func(key, value string, summary, change Text) *Remediation {
		p, err := decodeKeyPolicy(k.Policy.Raw)
		if err != nil || p.stmt(s.Index) == nil {
			return nil
		}
		addCondition(p.stmt(s.Index), "StringEquals", key, value)
		fixed, err := p.encode()
		if err != nil {
			return nil
		}
		r := keyPolicyFix(k, fixed, summary, change)
		if fk, err := parseFixed(k, fixed); err == nil {
			r.Verified = before.narrowedAt(publicExposure(env, fk), s.Index) && managedAfter(env, fk)
		}
		callerCheck(env, k, "kms:PutKeyPolicy", r)
		return r
	}
	r := pin("kms:CallerAccount", acct,
		Text{
			EN: fmt.Sprintf("Pin statement %s to the key's account: add the condition StringEquals kms:CallerAccount = %s, so only principals of account %s (still subject to the rest of the policy) match \"*\". Better still, replace \"*\" with the principals that need the key.", stmtLabel(s), acct, acct),
			JA: fmt.Sprintf("ステートメント %s をキーのアカウントに限定してください: 条件 StringEquals kms:CallerAccount = %s を追加すると、\"*\" に当てはまるのはアカウント %s のプリンシパルだけになります (ポリシーの他の部分は引き続き適用されます)。さらに望ましいのは、\"*\" をキーを必要とするプリンシパルに置き換えることです。", stmtLabel(s), acct, acct),
		},
		Text{
			EN: fmt.Sprintf("In statement %s, add to Condition: \"StringEquals\": {\"kms:CallerAccount\": \"%s\"}.", stmtLabel(s), acct),
			JA: fmt.Sprintf("ステートメント %s の Condition に \"StringEquals\": {\"kms:CallerAccount\": \"%s\"} を追加します。", stmtLabel(s), acct),
		})
	if r == nil {
		return &Remediation{Summary: Text{
			EN: "Add a condition on kms:CallerAccount or aws:PrincipalOrgID to statement " + stmtLabel(s) + ", or name the principals that need the key instead of \"*\".",
			JA: "ステートメント " + stmtLabel(s) + " に kms:CallerAccount または aws:PrincipalOrgID の条件を追加するか、\"*\" の代わりにキーを必要とするプリンシパルを指定してください。",
		}}
	}
	if a := env.Snapshot.Account(acct); a != nil && a.Organization != nil && a.Organization.ID != "" {
		org := a.Organization.ID
		alt := pin("aws:PrincipalOrgID", org,
			Text{
				EN: fmt.Sprintf("Or, if the whole organization should use the key, pin statement %s to it: add the condition StringEquals aws:PrincipalOrgID = %s.", stmtLabel(s), org),
				JA: fmt.Sprintf("または、組織全体でキーを使用する想定であれば、ステートメント %s を組織に限定してください: 条件 StringEquals aws:PrincipalOrgID = %s を追加します。", stmtLabel(s), org),
			},
			Text{
				EN: fmt.Sprintf("In statement %s, add to Condition: \"StringEquals\": {\"aws:PrincipalOrgID\": \"%s\"}.", stmtLabel(s), org),
				JA: fmt.Sprintf("ステートメント %s の Condition に \"StringEquals\": {\"aws:PrincipalOrgID\": \"%s\"} を追加します。", stmtLabel(s), org),
			})
		if alt != nil {
			r.Alternatives = append(r.Alternatives, *alt)
		}
	}
	return r
}
