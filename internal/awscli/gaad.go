package awscli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/posjson"
)

// gaadResult is what the rest of the import needs from the IAM listing.
type gaadResult struct {
	firstARN string // the first ARN of the account's own entities
	entities []entityRef
}

type entityRef struct {
	what, arn string
	at        inventory.Location
}

func (g *gaadResult) foreign(acct string) []entityRef {
	var out []entityRef
	for _, e := range g.entities {
		if a := arnField(e.arn, 4); a != "" && a != "aws" && a != acct {
			out = append(out, e)
		}
	}
	return out
}

// gaad reads account-authorization-details.json: the merged output of
// `aws iam get-account-authorization-details` (one object), a list of page
// objects, or page objects one after another (the output of one call per
// page). Pages are merged in order. Failing to read the file stops the
// import; a page or an entry of the wrong shape is a warning and an
// incomplete mark.
func (im *importer) gaad() (*gaadResult, error) {
	f, fail := im.read(gaadFile)
	if fail != nil {
		name := im.display(gaadFile)
		switch {
		case fail.at.Line > 0:
			return nil, policy.Errors{{Source: fail.at.File, Line: fail.at.Line, Col: fail.at.Col, Path: fail.at.Path,
				Msg: "IAM authorization details: " + fail.Reason}}
		case fail.missing:
			return nil, fmt.Errorf("%s: the IAM authorization details are missing (aws iam get-account-authorization-details)", name)
		}
		return nil, fmt.Errorf("%s: IAM authorization details: not read: %s", fail.Source, fail.Reason)
	}
	var (
		pages []*posjson.Value
		paths []string
	)
	if len(f.values) == 1 && f.values[0].Kind == posjson.Array {
		for i, e := range f.values[0].Elems {
			pages = append(pages, e)
			paths = append(paths, index("", i))
		}
	} else {
		pages = f.values
		paths = make([]string, len(pages))
	}
	for i, p := range pages {
		if p.Kind != posjson.Object {
			at := f.loc(p, paths[i])
			return nil, policy.Errors{{Source: at.File, Line: at.Line, Col: at.Col, Path: at.Path,
				Msg: fmt.Sprintf("IAM authorization details: a page must be an object, not %s", p.Kind)}}
		}
	}
	g := &gaadResult{}
	seen := map[string]bool{}
	for i, page := range pages {
		im.gaadPage(f, page, paths[i], g, seen)
	}
	last := pages[len(pages)-1]
	s := &shape{f: f}
	truncated := s.boolean(last, "IsTruncated", paths[len(pages)-1])
	next := s.str(last, "NextToken", paths[len(pages)-1])
	im.listingErrors(s)
	if truncated || next != "" {
		at := f.loc(last, paths[len(pages)-1])
		im.acct.IAMIncomplete = im.incomplete("IAM authorization details", &failure{
			Incomplete: inventory.Incomplete{Reason: "the listing is truncated: its last page says more follow", Source: fmt.Sprintf("%s:%d:%d", at.File, at.Line, at.Col)},
			at:         at,
		})
	}
	return g, nil
}

// listingErrors marks the IAM listing incomplete for errors in the shape of
// a page itself (a list that is not a list).
func (im *importer) listingErrors(s *shape) {
	for _, f := range s.errs {
		mark := im.incomplete("IAM authorization details", f)
		if im.acct.IAMIncomplete == nil {
			im.acct.IAMIncomplete = mark
		}
	}
}

func (im *importer) gaadPage(f *file, page *posjson.Value, p string, g *gaadResult, seen map[string]bool) {
	ls := &shape{f: f}
	add := func(what, arn string, v *posjson.Value, ep string) bool {
		if arn == "" {
			return false
		}
		if seen[arn] {
			im.warn(f.loc(v, ep), "%s %s is listed twice; the first entry is kept", what, arn)
			return false
		}
		seen[arn] = true
		g.entities = append(g.entities, entityRef{what: what + " " + arn, arn: arn, at: f.loc(v, ep)})
		if g.firstARN == "" && arnField(arn, 4) != "aws" {
			g.firstARN = arn
		}
		return true
	}
	users, ups := ls.objects(page, "UserDetailList", p)
	for i, v := range users {
		if u := im.user(f, v, ups[i]); u != nil && add("user", u.ARN, v, ups[i]) {
			im.acct.Users = append(im.acct.Users, u)
		}
	}
	groups, gps := ls.objects(page, "GroupDetailList", p)
	for i, v := range groups {
		if gr := im.group(f, v, gps[i]); gr != nil && add("group", gr.ARN, v, gps[i]) {
			im.acct.Groups = append(im.acct.Groups, gr)
		}
	}
	roles, rps := ls.objects(page, "RoleDetailList", p)
	for i, v := range roles {
		if r := im.role(f, v, rps[i]); r != nil && add("role", r.ARN, v, rps[i]) {
			im.acct.Roles = append(im.acct.Roles, r)
		}
	}
	policies, pps := ls.objects(page, "Policies", p)
	for i, v := range policies {
		if mp := im.managedPolicy(f, v, pps[i]); mp != nil && add("managed policy", mp.ARN, v, pps[i]) {
			im.acct.Policies = append(im.acct.Policies, mp)
		}
	}
	im.listingErrors(ls)
}

// entity finishes an IAM entry: an entry without an ARN cannot be kept,
// which makes the listing incomplete; an entry with other shape errors is
// kept and marked.
func (im *importer) entity(s *shape, what, name, arn string, v *posjson.Value, p string) (*inventory.Incomplete, bool) {
	if arn == "" {
		f := s.first()
		if f == nil {
			f = s.f.fail(v, p, "the entry has no ARN")
		}
		entry := what + " entry"
		if name != "" {
			entry += " " + name
		}
		mark := im.incomplete("IAM authorization details: "+entry, f)
		if im.acct.IAMIncomplete == nil {
			im.acct.IAMIncomplete = mark
		}
		im.shapeWarnings(entry, s.errs[min(1, len(s.errs)):])
		return nil, false
	}
	if len(s.errs) == 0 {
		return nil, true
	}
	item := what + " " + arn
	in := im.incomplete(item, s.errs[0])
	im.shapeWarnings(item, s.errs[1:])
	return in, true
}

func (im *importer) user(f *file, v *posjson.Value, p string) *inventory.User {
	s := &shape{f: f}
	u := &inventory.User{
		ARN:                 s.required(v, "Arn", p),
		Name:                s.required(v, "UserName", p),
		Path:                s.str(v, "Path", p),
		ID:                  s.str(v, "UserId", p),
		CreateDate:          s.timestamp(v, "CreateDate", p),
		Tags:                tags(s, v, p, "Tags", "Key", "Value"),
		InlinePolicies:      inline(s, v, p, "UserPolicyList"),
		AttachedPolicies:    attached(s, v, p),
		Groups:              s.strings(v, "GroupList", p),
		PermissionsBoundary: boundary(s, v, p),
	}
	in, ok := im.entity(s, "user", u.Name, u.ARN, v, p)
	if !ok {
		return nil
	}
	u.Incomplete = in
	return u
}

func (im *importer) group(f *file, v *posjson.Value, p string) *inventory.Group {
	s := &shape{f: f}
	g := &inventory.Group{
		ARN:              s.required(v, "Arn", p),
		Name:             s.required(v, "GroupName", p),
		Path:             s.str(v, "Path", p),
		ID:               s.str(v, "GroupId", p),
		CreateDate:       s.timestamp(v, "CreateDate", p),
		InlinePolicies:   inline(s, v, p, "GroupPolicyList"),
		AttachedPolicies: attached(s, v, p),
	}
	in, ok := im.entity(s, "group", g.Name, g.ARN, v, p)
	if !ok {
		return nil
	}
	g.Incomplete = in
	return g
}

func (im *importer) role(f *file, v *posjson.Value, p string) *inventory.Role {
	s := &shape{f: f}
	r := &inventory.Role{
		ARN:                 s.required(v, "Arn", p),
		Name:                s.required(v, "RoleName", p),
		Path:                s.str(v, "Path", p),
		ID:                  s.str(v, "RoleId", p),
		CreateDate:          s.timestamp(v, "CreateDate", p),
		Tags:                tags(s, v, p, "Tags", "Key", "Value"),
		TrustPolicy:         s.document(v, "AssumeRolePolicyDocument", p),
		InlinePolicies:      inline(s, v, p, "RolePolicyList"),
		AttachedPolicies:    attached(s, v, p),
		PermissionsBoundary: boundary(s, v, p),
	}
	r.ServiceLinked = inventory.IsServiceLinkedPath(r.Path)
	in, ok := im.entity(s, "role", r.Name, r.ARN, v, p)
	if !ok {
		return nil
	}
	r.Incomplete = in
	return r
}

func (im *importer) managedPolicy(f *file, v *posjson.Value, p string) *inventory.ManagedPolicy {
	s := &shape{f: f}
	mp := &inventory.ManagedPolicy{
		ARN:                           s.required(v, "Arn", p),
		Name:                          s.str(v, "PolicyName", p),
		Path:                          s.str(v, "Path", p),
		ID:                            s.str(v, "PolicyId", p),
		DefaultVersionID:              s.str(v, "DefaultVersionId", p),
		AttachmentCount:               s.integer(v, "AttachmentCount", p),
		PermissionsBoundaryUsageCount: s.integer(v, "PermissionsBoundaryUsageCount", p),
		CreateDate:                    s.timestamp(v, "CreateDate", p),
		UpdateDate:                    s.timestamp(v, "UpdateDate", p),
	}
	mp.AWSManaged = arnField(mp.ARN, 4) == "aws"
	if mp.Name == "" {
		// Some implementations (moto) leave PolicyName out; the ARN
		// ends with the path and the name.
		mp.Name = mp.ARN[strings.LastIndex(mp.ARN, "/")+1:]
	}
	versions, vps := s.objects(v, "PolicyVersionList", p)
	for i, vv := range versions {
		pv := inventory.PolicyVersion{
			ID:         s.required(vv, "VersionId", vps[i]),
			Default:    s.boolean(vv, "IsDefaultVersion", vps[i]),
			CreateDate: s.timestamp(vv, "CreateDate", vps[i]),
			Document:   s.document(vv, "Document", vps[i]),
		}
		if mp.DefaultVersionID == "" && pv.Default {
			mp.DefaultVersionID = pv.ID
		}
		mp.Versions = append(mp.Versions, pv)
	}
	for i := range mp.Versions {
		pv := &mp.Versions[i]
		if pv.ID == mp.DefaultVersionID && mp.DefaultVersionID != "" {
			pv.Default = true
			mp.Document = pv.Document
		} else {
			pv.Default = false
		}
	}
	if mp.Document == nil && mp.ARN != "" && !slices.ContainsFunc(s.errs, func(f *failure) bool { return strings.Contains(f.at.Path, ".PolicyVersionList") }) {
		// The policy in force is unknown: that is the mark, ahead of
		// any other problem of the entry.
		reason := "the default version " + mp.DefaultVersionID + " is not in PolicyVersionList"
		if mp.DefaultVersionID == "" {
			reason = "no version is marked as the default"
		}
		s.errs = slices.Insert(s.errs, 0, f.fail(v, p, reason))
	}
	in, ok := im.entity(s, "managed policy", mp.Name, mp.ARN, v, p)
	if !ok {
		return nil
	}
	mp.Incomplete = in
	return mp
}

func inline(s *shape, v *posjson.Value, p, key string) []inventory.InlinePolicy {
	var out []inventory.InlinePolicy
	objs, ps := s.objects(v, key, p)
	for i, o := range objs {
		out = append(out, inventory.InlinePolicy{
			Name:     s.required(o, "PolicyName", ps[i]),
			Document: s.document(o, "PolicyDocument", ps[i]),
		})
	}
	return out
}

func attached(s *shape, v *posjson.Value, p string) []string {
	var out []string
	objs, ps := s.objects(v, "AttachedManagedPolicies", p)
	for i, o := range objs {
		if arn := s.required(o, "PolicyArn", ps[i]); arn != "" {
			out = append(out, arn)
		}
	}
	return out
}

func boundary(s *shape, v *posjson.Value, p string) string {
	b := s.object(v, "PermissionsBoundary", p)
	if b == nil {
		return ""
	}
	return s.str(b, "PermissionsBoundaryArn", join(p, "PermissionsBoundary"))
}

// tags reads a tag list; IAM spells the members Key and Value, KMS TagKey
// and TagValue.
func tags(s *shape, v *posjson.Value, p, key, k, val string) []inventory.Tag {
	var out []inventory.Tag
	objs, ps := s.objects(v, key, p)
	for i, o := range objs {
		out = append(out, inventory.Tag{Key: s.required(o, k, ps[i]), Value: s.str(o, val, ps[i])})
	}
	return out
}
