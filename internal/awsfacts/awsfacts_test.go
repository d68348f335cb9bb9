package awsfacts

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// expand lists the KMS actions a pattern covers (case-insensitive, * and ?).
func expand(pattern string) []string {
	var out []string
	p := strings.ToLower(pattern)
	for _, a := range KMSActionNames() {
		if globFold(p, strings.ToLower(a)) {
			out = append(out, strings.TrimPrefix(a, "kms:"))
		}
	}
	return out
}

// globFold is a minimal matcher for this test (package policy holds the
// real one; awsfacts imports nothing).
func globFold(p, s string) bool {
	if p == "" {
		return s == ""
	}
	switch p[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if globFold(p[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && globFold(p[1:], s[1:])
	}
	return s != "" && s[0] == p[0] && globFold(p[1:], s[1:])
}

// TestWildcardExpansions pins the table of shared/kms-authorization.md §3.6:
// what common action wildcards cover, computed from the action list.
func TestWildcardExpansions(t *testing.T) {
	tests := map[string][]string{
		"kms:ReEncrypt*":       {"ReEncryptFrom", "ReEncryptTo"},
		"kms:GenerateDataKey*": {"GenerateDataKey", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "GenerateDataKeyWithoutPlaintext"},
		"kms:*crypt*":          {"Decrypt", "Encrypt", "ReEncryptFrom", "ReEncryptTo"},
		"kms:?ecrypt":          {"Decrypt"},
		"kms:Create*":          {"CreateAlias", "CreateCustomKeyStore", "CreateGrant", "CreateKey"},
		"kms:Describe*":        {"DescribeCustomKeyStores", "DescribeKey"},
		"kms:Delete*":          {"DeleteAlias", "DeleteCustomKeyStore", "DeleteImportedKeyMaterial"},
		"kms:Get*":             {"GetKeyLastUsage", "GetKeyPolicy", "GetKeyRotationStatus", "GetParametersForImport", "GetPublicKey"},
		"kms:List*":            {"ListAliases", "ListGrants", "ListKeyPolicies", "ListKeyRotations", "ListKeys", "ListResourceTags", "ListRetirableGrants"},
		"kms:*Grant*":          {"CreateGrant", "ListGrants", "ListRetirableGrants", "RetireGrant", "RevokeGrant"},
		"kms:Put*":             {"PutKeyPolicy"},
	}
	for pattern, want := range tests {
		if diff := cmp.Diff(want, expand(pattern)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", pattern, diff)
		}
	}
	if n := len(KMSActions); n != 56 {
		t.Errorf("%d KMS actions, want the 56 of the Service Authorization Reference", n)
	}
}

func TestLookups(t *testing.T) {
	if a := LookupKMS("KMS:decrypt"); a == nil || a.Name != "Decrypt" || !a.CrossAccount || !a.GrantOp {
		t.Errorf("LookupKMS(KMS:decrypt) = %+v", a)
	}
	if LookupKMS("s3:GetObject") != nil || LookupKMS("kms:Nope") != nil {
		t.Error("LookupKMS must reject other services and unknown actions")
	}
	if a := LookupKMS("PutKeyPolicy"); a == nil || a.CrossAccount {
		t.Errorf("PutKeyPolicy is not a cross-account operation: %+v", a)
	}
	if op := LookupS3Operation("s3:multipartupload"); op == nil || !slices.Contains(op.KMS, "kms:Decrypt") {
		t.Errorf("a multipart upload needs kms:Decrypt: %+v", op)
	}
	if LookupS3Operation("ec2:RunInstances") != nil {
		t.Error("LookupS3Operation must reject other services")
	}
	if got := KeyUseFor("SIGN_VERIFY"); !slices.Equal(got, []string{"kms:Sign", "kms:Verify"}) {
		t.Errorf("KeyUseFor(SIGN_VERIFY) = %v", got)
	}
	if got := KeyUseFor("ENCRYPT_DECRYPT"); slices.Contains(got, "kms:Sign") || !slices.Contains(got, "kms:Decrypt") {
		t.Errorf("KeyUseFor(ENCRYPT_DECRYPT) = %v", got)
	}
	if S3ViaService("ap-northeast-1") != "s3.ap-northeast-1.amazonaws.com" {
		t.Error("S3ViaService")
	}
}
