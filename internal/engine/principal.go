package engine

import (
	"strings"

	"github.com/keywarden/keywarden/internal/arn"
	"github.com/keywarden/keywarden/internal/policy"
)

// callerKind is what kind of principal makes a request
// (shared/kms-authorization.md §1.1).
type callerKind uint8

const (
	callerInvalid callerKind = iota
	callerUser
	callerRole // a role ARN given as caller: a session of it with an unknown name
	callerSession
	callerFederated
	callerRoot
	callerService
	callerAnonymous
	callerSymbolic // many principals at once (Request.Caller)
)

// caller is a parsed request principal.
type caller struct {
	kind      callerKind
	arn       string
	partition string
	// account is the caller's account; "" for a symbolic caller whose
	// account is open.
	account string
	// name is the user name, role name, federated user name or service.
	name string
	// principalARN is what aws:PrincipalArn holds: the role's ARN (without
	// its path) for a session.
	principalARN string
	// principalType is aws:PrincipalType.
	principalType string
	sym           *Symbol
}

// iamPrincipal reports whether the caller is an IAM identity (user, role
// session, federated user, root user), as opposed to a service, an
// anonymous caller or a symbol.
func (c *caller) iamPrincipal() bool {
	switch c.kind {
	case callerUser, callerRole, callerSession, callerFederated, callerRoot:
		return true
	}
	return false
}

// isSession reports whether the caller is a session of a role (or the role
// given as caller).
func (c *caller) isSession() bool { return c.kind == callerSession || c.kind == callerRole }

// parseCaller reads a request principal.
func parseCaller(req *Request) caller {
	if s := req.Caller; s != nil {
		return caller{kind: callerSymbolic, partition: "aws", account: s.Account, sym: s, arn: "symbolic caller"}
	}
	p := req.Principal
	switch {
	case p == "" || strings.EqualFold(p, "anonymous") || p == "*":
		return caller{kind: callerAnonymous, arn: p, principalType: "Anonymous"}
	case arn.IsServicePrincipal(p):
		return caller{kind: callerService, arn: p, name: p}
	case arn.IsAccountID(p):
		root := arn.Root("aws", p)
		return caller{kind: callerRoot, arn: root, partition: "aws", account: p, principalARN: root, principalType: "Account"}
	}
	f, n := arn.Split(p)
	if n != 6 || f[0] != "arn" {
		return caller{kind: callerInvalid, arn: p}
	}
	c := caller{arn: p, partition: f[1], account: f[4]}
	res := f[5]
	switch f[2] {
	case "iam":
		switch {
		case res == "root":
			c.kind, c.principalARN, c.principalType = callerRoot, p, "Account"
		case strings.HasPrefix(res, "user/"):
			c.kind, c.principalARN, c.principalType = callerUser, p, "User"
			c.name = res[strings.LastIndexByte(res, '/')+1:]
		case strings.HasPrefix(res, "role/"):
			c.kind, c.principalARN, c.principalType = callerRole, p, "AssumedRole"
			c.name = res[strings.LastIndexByte(res, '/')+1:]
		}
	case "sts":
		if s, ok := arn.ParseSession(p); ok {
			c.kind, c.principalType, c.name = callerSession, "AssumedRole", s.Role
			c.principalARN = s.RoleARN()
		} else if strings.HasPrefix(res, "federated-user/") {
			c.kind, c.principalARN, c.principalType = callerFederated, p, "FederatedUser"
			c.name = strings.TrimPrefix(res, "federated-user/")
		}
	}
	if !arn.IsAccountID(c.account) || (c.kind != callerRoot && c.name == "") {
		c.kind = callerInvalid
	}
	return c
}

// matchKind says how a Principal value matches the caller
// (shared/kms-authorization.md §2.3 and §3.4).
type matchKind uint8

const (
	noMatch matchKind = iota
	// matchStrong: the statement names exactly this caller (user ARN for
	// that user, session ARN, federated-user ARN) or "*": not limited by
	// boundaries or session policies.
	matchStrong
	// matchLimited: the statement names the role of a session (or the
	// role given as caller): boundaries and session policies still limit.
	matchLimited
	// matchAccount: the statement names the caller's account, which
	// delegates to the account's IAM policies.
	matchAccount
	// matchService: the statement names the calling service principal.
	matchService
)

// principalValueMatch tests one AWS principal value against the caller.
// Wildcards inside principal ARNs are not allowed by AWS and match
// nothing; unique IDs (AIDA..., AROA...) stand for deleted principals and
// match nothing.
func principalValueMatch(v string, c *caller) matchKind {
	if v == "*" {
		return matchStrong
	}
	if c.kind == callerService || c.kind == callerAnonymous || c.kind == callerInvalid || c.account == "" {
		return noMatch
	}
	if a := arn.AccountOfPrincipal(v); a != "" {
		if a == c.account && (arn.IsAccountID(v) || arn.Partition(v) == c.partition) {
			return matchAccount
		}
		return noMatch
	}
	if c.kind == callerSymbolic || !strings.Contains(v, c.account) {
		// A symbol stands for the principals no statement names by ARN.
		return noMatch
	}
	f, n := arn.Split(v)
	if n != 6 || f[0] != "arn" || f[4] != c.account || f[1] != c.partition {
		return noMatch
	}
	res := f[5]
	switch f[2] {
	case "iam":
		switch {
		case strings.HasPrefix(res, "user/"):
			if c.kind == callerUser && v == c.arn {
				return matchStrong
			}
		case strings.HasPrefix(res, "role/"):
			// A role principal matches the role's sessions by name: the
			// session ARN carries no path.
			if c.isSession() && res[strings.LastIndexByte(res, '/')+1:] == c.name {
				return matchLimited
			}
		}
	case "sts":
		if (c.kind == callerSession || c.kind == callerFederated) && v == c.arn {
			return matchStrong
		}
	}
	return noMatch
}

// principalMatch tests a Principal element against the caller and returns
// the strongest kind of match.
func principalMatch(p *policy.Principal, c *caller) matchKind {
	if p.Wildcard {
		return matchStrong
	}
	best := noMatch
	for _, v := range p.AWS {
		switch m := principalValueMatch(v, c); m {
		case matchStrong:
			return matchStrong
		case matchLimited:
			best = matchLimited
		case matchAccount:
			if best == noMatch {
				best = matchAccount
			}
		}
	}
	if c.kind == callerService {
		for _, s := range p.Service {
			if strings.EqualFold(s, c.name) {
				return matchService
			}
		}
	}
	return best
}

// notPrincipalExempt reports whether a Deny+NotPrincipal statement spares
// the caller. AWS evaluates such a deny against the caller and its parents
// (the role of a session, the account), so the caller is exempt only when
// its own ARN, its role's ARN (sessions) and its account are all listed
// (shared/kms-authorization.md §3.5.2, [U] 4). partial is set when only some
// of them are listed. A symbolic caller is never exempt: its ARN is open.
func notPrincipalExempt(p *policy.Principal, c *caller) (exempt, partial bool) {
	if p.Wildcard {
		return true, false
	}
	if c.kind == callerService {
		for _, s := range p.Service {
			if strings.EqualFold(s, c.name) {
				return true, false
			}
		}
		return false, false
	}
	var own, role, account bool
	for _, v := range p.AWS {
		switch {
		case c.account != "" && arn.AccountOfPrincipal(v) == c.account:
			account = true
		case c.kind == callerSymbolic:
		case v == c.arn:
			own = true
		case c.isSession() && principalValueMatch(v, c) == matchLimited:
			role = true
		}
	}
	switch c.kind {
	case callerRoot:
		return account, false
	case callerSymbolic:
		return false, account
	case callerSession:
		return own && role && account, own || role || account
	case callerRole:
		return role && account, role || account
	}
	return own && account, own || account
}

// granteeMatch tests a grant's grantee (or retiring principal) against the
// caller: an exact ARN; a role grantee matches its sessions; an account
// grantee matches identities of the account.
func granteeMatch(grantee string, c *caller) matchKind {
	switch {
	case grantee == "" || grantee == "*":
		return noMatch // a grant cannot name "*"
	case c.kind == callerService:
		if strings.EqualFold(grantee, c.name) {
			return matchStrong
		}
		return noMatch
	case grantee == c.arn && c.kind != callerSymbolic:
		return matchStrong
	}
	return principalValueMatch(grantee, c)
}
