package collect

import (
	"context"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/keywarden/keywarden/internal/inventory"
)

// readKMSRegion reads every key of the account in one region: the listing
// and aliases, then each key in a pool of MaxConcurrency.
func (c *collector) readKMSRegion(ctx context.Context, s *session, account, region string) (*inventory.KMSRegion, []*inventory.Key) {
	api := s.kms(region)
	r := &inventory.KMSRegion{Name: region}
	c.progress.report(Progress{Account: account, Service: "kms", Region: region})

	// The aliases are one listing for the region, read while the keys are.
	aliases := map[string][]string{} // key ID → alias names
	aliasesDone := make(chan struct{})
	go func() {
		defer close(aliasesDone)
		p := kms.NewListAliasesPaginator(api, &kms.ListAliasesInput{Limit: aws.Int32(100)})
		err := eachPage(ctx, p.HasMorePages,
			func(ctx context.Context) (*kms.ListAliasesOutput, error) { return p.NextPage(ctx) },
			func(out *kms.ListAliasesOutput) *string { return out.NextMarker },
			func(out *kms.ListAliasesOutput) {
				for _, al := range out.Aliases {
					if id := aws.ToString(al.TargetKeyId); id != "" {
						aliases[id] = append(aliases[id], aws.ToString(al.AliasName))
					}
				}
			})
		if err != nil {
			r.AliasesIncomplete = notRead("kms:ListAliases", err)
		}
	}()

	var keys []*inventory.Key
	p := kms.NewListKeysPaginator(api, &kms.ListKeysInput{Limit: aws.Int32(1000)})
	err := eachPage(ctx, p.HasMorePages,
		func(ctx context.Context) (*kms.ListKeysOutput, error) { return p.NextPage(ctx) },
		func(out *kms.ListKeysOutput) *string { return out.NextMarker },
		func(out *kms.ListKeysOutput) {
			for _, e := range out.Keys {
				keys = append(keys, newKey(aws.ToString(e.KeyArn), aws.ToString(e.KeyId), account, region))
			}
		})
	if err != nil {
		r.KeysIncomplete = notRead("kms:ListKeys", err)
	}

	var mu sync.Mutex
	done := 0
	c.progress.report(Progress{Account: account, Service: "kms", Region: region, Total: len(keys)})
	forEach(ctx, c.opts.MaxConcurrency, keys, func(ctx context.Context, k *inventory.Key) {
		readKey(ctx, api, k)
		mu.Lock()
		done++
		n := done
		mu.Unlock()
		c.progress.report(Progress{Account: account, Service: "kms", Region: region, Done: n, Total: len(keys)})
	})

	<-aliasesDone
	if r.AliasesIncomplete == nil {
		for _, k := range keys {
			k.Aliases = aliases[k.ID]
		}
	}
	c.progress.report(Progress{Account: account, Service: "kms", Region: region, Done: len(keys), Total: len(keys), Finished: true})
	return r, keys
}

// newKey makes a key from its listing entry; the account and region come
// from the ARN when it has them.
func newKey(keyARN, id, account, region string) *inventory.Key {
	k := &inventory.Key{ARN: keyARN, ID: id, Account: account, Region: region}
	if a, err := arn.Parse(keyARN); err == nil {
		k.Account, k.Region = a.AccountID, a.Region
		if k.ID == "" {
			k.ID = strings.TrimPrefix(a.Resource, "key/")
		}
	}
	return k
}

// readKey reads one key's metadata, policy, grants, rotation status and
// tags; each call that fails marks its own item.
func readKey(ctx context.Context, api kmsAPI, k *inventory.Key) {
	id := aws.String(k.ARN)

	if out, err := api.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id}); err != nil {
		k.MetadataIncomplete = notRead("kms:DescribeKey", err)
	} else {
		k.Metadata = keyMetadata(out.KeyMetadata)
	}

	// "default" is the only key policy name KMS supports. AWS managed keys
	// answer GetKeyPolicy too: their policy is readable, not changeable.
	if out, err := api.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: id, PolicyName: aws.String("default")}); err != nil {
		k.PolicyIncomplete = notRead("kms:GetKeyPolicy", err)
	} else if out.Policy != nil {
		d, err := inventory.DecodeDocument([]byte(*out.Policy), inventory.Location{File: "kms:GetKeyPolicy " + k.ARN, Path: "Policy"})
		if err != nil {
			k.PolicyIncomplete = notRead("kms:GetKeyPolicy", err)
		}
		k.Policy = d
	}

	readGrants(ctx, api, k)

	if rotationApplies(k.Metadata) {
		out, err := api.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: id})
		switch {
		case hasCode(err, "UnsupportedOperationException"):
			// Rotation does not apply to the key; nil with no mark says so.
		case err != nil:
			k.RotationIncomplete = notRead("kms:GetKeyRotationStatus", err)
		default:
			k.Rotation = &inventory.Rotation{
				Enabled:          out.KeyRotationEnabled,
				PeriodDays:       int(aws.ToInt32(out.RotationPeriodInDays)),
				NextRotationDate: aws.ToTime(out.NextRotationDate),
			}
		}
	}

	// AWS managed keys cannot be tagged (TagResource refuses them), so
	// there is nothing to list.
	if !k.AWSManaged() {
		readTags(ctx, api, k)
	}
}

// rotationApplies reports whether automatic rotation can apply to a key:
// only symmetric encryption keys in the AWS KMS key store can rotate
// automatically, and KMS answers UnsupportedOperationException for the
// others, so the call is skipped for them. A key whose metadata was not
// read is asked.
//
// [Rotating AWS KMS keys]: https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html
func rotationApplies(m *inventory.KeyMetadata) bool {
	if m == nil {
		return true
	}
	if m.KeySpec != "" && m.KeySpec != string(kmstypes.KeySpecSymmetricDefault) {
		return false
	}
	switch m.Origin {
	case string(kmstypes.OriginTypeAwsCloudhsm), string(kmstypes.OriginTypeExternalKeyStore):
		return false
	}
	return true
}

func keyMetadata(m *kmstypes.KeyMetadata) *inventory.KeyMetadata {
	if m == nil {
		return nil
	}
	out := &inventory.KeyMetadata{
		State:        string(m.KeyState),
		Enabled:      m.Enabled,
		KeySpec:      string(m.KeySpec),
		KeyUsage:     string(m.KeyUsage),
		Origin:       string(m.Origin),
		Manager:      string(m.KeyManager),
		MultiRegion:  aws.ToBool(m.MultiRegion),
		CreationDate: aws.ToTime(m.CreationDate),
		DeletionDate: aws.ToTime(m.DeletionDate),
		Description:  aws.ToString(m.Description),
	}
	if m.MultiRegionConfiguration != nil {
		out.MultiRegionKeyType = string(m.MultiRegionConfiguration.MultiRegionKeyType)
	}
	return out
}

func readGrants(ctx context.Context, api kmsAPI, k *inventory.Key) {
	p := kms.NewListGrantsPaginator(api, &kms.ListGrantsInput{KeyId: aws.String(k.ARN), Limit: aws.Int32(100)})
	err := eachPage(ctx, p.HasMorePages,
		func(ctx context.Context) (*kms.ListGrantsOutput, error) { return p.NextPage(ctx) },
		func(out *kms.ListGrantsOutput) *string { return out.NextMarker },
		func(out *kms.ListGrantsOutput) {
			for _, g := range out.Grants {
				k.Grants = append(k.Grants, grant(g))
			}
		})
	if err != nil {
		k.GrantsIncomplete = notRead("kms:ListGrants", err)
	}
}

func grant(g kmstypes.GrantListEntry) inventory.Grant {
	out := inventory.Grant{
		ID:                aws.ToString(g.GrantId),
		Name:              aws.ToString(g.Name),
		GranteePrincipal:  aws.ToString(g.GranteePrincipal),
		RetiringPrincipal: aws.ToString(g.RetiringPrincipal),
		IssuingAccount:    aws.ToString(g.IssuingAccount),
		CreationDate:      aws.ToTime(g.CreationDate),
	}
	// A grant to an AWS service names it in the service principal fields
	// instead; the inventory has one field for both.
	if out.GranteePrincipal == "" {
		out.GranteePrincipal = aws.ToString(g.GranteeServicePrincipal)
	}
	if out.RetiringPrincipal == "" {
		out.RetiringPrincipal = aws.ToString(g.RetiringServicePrincipal)
	}
	for _, op := range g.Operations {
		out.Operations = append(out.Operations, string(op))
	}
	if c := g.Constraints; c != nil {
		out.EncryptionContextEquals = c.EncryptionContextEquals
		out.EncryptionContextSubset = c.EncryptionContextSubset
	}
	return out
}

func readTags(ctx context.Context, api kmsAPI, k *inventory.Key) {
	p := kms.NewListResourceTagsPaginator(api, &kms.ListResourceTagsInput{KeyId: aws.String(k.ARN), Limit: aws.Int32(50)})
	err := eachPage(ctx, p.HasMorePages,
		func(ctx context.Context) (*kms.ListResourceTagsOutput, error) { return p.NextPage(ctx) },
		func(out *kms.ListResourceTagsOutput) *string { return out.NextMarker },
		func(out *kms.ListResourceTagsOutput) {
			for _, t := range out.Tags {
				k.Tags = append(k.Tags, inventory.Tag{Key: aws.ToString(t.TagKey), Value: aws.ToString(t.TagValue)})
			}
		})
	if err != nil {
		k.TagsIncomplete = notRead("kms:ListResourceTags", err)
	}
}
