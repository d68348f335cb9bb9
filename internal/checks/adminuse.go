package checks

import (
	"strings"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/msg"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/remedy"
)

// adminActions are what administering a key means for key-admin-can-use:
// changing who may use it, and destroying it.
var adminActions = []string{"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"}

// key-admin-can-use: no separation of duties between key administrators
// and key users.
var _ = register(&Check{
	ID:       "key-admin-can-use",
	Severity: Medium,
	Title: Text{
		EN: "Key administrators should not also be able to use the key",
		JA: "キー管理者にキーの使用まで許可すべきではありません (職務の分離)",
	},
	Description: Text{
		EN: "A principal named in the key policy (a \"*\" principal included), other than the account, can administer the key through the key policy (kms:PutKeyPolicy or kms:ScheduleKeyDeletion) and can also use it for cryptographic operations, through the key policy, a grant or its IAM policies. Decided with the engine's who-can. The root user's power through the account statement is not reported. AWS managed keys are not checked.",
		JA: "キーポリシーで指定されたプリンシパル (\"*\" を含む、アカウントを除く) が、キーポリシーによってキーを管理でき (kms:PutKeyPolicy または kms:ScheduleKeyDeletion)、さらにキーポリシー、グラント、または IAM ポリシーによって暗号操作にも使用できます。エンジンの who-can で判定します。アカウントのステートメントによるルートユーザーの権限は報告しません。AWS 管理キーは対象外です。",
	},
	Risk: Text{
		EN: "One identity can both decrypt the data the key protects and change or destroy the key: a single compromised administrator exposes the data and can cover its tracks, and no second person is needed to misuse the key. AWS recommends separate administrator and user roles (administrators can still grant themselves use through PutKeyPolicy or CreateGrant, which CloudTrail then records).",
		JA: "1 つの ID が、キーで保護されたデータを復号でき、かつキーの変更や破棄もできます。管理者が 1 人侵害されるだけでデータが漏えいし、痕跡も消せてしまい、キーの悪用に 2 人目は不要です。AWS は管理者と利用者のロールを分けることを推奨しています (管理者も PutKeyPolicy や CreateGrant で自分に使用権限を与えることはできますが、その操作は CloudTrail に記録されます)。",
	},
	References: []string{
		"https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-administrators",
		"https://docs.aws.amazon.com/kms/latest/developerguide/iam-policies-best-practices.html",
		"https://docs.aws.amazon.com/prescriptive-guidance/latest/encryption-best-practices/kms.html",
	},
	RunKey: func(ke *KeyEnv) []Finding {
		env, k := ke.Env, ke.Key
		if k.Policy == nil {
			return []Finding{unknownKeyPolicy(k)}
		}
		var out []Finding
		w := ke.w
		admins := directAccess(w, k, adminActions)
		var fails int
		var failing []*subjectAccess
		var uses []usePaths
		for _, adm := range subjectsSorted(admins) {
			if len(adm.actions) == 0 {
				continue
			}
			use := subjectUse(w, k, adm.subject)
			switch {
			case len(use.actions) > 0:
				out = append(out, adminUseFinding(k, adm, use))
				failing, uses = append(failing, adm), append(uses, use)
				fails++
			case len(use.unknown) > 0:
				f := keyFinding(k, Unknown, true)
				f.Principal = adm.subject
				f.Message = T(mAdminUseUnknown, principalLabel(adm.subject), keyRef(k.Inv))
				f.Missing = sortedKeys(use.missing)
				out = append(out, f)
				fails++
			}
		}
		if len(failing) > 0 {
			fix := adminUseFix(env, k, failing, uses, out)
			for i := range out {
				if out[i].Status == Fail {
					out[i].Remediation = fix
				}
			}
		}
		if fails == 0 {
			f := keyFinding(k, Pass, true)
			f.Message = T(mAdminUsePass, keyRef(k.Inv))
			if len(admins) == 0 {
				f.Message = T(mAdminUseNoAdmin, keyRef(k.Inv))
			}
			out = append(out, f)
		}
		return out
	},
})

// usePaths is how a subject can use a key.
type usePaths struct {
	actions, unknown, missing map[string]bool
	// stmts are the key-policy statements that give use directly.
	stmts map[int]*policy.Statement
	// grants and iam name the grants and the identity policies that give it.
	grants, iam map[string]bool
	// wild is set when a wildcard statement gives a named subject use.
	wild bool
}

// subjectUse finds what the subject can use the key for, by any path: for
// "*", what wildcard statements give an arbitrary principal of the account;
// for a named principal, every who-can answer about it.
func subjectUse(w *whoCanMemo, k *access.Key, subject string) usePaths {
	u := usePaths{actions: map[string]bool{}, unknown: map[string]bool{}, missing: map[string]bool{},
		stmts: map[int]*policy.Statement{}, grants: map[string]bool{}, iam: map[string]bool{}}
	if subject == anyone {
		if sa := directAccess(w, k, useActions(k.Inv))[anyone]; sa != nil {
			u.actions, u.unknown, u.missing, u.stmts = sa.actions, sa.unknown, sa.missing, sa.stmts
		}
		return u
	}
	for _, a := range useActions(k.Inv) {
		if e, ok := w.entryFor(k, a, subject); ok {
			if e.Decision == engine.Unknown {
				u.unknown[a] = true
				for _, m := range e.Result.Missing {
					u.missing[m] = true
				}
				continue
			}
			u.actions[a] = true
			for _, r := range e.Result.Reasons {
				switch r.Layer {
				case engine.LayerGrant:
					u.grants[strings.TrimPrefix(r.Policy, "grant ")] = true
				case engine.LayerIdentity:
					u.iam[r.Policy] = true
				}
			}
			for _, s := range namingStatements(k.Policy, subject, a) {
				u.stmts[s.Index] = s
			}
			if e.Via == engine.RuleDirect {
				for _, s := range keyPolicyStatements(k.Policy, e.Result) {
					if s.NotPrincipal != nil || s.Principal != nil && s.Principal.Wildcard {
						u.wild = true
					}
				}
			}
		}
	}
	if g := k.GrantsGap; g != nil {
		// A grant that was not read may give the subject what the
		// rest does not (shared/kms-authorization.md §14).
		for _, a := range useActions(k.Inv) {
			if info := awsfacts.LookupKMS(a); !u.actions[a] && info != nil && info.GrantOp {
				u.unknown[a] = true
				u.missing[g.String()] = true
			}
		}
	}
	return u
}

func (u usePaths) statements() []*policy.Statement {
	sa := &subjectAccess{stmts: u.stmts}
	return sa.statements()
}

func adminUseFinding(k *access.Key, adm *subjectAccess, use usePaths) Finding {
	ref := keyRef(k.Inv)
	who := principalLabel(adm.subject)
	f := keyFinding(k, Fail, true)
	f.Principal = adm.subject
	admStmts := adm.statements()
	if len(admStmts) > 0 {
		f.Statement = stmtRef(admStmts[0])
	}
	f.Message = T(mAdminUseFail, who, ref, shortActions(sortedKeys(adm.actions)), summarizeActions(use.actions))
	f.Explanation = append(f.Explanation, T(mAdminVia, stmtList(admStmts)))
	if s := use.statements(); len(s) > 0 {
		f.Explanation = append(f.Explanation, T(mUseViaStatement, stmtList(s)))
	}
	if len(use.grants) > 0 {
		f.Explanation = append(f.Explanation, T(mUseViaGrant, strings.Join(sortedKeys(use.grants), ", ")))
	}
	if len(use.iam) > 0 {
		f.Explanation = append(f.Explanation, T(mUseViaIAM, strings.Join(sortedKeys(use.iam), ", ")))
	}
	if len(adm.conds) > 0 {
		f.Explanation = append(f.Explanation, T(mAdminConditions, strings.Join(sortedKeys(adm.conds), "; ")))
	}
	return f
}

// adminUseFix separates administration from use for every administrator
// of the key that can also use it, in one key policy edit. Each loses, in
// the statements that name it, the cryptographic actions and CreateGrant
// (with which an administrator grants itself use back); the grants that
// give it use are revoked; when it could still use the key another way (a
// wildcard statement, its IAM policies), a Deny in the key policy takes
// those actions from it, since a Deny in the key policy beats every
// allow. It keeps everything else, PutKeyPolicy included: an
// administrator can always rewrite the policy to give itself use back,
// which the fix says (CloudTrail records PutKeyPolicy). The engine proves
// that each administrator still administers, no longer uses the key, and
// that only those actions of those administrators change.
func adminUseFix(env *Env, k *access.Key, admins []*subjectAccess, uses []usePaths, fs []Finding) *Remediation {
	plan := env.newPlan()
	doc := plan.KeyPolicy(k)
	var intents []remedy.Intent
	var whos []string
	var denied []string
	revoked := map[string]bool{}
	fi := 0
	for i, adm := range admins {
		for fi < len(fs) && fs[fi].Principal != adm.subject {
			fi++
		}
		adm, use := adm, uses[i]
		who := principalLabel(adm.subject)
		whos = append(whos, who)
		// The statements that give it use, and those that make it an
		// administrator (which may give CreateGrant).
		idx := map[int]bool{}
		for _, s := range append(use.statements(), adm.statements()...) {
			if idx[s.Index] {
				continue
			}
			idx[s.Index] = true
			remedy.DropFor(doc, s.Index, subjectOf(adm.subject), useOrGrant, "AdminOnly")
		}
		grants := map[string]bool{}
		for gi := range k.Inv.Grants {
			g := &k.Inv.Grants[gi]
			if use.grants[g.ID] && !revoked[g.ID] {
				revoked[g.ID] = true
				grants[g.ID] = true
				plan.RevokeGrant(k, g)
			}
		}
		if adm.subject != anyone && (len(use.iam) > 0 || use.wild || grantsOf(k, adm.subject)) {
			denied = append(denied, adm.subject)
		}
		var f *Finding
		if fi < len(fs) {
			f = &fs[fi]
		}
		intents = append(intents, remedy.Intent{
			Name: intentName("key-admin-can-use", f),
			Lose: onKey(k, func(c *access.Change) bool {
				if !useOrGrant(c.Action) && !(c.Action == "kms:RetireGrant" && citesGrantID(c.Before, grants)) {
					return false
				}
				if adm.subject == anyone {
					return citesStatements(c.Before, idx)
				}
				return c.Principal == adm.subject || citesGrantID(c.Before, grants)
			}),
			Effective: func(w *remedy.World) bool {
				after := w.Key(k)
				m := newWhoCanMemo(env)
				stillAdmin := directAccess(m, after, adminActions)[adm.subject]
				u := subjectUse(m, after, adm.subject)
				return stillAdmin != nil && len(u.actions) == 0
			},
		})
	}
	if len(denied) > 0 {
		use := append(append([]string(nil), useActions(k.Inv)...), "kms:CreateGrant")
		doc.Add(&remedy.Stmt{From: -1, Sid: "DenyKeyUseToAdministrators", Effect: policy.Deny,
			Principal: &remedy.Principal{AWS: denied}, Action: use, Resource: []string{"*"}})
		plan.SayKeyPolicy(k, T(mAdminDenyEdit, msg.List(denied)))
	}
	plan.SayKeyPolicy(k, T(mAdminEdit, msg.List(whos)))
	summary := T(mAdminFix, msg.List(whos))
	if len(revoked) > 0 {
		summary = summary.Append(T(mAdminRevoke, msg.List(sortedKeys(revoked))))
	}
	if len(denied) > 0 {
		summary = summary.Append(T(mAdminDeny, msg.List(denied)))
	}
	for _, adm := range admins {
		if adm.subject == anyone {
			summary = summary.Append(T(mAdminWildcard))
			break
		}
	}
	summary = summary.Append(T(mAdminWayBack, msg.List(whos)))
	return prove(plan, fixID("key-admin-can-use", k.ARN), summary, intents)
}

// subjectOf is the DropFor subject of a who-can subject.
func subjectOf(s string) string {
	if s == anyone {
		return remedy.Anyone
	}
	return s
}

// grantsOf reports whether a grant names the principal as grantee with
// CreateGrant, which the Deny also covers.
func grantsOf(k *access.Key, principal string) bool {
	for _, g := range k.Inv.Grants {
		if g.GranteePrincipal == principal {
			for _, op := range g.Operations {
				if op == "CreateGrant" {
					return true
				}
			}
		}
	}
	return false
}
