package engine

import (
	"testing"

	"github.com/keywarden/keywarden/internal/policy"
)

const benchKeyPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
    {"Sid": "Allow access for Key Administrators", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/KeyAdmin"},
     "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"], "Resource": "*"},
    {"Sid": "Allow use of the key", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"},
     "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*",
     "Condition": {"StringEquals": {"kms:ViaService": "s3.ap-northeast-1.amazonaws.com"}}},
    {"Sid": "Allow attachment of persistent resources", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"},
     "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*", "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}},
    {"Sid": "DenyOutsideOrg", "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",
     "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}, "Bool": {"aws:PrincipalIsAWSService": "false"}}}
  ]
}`

const benchIdentity = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "S3", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::dev-bucket/*"},
    {"Sid": "KMS", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
    {"Sid": "NoDelete", "Effect": "Deny", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"},
    {"Sid": "Logs", "Effect": "Allow", "Action": "logs:*", "Resource": "*"}
  ]
}`

// BenchmarkDecide measures typical decisions after parsing: a console-style
// key policy and an identity policy, ten statements in all, for a role
// named in the key policy (direct), a role allowed through account
// delegation, a role without KMS permission (implicit deny), and a call the
// identity policy denies.
func BenchmarkDecide(b *testing.B) {
	kp, err := policy.Parse("kp", []byte(benchKeyPolicy), policy.Resource)
	if err != nil {
		b.Fatal(err)
	}
	id, err := policy.Parse("id", []byte(benchIdentity), policy.Identity)
	if err != nil {
		b.Fatal(err)
	}
	const key = "arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	ctx := map[string]Value{
		"aws:PrincipalOrgID":               {Strings: []string{"o-a1b2c3d4e5"}},
		"kms:ViaService":                   {Strings: []string{"s3.ap-northeast-1.amazonaws.com"}},
		"kms:EncryptionContext:aws:s3:arn": {Strings: []string{"arn:aws:s3:::dev-bucket/report.csv"}},
		"kms:EncryptionContextKeys":        {Strings: []string{"aws:s3:arn"}, List: true},
	}
	cases := []struct {
		name      string
		principal string
		action    string
		identity  []*policy.Document
		want      Decision
	}{
		{"direct", "arn:aws:sts::111122223333:assumed-role/app/i-0abc", "kms:Decrypt", []*policy.Document{id}, Allow},
		{"delegation", "arn:aws:sts::111122223333:assumed-role/batch/job-1", "kms:GenerateDataKey", []*policy.Document{id}, Allow},
		{"implicit-deny", "arn:aws:sts::111122223333:assumed-role/batch/job-1", "kms:Encrypt", []*policy.Document{id}, ImplicitDeny},
		{"explicit-deny", "arn:aws:sts::111122223333:assumed-role/batch/job-1", "kms:ScheduleKeyDeletion", []*policy.Document{id}, ExplicitDeny},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			p := &Policies{KeyPolicy: kp, Identity: tc.identity}
			req := Request{Principal: tc.principal, Action: tc.action, Resource: key, Context: ctx}
			req.Normalize()
			if got := Decide(req, p); got.Decision != tc.want {
				b.Fatalf("Decide = %v, want %v: %s", got.Decision, tc.want, got.Summary)
			}
			b.ReportAllocs()
			for b.Loop() {
				Decide(req, p)
			}
		})
	}
}
