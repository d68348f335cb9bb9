package accountgen

// The mix of a generated account. Every share is a fraction of the items
// it names, applied by rounding (share × count): the proportions hold
// exactly at any size, not only on average. A shape whose share rounds to
// zero still appears once when there are at least minForOne items to
// choose from, so that the smallest accounts (204 principals × 20 keys)
// hold every shape too.

// minForOne is the number of items from which every shape with a
// non-zero share appears at least once.
const minForOne = 10

// FixedPrincipals is the number of principals every account has, whatever
// its size: the roles KMSAdminRole (named as key administrator),
// OrganizationAccountAccessRole (AdministratorAccess) and keywarden-reader
// (read-only), and the user break-glass (AdministratorAccess, through the
// group admins). The sizes of issue 9 (204, 1,004, 20,004) are these plus
// a round number.
const FixedPrincipals = 4

// Principals beyond the fixed ones.
const (
	// userShare of them are IAM users; the rest are roles.
	userShare = 0.10
	// usersPerGroup: one group per this many users (at least two
	// groups besides admins); every user is in one or two of them.
	usersPerGroup = 8
	// serviceLinkedShare of the roles are service-linked roles
	// (/aws-service-role/...), which only their service can change.
	serviceLinkedShare = 0.02
	// adminRoleShare of the roles are platform-admin-N roles, named with
	// KMSAdminRole as key administrators in console-style key policies.
	adminRoleShare = 0.005
	// boundaryShare of the users and roles (service-linked ones apart)
	// have a permissions boundary, one of two boundary policies.
	boundaryShare = 0.15
)

// Identity policies.
const (
	// sharedPolicies is the size of the pool of customer managed
	// policies shared by many principals (the templates are in
	// policies.go: 16 without KMS, 14 with, from pinned key ARNs to
	// kms:* on "*", NotAction and tag conditions; each has a weight
	// that says how often principals pick it).
	sharedPolicies = 30
	// Every role other than a service-linked one has between
	// minRolePolicies and maxRolePolicies policies of the pool attached.
	minRolePolicies = 1
	maxRolePolicies = 3
	// roleInlineShare of those roles also have an inline policy: KMS use
	// pinned to one to three key ARNs, or S3.
	roleInlineShare = 0.20
	// inlineDecryptAllShare of those roles have an inline policy that
	// allows kms:Decrypt on "*" (Security Hub KMS.2).
	inlineDecryptAllShare = 0.01
	// userAttachedShare of the users have one pool policy attached
	// directly (the rest get their permissions from groups) and
	// userInlineShare have an inline policy.
	userAttachedShare = 0.30
	userInlineShare   = 0.10
	// groupInlineShare of the groups have an inline policy besides the
	// one or two pool policies attached to every group.
	groupInlineShare = 0.30
)

// The trust policies of roles that are not service-linked.
const (
	trustServiceShare      = 0.60 // an AWS service (EC2, Lambda, ECS tasks)
	trustAccountShare      = 0.25 // the account's root, with MFA
	trustOtherAccountShare = 0.10 // another account
	// The rest (0.05): SAML federation.
)

// Keys.
const (
	// awsManagedShare of the keys are AWS managed keys (aws/s3, aws/ebs,
	// ...: one per service and region, so at most 20).
	awsManagedShare = 0.03
	// secondRegionShare of the keys are in us-east-1, the rest in
	// ap-northeast-1.
	secondRegionShare = 0.20
)

// The key policies of customer managed keys. Each share is of the
// customer managed keys; the rest have the default key policy, which
// delegates everything to the account's IAM policies (about 61%).
const (
	// consoleShare: the console's policy: the account statement, key
	// administrators (KMSAdminRole, a platform-admin role), key users
	// named by role ARN, and the statement for persistent resources.
	consoleShare = 0.15
	// consoleDenyShare of those add a Deny of every request from outside
	// the organization.
	consoleDenyShare = 0.20
	// crossAccountShare: the account statement and another account's
	// root or one of its roles, named as key user.
	crossAccountShare = 0.08
	// orgShare: the account statement and "*" allowed under
	// aws:PrincipalOrgID (or aws:PrincipalOrgPaths).
	orgShare = 0.07
	// viaServiceShare: the account statement and {"AWS": "*"} pinned by
	// kms:CallerAccount and kms:ViaService, as AWS managed keys are.
	viaServiceShare = 0.04
	// directShare: no account statement; the administrators and users
	// are named (one in five names a deleted administrator by its unique
	// ID, as KMS shows it).
	directShare = 0.03
	// publicShare: the account statement and "*" allowed to decrypt
	// with no condition, or only under kms:ViaService or aws:SourceVpce.
	publicShare = 0.02
)

// The state and shape of customer managed keys.
const (
	pendingDeletionShare = 0.02
	disabledShare        = 0.02
	// asymmetricShare: RSA_2048 signing keys (no rotation, no
	// encryption context).
	asymmetricShare = 0.03
	// multiRegionShare: multi-Region primary keys (mrk-...).
	multiRegionShare = 0.03
	// rotationShare of the symmetric keys rotate automatically.
	rotationShare = 0.75
	// aliasShare of the keys have an alias; secondAliasShare of those
	// have a second one.
	aliasShare       = 0.80
	secondAliasShare = 0.10
	// taggedShare of the keys have tags (team, env, sometimes
	// data-classification); the tag-condition policies read team.
	taggedShare = 0.70
)

// Grants.
const (
	// grantsPerKey is the mean number of grants of a customer managed
	// key: each has between 0 and 2 × grantsPerKey, uniformly.
	grantsPerKey = 10
	// The grantees. The rest (0.05) are service principals
	// (dynamodb.REGION.amazonaws.com style).
	granteeRoleShare             = 0.45 // a role of the account
	granteeOtherAccountRoleShare = 0.10 // a role of another account
	granteeRootShare             = 0.05 // an account (its root)
	granteeEC2Share              = 0.35 // an aws:ec2-infrastructure session, as EBS makes them
	// grantConstraintShare of the grants on symmetric keys have an
	// encryption context constraint (EBS sessions' grants always have
	// EncryptionContextEquals aws:ebs:id).
	grantConstraintShare = 0.50
)

// bucketsPerKey: one S3 bucket per this many keys (at least one). Most
// use SSE-KMS with a customer managed key; half have a bucket policy.
const bucketsPerKey = 0.10
