package access

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/inventory"
)

var adminActions = awsfacts.KeyAdmin

// generated builds a deterministic account with the given numbers of roles
// and keys, mixing the shapes seen in real accounts: default key policies,
// console policies naming roles, "*" statements pinned by conditions,
// grants; roles with KMS on every key, pinned to one key, S3 only, with
// boundaries.
func generated(t testing.TB, roles, keys int) *inventory.Snapshot {
	rng := rand.New(rand.NewPCG(1, 2))
	a := &inventory.Account{ID: acct}
	keyARN := func(i int) string {
		return fmt.Sprintf("arn:aws:kms:%s:%s:key/00000000-0000-0000-0000-%012d", region, acct, i)
	}
	roleARN := func(i int) string { return fmt.Sprintf("arn:aws:iam::%s:role/app-%05d", acct, i) }
	shared := []*inventory.ManagedPolicy{
		{ARN: "arn:aws:iam::123456789012:policy/kms-all", Name: "kms-all", Document: doc(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt","kms:GenerateDataKey*"],"Resource":"*"}}`)},
		{ARN: "arn:aws:iam::123456789012:policy/s3-read", Name: "s3-read", Document: doc(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}}`)},
		{ARN: "arn:aws:iam::123456789012:policy/boundary", Name: "boundary", Document: doc(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:*","kms:Decrypt"],"Resource":"*"}}`)},
	}
	a.Policies = shared
	for i := 0; i < roles; i++ {
		r := &inventory.Role{ARN: roleARN(i), Name: fmt.Sprintf("app-%05d", i), Path: "/", CreateDate: time.Unix(0, 0)}
		switch n := rng.IntN(10); {
		case n == 0:
			r.AttachedPolicies = []string{shared[0].ARN}
		case n == 1:
			r.AttachedPolicies = []string{shared[0].ARN}
			r.PermissionsBoundary = shared[2].ARN
		case n <= 3:
			r.InlinePolicies = []inventory.InlinePolicy{{Name: "pinned", Document: doc(t, fmt.Sprintf(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":%q}}`, keyARN(rng.IntN(keys))))}}
		default:
			r.AttachedPolicies = []string{shared[1].ARN}
		}
		a.Roles = append(a.Roles, r)
	}
	for i := 0; i < keys; i++ {
		k := &inventory.Key{ARN: keyARN(i), ID: fmt.Sprintf("00000000-0000-0000-0000-%012d", i), Region: region, Account: acct,
			Metadata: &inventory.KeyMetadata{State: "Enabled", Enabled: true, KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT", Origin: "AWS_KMS", Manager: "CUSTOMER"}}
		switch n := rng.IntN(8); {
		case n <= 3:
			k.Policy = doc(t, defaultKeyPolicy)
		case n <= 5:
			k.Policy = doc(t, fmt.Sprintf(`{"Version":"2012-10-17","Statement":[
				{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"},
				{"Sid":"Admins","Effect":"Allow","Principal":{"AWS":%q},"Action":["kms:Create*","kms:Describe*","kms:Enable*","kms:List*","kms:Put*","kms:Update*","kms:Revoke*","kms:Disable*","kms:Get*","kms:Delete*","kms:ScheduleKeyDeletion","kms:CancelKeyDeletion"],"Resource":"*"},
				{"Sid":"Users","Effect":"Allow","Principal":{"AWS":%q},"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*"}]}`,
				roleARN(rng.IntN(roles)), roleARN(rng.IntN(roles))))
		case n == 6:
			k.Policy = doc(t, `{"Version":"2012-10-17","Statement":[
				{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"kms:*","Resource":"*"},
				{"Sid":"ViaS3","Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"123456789012","kms:ViaService":"s3.ap-northeast-1.amazonaws.com"}}}]}`)
		default:
			k.Policy = doc(t, defaultKeyPolicy)
			k.Grants = []inventory.Grant{{ID: fmt.Sprintf("g-%d", i), GranteePrincipal: roleARN(rng.IntN(roles)), Operations: []string{"Decrypt", "Encrypt"}}}
		}
		a.Keys = append(a.Keys, k)
	}
	return &inventory.Snapshot{Version: inventory.FormatVersion, Accounts: []*inventory.Account{a}}
}

// BenchmarkWhoCan: who-can for one key in an account of 10,000 roles and
// 2,000 keys (the index is built once, as the CLI does).
func BenchmarkWhoCan(b *testing.B) {
	ix := index(b, generated(b, 10000, 2000))
	b.ResetTimer()
	for b.Loop() {
		if _, err := ix.WhoCan("kms:Decrypt", ix.keys[5].ARN); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMatrix: the full access matrix of the same account.
func BenchmarkMatrix(b *testing.B) {
	ix := index(b, generated(b, 10000, 2000))
	b.ResetTimer()
	for b.Loop() {
		ix.Matrix(MatrixOptions{})
	}
}

// BenchmarkIndex: building the index (parsing every policy).
func BenchmarkIndex(b *testing.B) {
	s := generated(b, 10000, 2000)
	b.ResetTimer()
	for b.Loop() {
		index(b, s)
	}
}
