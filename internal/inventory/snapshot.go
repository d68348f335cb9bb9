package inventory

import "time"

// FormatVersion is the snapshot format version this package writes, and the
// newest it reads. Every change to the format, additions included, raises
// it, because Read rejects fields it does not know (docs/snapshot.md,
// "Version policy"). Read keeps reading every older version; a field added
// in version n carries the struct tag since:"n", and an older file that
// uses it is rejected as it would have been by the reader of its version.
//
// Version 2 added where the IaC inputs declare each entity (the source
// fields of users, groups, roles, managed policies, keys, grants, buckets
// and organization policies) and the sources terraform-plan and
// cloudformation-template.
const FormatVersion = 2

// The values of Metadata.Source written by keywarden's own inputs.
const (
	SourceAWSCLI    = "awscli-export"  // package awscli, from an AWS CLI export
	SourceCollector = "collector"      // the live collector (aws-sdk-go-v2)
	SourceTerraform = "terraform-plan" // package iac/terraform, from terraform show -json
	// SourceCloudFormation is written by package iac/cloudformation.
	SourceCloudFormation = "cloudformation-template"
)

// A Snapshot is everything keywarden knows about a set of AWS accounts at
// one time.
type Snapshot struct {
	// Version is the format version; Save always writes FormatVersion.
	Version  int        `json:"version"`
	Metadata Metadata   `json:"metadata"`
	Accounts []*Account `json:"accounts,omitempty"`
}

// Metadata says when and how a snapshot was made.
type Metadata struct {
	GeneratedAt time.Time `json:"generatedAt"`
	// Source is what produced the snapshot: SourceAWSCLI, SourceCollector
	// or the name of another input.
	Source string `json:"source"`
	// ToolVersion is the version of the program that wrote the snapshot.
	ToolVersion string `json:"toolVersion,omitempty"`
}

// An Account is one AWS account.
type Account struct {
	// ID is the 12-digit account ID.
	ID string `json:"id"`

	// Organization is nil when the account is not in an organization, or
	// when that could not be read (then OrganizationIncomplete says why).
	Organization           *Organization `json:"organization,omitempty"`
	OrganizationIncomplete *Incomplete   `json:"organizationIncomplete,omitempty"`

	// IAMIncomplete marks an IAM listing that could not be read in full
	// (a truncated authorization-details listing, for example): users,
	// groups, roles or managed policies may be missing. Marks on single
	// entities are on the entities.
	IAMIncomplete *Incomplete      `json:"iamIncomplete,omitempty"`
	Users         []*User          `json:"users,omitempty"`
	Groups        []*Group         `json:"groups,omitempty"`
	Roles         []*Role          `json:"roles,omitempty"`
	Policies      []*ManagedPolicy `json:"policies,omitempty"`

	// KMSRegions lists the regions whose keys were read; a key in a region
	// not listed is unknown, not absent.
	KMSRegions []*KMSRegion `json:"kmsRegions,omitempty"`
	Keys       []*Key       `json:"keys,omitempty"`

	// BucketsIncomplete marks a bucket listing that could not be read.
	BucketsIncomplete *Incomplete `json:"bucketsIncomplete,omitempty"`
	Buckets           []*Bucket   `json:"buckets,omitempty"`
}

// IsManagementAccount reports whether the account is the management account
// of its organization, to which SCPs and RCPs do not apply.
func (a *Account) IsManagementAccount() bool {
	return a.Organization != nil && a.Organization.ManagementAccountID != "" &&
		a.Organization.ManagementAccountID == a.ID
}

// An Organization is what an account knows of its AWS organization.
type Organization struct {
	ID                  string `json:"id"`
	ManagementAccountID string `json:"managementAccountId,omitempty"`
	// OUPath is the account's path in the form of aws:PrincipalOrgPaths:
	// "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"; empty when not known.
	OUPath string `json:"ouPath,omitempty"`

	// SCPs is the chain of service control policies that apply to the
	// account: the root first, then each OU down the path, the account
	// last. Nil with SCPsIncomplete nil means none apply (the policy type
	// is not enabled).
	SCPs           []OrgLevel  `json:"scps,omitempty"`
	SCPsIncomplete *Incomplete `json:"scpsIncomplete,omitempty"`
	// RCPs is the chain of resource control policies, in the same order.
	RCPs           []OrgLevel  `json:"rcps,omitempty"`
	RCPsIncomplete *Incomplete `json:"rcpsIncomplete,omitempty"`
}

// An OrgLevel is one level of an SCP or RCP chain: the root, an OU or the
// account, with the policies attached to it directly.
type OrgLevel struct {
	// TargetID is r-..., ou-... or the account ID.
	TargetID   string      `json:"targetId"`
	TargetName string      `json:"targetName,omitempty"`
	Policies   []OrgPolicy `json:"policies,omitempty"`
}

// An OrgPolicy is a service or resource control policy.
type OrgPolicy struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	ARN  string `json:"arn,omitempty"`
	// AWSManaged is true for the policies AWS provides (FullAWSAccess,
	// RCPFullAWSAccess).
	AWSManaged bool      `json:"awsManaged,omitempty"`
	Document   *Document `json:"document,omitempty"`
	// Source is where the input declares the policy (version 2): a
	// Terraform resource address or a CloudFormation template path, with
	// the file and line when known. Nil for what was read from AWS.
	Source *Location `json:"source,omitempty" since:"2"`
}

// A Tag is a key and its value.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}
