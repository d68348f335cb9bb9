package cli

import (
	"context"
	"errors"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/report"
	"github.com/spf13/cobra"
)

const accessLong = `Access prints the access matrix: for every principal of the inventory and
every key, the actions it may perform, grouped as use (Encrypt, Decrypt,
ReEncrypt*, GenerateDataKey*, Sign, Verify, GenerateMac, ...) and administer
(PutKeyPolicy, ScheduleKeyDeletion, DisableKey, CreateGrant, ...). An action
allowed only under request conditions (kms:ViaService, ...) is marked "*";
--format json lists the conditions. AWS managed keys, which every principal
of the account may use through their service, are left out unless
--include-aws-managed is given.`

type accessOptions struct {
	streams
	account    accountFlags
	Format     string
	AWSManaged bool
}

func newAccessCmd(s streams) *cobra.Command {
	opts := &accessOptions{streams: s}
	cmd := &cobra.Command{
		Use:     "access",
		Short:   "Print the access matrix of principals × keys",
		Long:    accessLong,
		Example: `  keywarden access --input examples/account/setting3 --format csv`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAccess(cmd.Context(), cmd.CommandPath(), opts)
		},
	}
	opts.account.register(cmd)
	cmd.Flags().StringVar(&opts.Format, "format", "text", "output format: text, json or csv")
	cmd.Flags().BoolVar(&opts.AWSManaged, "include-aws-managed", false, "include AWS managed keys (aws/s3, aws/ebs, ...)")
	return cmd
}

func runAccess(ctx context.Context, cmdPath string, opts *accessOptions) error {
	switch opts.Format {
	case "text", "json", "csv":
	default:
		return &UsageError{Command: cmdPath, Err: errors.New("--format must be text, json or csv")}
	}
	ix, _, err := opts.account.index(ctx, opts.streams, cmdPath)
	if err != nil {
		return err
	}
	mw, err := report.NewMatrixWriter(opts.Out, opts.Format)
	if err != nil {
		return &UsageError{Command: cmdPath, Err: err}
	}
	mo := access.MatrixOptions{AWSManaged: opts.AWSManaged}
	if isTerminal(opts.Err) {
		kp := newKeyProgress(opts.Err, "access")
		defer kp.Done()
		mo.Progress = kp.Report
	}
	if err := mw.Begin(ix.MatrixKeys(mo), principalARNs(ix)); err != nil {
		return err
	}
	// Rows are written as each key is done: memory holds the keys in
	// flight, not the matrix.
	if err := ix.EachCell(ctx, mo, mw.Cell); err != nil {
		return err
	}
	return mw.End()
}

func principalARNs(ix *access.Index) []string {
	out := make([]string, 0, len(ix.Principals()))
	for _, p := range ix.Principals() {
		out = append(out, p.ARN)
	}
	return out
}
