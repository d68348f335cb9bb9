package checks

import (
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/msg"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/remedy"
)

// key-cross-account: accounts outside the organization that can use a key.
var _ = register(&Check{
	ID:       "key-cross-account",
	Severity: High,
	Title: Text{
		EN: "KMS keys should not be usable by accounts outside the organization",
		JA: "組織外のアカウントが KMS キーを使用できるようにすべきではありません",
	},
	Description: Text{
		EN: "An account outside the key's organization, and not listed in --trusted-accounts, can use the key for cryptographic operations: the key policy names it or its principals (they then need their own IAM policies too, which keywarden cannot see), a Principal \"*\" statement is pinned to it by conditions (kms:CallerAccount, aws:PrincipalAccount, aws:PrincipalOrgID of another organization), or a grant names it. Decided with the engine's who-can. The organization comes from the input; an account is inside it when the input holds it as a member or it is the management account. Without the organization, accounts are judged by account alone and the finding says so. Access open to any account is key-public's finding. AWS managed keys are not checked.",
		JA: "キーの組織の外にあり --trusted-accounts にも含まれないアカウントが、キーを暗号操作に使用できます: キーポリシーがそのアカウントやプリンシパルを指定している (その場合は相手側の IAM ポリシーでも許可が必要で、keywarden からは見えません)、Principal \"*\" のステートメントが条件 (kms:CallerAccount、aws:PrincipalAccount、別組織の aws:PrincipalOrgID) でそのアカウントに限定されている、またはグラントがそのアカウントを指定している、のいずれかです。エンジンの who-can で判定します。組織は入力データから取得し、入力データにメンバーとして含まれるアカウントと管理アカウントを組織内とみなします。組織の情報がない場合はアカウント単位で判定し、その旨を検出結果に示します。任意のアカウントに開かれたアクセスは key-public の検出対象です。AWS 管理キーは対象外です。",
	},
	Risk: Text{
		EN: "Whoever controls that account decides, through its own IAM policies, which of its principals can decrypt or encrypt with the key; you cannot see or limit that from your account, and a compromise there reaches your data.",
		JA: "そのアカウントを管理する者が、自身の IAM ポリシーによって、どのプリンシパルがキーで復号・暗号化できるかを決めます。こちらのアカウントからはそれを把握も制限もできず、相手側が侵害されるとこちらのデータに影響が及びます。",
	},
	References: []string{
		"https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html",
		"https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-resources.html#access-analyzer-kms-key",
		"https://docs.aws.amazon.com/kms/latest/developerguide/grants.html",
	},
	RunKey: func(ke *KeyEnv) []Finding {
		env, k := ke.Env, ke.Key
		if k.Policy == nil {
			return []Finding{unknownKeyPolicy(k)}
		}
		var out []Finding
		w := ke.w
		org := orgOfKey(env, k)
		var n int
		var failing []*externalAccess
		for _, xa := range sortedExternal(externalAccesses(w, k)) {
			if xa.account != "" && (org.contains(env, xa.account) || env.TrustedAccounts[xa.account]) {
				continue
			}
			if xa.org != "" && xa.org == org.id {
				continue
			}
			out = append(out, crossAccountFinding(k, org, xa))
			failing = append(failing, xa)
			n++
		}
		if n > 0 {
			shareFix(out, 0, crossAccountFix(env, k, failing, out))
			return out
		}
		if k.GrantsGap != nil {
			f := keyFinding(k, Unknown, true)
			f.Message = T(mCrossUnknownGrants, keyRef(k.Inv))
			f.Missing = []string{k.GrantsGap.String()}
			out = append(out, f)
			return out
		}
		f := keyFinding(k, Pass, true)
		f.Message = T(mCrossPass, keyRef(k.Inv))
		out = append(out, f)
		return out
	},
})

// keyOrg is what the input says of the key account's organization.
type keyOrg struct {
	id, management string
	// unknown is set when the organization could not be read.
	unknown bool
}

func orgOfKey(env *Env, k *access.Key) keyOrg {
	a := env.Snapshot.Account(k.Inv.Account)
	switch {
	case a == nil:
		return keyOrg{unknown: true}
	case a.Organization != nil:
		return keyOrg{id: a.Organization.ID, management: a.Organization.ManagementAccountID}
	case a.OrganizationIncomplete != nil:
		return keyOrg{unknown: true}
	}
	return keyOrg{}
}

// contains reports whether the input shows the account inside the
// organization.
func (o keyOrg) contains(env *Env, acct string) bool {
	if o.id == "" {
		return false
	}
	if acct == o.management {
		return true
	}
	a := env.Snapshot.Account(acct)
	return a != nil && a.Organization != nil && a.Organization.ID == o.id
}

// note says how the organization was judged, for messages.
func (o keyOrg) note() Text {
	switch {
	case o.unknown:
		return T(mCrossOrgUnread)
	case o.id == "":
		return T(mCrossNoOrg)
	}
	return T(mCrossOutsideOrg, o.id)
}

// externalAccess is what one account (or every account of another
// organization) can do with a key.
type externalAccess struct {
	account                   string // "" for an organization subject
	org                       string // set for an organization subject
	actions, unknown, missing map[string]bool
	paths                     map[string]Text // by the English line
	stmts                     map[int]*policy.Statement
	grants                    map[string]bool
	// unless are inputs that were not read and could block the access.
	unless map[string]bool
}

func newExternal(acct, org string) *externalAccess {
	return &externalAccess{account: acct, org: org, actions: map[string]bool{}, unknown: map[string]bool{}, missing: map[string]bool{},
		paths: map[string]Text{}, stmts: map[int]*policy.Statement{}, grants: map[string]bool{}, unless: map[string]bool{}}
}

func (x *externalAccess) record(d *policy.Document, r engine.Result, action string, path Text) {
	if r.Decision == engine.Unknown {
		x.unknown[action] = true
		for _, m := range r.Missing {
			x.missing[m] = true
		}
	} else {
		x.actions[action] = true
		for _, u := range r.Unless {
			x.unless[u] = true
		}
	}
	x.paths[path.EN] = path
	for _, s := range keyPolicyStatements(d, r) {
		x.stmts[s.Index] = s
	}
	for _, g := range grantIDs(r) {
		x.grants[g] = true
	}
}

var (
	accountIDPattern = regexp.MustCompile(`\b[0-9]{12}\b`)
	orgIDPattern     = regexp.MustCompile(`\bo-[a-z0-9]{10,32}\b`)
)

// externalAccesses finds every other account that can use the key: the
// principals of other accounts who-can lists (named in the key policy or
// a grant, or in the inventory), and the accounts and organizations that
// the conditions of Principal "*" statements pin the caller to, asked
// about with a stand-in principal of each.
func externalAccesses(w *whoCanMemo, k *access.Key) map[string]*externalAccess {
	out := map[string]*externalAccess{}
	get := func(acct, org string) *externalAccess {
		id := acct
		if org != "" {
			id = "org:" + org
		}
		x := out[id]
		if x == nil {
			x = newExternal(acct, org)
			out[id] = x
		}
		return x
	}
	own := k.Inv.Account
	for _, a := range useActions(k.Inv) {
		for _, e := range w.outside(k, a) {
			if e.Account == "" || e.Account == own || e.Kind == access.KindAnyone || e.Kind == access.KindService {
				continue
			}
			if e.Decision != engine.Allow && e.Decision != engine.Unknown {
				continue
			}
			if !namedOrGranted(k.Policy, e.Result) {
				// Only a "*" statement allows: the stand-in probes below
				// decide those, with the account's organization known.
				continue
			}
			// The description is who-can's, in English in both languages.
			who := strings.TrimSuffix(strings.TrimSuffix(e.Description, " that its own IAM policies allow"), " (its own IAM policies are unknown)")
			path := msg.Same(who)
			if e.Grant != "" {
				path = T(mCrossViaGrant, who, e.Grant)
			} else if st := keyPolicyStatements(k.Policy, e.Result); len(st) > 0 {
				path = T(mCrossViaStatement, who, stmtList(st))
			}
			get(e.Account, "").record(k.Policy, e.Result, a, withConditions(path, e.Result))
		}
	}
	// Principal "*" statements pinned to other accounts or organizations.
	accts, orgs := map[string]bool{}, map[string]bool{}
	for _, s := range wildcardStatements(k.Policy) {
		for _, c := range s.Conditions {
			for _, v := range c.Values {
				for _, m := range accountIDPattern.FindAllString(v, -1) {
					if m != own {
						accts[m] = true
					}
				}
				for _, m := range orgIDPattern.FindAllString(v, -1) {
					orgs[m] = true
				}
			}
		}
	}
	if len(accts)+len(orgs) == 0 {
		return out
	}
	kk := k.WithGrants(nil)
	for _, acct := range sortedKeys(accts) {
		p := accountProbe(acct, orgOfAccount(w.env, k, acct))
		if len(p.sym.NotOrgs) > 0 {
			// Organizations reported on their own are not counted
			// again for each account.
			p.sym.NotOrgs = append(p.sym.NotOrgs, sortedKeys(orgs)...)
		}
		for _, a := range useActions(k.Inv) {
			r := decideProbe(w.env, kk, p, a)
			if r.Decision == engine.Allow || r.Decision == engine.Unknown {
				st := stmtList(keyPolicyStatements(k.Policy, r))
				get(acct, "").record(k.Policy, r, a, withConditions(T(mCrossAnyOfAccount, acct, st), r))
			}
		}
	}
	not := append([]string{own}, sortedKeys(accts)...)
	for acct := range out {
		if acct != "" && !strings.HasPrefix(acct, "org:") && !containsString(not, acct) {
			not = append(not, acct)
		}
	}
	sort.Strings(not)
	for _, org := range sortedKeys(orgs) {
		p := orgProbe(org, not)
		for _, a := range useActions(k.Inv) {
			r := decideProbe(w.env, kk, p, a)
			if r.Decision == engine.Allow || r.Decision == engine.Unknown {
				st := stmtList(keyPolicyStatements(k.Policy, r))
				get("", org).record(k.Policy, r, a, withConditions(T(mCrossAnyOfOrg, org, st), r))
			}
		}
	}
	return out
}

// namedOrGranted reports whether an allow cites a grant or a key-policy
// statement that names principals (not "*" or NotPrincipal).
func namedOrGranted(d *policy.Document, r engine.Result) bool {
	if len(grantIDs(r)) > 0 {
		return true
	}
	for _, s := range keyPolicyStatements(d, r) {
		if s.NotPrincipal == nil && s.Principal != nil && !s.Principal.Wildcard {
			return true
		}
	}
	return false
}

// orgOfAccount is what to assume of the organization of another account:
// the input's, when the input holds the account; otherwise, if the key's
// account is in an organization, that it is not in it (the check judges
// the account to be outside).
func orgOfAccount(env *Env, k *access.Key, acct string) string {
	if a := env.Snapshot.Account(acct); a != nil {
		switch {
		case a.Organization != nil:
			return a.Organization.ID
		case a.OrganizationIncomplete != nil:
			return "?"
		}
		return ""
	}
	if o := orgOfKey(env, k); o.id != "" {
		return "!" + o.id
	}
	return "?"
}

// withConditions appends the conditions of an allow to a path line. The
// caller's own IAM policies, which every cross-account path needs, are
// said once rather than per action. The conditions are the engine's text,
// the same in both languages.
func withConditions(path Text, r engine.Result) Text {
	var cs []string
	iam := false
	for _, c := range r.Conditions {
		if strings.HasPrefix(c, "its own IAM policies") {
			iam = true
			continue
		}
		if !containsString(r.Unless, c) {
			cs = append(cs, c)
		}
	}
	if len(cs) > 0 {
		path = T(mCrossIf, path, strings.Join(cs, " && "))
	}
	if iam {
		path = T(mCrossOwnIAM, path)
	}
	return path
}

func sortedExternal(m map[string]*externalAccess) []*externalAccess {
	var out []*externalAccess
	for _, x := range m {
		out = append(out, x)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].account != out[j].account {
			return out[i].account < out[j].account
		}
		return out[i].org < out[j].org
	})
	return out
}

func crossAccountFinding(k *access.Key, org keyOrg, xa *externalAccess) Finding {
	ref := keyRef(k.Inv)
	status, acts := Fail, xa.actions
	if len(acts) == 0 {
		status, acts = Unknown, xa.unknown
	}
	f := keyFinding(k, status, true)
	who := T(mCrossAccount, xa.account)
	if xa.org != "" {
		who = T(mCrossEveryAccountOfOrg, xa.org)
	} else {
		f.Principal = "arn:aws:iam::" + xa.account + ":root"
	}
	if st := sortedStatements(xa.stmts); len(st) > 0 {
		f.Statement = stmtRef(st[0])
	}
	note := org.note()
	f.Message = T(mCrossFail, who, note, ref, summarizeActions(acts))
	if status == Unknown {
		f.Message = T(mCrossUnknown, who, note, ref)
		f.Missing = sortedKeys(xa.missing)
	}
	for _, p := range slices.Sorted(maps.Keys(xa.paths)) {
		f.Explanation = append(f.Explanation, xa.paths[p])
	}
	f.Explanation = append(f.Explanation, unreadCaveats(sortedKeys(xa.unless))...)
	return f
}

func sortedStatements(m map[int]*policy.Statement) []*policy.Statement {
	sa := &subjectAccess{stmts: m}
	return sa.statements()
}

// crossAccountFix takes every account (or organization) the key's
// findings name out of the key policy — its principals from the
// statements naming them, its ID from the conditions of "*" statements, a
// statement left with nothing removed — and revokes the grants to its
// principals. The engine proves that only those accounts lose access and
// that they can no longer use the key.
func crossAccountFix(env *Env, k *access.Key, xas []*externalAccess, fs []Finding) *Remediation {
	plan := env.newPlan()
	var doc *remedy.Doc
	var intents []remedy.Intent
	var parts, whos []Text
	revoked := map[string]bool{}
	for i, xa := range xas {
		if fs[i].Status != Fail {
			continue
		}
		xa := xa
		belongs := func(v string) bool {
			if xa.org != "" {
				return strings.Contains(v, xa.org)
			}
			return principalAccount(v) == xa.account
		}
		var touched []string
		for _, s := range sortedStatements(xa.stmts) {
			if doc == nil {
				doc = plan.KeyPolicy(k)
			}
			touched = append(touched, stmtLabel(s))
			for _, st := range doc.From(s.Index) {
				if !st.Wildcard() {
					if !st.RemoveAWS(belongs) {
						doc.Remove(st)
					}
					continue
				}
				if !st.RemoveConditionValues(belongs) {
					doc.Remove(st)
				}
			}
		}
		var grants []string
		grantIDs := map[string]bool{}
		for gi := range k.Inv.Grants {
			g := &k.Inv.Grants[gi]
			if xa.account != "" && principalAccount(g.GranteePrincipal) == xa.account && !revoked[g.ID] {
				revoked[g.ID] = true
				plan.RevokeGrant(k, g)
				grants = append(grants, g.ID)
				grantIDs[g.ID] = true
			}
		}
		who := T(mCrossAccount, xa.account)
		if xa.org != "" {
			who = T(mCrossOrg, xa.org)
		}
		whos = append(whos, who)
		if len(touched) > 0 {
			plan.SayKeyPolicy(k, T(mCrossEdit, msg.List(touched), who))
			parts = append(parts, T(mCrossRemoveFrom, who, msg.List(touched)))
		}
		if len(grants) > 0 {
			parts = append(parts, T(mCrossRevoke, msg.List(grants)))
		}
		id := xa.account
		if xa.org != "" {
			id = "org:" + xa.org
		}
		xaIdx := map[int]bool{}
		for i := range xa.stmts {
			xaIdx[i] = true
		}
		intents = append(intents, remedy.Intent{
			Name: intentName("key-cross-account", &fs[i]),
			Lose: onKey(k, func(c *access.Change) bool {
				if citesGrantID(c.Before, grantIDs) || citesStatements(c.Before, xaIdx) {
					return true // what the revoked grants and the edited statements gave it
				}
				if xa.org != "" {
					return c.Symbol != nil && c.Symbol.OrgID == xa.org || c.Kind == access.KindOrg
				}
				return changeAccount(c) == xa.account
			}),
			Effective: func(w *remedy.World) bool {
				_, still := externalAccesses(newWhoCanMemo(env), w.Key(k))[id]
				return !still
			},
		})
	}
	summary := T(mCrossFix, msg.Join(whos, Text{EN: ", ", JA: "、"}), msg.Join(parts, Text{EN: "; ", JA: "。"}))
	return prove(plan, fixID("key-cross-account", k.ARN), summary, intents)
}
