package checks

import (
	"fmt"
	"strings"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/policy"
)

// key-policy-wildcard-admin: a key-policy statement that gives every KMS
// action to a principal other than the account itself.
var _ = register(&Check{
	ID:       "key-policy-wildcard-admin",
	Severity: High,
	Title: Text{
		EN: "Key policies should not give every KMS action (kms:*) to principals other than the account",
		JA: "キーポリシーでアカウント以外のプリンシパルにすべての KMS アクション (kms:*) を与えるべきではありません",
	},
	Description: Text{
		EN: "A key-policy Allow statement gives every KMS action on the key — through kms:*, \"*\", or a NotAction that leaves KMS actions in — to a principal other than the key's own account: a user, a role, another account, a service principal, or \"*\" (NotPrincipal included). The account principal (arn:aws:iam::ACCOUNT:root) with kms:* is the default key policy's delegation to IAM and is fine. AWS managed keys are not checked.",
		JA: "キーポリシーの Allow ステートメントが、キーに対するすべての KMS アクションを (kms:*、\"*\"、KMS アクションを除外しない NotAction によって)、キー自身のアカウント以外のプリンシパル (ユーザー、ロール、別アカウント、サービスプリンシパル、\"*\" や NotPrincipal) に与えています。アカウントのプリンシパル (arn:aws:iam::ACCOUNT:root) に対する kms:* は、デフォルトのキーポリシーによる IAM への委任であり問題ありません。AWS 管理キーは対象外です。",
	},
	Risk: Text{
		EN: "The principal can both use the key and administer it without any IAM policy: change the key policy (and lock everyone else out), schedule the key for deletion, disable it, and create grants for anyone. kms:* also covers actions AWS adds later.",
		JA: "このプリンシパルは IAM ポリシーなしでキーの使用も管理もできます: キーポリシーの変更 (他の全員の締め出しを含む)、キーの削除のスケジュール、無効化、誰に対するグラントの作成も可能です。kms:* は AWS が今後追加するアクションも含みます。",
	},
	References: []string{
		"https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html",
		"https://docs.aws.amazon.com/kms/latest/developerguide/iam-policies-best-practices.html",
		"https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html",
	},
	RunKey: func(ke *KeyEnv) []Finding {
		env, k := ke.Env, ke.Key
		if k.Policy == nil {
			return []Finding{unknownKeyPolicy(k)}
		}
		var out []Finding
		hits := wildcardAdmins(k.Policy, k.Inv.Account)
		for _, h := range hits {
			out = append(out, wildcardAdminFinding(env, k, h))
		}
		if len(hits) == 0 {
			f := keyFinding(k, Pass, true)
			f.Message = Text{
				EN: "no statement of the key policy of " + keyRef(k.Inv) + " gives every KMS action to a principal other than the account",
				JA: "キー " + keyRef(k.Inv) + " のキーポリシーに、アカウント以外のプリンシパルにすべての KMS アクションを与えるステートメントはありません",
			}
			out = append(out, f)
		}
		return out
	},
})

// wildcardAdmin is one principal that a statement gives every KMS action.
type wildcardAdmin struct {
	stmt      *policy.Statement
	principal string // an ARN, an account ID, a service principal, or "*"
	service   bool
}

// allKMSActions reports whether a statement allows every KMS action on a
// key (kms:*, "*", kms:*-like wildcards, NotAction leaving KMS in).
func allKMSActions(s *policy.Statement) bool {
	for _, a := range kmsActionNames() {
		if !s.MatchAction(a) {
			return false
		}
	}
	return true
}

// wildcardAdmins finds the Allow statements giving every KMS action to
// principals other than the account.
func wildcardAdmins(d *policy.Document, acct string) []wildcardAdmin {
	var out []wildcardAdmin
	for _, s := range d.Statements {
		if s.Effect != policy.Allow || !allKMSActions(s) {
			continue
		}
		if s.NotPrincipal != nil || s.Principal != nil && s.Principal.Wildcard {
			out = append(out, wildcardAdmin{stmt: s, principal: anyone})
			continue
		}
		if s.Principal == nil {
			continue
		}
		for _, v := range s.Principal.AWS {
			if !isAccountPrincipal(v, acct) {
				out = append(out, wildcardAdmin{stmt: s, principal: v})
			}
		}
		for _, v := range s.Principal.Service {
			out = append(out, wildcardAdmin{stmt: s, principal: v, service: true})
		}
	}
	return out
}

func wildcardAdminFinding(env *Env, k *access.Key, h wildcardAdmin) Finding {
	ref := keyRef(k.Inv)
	f := keyFinding(k, Fail, true)
	f.Principal = h.principal
	f.Statement = stmtRef(h.stmt)
	actions := "Action " + strings.Join(h.stmt.Action, ", ")
	if h.stmt.NotAction != nil {
		actions = "NotAction " + strings.Join(h.stmt.NotAction, ", ")
	}
	f.Message = Text{
		EN: fmt.Sprintf("key policy statement %s gives every KMS action on key %s to %s (%s)", stmtLabel(h.stmt), ref, principalLabel(h.principal), actions),
		JA: fmt.Sprintf("キーポリシーのステートメント %s が、キー %s に対するすべての KMS アクションを %s に与えています (%s)", stmtLabel(h.stmt), ref, principalLabel(h.principal), actions),
	}
	acct := principalAccount(h.principal)
	switch {
	case h.principal == anyone && h.stmt.NotPrincipal != nil:
		np := h.stmt.NotPrincipal.String()
		f.Explanation = append(f.Explanation, Text{EN: "NotPrincipal " + np + ": everyone not listed", JA: "NotPrincipal " + np + ": 列挙されていないすべてのプリンシパル"})
	case h.principal == anyone:
		f.Explanation = append(f.Explanation, Text{EN: "Principal \"*\": every principal its conditions let through", JA: "Principal \"*\": 条件を満たすすべてのプリンシパル"})
	case h.service:
		f.Explanation = append(f.Explanation, Text{
			EN: "the service principal " + h.principal + " acting on its own",
			JA: "サービスプリンシパル " + h.principal + " がサービス自身として呼び出す場合",
		})
	case acct != "" && acct != k.Inv.Account:
		f.Explanation = append(f.Explanation, Text{
			EN: "account " + acct + " is another account: administrative actions do not work across accounts, but every cryptographic and grant operation does, once its IAM policies allow",
			JA: "アカウント " + acct + " は別のアカウントです: 管理アクションはアカウントをまたいでは使えませんが、暗号化オペレーションとグラントのオペレーションは、そのアカウントの IAM ポリシーが許可すればすべて使えます",
		})
	}
	if len(h.stmt.Conditions) > 0 {
		var cs []string
		for _, c := range h.stmt.Conditions {
			cs = append(cs, c.String())
		}
		f.Explanation = append(f.Explanation, underConditions(cs))
	}
	f.Remediation = wildcardAdminRemediation(env, k, h)
	return f
}

// keyUserActions are what the console gives key users: the key's
// cryptographic operations plus DescribeKey (and GetPublicKey for
// asymmetric keys).
func keyUserActions(k *access.Key) map[string]bool {
	out := map[string]bool{"kms:DescribeKey": true}
	for _, a := range useActions(k.Inv) {
		out[a] = true
	}
	if md := k.Inv.Metadata; md != nil && md.KeySpec != "" && md.KeySpec != "SYMMETRIC_DEFAULT" && !strings.HasPrefix(md.KeySpec, "HMAC") {
		out["kms:GetPublicKey"] = true
	}
	return out
}

// wildcardAdminRemediation narrows the statement for the principal: to the
// key administrator actions (same-account principals), or to the key user
// actions (other accounts, which cannot administer a key anyway), with the
// other as an alternative; "*" loses the statement, and the account
// statement is added when missing so the key stays manageable. Each fix is
// re-checked by the engine.
func wildcardAdminRemediation(env *Env, k *access.Key, h wildcardAdmin) *Remediation {
	who := principalLabel(h.principal)
	users := keyUserActions(k)
	if h.service {
		return serviceWildcardRemediation(env, k, h, sortedKeys(users))
	}
	build := func(drop func(string) bool, summary Text, what Text) *Remediation {
		p, err := decodeKeyPolicy(k.Policy.Raw)
		if err != nil {
			return nil
		}
		if h.principal == anyone {
			p.remove(h.stmt.Index)
		} else {
			dropForSubject(p, h.stmt, h.principal, drop, "Scoped")
		}
		if fk, err := parseFixed(k, mustEncode(p)); err == nil && h.principal == anyone && !managedAfter(env, fk) {
			p.add(accountStatement(p.uniqueSid("Enable IAM User Permissions"), k.Inv.Account))
			summary.EN += " The account statement is added so that the account keeps control of the key."
			summary.JA += "アカウントがキーを管理し続けられるよう、アカウントのステートメントを追加します。"
		}
		fixed, err := p.encode()
		if err != nil {
			return nil
		}
		r := keyPolicyFix(k, fixed, summary, what)
		if fk, err := parseFixed(k, fixed); err == nil {
			r.Verified = !hasWildcardAdmin(fk.Policy, k.Inv.Account, h.principal) && managedAfter(env, fk)
		}
		callerCheck(env, k, "kms:PutKeyPolicy", r)
		return r
	}
	if h.principal == anyone {
		r := build(nil, Text{
			EN: "Remove statement " + stmtLabel(h.stmt) + ": it gives every KMS action to \"*\". Name the principals that need the key in their own statements, with the administrator or user actions they need, or grant access through IAM policies.",
			JA: "ステートメント " + stmtLabel(h.stmt) + " を削除してください: \"*\" にすべての KMS アクションを与えています。キーを必要とするプリンシパルは、必要な管理者または利用者のアクションとともに個別のステートメントで指定するか、IAM ポリシーで許可してください。",
		}, Text{
			EN: "Delete statement " + stmtLabel(h.stmt) + ".", JA: "ステートメント " + stmtLabel(h.stmt) + " を削除します。",
		})
		if r == nil {
			return &Remediation{Summary: Text{EN: "Remove statement " + stmtLabel(h.stmt) + ".", JA: "ステートメント " + stmtLabel(h.stmt) + " を削除してください。"}}
		}
		return r
	}
	asAdmin := func() *Remediation {
		return build(isUseAction, Text{
			EN: fmt.Sprintf("If %s administers the key, give it the key administrator actions instead of kms:* (the KMS console's list, without cryptographic operations).", who),
			JA: fmt.Sprintf("%s がキーの管理者であれば、kms:* の代わりにキー管理者のアクション (KMS コンソールの一覧で、暗号操作を含みません) を与えてください。", who),
		}, Text{
			EN: fmt.Sprintf("In statement %s, replace kms:* for %s with the key administrator actions in the AWS CLI command.", stmtLabel(h.stmt), who),
			JA: fmt.Sprintf("ステートメント %s の %s に対する kms:* を、AWS CLI コマンド内のキー管理者のアクションに置き換えます。", stmtLabel(h.stmt), who),
		})
	}
	asUser := func() *Remediation {
		return build(func(a string) bool { return !users[a] }, Text{
			EN: fmt.Sprintf("If %s only uses the key, give it the key user actions instead of kms:*: %s.", who, shortActions(sortedKeys(users))),
			JA: fmt.Sprintf("%s がキーを使用するだけであれば、kms:* の代わりにキー利用者のアクションを与えてください: %s。", who, shortActions(sortedKeys(users))),
		}, Text{
			EN: fmt.Sprintf("In statement %s, replace kms:* for %s with: %s.", stmtLabel(h.stmt), who, strings.Join(sortedKeys(users), ", ")),
			JA: fmt.Sprintf("ステートメント %s の %s に対する kms:* を次に置き換えます: %s。", stmtLabel(h.stmt), who, strings.Join(sortedKeys(users), ", ")),
		})
	}
	primary, alt := asAdmin, asUser
	if acct := principalAccount(h.principal); acct != "" && acct != k.Inv.Account {
		// Another account cannot administer the key: KMS refuses
		// administrative calls across accounts.
		primary, alt = asUser, nil
	}
	r := primary()
	if r == nil {
		return nil
	}
	if alt != nil {
		if a := alt(); a != nil {
			r.Alternatives = append(r.Alternatives, *a)
		}
	}
	return r
}

// hasWildcardAdmin reports whether the policy still gives every KMS action
// to the principal.
func hasWildcardAdmin(d *policy.Document, acct, principal string) bool {
	for _, h := range wildcardAdmins(d, acct) {
		if h.principal == principal {
			return true
		}
	}
	return false
}

// mustEncode encodes a policy being edited; an encoding error (which a
// decoded document cannot produce) yields an empty document that fails to
// parse, so the fix is not verified.
func mustEncode(p *rawPolicy) []byte {
	b, err := p.encode()
	if err != nil {
		return nil
	}
	return b
}

// serviceWildcardRemediation narrows kms:* for a service principal to the
// key user actions, when the statement names only that service; pinning
// it with aws:SourceAccount or aws:SourceArn is left to the service's
// documentation, because a service that does not send the key would fail.
func serviceWildcardRemediation(env *Env, k *access.Key, h wildcardAdmin, users []string) *Remediation {
	summary := Text{
		EN: "Replace kms:* for the service principal " + h.principal + " in statement " + stmtLabel(h.stmt) + " with the operations the service needs (usually the key user actions: " + shortActions(users) + "), and pin it with aws:SourceAccount or aws:SourceArn where the service documents them.",
		JA: "ステートメント " + stmtLabel(h.stmt) + " のサービスプリンシパル " + h.principal + " に対する kms:* を、サービスが必要とする操作 (通常はキー利用者のアクション: " + shortActions(users) + ") に置き換え、サービスが対応を文書化していれば aws:SourceAccount または aws:SourceArn で限定してください。",
	}
	change := Text{
		EN: "In statement " + stmtLabel(h.stmt) + ", replace kms:* with: " + strings.Join(users, ", ") + ".",
		JA: "ステートメント " + stmtLabel(h.stmt) + " の kms:* を次に置き換えます: " + strings.Join(users, ", ") + "。",
	}
	pr := h.stmt.Principal
	p, err := decodeKeyPolicy(k.Policy.Raw)
	if err != nil || len(pr.AWS)+len(pr.Federated)+len(pr.CanonicalUser) > 0 || len(pr.Service) != 1 || p.stmt(h.stmt.Index) == nil {
		// The statement names others too: say what to change.
		return &Remediation{Summary: summary, Console: editKeyPolicySteps(k.Inv, change)}
	}
	setActions(p.stmt(h.stmt.Index), users)
	fixed, err := p.encode()
	if err != nil {
		return &Remediation{Summary: summary, Console: editKeyPolicySteps(k.Inv, change)}
	}
	r := keyPolicyFix(k, fixed, summary, change)
	if fk, err := parseFixed(k, fixed); err == nil {
		r.Verified = !hasWildcardAdmin(fk.Policy, k.Inv.Account, h.principal) && managedAfter(env, fk)
	}
	callerCheck(env, k, "kms:PutKeyPolicy", r)
	return r
}
