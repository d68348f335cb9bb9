package checks

import (
	"fmt"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/inventory"
)

// largePolicyAccount is the account of issue 11's cost benchmark: roles
// principals, and a key whose policy (about 32 KB) has the account
// statement and statements more statements, each naming one role for
// kms:Decrypt. Every third role has an inline policy allowing kms:Decrypt
// on every key.
func largePolicyAccount(tb testing.TB, roles, statements int) *inventory.Snapshot {
	tb.Helper()
	const acct = "111122223333"
	doc := func(js string) *inventory.Document {
		d, err := inventory.DecodeDocument([]byte(js), inventory.Location{})
		if err != nil {
			tb.Fatal(err)
		}
		return d
	}
	a := &inventory.Account{ID: acct, KMSRegions: []*inventory.KMSRegion{{Name: "us-east-1"}}}
	decryptAll := doc(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}`)
	for i := 0; i < roles; i++ {
		r := &inventory.Role{ARN: fmt.Sprintf("arn:aws:iam::%s:role/r%d", acct, i), Name: fmt.Sprintf("r%d", i), Path: "/"}
		if i%3 == 0 {
			r.InlinePolicies = []inventory.InlinePolicy{{Name: "decrypt", Document: decryptAll}}
		}
		a.Roles = append(a.Roles, r)
	}
	stmts := []string{`{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"kms:*","Resource":"*"}`}
	for i := 0; i < statements; i++ {
		stmts = append(stmts, fmt.Sprintf(`{"Sid":"U%d","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:role/r%d"},"Action":"kms:Decrypt","Resource":"*"}`, i, acct, i*(roles/statements)))
	}
	policy := `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
	a.Keys = append(a.Keys, &inventory.Key{ARN: "arn:aws:kms:us-east-1:" + acct + ":key/big", ID: "big", Region: "us-east-1", Account: acct,
		Metadata: &inventory.KeyMetadata{State: "Enabled", Enabled: true, KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT", Origin: "AWS_KMS", Manager: "CUSTOMER"},
		Rotation: &inventory.Rotation{Enabled: true}, Policy: doc(policy)})
	tb.Logf("key policy: %d statements, %d bytes; %d roles", statements+1, len(policy), roles)
	return &inventory.Snapshot{Version: 1, Accounts: []*inventory.Account{a}}
}

// BenchmarkDirectAccessLargePolicy: key-policy-direct-access on a 32 KB
// key policy of 250 statements in an account of 20,000 principals, with
// its fix: one fix for the 250 principals, proved once (issue 11 item 3).
func BenchmarkDirectAccessLargePolicy(b *testing.B) {
	env, err := NewEnv(largePolicyAccount(b, 20000, 250), nil, testNow)
	if err != nil {
		b.Fatal(err)
	}
	c, _ := Lookup("key-policy-direct-access")
	for b.Loop() {
		fs := Run(env, []*Check{c})
		if len(fs) != 250 || fs[0].Remediation == nil || fs[0].Remediation != fs[249].Remediation {
			b.Fatalf("%d findings, want 250 sharing one fix", len(fs))
		}
	}
}

// BenchmarkScanLargePolicy is every check on the same account.
func BenchmarkScanLargePolicy(b *testing.B) {
	env, err := NewEnv(largePolicyAccount(b, 20000, 250), nil, testNow)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		Run(env, nil)
	}
}

// TestLargePolicyFix: the fix of the large policy is one, proved, and
// within AWS's limits.
func TestLargePolicyFix(t *testing.T) {
	if testing.Short() {
		t.Skip("large account")
	}
	env, err := NewEnv(largePolicyAccount(t, 2000, 250), nil, testNow)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := Lookup("key-policy-direct-access")
	fs := Run(env, []*Check{c})
	r := fs[0].Remediation
	for _, f := range fs {
		if f.Remediation != r {
			t.Fatal("the findings of one key must share one fix")
		}
	}
	if !r.Verified {
		t.Errorf("fix not verified: %s", r.Summary.EN)
	}
	if n := len(r.Edits); n != 251 {
		t.Errorf("%d edits, want the key policy and 250 inline policies", n)
	}
}
