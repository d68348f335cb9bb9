package access

import (
	"strings"

	"github.com/keywarden/keywarden/internal/engine"
)

// DecideProbe decides an action on a key for a caller that is not in the
// inventory and whose request the asker describes: keys in ctx are known,
// keys listed in absent (lower case, or prefixes ending in "/" such as
// "aws:sourcearn" or "aws:principaltag/") are known to be absent, and every
// other key is unknown. The key's policy and grants (or those of a copy
// made by WithPolicy) and the resource control policies of the key's
// account apply; the caller's own IAM policies are unknown, so an answer
// that needs them is conditional on them. Missing inventory data (an
// unread key policy, RCPs or grants) makes the answer Unknown, as in Can.
//
// The checks use it to ask about stand-in callers: "an arbitrary principal
// of an account outside the organization", which controls its own IAM
// policies, tags and request but not its account or organization.
func (ix *Index) DecideProbe(caller, action string, key *Key, ctx map[string]engine.Value, absent []string) engine.Result {
	pol := &engine.Policies{KeyPolicy: key.Policy, Grants: key.Grants, AWSManagedKey: key.Inv.AWSManaged()}
	if key.acct != nil {
		pol.RCPs = key.acct.rcps
	}
	if !strings.HasSuffix(caller, ".amazonaws.com") {
		pol.IdentityUnknown = true
	}
	m := map[string]engine.Value{}
	keyContext(m, key)
	merge(m, ctx)
	abs := append([]string(nil), absent...)
	if key.Inv.TagsIncomplete == nil {
		abs = append(abs, "aws:resourcetag/")
	}
	if len(key.Inv.Aliases) == 0 {
		abs = append(abs, "kms:resourcealiases")
	}
	var missing []string
	if key.PolicyErr != nil {
		missing = append(missing, "key policy of "+key.ARN+": "+firstLine(key.PolicyErr))
	}
	r := engine.Decide(engine.Request{Principal: caller, Action: action, Resource: key.ARN, Context: m, Open: true, Absent: abs}, pol)
	if key.acct == nil {
		return r
	}
	return ix.qualify(r, nil, key, missing)
}
