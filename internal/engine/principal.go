package engine

import (
	"strings"

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
)

// caller is a parsed request principal.
type caller struct {
	kind      callerKind
	arn       string
	partition string
	account   string
	// name is the user name, role name, federated user name or service.
	name string
	// principalARN is what aws:PrincipalArn holds for this caller; for a
	// session it is built on demand by PrincipalARN.
	principalARN string
	// principalType is aws:PrincipalType.
	principalType string
}

// PrincipalARN is aws:PrincipalArn: the role's ARN for a session (without
// the path, which the session ARN does not carry).
func (c *caller) PrincipalARN() string {
	if c.kind == callerSession && c.principalARN == "" {
		c.principalARN = "arn:" + c.partition + ":iam::" + c.account + ":role/" + c.name
	}
	return c.principalARN
}

func (c *caller) rootARN() string {
	return "arn:" + c.partition + ":iam::" + c.account + ":root"
}

// parseCaller reads a request principal.
func parseCaller(p string) caller {
	switch {
	case p == "" || strings.EqualFold(p, "anonymous") || p == "*":
		return caller{kind: callerAnonymous, arn: p, principalType: "Anonymous"}
	case !strings.HasPrefix(p, "arn:") && strings.HasSuffix(p, ".amazonaws.com"):
		return caller{kind: callerService, arn: p, name: p}
	case isAccountID(p):
		return caller{kind: callerRoot, arn: "arn:aws:iam::" + p + ":root", partition: "aws", account: p,
			principalARN: "arn:aws:iam::" + p + ":root", principalType: "Account"}
	}
	f, n := policy.SplitARN(p)
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
		switch {
		case strings.HasPrefix(res, "assumed-role/"):
			rest := res[len("assumed-role/"):]
			if i := strings.IndexByte(rest, '/'); i > 0 {
				c.kind, c.principalType = callerSession, "AssumedRole"
				c.name = rest[:i]
			}
		case strings.HasPrefix(res, "federated-user/"):
			c.kind, c.principalARN, c.principalType = callerFederated, p, "FederatedUser"
			c.name = strings.TrimPrefix(res, "federated-user/")
		}
	}
	if !isAccountID(c.account) {
		c.kind = callerInvalid
	}
	return c
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// accountOf returns the account field of an ARN, or "".
func accountOf(arn string) string {
	f, n := policy.SplitARN(arn)
	if n != 6 {
		return ""
	}
	return f[4]
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
	if c.kind == callerService || c.kind == callerAnonymous || c.kind == callerInvalid {
		return noMatch
	}
	if isAccountID(v) {
		if v == c.account {
			return matchAccount
		}
		return noMatch
	}
	if !strings.Contains(v, c.account) {
		return noMatch
	}
	f, n := policy.SplitARN(v)
	if n != 6 || f[0] != "arn" || f[4] != c.account || f[1] != c.partition {
		return noMatch
	}
	res := f[5]
	switch f[2] {
	case "iam":
		switch {
		case res == "root":
			return matchAccount
		case strings.HasPrefix(res, "user/"):
			if c.kind == callerUser && v == c.arn {
				return matchStrong
			}
		case strings.HasPrefix(res, "role/"):
			// A role principal matches the role's sessions by name: the
			// session ARN carries no path.
			name := res[strings.LastIndexByte(res, '/')+1:]
			if (c.kind == callerSession || c.kind == callerRole) && name == c.name {
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
	best := noMatch
	if p.Wildcard {
		return matchStrong
	}
	for _, v := range p.AWS {
		switch m := principalValueMatch(v, c); m {
		case matchStrong:
			return matchStrong
		case matchLimited, matchAccount:
			if best == noMatch || (best == matchAccount && m == matchLimited) {
				best = m
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
// of them are listed.
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
		case isAccountID(v):
			if v == c.account {
				account = true
			}
		case v == c.rootARN():
			account = true
		case v == c.arn:
			own = true
		case (c.kind == callerSession || c.kind == callerRole) && principalValueMatch(v, c) == matchLimited:
			role = true
		}
	}
	switch c.kind {
	case callerRoot:
		return account, false
	case callerSession:
		return own && role && account, own || role || account
	case callerRole:
		return role && account, role || account
	default:
		return own && account, own || account
	}
}
