package engine

import (
	"strings"

	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/policy"
)

// maxDerived bounds the number of context keys derived from the caller.
const maxDerived = 10

// reqContext is the request context of one decision: the keys the request
// gave (lower-cased) and the keys derived from the caller. It is built
// without copying the request's map when its keys are already lower case,
// because Decide runs millions of times in who-can and the access matrix.
type reqContext struct {
	caller   *caller
	given    map[string]Value
	keys     [maxDerived]string
	vals     [maxDerived][1]string
	nDerived int
	open     bool
	absent   []string
}

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
	if v, ok := r.given[k]; ok {
		if v.Unknown {
			return nil, false, policy.Unknowable
		}
		// A multivalued key given as a single string is still a set.
		return v.Strings, v.List || awsfacts.Multivalued[k], policy.Present
	}
	for i := 0; i < r.nDerived; i++ {
		if r.keys[i] == k {
			if r.vals[i][0] == "" && k == "aws:principalarn" {
				r.vals[i][0] = r.caller.PrincipalARN()
			}
			return r.vals[i][:], false, policy.Present
		}
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

// init lower-cases the given keys and adds the keys every signed
// request carries (shared/kms-authorization.md §1.3) where the request did
// not give them: aws:PrincipalArn, aws:PrincipalAccount, kms:CallerAccount,
// aws:PrincipalType, aws:username (IAM users), aws:PrincipalIsAWSService,
// aws:SecureTransport (KMS endpoints are HTTPS only) and aws:ViaAWSService.
func (r *reqContext) init(req *Request, c *caller, keyAction bool) {
	r.caller = c
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
	r.open = req.Open
	r.absent = req.Absent
	set := func(k, v string) {
		// Given keys win: Lookup consults them before derived ones.
		if r.nDerived == maxDerived || (v == "" && k != "aws:principalarn") {
			return
		}
		r.keys[r.nDerived] = k
		r.vals[r.nDerived][0] = v
		r.nDerived++
	}
	switch c.kind {
	case callerService:
		set("aws:principalisawsservice", "true")
		set("aws:principalservicename", c.name)
		set("aws:securetransport", "true")
	case callerAnonymous, callerInvalid:
	default:
		set("aws:principalarn", c.principalARN) // filled on first use for sessions
		set("aws:principalaccount", c.account)
		if keyAction {
			set("kms:calleraccount", c.account)
		}
		set("aws:principaltype", c.principalType)
		if c.kind == callerUser {
			set("aws:username", c.name)
		}
		set("aws:principalisawsservice", "false")
		set("aws:securetransport", "true")
		if _, via := r.given["kms:viaservice"]; via {
			set("aws:viaawsservice", "true")
		} else if !req.Open {
			set("aws:viaawsservice", "false")
		}
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
