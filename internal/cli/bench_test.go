package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchScenario is a typical question: a console-style key policy (admins,
// users, a deny outside the organization) and an identity policy.
const benchScenario = `{"name":"bench","request":{"principal":"arn:aws:sts::111122223333:assumed-role/app/i-0abc","action":"kms:Decrypt","resource":"arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab","context":{"aws:PrincipalOrgID":"o-a1b2c3d4e5","kms:ViaService":"s3.ap-northeast-1.amazonaws.com","kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::dev-bucket/report.csv","kms:EncryptionContextKeys":["aws:s3:arn"]}},` +
	`"keyPolicy":{"Version":"2012-10-17","Statement":[` +
	`{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},` +
	`{"Sid":"Allow access for Key Administrators","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/KeyAdmin"},"Action":["kms:Create*","kms:Describe*","kms:Enable*","kms:List*","kms:Put*","kms:Update*","kms:Revoke*","kms:Disable*","kms:Get*","kms:Delete*","kms:TagResource","kms:UntagResource","kms:ScheduleKeyDeletion","kms:CancelKeyDeletion"],"Resource":"*"},` +
	`{"Sid":"Allow use of the key","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.ap-northeast-1.amazonaws.com"}}},` +
	`{"Sid":"DenyOutsideOrg","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"},"Bool":{"aws:PrincipalIsAWSService":"false"}}}]},` +
	`"identityPolicies":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::dev-bucket/*"},{"Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}]}],` +
	`"expect":"Allow"}` + "\n"

// BenchmarkSimulate runs "keywarden simulate" on a batch of 3,000
// scenarios: read, parse, decide and write.
func BenchmarkSimulate(b *testing.B) {
	path := filepath.Join(b.TempDir(), "batch.jsonl")
	if err := os.WriteFile(path, []byte(strings.Repeat(benchScenario, 3000)), 0o644); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if code := Main(context.Background(), []string{"simulate", path}, nil, io.Discard, io.Discard); code != ExitOK {
			b.Fatalf("simulate exited %d, want 0", code)
		}
	}
}
