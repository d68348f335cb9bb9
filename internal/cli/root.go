package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

const rootLong = `keywarden evaluates access to AWS KMS keys the way AWS does: the key policy
and the caller's IAM policies together, with grants, permissions boundaries,
session policies, SCPs and RCPs. It explains every decision by the statements
that made it, so that an AccessDenied from KMS or from S3 (SSE-KMS) can be
traced to its cause.`

func newRootCmd(s streams) *cobra.Command {
	root := &cobra.Command{
		Use:           "keywarden",
		Short:         "Evaluate AWS KMS access the way AWS does",
		Long:          rootLong,
		Version:       Version(),
		SilenceErrors: true,
		SilenceUsage:  true,
		// Args is set so that an unknown command reaches RunE as a
		// typed usage error rather than as Cobra's plain error.
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
				if sug := cmd.SuggestionsFor(args[0]); len(sug) > 0 {
					msg += " (did you mean " + strings.Join(sug, " or ") + "?)"
				}
				return &UsageError{Command: cmd.CommandPath(), Err: errors.New(msg)}
			}
			return cmd.Help()
		},
	}
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	root.SetVersionTemplate("keywarden version {{.Version}}\n")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &UsageError{Command: cmd.CommandPath(), Err: err}
	})
	root.AddCommand(newSimulateCmd(s, nil), newCanCmd(s), newWhoCanCmd(s), newAccessCmd(s), newCollectCmd(s), newScanCmd(s, nil), newChecksCmd(s), newVerifyCmd(s), newDiffCmd(s))
	return root
}
