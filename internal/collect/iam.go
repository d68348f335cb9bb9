package collect

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/keywarden/keywarden/internal/inventory"
)

const opGAAD = "iam:GetAccountAuthorizationDetails"

// readIAM reads every user, group, role and managed policy of the account
// with GetAccountAuthorizationDetails, one listing that holds their inline
// policies, attachments, boundaries, trust policies and every version of
// every managed policy. Pages read before a failure are kept and the
// listing is marked incomplete.
func (c *collector) readIAM(ctx context.Context, s *session, a *inventory.Account) {
	p := iam.NewGetAccountAuthorizationDetailsPaginator(s.iam, &iam.GetAccountAuthorizationDetailsInput{
		MaxItems: aws.Int32(1000),
	})
	done := 0
	c.progress.report(Progress{Account: a.ID, Service: "iam"})
	err := eachPage(ctx, p.HasMorePages,
		func(ctx context.Context) (*iam.GetAccountAuthorizationDetailsOutput, error) { return p.NextPage(ctx) },
		func(out *iam.GetAccountAuthorizationDetailsOutput) *string { return out.Marker },
		func(out *iam.GetAccountAuthorizationDetailsOutput) {
			for _, d := range out.UserDetailList {
				a.Users = append(a.Users, user(d))
			}
			for _, d := range out.GroupDetailList {
				a.Groups = append(a.Groups, group(d))
			}
			for _, d := range out.RoleDetailList {
				a.Roles = append(a.Roles, role(d))
			}
			for _, d := range out.Policies {
				a.Policies = append(a.Policies, managedPolicy(d))
			}
			done += len(out.UserDetailList) + len(out.GroupDetailList) + len(out.RoleDetailList) + len(out.Policies)
			c.progress.report(Progress{Account: a.ID, Service: "iam", Done: done})
		})
	if err != nil {
		a.IAMIncomplete = notRead(opGAAD, err)
	}
	c.progress.report(Progress{Account: a.ID, Service: "iam", Done: done, Total: done, Finished: true})
}

// documentReader decodes the policy documents of one IAM entity and
// remembers the first that cannot be read, which marks the entity.
type documentReader struct {
	// file is where the documents are said to come from: the call and the
	// entity, "iam:GetAccountAuthorizationDetails arn:aws:iam::...:role/app"
	// (docs/snapshot.md, Location).
	file   string
	failed *inventory.Incomplete
}

func newDocumentReader(arn *string) *documentReader {
	return &documentReader{file: opGAAD + " " + aws.ToString(arn)}
}

// doc decodes an IAM document: URL-encoded in GetAccountAuthorizationDetails
// (moto leaves trust policies plain; inventory.DecodeDocument accepts both).
// path is its JSON path in the entity's entry.
func (r *documentReader) doc(what, path string, text *string) *inventory.Document {
	if text == nil {
		return nil
	}
	d, err := inventory.DecodeDocument([]byte(*text), inventory.Location{File: r.file, Path: path})
	if err != nil {
		if r.failed == nil {
			r.failed = &inventory.Incomplete{Reason: what + ": " + err.Error(), Source: opGAAD}
		}
		return nil
	}
	return d
}

func (r *documentReader) inline(field string, list []iamtypes.PolicyDetail) []inventory.InlinePolicy {
	var out []inventory.InlinePolicy
	for i, p := range list {
		name := aws.ToString(p.PolicyName)
		out = append(out, inventory.InlinePolicy{
			Name:     name,
			Document: r.doc(fmt.Sprintf("inline policy %q", name), fmt.Sprintf("%s[%d].PolicyDocument", field, i), p.PolicyDocument),
		})
	}
	return out
}

func attached(list []iamtypes.AttachedPolicy) []string {
	var out []string
	for _, p := range list {
		out = append(out, aws.ToString(p.PolicyArn))
	}
	return out
}

func boundary(b *iamtypes.AttachedPermissionsBoundary) string {
	if b == nil {
		return ""
	}
	return aws.ToString(b.PermissionsBoundaryArn)
}

func iamTags(list []iamtypes.Tag) []inventory.Tag {
	var out []inventory.Tag
	for _, t := range list {
		out = append(out, inventory.Tag{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)})
	}
	return out
}

func user(d iamtypes.UserDetail) *inventory.User {
	r := newDocumentReader(d.Arn)
	u := &inventory.User{
		ARN:                 aws.ToString(d.Arn),
		Name:                aws.ToString(d.UserName),
		Path:                aws.ToString(d.Path),
		ID:                  aws.ToString(d.UserId),
		CreateDate:          aws.ToTime(d.CreateDate),
		Tags:                iamTags(d.Tags),
		InlinePolicies:      r.inline("UserPolicyList", d.UserPolicyList),
		AttachedPolicies:    attached(d.AttachedManagedPolicies),
		Groups:              d.GroupList,
		PermissionsBoundary: boundary(d.PermissionsBoundary),
	}
	u.Incomplete = r.failed
	return u
}

func group(d iamtypes.GroupDetail) *inventory.Group {
	r := newDocumentReader(d.Arn)
	g := &inventory.Group{
		ARN:              aws.ToString(d.Arn),
		Name:             aws.ToString(d.GroupName),
		Path:             aws.ToString(d.Path),
		ID:               aws.ToString(d.GroupId),
		CreateDate:       aws.ToTime(d.CreateDate),
		InlinePolicies:   r.inline("GroupPolicyList", d.GroupPolicyList),
		AttachedPolicies: attached(d.AttachedManagedPolicies),
	}
	g.Incomplete = r.failed
	return g
}

func role(d iamtypes.RoleDetail) *inventory.Role {
	r := newDocumentReader(d.Arn)
	path := aws.ToString(d.Path)
	ro := &inventory.Role{
		ARN:                 aws.ToString(d.Arn),
		Name:                aws.ToString(d.RoleName),
		Path:                path,
		ID:                  aws.ToString(d.RoleId),
		CreateDate:          aws.ToTime(d.CreateDate),
		Tags:                iamTags(d.Tags),
		TrustPolicy:         r.doc("trust policy", "AssumeRolePolicyDocument", d.AssumeRolePolicyDocument),
		InlinePolicies:      r.inline("RolePolicyList", d.RolePolicyList),
		AttachedPolicies:    attached(d.AttachedManagedPolicies),
		PermissionsBoundary: boundary(d.PermissionsBoundary),
		ServiceLinked:       inventory.IsServiceLinkedPath(path),
	}
	ro.Incomplete = r.failed
	return ro
}

func managedPolicy(d iamtypes.ManagedPolicyDetail) *inventory.ManagedPolicy {
	r := newDocumentReader(d.Arn)
	arn := aws.ToString(d.Arn)
	name := aws.ToString(d.PolicyName)
	if name == "" {
		// moto leaves PolicyName out of GetAccountAuthorizationDetails; the
		// name is the ARN's last path segment.
		name = arn[strings.LastIndexByte(arn, '/')+1:]
	}
	p := &inventory.ManagedPolicy{
		ARN:  arn,
		Name: name,
		Path: aws.ToString(d.Path),
		ID:   aws.ToString(d.PolicyId),
		// AWS managed policies live in the pseudo-account "aws":
		// arn:aws:iam::aws:policy/AdministratorAccess.
		AWSManaged:                    strings.Contains(arn, ":iam::aws:policy/"),
		DefaultVersionID:              aws.ToString(d.DefaultVersionId),
		AttachmentCount:               int(aws.ToInt32(d.AttachmentCount)),
		PermissionsBoundaryUsageCount: int(aws.ToInt32(d.PermissionsBoundaryUsageCount)),
		CreateDate:                    aws.ToTime(d.CreateDate),
		UpdateDate:                    aws.ToTime(d.UpdateDate),
	}
	for i, v := range d.PolicyVersionList {
		id := aws.ToString(v.VersionId)
		pv := inventory.PolicyVersion{
			ID:         id,
			Default:    v.IsDefaultVersion,
			CreateDate: aws.ToTime(v.CreateDate),
			Document:   r.doc("version "+id, fmt.Sprintf("PolicyVersionList[%d].Document", i), v.Document),
		}
		if pv.Default || (id != "" && id == p.DefaultVersionID) {
			p.Document = pv.Document
		}
		p.Versions = append(p.Versions, pv)
	}
	if p.Document == nil && r.failed == nil {
		r.failed = &inventory.Incomplete{Reason: "the default version " + p.DefaultVersionID + " is not in the listing", Source: opGAAD}
	}
	p.Incomplete = r.failed
	return p
}
