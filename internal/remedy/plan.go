package remedy

import (
	"sort"
	"strings"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/msg"
	"github.com/keywarden/keywarden/internal/policy"
)

// A Plan is a fix being made: typed operations on the account's documents
// (a key policy, an IAM policy, a grant, a key's state), which Prove
// checks with the engine and Render writes as console steps, AWS CLI
// commands and Terraform.
type Plan struct {
	ix  *access.Index
	ops []op
	// placeholders are the values the user chooses, by name.
	placeholders []*placeholder
	// actions limit the access diff of identity edits to the actions they
	// can change (nil: every action on a key); the other actions are
	// proved unchanged statement by statement.
	actions []string
	// shared returns the answers about a key of the account that the
	// caller already holds (a scan shares one key's answers between its
	// checks), nil when it holds none; access keeps the answers of the
	// keys the plan asks about otherwise.
	shared func(k *access.Key) *access.KeyAccess
	access map[*access.Key]*access.KeyAccess
}

// NewPlan starts a plan over an account's access index. shared, when not
// nil, returns the answers about a key that the caller already holds.
func NewPlan(ix *access.Index, shared func(k *access.Key) *access.KeyAccess) *Plan {
	return &Plan{ix: ix, shared: shared, access: map[*access.Key]*access.KeyAccess{}}
}

// keyAccess returns the answers about a key: the caller's, or the plan's.
func (p *Plan) keyAccess(k *access.Key) *access.KeyAccess {
	if p.shared != nil {
		if ka := p.shared(k); ka != nil {
			return ka
		}
	}
	ka := p.access[k]
	if ka == nil {
		ka = p.ix.Access(k)
		p.access[k] = ka
	}
	return ka
}

// whoCan answers who-can about a key.
func (p *Plan) whoCan(k *access.Key, action string) (*access.WhoCanResult, error) {
	return p.keyAccess(k).WhoCan(action)
}

// An Owner is an IAM user, group or role: what holds an inline policy or
// has a managed policy attached.
type Owner struct {
	Kind string // "user", "group" or "role"
	Name string
	ARN  string
}

// OwnerOf reads an IAM user, group or role ARN.
func OwnerOf(arn string) (Owner, bool) {
	f := strings.SplitN(arn, ":", 6)
	if len(f) != 6 || f[2] != "iam" {
		return Owner{}, false
	}
	res := f[5]
	var kind string
	switch {
	case strings.HasPrefix(res, "user/"):
		kind = "user"
	case strings.HasPrefix(res, "group/"):
		kind = "group"
	case strings.HasPrefix(res, "role/"):
		kind = "role"
	default:
		return Owner{}, false
	}
	return Owner{Kind: kind, Name: res[strings.LastIndexByte(res, '/')+1:], ARN: arn}, true
}

// An op is one operation of a plan.
type op interface{ isOp() }

// putKeyPolicy replaces a key's policy.
type putKeyPolicy struct {
	key  *access.Key
	doc  *Doc
	says []msg.Text
}

// policyVersion makes a new default version of a customer managed policy;
// with no statement left, the policy is detached from its holders instead.
type policyVersion struct {
	mp      *inventory.ManagedPolicy
	old     *policy.Document
	doc     *Doc
	holders []Owner
	says    []msg.Text
}

// inlinePolicy writes (or, with no statement left, deletes) an inline
// policy; old is nil for a new one.
type inlinePolicy struct {
	owner Owner
	name  string
	old   *policy.Document
	doc   *Doc
	says  []msg.Text
}

// replaceManaged puts a customer managed policy in place of a managed
// policy that cannot be edited (an AWS managed one): create it, attach it
// to every holder, detach the old one.
type replaceManaged struct {
	old     *inventory.ManagedPolicy
	oldDoc  *policy.Document
	account string
	name    string
	doc     *Doc
	holders []Owner
	says    []msg.Text
}

// revokeGrant revokes a grant.
type revokeGrant struct {
	key   *access.Key
	grant *inventory.Grant
}

// createGrant creates a grant.
type createGrant struct {
	key   *access.Key
	grant inventory.Grant
}

// cancelDeletion cancels a key's scheduled deletion.
type cancelDeletion struct{ key *access.Key }

// enableRotation turns on automatic rotation.
type enableRotation struct {
	key    *inventory.Key
	period int
	// region is set when the key is a replica's primary that is not in
	// the input: the user names its Region.
	region string
}

func (*putKeyPolicy) isOp()   {}
func (*policyVersion) isOp()  {}
func (*inlinePolicy) isOp()   {}
func (*replaceManaged) isOp() {}
func (*revokeGrant) isOp()    {}
func (*createGrant) isOp()    {}
func (*cancelDeletion) isOp() {}
func (*enableRotation) isOp() {}

// KeyPolicy returns the key policy of k being edited, starting the edit
// on first use. It panics on a key whose policy was not read: checks do
// not fix what they could not decide.
func (p *Plan) KeyPolicy(k *access.Key) *Doc {
	for _, o := range p.ops {
		if kp, ok := o.(*putKeyPolicy); ok && kp.key == k {
			return kp.doc
		}
	}
	kp := &putKeyPolicy{key: k, doc: EditDoc(k.Policy)}
	p.ops = append(p.ops, kp)
	return kp.doc
}

// SayKeyPolicy adds a sentence describing the edit of k's key policy.
func (p *Plan) SayKeyPolicy(k *access.Key, t msg.Text) {
	p.KeyPolicy(k)
	for _, o := range p.ops {
		if kp, ok := o.(*putKeyPolicy); ok && kp.key == k {
			kp.says = append(kp.says, t)
		}
	}
}

// ManagedPolicy returns the default version of a customer managed policy
// being edited; holders are what it is attached to.
func (p *Plan) ManagedPolicy(mp *inventory.ManagedPolicy, d *policy.Document, holders []Owner, says ...msg.Text) *Doc {
	for _, o := range p.ops {
		if pv, ok := o.(*policyVersion); ok && pv.mp == mp {
			pv.says = append(pv.says, says...)
			return pv.doc
		}
	}
	pv := &policyVersion{mp: mp, old: d, doc: EditDoc(d), holders: holders, says: says}
	p.ops = append(p.ops, pv)
	return pv.doc
}

// InlinePolicy returns an inline policy being edited (d nil: a new one).
func (p *Plan) InlinePolicy(owner Owner, name string, d *policy.Document, says ...msg.Text) *Doc {
	for _, o := range p.ops {
		if ip, ok := o.(*inlinePolicy); ok && ip.owner == owner && ip.name == name {
			ip.says = append(ip.says, says...)
			return ip.doc
		}
	}
	ip := &inlinePolicy{owner: owner, name: name, old: d, says: says}
	if d != nil {
		ip.doc = EditDoc(d)
	} else {
		ip.doc = NewDoc(policy.Identity)
	}
	p.ops = append(p.ops, ip)
	return ip.doc
}

// ReplaceManaged puts a new customer managed policy, name in the holders'
// account, in place of mp (which cannot be edited) for every holder; the
// returned document starts as a copy of mp's.
func (p *Plan) ReplaceManaged(mp *inventory.ManagedPolicy, d *policy.Document, account, name string, holders []Owner, says ...msg.Text) *Doc {
	rm := &replaceManaged{old: mp, oldDoc: d, account: account, name: name, doc: EditDoc(d), holders: holders, says: says}
	rm.doc.orig = nil // a new policy: every statement is new
	p.ops = append(p.ops, rm)
	return rm.doc
}

// RevokeGrant revokes a grant of k.
func (p *Plan) RevokeGrant(k *access.Key, g *inventory.Grant) {
	p.ops = append(p.ops, &revokeGrant{key: k, grant: g})
}

// CreateGrant creates a grant on k.
func (p *Plan) CreateGrant(k *access.Key, g inventory.Grant) {
	p.ops = append(p.ops, &createGrant{key: k, grant: g})
}

// CancelKeyDeletion cancels the scheduled deletion of k.
func (p *Plan) CancelKeyDeletion(k *access.Key) {
	p.ops = append(p.ops, &cancelDeletion{key: k})
}

// EnableKeyRotation turns on automatic rotation of k every period days;
// region is the key's Region when the key is not in the input (a
// replica's primary), "" otherwise.
func (p *Plan) EnableKeyRotation(k *inventory.Key, period int, region string) {
	p.ops = append(p.ops, &enableRotation{key: k, period: period, region: region})
}

// LimitDiff says which actions the plan's identity edits can change: the
// access diff decides only those with the engine, and the proof shows
// statement by statement that the others allow what they did.
func (p *Plan) LimitDiff(actions []string) { p.actions = actions }

// A placeholder is a value only the user knows.
type placeholder struct {
	Placeholder
	// proof is the value the proof takes: the choice that changes the
	// most (nil: none of the candidates).
	proof []string
	// widest is the choice that makes documents the largest, for the
	// size limits.
	widest []string
}

// Placeholder declares a value the user chooses. In documents it stands
// for a list (of key ARNs, say): the proof takes the value proof (nil: an
// empty list, which removes a statement whose Resource is only the
// placeholder) and checks sizes with widest.
func (p *Plan) Placeholder(name string, candidates []string, note msg.Text, proof, widest []string) string {
	for _, ph := range p.placeholders {
		if ph.Name == name {
			return name
		}
	}
	p.placeholders = append(p.placeholders, &placeholder{
		Placeholder: Placeholder{Name: name, Candidates: candidates, Note: note},
		proof:       proof, widest: widest,
	})
	return name
}

// Empty reports whether the plan changes nothing.
func (p *Plan) Empty() bool { return len(p.ops) == 0 }

// resolve returns a copy of a document with each placeholder replaced by
// its value in values; a statement whose Resource becomes empty is
// removed (it would apply to nothing).
func resolve(d *Doc, values map[string][]string) *Doc {
	if len(values) == 0 {
		return d
	}
	out := *d
	out.Stmts = nil
	for _, s := range d.Stmts {
		c := s.Copy()
		c.Resource = substitute(c.Resource, values)
		c.NotResource = substitute(c.NotResource, values)
		c.Action = substitute(c.Action, values)
		if s.Resource != nil && len(c.Resource) == 0 {
			continue
		}
		out.Stmts = append(out.Stmts, c)
	}
	return &out
}

func substitute(ss []string, values map[string][]string) []string {
	if ss == nil {
		return nil
	}
	out := []string{}
	for _, s := range ss {
		if v, ok := values[s]; ok {
			out = append(out, v...)
		} else {
			out = append(out, s)
		}
	}
	return out
}

func (p *Plan) values(widest bool) map[string][]string {
	if len(p.placeholders) == 0 {
		return nil
	}
	m := map[string][]string{}
	for _, ph := range p.placeholders {
		if widest {
			m[ph.Name] = ph.widest
		} else {
			m[ph.Name] = ph.proof
		}
	}
	return m
}

// holdersOf lists the users, groups and roles a managed policy is
// attached to, sorted by ARN.
func HoldersOf(snap *inventory.Snapshot, policyARN string) []Owner {
	var out []Owner
	for _, a := range snap.Accounts {
		for _, u := range a.Users {
			for _, arn := range u.AttachedPolicies {
				if arn == policyARN {
					out = append(out, Owner{Kind: "user", Name: u.Name, ARN: u.ARN})
				}
			}
		}
		for _, g := range a.Groups {
			for _, arn := range g.AttachedPolicies {
				if arn == policyARN {
					out = append(out, Owner{Kind: "group", Name: g.Name, ARN: g.ARN})
				}
			}
		}
		for _, r := range a.Roles {
			for _, arn := range r.AttachedPolicies {
				if arn == policyARN {
					out = append(out, Owner{Kind: "role", Name: r.Name, ARN: r.ARN})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
	return out
}
