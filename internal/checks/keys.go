package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/remedy"
)

// This file holds what the key checks share: which keys they look at, how
// findings about a key start, and the questions they put to the access
// layer.

// customerKeys returns the keys the key checks evaluate: every key except
// AWS managed ones (aws/s3, aws/ebs, ...), whose policy, grants, rotation
// and lifetime belong to their service and cannot be changed by the
// account. A key whose metadata was not read is kept: checks that need the
// metadata report it Unknown.
func customerKeys(env *Env) []*access.Key {
	var out []*access.Key
	for _, k := range env.Index.Keys() {
		if !k.Inv.AWSManaged() {
			out = append(out, k)
		}
	}
	return out
}

// keyRef names a key in messages: its first alias and ID, or its ID.
func keyRef(k *inventory.Key) string { return remedy.KeyRef(k) }

// keyFinding starts a finding about a key; policy findings point at the
// key policy in the input.
func keyFinding(k *access.Key, st Status, withPolicy bool) Finding {
	f := Finding{Status: st, Resource: k.ARN, Account: k.Inv.Account, Region: k.Inv.Region}
	if withPolicy {
		f.Policy = "key policy"
		f.Source = location(k.Inv.Policy)
	}
	return f
}

func unknownKeyPolicy(k *access.Key) Finding {
	f := keyFinding(k, Unknown, true)
	reason := "not in the input"
	if k.PolicyGap != nil {
		reason = k.PolicyGap.Reason
	}
	f.Message = T(mKeyPolicyUnread, keyRef(k.Inv), reason)
	f.Missing = []string{"key policy of " + k.ARN + ": " + reason}
	return f
}

// unknownMetadata is the finding for a key whose DescribeKey answer was not
// read, when the check needs it.
func unknownMetadata(k *access.Key) Finding {
	f := keyFinding(k, Unknown, false)
	reason := "not in the input"
	if m := k.Inv.MetadataIncomplete; m != nil {
		reason = m.Reason
	}
	f.Message = T(mKeyMetadataUnread, keyRef(k.Inv), reason)
	f.Missing = []string{"metadata of " + k.ARN + ": " + reason}
	return f
}

// keyManagers lists the principals of the inventory (the root user, users
// and roles) that may call kms:PutKeyPolicy on the key without conditions,
// and whether some answer was Unknown. Named principals outside the
// inventory (deleted ones, other accounts) do not count: nobody can act
// as them. Grants cannot give PutKeyPolicy, so unread grants do not matter.
func keyManagers(env *Env, k *access.Key) (who []string, unknown []string, err error) {
	return unconditionalCallers(env, withoutGrantGap(k), "kms:PutKeyPolicy")
}

// unconditionalCallers lists the principals of the inventory that may call
// the action on the key without conditions, and those whose answer is
// Unknown.
func unconditionalCallers(env *Env, k *access.Key, action string) (who []string, unknown []string, err error) {
	who, _, unknown, err = inventoryCallers(env, k, action)
	return who, unknown, err
}

// inventoryCallers sorts the principals of the inventory (the root user,
// users and roles) that may call the action on the key: without
// conditions, only under conditions (each with them, "ARN (if …)"), or
// Unknown.
func inventoryCallers(env *Env, k *access.Key, action string) (who, conditional, unknown []string, err error) {
	if info := awsfacts.LookupKMS(action); info == nil || info.Resource == awsfacts.NoResource {
		return nil, nil, nil, fmt.Errorf("%q is not a KMS action on a key", action)
	}
	for _, m := range env.accessOf(k).Action(action).Members() {
		r := m.Result
		switch {
		case r.Decision == engine.Allow && !r.OnRequest():
			// An Allow qualified only by inputs that were not read
			// stands: they can only take access away.
			who = append(who, m.Principal.ARN)
		case r.Decision == engine.Allow:
			conditional = append(conditional, m.Principal.ARN+" (if "+strings.Join(requestConditions(*r), " and ")+")")
		case r.Decision == engine.Unknown:
			unknown = append(unknown, m.Principal.ARN+": "+strings.Join(r.Missing, "; "))
		}
	}
	return who, conditional, unknown, nil
}

// withoutGrantGap is the key with its grants taken as complete, for
// actions no grant can give (PutKeyPolicy, ScheduleKeyDeletion) and for
// callers no grant can name ("*"). Who-can lists the principals one by
// one without the gap and reports unread grants once, in a symbolic entry
// for the operations grants can give, so the key serves as it is.
func withoutGrantGap(k *access.Key) *access.Key { return k }

// underConditions is the explanation line listing a statement's
// conditions, in the policy's own words.
func underConditions(conds []string) Text {
	return T(mUnderConditions, strings.Join(conds, "; "))
}

// joinLimited joins at most n items and says how many more there are.
func joinLimited(ss []string, n int) string {
	if len(ss) <= n {
		return strings.Join(ss, ", ")
	}
	return strings.Join(ss[:n], ", ") + fmt.Sprintf(" (+%d)", len(ss)-n)
}

// joinFirst is joinLimited for a list of which only the first items are
// at hand, of total in all.
func joinFirst(first []string, total int) string {
	if total <= len(first) {
		return strings.Join(first, ", ")
	}
	return strings.Join(first, ", ") + fmt.Sprintf(" (+%d)", total-len(first))
}

// useActions are the cryptographic operations the key can perform
// (awsfacts.KeyUse, narrowed by its key usage when known).
func useActions(k *inventory.Key) []string {
	usage := ""
	if k.Metadata != nil {
		usage = k.Metadata.KeyUsage
	}
	return awsfacts.KeyUseFor(usage)
}

// isUseAction reports whether an action is a cryptographic operation.
func isUseAction(action string) bool {
	for _, a := range awsfacts.KeyUse {
		if strings.EqualFold(a, action) {
			return true
		}
	}
	return false
}

// keyActionNames are the KMS actions a key policy authorizes on a key.
// RetireGrant is left out: the grant decides it, and kms:RetireGrant in a
// key policy has no effect ([retiring grants]).
//
// [retiring grants]: https://docs.aws.amazon.com/kms/latest/developerguide/grant-delete.html
func keyActionNames() []string {
	var out []string
	for _, a := range awsfacts.KMSActions {
		if a.Resource == awsfacts.KeyResource && a.Name != "RetireGrant" {
			out = append(out, "kms:"+a.Name)
		}
	}
	return out
}

// isAccountPrincipal reports whether a key-policy principal value is the
// account itself (its ID or its root ARN).
func isAccountPrincipal(v, acct string) bool {
	return v == acct || v == "arn:aws:iam::"+acct+":root"
}

// principalAccount returns the account a key-policy principal value
// belongs to ("" for "*" and service principals).
func principalAccount(v string) string {
	if len(v) == 12 && strings.Trim(v, "0123456789") == "" {
		return v
	}
	f := strings.SplitN(v, ":", 6)
	if len(f) == 6 && f[0] == "arn" {
		return f[4]
	}
	return ""
}

// keyPolicyStatements returns the key-policy Allow statements that an
// engine result cites.
func keyPolicyStatements(d *policy.Document, r engine.Result) []*policy.Statement {
	var out []*policy.Statement
	seen := map[int]bool{}
	for _, reason := range r.Reasons {
		if reason.Layer != engine.LayerKeyPolicy || reason.Effect != "Allow" || seen[reason.Statement] {
			continue
		}
		if reason.Statement >= 0 && reason.Statement < len(d.Statements) {
			seen[reason.Statement] = true
			out = append(out, d.Statements[reason.Statement])
		}
	}
	return out
}

// grantIDs returns the grants an engine result cites.
func grantIDs(r engine.Result) []string {
	var out []string
	for _, reason := range r.Reasons {
		if reason.Layer == engine.LayerGrant {
			out = append(out, strings.TrimPrefix(reason.Policy, "grant "))
		}
	}
	return out
}

// stmtList renders statements for messages: 'Sid' (#1), #2.
func stmtList(ss []*policy.Statement) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = stmtLabel(s)
	}
	return strings.Join(parts, ", ")
}

// sortedKeys returns a set's members, sorted.
func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// shortActions renders actions without the kms: prefix, for messages.
func shortActions(actions []string) string {
	out := make([]string, len(actions))
	for i, a := range actions {
		out[i] = strings.TrimPrefix(a, "kms:")
	}
	return strings.Join(out, ", ")
}
