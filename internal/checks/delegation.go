package checks

import (
	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/remedy"
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
		what := T(mDelegationSome, len(dl.actions))
		if len(dl.actions) == len(keyActionNames()) {
			what = T(mDelegationEvery)
		}
		f.Message = T(mDelegationPass, ref, acct, what)
		return f
	}
	if len(dl.unknown) > 0 {
		f := keyFinding(k, Unknown, true)
		f.Message = T(mDelegationUnknown, ref)
		f.Missing = sortedKeys(dl.missing)
		return f
	}
	f := keyFinding(k, Fail, true)
	f.Principal = "arn:aws:iam::" + acct + ":root"
	f.Message = T(mDelegationFail, ref, acct)
	if dl.denied != "" {
		f.Message = T(mDelegationDenied, ref, acct, dl.denied)
		f.Explanation = append(f.Explanation, T(mDelegationDeniedWhy, dl.denied))
	} else {
		f.Explanation = append(f.Explanation, T(mDelegationNoStatement, acct))
		if w := wildcardStatements(k.Policy); len(w) > 0 {
			f.Explanation = append(f.Explanation, T(mDelegationWildcard, stmtList(w)))
		}
	}
	f.Remediation = delegationFix(env, k, dl, &f)
	return f
}

// accountSid is the Sid of the default key policy's account statement.
const accountSid = "Enable IAM User Permissions"

// delegationFix adds the default key policy's account statement. The
// engine decides again every principal of the account: the key's own
// access does not change, but every principal whose IAM policies already
// allow KMS actions on all keys gains them on this key, which the proof
// reports (the fix is then not verified: narrow those IAM policies first,
// see the IAM checks). When a Deny cancels an existing account statement,
// no statement can help: the fix is advice.
func delegationFix(env *Env, k *access.Key, dl delegation, f *Finding) *Remediation {
	acct := k.Inv.Account
	id := fixID("key-no-account-delegation", k.ARN)
	if dl.denied != "" {
		return advice(id, T(mDelegationDeniedFix, dl.denied), T(mReviewStatement, k.Inv.Region, keyRef(k.Inv), dl.denied))
	}
	plan := env.newPlan()
	doc := plan.KeyPolicy(k)
	sid := doc.UniqueSid(accountSid)
	doc.Add(remedy.AccountStatement(sid, acct, []string{"kms:*"}))
	plan.SayKeyPolicy(k, T(mDelegationEdit, sid, acct))
	return prove(plan, id, T(mDelegationFix, sid, acct), []remedy.Intent{{
		Name: intentName("key-no-account-delegation", f),
		// The root user managing the key is part of what the statement
		// is for; what anyone else gains through it is not.
		Gain: onKey(k, func(c *access.Change) bool { return c.Kind == access.KindRoot && changeAccount(c) == acct }),
		Effective: func(w *remedy.World) bool {
			return len(accountDelegation(env, w.Key(k)).actions) > 0
		},
	}})
}
