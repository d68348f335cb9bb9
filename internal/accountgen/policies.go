package accountgen

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/keywarden/keywarden/internal/inventory"
)

// document is a policy document as written: members in the order AWS
// prints them, empty ones left out.
type document struct {
	Version   string      `json:"Version"`
	ID        string      `json:"Id,omitempty"`
	Statement []statement `json:"Statement"`
}

type statement struct {
	Sid         string     `json:"Sid,omitempty"`
	Effect      string     `json:"Effect"`
	Principal   any        `json:"Principal,omitempty"`
	Action      any        `json:"Action,omitempty"`
	NotAction   any        `json:"NotAction,omitempty"`
	Resource    any        `json:"Resource,omitempty"`
	NotResource any        `json:"NotResource,omitempty"`
	Condition   conditions `json:"Condition,omitempty"`
}

// conditions is a Condition block: operator → key → value(s).
// encoding/json writes map keys sorted, so documents are deterministic.
type conditions map[string]map[string]any

func allow(sid string, action, resource any) statement {
	return statement{Sid: sid, Effect: "Allow", Action: action, Resource: resource}
}

func deny(sid string, action, resource any) statement {
	return statement{Sid: sid, Effect: "Deny", Action: action, Resource: resource}
}

// aws is a Principal of AWS identities: one ARN (or "*") or several.
func aws(arns ...string) map[string]any {
	if len(arns) == 1 {
		return map[string]any{"AWS": arns[0]}
	}
	return map[string]any{"AWS": arns}
}

// doc makes the inventory document of d. The generator only writes valid
// JSON objects, so a failure is a bug.
func doc(statements ...statement) *inventory.Document {
	return docWithID("", statements...)
}

func docWithID(id string, statements ...statement) *inventory.Document {
	d := document{Version: "2012-10-17", ID: id, Statement: statements}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	// "<" and ">" appear in conditions; escaping them would make the
	// export differ from what the AWS CLI prints.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		panic(fmt.Sprintf("accountgen: encode a policy: %v", err))
	}
	out, err := inventory.DecodeDocument(b.Bytes(), inventory.Location{})
	if err != nil {
		panic(fmt.Sprintf("accountgen: a generated policy is not a JSON object: %v", err))
	}
	return out
}

// The action lists of the console's key policy.
var (
	keyAdminActions = []string{
		"kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
		"kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource",
		"kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand",
	}
	keyUseActions     = []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"}
	keySignActions    = []string{"kms:DescribeKey", "kms:GetPublicKey", "kms:Sign", "kms:Verify"}
	keyGrantActions   = []string{"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"}
	keyReadActions    = []string{"kms:Describe*", "kms:Get*", "kms:List*"}
	dataKeyActions    = []string{"kms:Decrypt", "kms:GenerateDataKey"}
	encryptionActions = []string{"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"}
)

// accountStatement is the statement of the default key policy: it lets
// the account's IAM policies decide (shared/kms-authorization.md §4.1).
func accountStatement(acct string) statement {
	s := allow("Enable IAM User Permissions", "kms:*", "*")
	s.Principal = aws(rootARN(acct))
	return s
}

// defaultKeyPolicy is the policy KMS gives a key created without one.
func defaultKeyPolicy(acct string) *inventory.Document {
	return docWithID("key-default-1", accountStatement(acct))
}

// awsManagedKeyPolicy is the policy of the AWS managed key aws/SERVICE
// (shared/kms-authorization.md §4.3).
func awsManagedKeyPolicy(acct, service, region string) *inventory.Document {
	actions := []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"}
	if service == "ebs" || service == "rds" {
		actions = append(actions, "kms:CreateGrant")
	}
	via := service + "." + region + ".amazonaws.com"
	if service == "ebs" {
		via = "ec2." + region + ".amazonaws.com"
	}
	use := allow("Allow access through "+serviceTitle[service]+" for all principals in the account that are authorized to use "+serviceTitle[service], actions, "*")
	use.Principal = aws("*")
	use.Condition = conditions{"StringEquals": {"kms:CallerAccount": acct, "kms:ViaService": via}}
	read := allow("Allow direct access to key metadata to the account", keyReadActions, "*")
	read.Principal = aws(rootARN(acct))
	return docWithID("auto-"+service+"-2", use, read)
}

// The services that have AWS managed keys, in the order they are made.
var (
	awsManagedServices = []string{"s3", "ebs", "rds", "lambda", "secretsmanager", "sns", "sqs", "dynamodb", "backup", "ssm"}
	serviceTitle       = map[string]string{
		"s3": "S3", "ebs": "EBS", "rds": "RDS", "lambda": "Lambda", "secretsmanager": "Secrets Manager",
		"sns": "SNS", "sqs": "SQS", "dynamodb": "DynamoDB", "backup": "Backup", "ssm": "SSM",
	}
)

// A poolTemplate is one policy of the shared pool: a name, how often
// principals pick it, and its document.
type poolTemplate struct {
	name   string
	weight int
	make   func(g *generator) *inventory.Document
}

// poolTemplates are the sharedPolicies customer managed policies. Most
// say nothing about KMS; of those that do, the pinned and tag-conditioned
// ones are common, kms:* and kms:Decrypt on "*" rare.
var poolTemplates = []poolTemplate{
	{"app-s3-read", 10, func(g *generator) *inventory.Document {
		return doc(allow("ReadAppData", []string{"s3:GetObject", "s3:ListBucket"}, []string{"arn:aws:s3:::app-*", "arn:aws:s3:::app-*/*"}))
	}},
	{"app-s3-write", 8, func(g *generator) *inventory.Document {
		return doc(allow("WriteAppData", []string{"s3:PutObject", "s3:DeleteObject"}, "arn:aws:s3:::app-*/*"))
	}},
	{"dynamodb-rw", 8, func(g *generator) *inventory.Document {
		return doc(allow("Tables", []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"}, "arn:aws:dynamodb:*:"+g.acct+":table/*"))
	}},
	{"sqs-consume", 6, func(g *generator) *inventory.Document {
		return doc(allow("Consume", []string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}, "arn:aws:sqs:*:"+g.acct+":*"))
	}},
	{"sns-publish", 5, func(g *generator) *inventory.Document {
		return doc(allow("Publish", "sns:Publish", "arn:aws:sns:*:"+g.acct+":*"))
	}},
	{"logs-write", 10, func(g *generator) *inventory.Document {
		return doc(allow("Logs", []string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}, "*"))
	}},
	{"ecr-pull", 6, func(g *generator) *inventory.Document {
		return doc(allow("Pull", []string{"ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}, "*"))
	}},
	{"ssm-params-read", 6, func(g *generator) *inventory.Document {
		return doc(allow("Params", []string{"ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"}, "arn:aws:ssm:*:"+g.acct+":parameter/app/*"))
	}},
	{"secrets-read", 5, func(g *generator) *inventory.Document {
		return doc(allow("Secrets", "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:*:"+g.acct+":secret:app/*"))
	}},
	{"cloudwatch-metrics", 6, func(g *generator) *inventory.Document {
		return doc(allow("Metrics", []string{"cloudwatch:PutMetricData", "cloudwatch:GetMetricData"}, "*"))
	}},
	{"xray-write", 3, func(g *generator) *inventory.Document {
		return doc(allow("Traces", []string{"xray:PutTraceSegments", "xray:PutTelemetryRecords"}, "*"))
	}},
	{"ec2-describe", 4, func(g *generator) *inventory.Document {
		return doc(allow("Describe", "ec2:Describe*", "*"))
	}},
	{"lambda-invoke", 4, func(g *generator) *inventory.Document {
		return doc(allow("Invoke", "lambda:InvokeFunction", "arn:aws:lambda:*:"+g.acct+":function:*"))
	}},
	{"athena-query", 2, func(g *generator) *inventory.Document {
		return doc(allow("Query", []string{"athena:StartQueryExecution", "athena:GetQueryResults", "glue:GetTable"}, "*"))
	}},
	{"kinesis-put", 3, func(g *generator) *inventory.Document {
		return doc(allow("Put", []string{"kinesis:PutRecord", "kinesis:PutRecords"}, "arn:aws:kinesis:*:"+g.acct+":stream/*"))
	}},
	{"deny-iam-changes", 3, func(g *generator) *inventory.Document {
		return doc(deny("NoIAMChanges", []string{"iam:Create*", "iam:Delete*", "iam:Put*", "iam:Attach*"}, "*"))
	}},
	// KMS: use pinned to a few keys, by team.
	{"kms-payments-keys", 5, func(g *generator) *inventory.Document { return g.pinnedPolicy(dataKeyActions, 2, 6) }},
	{"kms-ledger-keys", 4, func(g *generator) *inventory.Document { return g.pinnedPolicy(encryptionActions, 1, 4) }},
	{"kms-catalog-keys", 4, func(g *generator) *inventory.Document { return g.pinnedPolicy([]string{"kms:Decrypt"}, 3, 8) }},
	{"kms-search-keys", 3, func(g *generator) *inventory.Document { return g.pinnedPolicy(dataKeyActions, 1, 3) }},
	// KMS: every key of a region.
	{"kms-use-tokyo", 3, func(g *generator) *inventory.Document {
		return doc(allow("UseTokyoKeys", encryptionActions, "arn:aws:kms:"+firstRegion+":"+g.acct+":key/*"))
	}},
	// KMS: tag conditions.
	{"kms-tag-payments", 3, func(g *generator) *inventory.Document {
		s := allow("UseTeamKeys", dataKeyActions, "*")
		s.Condition = conditions{"StringEquals": {"aws:ResourceTag/team": "payments"}}
		return doc(s)
	}},
	{"kms-abac-team", 3, func(g *generator) *inventory.Document {
		s := allow("UseOwnTeamKeys", encryptionActions, "arn:aws:kms:*:"+g.acct+":key/*")
		s.Condition = conditions{"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
		return doc(s)
	}},
	// KMS: anything, but only through S3.
	{"kms-via-s3", 4, func(g *generator) *inventory.Document {
		s := allow("ThroughS3", dataKeyActions, "*")
		s.Condition = conditions{"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}
		return doc(s)
	}},
	{"kms-grant-for-aws-resources", 2, func(g *generator) *inventory.Document {
		s := allow("GrantsForServices", keyGrantActions, "*")
		s.Condition = conditions{"Bool": {"kms:GrantIsForAWSResource": "true"}}
		return doc(s)
	}},
	{"kms-describe", 3, func(g *generator) *inventory.Document {
		return doc(allow("Describe", []string{"kms:DescribeKey", "kms:ListAliases", "kms:ListKeys"}, "*"))
	}},
	{"kms-key-operators", 1, func(g *generator) *inventory.Document {
		return doc(allow("OperateKeys", keyAdminActions, "arn:aws:kms:*:"+g.acct+":key/*"),
			deny("NeverDelete", []string{"kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"}, "*"))
	}},
	// KMS: broad.
	{"kms-decrypt-all", 1, func(g *generator) *inventory.Document {
		return doc(allow("DecryptEverything", "kms:Decrypt", "*"))
	}},
	{"kms-full-access", 1, func(g *generator) *inventory.Document {
		return doc(allow("KMSFullAccess", "kms:*", "*"))
	}},
	{"power-user", 1, func(g *generator) *inventory.Document {
		s := statement{Sid: "EverythingButIAM", Effect: "Allow", NotAction: []string{"iam:*", "organizations:*", "account:*"}, Resource: "*"}
		return doc(s, allow("ServiceLinkedRoles", []string{"iam:CreateServiceLinkedRole", "iam:ListRoles"}, "*"))
	}},
}

// pinnedPolicy allows actions on between lo and hi customer managed keys,
// named by ARN.
func (g *generator) pinnedPolicy(actions []string, lo, hi int) *inventory.Document {
	return doc(allow("UseNamedKeys", actions, g.someKeyARNs(lo, hi)))
}

// someKeyARNs picks between lo and hi distinct customer managed keys.
func (g *generator) someKeyARNs(lo, hi int) any {
	n := min(lo+g.rng.IntN(hi-lo+1), len(g.customer))
	seen := map[int]bool{}
	var arns []string
	for len(arns) < n {
		i := g.rng.IntN(len(g.customer))
		if !seen[i] {
			seen[i] = true
			arns = append(arns, g.customer[i].ARN)
		}
	}
	if len(arns) == 1 {
		return arns[0]
	}
	return arns
}

// boundaryTemplates are the two permissions boundaries.
var boundaryTemplates = []poolTemplate{
	{"developer-boundary", 3, func(g *generator) *inventory.Document {
		return doc(allow("AllowDataPlane", []string{"s3:*", "dynamodb:*", "sqs:*", "logs:*", "kms:Decrypt", "kms:GenerateDataKey*", "kms:Encrypt", "kms:DescribeKey", "kms:List*"}, "*"),
			deny("NoKeyDeletion", []string{"kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"}, "*"))
	}},
	{"workload-boundary", 1, func(g *generator) *inventory.Document {
		s := allow("WorkloadOnly", []string{"s3:*", "logs:*", "kms:Decrypt", "kms:GenerateDataKey"}, "*")
		return doc(s, deny("NoKMSAdmin", keyAdminActions, "*"))
	}},
}

// The AWS managed policies the account uses, abridged.
var awsPolicyTemplates = []poolTemplate{
	{"AdministratorAccess", 0, func(g *generator) *inventory.Document {
		return doc(statement{Effect: "Allow", Action: "*", Resource: "*"})
	}},
	{"ReadOnlyAccess", 0, func(g *generator) *inventory.Document {
		return doc(statement{Effect: "Allow", Action: []string{"kms:Describe*", "kms:Get*", "kms:List*", "iam:Get*", "iam:List*", "s3:Get*", "s3:List*", "organizations:Describe*", "organizations:List*"}, Resource: "*"})
	}},
	{"aws-service-role/AutoScalingServiceRolePolicy", 0, func(g *generator) *inventory.Document {
		return doc(allow("EC2InstanceManagement", []string{"ec2:RunInstances", "ec2:TerminateInstances", "ec2:Describe*", "ec2:CreateTags"}, "*"),
			allow("EBSEncryption", []string{"kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncrypt*", "kms:DescribeKey"}, "*"))
	}},
}
