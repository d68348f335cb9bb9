package engine

import (
	"strings"

	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/policy"
)

// reqContext is the request context of one decision: the keys the request
// gave (lower-cased) and the keys derived from the caller.
type reqContext struct {
	values map[string]Value
	open   bool
	// keyPolicy hides keys that AWS supports only in IAM policies
	// (aws:ResourceTag/*, kms:ResourceAliases) while the key policy is
	// evaluated (shared/kms-authorization.md §13.7).
	keyPolicy bool
}

func (r *reqContext) Lookup(k string) ([]string, bool, policy.Presence) {
	if r.keyPolicy && (strings.HasPrefix(k, "aws:resourcetag/") || k == "kms:resourcealiases") {
		return nil, false, policy.Absent
	}
	v, ok := r.values[k]
	if !ok {
		if r.open {
			return nil, false, policy.Unknowable
		}
		return nil, false, policy.Absent
	}
	if v.Unknown {
		return nil, false, policy.Unknowable
	}
	return v.Strings, v.List, policy.Present
}

// newContext lower-cases the given keys and adds the keys every signed
// request carries (shared/kms-authorization.md §1.3) where the request did
// not give them: aws:PrincipalArn, aws:PrincipalAccount, kms:CallerAccount,
// aws:PrincipalType, aws:username (IAM users), aws:PrincipalIsAWSService,
// aws:SecureTransport (KMS endpoints are HTTPS only) and aws:ViaAWSService.
func newContext(req *Request, c *caller, keyAction bool) *reqContext {
	m := make(map[string]Value, len(req.Context)+8)
	for k, v := range req.Context {
		m[strings.ToLower(k)] = v
	}
	set := func(k, v string) {
		if _, ok := m[k]; !ok {
			m[k] = Value{Strings: []string{v}}
		}
	}
	switch c.kind {
	case callerService:
		set("aws:principalisawsservice", "true")
		set("aws:principalservicename", c.name)
		set("aws:securetransport", "true")
	case callerAnonymous, callerInvalid:
	default:
		set("aws:principalarn", c.principalARN)
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
		if _, via := m["kms:viaservice"]; via {
			set("aws:viaawsservice", "true")
		} else if !req.Open {
			set("aws:viaawsservice", "false")
		}
	}
	// A multivalued key given as a single string is still a set.
	for k, v := range m {
		if awsfacts.Multivalued[k] && !v.List && !v.Unknown {
			v.List = true
			m[k] = v
		}
	}
	return &reqContext{values: m, open: req.Open}
}

// encryptionContext rebuilds the request's encryption context from the
// kms:EncryptionContext:* keys, with pair keys in lower case (grant
// constraints compare keys without regard to case, [U] §13.3). known is
// false when an open context cannot say.
func (r *reqContext) encryptionContext() (ec map[string]string, known bool) {
	const prefix = "kms:encryptioncontext:"
	for k, v := range r.values {
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
		if keys, ok := r.values["kms:encryptioncontextkeys"]; !ok || keys.Unknown {
			return nil, false
		}
	}
	return ec, true
}
