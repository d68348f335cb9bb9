package awsfacts

import (
	"sort"
	"strings"
)

// ResourceType is what a KMS action is authorized against.
type ResourceType uint8

const (
	// NoResource: the action is authorized against "*" by IAM policies
	// only (CreateKey, ListKeys, ...).
	NoResource ResourceType = iota
	// KeyResource: the action acts on a KMS key, authorized by its key
	// policy (directly or by delegation to IAM) and by grants.
	KeyResource
	// AliasAndKey: the action needs IAM permission on the alias and a
	// key-policy decision on the key (CreateAlias, DeleteAlias, UpdateAlias).
	AliasAndKey
)

// Usage classifies what an action does with a key, for the access matrix
// and the checks: cryptographic use, administration, or reading metadata.
type Usage uint8

// The usage classes.
const (
	UsageOther Usage = iota
	UsageCrypto
	UsageAdmin
	UsageRead
)

// KMSAction is one KMS action and how AWS authorizes it.
type KMSAction struct {
	Name         string // without the "kms:" prefix
	Resource     ResourceType
	CrossAccount bool // the action works on a key of another account
	GrantOp      bool // a grant's Operations may include it
	// EncryptionContext: the request can carry an encryption context, so
	// grant EC constraints and kms:EncryptionContext conditions apply.
	EncryptionContext bool
	// CustomKeyStore marks the custom key store operations, whose
	// requests carry kms:CallerAccount although they name no key.
	CustomKeyStore bool
	Usage          Usage
}

// KMSActions lists every KMS action of the Service Authorization Reference,
// including the internal SynchronizeMultiRegionKey (only reachable through
// wildcards).
var KMSActions = []KMSAction{
	{Name: "CancelKeyDeletion", Resource: KeyResource, Usage: UsageAdmin},
	{Name: "ConnectCustomKeyStore", Resource: NoResource, CustomKeyStore: true, Usage: UsageAdmin},
	{Name: "CreateAlias", Resource: AliasAndKey, Usage: UsageAdmin},
	{Name: "CreateCustomKeyStore", Resource: NoResource, CustomKeyStore: true, Usage: UsageAdmin},
	{Name: "CreateGrant", Resource: KeyResource, CrossAccount: true, GrantOp: true, EncryptionContext: true, Usage: UsageAdmin},
	{Name: "CreateKey", Resource: NoResource, Usage: UsageAdmin},
	{Name: "Decrypt", Resource: KeyResource, CrossAccount: true, GrantOp: true, EncryptionContext: true, Usage: UsageCrypto},
	{Name: "DeleteAlias", Resource: AliasAndKey, Usage: UsageAdmin},
	{Name: "DeleteCustomKeyStore", Resource: NoResource, CustomKeyStore: true, Usage: UsageAdmin},
	{Name: "DeleteImportedKeyMaterial", Resource: KeyResource, Usage: UsageAdmin},
	{Name: "DeriveSharedSecret", Resource: KeyResource, CrossAccount: true, GrantOp: true, Usage: UsageCrypto},
	{Name: "DescribeCustomKeyStores", Resource: NoResource, CustomKeyStore: true, Usage: UsageRead},
	{Name: "DescribeKey", Resource: KeyResource, CrossAccount: true, GrantOp: true, Usage: UsageRead},
	{Name: "DisableKey", Resource: KeyResource, Usage: UsageAdmin},
	{Name: "DisableKeyRotation", Resource: KeyResource, Usage: UsageAdmin},
	{Name: "DisconnectCustomKeyStore", Resource: NoResource, CustomKeyStore: true, Usage: UsageAdmin},
	{Name: "EnableKey", Resource: KeyResource, Usage: UsageAdmin},
	{Name: "EnableKeyRotation", Resource: KeyResource, Usage: UsageAdmin},
	{Name: "Encrypt", Resource: KeyResource, CrossAccount: true, GrantOp: true, EncryptionContext: true, Usage: UsageCrypto},
	{Name: "GenerateDataKey", Resource: KeyResource, CrossAccount: true, GrantOp: true, EncryptionContext: true, Usage: UsageCrypto},
	{Name: "GenerateDataKeyPair", Resource: KeyResource, CrossAccount: true, GrantOp: true, EncryptionContext: true, Usage: UsageCrypto},
	{Name: "GenerateDataKeyPairWithoutPlaintext", Resource: KeyResource, CrossAccount: true, GrantOp: true, EncryptionContext: true, Usage: UsageCrypto},
	{Name: "GenerateDataKeyWithoutPlaintext", Resource: KeyResource, CrossAccount: true, GrantOp: true, EncryptionContext: true, Usage: UsageCrypto},
	{Name: "GenerateMac", Resource: KeyResource, CrossAccount: true, GrantOp: true, Usage: UsageCrypto},
	{Name: "GenerateRandom", Resource: NoResource, Usage: UsageOther},
	{Name: "GetKeyLastUsage", Resource: KeyResource, Usage: UsageRead},
	{Name: "GetKeyPolicy", Resource: KeyResource, Usage: UsageRead},
	{Name: "GetKeyRotationStatus", Resource: KeyResource, CrossAccount: true, Usage: UsageRead},
	{Name: "GetParametersForImport", Resource: KeyResource, Usage: UsageAdmin},
	{Name: "GetPublicKey", Resource: KeyResource, CrossAccount: true, GrantOp: true, Usage: UsageCrypto},
	{Name: "ImportKeyMaterial", Resource: KeyResource, Usage: UsageAdmin},
	{Name: "ListAliases", Resource: NoResource, Usage: UsageRead},
	{Name: "ListGrants", Resource: KeyResource, CrossAccount: true, Usage: UsageRead},
	{Name: "ListKeyPolicies", Resource: KeyResource, Usage: UsageRead},
	{Name: "ListKeyRotations", Resource: KeyResource, Usage: UsageRead},
	{Name: "ListKeys", Resource: NoResource, Usage: UsageRead},
	{Name: "ListResourceTags", Resource: KeyResource, Usage: UsageRead},
	{Name: "ListRetirableGrants", Resource: NoResource, Usage: UsageRead},
	{Name: "PutKeyPolicy", Resource: KeyResource, Usage: UsageAdmin},
	{Name: "ReEncryptFrom", Resource: KeyResource, CrossAccount: true, GrantOp: true, EncryptionContext: true, Usage: UsageCrypto},
	{Name: "ReEncryptTo", Resource: KeyResource, CrossAccount: true, GrantOp: true, EncryptionContext: true, Usage: UsageCrypto},
	{Name: "ReplicateKey", Resource: KeyResource, Usage: UsageAdmin},
	{Name: "RetireGrant", Resource: KeyResource, CrossAccount: true, GrantOp: true, Usage: UsageAdmin},
	{Name: "RevokeGrant", Resource: KeyResource, CrossAccount: true, Usage: UsageAdmin},
	{Name: "RotateKeyOnDemand", Resource: KeyResource, Usage: UsageAdmin},
	{Name: "ScheduleKeyDeletion", Resource: KeyResource, Usage: UsageAdmin},
	{Name: "Sign", Resource: KeyResource, CrossAccount: true, GrantOp: true, Usage: UsageCrypto},
	{Name: "SynchronizeMultiRegionKey", Resource: KeyResource, Usage: UsageOther},
	{Name: "TagResource", Resource: KeyResource, Usage: UsageAdmin},
	{Name: "UntagResource", Resource: KeyResource, Usage: UsageAdmin},
	{Name: "UpdateAlias", Resource: AliasAndKey, Usage: UsageAdmin},
	{Name: "UpdateCustomKeyStore", Resource: NoResource, CustomKeyStore: true, Usage: UsageAdmin},
	{Name: "UpdateKeyDescription", Resource: KeyResource, Usage: UsageAdmin},
	{Name: "UpdatePrimaryRegion", Resource: KeyResource, Usage: UsageAdmin},
	{Name: "Verify", Resource: KeyResource, CrossAccount: true, GrantOp: true, Usage: UsageCrypto},
	{Name: "VerifyMac", Resource: KeyResource, CrossAccount: true, GrantOp: true, Usage: UsageCrypto},
}

var kmsByLower, kmsByName = func() (map[string]*KMSAction, map[string]*KMSAction) {
	lower := make(map[string]*KMSAction, len(KMSActions))
	exact := make(map[string]*KMSAction, len(KMSActions))
	for i := range KMSActions {
		lower[strings.ToLower(KMSActions[i].Name)] = &KMSActions[i]
		exact[KMSActions[i].Name] = &KMSActions[i]
	}
	return lower, exact
}()

// LookupKMS finds a KMS action by name, with or without the "kms:" prefix,
// ignoring case. It returns nil for a name that is not a KMS action.
func LookupKMS(action string) *KMSAction {
	name := action
	if svc, rest, ok := strings.Cut(action, ":"); ok {
		if !strings.EqualFold(svc, "kms") {
			return nil
		}
		name = rest
	}
	if a, ok := kmsByName[name]; ok {
		return a
	}
	return kmsByLower[strings.ToLower(name)]
}

// KMSActionNames returns "kms:Name" for every action, sorted.
func KMSActionNames() []string {
	out := make([]string, len(KMSActions))
	for i, a := range KMSActions {
		out[i] = "kms:" + a.Name
	}
	sort.Strings(out)
	return out
}

// Multivalued lists the condition keys whose values are sets
// (shared/kms-authorization.md §8.3); an operator without a set qualifier
// never matches them.
var Multivalued = map[string]bool{
	"kms:encryptioncontextkeys": true,
	"kms:grantoperations":       true,
	"kms:resourcealiases":       true,
	"aws:tagkeys":               true,
	"aws:principalorgpaths":     true,
	"aws:calledvia":             true,
}

// AWSManagedPolicyPrefix starts the ARN of every AWS managed policy.
const AWSManagedPolicyPrefix = "arn:aws:iam::aws:policy/"
