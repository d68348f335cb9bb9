package inventory

import (
	"fmt"
	"slices"
	"strings"

	"github.com/keywarden/keywarden/internal/policy"
)

// Lookups scan the snapshot; they are meant for answering one question. A
// caller asking many (who-can, the access matrix) builds its own index.

// Account returns the account with the given ID, or nil.
func (s *Snapshot) Account(id string) *Account {
	for _, a := range s.Accounts {
		if a.ID == id {
			return a
		}
	}
	return nil
}

// A Principal is an IAM user or role of a snapshot. Exactly one of User and
// Role is set.
type Principal struct {
	Account *Account
	User    *User
	Role    *Role
}

// ARN returns the user's or role's ARN.
func (p Principal) ARN() string {
	if p.User != nil {
		return p.User.ARN
	}
	return p.Role.ARN
}

// String returns "user NAME" or "role NAME".
func (p Principal) String() string {
	if p.User != nil {
		return "user " + p.User.Name
	}
	return "role " + p.Role.Name
}

// Principal finds a user or role by ARN, or by name when the name is
// unique across the snapshot's users and roles. A name shared by several
// principals is an error listing their ARNs.
func (s *Snapshot) Principal(ref string) (Principal, error) {
	byARN := strings.HasPrefix(ref, "arn:")
	var found []Principal
	for _, a := range s.Accounts {
		for _, u := range a.Users {
			if byARN && u.ARN == ref || !byARN && u.Name == ref {
				found = append(found, Principal{Account: a, User: u})
			}
		}
		for _, r := range a.Roles {
			if byARN && r.ARN == ref || !byARN && r.Name == ref {
				found = append(found, Principal{Account: a, Role: r})
			}
		}
	}
	switch len(found) {
	case 0:
		return Principal{}, fmt.Errorf("user or role %q: %w", ref, ErrNotFound)
	case 1:
		return found[0], nil
	}
	arns := make([]string, len(found))
	for i, p := range found {
		arns[i] = p.ARN()
	}
	return Principal{}, fmt.Errorf("name %q is ambiguous, give one of these ARNs: %s", ref, strings.Join(arns, ", "))
}

// Group returns the group with the given name, or nil.
func (a *Account) Group(name string) *Group {
	for _, g := range a.Groups {
		if g.Name == name {
			return g
		}
	}
	return nil
}

// ManagedPolicy returns the managed policy with the given ARN, or nil.
func (a *Account) ManagedPolicy(arn string) *ManagedPolicy {
	for _, p := range a.Policies {
		if p.ARN == arn {
			return p
		}
	}
	return nil
}

// IdentityPolicies returns the principal's identity-based policies, parsed
// and named: for a user its inline policies, the managed policies attached
// to it, then for each of its groups (by name) the group's inline and
// attached policies; for a role its inline and attached policies. A managed
// policy reached twice is listed once. On error the list holds every
// document that parsed; the error joins the policy.Errors of documents that
// do not parse and a *Gap (errors.Is ErrIncomplete) for each policy or
// group that was not read.
func (p Principal) IdentityPolicies() ([]*policy.Document, error) {
	var (
		e    errs
		out  []*policy.Document
		seen = map[string]bool{}
	)
	attached := func(arns []string, owner string) {
		for _, arn := range arns {
			if seen[arn] {
				continue
			}
			seen[arn] = true
			mp := p.Account.ManagedPolicy(arn)
			if mp == nil {
				e.add(&Gap{Item: "managed policy " + arn + " attached to " + owner, Incomplete: Incomplete{Reason: "the snapshot does not hold it"}})
				continue
			}
			d, err := mp.ParseDocument()
			if e.add(err) {
				out = append(out, d)
			}
		}
	}
	if r := p.Role; r != nil {
		out = append(out, parseInline(&e, "role", r.Name, r.InlinePolicies, r.Incomplete)...)
		attached(r.AttachedPolicies, "role "+r.Name)
		if r.Incomplete != nil {
			e.add(gap("role "+r.ARN, r.Incomplete))
		}
		return out, e.err()
	}
	u := p.User
	out = append(out, parseInline(&e, "user", u.Name, u.InlinePolicies, u.Incomplete)...)
	attached(u.AttachedPolicies, "user "+u.Name)
	if u.Incomplete != nil {
		e.add(gap("user "+u.ARN, u.Incomplete))
	}
	for _, name := range u.Groups {
		g := p.Account.Group(name)
		if g == nil {
			e.add(&Gap{Item: "group " + name + " of user " + u.Name, Incomplete: *orNotHeld(p.Account.IAMIncomplete)})
			continue
		}
		out = append(out, parseInline(&e, "group", g.Name, g.InlinePolicies, g.Incomplete)...)
		attached(g.AttachedPolicies, "group "+g.Name)
		if g.Incomplete != nil {
			e.add(gap("group "+g.ARN, g.Incomplete))
		}
	}
	return out, e.err()
}

// Boundary returns the principal's permissions boundary, or nil and no
// error when it has none. A boundary policy the snapshot does not hold
// gives a *Gap.
func (p Principal) Boundary() (*policy.Document, error) {
	arn := p.permissionsBoundary()
	if arn == "" {
		return nil, nil
	}
	mp := p.Account.ManagedPolicy(arn)
	if mp == nil {
		return nil, &Gap{Item: "permissions boundary " + arn + " of " + p.String(), Incomplete: Incomplete{Reason: "the snapshot does not hold it"}}
	}
	return mp.ParseDocument()
}

func (p Principal) permissionsBoundary() string {
	if p.User != nil {
		return p.User.PermissionsBoundary
	}
	return p.Role.PermissionsBoundary
}

// Key finds a KMS key by key ARN, alias ARN, alias name ("alias/x") or key
// ID. An alias name or key ID found in several regions or accounts (the
// replicas of a multi-Region key share their ID) is an error listing the
// key ARNs. A key not found where the snapshot's keys or aliases are
// incomplete (a region not read, a listing that failed) gives a *Gap
// rather than ErrNotFound.
func (s *Snapshot) Key(ref string) (*Key, error) {
	var ks keySearch
	if !strings.HasPrefix(ref, "arn:") {
		for _, a := range s.Accounts {
			ks.scan(a, "", ref)
		}
		return ks.pick(ref)
	}
	f := strings.SplitN(ref, ":", 6)
	if len(f) != 6 || f[2] != "kms" || !strings.HasPrefix(f[5], "key/") && !strings.HasPrefix(f[5], "alias/") {
		return nil, fmt.Errorf("%q is not a KMS key or alias ARN", ref)
	}
	a := s.Account(f[4])
	if a == nil {
		return nil, fmt.Errorf("key %s: account %s: %w", ref, f[4], ErrNotFound)
	}
	if strings.HasPrefix(f[5], "key/") {
		ks.scan(a, f[3], ref)
	} else {
		ks.scan(a, f[3], f[5])
	}
	return ks.pick(ref)
}

// keyIn resolves a key ID, alias name, key ARN or alias ARN as S3 does for
// a bucket's default encryption: a name without an ARN is relative to the
// bucket's account and region.
func (s *Snapshot) keyIn(a *Account, region, ref string) (*Key, error) {
	if strings.HasPrefix(ref, "arn:") {
		return s.Key(ref)
	}
	var ks keySearch
	ks.scan(a, region, ref)
	return ks.pick(ref)
}

// keySearch collects the keys matching a reference and the marks that may
// explain why none was found.
type keySearch struct {
	found []*Key
	marks []*Gap
}

// scan looks for ref (key ARN, alias name or key ID) among the keys of a
// in region ("" for every region).
func (ks *keySearch) scan(a *Account, region, ref string) {
	alias := strings.HasPrefix(ref, "alias/")
	for _, k := range a.Keys {
		if region != "" && k.Region != region {
			continue
		}
		if k.ARN == ref || k.ID == ref || alias && slices.Contains(k.Aliases, ref) {
			ks.found = append(ks.found, k)
		}
	}
	read := false
	for _, r := range a.KMSRegions {
		if region != "" && r.Name != region {
			continue
		}
		read = true
		if r.KeysIncomplete != nil {
			ks.marks = append(ks.marks, gap("KMS keys of account "+a.ID+" in "+r.Name, r.KeysIncomplete))
		}
		if alias && r.AliasesIncomplete != nil {
			ks.marks = append(ks.marks, gap("KMS aliases of account "+a.ID+" in "+r.Name, r.AliasesIncomplete))
		}
	}
	if region != "" && !read {
		ks.marks = append(ks.marks, &Gap{Item: "KMS keys of account " + a.ID + " in " + region, Incomplete: Incomplete{Reason: "the region was not read"}})
	}
}

func (ks *keySearch) pick(ref string) (*Key, error) {
	switch len(ks.found) {
	case 1:
		return ks.found[0], nil
	case 0:
		if len(ks.marks) > 0 {
			return nil, &Gap{Item: "key " + ref, Incomplete: Incomplete{Reason: "not found, and " + ks.marks[0].Error()}}
		}
		return nil, fmt.Errorf("key %s: %w", ref, ErrNotFound)
	}
	arns := make([]string, len(ks.found))
	for i, k := range ks.found {
		arns[i] = k.ARN
	}
	return nil, fmt.Errorf("key %q is ambiguous, give one of these ARNs: %s", ref, strings.Join(arns, ", "))
}

// Bucket finds a bucket by name.
func (s *Snapshot) Bucket(name string) (*Bucket, error) {
	_, b := s.bucket(name)
	if b == nil {
		return nil, fmt.Errorf("bucket %s: %w", name, ErrNotFound)
	}
	return b, nil
}

func (s *Snapshot) bucket(name string) (*Account, *Bucket) {
	for _, a := range s.Accounts {
		for _, b := range a.Buckets {
			if b.Name == name {
				return a, b
			}
		}
	}
	return nil, nil
}

// BucketKey returns the KMS key that encrypts new objects of the bucket by
// default: the configured key, resolved in the bucket's account and region
// as S3 does, or the AWS managed key aws/s3 when SSE-KMS names none. It
// returns nil and no error when the bucket does not use SSE-KMS by default,
// and a *Gap when the encryption or the key could not be read.
func (s *Snapshot) BucketKey(name string) (*Key, error) {
	a, b := s.bucket(name)
	if b == nil {
		return nil, fmt.Errorf("bucket %s: %w", name, ErrNotFound)
	}
	if b.Encryption == nil {
		if b.EncryptionIncomplete != nil {
			return nil, gap("default encryption of bucket "+b.Name, b.EncryptionIncomplete)
		}
		return nil, nil
	}
	if !b.Encryption.UsesKMS() {
		return nil, nil
	}
	ref := b.Encryption.KMSKeyID
	if ref == "" {
		// SSE-KMS without a key ID uses the AWS managed key of S3.
		// [S3 UsingKMSEncryption]: https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
		ref = "alias/aws/s3"
	}
	if !strings.HasPrefix(ref, "arn:") && b.Region == "" {
		return nil, gap("region of bucket "+b.Name, orNotHeld(b.RegionIncomplete))
	}
	k, err := s.keyIn(a, b.Region, ref)
	if err != nil {
		return nil, fmt.Errorf("default encryption key of bucket %s: %w", b.Name, err)
	}
	return k, nil
}

// Incomplete is the principal's own mark: its details could not all be
// read (nil when they were).
func (p Principal) Incomplete() *Incomplete {
	if p.Role != nil {
		return p.Role.Incomplete
	}
	if p.User != nil {
		return p.User.Incomplete
	}
	return nil
}
