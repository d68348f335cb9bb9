package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/inventory"
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
			f.Message = Text{
				EN: "the grants of key " + keyRef(k.Inv) + " could not be checked: they were not read",
				JA: "キー " + keyRef(k.Inv) + " のグラントを確認できませんでした: 取得できませんでした",
			}
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
			f.Message = Text{
				EN: fmt.Sprintf("no grant on key %s reaches outside the account or allows unconstrained decryption (grants: %d)", keyRef(k.Inv), len(k.Inv.Grants)),
				JA: fmt.Sprintf("キー %s のグラントに、アカウント外に及ぶものや制約なしで復号を許可するものはありません (グラント数: %d)", keyRef(k.Inv), len(k.Inv.Grants)),
			}
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
		why = append(why, Text{EN: "its grantee is in another account (" + acct + ")", JA: "グランティーが別アカウント (" + acct + ") にあります"})
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
		why = append(why, Text{EN: "it allows " + strings.Join(dec, " and ") + " without an encryption-context constraint", JA: "暗号化コンテキストの制約なしに " + strings.Join(dec, " と ") + " を許可しています"})
	}
	return why
}

func grantBroadFinding(env *Env, k *access.Key, g *inventory.Grant, why []Text) Finding {
	f := keyFinding(k, Fail, false)
	f.Principal = g.GranteePrincipal
	f.Policy = "grant " + g.ID
	var en, ja []string
	for _, w := range why {
		en, ja = append(en, w.EN), append(ja, w.JA)
	}
	f.Message = Text{
		EN: fmt.Sprintf("grant %s on key %s to %s is broad: %s", g.ID, keyRef(k.Inv), g.GranteePrincipal, strings.Join(en, "; ")),
		JA: fmt.Sprintf("キー %s のグラント %s (グランティー %s) は広すぎます: %s", keyRef(k.Inv), g.ID, g.GranteePrincipal, strings.Join(ja, "。")),
	}
	ops := strings.Join(g.Operations, ", ")
	f.Explanation = append(f.Explanation, Text{EN: "operations: " + ops, JA: "オペレーション: " + ops})
	if g.Name != "" {
		f.Explanation = append(f.Explanation, Text{EN: "name: " + g.Name, JA: "名前: " + g.Name})
	}
	if g.RetiringPrincipal != "" {
		f.Explanation = append(f.Explanation, Text{EN: "retiring principal: " + g.RetiringPrincipal, JA: "リタイアプリンシパル: " + g.RetiringPrincipal})
	}
	if g.IssuingAccount != "" {
		f.Explanation = append(f.Explanation, Text{EN: "issuing account: " + g.IssuingAccount, JA: "発行元アカウント: " + g.IssuingAccount})
	}
	if !g.CreationDate.IsZero() {
		created := g.CreationDate.UTC().Format("2006-01-02")
		f.Explanation = append(f.Explanation, Text{EN: "created: " + created, JA: "作成日: " + created})
	}
	for _, op := range g.Operations {
		if op == "CreateGrant" {
			f.Explanation = append(f.Explanation, Text{
				EN: "it includes CreateGrant: the grantee can pass these operations on in grants of its own",
				JA: "CreateGrant が含まれています: グランティーは自らグラントを作成して、これらのオペレーションを他のプリンシパルに渡せます",
			})
		}
	}
	f.Remediation = grantRemediation(env, k, g)
	return f
}

// grantRemediation revokes the grant and, for one that only lacks an
// encryption-context constraint, shows how to create it again with one.
// It is verified when the key without the grant no longer has it broad
// (always, by construction) and someone may call RevokeGrant.
func grantRemediation(env *Env, k *access.Key, g *inventory.Grant) *Remediation {
	inv := k.Inv
	revoke := fmt.Sprintf("aws kms revoke-grant --region %s --key-id %s --grant-id %s", inv.Region, k.ARN, g.ID)
	r := &Remediation{
		Summary: Text{
			EN: "Revoke grant " + g.ID + ". First check who created it and why (its name, the grantee, CloudTrail's CreateGrant event): a grant an AWS service made for a resource (an EBS volume, an RDS instance) is needed by that resource.",
			JA: "グラント " + g.ID + " を取り消してください。先に、誰がなぜ作成したか (グラントの名前、グランティー、CloudTrail の CreateGrant イベント) を確認してください。AWS のサービスがリソース (EBS ボリューム、RDS インスタンスなど) のために作成したグラントは、そのリソースが必要としています。",
		},
		Console: []Text{{
			EN: "The KMS console does not show grants: list them with aws kms list-grants --region " + inv.Region + " --key-id " + k.ARN + " and revoke with the AWS CLI command.",
			JA: "KMS コンソールにはグラントが表示されません。aws kms list-grants --region " + inv.Region + " --key-id " + k.ARN + " で一覧を確認し、AWS CLI コマンドで取り消します。",
		}},
		CLI:      revoke,
		Verified: true,
	}
	sameAccount := principalAccount(g.GranteePrincipal) == "" || principalAccount(g.GranteePrincipal) == inv.Account
	if sameAccount && !strings.HasSuffix(g.GranteePrincipal, ".amazonaws.com") {
		ops := append([]string(nil), g.Operations...)
		sort.Strings(ops)
		create := fmt.Sprintf("aws kms create-grant --region %s --key-id %s --grantee-principal %s --operations %s", inv.Region, k.ARN, g.GranteePrincipal, strings.Join(ops, " "))
		if g.RetiringPrincipal != "" {
			create += " --retiring-principal " + g.RetiringPrincipal
		}
		if g.Name != "" {
			create += " --name " + shellQuote(g.Name)
		}
		create += ` --constraints '{"EncryptionContextSubset":{"CONTEXT_KEY":"CONTEXT_VALUE"}}'`
		r.CLI += "\n# If the grantee still needs the key, create the grant again limited to the encryption context\n# its application sends (replace CONTEXT_KEY and CONTEXT_VALUE):\n" + create
		r.Summary.EN += " If the grantee still needs the key, create the grant again with an encryption-context constraint naming the context its application sends (EncryptionContextEquals is stricter than EncryptionContextSubset)."
		r.Summary.JA += "グランティーがキーを引き続き必要とする場合は、アプリケーションが送る暗号化コンテキストを指定した制約付きでグラントを作り直してください (EncryptionContextEquals は EncryptionContextSubset より厳格です)。"
		var quoted []string
		for _, op := range ops {
			quoted = append(quoted, fmt.Sprintf("%q", op))
		}
		tf := fmt.Sprintf("resource \"aws_kms_grant\" %q {\n", tfName("grant_"+g.ID[:min(len(g.ID), 12)]))
		if g.Name != "" {
			tf += fmt.Sprintf("  name               = %q\n", g.Name)
		}
		tf += fmt.Sprintf("  key_id             = %q\n  grantee_principal  = %q\n  operations         = [%s]\n", k.ARN, g.GranteePrincipal, strings.Join(quoted, ", "))
		if g.RetiringPrincipal != "" {
			tf += fmt.Sprintf("  retiring_principal = %q\n", g.RetiringPrincipal)
		}
		tf += "\n  constraints {\n    # The encryption context the grantee's application sends.\n    encryption_context_subset = {\n      CONTEXT_KEY = \"CONTEXT_VALUE\"\n    }\n  }\n}"
		r.Terraform = tf
	}
	if g.RetiringPrincipal != "" {
		r.Alternatives = append(r.Alternatives, Remediation{
			Summary: Text{
				EN: "Or let the retiring principal " + g.RetiringPrincipal + " retire the grant (RetireGrant is authorized by the grant itself, not by the key policy).",
				JA: "または、廃止するプリンシパル " + g.RetiringPrincipal + " にグラントを廃止させます (RetireGrant はキーポリシーではなくグラント自体によって認可されます)。",
			},
			CLI:      fmt.Sprintf("aws kms retire-grant --region %s --key-id %s --grant-id %s", inv.Region, k.ARN, g.ID),
			Verified: true,
		})
	}
	callerCheck(env, k, "kms:RevokeGrant", r)
	return r
}
