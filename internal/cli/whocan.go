package cli

import (
	"context"
	"errors"

	"github.com/keywarden/keywarden/internal/checks"
	"github.com/keywarden/keywarden/internal/report"
	"github.com/spf13/cobra"
)

const whoCanLong = `Who-can lists every principal that can perform ACTION on KEY, and how: the
key policy naming it directly, IAM through the key policy's delegation to its
account, a grant, the root user. Principals outside the inventory appear as
what the key policy or grant names: any principal of another account that its
own IAM allows, anyone ("*") under the statement's conditions, AWS services,
grantees. Access that depends on the request (kms:ViaService, the encryption
context, the source IP, the caller's organization) is listed as conditional,
with the conditions.

KEY is a key ARN, key ID, alias name or alias ARN.`

type whoCanOptions struct {
	streams
	account accountFlags
	Format  string
	Lang    string
}

func newWhoCanCmd(s streams) *cobra.Command {
	opts := &whoCanOptions{streams: s}
	cmd := &cobra.Command{
		Use:     "who-can ACTION KEY",
		Short:   "List everyone who can perform an action with a key",
		Long:    whoCanLong,
		Example: `  keywarden who-can kms:Decrypt alias/sample-dev-blog-key --input examples/account/setting1`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return &UsageError{Command: cmd.CommandPath(), Err: errors.New("who-can needs ACTION KEY")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWhoCan(cmd.Context(), cmd.CommandPath(), opts, args[0], args[1])
		},
	}
	opts.account.register(cmd)
	cmd.Flags().StringVar(&opts.Format, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&opts.Lang, "lang", "en", "language of the text output: en or ja (JSON is the same in both)")
	return cmd
}

func runWhoCan(ctx context.Context, cmdPath string, opts *whoCanOptions, action, key string) error {
	if opts.Format != "text" && opts.Format != "json" {
		return &UsageError{Command: cmdPath, Err: errors.New("--format must be text or json")}
	}
	lang, err := checks.ParseLang(opts.Lang)
	if err != nil {
		return &UsageError{Command: cmdPath, Err: err}
	}
	ix, _, err := opts.account.index(ctx, opts.streams, cmdPath)
	if err != nil {
		return err
	}
	res, err := ix.WhoCan(action, key)
	if err != nil {
		return &InputError{Err: err}
	}
	if opts.Format == "json" {
		return report.WriteAnswerJSON(opts.Out, res)
	}
	return report.WriteWhoCanText(opts.Out, res, lang)
}
