package engine

import (
	"github.com/keywarden/keywarden/internal/policy"
)

// kpAllows are a resource-based policy's applicable Allow statements,
// classified by how they name the caller (shared/kms-authorization.md
// §2.3): directly and not limited by boundaries or session policies, by its
// role (limited), by its account (delegation), or as a service principal.
type kpAllows struct {
	direct, limited, account, service outcome
}

// any is "some statement applies", however it names the caller.
func (k kpAllows) any() outcome { return or(k.direct, k.limited, k.account, k.service) }

// resourcePolicyAllows classifies a resource-based policy's applicable
// Allow statements.
func (e *evaluator) resourcePolicyAllows(d *policy.Document, layer Layer, ctx policy.Context) kpAllows {
	var out kpAllows
	for _, s := range d.Statements {
		if s.Effect != policy.Allow {
			continue
		}
		if !s.HasResourceElement() || !s.MatchAction(e.action) {
			// Statements without Action or Resource are accepted by KMS
			// and ignored; the action test is cheap, so it goes first.
			continue
		}
		var m matchKind
		var kind RoleKind
		switch {
		case s.NotPrincipal != nil:
			if exempt, _ := notPrincipalExempt(s.NotPrincipal, &e.caller); exempt {
				continue
			}
			m, kind = matchStrong, RoleAllowsNotListed
			e.note("Allow with NotPrincipal is no longer supported by AWS; it is read with its historical meaning, everyone except the listed principals")
		case s.Principal != nil:
			m = principalMatch(s.Principal, &e.caller)
		}
		if m == noMatch {
			continue
		}
		t, conds := e.resourceAndConditions(s, e.resource, ctx)
		if t == policy.False {
			continue
		}
		if kind == "" {
			switch m {
			case matchStrong:
				kind = RoleNamesCaller
				if s.Principal.Wildcard {
					kind = RoleAllowsEveryone
				}
			case matchLimited:
				kind = RoleNamesRole
			case matchAccount:
				kind = RoleDelegates
				if e.caller.kind == callerRoot {
					kind = RoleAllowsRootAccount
				}
			case matchService:
				kind = RoleNamesService
			}
		}
		o := outcome{t: t, reasons: e.cite(e.reason(layer, docLabel(d, string(layer)), s, kind, conds))}
		if t == policy.Unknown {
			o.alts = []alt{requestConds(conds)}
		}
		switch m {
		case matchStrong:
			out.direct.add(o)
		case matchLimited:
			out.limited.add(o)
		case matchAccount:
			out.account.add(o)
		case matchService:
			out.service.add(o)
		}
	}
	return out
}

// docLabel names a document in explanations.
func docLabel(d *policy.Document, fallback string) string {
	if d.Name != "" {
		return d.Name
	}
	return fallback
}
