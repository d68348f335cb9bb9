package checks

import (
	"fmt"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/policy"
)

// key-no-account-delegation: the key policy has no working Allow for its
// own account, so IAM policies can neither grant nor reveal access to it.
var _ = register(&Check{
	ID:       "key-no-account-delegation",
	Severity: Low,
	Title: Text{
		EN: "Key policies should delegate to their account, so that IAM policies govern access",
		JA: "キーポリシーはアカウントに委任し、IAM ポリシーでアクセスを管理できるようにすべきです",
	},
	Description: Text{
		EN: "The key policy has no Allow statement for its own account principal (arn:aws:iam::ACCOUNT:root or the account ID) that the engine finds effective for any KMS action, so IAM policies of the account cannot grant access to the key. Statements naming \"*\" or single principals are not delegation: they give access directly. A Deny that removes the account statement's effect (for example Deny with NotPrincipal) counts as no delegation. AWS managed keys are not applicable.",
		JA: "キーポリシーに、自アカウントのプリンシパル (arn:aws:iam::ACCOUNT:root またはアカウント ID) に対する Allow ステートメントで、いずれかの KMS アクションについてエンジンが有効と判定するものがありません。そのため、アカウントの IAM ポリシーではキーへのアクセスを許可できません。\"*\" や個別のプリンシパルを指定したステートメントは委任ではなく、直接アクセスを与えるものです。アカウントのステートメントの効果を打ち消す Deny (NotPrincipal を使った Deny など) がある場合も委任なしとみなします。AWS 管理キーは対象外です。",
	},
	Risk: Text{
		EN: "Access to the key is decided by its key policy alone, out of reach of IAM: IAM policies, permission reviews and IAM Access Analyzer's policy checks do not show or limit it, and the root user loses its standing ability to manage the key, which is AWS's protection against lockout.",
		JA: "キーへのアクセスはキーポリシーだけで決まり、IAM の管理外になります。IAM ポリシー、権限のレビュー、IAM Access Analyzer のポリシーチェックではアクセスを把握も制限もできず、ロックアウトに対する AWS の保護であるルートユーザーによる常時の管理能力も失われます。",
	},
	References: []string{
		"https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam",
		"https://docs.aws.amazon.com/kms/latest/developerguide/iam-policies.html",
		"https://docs.aws.amazon.com/kms/latest/developerguide/control-access.html",
	},
	RunKey: func(ke *KeyEnv) []Finding {
		env, k := ke.Env, ke.Key
		if k.Policy == nil {
			return []Finding{unknownKeyPolicy(k)}
		}
		var out []Finding
		out = append(out, delegationFinding(env, k))
		return out
	},
})

// delegation is what the key policy delegates to the account's IAM
// policies.
type delegation struct {
	actions []string
	unknown []string
	missing map[string]bool
	// denied names a Deny statement that cancels the account statement.
	denied string
}

// accountDelegation asks the engine which KMS actions the key policy lets
// IAM policies of the key's account grant. The caller is a stand-in role
// of the account whose IAM policies are unknown; only the statements that
// name the account (and every Deny) take part, because a statement naming
// "*" or the role would answer first and hide whether delegation exists.
func accountDelegation(env *Env, k *access.Key) delegation {
	dl := delegation{missing: map[string]bool{}}
	acct := k.Inv.Account
	d := *k.Policy
	d.Statements = nil
	named := false
	for _, s := range k.Policy.Statements {
		if s.Effect == policy.Allow && s.Principal != nil && namesAccount(s.Principal, acct) {
			named = true
			d.Statements = append(d.Statements, s)
		}
		if s.Effect == policy.Deny {
			d.Statements = append(d.Statements, s)
		}
	}
	kk := withoutGrantGap(k).WithPolicy(&d)
	kk.Grants = nil
	p := probe{sym: engine.Symbol{Account: acct}, absent: directCallAbsent}
	for _, a := range keyActionNames() {
		r := decideProbe(env, kk, p, a)
		switch {
		case r.Decision == engine.Allow && r.Rule == engine.RuleDelegation:
			dl.actions = append(dl.actions, a)
		case r.Decision == engine.Unknown:
			dl.unknown = append(dl.unknown, a)
			for _, m := range r.Missing {
				dl.missing[m] = true
			}
		case r.Decision == engine.ExplicitDeny && dl.denied == "" && named:
			for _, reason := range r.Reasons {
				if reason.Layer == engine.LayerKeyPolicy && reason.Statement >= 0 && reason.Statement < len(k.Policy.Statements) {
					dl.denied = stmtLabel(k.Policy.Statements[reason.Statement])
				}
			}
		}
	}
	return dl
}

// namesAccount reports whether a Principal element names the account.
func namesAccount(p *policy.Principal, acct string) bool {
	for _, v := range p.AWS {
		if isAccountPrincipal(v, acct) {
			return true
		}
	}
	return false
}

func delegationFinding(env *Env, k *access.Key) Finding {
	ref, acct := keyRef(k.Inv), k.Inv.Account
	dl := accountDelegation(env, k)
	if len(dl.actions) > 0 {
		f := keyFinding(k, Pass, true)
		what := Text{EN: fmt.Sprintf("%d KMS actions", len(dl.actions)), JA: fmt.Sprintf("%d 個の KMS アクション", len(dl.actions))}
		if len(dl.actions) == len(keyActionNames()) {
			what = Text{EN: "every KMS action", JA: "すべての KMS アクション"}
		}
		f.Message = Text{
			EN: "the key policy of " + ref + " delegates to account " + acct + ": its IAM policies can grant " + what.EN,
			JA: "キー " + ref + " のキーポリシーはアカウント " + acct + " に委任しています: その IAM ポリシーで " + what.JA + "を許可できます",
		}
		return f
	}
	if len(dl.unknown) > 0 {
		f := keyFinding(k, Unknown, true)
		f.Message = Text{
			EN: "whether the key policy of " + ref + " delegates to its account could not be decided",
			JA: "キー " + ref + " のキーポリシーがアカウントに委任しているか判定できませんでした",
		}
		f.Missing = sortedKeys(dl.missing)
		return f
	}
	f := keyFinding(k, Fail, true)
	f.Principal = "arn:aws:iam::" + acct + ":root"
	f.Message = Text{
		EN: "the key policy of " + ref + " does not delegate to account " + acct + ": IAM policies cannot grant access to the key",
		JA: "キー " + ref + " のキーポリシーはアカウント " + acct + " に委任していません: IAM ポリシーでキーへのアクセスを許可できません",
	}
	if dl.denied != "" {
		f.Message = Text{
			EN: "the key policy of " + ref + " names account " + acct + ", but its statement " + dl.denied + " denies the account's principals: IAM policies cannot grant access to the key",
			JA: "キー " + ref + " のキーポリシーはアカウント " + acct + " を指定していますが、ステートメント " + dl.denied + " がアカウントのプリンシパルを拒否しています: IAM ポリシーでキーへのアクセスを許可できません",
		}
		f.Explanation = append(f.Explanation, Text{
			EN: "the key policy's statement " + dl.denied + " denies an arbitrary principal of the account even though an account statement allows; only the principals it exempts can be given access, and not through IAM alone",
			JA: "キーポリシーのステートメント " + dl.denied + " は、アカウントのステートメントが許可していても、アカウントの任意のプリンシパルを拒否します。アクセスを与えられるのはこのステートメントが除外するプリンシパルだけで、それも IAM ポリシーだけでは与えられません",
		})
	} else {
		f.Explanation = append(f.Explanation, Text{
			EN: "no Allow statement names arn:aws:iam::" + acct + ":root or " + acct,
			JA: "arn:aws:iam::" + acct + ":root または " + acct + " を指定する Allow ステートメントがありません",
		})
		if w := wildcardStatements(k.Policy); len(w) > 0 {
			f.Explanation = append(f.Explanation, Text{
				EN: "statement " + stmtList(w) + " names \"*\": that gives access directly, whatever IAM policies say; it is not delegation",
				JA: "ステートメント " + stmtList(w) + " は \"*\" を指定しています: これは IAM ポリシーにかかわらず直接アクセスを与えるもので、委任ではありません",
			})
		}
	}
	f.Remediation = delegationRemediation(env, k, dl)
	return f
}

// delegationRemediation adds the default key policy's account statement
// and re-checks it: the account then delegates, and can manage the key.
func delegationRemediation(env *Env, k *access.Key, dl delegation) *Remediation {
	acct := k.Inv.Account
	if dl.denied != "" {
		// An account statement exists; another one would change nothing.
		return &Remediation{
			Summary: Text{
				EN: "The key policy's statement " + dl.denied + " denies the account's principals, so its account statement has no effect. If IAM policies should govern access to the key, narrow that Deny (for example to the actions or conditions it is meant to block); if the key is meant to be reachable only by the principals the Deny exempts, suppress this finding and keep the key manageable (key-unmanageable).",
				JA: "キーポリシーのステートメント " + dl.denied + " がアカウントのプリンシパルを拒否しているため、アカウントのステートメントが効果を持ちません。IAM ポリシーでキーへのアクセスを管理するべきなら、その Deny を (本来ブロックしたいアクションや条件に) 絞り込んでください。Deny が除外するプリンシパルだけがキーを使える設計であれば、キーを管理可能に保ったうえで (key-unmanageable) この検出結果を抑制してください。",
			},
			Console: []Text{openKeyStep(k.Inv), {EN: "On the Key policy tab, choose Edit and review statement " + dl.denied + ".", JA: "「キーポリシー」タブで「編集」を選び、ステートメント " + dl.denied + " を見直します。"}},
		}
	}
	p, err := decodeKeyPolicy(k.Policy.Raw)
	if err != nil {
		return nil
	}
	sid := p.uniqueSid("Enable IAM User Permissions")
	p.add(accountStatement(sid, acct))
	fixed, err := p.encode()
	if err != nil {
		return nil
	}
	r := keyPolicyFix(k, fixed,
		Text{
			EN: "Add the default key policy's account statement (\"" + sid + "\": Principal arn:aws:iam::" + acct + ":root, Action kms:*), so that IAM policies of the account can grant access to the key and its root user can always manage it. IAM principals still get no access until an IAM policy gives it. If the key is managed only through its key policy on purpose, make sure it stays manageable (key-unmanageable) and suppress this finding.",
			JA: "デフォルトのキーポリシーにあるアカウントのステートメント (\"" + sid + "\": Principal arn:aws:iam::" + acct + ":root、Action kms:*) を追加し、アカウントの IAM ポリシーでキーへのアクセスを許可でき、ルートユーザーが常にキーを管理できるようにしてください。IAM ポリシーで許可するまで、IAM プリンシパルにアクセスは与えられません。意図的にキーポリシーだけで管理している場合は、キーが管理可能であることを確認したうえで (key-unmanageable) この検出結果を抑制してください。",
		},
		Text{
			EN: "Add this statement to the Statement list: {\"Sid\": \"" + sid + "\", \"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::" + acct + ":root\"}, \"Action\": \"kms:*\", \"Resource\": \"*\"}.",
			JA: "Statement のリストに次のステートメントを追加します: {\"Sid\": \"" + sid + "\", \"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::" + acct + ":root\"}, \"Action\": \"kms:*\", \"Resource\": \"*\"}。",
		})
	if fk, err := parseFixed(k, fixed); err == nil {
		r.Verified = len(accountDelegation(env, fk).actions) > 0 && managedAfter(env, fk)
	}
	callerCheck(env, k, "kms:PutKeyPolicy", r)
	return r
}
