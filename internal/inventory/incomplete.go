package inventory

import (
	"errors"
	"strings"
)

// ErrIncomplete is matched (errors.Is) by every error that reports an item
// the snapshot does not hold because it could not be read.
var ErrIncomplete = errors.New("not read completely")

// ErrNotFound is matched by lookup errors for names not in the snapshot.
var ErrNotFound = errors.New("not in the snapshot")

// Incomplete marks an item that could not be read completely. It sits
// beside the item it marks (Key.PolicyIncomplete beside Key.Policy); a nil
// mark means the item was read in full.
type Incomplete struct {
	// Reason says why, in the words of the failure where there were any:
	// "AccessDeniedException: User: ... is not authorized to perform:
	// kms:GetKeyPolicy ...", "the file is missing from the export".
	Reason string `json:"reason"`
	// Source is where the failure was seen: an export file, with the line
	// when known ("kms/us-east-1/1234.../get-key-policy.error"), or an API
	// call ("kms:GetKeyPolicy").
	Source string `json:"source,omitempty"`
}

// A Gap is one item a snapshot does not hold in full. As an error it
// matches ErrIncomplete.
type Gap struct {
	// Item names what is missing: "key policy of arn:aws:kms:...",
	// "grants of key arn:...", "role arn:aws:iam::...:role/app".
	Item string
	Incomplete
}

func (g *Gap) Error() string {
	var b strings.Builder
	b.WriteString(g.Item)
	b.WriteString(": not read: ")
	b.WriteString(g.Reason)
	if g.Source != "" {
		b.WriteString(" (")
		b.WriteString(g.Source)
		b.WriteString(")")
	}
	return b.String()
}

// Is makes errors.Is(err, ErrIncomplete) true for a *Gap.
func (g *Gap) Is(target error) bool { return target == ErrIncomplete }

func gap(item string, in *Incomplete) *Gap { return &Gap{Item: item, Incomplete: *in} }

// Gaps lists every Incomplete mark of the snapshot, account by account, in
// the snapshot's order (canonical after Normalize).
func (s *Snapshot) Gaps() []*Gap {
	var out []*Gap
	add := func(item string, in *Incomplete) {
		if in != nil {
			out = append(out, gap(item, in))
		}
	}
	for _, a := range s.Accounts {
		add("organization of account "+a.ID, a.OrganizationIncomplete)
		if o := a.Organization; o != nil {
			add("SCPs of account "+a.ID, o.SCPsIncomplete)
			add("RCPs of account "+a.ID, o.RCPsIncomplete)
		}
		add("IAM of account "+a.ID, a.IAMIncomplete)
		for _, u := range a.Users {
			add("user "+u.ARN, u.Incomplete)
		}
		for _, g := range a.Groups {
			add("group "+g.ARN, g.Incomplete)
		}
		for _, r := range a.Roles {
			add("role "+r.ARN, r.Incomplete)
		}
		for _, p := range a.Policies {
			add("managed policy "+p.ARN, p.Incomplete)
		}
		for _, r := range a.KMSRegions {
			add("KMS keys of account "+a.ID+" in "+r.Name, r.KeysIncomplete)
			add("KMS aliases of account "+a.ID+" in "+r.Name, r.AliasesIncomplete)
		}
		for _, k := range a.Keys {
			add("metadata of key "+k.ARN, k.MetadataIncomplete)
			add(keyPolicyName(k), k.PolicyIncomplete)
			add("grants of key "+k.ARN, k.GrantsIncomplete)
			add("rotation status of key "+k.ARN, k.RotationIncomplete)
			add("tags of key "+k.ARN, k.TagsIncomplete)
		}
		add("S3 buckets of account "+a.ID, a.BucketsIncomplete)
		for _, b := range a.Buckets {
			add("region of bucket "+b.Name, b.RegionIncomplete)
			add(bucketPolicyName(b), b.PolicyIncomplete)
			add("default encryption of bucket "+b.Name, b.EncryptionIncomplete)
		}
	}
	return out
}
