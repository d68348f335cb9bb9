package checks

import (
	"sort"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/policy"
)

// This file asks the engine about symbolic callers: "anyone outside the
// account and the organization" (key-public) and "any principal of account
// X" (key-cross-account).
//
// Whether a Principal "*" statement is public depends on its conditions.
// Rather than list condition keys, keywarden asks the engine about a
// symbolic caller that stands for every principal outside the key's
// account and organization: what such a caller cannot choose is known —
// its account is none of the key's organization's, its organization is
// not the key's, its ARN is no ARN of those accounts, it calls from an
// address the account does not own — while what it controls stays open:
// its own IAM policies, its name and tags, the service it calls through
// (kms:ViaService), the encryption context, the time. Keys that a direct
// call does not carry (aws:SourceAccount, aws:SourceArn, aws:SourceVpce,
// ...) are absent, so "…IfExists" conditions on them pass as they do in
// AWS. An Allow for that caller, even a conditional one, means the
// conditions did not pin the caller: the key is public. A condition on the
// caller's account, organization or ARN naming fixed accounts denies it.

// outsiderIP stands for a source address the account does not own (it is
// in TEST-NET-3, RFC 5737): a statement limited to the account's networks
// by aws:SourceIp does not reach outsiders, as IAM Access Analyzer judges.
const outsiderIP = "203.0.113.254"

// A probe is a symbolic caller with what its request carries.
type probe struct {
	sym    engine.Symbol
	ctx    map[string]engine.Value
	absent []string
}

// directCallAbsent are the keys a direct call by an IAM principal does not
// carry: they are set only when a service calls on behalf of a resource,
// or for requests through a VPC endpoint.
var directCallAbsent = []string{
	"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths", "aws:sourceowner",
	"aws:sourcevpc", "aws:sourcevpce", "aws:vpcsourceip", "aws:principalservicename",
	"aws:principalservicenamesinlist",
}

func one(v string) engine.Value { return engine.Value{Strings: []string{v}} }

// outsiderProbe stands for any principal outside the key's account and
// organization (and the accounts the input shows in it), calling directly.
func outsiderProbe(env *Env, k *access.Key) probe {
	sym := engine.Symbol{NotAccounts: []string{k.Inv.Account}}
	org := orgOfKey(env, k)
	if org.id != "" {
		sym.NotOrgs = []string{org.id}
		for _, a := range env.Snapshot.Accounts {
			if org.contains(env, a.ID) && !containsString(sym.NotAccounts, a.ID) {
				sym.NotAccounts = append(sym.NotAccounts, a.ID)
			}
		}
		if org.management != "" && !containsString(sym.NotAccounts, org.management) {
			sym.NotAccounts = append(sym.NotAccounts, org.management)
		}
	}
	return probe{sym: sym, ctx: map[string]engine.Value{"aws:sourceip": one(outsiderIP)}, absent: directCallAbsent}
}

// accountProbe stands for any principal of an account, whose name, tags
// and IAM policies are its own. org is the account's organization ID
// ("o-…"), "" when it is in none, "?" when that is not known, or "!o-…"
// when it is known only not to be that organization.
func accountProbe(acct, org string) probe {
	absent := removeStrings(directCallAbsent, "aws:sourcevpc", "aws:sourcevpce", "aws:vpcsourceip")
	sym := engine.Symbol{Account: acct}
	switch {
	case org == "?":
	case org != "" && org[0] == '!':
		sym.NotOrgs = []string{org[1:]}
	case org == "":
		absent = append(absent, "aws:principalorgid", "aws:principalorgpaths")
	default:
		sym.OrgID = org
	}
	// aws:SourceIp, aws:SourceVpce... stay unknown: the answer then says
	// under which network conditions the account has access.
	return probe{sym: sym, absent: absent}
}

// orgProbe stands for any principal of an organization in an account
// other than those given (the key's, and those reported on their own).
func orgProbe(org string, not []string) probe {
	absent := removeStrings(directCallAbsent, "aws:sourcevpc", "aws:sourcevpce", "aws:vpcsourceip")
	return probe{sym: engine.Symbol{OrgID: org, NotAccounts: not}, absent: absent}
}

func removeStrings(ss []string, drop ...string) []string {
	var out []string
	for _, s := range ss {
		if !containsString(drop, s) {
			out = append(out, s)
		}
	}
	return out
}

// decideProbe asks the engine about a symbolic caller.
func decideProbe(env *Env, k *access.Key, p probe, action string) engine.Result {
	return env.Index.DecideProbe(access.Probe{Symbol: p.sym, Context: p.ctx, Absent: p.absent}, action, k)
}

// An exposure is what stand-in callers may do with a key, by the key-policy
// statement that allows it.
type exposure struct {
	// byStmt maps a statement index to the actions it allows the caller.
	byStmt map[int]map[string]bool
	// conds are the request conditions of one allow per statement.
	conds map[int][]string
	// unless are the inputs that were not read and could block the
	// exposure ("unless a resource control policy ... denies it").
	unless map[string]bool
	// unknown lists the actions whose answer was Unknown, and why.
	unknown map[string]bool
	missing map[string]bool
}

func newExposure() *exposure {
	return &exposure{byStmt: map[int]map[string]bool{}, conds: map[int][]string{}, unless: map[string]bool{}, unknown: map[string]bool{}, missing: map[string]bool{}}
}

func (x *exposure) empty() bool { return len(x.byStmt) == 0 }

// record adds one decision about a symbolic caller.
func (x *exposure) record(d *policy.Document, r engine.Result, action string) {
	switch r.Decision {
	case engine.Allow:
		for _, u := range r.Unless {
			x.unless[u] = true
		}
		for _, s := range keyPolicyStatements(d, r) {
			if x.byStmt[s.Index] == nil {
				x.byStmt[s.Index] = map[string]bool{}
				x.conds[s.Index] = requestConditions(r)
			}
			x.byStmt[s.Index][action] = true
		}
	case engine.Unknown:
		x.unknown[action] = true
		for _, m := range r.Missing {
			x.missing[m] = true
		}
	}
}

// statements returns the indexes of the exposing statements, in order.
func (x *exposure) statements() []int {
	var out []int
	for i := range x.byStmt {
		out = append(out, i)
	}
	sort.Ints(out)
	return out
}

// publicExposure asks, for every wildcard (or NotPrincipal) Allow
// statement of the key policy and every KMS action, whether an arbitrary
// principal outside the account and organization may call it through that
// statement. Each statement is asked about on its own, with every Deny of
// the policy, so that one statement allowing first does not hide another;
// only such statements can match an arbitrary caller. Grants are left
// out: a grant cannot name "*".
func publicExposure(env *Env, k *access.Key) *exposure {
	x := newExposure()
	for _, ws := range wildcardStatements(k.Policy) {
		part := policyPart(k, func(s *policy.Statement) *policy.Statement {
			if s == ws {
				return s
			}
			return nil
		})
		p := outsiderProbe(env, k)
		for _, a := range keyActionNames() {
			if isUseAction(a) && !containsString(useActions(k.Inv), a) {
				continue // the key's type cannot do it
			}
			x.record(k.Policy, decideProbe(env, part, p, a), a)
		}
	}
	return x
}

// requestConditions are the conditions of an allow that depend on the
// request, without the "unless" of inputs that were not read.
func requestConditions(r engine.Result) []string {
	var out []string
	for _, c := range r.Conditions {
		if !containsString(r.Unless, c) {
			out = append(out, c)
		}
	}
	return out
}

// unreadCaveats are the explanation lines for inputs that were not read
// and could block access a finding reports (shared/kms-authorization.md
// §14: guardrails only take access away, so the finding stands).
func unreadCaveats(unless []string) []Text {
	var out []Text
	for _, u := range unless {
		out = append(out, T(mUnreadCaveat, u))
	}
	return out
}
