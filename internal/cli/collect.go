package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/keywarden/keywarden/internal/escape"
	"github.com/keywarden/keywarden/internal/safefile"
	"github.com/spf13/cobra"
)

const collectLong = `Collect reads an AWS account (or several) with read-only calls and writes a
snapshot that scan, can, who-can and access read with --snapshot.

Credentials come from the standard AWS chain: environment variables, the
shared config and credentials files (--profile, SSO), instance and container
roles. The minimal IAM policy is docs/iam-policy-for-keywarden.json; see
docs/collect.md for multi-account use.

What could not be read (AccessDenied, throttling that outlasts the retries)
is marked incomplete in the snapshot and listed at the end; answers that
depend on it are Unknown, never a pass. The snapshot file is written with
mode 0600: it holds the account's security configuration.`

type collectOptions struct {
	streams
	live   liveFlags
	Output string
}

func newCollectCmd(s streams) *cobra.Command {
	opts := &collectOptions{streams: s}
	cmd := &cobra.Command{
		Use:   "collect --output FILE",
		Short: "Read a live AWS account into a snapshot file",
		Long:  collectLong,
		Example: `  keywarden collect --output snapshot.json
  keywarden collect --profile audit --region ap-northeast-1 --region us-east-1 --output snapshot.json
  keywarden collect --role-arn arn:aws:iam::111122223333:role/KeywardenReader --accounts 111122223333,444455556666 --output org.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Output == "" {
				return &UsageError{Command: cmd.CommandPath(), Err: errors.New("collect needs --output FILE")}
			}
			return runCollect(cmd.Context(), opts)
		},
	}
	opts.live.register(cmd)
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "snapshot file to write (mode 0600)")
	return cmd
}

// collectCommand is the command path of collect, whose errors name its
// own flags only.
const collectCommand = "keywarden collect"

func runCollect(ctx context.Context, opts *collectOptions) error {
	// A collection can take minutes: bad flags, or a snapshot it could not
	// write, are found first.
	if err := opts.live.validate(collectCommand); err != nil {
		return err
	}
	if err := safefile.CheckWritable(opts.Output); err != nil {
		return &UsageError{Command: collectCommand, Err: fmt.Errorf("--output: %w", err)}
	}
	snap, err := opts.live.collect(ctx, opts.streams, collectCommand)
	if err != nil {
		return err
	}
	if err := snap.SaveFile(opts.Output); err != nil {
		return err
	}
	fmt.Fprintf(opts.Err, "keywarden: snapshot written to %s\n", escape.Name(opts.Output))
	return nil
}
