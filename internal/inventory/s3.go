package inventory

// The values of BucketEncryption.Algorithm, as S3 spells them.
const (
	SSES3      = "AES256"
	SSEKMS     = "aws:kms"
	SSEKMSDSSE = "aws:kms:dsse"
)

// A Bucket is an S3 general purpose bucket.
type Bucket struct {
	Name string `json:"name"`
	// Region is where the bucket lives; empty when RegionIncomplete.
	Region           string      `json:"region,omitempty"`
	RegionIncomplete *Incomplete `json:"regionIncomplete,omitempty"`
	// Policy is nil with PolicyIncomplete nil when the bucket has no
	// bucket policy.
	Policy           *Document   `json:"policy,omitempty"`
	PolicyIncomplete *Incomplete `json:"policyIncomplete,omitempty"`
	// Encryption is the default encryption; nil with EncryptionIncomplete
	// nil when the bucket has none configured.
	Encryption           *BucketEncryption `json:"encryption,omitempty"`
	EncryptionIncomplete *Incomplete       `json:"encryptionIncomplete,omitempty"`

	// Source is where the input declares the bucket (version 2): a
	// Terraform resource address or a CloudFormation template path, with
	// the file and line when known. Nil for what was read from AWS.
	Source *Location `json:"source,omitempty" since:"2"`
}

// BucketEncryption is a bucket's default encryption.
type BucketEncryption struct {
	// Algorithm is SSES3, SSEKMS or SSEKMSDSSE.
	Algorithm string `json:"algorithm"`
	// KMSKeyID is the key as configured: a key ARN, a key ID, an alias
	// name or an alias ARN. Empty with SSE-KMS means the AWS managed key
	// aws/s3 of the bucket's region.
	KMSKeyID         string `json:"kmsKeyId,omitempty"`
	BucketKeyEnabled bool   `json:"bucketKeyEnabled,omitempty"`
}

// UsesKMS reports whether objects are encrypted with a KMS key by default.
func (e *BucketEncryption) UsesKMS() bool {
	return e != nil && (e.Algorithm == SSEKMS || e.Algorithm == SSEKMSDSSE)
}

// BucketRegion maps GetBucketLocation's LocationConstraint to a region: S3
// answers an empty constraint for us-east-1 and the legacy "EU" for
// eu-west-1 ([GetBucketLocation]).
//
// [GetBucketLocation]: https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html
func BucketRegion(constraint string) string {
	switch constraint {
	case "":
		return "us-east-1"
	case "EU":
		return "eu-west-1"
	}
	return constraint
}
