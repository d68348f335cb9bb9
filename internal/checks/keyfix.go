package checks

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/policy"
)

// This file builds the key-policy fixes of the key checks: a key policy
// decoded as JSON, edited statement by statement, and re-encoded, plus the
// engine re-checks every fix goes through before it is shown.

// rawPolicy is a key policy decoded for editing. Its statements keep the
// order (and so the indexes) that policy.Parse gives them.
type rawPolicy struct {
	doc   map[string]any
	key   string // the Statement element's name as written
	stmts []map[string]any
}

func decodeKeyPolicy(raw []byte) (*rawPolicy, error) {
	doc, err := decodePolicy(raw)
	if err != nil {
		return nil, err
	}
	p := &rawPolicy{doc: doc, key: elementKey(doc, "Statement")}
	switch st := doc[p.key].(type) {
	case map[string]any:
		p.stmts = []map[string]any{st}
	case []any:
		for _, s := range st {
			m, ok := s.(map[string]any)
			if !ok {
				return nil, errors.New("statement is not an object")
			}
			p.stmts = append(p.stmts, m)
		}
	default:
		return nil, errors.New("policy has no statements")
	}
	return p, nil
}

// encode writes the edited policy, indented; nil statements are dropped.
func (p *rawPolicy) encode() ([]byte, error) {
	list := []any{}
	for _, s := range p.stmts {
		if s != nil {
			list = append(list, s)
		}
	}
	p.doc[p.key] = list
	return encodePolicy(p.doc)
}

// stmt returns statement i (nil when out of range or removed).
func (p *rawPolicy) stmt(i int) map[string]any {
	if i < 0 || i >= len(p.stmts) {
		return nil
	}
	return p.stmts[i]
}

// remove drops statement i.
func (p *rawPolicy) remove(i int) {
	if i >= 0 && i < len(p.stmts) {
		p.stmts[i] = nil
	}
}

// add appends a statement.
func (p *rawPolicy) add(st map[string]any) { p.stmts = append(p.stmts, st) }

// hasSid reports whether a statement with this Sid exists.
func (p *rawPolicy) hasSid(sid string) bool {
	for _, s := range p.stmts {
		if s != nil {
			if v, _ := s[elementKey(s, "Sid")].(string); v == sid {
				return true
			}
		}
	}
	return false
}

// uniqueSid returns sid, or sid with a number, not used by the policy.
func (p *rawPolicy) uniqueSid(sid string) string {
	if !p.hasSid(sid) {
		return sid
	}
	for i := 2; ; i++ {
		s := fmt.Sprintf("%s%d", sid, i)
		if !p.hasSid(s) {
			return s
		}
	}
}

// copyStatement returns a shallow copy of a statement.
func copyStatement(st map[string]any) map[string]any {
	out := make(map[string]any, len(st))
	for k, v := range st {
		out[k] = v
	}
	return out
}

// removePrincipals takes the AWS principal values that drop reports out of
// a statement's Principal. It reports whether the statement still names
// some principal; a statement that names none must be removed (KMS
// rejects it, and it would apply to no one).
func removePrincipals(st map[string]any, drop func(v string) bool) bool {
	pk := elementKey(st, "Principal")
	switch pr := st[pk].(type) {
	case string:
		if drop(pr) {
			delete(st, pk)
			return false
		}
		return true
	case map[string]any:
		ak := elementKey(pr, "AWS")
		if vals, ok := pr[ak]; ok {
			var keep []string
			for _, v := range stringList(vals) {
				if !drop(v) {
					keep = append(keep, v)
				}
			}
			if len(keep) == 0 {
				delete(pr, ak)
			} else {
				pr[ak] = anyList(keep)
			}
		}
		return len(pr) > 0
	}
	return false
}

// setPrincipal makes a statement name exactly these AWS principals.
func setPrincipal(st map[string]any, values []string) {
	for k := range st {
		if strings.EqualFold(k, "Principal") || strings.EqualFold(k, "NotPrincipal") {
			delete(st, k)
		}
	}
	st["Principal"] = map[string]any{"AWS": anyList(values)}
}

// setActions makes a statement allow exactly these actions.
func setActions(st map[string]any, actions []string) {
	for k := range st {
		if strings.EqualFold(k, "Action") || strings.EqualFold(k, "NotAction") {
			delete(st, k)
		}
	}
	st["Action"] = anyList(actions)
}

// addCondition adds "op": {"key": value} to a statement's Condition. Keys
// of one operator are ANDed, so the statement only narrows; a value the
// key already had under that operator is replaced.
func addCondition(st map[string]any, op, key, value string) {
	ck := elementKey(st, "Condition")
	cond, _ := st[ck].(map[string]any)
	if cond == nil {
		cond = map[string]any{}
	}
	ok := elementKey(cond, op)
	block, _ := cond[ok].(map[string]any)
	if block == nil {
		block = map[string]any{}
	}
	block[elementKey(block, key)] = value
	cond[ok] = block
	st[ck] = cond
}

// accountStatement is the statement of the default key policy: it lets
// the account's IAM policies give access to the key, and its root user
// manage it ([default key policy]).
//
// [default key policy]: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
func accountStatement(sid, acct string) map[string]any {
	return map[string]any{
		"Sid":       sid,
		"Effect":    "Allow",
		"Principal": map[string]any{"AWS": "arn:aws:iam::" + acct + ":root"},
		"Action":    "kms:*",
		"Resource":  "*",
	}
}

// consoleAdminActions are the actions the KMS console gives key
// administrators ([key administrators]); none of them is a cryptographic
// operation.
//
// [key administrators]: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-administrators
var consoleAdminActions = []string{
	"kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
	"kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource",
	"kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand",
}

// actionsWithout returns what a statement allows on a key minus the
// actions drop reports, as an action list for the statement: each action
// pattern it names that loses nothing stays as written, one that loses
// everything goes, and one that loses part of its actions is replaced by
// what it keeps (for kms:*, "*" and NotAction: the console's key
// administrator patterns that fit, then single actions). The result never
// allows an action the statement did not.
func actionsWithout(s *policy.Statement, drop func(action string) bool) []string {
	var out []string
	seen := map[string]bool{}
	add := func(a ...string) {
		for _, x := range a {
			if !seen[x] {
				seen[x] = true
				out = append(out, x)
			}
		}
	}
	if s.Action == nil {
		return compactActions(keyActionsMatching(s.MatchAction, drop))
	}
	for _, pat := range s.Action {
		matched := keyActionsMatching(func(a string) bool { return policy.GlobFold(pat, a) }, nil)
		kept := keyActionsMatching(func(a string) bool { return policy.GlobFold(pat, a) }, drop)
		switch {
		case len(kept) == len(matched):
			add(pat)
		case len(kept) == 0:
		case pat == "*" || strings.EqualFold(pat, "kms:*"):
			add(compactActions(kept)...)
		default:
			add(kept...)
		}
	}
	return out
}

// keyActionsMatching lists the KMS actions on a key (internal ones left
// out) that match and that drop does not report, sorted.
func keyActionsMatching(match func(string) bool, drop func(string) bool) []string {
	var out []string
	for _, a := range awsfacts.KMSActions {
		if a.Resource == awsfacts.NoResource || a.Usage == awsfacts.UsageOther {
			continue
		}
		name := "kms:" + a.Name
		if match(name) && (drop == nil || !drop(name)) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// compactActions writes a set of key actions with the console's key
// administrator patterns where a pattern's actions are all in the set,
// then the rest one by one.
func compactActions(actions []string) []string {
	in := map[string]bool{}
	for _, a := range actions {
		in[a] = true
	}
	covered := map[string]bool{}
	var out []string
	for _, pat := range consoleAdminActions {
		hits := keyActionsMatching(func(a string) bool { return policy.GlobFold(pat, a) }, nil)
		whole := len(hits) > 0
		for _, h := range hits {
			if !in[h] {
				whole = false
			}
		}
		if whole {
			out = append(out, pat)
			for _, h := range hits {
				covered[h] = true
			}
		}
	}
	for _, a := range actions {
		if !covered[a] {
			out = append(out, a)
		}
	}
	return out
}

// parseFixed parses a fixed key policy and returns the key as it would be
// with it.
func parseFixed(k *access.Key, fixed []byte) (*access.Key, error) {
	d, err := policy.Parse("fixed key policy of "+k.ARN, fixed, policy.Resource)
	if err != nil {
		return nil, err
	}
	return k.WithPolicy(d), nil
}

// managedAfter re-checks a fixed key: a principal of the inventory (the
// root user, a user or a role) can still change the key policy without
// conditions, so the fix cannot lock the account out of the key.
func managedAfter(env *Env, fixed *access.Key) bool {
	who, _, err := keyManagers(env, fixed)
	return err == nil && len(who) > 0
}

// keyPolicyFix is a fixed key policy with its commands.
func keyPolicyFix(k *access.Key, fixed []byte, summary Text, change Text) *Remediation {
	return &Remediation{
		Summary:   summary,
		Console:   editKeyPolicySteps(k.Inv, change),
		CLI:       cliPutKeyPolicyIn(k.Inv, fixed),
		Terraform: terraformKeyPolicy(k.ARN, fixed),
	}
}

// cliPutKeyPolicyIn is cliPutKeyPolicy with the key's Region: KMS answers
// a key ARN only in the key's own Region, whatever the CLI's default is.
func cliPutKeyPolicyIn(k *inventory.Key, fixed []byte) string {
	return "aws kms put-key-policy --region " + k.Region + " --key-id " + k.ARN + " --policy-name default --policy " + shellQuote(string(fixed))
}
