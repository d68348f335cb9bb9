package collect

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/keywarden/keywarden/internal/inventory"
)

// maxOUDepth caps the walk up the OU tree; AWS allows five levels of OUs
// under the root.
const maxOUDepth = 10

// orgReaders chooses, per organization, whose credentials read its
// structure, and caches what is read so that accounts of one organization
// share the calls. Only the management account (or a delegated
// administrator) may call ListParents, ListPoliciesForTarget and
// DescribePolicy; a member account's own role gets AccessDenied. So an
// account's organization data is read with its own session first and, on
// AccessDenied, with the session of the organization's management account
// when that account is read too, or is the caller's.
type orgReaders struct {
	sessions map[string]*session // account ID → session
	memo     memo
}

func newOrgReaders(c *collector, targets []*target) *orgReaders {
	o := &orgReaders{sessions: map[string]*session{c.baseAccount: c.baseSession}}
	for _, t := range targets {
		if t.session != nil {
			o.sessions[t.accountID] = t.session
		}
	}
	return o
}

// readOrganization reads the account's organization: its ID, management
// account, the account's OU path, and the SCP and RCP chains from the root
// down to the account.
func (c *collector) readOrganization(ctx context.Context, t *target, a *inventory.Account) {
	c.progress.report(Progress{Account: a.ID, Service: "organizations"})
	defer c.progress.report(Progress{Account: a.ID, Service: "organizations", Finished: true})

	out, err := t.session.orgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	switch {
	case hasCode(err, "AWSOrganizationsNotInUseException"):
		return // not in an organization: nil with no mark
	case err != nil:
		a.OrganizationIncomplete = notRead("organizations:DescribeOrganization", err)
		return
	case out.Organization == nil:
		return
	}
	org := &inventory.Organization{
		ID:                  aws.ToString(out.Organization.Id),
		ManagementAccountID: aws.ToString(out.Organization.MasterAccountId),
	}
	a.Organization = org

	readers := []string{a.ID}
	if m := org.ManagementAccountID; m != a.ID && c.orgs.sessions[m] != nil {
		readers = append(readers, m)
	}
	var st *orgStructure
	for i, r := range readers {
		st, err = c.orgs.structure(ctx, r, org.ID, a.ID)
		if err == nil || !isAccessDenied(err) || i == len(readers)-1 {
			break
		}
	}
	if err != nil {
		in := notRead(opOf(err), err)
		org.SCPsIncomplete, org.RCPsIncomplete = in, in
		return
	}
	org.OUPath = st.ouPath
	if st.enabled[orgtypes.PolicyTypeServiceControlPolicy] {
		org.SCPs, org.SCPsIncomplete = c.orgs.chain(ctx, st, orgtypes.PolicyTypeServiceControlPolicy)
	}
	if st.enabled[orgtypes.PolicyTypeResourceControlPolicy] {
		org.RCPs, org.RCPsIncomplete = c.orgs.chain(ctx, st, orgtypes.PolicyTypeResourceControlPolicy)
	}
}

// An orgStructure is an account's place in its organization, as read with
// one reader's session.
type orgStructure struct {
	reader  string
	orgID   string
	levels  []inventory.OrgLevel // root, OUs top-down, the account; no policies yet
	ouPath  string
	enabled map[orgtypes.PolicyType]bool // policy types enabled at the root
}

// An opError is an error of one Organizations call, naming it.
type opError struct {
	op  string
	err error
}

func (e *opError) Error() string { return e.op + ": " + e.err.Error() }
func (e *opError) Unwrap() error { return e.err }

// opOf returns the call an error came from.
func opOf(err error) string {
	var oe *opError
	if errors.As(err, &oe) {
		return oe.op
	}
	return "organizations"
}

func (o *orgReaders) structure(ctx context.Context, reader, orgID, accountID string) (*orgStructure, error) {
	api := o.sessions[reader].orgs
	// The walk up from the account: parents until the root.
	var chain []inventory.OrgLevel // account's parent first
	child := accountID
	for range maxOUDepth {
		v, err := o.memo.get("parents|"+reader+"|"+child, func() (any, error) {
			out, err := api.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(child)})
			if err != nil {
				return nil, &opError{"organizations:ListParents", err}
			}
			if len(out.Parents) == 0 {
				return nil, &opError{"organizations:ListParents", errors.New("no parent listed for " + child)}
			}
			return out.Parents[0], nil
		})
		if err != nil {
			return nil, err
		}
		p := v.(orgtypes.Parent)
		chain = append(chain, inventory.OrgLevel{TargetID: aws.ToString(p.Id)})
		if p.Type == orgtypes.ParentTypeRoot {
			break
		}
		child = aws.ToString(p.Id)
	}
	if len(chain) == 0 || !strings.HasPrefix(chain[len(chain)-1].TargetID, "r-") {
		return nil, &opError{"organizations:ListParents", fmt.Errorf("no root found within %d levels above account %s", maxOUDepth, accountID)}
	}

	v, err := o.memo.get("roots|"+reader, func() (any, error) {
		out, err := api.ListRoots(ctx, &organizations.ListRootsInput{})
		if err != nil {
			return nil, &opError{"organizations:ListRoots", err}
		}
		return out.Roots, nil
	})
	if err != nil {
		return nil, err
	}
	st := &orgStructure{reader: reader, orgID: orgID, enabled: map[orgtypes.PolicyType]bool{}}
	rootID := chain[len(chain)-1].TargetID
	for _, r := range v.([]orgtypes.Root) {
		if aws.ToString(r.Id) != rootID {
			continue
		}
		chain[len(chain)-1].TargetName = aws.ToString(r.Name)
		for _, pt := range r.PolicyTypes {
			if pt.Status == orgtypes.PolicyTypeStatusEnabled {
				st.enabled[pt.Type] = true
			}
		}
	}

	path := orgID + "/"
	for i := len(chain) - 1; i >= 0; i-- {
		l := chain[i]
		if strings.HasPrefix(l.TargetID, "ou-") {
			// The OU's name is for explanations only; a failure to read it
			// leaves the name out and marks nothing.
			if v, err := o.memo.get("ou|"+reader+"|"+l.TargetID, func() (any, error) {
				out, err := api.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(l.TargetID)})
				if err != nil || out.OrganizationalUnit == nil {
					return "", err
				}
				return aws.ToString(out.OrganizationalUnit.Name), nil
			}); err == nil {
				l.TargetName = v.(string)
			}
		}
		st.levels = append(st.levels, l)
		path += l.TargetID + "/"
	}
	st.levels = append(st.levels, inventory.OrgLevel{TargetID: accountID})
	st.ouPath = path
	return st, nil
}

// chain reads the policies of one type attached to each level. Levels keep
// the policies read before a failure, and the chain is then marked.
func (o *orgReaders) chain(ctx context.Context, st *orgStructure, typ orgtypes.PolicyType) ([]inventory.OrgLevel, *inventory.Incomplete) {
	api := o.sessions[st.reader].orgs
	var mark *inventory.Incomplete
	levels := make([]inventory.OrgLevel, len(st.levels))
	for i, l := range st.levels {
		levels[i] = l
		v, err := o.memo.get("targets|"+st.reader+"|"+l.TargetID+"|"+string(typ), func() (any, error) {
			var list []orgtypes.PolicySummary
			p := organizations.NewListPoliciesForTargetPaginator(api, &organizations.ListPoliciesForTargetInput{
				TargetId: aws.String(l.TargetID), Filter: typ,
			})
			err := eachPage(ctx, p.HasMorePages,
				func(ctx context.Context) (*organizations.ListPoliciesForTargetOutput, error) { return p.NextPage(ctx) },
				func(out *organizations.ListPoliciesForTargetOutput) *string { return out.NextToken },
				func(out *organizations.ListPoliciesForTargetOutput) { list = append(list, out.Policies...) })
			if err != nil {
				return nil, &opError{"organizations:ListPoliciesForTarget", err}
			}
			return list, nil
		})
		if err != nil {
			if mark == nil {
				mark = notRead(opOf(err), err)
			}
			continue
		}
		for _, ps := range v.([]orgtypes.PolicySummary) {
			pol := inventory.OrgPolicy{
				ID:         aws.ToString(ps.Id),
				Name:       aws.ToString(ps.Name),
				ARN:        aws.ToString(ps.Arn),
				AWSManaged: ps.AwsManaged,
			}
			doc, err := o.memo.get("policy|"+st.reader+"|"+pol.ID, func() (any, error) {
				out, err := api.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(pol.ID)})
				if err != nil {
					return nil, &opError{"organizations:DescribePolicy", err}
				}
				if out.Policy == nil || out.Policy.Content == nil {
					return nil, &opError{"organizations:DescribePolicy", errors.New("no content")}
				}
				d, err := inventory.DecodeDocument([]byte(*out.Policy.Content), inventory.Location{File: "organizations:DescribePolicy " + pol.ID, Path: "Policy.Content"})
				if err != nil {
					return nil, &opError{"organizations:DescribePolicy", err}
				}
				return d, nil
			})
			if err != nil {
				if mark == nil {
					mark = notRead(opOf(err), err)
				}
			} else {
				pol.Document = doc.(*inventory.Document)
			}
			levels[i].Policies = append(levels[i].Policies, pol)
		}
	}
	return levels, mark
}

// memo runs a function once per key and keeps its result, for calls that
// accounts of one organization share.
type memo struct {
	mu sync.Mutex
	m  map[string]*memoEntry
}

type memoEntry struct {
	once sync.Once
	v    any
	err  error
}

func (m *memo) get(key string, f func() (any, error)) (any, error) {
	m.mu.Lock()
	if m.m == nil {
		m.m = map[string]*memoEntry{}
	}
	e, ok := m.m[key]
	if !ok {
		e = &memoEntry{}
		m.m[key] = e
	}
	m.mu.Unlock()
	e.once.Do(func() { e.v, e.err = f() })
	return e.v, e.err
}
