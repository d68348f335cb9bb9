package collect

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
)

// The interfaces below are the whole of what keywarden asks of AWS: one
// method per operation called, all of them List, Get or Describe. They are
// docs/iam-policy-for-keywarden.json in Go; TestPolicyMatchesInterfaces
// keeps the two equal.

type stsAPI interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

type iamAPI interface {
	GetAccountAuthorizationDetails(context.Context, *iam.GetAccountAuthorizationDetailsInput, ...func(*iam.Options)) (*iam.GetAccountAuthorizationDetailsOutput, error)
}

type kmsAPI interface {
	ListKeys(context.Context, *kms.ListKeysInput, ...func(*kms.Options)) (*kms.ListKeysOutput, error)
	ListAliases(context.Context, *kms.ListAliasesInput, ...func(*kms.Options)) (*kms.ListAliasesOutput, error)
	DescribeKey(context.Context, *kms.DescribeKeyInput, ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
	GetKeyPolicy(context.Context, *kms.GetKeyPolicyInput, ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error)
	ListGrants(context.Context, *kms.ListGrantsInput, ...func(*kms.Options)) (*kms.ListGrantsOutput, error)
	GetKeyRotationStatus(context.Context, *kms.GetKeyRotationStatusInput, ...func(*kms.Options)) (*kms.GetKeyRotationStatusOutput, error)
	ListResourceTags(context.Context, *kms.ListResourceTagsInput, ...func(*kms.Options)) (*kms.ListResourceTagsOutput, error)
}

type s3API interface {
	ListBuckets(context.Context, *s3.ListBucketsInput, ...func(*s3.Options)) (*s3.ListBucketsOutput, error)
	GetBucketLocation(context.Context, *s3.GetBucketLocationInput, ...func(*s3.Options)) (*s3.GetBucketLocationOutput, error)
	GetBucketEncryption(context.Context, *s3.GetBucketEncryptionInput, ...func(*s3.Options)) (*s3.GetBucketEncryptionOutput, error)
	GetBucketPolicy(context.Context, *s3.GetBucketPolicyInput, ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error)
}

type organizationsAPI interface {
	DescribeOrganization(context.Context, *organizations.DescribeOrganizationInput, ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error)
	ListRoots(context.Context, *organizations.ListRootsInput, ...func(*organizations.Options)) (*organizations.ListRootsOutput, error)
	ListParents(context.Context, *organizations.ListParentsInput, ...func(*organizations.Options)) (*organizations.ListParentsOutput, error)
	DescribeOrganizationalUnit(context.Context, *organizations.DescribeOrganizationalUnitInput, ...func(*organizations.Options)) (*organizations.DescribeOrganizationalUnitOutput, error)
	ListPoliciesForTarget(context.Context, *organizations.ListPoliciesForTargetInput, ...func(*organizations.Options)) (*organizations.ListPoliciesForTargetOutput, error)
	DescribePolicy(context.Context, *organizations.DescribePolicyInput, ...func(*organizations.Options)) (*organizations.DescribePolicyOutput, error)
}

type accountAPI interface {
	ListRegions(context.Context, *account.ListRegionsInput, ...func(*account.Options)) (*account.ListRegionsOutput, error)
}

var (
	_ stsAPI           = (*sts.Client)(nil)
	_ iamAPI           = (*iam.Client)(nil)
	_ kmsAPI           = (*kms.Client)(nil)
	_ s3API            = (*s3.Client)(nil)
	_ organizationsAPI = (*organizations.Client)(nil)
	_ accountAPI       = (*account.Client)(nil)
)

// defaultRegion is where the global services (IAM, STS, Organizations, the
// Account API, S3's bucket listing) are called when the configuration names
// no region.
const defaultRegion = "us-east-1"

// connectTimeout bounds the TCP connection to an endpoint: AWS answers a
// connection in well under a second, so an endpoint that takes longer is
// unreachable, not slow. (Go's default is 30 s, and the SDK retries it.)
const connectTimeout = 5 * time.Second

// loadConfig loads the shared configuration through the standard credential
// chain and checks that it yields credentials. The SDK's log (such as the
// instance metadata client's "falling back to IMDSv1") goes to o.Warn,
// never straight to the process's stderr.
func loadConfig(ctx context.Context, o *Options, calls *callCounter) (aws.Config, error) {
	lo := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer { return newRetryer(o.maxBackoff, o.standard) }),
		config.WithAPIOptions(append([]func(*middleware.Stack) error{calls.register}, o.apiOptions...)),
		config.WithHTTPClient(awshttp.NewBuildableClient().WithDialerOptions(func(d *net.Dialer) { d.Timeout = connectTimeout })),
		config.WithLogger(sdkLogger{warn: o.Warn}),
		config.WithClientLogMode(0),
	}
	if o.Profile != "" {
		lo = append(lo, config.WithSharedConfigProfile(o.Profile))
	}
	if o.EndpointURL != "" {
		lo = append(lo, config.WithBaseEndpoint(o.EndpointURL))
	}
	cfg, err := config.LoadDefaultConfig(ctx, lo...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = defaultRegion
	}
	if cfg.Credentials == nil {
		return aws.Config{}, fmt.Errorf("no AWS credentials: set a profile, AWS_PROFILE or the AWS_ACCESS_KEY_ID variables")
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return aws.Config{}, fmt.Errorf("no AWS credentials (environment, profile, SSO or instance role): %w", err)
	}
	return cfg, nil
}

// newRetryer is the adaptive retry mode with more attempts than the SDK's
// default of 3: IAM and KMS throttle large accounts, and a throttle that
// outlasts the retries costs an item of the snapshot. The client-wide retry
// quota (a token bucket of 500 that a throttled retry drains by 5) is
// turned off, since it would fail items of a large account after 100
// throttles; the adaptive sending rate does the slowing down instead.
func newRetryer(maxBackoff time.Duration, standard bool) aws.Retryer {
	opts := func(so *retry.StandardOptions) {
		so.MaxAttempts = maxAttempts
		so.RateLimiter = ratelimit.None
		if maxBackoff > 0 {
			so.MaxBackoff = maxBackoff
		}
	}
	if standard {
		return retry.NewStandard(opts)
	}
	return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
		o.StandardOptions = append(o.StandardOptions, opts)
	})
}

// assumeRoleConfig returns base with credentials of the role, assumed with
// base's credentials and refreshed as they expire.
func assumeRoleConfig(base aws.Config, roleARN string) aws.Config {
	cfg := base.Copy()
	p := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base), roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "keywarden"
	})
	cfg.Credentials = aws.NewCredentialsCache(p)
	return cfg
}

// A session is the clients of one account's credentials. Regional clients
// are made on first use and kept: each has its own adaptive rate limiter,
// which is right since KMS and S3 quotas are per region.
type session struct {
	cfg      aws.Config
	pathS3   bool
	sts      stsAPI
	iam      iamAPI
	orgs     organizationsAPI
	account  accountAPI
	mu       sync.Mutex
	kmsByReg map[string]kmsAPI
	s3ByReg  map[string]s3API
}

func newSession(cfg aws.Config, o *Options) *session {
	return &session{
		cfg:      cfg,
		pathS3:   o.EndpointURL != "",
		sts:      sts.NewFromConfig(cfg),
		iam:      iam.NewFromConfig(cfg),
		orgs:     organizations.NewFromConfig(cfg),
		account:  account.NewFromConfig(cfg),
		kmsByReg: map[string]kmsAPI{},
		s3ByReg:  map[string]s3API{},
	}
}

func (s *session) callerIdentity(ctx context.Context) (*sts.GetCallerIdentityOutput, error) {
	return s.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
}

// firstCallAttempts bounds the attempts of the first call of a collection,
// which finds out whether the endpoint answers at all: an unreachable
// endpoint (or one that is not AWS) fails it in seconds instead of going
// through the adaptive retries meant for throttling (8 attempts, up to
// 20 s apart).
const (
	firstCallAttempts   = 2
	firstCallMaxBackoff = time.Second
	firstCallTimeout    = 30 * time.Second
)

// firstCall is callerIdentity with the bounds above.
func (s *session) firstCall(ctx context.Context) (*sts.GetCallerIdentityOutput, error) {
	ctx, cancel := context.WithTimeout(ctx, firstCallTimeout)
	defer cancel()
	return s.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, func(o *sts.Options) {
		o.Retryer = retry.AddWithMaxBackoffDelay(retry.AddWithMaxAttempts(o.Retryer, firstCallAttempts), firstCallMaxBackoff)
	})
}

// sdkLogger hands the SDK's log lines to Options.Warn (and drops them
// when it is nil), so that they are shown as keywarden's warnings,
// escaped, or not at all.
type sdkLogger struct{ warn func(string) }

func (l sdkLogger) Logf(c logging.Classification, format string, v ...any) {
	if l.warn != nil && c == logging.Warn {
		l.warn("AWS SDK: " + fmt.Sprintf(format, v...))
	}
}

func (s *session) kms(region string) kmsAPI {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.kmsByReg[region]
	if !ok {
		c = kms.NewFromConfig(s.cfg, func(o *kms.Options) { o.Region = region })
		s.kmsByReg[region] = c
	}
	return c
}

// s3 returns the S3 client of a region. Bucket-level calls must go to the
// bucket's region (elsewhere S3 answers 301 PermanentRedirect); an emulator
// needs path-style addressing, as it has no per-bucket host names.
func (s *session) s3(region string) s3API {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.s3ByReg[region]
	if !ok {
		c = s3.NewFromConfig(s.cfg, func(o *s3.Options) {
			o.Region = region
			o.UsePathStyle = s.pathS3
		})
		s.s3ByReg[region] = c
	}
	return c
}
