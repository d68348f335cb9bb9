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
	m := ix.Matrix()
	if !opts.AWSManaged {
		m = withoutAWSManaged(ix, m)
	}
	switch opts.Format {
	case "json":
		return report.WriteAnswerJSON(opts.Out, m)
	case "csv":
		return report.WriteMatrixCSV(opts.Out, m)
	}
	return report.WriteMatrixText(opts.Out, m)
}

func withoutAWSManaged(ix *access.Index, m *access.Matrix) *access.Matrix {
	managed := map[string]bool{}
	for _, k := range ix.Keys() {
		if k.Inv.AWSManaged() {
			managed[k.ARN] = true
		}
	}
	out := &access.Matrix{Principals: m.Principals}
	for _, k := range m.Keys {
		if !managed[k] {
			out.Keys = append(out.Keys, k)
		}
	}
	for _, c := range m.Cells {
		if !managed[c.Key] {
			out.Cells = append(out.Cells, c)
		}
	}
	return out
}
