package access

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/policy"
)

// Index is a snapshot prepared for questions: parsed policies, principals
// and keys by ARN, the organization guardrails of each account.
type Index struct {
	Snapshot   *inventory.Snapshot
	accounts   map[string]*account
	principals []*Principal
	byARN      map[string]*Principal
	keys       []*Key
	keyByARN   map[string]*Key
}

// account is an account of the snapshot with its parsed guardrails.
type account struct {
	inv  *inventory.Account
	scps [][]*policy.Document
	rcps [][]*policy.Document
	// orgErr is set when the organization's policies could not be read:
	// answers then carry a note, since an SCP or RCP could deny.
	orgErr error
	orgID  string
	paths  []string
}

// Kind is the kind of a principal in answers.
type Kind string

// The principal kinds of answers.
const (
	KindUser    Kind = "user"
	KindRole    Kind = "role"
	KindRoot    Kind = "root"
	KindAccount Kind = "account"  // any principal of an account outside the inventory
	KindAnyone  Kind = "anyone"   // Principal "*"
	KindService Kind = "service"  // an AWS service principal
	KindGrantee Kind = "grantee"  // a grantee outside the inventory
	KindNamed   Kind = "external" // a user or role outside the inventory, named in a key policy
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
	// PolicyErr is set when some identity policy or the boundary could
	// not be read or parsed; decisions that need them become Unknown.
	PolicyErr error
	acct      *account
}

// A Key is a KMS key of the inventory with its parsed policy and grants.
type Key struct {
	Inv *inventory.Key
	ARN string
	// Policy is nil when the key policy could not be read or parsed;
	// PolicyErr says why.
	Policy    *policy.Document
	PolicyErr error
	Grants    []engine.Grant
	// GrantsErr is set when the grants could not be read: a grant might
	// allow more.
	GrantsErr error
	acct      *account
}

// New builds the index. Policies that do not parse are recorded on their
// principal or key (answers that need them are Unknown); New itself fails
// only on an empty snapshot.
func New(snap *inventory.Snapshot) (*Index, error) {
	if snap == nil || len(snap.Accounts) == 0 {
		return nil, errors.New("the snapshot holds no account")
	}
	ix := &Index{Snapshot: snap, accounts: map[string]*account{}, byARN: map[string]*Principal{}, keyByARN: map[string]*Key{}}
	for _, a := range snap.Accounts {
		acct := &account{inv: a}
		ix.accounts[a.ID] = acct
		if org := a.Organization; org != nil {
			acct.orgID = org.ID
			if org.OUPath != "" {
				acct.paths = []string{org.OUPath}
			}
			if !a.IsManagementAccount() {
				// SCPs and RCPs do not apply to the management account.
				var err1, err2 error
				acct.scps, err1 = org.ParseSCPs()
				acct.rcps, err2 = org.ParseRCPs()
				acct.orgErr = errors.Join(err1, err2)
			}
		} else if a.OrganizationIncomplete != nil {
			acct.orgErr = fmt.Errorf("organization of account %s: %s", a.ID, a.OrganizationIncomplete.Reason)
		}
		root := &Principal{ARN: "arn:aws:iam::" + a.ID + ":root", Name: "root", Kind: KindRoot, Account: a.ID, acct: acct}
		ix.add(root)
		for _, u := range a.Users {
			p := inventory.Principal{Account: a, User: u}
			ix.add(newPrincipal(p, acct, KindUser, u.ARN, u.Name, u.Path, u.Tags, false))
		}
		for _, r := range a.Roles {
			p := inventory.Principal{Account: a, Role: r}
			ix.add(newPrincipal(p, acct, KindRole, r.ARN, r.Name, r.Path, r.Tags, r.ServiceLinked))
		}
		for _, k := range a.Keys {
			key := &Key{Inv: k, ARN: k.ARN, acct: acct}
			key.Policy, key.PolicyErr = k.ParsePolicy()
			if k.GrantsIncomplete != nil {
				key.GrantsErr = fmt.Errorf("grants of %s were not read: %s", k.ARN, k.GrantsIncomplete.Reason)
			}
			for _, g := range k.Grants {
				if strings.HasPrefix(g.IssuingAccount, "arn:") {
					// ListGrants gives the issuing account as its root ARN.
					g.IssuingAccount = accountOfARN(g.IssuingAccount)
				}
				key.Grants = append(key.Grants, engine.Grant{
					ID: g.ID, Name: g.Name, GranteePrincipal: g.GranteePrincipal, RetiringPrincipal: g.RetiringPrincipal,
					Operations: g.Operations, EncryptionContextEquals: g.EncryptionContextEquals,
					EncryptionContextSubset: g.EncryptionContextSubset, IssuingAccount: g.IssuingAccount,
				})
			}
			ix.keys = append(ix.keys, key)
			ix.keyByARN[k.ARN] = key
		}
	}
	sort.Slice(ix.principals, func(i, j int) bool { return ix.principals[i].ARN < ix.principals[j].ARN })
	sort.Slice(ix.keys, func(i, j int) bool { return ix.keys[i].ARN < ix.keys[j].ARN })
	return ix, nil
}

func newPrincipal(p inventory.Principal, acct *account, kind Kind, arn, name, path string, tags []inventory.Tag, slr bool) *Principal {
	out := &Principal{ARN: arn, Name: name, Kind: kind, Account: acct.inv.ID, Path: path, Tags: tags, ServiceLinked: slr, acct: acct}
	var err1, err2 error
	out.Identity, err1 = p.IdentityPolicies()
	out.Boundary, err2 = p.Boundary()
	out.PolicyErr = errors.Join(err1, err2)
	return out
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
	if role, ok := sessionRole(ref); ok {
		for _, p := range ix.principals {
			if p.Kind == KindRole && p.Account == role.account && p.Name == role.name {
				return p, nil
			}
		}
	}
	if len(ref) == 12 && strings.Trim(ref, "0123456789") == "" {
		if p, ok := ix.byARN["arn:aws:iam::"+ref+":root"]; ok {
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

type roleRef struct{ account, name string }

// sessionRole reads arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION.
func sessionRole(arn string) (roleRef, bool) {
	f := strings.SplitN(arn, ":", 6)
	if len(f) != 6 || f[2] != "sts" || !strings.HasPrefix(f[5], "assumed-role/") {
		return roleRef{}, false
	}
	parts := strings.SplitN(strings.TrimPrefix(f[5], "assumed-role/"), "/", 2)
	return roleRef{account: f[4], name: parts[0]}, parts[0] != ""
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
