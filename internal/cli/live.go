package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/keywarden/keywarden/internal/collect"
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

// collect reads the live account with the standard credential chain.
func (f *liveFlags) collect(ctx context.Context, s streams) (*inventory.Snapshot, error) {
	opts := collect.Options{
		Profile: f.Profile, Regions: f.Regions, RoleARN: f.RoleARN, AccountIDs: f.Accounts,
		EndpointURL: f.EndpointURL, MaxConcurrency: f.MaxConcurrency, ToolVersion: Version(),
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
		return nil, fmt.Errorf("live collection (give --input DIR or --snapshot FILE to read an export instead): %w", err)
	}
	if !f.Quiet || len(sum.NotRead) > 0 {
		if err := sum.WriteText(s.Err); err != nil {
			return nil, err
		}
	}
	return snap, nil
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
