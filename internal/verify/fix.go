package verify

import (
	"strings"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/arn"
	"github.com/keywarden/keywarden/internal/checks"
	"github.com/keywarden/keywarden/internal/engine"
)

// attachFixes gives each violation the fix of a failed scan finding that
// covers it: a finding about the statement or grant that gives the
// access, and about the same principal (or, for a class of principals, a
// finding about "*" or the class's account). Findings are computed only
// when a rule is violated.
func attachFixes(ix *access.Index, res *Result, o Options) {
	violated := false
	for i := range res.Rules {
		if len(res.Rules[i].Violations) > 0 {
			violated = true
		}
	}
	if !violated {
		return
	}
	fs := o.Findings
	if fs == nil {
		env := &checks.Env{Snapshot: ix.Snapshot, Index: ix, TrustedAccounts: map[string]bool{}, Now: o.Now}
		fs = checks.Run(env, checks.All())
	}
	var failed []*checks.Finding
	for i := range fs {
		if fs[i].Status == checks.Fail && fs[i].Remediation != nil {
			failed = append(failed, &fs[i])
		}
	}
	for i := range res.Rules {
		for j := range res.Rules[i].Violations {
			c := &res.Rules[i].Violations[j]
			var f *checks.Finding
			switch c.Problem {
			case NotListed, Forbidden, Both:
				f = removingFix(failed, c)
			case Cannot:
				f = delegationFix(failed, c)
			}
			if f != nil {
				c.Fix = &Fix{Check: f.Check, Message: f.Message, Remediation: f.Remediation}
			}
		}
	}
}

// removingChecks are the checks whose fix takes the access of the
// finding's principal away. Others fix a different problem while keeping
// the access: key-policy-direct-access moves it to IAM, the
// decrypt-all-keys checks pin a statement to the keys the principals use.
var removingChecks = map[string]bool{
	"key-public":        true,
	"key-cross-account": true,
	"grant-broad":       true,
	"key-admin-can-use": true,
}

// removingFix finds a finding whose fix takes the counterexample's access
// away. A finding about the principal itself is preferred.
func removingFix(fs []*checks.Finding, c *Counterexample) *checks.Finding {
	var best *checks.Finding
	for _, f := range fs {
		if !removingChecks[f.Check] || !samePrincipal(f, c) || !citesFinding(f, c) {
			continue
		}
		if f.Principal != "" && f.Principal == c.Principal {
			return f
		}
		if best == nil {
			best = f
		}
	}
	return best
}

// samePrincipal reports whether a finding is about the counterexample's
// principal: the same one, every principal ("*") for a class, the account
// of a class of one account, or none in particular (a policy).
func samePrincipal(f *checks.Finding, c *Counterexample) bool {
	switch {
	case f.Principal == "":
		return true
	case f.Principal == c.Principal:
		return true
	case c.Principal != "":
		return false
	case f.Principal == "*":
		return true
	case c.Symbol != nil && c.Symbol.Account != "":
		return f.Principal == arn.Root("aws", c.Symbol.Account)
	}
	return false
}

// citesFinding reports whether the counterexample's explanations cite the
// statement or grant the finding is about.
func citesFinding(f *checks.Finding, c *Counterexample) bool {
	for _, e := range c.Explanations {
		if e.Decision != engine.Allow {
			continue
		}
		for _, r := range e.Reasons {
			switch {
			case r.Layer == engine.LayerGrant:
				if f.Resource == c.Key && f.Policy == r.Policy {
					return true
				}
			case r.Layer == engine.LayerKeyPolicy:
				if f.Resource == c.Key && f.Policy == "key policy" && f.Statement != nil && f.Statement.Index == r.Statement && r.Effect != "Deny" {
					return true
				}
			case r.Layer == engine.LayerIdentity:
				if f.Statement != nil && f.Statement.Index == r.Statement && r.Effect != "Deny" &&
					(f.Policy == r.Policy || strings.HasPrefix(f.Resource, "arn:") && strings.Contains(f.Resource, ":policy/") && strings.Contains(r.Policy, f.Resource+" ")) {
					return true
				}
			}
		}
	}
	return false
}

// delegationFix finds the fix that lets IAM policies give a principal of
// the key's account its access: a principal whose IAM policy allows the
// action, on a key whose policy does not delegate to the account.
func delegationFix(fs []*checks.Finding, c *Counterexample) *checks.Finding {
	iamAllows := false
	for _, e := range c.Explanations {
		if e.Rule != engine.RuleNoKeyPolicyAllow {
			continue
		}
		for _, r := range e.Reasons {
			if r.Layer == engine.LayerIdentity && r.Effect == "Allow" {
				iamAllows = true
			}
		}
	}
	if !iamAllows {
		return nil
	}
	for _, f := range fs {
		if f.Check == "key-no-account-delegation" && f.Resource == c.Key {
			return f
		}
	}
	return nil
}
