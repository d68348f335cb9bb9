package inventory

import (
	"strings"
	"time"
)

// A User is an IAM user.
type User struct {
	ARN  string `json:"arn"`
	Name string `json:"name"`
	Path string `json:"path,omitempty"`
	// ID is the unique ID (AIDA...).
	ID         string    `json:"id,omitempty"`
	CreateDate time.Time `json:"createDate,omitzero"`
	Tags       []Tag     `json:"tags,omitempty"`

	InlinePolicies []InlinePolicy `json:"inlinePolicies,omitempty"`
	// AttachedPolicies are the ARNs of the managed policies attached to
	// the user directly.
	AttachedPolicies []string `json:"attachedPolicies,omitempty"`
	// Groups are the names of the groups the user belongs to.
	Groups []string `json:"groups,omitempty"`
	// PermissionsBoundary is the ARN of the managed policy set as the
	// user's permissions boundary, or empty.
	PermissionsBoundary string `json:"permissionsBoundary,omitempty"`

	// Incomplete marks a user whose details could not all be read.
	Incomplete *Incomplete `json:"incomplete,omitempty"`
	// Source is where the input declares the user (version 2): a
	// Terraform resource address or a CloudFormation template path, with
	// the file and line when known. Nil for what was read from AWS.
	Source *Location `json:"source,omitempty" since:"2"`
}

// A Group is an IAM group.
type Group struct {
	ARN              string         `json:"arn"`
	Name             string         `json:"name"`
	Path             string         `json:"path,omitempty"`
	ID               string         `json:"id,omitempty"`
	CreateDate       time.Time      `json:"createDate,omitzero"`
	InlinePolicies   []InlinePolicy `json:"inlinePolicies,omitempty"`
	AttachedPolicies []string       `json:"attachedPolicies,omitempty"`
	Incomplete       *Incomplete    `json:"incomplete,omitempty"`
	// Source is where the input declares the group (version 2): a
	// Terraform resource address or a CloudFormation template path, with
	// the file and line when known. Nil for what was read from AWS.
	Source *Location `json:"source,omitempty" since:"2"`
}

// A Role is an IAM role.
type Role struct {
	ARN        string    `json:"arn"`
	Name       string    `json:"name"`
	Path       string    `json:"path,omitempty"`
	ID         string    `json:"id,omitempty"`
	CreateDate time.Time `json:"createDate,omitzero"`
	Tags       []Tag     `json:"tags,omitempty"`
	// TrustPolicy is the role's trust (assume-role) policy.
	TrustPolicy         *Document      `json:"trustPolicy,omitempty"`
	InlinePolicies      []InlinePolicy `json:"inlinePolicies,omitempty"`
	AttachedPolicies    []string       `json:"attachedPolicies,omitempty"`
	PermissionsBoundary string         `json:"permissionsBoundary,omitempty"`
	// ServiceLinked is true for a service-linked role (path
	// /aws-service-role/...), whose policies only its service can change.
	ServiceLinked bool        `json:"serviceLinked,omitempty"`
	Incomplete    *Incomplete `json:"incomplete,omitempty"`
	// Source is where the input declares the role (version 2): a
	// Terraform resource address or a CloudFormation template path, with
	// the file and line when known. Nil for what was read from AWS.
	Source *Location `json:"source,omitempty" since:"2"`
}

// IsServiceLinkedPath reports whether an IAM path is that of a
// service-linked role: AWS creates them all under /aws-service-role/.
//
// [Using service-linked roles]: https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html
func IsServiceLinkedPath(path string) bool {
	return strings.HasPrefix(path, "/aws-service-role/")
}

// An InlinePolicy is a policy embedded in a user, group or role.
type InlinePolicy struct {
	Name     string    `json:"name"`
	Document *Document `json:"document,omitempty"`
}

// A ManagedPolicy is a customer managed or AWS managed IAM policy.
type ManagedPolicy struct {
	ARN  string `json:"arn"`
	Name string `json:"name"`
	Path string `json:"path,omitempty"`
	// ID is the unique ID (ANPA...).
	ID string `json:"id,omitempty"`
	// AWSManaged is true for a policy AWS provides (its ARN has the
	// account "aws"), false for a customer managed policy.
	AWSManaged       bool   `json:"awsManaged,omitempty"`
	DefaultVersionID string `json:"defaultVersionId,omitempty"`
	// Document is the default version's document: the only one in force.
	Document *Document `json:"document,omitempty"`
	// Versions lists every version known, the default one included; it may
	// hold only the default version, or be empty.
	Versions []PolicyVersion `json:"versions,omitempty"`
	// AttachmentCount is the number of users, groups and roles the policy
	// is attached to (permissions boundaries not counted).
	AttachmentCount int `json:"attachmentCount,omitempty"`
	// PermissionsBoundaryUsageCount is the number of users and roles that
	// use the policy as their permissions boundary.
	PermissionsBoundaryUsageCount int         `json:"permissionsBoundaryUsageCount,omitempty"`
	CreateDate                    time.Time   `json:"createDate,omitzero"`
	UpdateDate                    time.Time   `json:"updateDate,omitzero"`
	Incomplete                    *Incomplete `json:"incomplete,omitempty"`
	// Source is where the input declares the policy (version 2): a
	// Terraform resource address or a CloudFormation template path, with
	// the file and line when known. Nil for what was read from AWS.
	Source *Location `json:"source,omitempty" since:"2"`
}

// UsedAsBoundary reports whether the policy is some user's or role's
// permissions boundary (AWS Config's excludePermissionBoundaryPolicy skips
// such policies).
func (p *ManagedPolicy) UsedAsBoundary() bool { return p.PermissionsBoundaryUsageCount > 0 }

// A PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	ID         string    `json:"id"`
	Default    bool      `json:"default,omitempty"`
	CreateDate time.Time `json:"createDate,omitzero"`
	Document   *Document `json:"document,omitempty"`
}
