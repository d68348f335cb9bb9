package access

import (
	"fmt"
	"sort"
	"strings"

	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/policy"
)

// An Entry is one principal (or class of principals) that can perform an
// action on a key, and how.
type Entry struct {
	// Principal is an ARN, or a symbolic principal: "account 444455556666",
	// "*", a service principal.
	Principal string `json:"principal"`
	Kind      Kind   `json:"kind"`
	Account   string `json:"account,omitempty"`
	// Description says who this is in words: "any principal of account
	// 444455556666 that its own IAM policies allow".
	Description string `json:"description"`
	// Via is how access is given: the engine's rule (key-policy-direct,
	// account-delegation, grant, root-user, service-principal).
	Via engine.Rule `json:"via"`
	// Grant is the grant ID when Via is a grant.
	Grant string `json:"grant,omitempty"`
	// Decision is Allow, or Unknown when inventory data is missing.
	Decision    engine.Decision `json:"decision"`
	Conditional bool            `json:"conditional,omitempty"`
	Conditions  []string        `json:"conditions,omitempty"`
	Result      engine.Result   `json:"result"`
}

// WhoCanResult lists everyone who can perform an action on a key.
type WhoCanResult struct {
	Action  string  `json:"action"`
	Key     string  `json:"key"`
	Entries []Entry `json:"entries"`
	// Notes say what the list cannot show (unread data).
	Notes []string `json:"notes,omitempty"`
}

// WhoCan lists every principal that can perform action on the key: the
// inventory's users, roles and root users, and the principals outside it
// that the key policy and the grants name, each with how and under which
// conditions. Principals that cannot are left out; those whose answer is
// Unknown are listed with the missing data.
func (ix *Index) WhoCan(action, keyRef string) (*WhoCanResult, error) {
	info := awsfacts.LookupKMS(action)
	if info == nil || info.Resource == awsfacts.NoResource {
		return nil, fmt.Errorf("%q is not a KMS action on a key", action)
	}
	key, err := ix.Key(keyRef)
	if err != nil {
		return nil, err
	}
	return ix.WhoCanKey(action, key)
}

// WithPolicy returns a copy of the key with another key policy: checks use
// it to verify a proposed fix before showing it.
func (k *Key) WithPolicy(d *policy.Document) *Key {
	c := *k
	c.Policy, c.PolicyErr = d, nil
	return &c
}

// WhoCanKey is WhoCan for a key already found (or changed by WithPolicy).
func (ix *Index) WhoCanKey(action string, key *Key) (*WhoCanResult, error) {
	if info := awsfacts.LookupKMS(action); info == nil || info.Resource == awsfacts.NoResource {
		return nil, fmt.Errorf("%q is not a KMS action on a key", action)
	}
	out := &WhoCanResult{Action: action, Key: key.ARN}
	if key.PolicyErr != nil {
		out.Notes = append(out.Notes, "the key policy could not be read ("+firstLine(key.PolicyErr)+"): every answer is Unknown")
	}
	if key.GrantsErr != nil {
		out.Notes = append(out.Notes, firstLine(key.GrantsErr)+": grantees may be missing")
	}
	for _, p := range ix.principals {
		r := ix.decide(p.ARN, p, key, action, key.ARN, nil, false)
		if e, ok := entryOf(r, p.ARN, p.Kind, p.Account, describePrincipal(p)); ok {
			out.Entries = append(out.Entries, e)
		}
	}
	for _, s := range ix.symbolic(key) {
		r := ix.decideSymbolic(s, key, action)
		if e, ok := entryOf(r, s.principal, s.kind, s.account, s.description); ok {
			out.Entries = append(out.Entries, e)
		}
	}
	for _, a := range ix.Snapshot.Accounts {
		if a.IAMIncomplete != nil {
			out.Notes = append(out.Notes, "the IAM data of account "+a.ID+" is incomplete ("+a.IAMIncomplete.Reason+"): principals may be missing")
		}
	}
	sort.SliceStable(out.Entries, func(i, j int) bool {
		a, b := out.Entries[i], out.Entries[j]
		if a.Kind != b.Kind {
			return kindOrder(a.Kind) < kindOrder(b.Kind)
		}
		return a.Principal < b.Principal
	})
	return out, nil
}

func kindOrder(k Kind) int {
	switch k {
	case KindRoot:
		return 0
	case KindUser:
		return 1
	case KindRole:
		return 2
	case KindNamed:
		return 3
	case KindAccount:
		return 4
	case KindGrantee:
		return 5
	case KindService:
		return 6
	}
	return 7
}

func describePrincipal(p *Principal) string {
	switch p.Kind {
	case KindRoot:
		return "the root user of account " + p.Account
	case KindUser:
		return "IAM user " + p.Name
	}
	return "IAM role " + p.Name
}

func entryOf(r engine.Result, principal string, kind Kind, acct, desc string) (Entry, bool) {
	if r.Decision != engine.Allow && r.Decision != engine.Unknown {
		return Entry{}, false
	}
	e := Entry{Principal: principal, Kind: kind, Account: acct, Description: desc, Via: r.Rule, Decision: r.Decision,
		Conditional: r.Conditional, Conditions: r.Conditions, Result: r}
	for _, reason := range r.Reasons {
		if reason.Layer == engine.LayerGrant {
			e.Grant = strings.TrimPrefix(reason.Policy, "grant ")
		}
	}
	return e, true
}

// symbolicPrincipal is a principal outside the inventory that a key policy
// or grant names.
type symbolicPrincipal struct {
	principal   string // the caller the engine evaluates
	kind        Kind
	account     string
	description string
	// anyone: principal-derived context keys are unknown too.
	anyone bool
}

// symbolic lists the principals outside the inventory that the key's
// policy and grants name.
func (ix *Index) symbolic(key *Key) []symbolicPrincipal {
	seen := map[string]bool{}
	var out []symbolicPrincipal
	add := func(s symbolicPrincipal) {
		if !seen[s.principal] {
			seen[s.principal] = true
			out = append(out, s)
		}
	}
	accountEntry := func(acct string) {
		if a, ok := ix.accounts[acct]; ok && a.inv.IAMIncomplete == nil {
			return // its principals are in the inventory
		}
		add(symbolicPrincipal{principal: "arn:aws:iam::" + acct + ":role/*", kind: KindAccount, account: acct,
			description: "any principal of account " + acct + " that its own IAM policies allow"})
	}
	named := func(arn string, kind Kind, what string) {
		if _, ok := ix.byARN[arn]; ok {
			return
		}
		if r, ok := sessionRole(arn); ok {
			if _, ok := ix.byARN["arn:aws:iam::"+r.account+":role/"+r.name]; ok && ix.accounts[r.account] != nil {
				return
			}
		}
		acct := accountOfARN(arn)
		desc := what + " " + arn
		if a, ok := ix.accounts[acct]; ok && a.inv.IAMIncomplete == nil {
			desc += " (not in the inventory: deleted, or not read)"
		} else {
			desc += " (its own IAM policies are unknown)"
		}
		add(symbolicPrincipal{principal: arn, kind: kind, account: acct, description: desc})
	}
	if key.Policy != nil {
		for _, s := range key.Policy.Statements {
			if s.Effect != policy.Allow || s.Principal == nil {
				continue
			}
			p := s.Principal
			if p.Wildcard {
				add(symbolicPrincipal{principal: anyoneARN, kind: KindAnyone, description: "anyone (Principal \"*\")", anyone: true})
			}
			for _, v := range p.AWS {
				switch {
				case v == "*":
				case len(v) == 12 && strings.Trim(v, "0123456789") == "":
					accountEntry(v)
				case strings.HasSuffix(v, ":root"):
					accountEntry(accountOfARN(v))
				case strings.Contains(v, ":user/"), strings.Contains(v, ":role/"), strings.Contains(v, ":assumed-role/"), strings.Contains(v, ":federated-user/"):
					named(v, KindNamed, "principal")
				}
			}
			for _, svc := range p.Service {
				add(symbolicPrincipal{principal: svc, kind: KindService, description: "the AWS service " + svc + " acting on its own"})
			}
		}
	}
	for _, g := range key.Grants {
		switch v := g.GranteePrincipal; {
		case v == "":
		case strings.HasSuffix(v, ".amazonaws.com"):
			add(symbolicPrincipal{principal: v, kind: KindService, description: "the AWS service " + v + " (grantee of grant " + g.ID + ")"})
		case strings.HasSuffix(v, ":root"):
			accountEntry(accountOfARN(v))
		default:
			named(v, KindGrantee, "grantee")
		}
	}
	return out
}

// anyoneARN is the caller the engine evaluates for Principal "*": an
// account that is no real account, with every principal-derived key unknown.
const anyoneARN = "arn:aws:iam::000000000000:role/anyone"

func (ix *Index) decideSymbolic(s symbolicPrincipal, key *Key, action string) engine.Result {
	caller := s.principal
	ctx := map[string]engine.Value{}
	if s.kind == KindAccount {
		// Any principal of the account: evaluated as a role of it whose
		// name and policies are unknown.
		caller = "arn:aws:iam::" + s.account + ":role/keywarden-any-principal"
		ctx["aws:principalarn"] = unknown()
	}
	if s.anyone {
		for _, k := range []string{"aws:principalarn", "aws:principalaccount", "kms:calleraccount", "aws:principalorgid", "aws:principalorgpaths", "aws:principaltype", "aws:userid", "aws:username", "aws:principalisawsservice"} {
			ctx[k] = unknown()
		}
	}
	r := ix.decide(caller, nil, key, action, key.ARN, ctx, false)
	if s.anyone {
		// The stand-in account is no real account: drop it from the text.
		clean := func(t string) string { return strings.ReplaceAll(t, " in account 000000000000", "") }
		r.Summary = clean(r.Summary)
		for i := range r.Conditions {
			r.Conditions[i] = clean(r.Conditions[i])
		}
	}
	return r
}
