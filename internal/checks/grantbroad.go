package checks

import (
	"strings"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/msg"
	"github.com/keywarden/keywarden/internal/remedy"
)

// grant-broad: grants that reach outside the account, or that let their
// grantee decrypt whatever the key protects.
var _ = register(&Check{
	ID:       "grant-broad",
	Severity: Medium,
	Title: Text{
		EN: "KMS grants should stay in the account and constrain decryption by encryption context",
		JA: "KMS グラントはアカウント内にとどめ、復号を暗号化コンテキストで制限すべきです",
	},
	Description: Text{
		EN: "A grant on a customer managed key names a grantee outside the key's account, or allows a decrypting operation (Decrypt, ReEncryptFrom) on a symmetric encryption key without an encryption-context constraint (EncryptionContextEquals or EncryptionContextSubset). Grants on asymmetric and HMAC keys cannot carry such a constraint and are judged by grantee alone. AWS managed keys, whose grants their services create, are not checked. Unknown when the grants were not read.",
		JA: "カスタマー管理キーのグラントが、キーのアカウントの外のグランティーを指定しているか、対称暗号化キーで暗号化コンテキストの制約 (EncryptionContextEquals または EncryptionContextSubset) なしに復号系の操作 (Decrypt、ReEncryptFrom) を許可しています。非対称キーと HMAC キーのグラントにはこの制約を付けられないため、グランティーだけで判定します。グラントをサービスが作成する AWS 管理キーは対象外です。グラントを取得できなかった場合は unknown です。",
	},
	Risk: Text{
		EN: "A grant allows without any IAM policy and never expires. An unconstrained Decrypt grant lets its grantee decrypt every ciphertext of the key, not only the resource it was made for; a grant to another account hands that account's administrators the decision of who may use your key. Grants do not appear in key policies or IAM, so reviews easily miss them.",
		JA: "グラントは IAM ポリシーなしに許可を与え、期限切れになりません。制約のない Decrypt グラントは、作成目的のリソースに限らず、そのキーのすべての暗号文をグランティーが復号できるようにします。別アカウントへのグラントは、誰がキーを使えるかの判断をそのアカウントの管理者に委ねます。グラントはキーポリシーにも IAM にも現れないため、レビューで見落とされがちです。",
	},
	References: []string{
		"https://docs.aws.amazon.com/kms/latest/developerguide/grants.html",
		"https://docs.aws.amazon.com/kms/latest/developerguide/grant-best-practices.html",
		"https://docs.aws.amazon.com/kms/latest/developerguide/create-grant-overview.html#grant-constraints",
		"https://docs.aws.amazon.com/kms/latest/developerguide/grant-delete.html",
	},
	RunKey: func(ke *KeyEnv) []Finding {
		env, k := ke.Env, ke.Key
		var out []Finding
		if k.GrantsGap != nil {
			f := keyFinding(k, Unknown, false)
			f.Message = T(mGrantsUnread, keyRef(k.Inv))
			f.Missing = []string{k.GrantsGap.String()}
			out = append(out, f)
			return out
		}
		var n int
		for i := range k.Inv.Grants {
			g := &k.Inv.Grants[i]
			if why := grantBreadth(k.Inv, g); len(why) > 0 {
				out = append(out, grantBroadFinding(env, k, g, why))
				n++
			}
		}
		if n == 0 {
			f := keyFinding(k, Pass, false)
			f.Message = T(mGrantPass, keyRef(k.Inv), len(k.Inv.Grants))
			out = append(out, f)
		}
		return out
	},
})

// decryptingOps are the grant operations that return (or re-encrypt)
// plaintext protected by the key.
var decryptingOps = []string{"Decrypt", "ReEncryptFrom"}

// grantBreadth says why a grant is broad: its grantee is outside the key's
// account, or it allows decryption without an encryption-context
// constraint on a key that accepts one. None means it is not broad.
func grantBreadth(k *inventory.Key, g *inventory.Grant) []Text {
	var why []Text
	if acct := principalAccount(g.GranteePrincipal); acct != "" && acct != k.Account {
		why = append(why, T(mGrantOtherAccount, acct))
	}
	var dec []string
	for _, op := range g.Operations {
		for _, d := range decryptingOps {
			if strings.EqualFold(op, d) {
				dec = append(dec, d)
			}
		}
	}
	// An encryption-context constraint applies only to symmetric
	// encryption keys ([grant constraints]).
	//
	// [grant constraints]: https://docs.aws.amazon.com/kms/latest/developerguide/create-grant-overview.html#grant-constraints
	symmetric := k.Metadata == nil || k.Metadata.KeySpec == "" || k.Metadata.KeySpec == "SYMMETRIC_DEFAULT"
	if len(dec) > 0 && symmetric && len(g.EncryptionContextEquals) == 0 && len(g.EncryptionContextSubset) == 0 {
		why = append(why, T(mGrantNoContext, msg.List(dec)))
	}
	return why
}

func grantBroadFinding(env *Env, k *access.Key, g *inventory.Grant, why []Text) Finding {
	f := keyFinding(k, Fail, false)
	f.Principal = g.GranteePrincipal
	f.Policy = "grant " + g.ID
	f.Message = T(mGrantFail, g.ID, keyRef(k.Inv), g.GranteePrincipal, msg.Join(why, Text{EN: "; ", JA: "。"}))
	f.Explanation = append(f.Explanation, T(mGrantOperations, strings.Join(g.Operations, ", ")))
	if g.Name != "" {
		f.Explanation = append(f.Explanation, T(mGrantName, g.Name))
	}
	if g.RetiringPrincipal != "" {
		f.Explanation = append(f.Explanation, T(mGrantRetiring, g.RetiringPrincipal))
	}
	if g.IssuingAccount != "" {
		f.Explanation = append(f.Explanation, T(mGrantIssuer, g.IssuingAccount))
	}
	if !g.CreationDate.IsZero() {
		f.Explanation = append(f.Explanation, T(mGrantCreated, g.CreationDate.UTC().Format("2006-01-02")))
	}
	for _, op := range g.Operations {
		if op == "CreateGrant" {
			f.Explanation = append(f.Explanation, T(mGrantCreateGrant))
		}
	}
	f.Remediation = grantFix(env, k, g, &f)
	return f
}

// grantFix revokes a grant to another account: what the finding is about
// is that account's use. A grant in the account that only lacks an
// encryption-context constraint is made again with one — its decrypting
// operations in a grant constrained to the context the grantee's
// application sends (a placeholder: only the user knows it), its other
// operations in a grant as they were — and then revoked; revoking it
// outright is the alternative. The engine proves each: the grant's
// decrypting access (or, revoked, all its access) is what changes.
func grantFix(env *Env, k *access.Key, g *inventory.Grant, f *Finding) *Remediation {
	id := fixID("grant-broad", k.ARN+"#"+g.ID)
	ids := map[string]bool{g.ID: true}
	gone := func(w *remedy.World) bool {
		for _, eg := range w.Key(k).Grants {
			if eg.ID == g.ID {
				return false
			}
		}
		return true
	}
	revoke := func(summary Text) *Remediation {
		plan := env.newPlan()
		plan.RevokeGrant(k, g)
		return prove(plan, id, summary, []remedy.Intent{{
			Name: intentName("grant-broad", f),
			// What the grant gave, to its grantee and to who could retire
			// it; a grantee outside the input is listed for the grant
			// alone, and goes with it.
			Lose:      onKey(k, func(c *access.Change) bool { return citesGrantID(c.Before, ids) || c.Principal == g.GranteePrincipal }),
			Effective: gone,
		}})
	}
	acct := principalAccount(g.GranteePrincipal)
	if acct != "" && acct != k.Inv.Account || strings.HasSuffix(g.GranteePrincipal, ".amazonaws.com") {
		return revoke(T(mGrantRevokeFix, g.ID))
	}
	plan := env.newPlan()
	ctxKey := plan.Placeholder("<CONTEXT_KEY>", nil, T(mGrantContextKeyNote), nil, nil)
	ctxValue := plan.Placeholder("<CONTEXT_VALUE>", nil, T(mGrantContextValueNote), nil, nil)
	var dec, rest []string
	for _, op := range g.Operations {
		if containsString(decryptingOps, op) {
			dec = append(dec, op)
		} else {
			rest = append(rest, op)
		}
	}
	constrained := inventory.Grant{ID: "new grant: " + strings.Join(dec, ","), Name: g.Name, GranteePrincipal: g.GranteePrincipal,
		RetiringPrincipal: g.RetiringPrincipal, Operations: dec, EncryptionContextSubset: map[string]string{ctxKey: ctxValue}}
	plan.CreateGrant(k, constrained)
	if len(rest) > 0 {
		plan.CreateGrant(k, inventory.Grant{ID: "new grant: " + strings.Join(rest, ","), Name: g.Name, GranteePrincipal: g.GranteePrincipal,
			RetiringPrincipal: g.RetiringPrincipal, Operations: rest})
	}
	plan.RevokeGrant(k, g)
	r := prove(plan, id, T(mGrantConstrainFix, g.ID, msg.List(dec)), []remedy.Intent{{
		Name: intentName("grant-broad", f),
		// The grantee's decrypting operations now need the encryption
		// context; so do the grants it may create from this one.
		Lose: onKey(k, func(c *access.Change) bool {
			op := strings.TrimPrefix(c.Action, "kms:")
			return c.Principal == g.GranteePrincipal && (containsString(dec, op) || op == "CreateGrant")
		}),
		Effective: func(w *remedy.World) bool {
			if !gone(w) {
				return false
			}
			for _, eg := range w.Key(k).Grants {
				if !strings.HasPrefix(eg.ID, "new grant") {
					continue
				}
				ig := inventory.Grant{ID: eg.ID, GranteePrincipal: eg.GranteePrincipal, Operations: eg.Operations,
					EncryptionContextEquals: eg.EncryptionContextEquals, EncryptionContextSubset: eg.EncryptionContextSubset}
				if len(grantBreadth(k.Inv, &ig)) > 0 {
					return false
				}
			}
			return true
		},
	}})
	alt := revoke(T(mGrantRevokeAlt, g.ID))
	r.Alternatives = append(r.Alternatives, *alt)
	return r
}
