package engine

import (
	"slices"
	"strings"

	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/policy"
)

// maxDerived bounds the number of context keys derived from the caller.
const maxDerived = 12

// reqContext is the request context of one decision: the keys the request
// gave (lower-cased) and the keys derived from the caller. It is built
// without copying the request's map when its keys are already lower case
// (Request.Normalize), because who-can and the access matrix decide many
// requests with one context.
type reqContext struct {
	given    map[string]Value
	resource map[string]Value
	derived  [maxDerived]derivedKey
	nDerived int
	open     bool
	absent   []string
	// symbolic: keys that depend on who exactly the caller is are unknown.
	symbolic bool
}

// derivedKey is one derived key; single values live in one, so that
// deriving them allocates nothing.
type derivedKey struct {
	key string
	one [1]string
	val Value
}

// symbolicKeys are the keys a symbolic caller leaves open: they differ
// between the principals it stands for.
var symbolicKeys = []string{"aws:principalarn", "aws:userid", "aws:username", "aws:principaltype",
	"aws:principalorgid", "aws:principalorgpaths", "aws:sourceidentity", "aws:principalservicenamelist"}

// keyPolicyView is the context as the key policy sees it: keys that AWS
// supports only in IAM policies (aws:ResourceTag/*, kms:ResourceAliases)
// are absent (shared/kms-authorization.md §13.7).
type keyPolicyView struct{ r *reqContext }

func (v keyPolicyView) Lookup(k string) ([]string, bool, policy.Presence) {
	if strings.HasPrefix(k, "aws:resourcetag/") || k == "kms:resourcealiases" {
		return nil, false, policy.Absent
	}
	return v.r.Lookup(k)
}

// Lookup implements policy.Context.
func (r *reqContext) Lookup(k string) ([]string, bool, policy.Presence) {
	v, ok := r.given[k]
	if !ok {
		v, ok = r.resource[k]
	}
	if ok {
		vs, list, p := v.Presence()
		// A multivalued key given as a single string is still a set.
		return vs, list || (p == policy.Present && awsfacts.Multivalued[k]), p
	}
	for i := 0; i < r.nDerived; i++ {
		if d := &r.derived[i]; d.key == k {
			if d.val.Strings == nil && !d.val.Unknown {
				return d.one[:], false, policy.Present
			}
			return d.val.Presence()
		}
	}
	if r.symbolic && (strings.HasPrefix(k, "aws:principaltag/") || slices.Contains(symbolicKeys, k)) {
		return nil, false, policy.Unknowable
	}
	if r.open && !r.knownAbsent(k) {
		return nil, false, policy.Unknowable
	}
	return nil, false, policy.Absent
}

func (r *reqContext) knownAbsent(k string) bool {
	for _, a := range r.absent {
		if a == k || (strings.HasSuffix(a, "/") && strings.HasPrefix(k, a)) {
			return true
		}
	}
	return false
}

// value returns the single value of a key, if it has one.
func (r *reqContext) value(k string) (string, bool) {
	vs, list, p := r.Lookup(k)
	if p != policy.Present || list || len(vs) != 1 {
		return "", false
	}
	return vs[0], true
}

// init lower-cases the given keys and adds the keys every signed request
// carries (shared/kms-authorization.md §1.3) where the request did not give
// them: aws:PrincipalArn, aws:PrincipalAccount, kms:CallerAccount (key and
// custom key store operations), aws:PrincipalType, aws:username (IAM
// users), aws:PrincipalIsAWSService, aws:SecureTransport (KMS endpoints
// are HTTPS only) and aws:ViaAWSService.
func (r *reqContext) init(req *Request, c *caller, callerAccountKey bool) {
	r.given = req.Context
	for k := range req.Context {
		if hasUpper(k) {
			r.given = make(map[string]Value, len(req.Context))
			for k, v := range req.Context {
				r.given[strings.ToLower(k)] = v
			}
			break
		}
	}
	r.resource = req.ResourceContext
	r.open = req.Open
	r.absent = req.Absent
	set := func(k string, v Value) {
		if r.nDerived < maxDerived {
			r.derived[r.nDerived] = derivedKey{key: k, val: v}
			r.nDerived++
		}
	}
	// one derives a single value; set with a Value only what is not one.
	one := func(k, v string) {
		if r.nDerived < maxDerived {
			r.derived[r.nDerived] = derivedKey{key: k, one: [1]string{v}}
			r.nDerived++
		}
	}
	switch c.kind {
	case callerService:
		one("aws:principalisawsservice", "true")
		one("aws:principalservicename", c.name)
		one("aws:securetransport", "true")
		return
	case callerAnonymous, callerInvalid:
		return
	case callerSymbolic:
		r.symbolic = true
		s := c.sym
		acct := Value{Unknown: true, Excludes: s.NotAccounts}
		if s.Account != "" {
			acct = Value{Strings: []string{s.Account}}
		}
		set("aws:principalaccount", acct)
		if callerAccountKey {
			set("kms:calleraccount", acct)
		}
		if s.Account == "" && len(s.NotAccounts) > 0 {
			// Its ARN is that of a principal of none of those accounts.
			var arns []string
			for _, a := range s.NotAccounts {
				arns = append(arns, "arn:aws:iam::"+a+":*", "arn:aws:sts::"+a+":*")
			}
			set("aws:principalarn", Value{Unknown: true, Excludes: arns})
		}
		switch {
		case s.OrgID != "":
			one("aws:principalorgid", s.OrgID)
		case len(s.NotOrgs) > 0:
			set("aws:principalorgid", Value{Unknown: true, Excludes: s.NotOrgs, MaybeAbsent: true})
			var paths []string
			for _, o := range s.NotOrgs {
				paths = append(paths, o+"/*")
			}
			set("aws:principalorgpaths", Value{Unknown: true, Excludes: paths, MaybeAbsent: true})
		}
	default:
		one("aws:principalarn", c.principalARN)
		one("aws:principalaccount", c.account)
		if callerAccountKey {
			one("kms:calleraccount", c.account)
		}
		one("aws:principaltype", c.principalType)
		if c.kind == callerUser {
			one("aws:username", c.name)
		}
	}
	one("aws:principalisawsservice", "false")
	one("aws:securetransport", "true")
	if _, via := r.given["kms:viaservice"]; via {
		one("aws:viaawsservice", "true")
	} else if !req.Open {
		one("aws:viaawsservice", "false")
	}
}

// encryptionContext rebuilds the request's encryption context from the
// kms:EncryptionContext:* keys, with pair keys in lower case (grant
// constraints compare keys without regard to case, [U] §13.3). known is
// false when an open context cannot say.
func (r *reqContext) encryptionContext() (ec map[string]string, known bool) {
	const prefix = "kms:encryptioncontext:"
	for k, v := range r.given {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		if v.Unknown {
			return nil, false
		}
		if len(v.Strings) == 1 {
			if ec == nil {
				ec = map[string]string{}
			}
			ec[k[len(prefix):]] = v.Strings[0]
		}
	}
	if ec == nil && r.open {
		if keys, ok := r.given["kms:encryptioncontextkeys"]; !ok || keys.Unknown {
			return nil, false
		}
	}
	return ec, true
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return true
		}
	}
	return false
}
