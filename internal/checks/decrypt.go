package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/policy"
)

// decryptActions are the actions KMS.1 and KMS.2 look for.
var decryptActions = []string{"kms:Decrypt", "kms:ReEncryptFrom"}

// decryptFindings evaluates KMS.1/KMS.2 on a set of policies.
func decryptFindings(env *Env, ps []identityPolicy, what string) []Finding {
	var out []Finding
	for i := range ps {
		p := &ps[i]
		if p.Err != nil {
			out = append(out, unknownPolicy(p))
			continue
		}
		grants := broadKMSGrants(p.Doc, decryptActions)
		if len(grants) == 0 {
			out = append(out, Finding{Status: Pass, Resource: p.Resource(), Account: p.Account, Principal: principalOf(p), Policy: p.Label, Source: p.Source,
				Message: Text{EN: p.Label + " does not allow decryption with all KMS keys", JA: p.Label + " はすべての KMS キーでの復号を許可していません"}})
			continue
		}
		for _, g := range grants {
			out = append(out, decryptFailure(env, p, g))
		}
	}
	return out
}

func principalOf(p *identityPolicy) string {
	if p.Managed != nil {
		return ""
	}
	return p.OwnerARN
}

func unknownPolicy(p *identityPolicy) Finding {
	return Finding{Status: Unknown, Resource: p.Resource(), Account: p.Account, Principal: principalOf(p), Policy: p.Label, Source: p.Source,
		Message: Text{EN: p.Label + " could not be checked: " + p.Err.Error(), JA: p.Label + " を確認できませんでした: " + p.Err.Error()},
		Missing: []string{p.Err.Error()}}
}

func stmtRef(s *policy.Statement) *Statement { return &Statement{Index: s.Index, Sid: s.Sid} }

func stmtLabel(s *policy.Statement) string {
	if s.Sid != "" {
		return fmt.Sprintf("'%s' (#%d)", s.Sid, s.Index)
	}
	return fmt.Sprintf("#%d", s.Index)
}

// decryptFailure builds the failing finding with its two fixes: narrow the
// statement to the keys it needs, or move the permission into those keys'
// policies.
func decryptFailure(env *Env, p *identityPolicy, g broadGrant) Finding {
	acts := strings.Join(g.Actions, " and ")
	f := Finding{Status: Fail, Resource: p.Resource(), Account: p.Account, Principal: principalOf(p), Policy: p.Label,
		Statement: stmtRef(g.Stmt), Source: p.Source,
		Message: Text{
			EN: fmt.Sprintf("%s statement %s allows %s on KMS keys not pinned to fixed ARNs (%s)", p.Label, stmtLabel(g.Stmt), acts, g.Resources),
			JA: fmt.Sprintf("%s のステートメント %s が、固定の ARN に限定されていない KMS キー (%s) に対して %s を許可しています", p.Label, stmtLabel(g.Stmt), g.Resources, acts),
		}}
	if len(p.Attached) > 0 {
		f.Explanation = append(f.Explanation, attachedTo(p.Attached))
	}
	keys := reachableKeys(env, p, g)
	for _, k := range keys {
		f.Explanation = append(f.Explanation, Text{
			EN: "reaches " + k.ARN + " (its key policy delegates to the account)",
			JA: "対象になるキー: " + k.ARN + " (キーポリシーがアカウントに委任しているため)",
		})
	}
	f.Remediation = decryptRemediation(env, p, g, keys)
	return f
}

// reachableKeys lists the customer managed keys of the policy's account
// that the statement reaches today: their key policy delegates to the
// account. They are the candidates for the explicit key list.
func reachableKeys(env *Env, p *identityPolicy, g broadGrant) []*access.Key {
	var out []*access.Key
	for _, k := range env.Index.Keys() {
		if k.Inv.Account != p.Account || k.Inv.AWSManaged() || k.Policy == nil {
			continue
		}
		if g.Stmt.MatchResource(k.ARN, &policy.MapContext{Open: true}) == policy.False {
			continue
		}
		if delegatesTo(k.Policy, p.Account) {
			out = append(out, k)
		}
	}
	return out
}

// delegatesTo reports whether a key policy has an Allow for the account
// principal.
func delegatesTo(d *policy.Document, acct string) bool {
	for _, s := range d.Statements {
		if s.Effect != policy.Allow || s.Principal == nil {
			continue
		}
		for _, v := range s.Principal.AWS {
			if v == acct || v == "arn:aws:iam::"+acct+":root" {
				return true
			}
		}
	}
	return false
}

func decryptRemediation(env *Env, p *identityPolicy, g broadGrant, keys []*access.Key) *Remediation {
	arns := make([]string, len(keys))
	for i, k := range keys {
		arns[i] = k.ARN
	}
	sort.Strings(arns)
	narrowed, err := editPolicy(p.Doc.Raw, g.Stmt.Index, func(st map[string]any) []map[string]any {
		return narrowStatement(st, arns)
	})
	if err != nil {
		return &Remediation{Summary: Text{EN: "Replace the statement's Resource with the ARNs of the keys the principals use.", JA: "ステートメントの Resource を、プリンシパルが使用するキーの ARN に置き換えてください。"}}
	}
	r := &Remediation{
		Summary: Text{
			EN: fmt.Sprintf("Pin statement %s of %s to the keys it needs: list their ARNs in Resource instead of %s.", stmtLabel(g.Stmt), p.Label, g.Resources),
			JA: fmt.Sprintf("%s のステートメント %s を必要なキーに限定してください: Resource に %s ではなくキーの ARN を列挙します。", p.Label, stmtLabel(g.Stmt), g.Resources),
		},
		Console:   consoleSteps(p, g, arns),
		CLI:       cliPutIdentityPolicy(p, narrowed),
		Terraform: terraformIdentityPolicy(p, narrowed),
	}
	if len(arns) == 0 {
		r.Summary.EN += " No key of the account is reachable through this statement today, so the fix removes the decrypt permission; add the ARNs of keys the principals need."
		r.Summary.JA += " 現在このステートメントで到達できるキーはないため、修正では復号の権限を削除します。必要なキーの ARN を追加してください。"
	}
	// Verify: the fixed policy no longer triggers the check.
	if d, err := reparse(narrowed, policy.Identity); err == nil && len(broadKMSGrants(d, decryptActions)) == 0 {
		r.Verified = true
	}
	if alt := moveToKeyPolicies(env, p, g, keys, narrowed); alt != nil {
		r.Alternatives = append(r.Alternatives, *alt)
	}
	return r
}

// narrowStatement pins the KMS part of a statement to the key list. A
// statement that grants only KMS actions gets the keys as its Resource. A
// statement that also grants other actions is split: it keeps the other
// actions on its old resources (KMS taken out: the kms patterns removed, or
// "kms:*" excluded through NotAction) and a new statement grants the KMS
// part on the keys. With no keys the KMS part is dropped.
func narrowStatement(st map[string]any, arns []string) []map[string]any {
	ak, nak := elementKey(st, "Action"), elementKey(st, "NotAction")
	rk, nrk := elementKey(st, "Resource"), elementKey(st, "NotResource")
	actions, notActions := stringList(st[ak]), stringList(st[nak])
	var kmsPart, rest []string
	for _, a := range actions {
		if strings.HasPrefix(strings.ToLower(a), "kms:") {
			kmsPart = append(kmsPart, a)
		} else {
			rest = append(rest, a)
		}
	}
	onlyKMS := st[ak] != nil && len(rest) == 0
	var out []map[string]any
	if !onlyKMS {
		// Keep the non-KMS grant on the old resources, without KMS.
		keep := map[string]any{}
		for k, v := range st {
			keep[k] = v
		}
		switch {
		case st[nak] != nil:
			keep[nak] = anyList(append(notActions, "kms:*"))
		case containsString(rest, "*"):
			delete(keep, ak)
			keep["NotAction"] = "kms:*"
		default:
			keep[ak] = anyList(rest)
		}
		out = append(out, keep)
		if len(kmsPart) == 0 {
			kmsPart = []string{"kms:*"}
		}
	}
	// Fixed ARNs the statement already named stay.
	for _, r := range stringList(st[rk]) {
		if !strings.ContainsAny(r, "*?") && !containsString(arns, r) {
			arns = append(arns, r)
		}
	}
	if len(arns) == 0 {
		return out
	}
	pinned := map[string]any{}
	for k, v := range st {
		if k != ak && k != nak && k != rk && k != nrk {
			pinned[k] = v
		}
	}
	if !onlyKMS {
		if sid, ok := pinned[elementKey(pinned, "Sid")].(string); ok && sid != "" {
			pinned[elementKey(pinned, "Sid")] = sid + "PinnedKeys"
		}
	}
	if onlyKMS {
		kmsPart = actions
	}
	pinned["Action"] = anyList(kmsPart)
	pinned["Resource"] = anyList(arns)
	return append(out, pinned)
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func consoleSteps(p *identityPolicy, g broadGrant, arns []string) []Text {
	list := "(no key of the account is reachable today; add the keys the principals need)"
	if len(arns) > 0 {
		list = strings.Join(arns, ", ")
	}
	var steps []Text
	if p.Managed != nil {
		steps = append(steps,
			Text{EN: "Open the IAM console, choose Policies, and open " + p.Managed.Name + " (" + p.Managed.ARN + ").", JA: "IAM コンソールで「ポリシー」を選び、" + p.Managed.Name + " (" + p.Managed.ARN + ") を開きます。"},
			Text{EN: "Choose Edit, then JSON.", JA: "「編集」を選び、「JSON」を選択します。"})
	} else {
		kind := map[string]string{"user": "Users", "group": "User groups", "role": "Roles"}[p.OwnerKind]
		kindJA := map[string]string{"user": "ユーザー", "group": "ユーザーグループ", "role": "ロール"}[p.OwnerKind]
		steps = append(steps,
			Text{EN: "Open the IAM console, choose " + kind + ", and open " + p.OwnerName + ".", JA: "IAM コンソールで「" + kindJA + "」を選び、" + p.OwnerName + " を開きます。"},
			Text{EN: "On the Permissions tab, open the inline policy " + p.Name + " and choose Edit, then JSON.", JA: "「許可」タブでインラインポリシー " + p.Name + " を開き、「編集」→「JSON」を選択します。"})
	}
	steps = append(steps,
		Text{EN: fmt.Sprintf("In statement %s, replace the Resource %s with: %s.", stmtLabel(g.Stmt), g.Resources, list), JA: fmt.Sprintf("ステートメント %s の Resource %s を次に置き換えます: %s。", stmtLabel(g.Stmt), g.Resources, list)},
		Text{EN: "Choose Next, then Save changes (for a managed policy this creates a new default version).", JA: "「次へ」を選び、「変更を保存」を選択します (管理ポリシーでは新しいデフォルトバージョンが作成されます)。"})
	return steps
}

// moveToKeyPolicies is the second fix: drop the KMS permission from the IAM
// policy and name the principals in the key policies of the keys instead.
// It is verified with the engine: the new key policy still lets someone
// change it (no lockout).
func moveToKeyPolicies(env *Env, p *identityPolicy, g broadGrant, keys []*access.Key, _ []byte) *Remediation {
	principals := principalsOf(env, p)
	if len(principals) == 0 || len(keys) == 0 {
		return nil
	}
	stripped, err := editPolicy(p.Doc.Raw, g.Stmt.Index, func(st map[string]any) []map[string]any { return narrowStatement(st, nil) })
	if err != nil {
		return nil
	}
	r := &Remediation{
		Summary: Text{
			EN: fmt.Sprintf("Or remove %s from %s and allow it in the key policy of each key the principals need, naming %s.", strings.Join(g.Actions, " and "), p.Label, strings.Join(principals, ", ")),
			JA: fmt.Sprintf("または %s から %s を削除し、必要な各キーのキーポリシーで %s を指定して許可してください。", p.Label, strings.Join(g.Actions, " と "), strings.Join(principals, ", ")),
		},
		Verified: true,
	}
	cli := []string{cliPutIdentityPolicy(p, stripped)}
	tf := []string{terraformIdentityPolicy(p, stripped)}
	const maxKeys = 3
	for i, k := range keys {
		if i == maxKeys {
			cli = append(cli, fmt.Sprintf("# … and the same for the other %d keys", len(keys)-maxKeys))
			break
		}
		fixed, err := addStatements(k.Policy.Raw, map[string]any{
			"Sid":       "AllowDecryptFor" + tfName(p.Name),
			"Effect":    "Allow",
			"Principal": map[string]any{"AWS": anyList(principals)},
			"Action":    anyList(g.Actions),
			"Resource":  "*",
		})
		if err != nil {
			return nil
		}
		if !keepsManagement(env, k, fixed) {
			r.Verified = false
		}
		cli = append(cli, cliPutKeyPolicyIn(k.Inv, fixed))
		tf = append(tf, terraformKeyPolicy(k.ARN, fixed))
	}
	r.CLI = strings.Join(cli, "\n\n")
	r.Terraform = strings.Join(tf, "\n\n")
	r.Console = []Text{
		{EN: "In the KMS console, open each key listed above, choose Key policy, Edit, and add a statement allowing " + strings.Join(g.Actions, ", ") + " for " + strings.Join(principals, ", ") + ".",
			JA: "KMS コンソールで上記の各キーを開き、「キーポリシー」→「編集」で " + strings.Join(principals, ", ") + " に " + strings.Join(g.Actions, ", ") + " を許可するステートメントを追加します。"},
		{EN: "Then remove " + strings.Join(g.Actions, " and ") + " from " + p.Label + ".", JA: "その後 " + p.Label + " から " + strings.Join(g.Actions, " と ") + " を削除します。"},
	}
	return r
}

// principalsOf lists the principals a policy gives permissions to, as key
// policies can name them: users and roles (a group's members, since a key
// policy cannot name a group).
func principalsOf(env *Env, p *identityPolicy) []string {
	var out []string
	seen := map[string]bool{}
	add := func(arn string) {
		if !seen[arn] {
			seen[arn] = true
			out = append(out, arn)
		}
	}
	groupMembers := func(acct *inventory.Account, group string) {
		for _, u := range acct.Users {
			for _, g := range u.Groups {
				if g == group {
					add(u.ARN)
				}
			}
		}
	}
	acct := env.Snapshot.Account(p.Account)
	if p.Managed == nil {
		if p.OwnerKind == "group" {
			groupMembers(acct, p.OwnerName)
		} else {
			add(p.OwnerARN)
		}
		return out
	}
	for _, arn := range p.Attached {
		if strings.Contains(arn, ":group/") {
			groupMembers(acct, arn[strings.LastIndexByte(arn, '/')+1:])
			continue
		}
		add(arn)
	}
	sort.Strings(out)
	return out
}

// keepsManagement re-checks a fixed key policy with the engine: someone of
// the inventory (the root user through the account statement, or a named
// administrator that still exists) can still call kms:PutKeyPolicy.
func keepsManagement(env *Env, k *access.Key, fixed []byte) bool {
	d, err := policy.Parse("fixed key policy of "+k.ARN, fixed, policy.Resource)
	if err != nil {
		return false
	}
	return managedAfter(env, k.WithPolicy(d))
}

func joinComma(ss []string) string { return strings.Join(ss, ", ") }

// attachedTo is the explanation line naming the principals a policy is
// attached to.
func attachedTo(arns []string) Text {
	return Text{EN: "attached to: " + joinComma(arns), JA: "アタッチ先: " + joinComma(arns)}
}

// fullAccessRemediation narrows a full-access statement to the keys it
// reaches; for an AWS managed policy (which cannot be edited) it advises
// detaching it.
func fullAccessRemediation(env *Env, p *identityPolicy, g broadGrant) *Remediation {
	if p.Managed != nil && p.Managed.AWSManaged {
		var cli []string
		for _, a := range p.Attached {
			kind := "role"
			switch {
			case strings.Contains(a, ":user/"):
				kind = "user"
			case strings.Contains(a, ":group/"):
				kind = "group"
			}
			cli = append(cli, fmt.Sprintf("aws iam detach-%s-policy --%s-name %s --policy-arn %s", kind, kind, shellQuote(a[strings.LastIndexByte(a, '/')+1:]), p.Managed.ARN))
		}
		return &Remediation{
			Summary: Text{EN: p.Label + " cannot be edited: detach it and attach a customer managed policy that names the keys and the KMS actions needed.",
				JA: p.Label + " は編集できません。デタッチし、必要なキーと KMS アクションを指定したカスタマー管理ポリシーをアタッチしてください。"},
			Console: []Text{{EN: "In the IAM console, open each principal the policy is attached to and remove " + p.Managed.Name + " from its permissions.",
				JA: "IAM コンソールで、ポリシーがアタッチされた各プリンシパルを開き、許可から " + p.Managed.Name + " を削除します。"}},
			CLI: strings.Join(cli, "\n"),
		}
	}
	return decryptRemediation(env, p, g, reachableKeys(env, p, g))
}
