package inventory

import "time"

// The values of KeyMetadata.Manager.
const (
	KeyManagerAWS      = "AWS"
	KeyManagerCustomer = "CUSTOMER"
)

// A KMSRegion is a region whose KMS keys were read.
type KMSRegion struct {
	Name string `json:"name"`
	// KeysIncomplete marks a key listing that could not be read: keys of
	// the region may be missing from the snapshot.
	KeysIncomplete *Incomplete `json:"keysIncomplete,omitempty"`
	// AliasesIncomplete marks an alias listing that could not be read:
	// the aliases of the region's keys are unknown.
	AliasesIncomplete *Incomplete `json:"aliasesIncomplete,omitempty"`
}

// A Key is a KMS key.
type Key struct {
	ARN     string `json:"arn"`
	ID      string `json:"id"`
	Region  string `json:"region"`
	Account string `json:"account"`

	Metadata           *KeyMetadata `json:"metadata,omitempty"`
	MetadataIncomplete *Incomplete  `json:"metadataIncomplete,omitempty"`

	// Policy is the key policy (the one named "default", the only name
	// KMS supports).
	Policy           *Document   `json:"policy,omitempty"`
	PolicyIncomplete *Incomplete `json:"policyIncomplete,omitempty"`

	Grants           []Grant     `json:"grants,omitempty"`
	GrantsIncomplete *Incomplete `json:"grantsIncomplete,omitempty"`

	// Rotation is nil with RotationIncomplete nil when automatic rotation
	// does not apply to the key (asymmetric and HMAC keys, keys in custom
	// key stores: KMS answers UnsupportedOperationException).
	Rotation           *Rotation   `json:"rotation,omitempty"`
	RotationIncomplete *Incomplete `json:"rotationIncomplete,omitempty"`

	// Aliases are the alias names ("alias/app-data") that point at the key;
	// see KMSRegion.AliasesIncomplete.
	Aliases []string `json:"aliases,omitempty"`

	Tags           []Tag       `json:"tags,omitempty"`
	TagsIncomplete *Incomplete `json:"tagsIncomplete,omitempty"`

	// Source is where the input declares the key (version 2): a
	// Terraform resource address or a CloudFormation template path, with
	// the file and line when known. Nil for what was read from AWS.
	Source *Location `json:"source,omitempty" since:"2"`
}

// AWSManaged reports whether the key is an AWS managed key (aws/s3,
// aws/ebs, ...), whose policy its service owns. It is false when the
// metadata was not read.
func (k *Key) AWSManaged() bool {
	return k.Metadata != nil && k.Metadata.Manager == KeyManagerAWS
}

// KeyMetadata is what DescribeKey says of a key.
type KeyMetadata struct {
	// State is the KeyState: Enabled, Disabled, PendingDeletion,
	// PendingImport, PendingReplicaDeletion, Unavailable, Creating,
	// Updating.
	State   string `json:"state"`
	Enabled bool   `json:"enabled"`
	// KeySpec is SYMMETRIC_DEFAULT, RSA_2048, ECC_NIST_P256, HMAC_256, ...
	KeySpec string `json:"keySpec,omitempty"`
	// KeyUsage is ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC or
	// KEY_AGREEMENT.
	KeyUsage string `json:"keyUsage,omitempty"`
	// Origin is AWS_KMS, EXTERNAL, AWS_CLOUDHSM or EXTERNAL_KEY_STORE.
	Origin string `json:"origin,omitempty"`
	// Manager is KeyManagerAWS or KeyManagerCustomer.
	Manager     string `json:"manager,omitempty"`
	MultiRegion bool   `json:"multiRegion,omitempty"`
	// MultiRegionKeyType is PRIMARY or REPLICA for a multi-Region key.
	MultiRegionKeyType string    `json:"multiRegionKeyType,omitempty"`
	CreationDate       time.Time `json:"creationDate,omitzero"`
	// DeletionDate is set for a key pending deletion.
	DeletionDate time.Time `json:"deletionDate,omitzero"`
	Description  string    `json:"description,omitempty"`
}

// A Grant is a KMS grant on a key.
type Grant struct {
	ID                string `json:"id"`
	Name              string `json:"name,omitempty"`
	GranteePrincipal  string `json:"granteePrincipal,omitempty"`
	RetiringPrincipal string `json:"retiringPrincipal,omitempty"`
	// Operations are KMS operation names without the "kms:" prefix
	// (Decrypt, GenerateDataKey, ...), sorted.
	Operations []string `json:"operations,omitempty"`
	// The encryption context constraints; at most one is set. encoding/json
	// writes map keys sorted, so the snapshot stays deterministic.
	EncryptionContextEquals map[string]string `json:"encryptionContextEquals,omitempty"`
	EncryptionContextSubset map[string]string `json:"encryptionContextSubset,omitempty"`
	IssuingAccount          string            `json:"issuingAccount,omitempty"`
	CreationDate            time.Time         `json:"creationDate,omitzero"`
	// Source is where the input declares the grant (version 2): a
	// Terraform resource address or a CloudFormation template path, with
	// the file and line when known. Nil for what was read from AWS.
	Source *Location `json:"source,omitempty" since:"2"`
}

// Rotation is a key's automatic rotation status.
type Rotation struct {
	Enabled bool `json:"enabled"`
	// PeriodDays is the rotation period (90 to 2560 days); 0 when not
	// reported.
	PeriodDays       int       `json:"periodDays,omitempty"`
	NextRotationDate time.Time `json:"nextRotationDate,omitzero"`
}
