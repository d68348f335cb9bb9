package checks

import (
	"sort"
	"strings"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/policy"
)

// This file asks the engine about stand-in callers: "an arbitrary principal
// outside the account and the organization" (key-public) and "any
// principal of account X" (key-cross-account).
//
// Whether a Principal "*" statement is public depends on its conditions.
// Rather than list condition keys, keywarden asks the engine about an
// outsider whose request context holds what an outsider cannot choose —
// its account (999999999999), its organization (o-zzzzzzzzzz), its unique
// ID, its source IP — while what an outsider controls stays unknown: its
// own IAM policies, its principal tags, the service it calls through
// (kms:ViaService), the encryption context, the time. Keys that a direct
// call does not carry (aws:SourceAccount, aws:SourceArn, aws:SourceVpce,
// ...) are absent, so "…IfExists" conditions on them pass as they do in
// AWS. An Allow for that caller, even a conditional one, means the
// conditions did not pin the caller: the key is public. A condition on the
// caller's account or organization (kms:CallerAccount, aws:PrincipalAccount,
// aws:PrincipalOrgID, aws:PrincipalArn naming fixed accounts) denies it.
//
// An outsider also chooses its role and user names, so a condition on
// aws:PrincipalArn or aws:username whose pattern leaves the account open
// (arn:aws:iam::*:role/deploy) is tried with a caller made to match it.

const (
	outsiderAccount = "999999999999"
	outsiderOrg     = "o-zzzzzzzzzz"
	outsiderRole    = "arn:aws:iam::" + outsiderAccount + ":role/keywarden-outsider"
	outsiderUser    = "arn:aws:iam::" + outsiderAccount + ":user/keywarden-outsider"
)

// A probe is a stand-in caller with the request context it brings.
type probe struct {
	caller string
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

// outsiderProbe is an arbitrary principal outside the key's account and
// organization, calling directly.
func outsiderProbe(caller string) probe {
	ctx := map[string]engine.Value{
		"aws:principalorgid":    one(outsiderOrg),
		"aws:principalorgpaths": {Strings: []string{outsiderOrg + "/r-zzzz/"}, List: true},
		"aws:sourceip":          one("203.0.113.254"),
	}
	absent := append([]string(nil), directCallAbsent...)
	if strings.Contains(caller, ":user/") {
		ctx["aws:userid"] = one("AIDAKEYWARDENOUTSIDER")
	} else {
		ctx["aws:userid"] = one("AROAKEYWARDENOUTSIDER:keywarden")
		absent = append(absent, "aws:username")
	}
	return probe{caller: caller, ctx: ctx, absent: absent}
}

// outsiderProbes are the stand-ins for "anyone outside": a role and a user
// of an unrelated account, and callers built to match the aws:PrincipalArn
// and aws:username patterns of the key policy's Allow statements.
func outsiderProbes(d *policy.Document) []probe {
	callers := map[string]bool{}
	for _, s := range d.Statements {
		if s.Effect != policy.Allow {
			continue
		}
		for _, c := range s.Conditions {
			for _, v := range c.Values {
				switch c.LowerKey() {
				case "aws:principalarn":
					if arn, ok := outsiderARNMatching(v); ok {
						callers[arn] = true
					}
				case "aws:username":
					if !strings.Contains(v, "${") {
						callers["arn:aws:iam::"+outsiderAccount+":user/"+fillGlob(v)] = true
					}
				}
			}
		}
	}
	// The plain stand-ins come first: a statement they reach is not
	// credited to a pattern.
	out := []probe{outsiderProbe(outsiderRole), outsiderProbe(outsiderUser)}
	for _, c := range sortedKeys(callers) {
		if c != outsiderRole && c != outsiderUser {
			out = append(out, outsiderProbe(c))
		}
	}
	return out
}

// outsiderARNMatching turns a principal ARN pattern into a principal of
// the outsider account: the account field is replaced, wildcards filled.
// It matches the pattern only when the pattern left the account open.
func outsiderARNMatching(pattern string) (string, bool) {
	if strings.Contains(pattern, "${") {
		return "", false
	}
	f := strings.SplitN(pattern, ":", 6)
	if len(f) != 6 || f[0] != "arn" {
		return "", false
	}
	svc, res := fillGlob(f[2]), fillGlob(f[5])
	switch {
	case svc == "iam" && (strings.HasPrefix(res, "role/") || strings.HasPrefix(res, "user/")):
	case svc == "sts" && strings.HasPrefix(res, "assumed-role/") && strings.Count(res, "/") >= 2:
	default:
		return "", false
	}
	return "arn:aws:" + svc + "::" + outsiderAccount + ":" + res, true
}

// fillGlob makes a string a glob pattern matches: wildcards become "x".
func fillGlob(p string) string {
	return strings.NewReplacer("*", "x", "?", "x").Replace(p)
}

// accountProbe stands for any principal of an account, whose name, tags
// and IAM policies are unknown. org is the account's organization ID ("o-…"),
// "" when it is in none, or "?" when that is not known.
func accountProbe(acct, org string) probe {
	ctx := map[string]engine.Value{
		"aws:principalarn": {Unknown: true},
		"aws:userid":       {Unknown: true},
		"aws:username":     {Unknown: true},
	}
	absent := append([]string(nil), directCallAbsent...)
	switch org {
	case "?":
		ctx["aws:principalorgid"] = engine.Value{Unknown: true}
		ctx["aws:principalorgpaths"] = engine.Value{Unknown: true}
	case "":
		absent = append(absent, "aws:principalorgid", "aws:principalorgpaths")
	default:
		ctx["aws:principalorgid"] = one(org)
		ctx["aws:principalorgpaths"] = engine.Value{Unknown: true}
	}
	// aws:SourceIp, aws:SourceVpce... stay unknown: the answer then says
	// under which network conditions the account has access.
	absent = removeStrings(absent, "aws:sourcevpc", "aws:sourcevpce", "aws:vpcsourceip")
	return probe{caller: "arn:aws:iam::" + acct + ":role/keywarden-any-principal", ctx: ctx, absent: absent}
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

// decideProbe asks the engine about a stand-in caller.
func decideProbe(env *Env, k *access.Key, p probe, action string) engine.Result {
	return env.Index.DecideProbe(p.caller, action, k, p.ctx, p.absent)
}

// An exposure is what stand-in callers may do with a key, by the key-policy
// statement that allows it.
type exposure struct {
	// byStmt maps a statement index to the actions it allows the caller.
	byStmt map[int]map[string]bool
	// conds are the conditions of one allow per statement, with the
	// stand-in account's number taken out.
	conds map[int][]string
	// callers holds, per statement, a stand-in caller built from the
	// policy's own aws:PrincipalArn or aws:username patterns when one was
	// allowed: the pattern leaves the account open.
	callers map[int]string
	// unknown lists the actions whose answer was Unknown, and why.
	unknown map[string]bool
	missing map[string]bool
}

func newExposure() *exposure {
	return &exposure{byStmt: map[int]map[string]bool{}, conds: map[int][]string{}, callers: map[int]string{}, unknown: map[string]bool{}, missing: map[string]bool{}}
}

func (x *exposure) empty() bool { return len(x.byStmt) == 0 }

// record adds one decision about a stand-in caller.
func (x *exposure) record(d *policy.Document, r engine.Result, action, caller string) {
	switch r.Decision {
	case engine.Allow:
		for _, s := range keyPolicyStatements(d, r) {
			if x.byStmt[s.Index] == nil {
				if caller != outsiderRole && caller != outsiderUser {
					x.callers[s.Index] = caller
				}
				x.byStmt[s.Index] = map[string]bool{}
				for _, c := range r.Conditions {
					x.conds[s.Index] = append(x.conds[s.Index], strings.ReplaceAll(c, " in account "+outsiderAccount, ""))
				}
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
		for _, p := range outsiderProbes(k.Policy) {
			for _, a := range keyActionNames() {
				if isUseAction(a) && !containsString(useActions(k.Inv), a) {
					continue // the key's type cannot do it
				}
				x.record(k.Policy, decideProbe(env, part, p, a), a, p.caller)
			}
		}
	}
	return x
}

// narrowedAt reports whether after (the exposure with a fixed policy)
// no longer has statement i and exposes nothing the original did not.
func (x *exposure) narrowedAt(after *exposure, i int) bool {
	if after.byStmt[i] != nil || len(after.unknown) > len(x.unknown) {
		return false
	}
	for j, acts := range after.byStmt {
		for a := range acts {
			if !x.byStmt[j][a] {
				return false
			}
		}
	}
	return true
}
