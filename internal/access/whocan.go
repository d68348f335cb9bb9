package access

import (
	"fmt"
	"sort"
	"strings"

	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/engine"
)

// An Entry is one principal (or class of principals) that can perform an
// action on a key, and how.
type Entry struct {
	// Principal is the ARN of a principal (or the name of a service); it
	// is empty for a symbolic entry, which Symbol describes.
	Principal string         `json:"principal,omitempty"`
	Symbol    *engine.Symbol `json:"symbol,omitempty"`
	Kind      Kind           `json:"kind"`
	Account   string         `json:"account,omitempty"`
	// Description says who this is in words: "IAM role app", "any
	// principal of account 444455556666 that its own IAM policies allow",
	// "anyone outside organization o-a1b2c3d4e5 and account 111122223333".
	Description string `json:"description"`
	// Via is how access is given: the engine's rule (key-policy-direct,
	// account-delegation, grant, root-user, service-principal).
	Via engine.Rule `json:"via"`
	// Grant is the grant ID when Via is a grant.
	Grant string `json:"grant,omitempty"`
	// Decision is Allow, or Unknown when data that could allow was not
	// read.
	Decision    engine.Decision `json:"decision"`
	Conditional bool            `json:"conditional,omitempty"`
	Conditions  []string        `json:"conditions,omitempty"`
	Result      engine.Result   `json:"result"`
}

// Name is how an answer names the entry: its ARN, or its description for
// a symbolic entry.
func (e *Entry) Name() string {
	if e.Principal != "" {
		return e.Principal
	}
	return e.Description
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
// that the key policy and the grants can reach (other accounts, anyone
// outside the organization, services, grantees), each with how and under
// which conditions. Principals that cannot are left out; those whose
// answer is Unknown are listed with the missing data.
func (ix *Index) WhoCan(action, keyRef string) (*WhoCanResult, error) {
	key, err := ix.Key(keyRef)
	if err != nil {
		return nil, err
	}
	return ix.WhoCanKey(action, key)
}

// WhoCanKey is WhoCan for a key already found (or changed by WithPolicy).
func (ix *Index) WhoCanKey(action string, key *Key) (*WhoCanResult, error) {
	return ix.Access(key).WhoCan(action)
}

// WhoCan lists everyone who can perform the action on the key. The
// answer is kept with the KeyAccess: callers must not change it.
func (ka *KeyAccess) WhoCan(action string) (*WhoCanResult, error) {
	if info := awsfacts.LookupKMS(action); info == nil || info.Resource == awsfacts.NoResource {
		return nil, fmt.Errorf("%q is not a KMS action on a key", action)
	}
	ka.mu.Lock()
	res, ok := ka.whoCan[action]
	ka.mu.Unlock()
	if ok {
		return res, nil
	}
	aa := ka.Action(action)
	out := &WhoCanResult{Action: action, Key: ka.Key.ARN, Notes: ka.notes()}
	runs := make([][]*Principal, len(aa.Groups))
	for i := range aa.Groups {
		runs[i] = aa.Groups[i].Members()
	}
	out.Entries = make([]Entry, 0, runLen(runs)+len(aa.Symbols))
	mergeRuns(runs, func(i int, p *Principal) {
		out.Entries = append(out.Entries, entryOf(aa.Groups[i].Result, p.ARN, p.Kind, p.Account, describePrincipal(p)))
	})
	symbols := append([]Entry(nil), aa.Symbols...)
	SortEntries(symbols)
	out.Entries = append(out.Entries, symbols...)
	ka.mu.Lock()
	if prev, ok := ka.whoCan[action]; ok {
		out = prev
	} else {
		ka.whoCan[action] = out
	}
	ka.mu.Unlock()
	return out, nil
}

// notes say what a key's answers cannot show.
func (ka *KeyAccess) notes() []string {
	var out []string
	if g := ka.Key.PolicyGap; g != nil {
		out = append(out, "the key policy could not be read ("+g.Reason+"): only principals a grant allows can be listed; every other answer is Unknown")
	}
	if g := ka.Key.GrantsGap; g != nil {
		out = append(out, "the grants of "+ka.Key.ARN+" were not read ("+g.Reason+"): grantees may be missing")
	}
	for _, id := range ka.ix.accountIDs() {
		if a := ka.ix.accounts[id]; a.inv.IAMIncomplete != nil {
			out = append(out, "the IAM data of account "+id+" is incomplete ("+a.inv.IAMIncomplete.Reason+"): principals may be missing")
		}
	}
	return out
}

// SortEntries orders entries by kind (root, users, roles, named,
// accounts, grantees, services, organizations, anyone), then by name.
func SortEntries(es []Entry) {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.Kind != b.Kind {
			return kindOrder(a.Kind) < kindOrder(b.Kind)
		}
		return a.Name() < b.Name()
	})
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
	case KindOrg:
		return 7
	}
	return 8
}

// EntryOf is the who-can entry of a principal of the inventory with its
// decision.
func EntryOf(r engine.Result, p *Principal) Entry {
	return entryOf(r, p.ARN, p.Kind, p.Account, describePrincipal(p))
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

func entryOf(r engine.Result, principal string, kind Kind, acct, desc string) Entry {
	e := Entry{Principal: principal, Kind: kind, Account: acct, Description: desc, Via: r.Rule, Decision: r.Decision,
		Conditional: r.Conditional, Conditions: r.Conditions, Result: r}
	for _, reason := range r.Reasons {
		if reason.Layer == engine.LayerGrant {
			e.Grant = strings.TrimPrefix(reason.Policy, "grant ")
			break
		}
	}
	return e
}
