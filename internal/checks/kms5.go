package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/msg"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/remedy"
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
			out = append(out, publicFailure(k, x, i))
		}
		if !x.empty() {
			shareFix(out, 0, publicFix(env, k, x, out))
			return out
		}
		if len(x.unknown) > 0 {
			f := keyFinding(k, Unknown, true)
			f.Principal = "*"
			f.Message = T(mPublicUnknown, keyRef(k.Inv), strings.Join(sortedKeys(x.missing), "; "))
			f.Missing = sortedKeys(x.missing)
			out = append(out, f)
			return out
		}
		f := keyFinding(k, Pass, true)
		f.Message = T(mPublicPass, keyRef(k.Inv))
		if w := wildcardStatements(k.Policy); len(w) > 0 {
			f.Message = T(mPublicPassWildcard, keyRef(k.Inv), stmtList(w))
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

func publicFailure(k *access.Key, x *exposure, i int) Finding {
	s := k.Policy.Statements[i]
	f := keyFinding(k, Fail, true)
	f.Principal = "*"
	f.Statement = stmtRef(s)
	what := T(mPublicUse)
	for a := range x.byStmt[i] {
		if !isUseAction(a) && a != "kms:DescribeKey" && a != "kms:GetPublicKey" {
			what = T(mPublicUseManage)
		}
	}
	f.Message = T(mPublicFail, stmtLabel(s), what, keyRef(k.Inv), summarizeActions(x.byStmt[i]))
	principal := "Principal " + s.Principal.String()
	if s.NotPrincipal != nil {
		principal = "NotPrincipal " + s.NotPrincipal.String()
	}
	f.Explanation = append(f.Explanation,
		T(mStatementPrincipal, stmtLabel(s), principal),
		T(mPublicAllowed, strings.Join(sortedKeys(x.byStmt[i]), ", ")))
	if c := x.conds[i]; len(c) > 0 {
		f.Explanation = append(f.Explanation, T(mPublicConditions, strings.Join(c, "; ")))
	}
	f.Explanation = append(f.Explanation, unreadCaveats(sortedKeys(x.unless))...)
	return f
}

// publicFix pins every exposing statement of the key policy to the
// organization (aws:PrincipalOrgID) when the input knows it, or to the
// key's account (kms:CallerAccount); the other pin is the alternative. The
// engine proves each: principals outside the account and organization
// lose their access through those statements, and nobody else's access
// changes (pinning to the account also takes it from the organization's
// other accounts, which the proof then says).
func publicFix(env *Env, k *access.Key, x *exposure, fs []Finding) *Remediation {
	acct := k.Inv.Account
	org := orgOfKey(env, k)
	outside := func(c *access.Change) bool {
		switch c.Kind {
		case access.KindAnyone:
			return true
		case access.KindOrg:
			return c.Symbol == nil || org.id == "" || c.Symbol.OrgID != org.id
		}
		a := changeAccount(c)
		return a != "" && a != acct && !org.contains(env, a)
	}
	stmts := x.statements()
	var labels []string
	for _, i := range stmts {
		labels = append(labels, stmtLabel(k.Policy.Statements[i]))
	}
	pin := func(key, value string, summary Text) *Remediation {
		plan := env.newPlan()
		doc := plan.KeyPolicy(k)
		for _, i := range stmts {
			for _, st := range doc.From(i) {
				if !st.AddCondition("StringEquals", key, value) {
					doc.Remove(st)
				}
			}
		}
		plan.SayKeyPolicy(k, T(mPublicPinEdit, msg.List(labels), key, value))
		var intents []remedy.Intent
		for j := range fs {
			intents = append(intents, remedy.Intent{
				Name: intentName("key-public", &fs[j]),
				Lose: onKey(k, outside),
				Effective: func(w *remedy.World) bool {
					after := publicExposure(env, w.Key(k))
					return after.empty() && len(after.unknown) <= len(x.unknown)
				},
			})
		}
		return prove(plan, fixID("key-public", k.ARN+"#"+key), summary, intents)
	}
	var fixes []*Remediation
	if org.id != "" {
		fixes = append(fixes, pin("aws:PrincipalOrgID", org.id, T(mPublicPinOrg, msg.List(labels), org.id)))
	}
	fixes = append(fixes, pin("kms:CallerAccount", acct, T(mPublicPinAccount, msg.List(labels), acct)))
	main := 0
	for i, f := range fixes {
		if f.Verified {
			main = i
			break
		}
	}
	r := fixes[main]
	for i, f := range fixes {
		if i != main {
			r.Alternatives = append(r.Alternatives, *f)
		}
	}
	return r
}
