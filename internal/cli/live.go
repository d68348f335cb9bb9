package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"sync"

	"github.com/keywarden/keywarden/internal/collect"
	"github.com/keywarden/keywarden/internal/escape"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// liveFlags are the settings of a live collection from AWS, shared by
// collect and by every command that reads an account when neither --input
// nor --snapshot is given.
type liveFlags struct {
	Profile        string
	Regions        []string
	RoleARN        string
	Accounts       []string
	EndpointURL    string
	MaxConcurrency int
	Quiet          bool
}

func (f *liveFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.Profile, "profile", "", "AWS shared config profile (live collection)")
	fl.StringSliceVar(&f.Regions, "region", nil, "region to read (repeatable; default: every region enabled for the account)")
	fl.StringVar(&f.RoleARN, "role-arn", "", "role to assume before reading; with --accounts, the role name is assumed in each account")
	fl.StringSliceVar(&f.Accounts, "accounts", nil, "account IDs to read by assuming the --role-arn role name in each")
	fl.StringVar(&f.EndpointURL, "endpoint-url", "", "AWS endpoint URL (for emulators such as moto)")
	fl.IntVar(&f.MaxConcurrency, "max-concurrency", 8, "concurrent calls per service and region")
	fl.BoolVar(&f.Quiet, "quiet", false, "no progress display on stderr")
}

// validate checks the flags before anything is read, naming them: a
// collection can take minutes, and a bad flag found at the end of one
// costs them.
func (f *liveFlags) validate(cmdPath string) error {
	usage := func(format string, args ...any) error {
		return &UsageError{Command: cmdPath, Err: fmt.Errorf(format, args...)}
	}
	if f.MaxConcurrency < 1 {
		return usage("--max-concurrency %d: must be 1 or more", f.MaxConcurrency)
	}
	for _, r := range f.Regions {
		if err := collect.CheckRegion(strings.TrimSpace(r)); err != nil {
			return usage("--region %v", err)
		}
	}
	if f.RoleARN != "" {
		if err := collect.CheckRoleARN(f.RoleARN); err != nil {
			return usage("--role-arn %v", err)
		}
	}
	if len(f.Accounts) > 0 && f.RoleARN == "" {
		return usage("--accounts needs --role-arn: the role of that name is assumed in each account")
	}
	for _, id := range f.Accounts {
		if !accountID.MatchString(id) {
			return usage("--accounts: %q is not a 12-digit account ID", id)
		}
	}
	if f.EndpointURL != "" {
		u, err := url.Parse(f.EndpointURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usage("--endpoint-url %q: want an http:// or https:// URL (http://127.0.0.1:5000)", f.EndpointURL)
		}
	}
	return nil
}

// collect reads the live account with the standard credential chain.
// cmdPath is the command that asked: collect itself, or a command that
// could have read an export instead (whose errors then say how).
func (f *liveFlags) collect(ctx context.Context, s streams, cmdPath string) (*inventory.Snapshot, error) {
	if err := f.validate(cmdPath); err != nil {
		return nil, err
	}
	opts := collect.Options{
		Profile: f.Profile, Regions: f.Regions, RoleARN: f.RoleARN, AccountIDs: f.Accounts,
		EndpointURL: f.EndpointURL, MaxConcurrency: f.MaxConcurrency, ToolVersion: Version(),
		Warn: warner(s.Err),
	}
	var pw *collect.ProgressWriter
	if !f.Quiet && isTerminal(s.Err) {
		pw = collect.NewProgressWriter(s.Err)
		opts.Progress = pw.Report
	}
	snap, sum, err := collect.Collect(ctx, opts)
	if pw != nil {
		pw.Done()
	}
	if err != nil {
		var ee *collect.EndpointError
		if errors.As(err, &ee) && ee.URL != "" {
			err = fmt.Errorf("%w; check --endpoint-url", err)
		}
		if cmdPath == collectCommand {
			return nil, err
		}
		return nil, fmt.Errorf("live collection (give --input DIR or --snapshot FILE to read an export instead): %w", err)
	}
	if !f.Quiet || len(sum.NotRead) > 0 {
		if err := sum.WriteText(s.Err); err != nil {
			return nil, err
		}
	}
	return snap, nil
}

// warner prints the AWS SDK's warnings as keywarden's own, escaped, each
// once.
func warner(w io.Writer) func(string) {
	var mu sync.Mutex
	seen := map[string]bool{}
	return func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		if !seen[msg] {
			seen[msg] = true
			fmt.Fprintf(w, "keywarden: warning: %s\n", escape.Text(msg))
		}
	}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
