package accountgen

import (
	"cmp"
	"path"
	"slices"
	"strings"

	"github.com/keywarden/keywarden/internal/inventory"
)

// Organizations: describe-organization and the two policy chains, in
// keywarden's own shape (docs/awscli-export.md, "Organizations").

type describeOrganization struct {
	Organization struct {
		ID                   string       `json:"Id"`
		Arn                  string       `json:"Arn"`
		FeatureSet           string       `json:"FeatureSet"`
		MasterAccountArn     string       `json:"MasterAccountArn,omitempty"`
		MasterAccountID      string       `json:"MasterAccountId,omitempty"`
		AvailablePolicyTypes []policyType `json:"AvailablePolicyTypes"`
	} `json:"Organization"`
}

type policyType struct {
	Type   string `json:"Type"`
	Status string `json:"Status"`
}

type policyChain struct {
	AccountID  string       `json:"AccountId"`
	PolicyType string       `json:"PolicyType"`
	Levels     []chainLevel `json:"Levels"`
}

type chainLevel struct {
	TargetID   string           `json:"TargetId"`
	TargetName string           `json:"TargetName,omitempty"`
	TargetType string           `json:"TargetType"`
	Policies   []describePolicy `json:"Policies"`
}

// describePolicy is the output of aws organizations describe-policy.
type describePolicy struct {
	Policy struct {
		PolicySummary struct {
			ID         string `json:"Id"`
			Arn        string `json:"Arn,omitempty"`
			Name       string `json:"Name,omitempty"`
			Type       string `json:"Type"`
			AwsManaged bool   `json:"AwsManaged"`
		} `json:"PolicySummary"`
		Content string `json:"Content"`
	} `json:"Policy"`
}

const (
	orgFile = "organizations/describe-organization.json"
	scpFile = "organizations/scps.json"
	rcpFile = "organizations/rcps.json"
)

func (w *exportWriter) organization(a *inventory.Account) {
	o := a.Organization
	switch {
	case a.OrganizationIncomplete != nil:
		w.failed(orgFile, a.OrganizationIncomplete.Reason)
		return
	case o == nil:
		w.failed(orgFile, awsError("AWSOrganizationsNotInUseException", "DescribeOrganization", "Your account is not a member of an organization."))
		return
	}
	var d describeOrganization
	d.Organization.ID = o.ID
	d.Organization.Arn = "arn:aws:organizations::" + o.ManagementAccountID + ":organization/" + o.ID
	d.Organization.FeatureSet = "ALL"
	if o.ManagementAccountID != "" {
		d.Organization.MasterAccountArn = "arn:aws:organizations::" + o.ManagementAccountID + ":account/" + o.ID + "/" + o.ManagementAccountID
		d.Organization.MasterAccountID = o.ManagementAccountID
	}
	d.Organization.AvailablePolicyTypes = []policyType{}
	if o.SCPs != nil {
		d.Organization.AvailablePolicyTypes = append(d.Organization.AvailablePolicyTypes, policyType{"SERVICE_CONTROL_POLICY", "ENABLED"})
	}
	if o.RCPs != nil {
		d.Organization.AvailablePolicyTypes = append(d.Organization.AvailablePolicyTypes, policyType{"RESOURCE_CONTROL_POLICY", "ENABLED"})
	}
	w.json(orgFile, d)
	w.chain(scpFile, a.ID, "SERVICE_CONTROL_POLICY", o.SCPs, o.SCPsIncomplete)
	w.chain(rcpFile, a.ID, "RESOURCE_CONTROL_POLICY", o.RCPs, o.RCPsIncomplete)
}

func (w *exportWriter) chain(rel, acct, typ string, levels []inventory.OrgLevel, mark *inventory.Incomplete) {
	switch {
	case mark != nil:
		w.failed(rel, mark.Reason)
		return
	case levels == nil:
		w.failed(rel, awsError("PolicyTypeNotEnabledException", "ListPoliciesForTarget", "This operation can be performed only for enabled policy types."))
		return
	}
	c := policyChain{AccountID: acct, PolicyType: typ, Levels: []chainLevel{}}
	for _, l := range levels {
		cl := chainLevel{TargetID: l.TargetID, TargetName: l.TargetName, TargetType: "ACCOUNT", Policies: []describePolicy{}}
		switch {
		case strings.HasPrefix(l.TargetID, "r-"):
			cl.TargetType = "ROOT"
		case strings.HasPrefix(l.TargetID, "ou-"):
			cl.TargetType = "ORGANIZATIONAL_UNIT"
		}
		for _, p := range l.Policies {
			var dp describePolicy
			s := &dp.Policy.PolicySummary
			s.ID, s.Arn, s.Name, s.Type, s.AwsManaged = p.ID, p.ARN, p.Name, typ, p.AWSManaged
			if p.Document != nil {
				dp.Policy.Content = text(p.Document)
			}
			cl.Policies = append(cl.Policies, dp)
		}
		c.Levels = append(c.Levels, cl)
	}
	w.json(rel, c)
}

// KMS: per region the key and alias lists, per key five calls.

type listKeys struct {
	Keys      []keyListEntry `json:"Keys"`
	Truncated bool           `json:"Truncated"`
}

type keyListEntry struct {
	KeyID  string `json:"KeyId"`
	KeyArn string `json:"KeyArn"`
}

type listAliases struct {
	Aliases   []aliasEntry `json:"Aliases"`
	Truncated bool         `json:"Truncated"`
}

type aliasEntry struct {
	AliasName       string `json:"AliasName"`
	AliasArn        string `json:"AliasArn"`
	TargetKeyID     string `json:"TargetKeyId"`
	CreationDate    string `json:"CreationDate,omitempty"`
	LastUpdatedDate string `json:"LastUpdatedDate,omitempty"`
}

type describeKey struct {
	KeyMetadata keyMetadata `json:"KeyMetadata"`
}

type keyMetadata struct {
	AWSAccountID             string               `json:"AWSAccountId"`
	KeyID                    string               `json:"KeyId"`
	Arn                      string               `json:"Arn"`
	CreationDate             string               `json:"CreationDate,omitempty"`
	Enabled                  bool                 `json:"Enabled"`
	Description              string               `json:"Description"`
	KeyUsage                 string               `json:"KeyUsage,omitempty"`
	KeyState                 string               `json:"KeyState"`
	DeletionDate             string               `json:"DeletionDate,omitempty"`
	Origin                   string               `json:"Origin,omitempty"`
	KeyManager               string               `json:"KeyManager,omitempty"`
	CustomerMasterKeySpec    string               `json:"CustomerMasterKeySpec,omitempty"`
	KeySpec                  string               `json:"KeySpec,omitempty"`
	EncryptionAlgorithms     []string             `json:"EncryptionAlgorithms,omitempty"`
	SigningAlgorithms        []string             `json:"SigningAlgorithms,omitempty"`
	MultiRegion              bool                 `json:"MultiRegion"`
	MultiRegionConfiguration *multiRegionSettings `json:"MultiRegionConfiguration,omitempty"`
}

type multiRegionSettings struct {
	MultiRegionKeyType string `json:"MultiRegionKeyType"`
}

type keyPolicy struct {
	Policy     string `json:"Policy"`
	PolicyName string `json:"PolicyName"`
}

type listGrants struct {
	Grants    []grantEntry `json:"Grants"`
	Truncated bool         `json:"Truncated"`
}

type grantEntry struct {
	KeyID             string       `json:"KeyId"`
	GrantID           string       `json:"GrantId"`
	Name              string       `json:"Name"`
	CreationDate      string       `json:"CreationDate,omitempty"`
	GranteePrincipal  string       `json:"GranteePrincipal,omitempty"`
	RetiringPrincipal string       `json:"RetiringPrincipal,omitempty"`
	IssuingAccount    string       `json:"IssuingAccount,omitempty"`
	Operations        []string     `json:"Operations"`
	Constraints       *constraints `json:"Constraints,omitempty"`
}

type constraints struct {
	EncryptionContextSubset map[string]string `json:"EncryptionContextSubset,omitempty"`
	EncryptionContextEquals map[string]string `json:"EncryptionContextEquals,omitempty"`
}

type rotationStatus struct {
	KeyRotationEnabled   bool   `json:"KeyRotationEnabled"`
	KeyID                string `json:"KeyId"`
	RotationPeriodInDays int    `json:"RotationPeriodInDays,omitempty"`
	NextRotationDate     string `json:"NextRotationDate,omitempty"`
}

type listTags struct {
	Tags      []kmsTag `json:"Tags"`
	Truncated bool     `json:"Truncated"`
}

type kmsTag struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

func (w *exportWriter) region(a *inventory.Account, r *inventory.KMSRegion) {
	dir := path.Join("kms", r.Name)
	keys := listKeys{Keys: []keyListEntry{}}
	aliases := listAliases{Aliases: []aliasEntry{}}
	for _, k := range a.Keys {
		if k.Region != r.Name {
			continue
		}
		keys.Keys = append(keys.Keys, keyListEntry{KeyID: k.ID, KeyArn: k.ARN})
		var created string
		if k.Metadata != nil {
			created = cliTime(k.Metadata.CreationDate)
		}
		for _, name := range k.Aliases {
			aliases.Aliases = append(aliases.Aliases, aliasEntry{
				AliasName: name, AliasArn: "arn:aws:kms:" + r.Name + ":" + k.Account + ":" + name,
				TargetKeyID: k.ID, CreationDate: created, LastUpdatedDate: created,
			})
		}
		w.key(path.Join(dir, k.ID), k)
	}
	// ListAliases lists aliases by name.
	slices.SortFunc(aliases.Aliases, func(x, y aliasEntry) int { return cmp.Compare(x.AliasName, y.AliasName) })
	if r.KeysIncomplete != nil {
		w.failed(path.Join(dir, "list-keys.json"), r.KeysIncomplete.Reason)
	} else {
		w.json(path.Join(dir, "list-keys.json"), keys)
	}
	if r.AliasesIncomplete != nil {
		w.failed(path.Join(dir, "list-aliases.json"), r.AliasesIncomplete.Reason)
	} else {
		w.json(path.Join(dir, "list-aliases.json"), aliases)
	}
}

func (w *exportWriter) key(dir string, k *inventory.Key) {
	file := func(name string) string { return path.Join(dir, name) }

	switch m := k.Metadata; {
	case k.MetadataIncomplete != nil:
		w.failed(file("describe-key.json"), k.MetadataIncomplete.Reason)
	case m != nil:
		km := keyMetadata{
			AWSAccountID: k.Account, KeyID: k.ID, Arn: k.ARN, CreationDate: cliTime(m.CreationDate), Enabled: m.Enabled,
			Description: m.Description, KeyUsage: m.KeyUsage, KeyState: m.State, DeletionDate: cliTime(m.DeletionDate),
			Origin: m.Origin, KeyManager: m.Manager, CustomerMasterKeySpec: m.KeySpec, KeySpec: m.KeySpec, MultiRegion: m.MultiRegion,
		}
		switch {
		case m.KeySpec == "SYMMETRIC_DEFAULT":
			km.EncryptionAlgorithms = []string{"SYMMETRIC_DEFAULT"}
		case m.KeyUsage == "SIGN_VERIFY" && strings.HasPrefix(m.KeySpec, "RSA_"):
			km.SigningAlgorithms = []string{"RSASSA_PSS_SHA_256", "RSASSA_PKCS1_V1_5_SHA_256"}
		}
		if m.MultiRegionKeyType != "" {
			km.MultiRegionConfiguration = &multiRegionSettings{MultiRegionKeyType: m.MultiRegionKeyType}
		}
		w.json(file("describe-key.json"), describeKey{KeyMetadata: km})
	}

	switch {
	case k.PolicyIncomplete != nil:
		w.failed(file("get-key-policy.json"), k.PolicyIncomplete.Reason)
	case k.Policy != nil:
		w.json(file("get-key-policy.json"), keyPolicy{Policy: text(k.Policy), PolicyName: "default"})
	}

	if k.GrantsIncomplete != nil {
		w.failed(file("list-grants.json"), k.GrantsIncomplete.Reason)
	} else {
		gs := listGrants{Grants: []grantEntry{}}
		for _, g := range k.Grants {
			e := grantEntry{
				KeyID: k.ARN, GrantID: g.ID, Name: g.Name, CreationDate: cliTime(g.CreationDate),
				GranteePrincipal: g.GranteePrincipal, RetiringPrincipal: g.RetiringPrincipal, IssuingAccount: g.IssuingAccount,
				Operations: orEmpty(g.Operations),
			}
			if len(g.EncryptionContextSubset) > 0 || len(g.EncryptionContextEquals) > 0 {
				e.Constraints = &constraints{EncryptionContextSubset: g.EncryptionContextSubset, EncryptionContextEquals: g.EncryptionContextEquals}
			}
			gs.Grants = append(gs.Grants, e)
		}
		w.json(file("list-grants.json"), gs)
	}

	switch r := k.Rotation; {
	case k.RotationIncomplete != nil:
		w.failed(file("get-key-rotation-status.json"), k.RotationIncomplete.Reason)
	case r == nil:
		// Rotation does not apply to the key: KMS refuses the call.
		w.failed(file("get-key-rotation-status.json"), awsError("UnsupportedOperationException", "GetKeyRotationStatus",
			k.ARN+" key usage is not valid for GetKeyRotationStatus."))
	default:
		w.json(file("get-key-rotation-status.json"), rotationStatus{
			KeyRotationEnabled: r.Enabled, KeyID: k.ID, RotationPeriodInDays: r.PeriodDays, NextRotationDate: cliTime(r.NextRotationDate),
		})
	}

	if k.TagsIncomplete != nil {
		w.failed(file("list-resource-tags.json"), k.TagsIncomplete.Reason)
	} else {
		ts := listTags{Tags: []kmsTag{}}
		for _, t := range k.Tags {
			ts.Tags = append(ts.Tags, kmsTag{TagKey: t.Key, TagValue: t.Value})
		}
		w.json(file("list-resource-tags.json"), ts)
	}
}

// S3: the bucket list and per bucket three calls.

type listBuckets struct {
	Buckets []bucketEntry `json:"Buckets"`
	Owner   struct {
		ID string `json:"ID"`
	} `json:"Owner"`
}

type bucketEntry struct {
	Name string `json:"Name"`
}

type bucketLocation struct {
	LocationConstraint *string `json:"LocationConstraint"`
}

type bucketEncryption struct {
	ServerSideEncryptionConfiguration struct {
		Rules []encryptionRule `json:"Rules"`
	} `json:"ServerSideEncryptionConfiguration"`
}

type encryptionRule struct {
	ApplyServerSideEncryptionByDefault struct {
		SSEAlgorithm   string `json:"SSEAlgorithm"`
		KMSMasterKeyID string `json:"KMSMasterKeyID,omitempty"`
	} `json:"ApplyServerSideEncryptionByDefault"`
	BucketKeyEnabled bool `json:"BucketKeyEnabled"`
}

type bucketPolicy struct {
	Policy string `json:"Policy"`
}

func (w *exportWriter) s3(a *inventory.Account) {
	const list = "s3/list-buckets.json"
	if a.BucketsIncomplete != nil {
		w.failed(list, a.BucketsIncomplete.Reason)
	} else {
		lb := listBuckets{Buckets: []bucketEntry{}}
		lb.Owner.ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		for _, b := range a.Buckets {
			lb.Buckets = append(lb.Buckets, bucketEntry{Name: b.Name})
		}
		w.json(list, lb)
	}
	for _, b := range a.Buckets {
		dir := path.Join("s3", b.Name)
		file := func(name string) string { return path.Join(dir, name) }
		if b.RegionIncomplete != nil {
			w.failed(file("get-bucket-location.json"), b.RegionIncomplete.Reason)
		} else {
			// S3 answers no constraint for us-east-1.
			var loc bucketLocation
			if b.Region != "us-east-1" {
				loc.LocationConstraint = &b.Region
			}
			w.json(file("get-bucket-location.json"), loc)
		}
		switch e := b.Encryption; {
		case b.EncryptionIncomplete != nil:
			w.failed(file("get-bucket-encryption.json"), b.EncryptionIncomplete.Reason)
		case e == nil:
			w.failed(file("get-bucket-encryption.json"), awsError("ServerSideEncryptionConfigurationNotFoundError", "GetBucketEncryption",
				"The server side encryption configuration was not found"))
		default:
			var be bucketEncryption
			var rule encryptionRule
			rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm = e.Algorithm
			rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID = e.KMSKeyID
			rule.BucketKeyEnabled = e.BucketKeyEnabled
			be.ServerSideEncryptionConfiguration.Rules = []encryptionRule{rule}
			w.json(file("get-bucket-encryption.json"), be)
		}
		switch {
		case b.PolicyIncomplete != nil:
			w.failed(file("get-bucket-policy.json"), b.PolicyIncomplete.Reason)
		case b.Policy == nil:
			w.failed(file("get-bucket-policy.json"), awsError("NoSuchBucketPolicy", "GetBucketPolicy", "The bucket policy does not exist"))
		default:
			w.json(file("get-bucket-policy.json"), bucketPolicy{Policy: string(b.Policy.JSON)})
		}
	}
}
