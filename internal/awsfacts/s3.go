package awsfacts

import "strings"

// S3Operation is an S3 API operation on an object and what it needs from
// KMS when the object is (or will be) encrypted with SSE-KMS
// (shared/kms-authorization.md §9.1).
type S3Operation struct {
	// Name is the operation as users say it: "PutObject".
	Name string
	// IAMAction is the S3 permission the operation needs on the object.
	IAMAction string
	// KMS are the KMS actions S3 performs on the destination key (the key
	// that encrypts the object written, or decrypts the object read), with
	// the caller's identity.
	KMS []string
	// SourceIAM and SourceKMS are what a copy needs on its source object.
	SourceIAM string
	SourceKMS []string
	// Note explains a requirement that surprises people.
	Note string
}

// S3Operations lists the object operations keywarden evaluates. Multipart
// uploads need kms:Decrypt as well as kms:GenerateDataKey: S3 decrypts the
// parts to assemble the object (S3 User Guide, mpuoverview; AWS Knowledge
// Center "s3-large-file-encryption-kms-key").
var S3Operations = []S3Operation{
	{Name: "PutObject", IAMAction: "s3:PutObject", KMS: []string{"kms:GenerateDataKey"}},
	{Name: "GetObject", IAMAction: "s3:GetObject", KMS: []string{"kms:Decrypt"}},
	{Name: "CreateMultipartUpload", IAMAction: "s3:PutObject", KMS: []string{"kms:GenerateDataKey"}},
	{Name: "UploadPart", IAMAction: "s3:PutObject", KMS: []string{"kms:Decrypt"},
		Note: "S3 decrypts the uploaded parts, so every part of a multipart upload needs kms:Decrypt"},
	{Name: "MultipartUpload", IAMAction: "s3:PutObject", KMS: []string{"kms:GenerateDataKey", "kms:Decrypt"},
		Note: "a multipart upload (the AWS CLI's default for large files) needs kms:GenerateDataKey and kms:Decrypt"},
	{Name: "CopyObject", IAMAction: "s3:PutObject", KMS: []string{"kms:GenerateDataKey"},
		SourceIAM: "s3:GetObject", SourceKMS: []string{"kms:Decrypt"}},
}

// LookupS3Operation finds an S3 object operation by name, with or without
// the "s3:" prefix, ignoring case.
func LookupS3Operation(name string) *S3Operation {
	if svc, rest, ok := strings.Cut(name, ":"); ok {
		if !strings.EqualFold(svc, "s3") {
			return nil
		}
		name = rest
	}
	for i := range S3Operations {
		if strings.EqualFold(S3Operations[i].Name, name) {
			return &S3Operations[i]
		}
	}
	return nil
}

// S3ViaService is the kms:ViaService value of S3 calls in a region.
func S3ViaService(region string) string { return "s3." + region + ".amazonaws.com" }

// KeyUse and KeyAdmin group KMS actions for the access matrix: what it
// takes to use a key, and to administer it.
var (
	KeyUse = []string{
		"kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo",
		"kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
		"kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext",
		"kms:Sign", "kms:Verify", "kms:GenerateMac", "kms:VerifyMac", "kms:DeriveSharedSecret",
	}
	KeyAdmin = []string{
		"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
		"kms:DisableKey", "kms:EnableKey", "kms:CreateGrant", "kms:RevokeGrant",
		"kms:DisableKeyRotation", "kms:EnableKeyRotation", "kms:TagResource", "kms:UntagResource",
		"kms:UpdateKeyDescription", "kms:ImportKeyMaterial", "kms:DeleteImportedKeyMaterial",
	}
)

// KeyUseFor returns the KeyUse actions that a key of the given usage
// (ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT) can
// perform; an unknown usage keeps them all. Actions a key cannot perform
// fail on the key's type, not on authorization, so the matrix leaves them
// out.
func KeyUseFor(usage string) []string {
	var keep func(string) bool
	switch usage {
	case "ENCRYPT_DECRYPT":
		keep = func(a string) bool {
			switch a {
			case "kms:Sign", "kms:Verify", "kms:GenerateMac", "kms:VerifyMac", "kms:DeriveSharedSecret":
				return false
			}
			return true
		}
	case "SIGN_VERIFY":
		keep = func(a string) bool { return a == "kms:Sign" || a == "kms:Verify" }
	case "GENERATE_VERIFY_MAC":
		keep = func(a string) bool { return a == "kms:GenerateMac" || a == "kms:VerifyMac" }
	case "KEY_AGREEMENT":
		keep = func(a string) bool { return a == "kms:DeriveSharedSecret" }
	default:
		return KeyUse
	}
	var out []string
	for _, a := range KeyUse {
		if keep(a) {
			out = append(out, a)
		}
	}
	return out
}
