package collect

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/keywarden/keywarden/internal/inventory"
)

// readBuckets lists the account's buckets and reads each one's region,
// default encryption and bucket policy.
func (c *collector) readBuckets(ctx context.Context, s *session, a *inventory.Account) {
	global := s.s3(s.cfg.Region)
	c.progress.report(Progress{Account: a.ID, Service: "s3"})

	// No MaxBuckets: without parameters ListBuckets returns every bucket
	// (moto, given MaxBuckets, truncates without a continuation token).
	// The paginator still follows a ContinuationToken if one comes.
	type listed struct {
		b      *inventory.Bucket
		region string // from ListBuckets' BucketRegion, when sent
	}
	var buckets []listed
	p := s3.NewListBucketsPaginator(global, &s3.ListBucketsInput{})
	err := eachPage(ctx, p.HasMorePages,
		func(ctx context.Context) (*s3.ListBucketsOutput, error) { return p.NextPage(ctx) },
		func(out *s3.ListBucketsOutput) *string { return out.ContinuationToken },
		func(out *s3.ListBucketsOutput) {
			for _, b := range out.Buckets {
				buckets = append(buckets, listed{&inventory.Bucket{Name: aws.ToString(b.Name)}, aws.ToString(b.BucketRegion)})
			}
		})
	if err != nil {
		a.BucketsIncomplete = notRead("s3:ListAllMyBuckets", err)
	}

	var mu sync.Mutex
	done := 0
	c.progress.report(Progress{Account: a.ID, Service: "s3", Total: len(buckets)})
	forEach(ctx, c.opts.MaxConcurrency, buckets, func(ctx context.Context, l listed) {
		c.readBucket(ctx, s, global, l.b, l.region)
		mu.Lock()
		done++
		n := done
		mu.Unlock()
		c.progress.report(Progress{Account: a.ID, Service: "s3", Done: n, Total: len(buckets)})
	})
	for _, l := range buckets {
		a.Buckets = append(a.Buckets, l.b)
	}
	c.progress.report(Progress{Account: a.ID, Service: "s3", Done: len(buckets), Total: len(buckets), Finished: true})
}

func (c *collector) readBucket(ctx context.Context, s *session, global s3API, b *inventory.Bucket, region string) {
	name := aws.String(b.Name)
	if region == "" {
		out, err := global.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: name})
		if err != nil {
			b.RegionIncomplete = notRead("s3:GetBucketLocation", err)
		} else {
			region = inventory.BucketRegion(string(out.LocationConstraint))
		}
	}
	b.Region = region
	api := global
	if region != "" {
		api = s.s3(region)
	}

	enc, err := api.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: name})
	switch {
	case hasCode(err, "ServerSideEncryptionConfigurationNotFoundError"):
		// No default encryption configured; nil with no mark says so.
	case err != nil:
		b.EncryptionIncomplete = notRead("s3:GetEncryptionConfiguration", err)
	case enc.ServerSideEncryptionConfiguration != nil:
		for _, rule := range enc.ServerSideEncryptionConfiguration.Rules {
			d := rule.ApplyServerSideEncryptionByDefault
			if d == nil {
				continue
			}
			b.Encryption = &inventory.BucketEncryption{
				Algorithm:        string(d.SSEAlgorithm),
				KMSKeyID:         aws.ToString(d.KMSMasterKeyID),
				BucketKeyEnabled: aws.ToBool(rule.BucketKeyEnabled),
			}
			break
		}
	}

	pol, err := api.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: name})
	switch {
	case hasCode(err, "NoSuchBucketPolicy"):
		// No bucket policy; nil with no mark says so.
	case err != nil:
		b.PolicyIncomplete = notRead("s3:GetBucketPolicy", err)
	case pol.Policy != nil:
		d, err := inventory.DecodeDocument([]byte(*pol.Policy), inventory.Location{File: "s3:GetBucketPolicy " + b.Name, Path: "Policy"})
		if err != nil {
			b.PolicyIncomplete = notRead("s3:GetBucketPolicy", err)
		}
		b.Policy = d
	}
}
