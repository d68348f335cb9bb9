package inventory

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Normalize puts the snapshot in its canonical form: Version set to
// FormatVersion and every list in a fixed order (accounts by ID; users,
// groups, roles, managed policies and keys by ARN; regions and buckets by
// name; inline policies by name; policy versions by number; tags by key;
// aliases, attached policies, group names and grant operations
// alphabetically; grants by ID). SCP and RCP levels keep their root-to-
// account order; the policies of a level are sorted by ID. Read returns
// snapshots in this form and Save writes it, so two snapshots of the same
// account are byte-for-byte equal.
func (s *Snapshot) Normalize() {
	s.Version = FormatVersion
	slices.SortFunc(s.Accounts, func(a, b *Account) int { return cmp.Compare(a.ID, b.ID) })
	for _, a := range s.Accounts {
		a.normalize()
	}
}

func (a *Account) normalize() {
	if o := a.Organization; o != nil {
		for _, chain := range [][]OrgLevel{o.SCPs, o.RCPs} {
			for i := range chain {
				slices.SortFunc(chain[i].Policies, func(x, y OrgPolicy) int { return cmp.Compare(x.ID, y.ID) })
			}
		}
	}
	slices.SortFunc(a.Users, func(x, y *User) int { return cmp.Compare(x.ARN, y.ARN) })
	for _, u := range a.Users {
		sortTags(u.Tags)
		sortInline(u.InlinePolicies)
		slices.Sort(u.AttachedPolicies)
		slices.Sort(u.Groups)
	}
	slices.SortFunc(a.Groups, func(x, y *Group) int { return cmp.Compare(x.ARN, y.ARN) })
	for _, g := range a.Groups {
		sortInline(g.InlinePolicies)
		slices.Sort(g.AttachedPolicies)
	}
	slices.SortFunc(a.Roles, func(x, y *Role) int { return cmp.Compare(x.ARN, y.ARN) })
	for _, r := range a.Roles {
		sortTags(r.Tags)
		sortInline(r.InlinePolicies)
		slices.Sort(r.AttachedPolicies)
	}
	slices.SortFunc(a.Policies, func(x, y *ManagedPolicy) int { return cmp.Compare(x.ARN, y.ARN) })
	for _, p := range a.Policies {
		slices.SortFunc(p.Versions, func(x, y PolicyVersion) int { return compareVersionIDs(x.ID, y.ID) })
	}
	slices.SortFunc(a.KMSRegions, func(x, y *KMSRegion) int { return cmp.Compare(x.Name, y.Name) })
	slices.SortFunc(a.Keys, func(x, y *Key) int { return cmp.Compare(x.ARN, y.ARN) })
	for _, k := range a.Keys {
		slices.Sort(k.Aliases)
		sortTags(k.Tags)
		slices.SortFunc(k.Grants, func(x, y Grant) int { return cmp.Compare(x.ID, y.ID) })
		for i := range k.Grants {
			slices.Sort(k.Grants[i].Operations)
		}
	}
	slices.SortFunc(a.Buckets, func(x, y *Bucket) int { return cmp.Compare(x.Name, y.Name) })
}

func sortTags(ts []Tag) {
	slices.SortFunc(ts, func(x, y Tag) int {
		return cmp.Or(cmp.Compare(x.Key, y.Key), cmp.Compare(x.Value, y.Value))
	})
}

func sortInline(ps []InlinePolicy) {
	slices.SortFunc(ps, func(x, y InlinePolicy) int { return cmp.Compare(x.Name, y.Name) })
}

// compareVersionIDs orders IAM policy version IDs by number, so that v10
// follows v9; IDs not of the form vN sort after, as text.
func compareVersionIDs(a, b string) int {
	na, oka := versionNumber(a)
	nb, okb := versionNumber(b)
	switch {
	case oka && okb:
		return cmp.Or(cmp.Compare(na, nb), cmp.Compare(a, b))
	case oka:
		return -1
	case okb:
		return 1
	}
	return cmp.Compare(a, b)
}

func versionNumber(id string) (int, bool) {
	rest, ok := strings.CutPrefix(id, "v")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil && n >= 0
}
