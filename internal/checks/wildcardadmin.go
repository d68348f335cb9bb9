package checks

import (
	"strings"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/msg"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/remedy"
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
			out = append(out, wildcardAdminFinding(k, h))
		}
		if len(hits) == 0 {
			f := keyFinding(k, Pass, true)
			f.Message = T(mWildcardPass, keyRef(k.Inv))
			out = append(out, f)
			return out
		}
		shareFix(out, 0, wildcardAdminFix(env, k, hits, out))
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

func wildcardAdminFinding(k *access.Key, h wildcardAdmin) Finding {
	ref := keyRef(k.Inv)
	f := keyFinding(k, Fail, true)
	f.Principal = h.principal
	f.Statement = stmtRef(h.stmt)
	actions := "Action " + strings.Join(h.stmt.Action, ", ")
	if h.stmt.NotAction != nil {
		actions = "NotAction " + strings.Join(h.stmt.NotAction, ", ")
	}
	f.Message = T(mWildcardFail, stmtLabel(h.stmt), ref, principalLabel(h.principal), actions)
	acct := principalAccount(h.principal)
	switch {
	case h.principal == anyone && h.stmt.NotPrincipal != nil:
		f.Explanation = append(f.Explanation, T(mWildcardNotPrincipal, h.stmt.NotPrincipal.String()))
	case h.principal == anyone:
		f.Explanation = append(f.Explanation, T(mWildcardStar))
	case h.service:
		f.Explanation = append(f.Explanation, T(mWildcardService, h.principal))
	case acct != "" && acct != k.Inv.Account:
		f.Explanation = append(f.Explanation, T(mWildcardOtherAccount, acct))
	}
	if len(h.stmt.Conditions) > 0 {
		var cs []string
		for _, c := range h.stmt.Conditions {
			cs = append(cs, c.String())
		}
		f.Explanation = append(f.Explanation, underConditions(cs))
	}
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

// wildcardAdminFix narrows kms:* for every principal the key's findings
// name, in one key policy edit: a principal of the account keeps what
// administering the key takes (everything but the cryptographic actions
// and CreateGrant, a way back to use), a principal of another account
// (which cannot administer a key) or a service keeps the key user
// actions, and "*" loses the statement. The alternative gives the
// principals of the account the key user actions instead. When nobody
// could manage the key afterwards, a statement lets the account's root
// user change the key policy. The engine proves each: only what the
// statements gave those principals changes.
func wildcardAdminFix(env *Env, k *access.Key, hits []wildcardAdmin, fs []Finding) *Remediation {
	users := keyUserActions(k)
	acct := k.Inv.Account
	build := func(asUser bool) *Remediation {
		plan := env.newPlan()
		doc := plan.KeyPolicy(k)
		var intents []remedy.Intent
		var parts []Text
		for i, h := range hits {
			h := h
			label := stmtLabel(h.stmt)
			who := principalLabel(h.principal)
			pa := principalAccount(h.principal)
			keepUser := func(a string) bool { return !users[a] }
			switch {
			case h.principal == anyone:
				for _, st := range doc.From(h.stmt.Index) {
					doc.Remove(st)
				}
				parts = append(parts, T(mWildcardRemove, label))
			case h.service:
				pr := h.stmt.Principal
				if len(pr.AWS)+len(pr.Federated)+len(pr.CanonicalUser) > 0 || len(pr.Service) != 1 {
					parts = append(parts, T(mWildcardServiceShared, label, who))
					break
				}
				for _, st := range doc.From(h.stmt.Index) {
					st.Action, st.NotAction = sortedKeys(users), nil
				}
				parts = append(parts, T(mWildcardServiceFix, label, who, shortActions(sortedKeys(users))))
			case pa != "" && pa != acct, asUser:
				remedy.DropFor(doc, h.stmt.Index, h.principal, keepUser, "Scoped")
				parts = append(parts, T(mWildcardUser, label, who, shortActions(sortedKeys(users))))
			default:
				remedy.DropFor(doc, h.stmt.Index, h.principal, useOrGrant, "Scoped")
				parts = append(parts, T(mWildcardAdmin, label, who))
			}
			idx := map[int]bool{h.stmt.Index: true}
			intents = append(intents, remedy.Intent{
				Name: intentName("key-policy-wildcard-admin", &fs[i]),
				Lose: onKey(k, func(c *access.Change) bool {
					if !citesStatements(c.Before, idx) {
						return false
					}
					switch {
					case h.principal == anyone:
						return true
					case h.service:
						return strings.Contains(c.Name(), h.principal)
					case isAccountPrincipal(h.principal, principalAccount(h.principal)):
						return changeAccount(c) == principalAccount(h.principal)
					}
					return c.Principal == h.principal
				}),
				Effective: func(w *remedy.World) bool {
					return !hasWildcardAdmin(w.Key(k).Policy, acct, h.principal)
				},
			})
		}
		if d, err := doc.Parse("fixed key policy of " + k.ARN); err == nil {
			if who, _, err := keyManagers(env, k.WithPolicy(d)); err == nil && len(who) == 0 {
				sid := doc.UniqueSid("AllowAccountToManageKey")
				doc.Add(remedy.AccountStatement(sid, acct, manageActions))
				parts = append(parts, T(mWildcardManage, sid))
				for i := range intents {
					intents[i].Gain = onKey(k, func(c *access.Change) bool {
						return changeAccount(c) == acct && containsString(manageActions, c.Action)
					})
				}
			}
		}
		for _, p := range parts {
			plan.SayKeyPolicy(k, p)
		}
		summary := T(mWildcardFix, keyRef(k.Inv)).Append(msg.Join(parts, Text{EN: " ", JA: ""}))
		if asUser {
			summary = T(mWildcardAltFix).Append(msg.Join(parts, Text{EN: " ", JA: ""}))
		}
		id := fixID("key-policy-wildcard-admin", k.ARN)
		if asUser {
			id += "#user"
		}
		return prove(plan, id, summary, intents)
	}
	r := build(false)
	for _, h := range hits {
		if pa := principalAccount(h.principal); h.principal != anyone && !h.service && (pa == "" || pa == acct) {
			r.Alternatives = append(r.Alternatives, *build(true))
			break
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
