package checks

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/policy"
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
		for _, xa := range sortedExternal(externalAccesses(w, k)) {
			if xa.account != "" && (org.contains(env, xa.account) || env.TrustedAccounts[xa.account]) {
				continue
			}
			if xa.org != "" && xa.org == org.id {
				continue
			}
			out = append(out, crossAccountFinding(env, k, org, xa))
			n++
		}
		if n > 0 {
			return out
		}
		if k.GrantsGap != nil {
			f := keyFinding(k, Unknown, true)
			f.Message = Text{
				EN: "no account outside the organization can use key " + keyRef(k.Inv) + " through its key policy, but its grants were not read",
				JA: "キーポリシーでは組織外のアカウントはキー " + keyRef(k.Inv) + " を使用できませんが、グラントを取得できませんでした",
			}
			f.Missing = []string{k.GrantsGap.String()}
			out = append(out, f)
			return out
		}
		f := keyFinding(k, Pass, true)
		f.Message = Text{
			EN: "no account outside the organization (or the trusted accounts) can use key " + keyRef(k.Inv),
			JA: "組織 (または信頼済みアカウント) の外のアカウントはキー " + keyRef(k.Inv) + " を使用できません",
		}
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
		return Text{EN: "the organization could not be read: judged by account alone", JA: "組織の情報を取得できなかったため、アカウント単位で判定"}
	case o.id == "":
		return Text{EN: "the key's account is in no organization: judged by account alone", JA: "キーのアカウントは組織に属していないため、アカウント単位で判定"}
	}
	return Text{EN: "outside organization " + o.id, JA: "組織 " + o.id + " の外"}
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
			path := Text{EN: who, JA: who}
			if e.Grant != "" {
				path = Text{EN: who + " through grant " + e.Grant, JA: who + ": グラント " + e.Grant + " 経由"}
			} else if st := keyPolicyStatements(k.Policy, e.Result); len(st) > 0 {
				path = Text{EN: who + " through key policy statement " + stmtList(st), JA: who + ": キーポリシーのステートメント " + stmtList(st) + " 経由"}
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
				get(acct, "").record(k.Policy, r, a, withConditions(Text{
					EN: "any principal of account " + acct + " through key policy statement " + st,
					JA: "アカウント " + acct + " の任意のプリンシパル: キーポリシーのステートメント " + st + " 経由",
				}, r))
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
				get("", org).record(k.Policy, r, a, withConditions(Text{
					EN: "any principal of organization " + org + " through key policy statement " + st,
					JA: "組織 " + org + " の任意のプリンシパル: キーポリシーのステートメント " + st + " 経由",
				}, r))
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
		path.EN += " (if " + strings.Join(cs, " and ") + ")"
		path.JA += " (条件: " + strings.Join(cs, " かつ ") + ")"
	}
	if iam {
		path.EN += "; its own IAM policies must allow it too"
		path.JA += "。そのプリンシパル自身の IAM ポリシーでも許可されている必要があります"
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

func crossAccountFinding(env *Env, k *access.Key, org keyOrg, xa *externalAccess) Finding {
	ref := keyRef(k.Inv)
	status, acts := Fail, xa.actions
	if len(acts) == 0 {
		status, acts = Unknown, xa.unknown
	}
	f := keyFinding(k, status, true)
	who := Text{EN: "account " + xa.account, JA: "アカウント " + xa.account}
	if xa.org != "" {
		who = Text{EN: "every account of organization " + xa.org, JA: "組織 " + xa.org + " のすべてのアカウント"}
	} else {
		f.Principal = "arn:aws:iam::" + xa.account + ":root"
	}
	if st := sortedStatements(xa.stmts); len(st) > 0 {
		f.Statement = stmtRef(st[0])
	}
	note := org.note()
	f.Message = Text{
		EN: fmt.Sprintf("%s (%s) can use key %s (%s)", who.EN, note.EN, ref, summarizeActions(acts)),
		JA: fmt.Sprintf("%s (%s) がキー %s を使用できます (%s)", who.JA, note.JA, ref, summarizeActions(acts)),
	}
	if status == Unknown {
		f.Message = Text{
			EN: fmt.Sprintf("whether %s (%s) can use key %s could not be decided", who.EN, note.EN, ref),
			JA: fmt.Sprintf("%s (%s) がキー %s を使用できるか判定できませんでした", who.JA, note.JA, ref),
		}
		f.Missing = sortedKeys(xa.missing)
	}
	for _, p := range slices.Sorted(maps.Keys(xa.paths)) {
		f.Explanation = append(f.Explanation, xa.paths[p])
	}
	f.Explanation = append(f.Explanation, unreadCaveats(sortedKeys(xa.unless))...)
	if status == Fail {
		f.Remediation = crossAccountRemediation(env, k, xa)
	}
	return f
}

func sortedStatements(m map[int]*policy.Statement) []*policy.Statement {
	sa := &subjectAccess{stmts: m}
	return sa.statements()
}

// crossAccountRemediation removes the account from the key policy (its
// principals from the statements naming them, its ID from the conditions
// of "*" statements, dropping a statement left with nothing) and revokes
// the grants to its principals. The engine re-checks the fixed key: the
// account can no longer use it, and the key stays manageable.
func crossAccountRemediation(env *Env, k *access.Key, xa *externalAccess) *Remediation {
	p, err := decodeKeyPolicy(k.Policy.Raw)
	if err != nil {
		return nil
	}
	belongs := func(v string) bool {
		if xa.org != "" {
			return strings.Contains(v, xa.org)
		}
		return principalAccount(v) == xa.account
	}
	var touched []*policy.Statement
	for _, s := range sortedStatements(xa.stmts) {
		st := p.stmt(s.Index)
		if st == nil {
			continue
		}
		touched = append(touched, s)
		if s.Principal != nil && !s.Principal.Wildcard {
			if !removePrincipals(st, belongs) {
				p.remove(s.Index)
			}
			continue
		}
		if !removeConditionValues(st, belongs) {
			p.remove(s.Index)
		}
	}
	var grants []string
	for _, g := range k.Inv.Grants {
		if xa.account != "" && principalAccount(g.GranteePrincipal) == xa.account {
			grants = append(grants, g.ID)
		}
	}
	sort.Strings(grants)
	who := Text{EN: "account " + xa.account, JA: "アカウント " + xa.account}
	if xa.org != "" {
		who = Text{EN: "organization " + xa.org, JA: "組織 " + xa.org}
	}
	var en, ja []string
	r := &Remediation{}
	var fixed []byte
	if len(touched) > 0 {
		if fixed, err = p.encode(); err != nil {
			return nil
		}
		r = keyPolicyFix(k, fixed, Text{}, Text{
			EN: "Remove " + who.EN + " from statement " + stmtList(touched) + " (its principals, or its ID in the conditions); delete a statement left without principals or with an emptied condition.",
			JA: "ステートメント " + stmtList(touched) + " から" + who.JA + " (そのプリンシパル、または条件内の ID) を削除します。プリンシパルがなくなったステートメントや、条件が空になったステートメントは削除します。",
		})
		en = append(en, "remove it from key policy statement "+stmtList(touched))
		ja = append(ja, "キーポリシーのステートメント "+stmtList(touched)+" から削除し")
	}
	if len(grants) > 0 {
		var cli []string
		for _, g := range grants {
			cli = append(cli, fmt.Sprintf("aws kms revoke-grant --region %s --key-id %s --grant-id %s", k.Inv.Region, k.ARN, g))
		}
		if r.CLI != "" {
			cli = append(cli, "", r.CLI)
		}
		r.CLI = strings.Join(cli, "\n")
		en = append(en, "revoke grant "+strings.Join(grants, ", "))
		ja = append(ja, "グラント "+strings.Join(grants, ", ")+" を取り消し")
		r.Console = append(r.Console, Text{
			EN: "Grants are not shown in the console: revoke them with the AWS CLI command (aws kms revoke-grant).",
			JA: "グラントはコンソールに表示されないため、AWS CLI コマンド (aws kms revoke-grant) で取り消します。",
		})
	}
	r.Summary = Text{
		EN: "If " + who.EN + " should not use the key, " + strings.Join(en, " and ") + ". If it is a partner you trust, list it in --trusted-accounts instead.",
		JA: who.JA + " がキーを使用すべきでないなら、" + strings.Join(ja, "、") + "てください。信頼できる取引先であれば、代わりに --trusted-accounts に指定してください。",
	}
	// Re-check: the key with the fixed policy and without those grants.
	fk := k
	if fixed != nil {
		if fk, err = parseFixed(k, fixed); err != nil {
			return r
		}
	} else {
		c := *k
		fk = &c
	}
	var keep []engine.Grant
	for _, g := range fk.Grants {
		if !containsString(grants, g.ID) {
			keep = append(keep, g)
		}
	}
	fk.Grants = keep
	id := xa.account
	if xa.org != "" {
		id = "org:" + xa.org
	}
	_, still := externalAccesses(newWhoCanMemo(env), fk)[id]
	r.Verified = !still && managedAfter(env, fk)
	if fixed != nil {
		callerCheck(env, k, "kms:PutKeyPolicy", r)
	}
	if len(grants) > 0 {
		callerCheck(env, k, "kms:RevokeGrant", r)
	}
	return r
}

// removeConditionValues takes the values drop reports out of a statement's
// conditions. It reports false when a condition is left without values:
// the statement must then be removed, since dropping the condition would
// widen it.
func removeConditionValues(st map[string]any, drop func(string) bool) bool {
	cond, _ := st[elementKey(st, "Condition")].(map[string]any)
	for _, block := range cond {
		b, ok := block.(map[string]any)
		if !ok {
			continue
		}
		for key, vals := range b {
			var keep []string
			changed := false
			for _, v := range stringList(vals) {
				if drop(v) {
					changed = true
					continue
				}
				keep = append(keep, v)
			}
			if !changed {
				continue
			}
			if len(keep) == 0 {
				return false
			}
			b[key] = anyList(keep)
		}
	}
	return true
}
