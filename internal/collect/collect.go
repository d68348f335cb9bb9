package collect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/keywarden/keywarden/internal/escape"
	"github.com/keywarden/keywarden/internal/inventory"
)

// Options says what to collect and how.
type Options struct {
	// Profile is the shared-config profile to use (as --profile or
	// AWS_PROFILE); empty means the default credential chain: environment,
	// shared config and credentials files, SSO, container and instance
	// roles.
	Profile string

	// Regions are the regions whose KMS keys are read. Empty means every
	// region enabled for the account, as the Account API's ListRegions
	// reports it, or, when that call fails, the commercial regions enabled
	// by default (the snapshot then marks the opt-in regions as not read).
	Regions []string

	// RoleARN, when set, is assumed (from the credentials above) before
	// anything is read.
	RoleARN string
	// AccountIDs, when set, are the accounts to read: in each one the role
	// with RoleARN's path and name is assumed, and each gives one Account of
	// the snapshot. It needs RoleARN.
	AccountIDs []string

	// EndpointURL sends every call to this endpoint instead of AWS (an
	// emulator such as moto_server). S3 then uses path-style addressing.
	EndpointURL string

	// MaxConcurrency bounds the calls in flight per region for KMS, and per
	// account for S3 (default 8). IAM and Organizations, whose quotas are
	// low, use at most 4.
	MaxConcurrency int

	// Progress, when set, is called as work advances; calls are serialized,
	// so it need not be safe for concurrent use. See ProgressWriter.
	Progress func(Progress)

	// ToolVersion is written to the snapshot's metadata.
	ToolVersion string

	// Warn, when set, receives the AWS SDK's warnings (its log), one
	// line each; they are dropped otherwise. It may be called from any
	// goroutine.
	Warn func(string)

	// Test hooks.
	apiOptions []func(*middleware.Stack) error // added to every client
	maxBackoff time.Duration                   // retry back-off cap; 0 means the SDK's 20 s
	standard   bool                            // standard retry mode instead of adaptive
}

// Summary says what a collection read, what it did not, and what it cost.
type Summary struct {
	// Caller is the ARN of the identity whose credentials were loaded.
	Caller string
	// Accounts are the IDs of the accounts read, sorted.
	Accounts []string
	// NotRead lists every item the snapshot marks incomplete, in the
	// snapshot's order (inventory.Snapshot.Gaps).
	NotRead []*inventory.Gap
	// Notes are facts about the collection worth telling that are not gaps
	// of one item, such as a region list that had to be guessed.
	Notes []string
	// Calls counts the API calls made, per service and operation, sorted.
	Calls []CallCount
	// Duration is the wall time of the collection.
	Duration time.Duration
}

// A CallCount is the number of calls of one operation.
type CallCount struct {
	// Service is the IAM service prefix: "kms", "iam", "s3", "sts",
	// "organizations", "account".
	Service string
	// Operation is the API operation: "ListKeys", "GetKeyPolicy", ...
	Operation string
	// Calls is how many times the operation was called, Attempts how many
	// HTTP requests that took (retries included), Failed how many calls
	// ended in an error.
	Calls, Attempts, Failed int
}

// TotalCalls is the number of operations called, retries not counted.
func (s *Summary) TotalCalls() int {
	n := 0
	for _, c := range s.Calls {
		n += c.Calls
	}
	return n
}

// TotalAttempts is the number of HTTP requests sent, retries included.
func (s *Summary) TotalAttempts() int {
	n := 0
	for _, c := range s.Calls {
		n += c.Attempts
	}
	return n
}

// A Progress reports how far one step of the collection is: a service in
// an account and, for KMS, a region.
type Progress struct {
	Account string
	// Service is "iam", "kms", "s3" or "organizations".
	Service string
	// Region is set for KMS.
	Region string
	// Done and Total count the step's items (keys, buckets, IAM entities);
	// Total is 0 while not known.
	Done, Total int
	// Finished is true on the step's last report.
	Finished bool
}

const (
	defaultConcurrency = 8
	// IAM and Organizations are rate-limited hard on real accounts (IAM
	// shares its quota across the whole account), so they get small pools
	// whatever MaxConcurrency says.
	globalConcurrency = 4
	// accountConcurrency bounds the accounts read at the same time.
	accountConcurrency = 4
	// maxAttempts is the SDK's attempts per call, first one included.
	maxAttempts = 8
	// maxPages caps every paginated listing. KMS paginators look only at
	// NextMarker and would loop forever on a service that keeps sending
	// one (dependencies.md §1); at the page sizes used here 1000 pages is
	// far beyond any real account.
	maxPages = 1000
)

var accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)

// Collect reads the accounts the options name and returns their snapshot
// (normalized) and a summary. It returns an error only when nothing can be
// read: bad options, no credentials, STS GetCallerIdentity failing, a role
// that cannot be assumed when it gives the only account, or ctx ending.
// Every other failure is a gap marked in the snapshot.
func Collect(ctx context.Context, opts Options) (*inventory.Snapshot, *Summary, error) {
	start := time.Now()
	if err := opts.normalize(); err != nil {
		return nil, nil, err
	}
	calls := newCallCounter()
	base, err := loadConfig(ctx, &opts, calls)
	if err != nil {
		return nil, nil, err
	}
	c := &collector{opts: &opts, calls: calls, progress: newProgressSink(opts.Progress)}

	c.baseSession = newSession(base, &opts)
	caller, err := c.baseSession.firstCall(ctx)
	if err != nil {
		if unreachable(err) {
			return nil, nil, &EndpointError{URL: opts.EndpointURL, Region: base.Region, Err: err}
		}
		return nil, nil, fmt.Errorf("sts GetCallerIdentity: %w", err)
	}
	c.baseAccount = aws.ToString(caller.Account)

	targets, err := c.targets(ctx, base)
	if err != nil {
		return nil, nil, err
	}

	snap := &inventory.Snapshot{
		Version: inventory.FormatVersion,
		Metadata: inventory.Metadata{
			GeneratedAt: start.UTC().Truncate(time.Second),
			Source:      inventory.SourceCollector,
			ToolVersion: opts.ToolVersion,
		},
	}
	c.orgs = newOrgReaders(c, targets)

	var mu sync.Mutex
	forEach(ctx, accountConcurrency, targets, func(ctx context.Context, t *target) {
		a, notes := c.account(ctx, t)
		mu.Lock()
		defer mu.Unlock()
		snap.Accounts = append(snap.Accounts, a)
		c.notes = append(c.notes, notes...)
	})
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	snap.Normalize()

	sum := &Summary{
		Caller:   aws.ToString(caller.Arn),
		NotRead:  snap.Gaps(),
		Notes:    c.notes,
		Calls:    calls.counts(),
		Duration: time.Since(start),
	}
	for _, a := range snap.Accounts {
		sum.Accounts = append(sum.Accounts, a.ID)
	}
	slices.Sort(sum.Notes)
	return snap, sum, nil
}

func (o *Options) normalize() error {
	if o.MaxConcurrency < 0 {
		return fmt.Errorf("max concurrency %d: must be positive", o.MaxConcurrency)
	}
	if o.MaxConcurrency == 0 {
		o.MaxConcurrency = defaultConcurrency
	}
	var regions []string
	for _, r := range o.Regions {
		if r = strings.TrimSpace(r); r != "" {
			if err := CheckRegion(r); err != nil {
				return fmt.Errorf("region %w", err)
			}
			regions = append(regions, r)
		}
	}
	slices.Sort(regions)
	o.Regions = slices.Compact(regions)

	if o.RoleARN != "" {
		if err := CheckRoleARN(o.RoleARN); err != nil {
			return fmt.Errorf("role ARN %w", err)
		}
	}
	if len(o.AccountIDs) > 0 && o.RoleARN == "" {
		return errors.New("account IDs need a role ARN: the role of that name is assumed in each account")
	}
	ids := slices.Clone(o.AccountIDs)
	for _, id := range ids {
		if !accountIDPattern.MatchString(id) {
			return fmt.Errorf("account ID %q: must be 12 digits", id)
		}
	}
	slices.Sort(ids)
	o.AccountIDs = slices.Compact(ids)
	return nil
}

// An EndpointError says that the first call of a collection did not reach
// its endpoint at all: nothing answered, or not in time.
type EndpointError struct {
	// URL is the endpoint given (Options.EndpointURL); empty means AWS's
	// own, in Region.
	URL    string
	Region string
	Err    error
}

func (e *EndpointError) Error() string {
	where := "AWS STS in " + e.Region
	if e.URL != "" {
		where = e.URL
	}
	why := reason(e.Err)
	var oe *net.OpError
	switch {
	case errors.As(e.Err, &oe):
		why = oe.Error() // "dial tcp 127.0.0.1:9: connect: connection refused"
	case errors.Is(e.Err, context.DeadlineExceeded):
		why = fmt.Sprintf("no answer within %s", firstCallTimeout)
	}
	return fmt.Sprintf("cannot reach %s (%d attempts, connect timeout %s): %s", where, firstCallAttempts, connectTimeout, why)
}

func (e *EndpointError) Unwrap() error { return e.Err }

// unreachable reports whether err is a failure to send a request or to
// get an answer, rather than an answer.
func unreachable(err error) bool {
	var se *smithyhttp.RequestSendError
	var ne net.Error
	return errors.As(err, &se) || errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded)
}

// CheckRoleARN reports whether s is the ARN of an IAM role.
func CheckRoleARN(s string) error {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "role/") {
		return fmt.Errorf("%q: not an IAM role ARN (arn:aws:iam::111122223333:role/name)", s)
	}
	return nil
}

// A collector holds what one Collect shares across accounts.
type collector struct {
	opts        *Options
	calls       *callCounter
	progress    *progressSink
	baseAccount string
	baseSession *session
	orgs        *orgReaders

	notes []string // guarded by Collect's mutex
}

// A target is one account to read, with the session that reads it. A
// session of nil means the account could not be entered (assumeErr says
// why); it is still listed, with everything marked not read.
type target struct {
	accountID string
	session   *session
	assumeErr error
	roleARN   string
}

// targets resolves the accounts to read and their credentials.
func (c *collector) targets(ctx context.Context, base aws.Config) ([]*target, error) {
	o := c.opts
	if o.RoleARN == "" {
		return []*target{{accountID: c.baseAccount, session: c.baseSession}}, nil
	}
	if len(o.AccountIDs) == 0 {
		t := c.assume(ctx, base, o.RoleARN)
		if t.assumeErr != nil {
			return nil, t.assumeErr
		}
		return []*target{t}, nil
	}
	role, _ := arn.Parse(o.RoleARN) // checked in normalize
	var out []*target
	var mu sync.Mutex
	forEach(ctx, globalConcurrency, o.AccountIDs, func(ctx context.Context, id string) {
		r := role
		r.AccountID = id
		t := c.assume(ctx, base, r.String())
		t.accountID = id
		mu.Lock()
		out = append(out, t)
		mu.Unlock()
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b *target) int { return strings.Compare(a.accountID, b.accountID) })
	return out, nil
}

// assume makes a session with the role's credentials and checks them with
// GetCallerIdentity, which also says the account.
func (c *collector) assume(ctx context.Context, base aws.Config, roleARN string) *target {
	s := newSession(assumeRoleConfig(base, roleARN), c.opts)
	t := &target{roleARN: roleARN}
	id, err := s.callerIdentity(ctx)
	if err != nil {
		t.assumeErr = fmt.Errorf("assume role %s: %w", roleARN, err)
		return t
	}
	t.accountID = aws.ToString(id.Account)
	t.session = s
	return t
}

// account reads one account. IAM, S3, Organizations and the KMS regions are
// read at the same time; each fills its own part of the Account.
func (c *collector) account(ctx context.Context, t *target) (*inventory.Account, []string) {
	a := &inventory.Account{ID: t.accountID}
	if t.session == nil {
		c.unreachable(a, t)
		return a, []string{fmt.Sprintf("account %s: not read: %s", t.accountID, reason(t.assumeErr))}
	}
	var notes []string
	var wg sync.WaitGroup
	wg.Go(func() { c.readIAM(ctx, t.session, a) })
	wg.Go(func() { c.readBuckets(ctx, t.session, a) })
	wg.Go(func() { c.readOrganization(ctx, t, a) })
	wg.Go(func() {
		regions, skipped, note := c.regions(ctx, t.session, a.ID)
		if note != "" {
			notes = append(notes, note)
		}
		a.KMSRegions = append(a.KMSRegions, skipped...)
		var mu sync.Mutex
		forEach(ctx, len(regions), regions, func(ctx context.Context, region string) {
			r, keys := c.readKMSRegion(ctx, t.session, a.ID, region)
			mu.Lock()
			defer mu.Unlock()
			a.KMSRegions = append(a.KMSRegions, r)
			a.Keys = append(a.Keys, keys...)
		})
	})
	wg.Wait()
	return a, notes
}

// unreachable marks everything of an account whose role could not be
// assumed as not read.
func (c *collector) unreachable(a *inventory.Account, t *target) {
	in := &inventory.Incomplete{Reason: reason(t.assumeErr), Source: "sts:AssumeRole " + t.roleARN}
	a.OrganizationIncomplete = in
	a.IAMIncomplete = in
	a.BucketsIncomplete = in
	for _, r := range c.opts.Regions {
		a.KMSRegions = append(a.KMSRegions, &inventory.KMSRegion{Name: r, KeysIncomplete: in, AliasesIncomplete: in})
	}
}

// WriteText writes the summary for a person: one line of totals, then the
// items not read and the notes, one per line.
//
//	collected 1 account (111122223333) in 1.2s: 48 calls, 50 HTTP requests; 1 item not read
//	not read: key policy of arn:aws:kms:...: not read: AccessDeniedException: ... (kms:GetKeyPolicy)
//	note: ...
func (s *Summary) WriteText(w io.Writer) error {
	accounts := "accounts"
	if len(s.Accounts) == 1 {
		accounts = "account"
	}
	items := "items"
	if len(s.NotRead) == 1 {
		items = "item"
	}
	// Gaps quote what the endpoint answered (error messages, names):
	// every value is escaped.
	var b strings.Builder
	fmt.Fprintf(&b, "collected %d %s (%s) in %s: %d calls, %d HTTP requests; %d %s not read\n",
		len(s.Accounts), accounts, escape.Text(strings.Join(s.Accounts, ", ")), s.Duration.Round(100*time.Millisecond),
		s.TotalCalls(), s.TotalAttempts(), len(s.NotRead), items)
	for _, g := range s.NotRead {
		fmt.Fprintf(&b, "not read: %s\n", escape.Text(g.Error()))
	}
	for _, n := range s.Notes {
		fmt.Fprintf(&b, "note: %s\n", escape.Text(n))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
