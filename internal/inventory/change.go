package inventory

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// A Change is a planned change to one account, as a Terraform plan or a set
// of CloudFormation templates describes it: a list of edits, each made by
// one resource of the input. Apply lays it over the account as it is (a
// base snapshot) to give the account as it will be, or, without a base,
// builds an account that holds only what the change declares.
//
// Edits name what they change the way the inputs do: users, groups and
// roles by name (IAM names are unique in an account whatever the path),
// managed policies by ARN, keys by key ID, key ARN, alias name or alias ARN,
// buckets by name. Names and IDs that are not known before deployment are
// placeholders (see PlannedTerraform).
type Change struct {
	// Source names the input, for the snapshot's metadata:
	// SourceTerraform or SourceCloudFormation.
	Source string
	// Account is the 12-digit ID of the account the change lands in.
	Account string
	// Regions are the regions whose KMS keys the change declares or
	// touches.
	Regions []string
	// GeneratedAt is when the change was planned (a Terraform plan's
	// timestamp); zero means now.
	GeneratedAt time.Time
	// Edits are the changes, in the order the input lists its resources.
	// Apply runs them in phases (removals of parts, removals of entities,
	// entities, parts, key deletions), keeping this order within a phase,
	// so that an input need not order them.
	Edits []Edit
}

// An Edit is one change an input makes to an account. The types in this
// file are the only implementations.
type Edit interface {
	// At is the resource of the input that makes the edit.
	At() Location
	phase() int
	apply(*applier)
}

// The phases of Apply, in order.
const (
	phaseRemoveParts = iota
	phaseRemoveEntities
	phasePutEntities
	phasePutParts
	phaseScheduleDeletion
)

// Owner names the IAM user, group or role an inline policy, a managed
// policy attachment or a permissions boundary belongs to.
type Owner struct {
	// Kind is OwnerUser, OwnerGroup or OwnerRole.
	Kind string
	Name string
}

// The values of Owner.Kind.
const (
	OwnerUser  = "user"
	OwnerGroup = "group"
	OwnerRole  = "role"
)

func (o Owner) String() string { return o.Kind + " " + o.Name }

// PutRole creates the role, or replaces the role of the same name. The
// role's inline and attached policies replace the existing role's only when
// InlineExact or AttachedExact says the input manages them all (Terraform's
// inline_policy blocks and managed_policy_arns, CloudFormation's Policies
// and ManagedPolicyArns); otherwise those of the existing role are kept,
// and the edit's are added (an inline policy of the same name replaced).
type PutRole struct {
	Source        Location
	Role          *Role
	InlineExact   bool
	AttachedExact bool
}

// PutUser creates or replaces a user, as PutRole; GroupsExact says the
// edit's groups are all the user's groups.
type PutUser struct {
	Source        Location
	User          *User
	InlineExact   bool
	AttachedExact bool
	GroupsExact   bool
}

// PutGroup creates or replaces a group, as PutRole.
type PutGroup struct {
	Source        Location
	Group         *Group
	InlineExact   bool
	AttachedExact bool
}

// PutManagedPolicy creates or replaces a customer managed policy (or, for a
// policy document read from the input, an AWS managed one). The existing
// policy's attachment and boundary counts are kept.
type PutManagedPolicy struct {
	Source Location
	Policy *ManagedPolicy
}

// PutKey creates the key, or replaces the key with the same ARN. The
// existing key's grants and aliases are kept (the inputs manage them as
// separate resources); a nil policy, rotation, metadata or tag list with no
// mark keeps the existing key's.
type PutKey struct {
	Source Location
	Key    *Key
}

// PutBucket creates or replaces a bucket. A nil policy or encryption with
// no mark keeps the existing bucket's.
type PutBucket struct {
	Source Location
	Bucket *Bucket
}

// DeleteEntity removes a user, group or role by name, with everything it
// holds, and takes it out of every group's members.
type DeleteEntity struct {
	Source Location
	Owner  Owner
}

// DeleteManagedPolicy removes a managed policy and detaches it from every
// user, group and role (AWS refuses to delete an attached policy, so the
// input detaches it first).
type DeleteManagedPolicy struct {
	Source Location
	ARN    string
}

// DeleteBucket removes a bucket.
type DeleteBucket struct {
	Source Location
	Name   string
}

// ScheduleKeyDeletion schedules a key's deletion, as KMS does when an input
// deletes a key: the key stays, disabled and PendingDeletion until Date.
type ScheduleKeyDeletion struct {
	Source Location
	Key    string
	Region string
	Date   time.Time
}

// PutInlinePolicy adds an inline policy to a user, group or role, or
// replaces the one of the same name.
type PutInlinePolicy struct {
	Source Location
	Owner  Owner
	Policy InlinePolicy
	// Incomplete marks the document as not known (Policy.Document nil):
	// the owner is marked with it.
	Incomplete *Incomplete
}

// DeleteInlinePolicy removes an inline policy by name.
type DeleteInlinePolicy struct {
	Source Location
	Owner  Owner
	Name   string
}

// AttachPolicy attaches a managed policy to a user, group or role.
type AttachPolicy struct {
	Source    Location
	Owner     Owner
	PolicyARN string
}

// DetachPolicy detaches a managed policy from a user, group or role.
type DetachPolicy struct {
	Source    Location
	Owner     Owner
	PolicyARN string
}

// SetPolicyAttachments makes Owners the only users, groups and roles the
// policy is attached to (Terraform's aws_iam_policy_attachment).
type SetPolicyAttachments struct {
	Source    Location
	PolicyARN string
	Owners    []Owner
}

// AddUserToGroup makes a user a member of a group.
type AddUserToGroup struct {
	Source Location
	User   string
	Group  string
}

// RemoveUserFromGroup removes a user from a group.
type RemoveUserFromGroup struct {
	Source Location
	User   string
	Group  string
}

// SetGroupMembers makes Users the only members of the group (Terraform's
// aws_iam_group_membership).
type SetGroupMembers struct {
	Source Location
	Group  string
	Users  []string
}

// PutKeyPolicy sets a key's policy: Policy, or, when it is not known,
// Incomplete.
type PutKeyPolicy struct {
	Source     Location
	Key        string
	Region     string
	Policy     *Document
	Incomplete *Incomplete
}

// PutAlias points an alias at a key, taking it from the key it pointed at.
type PutAlias struct {
	Source Location
	Name   string
	Key    string
	Region string
}

// DeleteAlias removes an alias.
type DeleteAlias struct {
	Source Location
	Name   string
	Region string
}

// PutGrant adds a grant to a key, or replaces the grant with the same ID.
type PutGrant struct {
	Source Location
	Key    string
	Region string
	Grant  Grant
}

// DeleteGrant retires a grant.
type DeleteGrant struct {
	Source Location
	Key    string
	Region string
	ID     string
}

// PutBucketEncryption sets a bucket's default encryption: Encryption, or,
// when it is not known, Incomplete.
type PutBucketEncryption struct {
	Source     Location
	Bucket     string
	Encryption *BucketEncryption
	Incomplete *Incomplete
}

// PutBucketPolicy sets (Policy), marks as unknown (Incomplete) or, with
// both nil, removes a bucket's policy.
type PutBucketPolicy struct {
	Source     Location
	Bucket     string
	Policy     *Document
	Incomplete *Incomplete
}

// The values of the Type of organization policy edits.
const (
	SCP = "SERVICE_CONTROL_POLICY"
	RCP = "RESOURCE_CONTROL_POLICY"
)

// PutOrgPolicy creates or changes a service or resource control policy:
// where the policy is attached in an account's chain, its content is
// replaced, and AttachOrgPolicy edits can attach it.
type PutOrgPolicy struct {
	Source Location
	// Type is SCP or RCP.
	Type   string
	Policy OrgPolicy
}

// DeleteOrgPolicy removes an SCP or RCP from every chain.
type DeleteOrgPolicy struct {
	Source Location
	Type   string
	ID     string
}

// AttachOrgPolicy attaches an SCP or RCP to a root, OU or account: it
// joins the level with that target ID in the chain of every account whose
// chain holds the target. An empty Type finds the policy by ID among both
// kinds.
type AttachOrgPolicy struct {
	Source   Location
	Type     string
	PolicyID string
	Target   string
}

// DetachOrgPolicy detaches an SCP or RCP from a target (from both chains
// when Type is empty).
type DetachOrgPolicy struct {
	Source   Location
	Type     string
	PolicyID string
	Target   string
}

func (e *PutRole) At() Location              { return e.Source }
func (e *PutUser) At() Location              { return e.Source }
func (e *PutGroup) At() Location             { return e.Source }
func (e *PutManagedPolicy) At() Location     { return e.Source }
func (e *PutKey) At() Location               { return e.Source }
func (e *PutBucket) At() Location            { return e.Source }
func (e *DeleteEntity) At() Location         { return e.Source }
func (e *DeleteManagedPolicy) At() Location  { return e.Source }
func (e *DeleteBucket) At() Location         { return e.Source }
func (e *ScheduleKeyDeletion) At() Location  { return e.Source }
func (e *PutInlinePolicy) At() Location      { return e.Source }
func (e *DeleteInlinePolicy) At() Location   { return e.Source }
func (e *AttachPolicy) At() Location         { return e.Source }
func (e *DetachPolicy) At() Location         { return e.Source }
func (e *SetPolicyAttachments) At() Location { return e.Source }
func (e *AddUserToGroup) At() Location       { return e.Source }
func (e *RemoveUserFromGroup) At() Location  { return e.Source }
func (e *SetGroupMembers) At() Location      { return e.Source }
func (e *PutKeyPolicy) At() Location         { return e.Source }
func (e *PutAlias) At() Location             { return e.Source }
func (e *DeleteAlias) At() Location          { return e.Source }
func (e *PutGrant) At() Location             { return e.Source }
func (e *DeleteGrant) At() Location          { return e.Source }
func (e *PutBucketEncryption) At() Location  { return e.Source }
func (e *PutBucketPolicy) At() Location      { return e.Source }
func (e *PutOrgPolicy) At() Location         { return e.Source }
func (e *DeleteOrgPolicy) At() Location      { return e.Source }
func (e *AttachOrgPolicy) At() Location      { return e.Source }
func (e *DetachOrgPolicy) At() Location      { return e.Source }

func (*PutRole) phase() int              { return phasePutEntities }
func (*PutUser) phase() int              { return phasePutEntities }
func (*PutGroup) phase() int             { return phasePutEntities }
func (*PutManagedPolicy) phase() int     { return phasePutEntities }
func (*PutKey) phase() int               { return phasePutEntities }
func (*PutBucket) phase() int            { return phasePutEntities }
func (*PutOrgPolicy) phase() int         { return phasePutEntities }
func (*DeleteEntity) phase() int         { return phaseRemoveEntities }
func (*DeleteManagedPolicy) phase() int  { return phaseRemoveEntities }
func (*DeleteBucket) phase() int         { return phaseRemoveEntities }
func (*DeleteOrgPolicy) phase() int      { return phaseRemoveEntities }
func (*ScheduleKeyDeletion) phase() int  { return phaseScheduleDeletion }
func (*PutInlinePolicy) phase() int      { return phasePutParts }
func (*DeleteInlinePolicy) phase() int   { return phaseRemoveParts }
func (*AttachPolicy) phase() int         { return phasePutParts }
func (*DetachPolicy) phase() int         { return phaseRemoveParts }
func (*SetPolicyAttachments) phase() int { return phasePutParts }
func (*AddUserToGroup) phase() int       { return phasePutParts }
func (*RemoveUserFromGroup) phase() int  { return phaseRemoveParts }
func (*SetGroupMembers) phase() int      { return phasePutParts }
func (*PutKeyPolicy) phase() int         { return phasePutParts }
func (*PutAlias) phase() int             { return phasePutParts }
func (*DeleteAlias) phase() int          { return phaseRemoveParts }
func (*PutGrant) phase() int             { return phasePutParts }
func (*DeleteGrant) phase() int          { return phaseRemoveParts }
func (*PutBucketEncryption) phase() int  { return phasePutParts }
func (*PutBucketPolicy) phase() int      { return phasePutParts }
func (*AttachOrgPolicy) phase() int      { return phasePutParts }
func (*DetachOrgPolicy) phase() int      { return phaseRemoveParts }

// Apply returns the snapshot of the account after the change. With a base,
// the base is copied (it is not modified) and the change laid over the
// account c.Account, which must be in it: what the change declares joins
// or replaces what is there, and what it deletes goes. Without a base, the
// result holds one account with only what the change declares.
//
// An edit about something the account does not hold (an inline policy of a
// role that is neither in the base nor in the change) creates it, marked
// Incomplete: only what the change sets is known of it. An edit that
// cannot be placed at all (an SCP attached to an OU of no known
// organization) is skipped with a warning, as is one about another account.
// The warnings name the input's resource.
func Apply(base *Snapshot, c *Change) (*Snapshot, []string, error) {
	if !accountID.MatchString(c.Account) {
		return nil, nil, fmt.Errorf("account ID %q is not 12 digits", c.Account)
	}
	at := c.GeneratedAt
	if at.IsZero() {
		at = time.Now().UTC().Truncate(time.Second)
	}
	ap := &applier{change: c, orgPolicies: map[string]OrgPolicy{}}
	var out *Snapshot
	if base != nil {
		var err error
		if out, err = copySnapshot(base); err != nil {
			return nil, nil, err
		}
		ap.a = out.Account(c.Account)
		if ap.a == nil {
			ids := make([]string, len(out.Accounts))
			for i, a := range out.Accounts {
				ids[i] = a.ID
			}
			return nil, nil, fmt.Errorf("account %s is not in the base snapshot (it holds %s)", c.Account, orNone(ids))
		}
		ap.base = out
		out.Metadata = Metadata{GeneratedAt: at, Source: c.Source + " over " + base.Metadata.Source, ToolVersion: base.Metadata.ToolVersion}
	} else {
		ap.a = &Account{ID: c.Account}
		out = &Snapshot{Metadata: Metadata{GeneratedAt: at, Source: c.Source}, Accounts: []*Account{ap.a}}
	}
	ap.out = out
	ap.collectOrgPolicies()
	for _, r := range c.Regions {
		ap.region(r)
	}
	edits := slices.Clone(c.Edits)
	slices.SortStableFunc(edits, func(x, y Edit) int { return cmp.Compare(x.phase(), y.phase()) })
	for _, e := range edits {
		ap.at = e.At()
		e.apply(ap)
	}
	out.Normalize()
	return out, ap.warnings, nil
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// copySnapshot returns a deep copy of s, through its JSON form.
func copySnapshot(s *Snapshot) (*Snapshot, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, fmt.Errorf("copy the base snapshot: %w", err)
	}
	out := new(Snapshot)
	if err := json.Unmarshal(buf.Bytes(), out); err != nil {
		return nil, fmt.Errorf("copy the base snapshot: %w", err)
	}
	return out, nil
}

// applier holds the state of one Apply.
type applier struct {
	change   *Change
	out      *Snapshot
	base     *Snapshot // nil without a base
	a        *Account
	at       Location // the edit being applied
	warnings []string
	// orgPolicies are the SCPs and RCPs known by ID: from the base's
	// chains and from PutOrgPolicy edits, for AttachOrgPolicy.
	orgPolicies map[string]OrgPolicy
}

func (ap *applier) warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if at := ap.at.String(); at != "" {
		msg = at + ": " + msg
	}
	ap.warnings = append(ap.warnings, msg)
}

// notHeld is the mark of something an edit needs but that neither the
// base nor the change declares.
func (ap *applier) notHeld(what string) *Incomplete {
	reason := what + " is not in the input: only what the change sets is known (give a base snapshot or export to read the rest)"
	if ap.base != nil {
		reason = what + " is not in the base snapshot: only what the change sets is known"
	}
	return &Incomplete{Reason: reason, Source: ap.at.String()}
}

// region returns the account's KMS region of that name, adding it when
// missing: complete without a base (the account has nothing else), marked
// with a base that did not read it.
func (ap *applier) region(name string) *KMSRegion {
	for _, r := range ap.a.KMSRegions {
		if r.Name == name {
			return r
		}
	}
	r := &KMSRegion{Name: name}
	if ap.base != nil {
		in := &Incomplete{Reason: "the base snapshot did not read this region: only the keys the change declares are known", Source: ap.at.String()}
		r.KeysIncomplete, r.AliasesIncomplete = in, in
	}
	ap.a.KMSRegions = append(ap.a.KMSRegions, r)
	return r
}

// --- IAM entities -----------------------------------------------------

func (ap *applier) role(name string) *Role {
	for _, r := range ap.a.Roles {
		if r.Name == name {
			return r
		}
	}
	return nil
}

func (ap *applier) user(name string) *User {
	for _, u := range ap.a.Users {
		if u.Name == name {
			return u
		}
	}
	return nil
}

func (ap *applier) group(name string) *Group {
	for _, g := range ap.a.Groups {
		if g.Name == name {
			return g
		}
	}
	return nil
}

// iamARN is the ARN of an IAM entity whose path is not known: the path is
// taken to be "/", which the entity's Incomplete mark says is not known.
func (ap *applier) iamARN(kind, name string) string {
	return "arn:" + ap.partition() + ":iam::" + ap.a.ID + ":" + kind + "/" + name
}

func (ap *applier) partition() string { return "aws" }

// owned returns the inline policies, attached policies and mark of an
// owner, creating a stub entity marked Incomplete when the account has no
// entity of that name.
func (ap *applier) owned(o Owner) (inline *[]InlinePolicy, attached *[]string, mark **Incomplete, ok bool) {
	switch o.Kind {
	case OwnerRole:
		r := ap.role(o.Name)
		if r == nil {
			r = &Role{ARN: ap.iamARN("role", o.Name), Name: o.Name, Path: "/", Incomplete: ap.notHeld("role " + o.Name)}
			ap.a.Roles = append(ap.a.Roles, r)
		}
		return &r.InlinePolicies, &r.AttachedPolicies, &r.Incomplete, true
	case OwnerUser:
		u := ap.user(o.Name)
		if u == nil {
			u = &User{ARN: ap.iamARN("user", o.Name), Name: o.Name, Path: "/", Incomplete: ap.notHeld("user " + o.Name)}
			ap.a.Users = append(ap.a.Users, u)
		}
		return &u.InlinePolicies, &u.AttachedPolicies, &u.Incomplete, true
	case OwnerGroup:
		g := ap.group(o.Name)
		if g == nil {
			g = &Group{ARN: ap.iamARN("group", o.Name), Name: o.Name, Path: "/", Incomplete: ap.notHeld("group " + o.Name)}
			ap.a.Groups = append(ap.a.Groups, g)
		}
		return &g.InlinePolicies, &g.AttachedPolicies, &g.Incomplete, true
	}
	ap.warn("unknown IAM entity kind %q", o.Kind)
	return nil, nil, nil, false
}

// mergeInline adds the edit's inline policies to the existing ones, an
// edit's policy replacing the existing one of the same name.
func mergeInline(old, add []InlinePolicy) []InlinePolicy {
	out := slices.Clone(old)
	for _, p := range add {
		out = putInline(out, p)
	}
	return out
}

func putInline(list []InlinePolicy, p InlinePolicy) []InlinePolicy {
	for i := range list {
		if list[i].Name == p.Name {
			list[i] = p
			return list
		}
	}
	return append(list, p)
}

func mergeStrings(old, add []string) []string {
	out := slices.Clone(old)
	for _, s := range add {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func (e *PutRole) apply(ap *applier) {
	r := copyRole(e.Role)
	for i, old := range ap.a.Roles {
		if old.Name != r.Name {
			continue
		}
		if !e.InlineExact {
			r.InlinePolicies = mergeInline(old.InlinePolicies, r.InlinePolicies)
		}
		if !e.AttachedExact {
			r.AttachedPolicies = mergeStrings(old.AttachedPolicies, r.AttachedPolicies)
		}
		ap.a.Roles[i] = r
		return
	}
	ap.a.Roles = append(ap.a.Roles, r)
}

func (e *PutUser) apply(ap *applier) {
	u := *e.User
	u.InlinePolicies = slices.Clone(u.InlinePolicies)
	u.AttachedPolicies = slices.Clone(u.AttachedPolicies)
	u.Groups = slices.Clone(u.Groups)
	for i, old := range ap.a.Users {
		if old.Name != u.Name {
			continue
		}
		if !e.InlineExact {
			u.InlinePolicies = mergeInline(old.InlinePolicies, u.InlinePolicies)
		}
		if !e.AttachedExact {
			u.AttachedPolicies = mergeStrings(old.AttachedPolicies, u.AttachedPolicies)
		}
		if !e.GroupsExact {
			u.Groups = mergeStrings(old.Groups, u.Groups)
		}
		ap.a.Users[i] = &u
		return
	}
	ap.a.Users = append(ap.a.Users, &u)
}

func (e *PutGroup) apply(ap *applier) {
	g := *e.Group
	g.InlinePolicies = slices.Clone(g.InlinePolicies)
	g.AttachedPolicies = slices.Clone(g.AttachedPolicies)
	for i, old := range ap.a.Groups {
		if old.Name != g.Name {
			continue
		}
		if !e.InlineExact {
			g.InlinePolicies = mergeInline(old.InlinePolicies, g.InlinePolicies)
		}
		if !e.AttachedExact {
			g.AttachedPolicies = mergeStrings(old.AttachedPolicies, g.AttachedPolicies)
		}
		ap.a.Groups[i] = &g
		return
	}
	ap.a.Groups = append(ap.a.Groups, &g)
}

func copyRole(r *Role) *Role {
	c := *r
	c.InlinePolicies = slices.Clone(r.InlinePolicies)
	c.AttachedPolicies = slices.Clone(r.AttachedPolicies)
	c.Tags = slices.Clone(r.Tags)
	return &c
}

func (e *PutManagedPolicy) apply(ap *applier) {
	p := *e.Policy
	for i, old := range ap.a.Policies {
		if old.ARN == p.ARN {
			p.AttachmentCount, p.PermissionsBoundaryUsageCount = old.AttachmentCount, old.PermissionsBoundaryUsageCount
			if p.CreateDate.IsZero() {
				p.CreateDate = old.CreateDate
			}
			if p.ID == "" {
				p.ID = old.ID
			}
			// The same document is the same version; a new one is a
			// version whose number is not known.
			if p.DefaultVersionID == "" && p.Document != nil && p.Document.Equal(&Document{JSON: old.Document.jsonOrNil(), Source: p.Document.Source}) {
				p.DefaultVersionID, p.Versions = old.DefaultVersionID, old.Versions
			}
			ap.a.Policies[i] = &p
			return
		}
	}
	ap.a.Policies = append(ap.a.Policies, &p)
}

func (d *Document) jsonOrNil() []byte {
	if d == nil {
		return nil
	}
	return d.JSON
}

func (e *DeleteEntity) apply(ap *applier) {
	switch e.Owner.Kind {
	case OwnerRole:
		ap.a.Roles = slices.DeleteFunc(ap.a.Roles, func(r *Role) bool { return r.Name == e.Owner.Name })
	case OwnerUser:
		ap.a.Users = slices.DeleteFunc(ap.a.Users, func(u *User) bool { return u.Name == e.Owner.Name })
	case OwnerGroup:
		ap.a.Groups = slices.DeleteFunc(ap.a.Groups, func(g *Group) bool { return g.Name == e.Owner.Name })
		for _, u := range ap.a.Users {
			u.Groups = slices.DeleteFunc(u.Groups, func(g string) bool { return g == e.Owner.Name })
		}
	}
}

func (e *DeleteManagedPolicy) apply(ap *applier) {
	ap.a.Policies = slices.DeleteFunc(ap.a.Policies, func(p *ManagedPolicy) bool { return p.ARN == e.ARN })
	ap.detachEverywhere(e.ARN)
}

func (ap *applier) detachEverywhere(arn string) {
	drop := func(s string) bool { return s == arn }
	for _, r := range ap.a.Roles {
		r.AttachedPolicies = slices.DeleteFunc(r.AttachedPolicies, drop)
	}
	for _, u := range ap.a.Users {
		u.AttachedPolicies = slices.DeleteFunc(u.AttachedPolicies, drop)
	}
	for _, g := range ap.a.Groups {
		g.AttachedPolicies = slices.DeleteFunc(g.AttachedPolicies, drop)
	}
}

func (e *PutInlinePolicy) apply(ap *applier) {
	inline, _, mark, ok := ap.owned(e.Owner)
	if !ok {
		return
	}
	*inline = putInline(*inline, e.Policy)
	if e.Policy.Document == nil && *mark == nil {
		in := e.Incomplete
		if in == nil {
			in = &Incomplete{Reason: "inline policy " + e.Policy.Name + " is not known", Source: ap.at.String()}
		}
		*mark = in
	}
}

func (e *DeleteInlinePolicy) apply(ap *applier) {
	drop := func(p InlinePolicy) bool { return p.Name == e.Name }
	switch e.Owner.Kind {
	case OwnerRole:
		if r := ap.role(e.Owner.Name); r != nil {
			r.InlinePolicies = slices.DeleteFunc(r.InlinePolicies, drop)
		}
	case OwnerUser:
		if u := ap.user(e.Owner.Name); u != nil {
			u.InlinePolicies = slices.DeleteFunc(u.InlinePolicies, drop)
		}
	case OwnerGroup:
		if g := ap.group(e.Owner.Name); g != nil {
			g.InlinePolicies = slices.DeleteFunc(g.InlinePolicies, drop)
		}
	}
}

func (e *AttachPolicy) apply(ap *applier) {
	if _, attached, _, ok := ap.owned(e.Owner); ok && !slices.Contains(*attached, e.PolicyARN) {
		*attached = append(*attached, e.PolicyARN)
	}
}

func (e *DetachPolicy) apply(ap *applier) {
	drop := func(s string) bool { return s == e.PolicyARN }
	switch e.Owner.Kind {
	case OwnerRole:
		if r := ap.role(e.Owner.Name); r != nil {
			r.AttachedPolicies = slices.DeleteFunc(r.AttachedPolicies, drop)
		}
	case OwnerUser:
		if u := ap.user(e.Owner.Name); u != nil {
			u.AttachedPolicies = slices.DeleteFunc(u.AttachedPolicies, drop)
		}
	case OwnerGroup:
		if g := ap.group(e.Owner.Name); g != nil {
			g.AttachedPolicies = slices.DeleteFunc(g.AttachedPolicies, drop)
		}
	}
}

func (e *SetPolicyAttachments) apply(ap *applier) {
	ap.detachEverywhere(e.PolicyARN)
	for _, o := range e.Owners {
		(&AttachPolicy{Source: e.Source, Owner: o, PolicyARN: e.PolicyARN}).apply(ap)
	}
}

func (e *AddUserToGroup) apply(ap *applier) {
	ap.owned(Owner{Kind: OwnerGroup, Name: e.Group})
	ap.owned(Owner{Kind: OwnerUser, Name: e.User})
	u := ap.user(e.User)
	if !slices.Contains(u.Groups, e.Group) {
		u.Groups = append(u.Groups, e.Group)
	}
}

func (e *RemoveUserFromGroup) apply(ap *applier) {
	if u := ap.user(e.User); u != nil {
		u.Groups = slices.DeleteFunc(u.Groups, func(g string) bool { return g == e.Group })
	}
}

func (e *SetGroupMembers) apply(ap *applier) {
	for _, u := range ap.a.Users {
		if !slices.Contains(e.Users, u.Name) {
			u.Groups = slices.DeleteFunc(u.Groups, func(g string) bool { return g == e.Group })
		}
	}
	for _, name := range e.Users {
		(&AddUserToGroup{Source: e.Source, User: name, Group: e.Group}).apply(ap)
	}
}

// --- KMS ----------------------------------------------------------------

// findKey resolves a key reference (key ID, key ARN, alias name or alias
// ARN) in the account; region is used for references without an ARN. A
// reference to another account gives nil and false.
func (ap *applier) findKey(ref, region string) (*Key, bool) {
	if strings.HasPrefix(ref, "arn:") {
		f := strings.SplitN(ref, ":", 6)
		if len(f) != 6 || f[2] != "kms" {
			return nil, false
		}
		if f[4] != ap.a.ID {
			return nil, false
		}
		region, ref = f[3], f[5]
		if id, ok := strings.CutPrefix(ref, "key/"); ok {
			ref = id
		}
	}
	alias := strings.HasPrefix(ref, "alias/")
	for _, k := range ap.a.Keys {
		if k.Region != region {
			continue
		}
		if k.ID == ref || alias && slices.Contains(k.Aliases, ref) {
			return k, true
		}
	}
	return nil, true
}

// key finds the key an edit is about; a key ID or key ARN the account does
// not hold gives a stub key marked Incomplete, an alias that points nowhere
// a warning.
func (ap *applier) key(ref, region string) *Key {
	k, ours := ap.findKey(ref, region)
	if k != nil {
		return k
	}
	if !ours {
		ap.warn("key %s is not in account %s: the edit is left out", ref, ap.a.ID)
		return nil
	}
	id := ref
	if strings.HasPrefix(ref, "arn:") {
		f := strings.SplitN(ref, ":", 6)
		region, id = f[3], f[5]
		id = strings.TrimPrefix(id, "key/")
	}
	if strings.HasPrefix(id, "alias/") {
		ap.warn("alias %s points at no key of account %s in %s: the edit is left out", id, ap.a.ID, region)
		return nil
	}
	if region == "" {
		ap.warn("key %s: no region: the edit is left out", ref)
		return nil
	}
	ap.region(region)
	in := ap.notHeld("key " + id)
	k = &Key{
		ARN: "arn:" + ap.partition() + ":kms:" + region + ":" + ap.a.ID + ":key/" + id, ID: id, Region: region, Account: ap.a.ID,
		MetadataIncomplete: in, PolicyIncomplete: in, GrantsIncomplete: in, RotationIncomplete: in, TagsIncomplete: in,
	}
	ap.a.Keys = append(ap.a.Keys, k)
	return k
}

func (e *PutKey) apply(ap *applier) {
	k := *e.Key
	k.Grants = slices.Clone(k.Grants)
	k.Aliases = slices.Clone(k.Aliases)
	k.Tags = slices.Clone(k.Tags)
	ap.region(k.Region)
	for i, old := range ap.a.Keys {
		if old.ARN != k.ARN {
			continue
		}
		grants := slices.Clone(old.Grants)
		for _, g := range k.Grants {
			grants = slices.DeleteFunc(grants, func(o Grant) bool { return o.ID == g.ID })
			grants = append(grants, g)
		}
		k.Grants = grants
		k.Aliases = mergeStrings(old.Aliases, k.Aliases)
		if k.GrantsIncomplete == nil {
			k.GrantsIncomplete = old.GrantsIncomplete
		}
		if k.Policy == nil && k.PolicyIncomplete == nil {
			k.Policy, k.PolicyIncomplete = old.Policy, old.PolicyIncomplete
		}
		if k.Metadata == nil && k.MetadataIncomplete == nil {
			k.Metadata, k.MetadataIncomplete = old.Metadata, old.MetadataIncomplete
		}
		if k.Rotation == nil && k.RotationIncomplete == nil {
			k.Rotation, k.RotationIncomplete = old.Rotation, old.RotationIncomplete
		}
		if k.Tags == nil && k.TagsIncomplete == nil {
			k.Tags, k.TagsIncomplete = old.Tags, old.TagsIncomplete
		}
		if k.Metadata != nil && old.Metadata != nil && k.Metadata.CreationDate.IsZero() {
			m := *k.Metadata
			m.CreationDate = old.Metadata.CreationDate
			k.Metadata = &m
		}
		ap.a.Keys[i] = &k
		return
	}
	ap.a.Keys = append(ap.a.Keys, &k)
}

func (e *ScheduleKeyDeletion) apply(ap *applier) {
	k, _ := ap.findKey(e.Key, e.Region)
	if k == nil {
		ap.warn("key %s to delete is not in account %s", e.Key, ap.a.ID)
		return
	}
	m := KeyMetadata{}
	if k.Metadata != nil {
		m = *k.Metadata
	}
	m.State, m.Enabled, m.DeletionDate = "PendingDeletion", false, e.Date
	k.Metadata, k.MetadataIncomplete = &m, nil
}

func (e *PutKeyPolicy) apply(ap *applier) {
	if k := ap.key(e.Key, e.Region); k != nil {
		k.Policy, k.PolicyIncomplete = e.Policy, e.Incomplete
	}
}

func (e *PutAlias) apply(ap *applier) {
	k := ap.key(e.Key, e.Region)
	if k == nil {
		return
	}
	(&DeleteAlias{Name: e.Name, Region: k.Region}).apply(ap)
	k.Aliases = append(k.Aliases, e.Name)
}

func (e *DeleteAlias) apply(ap *applier) {
	for _, k := range ap.a.Keys {
		if k.Region == e.Region {
			k.Aliases = slices.DeleteFunc(k.Aliases, func(a string) bool { return a == e.Name })
		}
	}
}

func (e *PutGrant) apply(ap *applier) {
	k := ap.key(e.Key, e.Region)
	if k == nil {
		return
	}
	k.Grants = slices.DeleteFunc(k.Grants, func(g Grant) bool { return g.ID == e.Grant.ID })
	k.Grants = append(k.Grants, e.Grant)
}

func (e *DeleteGrant) apply(ap *applier) {
	if k, _ := ap.findKey(e.Key, e.Region); k != nil {
		k.Grants = slices.DeleteFunc(k.Grants, func(g Grant) bool { return g.ID == e.ID })
	}
}

// --- S3 -------------------------------------------------------------------

func (ap *applier) bucket(name string) *Bucket {
	for _, b := range ap.a.Buckets {
		if b.Name == name {
			return b
		}
	}
	return nil
}

// bucketFor returns the bucket an edit is about, a stub marked Incomplete
// when the account has none of that name.
func (ap *applier) bucketFor(name string) *Bucket {
	if b := ap.bucket(name); b != nil {
		return b
	}
	// S3 bucket names are global: a bucket the input does not declare may
	// be another account's, and its region is not known.
	in := ap.notHeld("bucket " + name)
	b := &Bucket{Name: name, RegionIncomplete: in, PolicyIncomplete: in, EncryptionIncomplete: in}
	ap.a.Buckets = append(ap.a.Buckets, b)
	return b
}

func (e *PutBucket) apply(ap *applier) {
	b := *e.Bucket
	if old := ap.bucket(b.Name); old != nil {
		if b.Policy == nil && b.PolicyIncomplete == nil {
			b.Policy, b.PolicyIncomplete = old.Policy, old.PolicyIncomplete
		}
		if b.Encryption == nil && b.EncryptionIncomplete == nil {
			b.Encryption, b.EncryptionIncomplete = old.Encryption, old.EncryptionIncomplete
		}
		*old = b
		return
	}
	ap.a.Buckets = append(ap.a.Buckets, &b)
}

func (e *DeleteBucket) apply(ap *applier) {
	ap.a.Buckets = slices.DeleteFunc(ap.a.Buckets, func(b *Bucket) bool { return b.Name == e.Name })
}

func (e *PutBucketEncryption) apply(ap *applier) {
	b := ap.bucketFor(e.Bucket)
	b.Encryption, b.EncryptionIncomplete = e.Encryption, e.Incomplete
}

func (e *PutBucketPolicy) apply(ap *applier) {
	b := ap.bucketFor(e.Bucket)
	b.Policy, b.PolicyIncomplete = e.Policy, e.Incomplete
}

// --- Organizations --------------------------------------------------------

func (ap *applier) chains(a *Account, typ string) []OrgLevel {
	if a.Organization == nil {
		return nil
	}
	if typ == RCP {
		return a.Organization.RCPs
	}
	return a.Organization.SCPs
}

func (ap *applier) collectOrgPolicies() {
	for _, a := range ap.out.Accounts {
		for _, typ := range []string{SCP, RCP} {
			for _, l := range ap.chains(a, typ) {
				for _, p := range l.Policies {
					ap.orgPolicies[typ+"/"+p.ID] = p
				}
			}
		}
	}
}

// eachLevel calls f for every level of every account's chain of the type.
func (ap *applier) eachLevel(typ string, f func(*OrgLevel)) {
	for _, a := range ap.out.Accounts {
		levels := ap.chains(a, typ)
		for i := range levels {
			f(&levels[i])
		}
	}
}

func (e *PutOrgPolicy) apply(ap *applier) {
	ap.orgPolicies[e.Type+"/"+e.Policy.ID] = e.Policy
	ap.eachLevel(e.Type, func(l *OrgLevel) {
		for i := range l.Policies {
			if l.Policies[i].ID == e.Policy.ID {
				l.Policies[i] = e.Policy
			}
		}
	})
}

func (e *DeleteOrgPolicy) apply(ap *applier) {
	delete(ap.orgPolicies, e.Type+"/"+e.ID)
	ap.eachLevel(e.Type, func(l *OrgLevel) {
		l.Policies = slices.DeleteFunc(l.Policies, func(p OrgPolicy) bool { return p.ID == e.ID })
	})
}

func (e *AttachOrgPolicy) apply(ap *applier) {
	if e.Type == "" {
		for _, typ := range []string{SCP, RCP} {
			if _, ok := ap.orgPolicies[typ+"/"+e.PolicyID]; ok {
				(&AttachOrgPolicy{Source: e.Source, Type: typ, PolicyID: e.PolicyID, Target: e.Target}).apply(ap)
				return
			}
		}
	}
	p, ok := ap.orgPolicies[e.Type+"/"+e.PolicyID]
	if !ok {
		ap.warn("policy %s is neither in the change nor in the base: its attachment to %s is left out", e.PolicyID, e.Target)
		return
	}
	placed := false
	ap.eachLevel(e.Type, func(l *OrgLevel) {
		if l.TargetID != e.Target {
			return
		}
		placed = true
		if !slices.ContainsFunc(l.Policies, func(q OrgPolicy) bool { return q.ID == p.ID }) {
			l.Policies = append(l.Policies, p)
		}
	})
	if !placed {
		ap.warn("target %s is in no organization chain of the accounts read: the attachment of %s is left out", e.Target, e.PolicyID)
	}
}

func (e *DetachOrgPolicy) apply(ap *applier) {
	if e.Type == "" {
		for _, typ := range []string{SCP, RCP} {
			(&DetachOrgPolicy{Source: e.Source, Type: typ, PolicyID: e.PolicyID, Target: e.Target}).apply(ap)
		}
		return
	}
	ap.eachLevel(e.Type, func(l *OrgLevel) {
		if l.TargetID == e.Target {
			l.Policies = slices.DeleteFunc(l.Policies, func(p OrgPolicy) bool { return p.ID == e.PolicyID })
		}
	})
}
