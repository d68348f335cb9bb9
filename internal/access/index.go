package access

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/keywarden/keywarden/internal/arn"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/policy"
)

// Index is a snapshot prepared for questions: parsed policies, principals
// and keys by ARN, the organization guardrails of each account, and the
// principals grouped by what their decisions can depend on.
type Index struct {
	Snapshot   *inventory.Snapshot
	accounts   map[string]*account
	principals []*Principal
	byARN      map[string]*Principal
	roleByName map[string]*Principal // "ACCOUNT/NAME"
	keys       []*Key
	keyByARN   map[string]*Key
	profiles   []*profile
	// tagKeys are the principal tag keys (lower case) that a policy
	// applying to every principal tests (an SCP, an RCP, a key policy):
	// only those, and the ones a principal's own policies test, tell
	// principals apart.
	tagKeys map[string]bool
	// stmtIDs numbers every identity statement that covers a KMS action
	// on a key, for the per-key coverage sets.
	stmtIDs map[*policy.Statement]int
	// byDocClass finds the classes that hold a document (docClasses).
	docClassesOnce sync.Once
	byDocClass     map[*policy.Document][]*class
	// stmtClasses are, for each numbered statement, the classes whose
	// policies hold it; openProfiles are the profiles a delegating
	// key reaches without an Allow of their own (root users, principals
	// with unread identity policies).
	stmtClasses  [][]*class
	openProfiles []*profile
	// coverages are the partitions of the classes for the keys of one
	// coverage (groups.go).
	coverageMu sync.Mutex
	coverages  map[string]*coverage
	// covers marks, for an action, the numbered statements that cover
	// it (coverAction).
	coverMu sync.Mutex
	covers  map[string][]bool
	stmts   []*policy.Statement
	// exactStmts indexes the statements whose Resource names only fixed
	// ARNs, by ARN; patternStmts are the others (wildcards, variables,
	// NotResource).
	exactStmts   map[string][]int
	patternStmts []int
}

// account is an account of the snapshot with its parsed guardrails.
type account struct {
	inv  *inventory.Account
	scps [][]*policy.Document
	rcps [][]*policy.Document
	// scpGap and rcpGap are set when the organization's policies could
	// not be read: SCPs and RCPs can only take access away, so answers
	// become "allowed unless they deny".
	scpGap, rcpGap *engine.Gap
	orgID          string
	paths          []string
	// orgUnknown: whether the account is in an organization could not be
	// read.
	orgUnknown bool
	// iamGap is set when the account's IAM listing is incomplete:
	// principals may be missing.
	iamGap *engine.Gap
}

// Kind is the kind of a principal in answers.
type Kind string

// The principal kinds of answers.
const (
	KindUser    Kind = "user"
	KindRole    Kind = "role"
	KindRoot    Kind = "root"
	KindNamed   Kind = "external" // a user or role outside the inventory, named in a key policy
	KindAccount Kind = "account"  // any principal of an account, by its own IAM policies
	KindOrg     Kind = "organization"
	KindAnyone  Kind = "anyone" // any principal outside the accounts and organization that answers list
	KindService Kind = "service"
	KindGrantee Kind = "grantee" // a grantee outside the inventory
)

// A Principal is a user, role or root user of the inventory, with its
// parsed policies.
type Principal struct {
	ARN     string
	Name    string
	Kind    Kind
	Account string
	// Path is the IAM path ("/" by default).
	Path          string
	Tags          []inventory.Tag
	ServiceLinked bool
	Identity      []*policy.Document
	Boundary      *policy.Document
	// IdentityGap is set when some identity policy could not be read or
	// parsed, BoundaryGap when the permissions boundary could not: an
	// Allow that needs them is Unknown, an Allow without them holds
	// unless they deny.
	IdentityGap, BoundaryGap *engine.Gap
	acct                     *account
	profile                  *profile
	class                    *class
	// rank is the principal's place in answers: by kind (root, users,
	// roles), then by ARN; byARN its place by ARN alone (the matrix's
	// order).
	rank, byARN int
	// kms are the identity statements that cover some KMS action on a
	// key (by number in Index.stmts), Allow and Deny.
	kms []int
}

// A Key is a KMS key of the inventory with its parsed policy and grants.
type Key struct {
	Inv *inventory.Key
	ARN string
	// Policy is nil when the key policy could not be read or parsed;
	// PolicyGap says why.
	Policy    *policy.Document
	PolicyGap *engine.Gap
	Grants    []engine.Grant
	// GrantsGap is set when the grants could not be read: a grant might
	// allow more.
	GrantsGap *engine.Gap
	acct      *account
	// facts is what the key policy and grants say about principals,
	// computed once.
	facts *keyFacts
	// ctx and absent are the key's properties for conditions.
	ctx    map[string]engine.Value
	absent []string
}

// New builds the index. Policies that do not parse are recorded as gaps on
// their principal or key (answers that need them are Unknown); New itself
// fails only on an empty snapshot.
func New(snap *inventory.Snapshot) (*Index, error) {
	if snap == nil || len(snap.Accounts) == 0 {
		return nil, errors.New("the snapshot holds no account")
	}
	ix := &Index{Snapshot: snap, accounts: map[string]*account{}, byARN: map[string]*Principal{},
		roleByName: map[string]*Principal{}, keyByARN: map[string]*Key{}, tagKeys: map[string]bool{}, stmtIDs: map[*policy.Statement]int{}, coverages: map[string]*coverage{}}
	for _, a := range snap.Accounts {
		acct := newAccount(a)
		ix.accounts[a.ID] = acct
		ix.add(&Principal{ARN: arn.Root("aws", a.ID), Name: "root", Kind: KindRoot, Account: a.ID, acct: acct})
		for _, u := range a.Users {
			ix.add(newPrincipal(inventory.Principal{Account: a, User: u}, acct, KindUser, u.ARN, u.Name, u.Path, u.Tags, false))
		}
		for _, r := range a.Roles {
			p := newPrincipal(inventory.Principal{Account: a, Role: r}, acct, KindRole, r.ARN, r.Name, r.Path, r.Tags, r.ServiceLinked)
			ix.add(p)
			ix.roleByName[a.ID+"/"+r.Name] = p
		}
		for _, k := range a.Keys {
			key := newKey(k, acct)
			ix.keys = append(ix.keys, key)
			ix.keyByARN[k.ARN] = key
		}
	}
	byRank := append([]*Principal(nil), ix.principals...)
	sort.Slice(byRank, func(i, j int) bool {
		a, b := byRank[i], byRank[j]
		if a.Kind != b.Kind {
			return kindOrder(a.Kind) < kindOrder(b.Kind)
		}
		return a.ARN < b.ARN
	})
	for i, p := range byRank {
		p.rank = i
	}
	sort.Slice(ix.principals, func(i, j int) bool { return ix.principals[i].ARN < ix.principals[j].ARN })
	for i, p := range ix.principals {
		p.byARN = i
	}
	sort.Slice(ix.keys, func(i, j int) bool { return ix.keys[i].ARN < ix.keys[j].ARN })
	ix.collectTagKeys()
	ix.buildProfiles()
	ix.indexStatements()
	for _, k := range ix.keys {
		k.facts = factsOf(k)
	}
	return ix, nil
}

func newAccount(a *inventory.Account) *account {
	acct := &account{inv: a}
	switch org := a.Organization; {
	case org != nil:
		acct.orgID = org.ID
		if org.OUPath != "" {
			acct.paths = []string{org.OUPath}
		}
		if !a.IsManagementAccount() {
			// SCPs and RCPs do not apply to the management account.
			var err1, err2 error
			acct.scps, err1 = org.ParseSCPs()
			acct.rcps, err2 = org.ParseRCPs()
			if err1 != nil {
				acct.scps = nil
				acct.scpGap = &engine.Gap{Input: engine.InputSCPs, Owner: a.ID, Reason: "SCPs not read: " + gapReason(org.SCPsIncomplete, err1)}
			}
			if err2 != nil {
				acct.rcps = nil
				acct.rcpGap = &engine.Gap{Input: engine.InputRCPs, Owner: a.ID, Reason: "RCPs not read: " + gapReason(org.RCPsIncomplete, err2)}
			}
		}
	case a.OrganizationIncomplete != nil:
		acct.orgUnknown = true
		reason := a.OrganizationIncomplete.Reason
		acct.scpGap = &engine.Gap{Input: engine.InputSCPs, Owner: a.ID, Reason: "the organization could not be read (" + reason + ")"}
		acct.rcpGap = &engine.Gap{Input: engine.InputRCPs, Owner: a.ID, Reason: "the organization could not be read (" + reason + ")"}
	}
	if a.IAMIncomplete != nil {
		acct.iamGap = &engine.Gap{Input: engine.InputIdentity, Owner: "principals of account " + a.ID + " missing from the IAM listing", Reason: a.IAMIncomplete.Reason}
	}
	return acct
}

// gapReason says why an input was not read: the mark's reason and where
// it was seen, or else the error.
func gapReason(in *inventory.Incomplete, err error) string {
	if in == nil {
		return firstLine(err)
	}
	if in.Source != "" {
		return in.Reason + " (" + in.Source + ")"
	}
	return in.Reason
}

func newPrincipal(p inventory.Principal, acct *account, kind Kind, arnS, name, path string, tags []inventory.Tag, slr bool) *Principal {
	out := &Principal{ARN: arnS, Name: name, Kind: kind, Account: acct.inv.ID, Path: path, Tags: tags, ServiceLinked: slr, acct: acct}
	var err error
	out.Identity, err = p.IdentityPolicies()
	if err != nil {
		reason := firstLine(err)
		if in := p.Incomplete(); in != nil {
			// The principal's own mark says it best.
			reason = gapReason(in, err)
		}
		out.IdentityGap = &engine.Gap{Input: engine.InputIdentity, Owner: arnS, Reason: reason}
	}
	out.Boundary, err = p.Boundary()
	if err != nil {
		out.Boundary = nil
		out.BoundaryGap = &engine.Gap{Input: engine.InputBoundary, Owner: arnS, Reason: firstLine(err)}
	}
	return out
}

func newKey(k *inventory.Key, acct *account) *Key {
	key := &Key{Inv: k, ARN: k.ARN, acct: acct}
	key.ctx, key.absent = keyContext(key)
	var err error
	key.Policy, err = k.ParsePolicy()
	if err != nil {
		key.Policy = nil
		reason := firstLine(err)
		if m := k.PolicyIncomplete; m != nil && k.Policy == nil {
			reason = m.Reason
		}
		key.PolicyGap = &engine.Gap{Input: engine.InputKeyPolicy, Owner: k.ARN, Reason: reason}
	}
	if k.GrantsIncomplete != nil {
		key.GrantsGap = &engine.Gap{Input: engine.InputGrants, Owner: k.ARN, Reason: k.GrantsIncomplete.Reason}
	}
	for _, g := range k.Grants {
		issuer := g.IssuingAccount
		if strings.HasPrefix(issuer, "arn:") {
			// ListGrants gives the issuing account as its root ARN.
			issuer = arn.Account(issuer)
		}
		key.Grants = append(key.Grants, engine.Grant{
			ID: g.ID, Name: g.Name, GranteePrincipal: g.GranteePrincipal, RetiringPrincipal: g.RetiringPrincipal,
			Operations: g.Operations, EncryptionContextEquals: g.EncryptionContextEquals,
			EncryptionContextSubset: g.EncryptionContextSubset, IssuingAccount: issuer,
		})
	}
	return key
}

func (ix *Index) add(p *Principal) {
	ix.principals = append(ix.principals, p)
	ix.byARN[p.ARN] = p
}

// Principals returns the users, roles and root users of the inventory,
// sorted by ARN.
func (ix *Index) Principals() []*Principal { return ix.principals }

// Keys returns the keys of the inventory, sorted by ARN.
func (ix *Index) Keys() []*Key { return ix.keys }

// Principal finds a principal by ARN (user, role, root, or an assumed-role
// session, which stands for its role), by account ID (its root user) or by
// a user or role name that is unique in the inventory.
func (ix *Index) Principal(ref string) (*Principal, error) {
	if p, ok := ix.byARN[ref]; ok {
		return p, nil
	}
	if s, ok := arn.ParseSession(ref); ok {
		if p, ok := ix.roleByName[s.Account+"/"+s.Role]; ok {
			return p, nil
		}
	}
	if arn.IsAccountID(ref) {
		if p, ok := ix.byARN[arn.Root("aws", ref)]; ok {
			return p, nil
		}
	}
	if strings.HasPrefix(ref, "arn:") {
		return nil, fmt.Errorf("principal %s is not in the inventory", ref)
	}
	var found []*Principal
	for _, p := range ix.principals {
		if p.Name == ref && p.Kind != KindRoot {
			found = append(found, p)
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("no user or role named %q in the inventory", ref)
	case 1:
		return found[0], nil
	}
	arns := make([]string, len(found))
	for i, p := range found {
		arns[i] = p.ARN
	}
	return nil, fmt.Errorf("the name %q is ambiguous; give one of these ARNs: %s", ref, strings.Join(arns, ", "))
}

// Key finds a key by ARN, key ID, alias name or alias ARN.
func (ix *Index) Key(ref string) (*Key, error) {
	if k, ok := ix.keyByARN[ref]; ok {
		return k, nil
	}
	k, err := ix.Snapshot.Key(ref)
	if err != nil {
		return nil, err
	}
	if key, ok := ix.keyByARN[k.ARN]; ok {
		return key, nil
	}
	return nil, fmt.Errorf("key %s is not in the index", ref)
}

// WithPolicy returns a copy of the key with another key policy: checks use
// it to verify a proposed fix before showing it.
func (k *Key) WithPolicy(d *policy.Document) *Key {
	c := *k
	c.Policy, c.PolicyGap = d, nil
	c.facts = factsOf(&c)
	return &c
}

// WithGrants returns a copy of the key with other grants (nil: none),
// taken as complete.
func (k *Key) WithGrants(gs []engine.Grant) *Key {
	c := *k
	c.Grants, c.GrantsGap = gs, nil
	c.facts = factsOf(&c)
	return &c
}

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " (and more)"
	}
	return s
}
