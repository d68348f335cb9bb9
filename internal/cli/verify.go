package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/checks"
	"github.com/keywarden/keywarden/internal/expect"
	"github.com/keywarden/keywarden/internal/report"
	"github.com/keywarden/keywarden/internal/verify"
	"github.com/spf13/cobra"
)

const verifyLong = `Verify holds an expectations file against an account: rules that state who
may, must or must never perform KMS operations on which keys
(docs/expectations.md). Each rule is proved with the engine over every
principal of the account, every grant and every principal outside it that
the key policies reach (other accounts, anyone outside the organization,
services), and each violation is reported as a counterexample: the
principal (or class of principals), the key, the operations, the statements
or grants that give (or deny) the access, and the fix a scan would propose
when one covers it.

Answers that could not be decided (data that was not read) are reported as
undecided; they fail the command only with --fail-on-unknown.

--init writes an access lock instead: for every customer managed key, exactly
who can use it and who can administer it today, principals outside the
account included. Commit it, and verify then fails on any change.

Formats: text, json (docs/verify-json.md), sarif (one rule per expectation,
results at the expectation's line), markdown (for a pull-request comment).

Exit status: 0 when every expectation holds; 1 when one is violated (or,
with --fail-on-unknown, undecided); 2 on bad input or usage.`

const verifyExample = `  keywarden verify --expect examples/scan-account/expectations.yaml --input examples/scan-account
  keywarden verify --expect access.yaml --snapshot snap.json --format sarif --output verify.sarif
  keywarden verify --init --input export/ --output access-lock.yaml`

var verifyFormats = []string{"text", "json", "sarif", "markdown"}

type verifyOptions struct {
	streams
	account       accountFlags
	Expect        string
	Init          bool
	Format        string
	Output        string
	Lang          string
	FailOnUnknown bool
	AWSManaged    bool
	Now           func() time.Time
	ToolVersion   string
}

func newVerifyCmd(s streams) *cobra.Command {
	opts := &verifyOptions{streams: s, Now: time.Now, ToolVersion: Version()}
	cmd := &cobra.Command{
		Use:     "verify",
		Short:   "Prove an account's KMS access against declared expectations",
		Long:    verifyLong,
		Example: verifyExample,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return &UsageError{Command: cmd.CommandPath(), Err: fmt.Errorf("verify takes no arguments (got %q); give the file with --expect FILE", args[0])}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVerify(cmd.Context(), cmd.CommandPath(), opts)
		},
	}
	opts.account.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&opts.Expect, "expect", "", "the expectations file (docs/expectations.md)")
	fl.BoolVar(&opts.Init, "init", false, "write an access lock of today's access instead of verifying")
	fl.StringVar(&opts.Format, "format", "text", "output format: "+strings.Join(verifyFormats, ", "))
	fl.StringVarP(&opts.Output, "output", "o", "", "write the report (or, with --init, the lock) to this file instead of standard output")
	fl.StringVar(&opts.Lang, "lang", "en", "language of the report: en or ja")
	fl.BoolVar(&opts.FailOnUnknown, "fail-on-unknown", false, "exit 1 when an expectation could not be decided")
	fl.BoolVar(&opts.AWSManaged, "include-aws-managed", false, "with --init, lock AWS managed keys too")
	return cmd
}

func runVerify(ctx context.Context, cmdPath string, opts *verifyOptions) error {
	usage := func(format string, args ...any) error {
		return &UsageError{Command: cmdPath, Err: fmt.Errorf(format, args...)}
	}
	if opts.Init {
		switch {
		case opts.Expect != "":
			return usage("--init writes an expectations file; it does not read one (--expect)")
		case opts.Format != "text":
			return usage("--init writes YAML; --format does not apply")
		case opts.FailOnUnknown:
			return usage("--fail-on-unknown does not apply to --init")
		}
		return runVerifyInit(ctx, cmdPath, opts)
	}
	if opts.Expect == "" {
		return usage("verify needs --expect FILE (or --init to write one)")
	}
	if opts.AWSManaged {
		return usage("--include-aws-managed goes with --init; a rule selects AWS managed keys with keys: aws-managed")
	}
	if !slices.Contains(verifyFormats, opts.Format) {
		return usage("invalid --format %q (want %s)", opts.Format, strings.Join(verifyFormats, ", "))
	}
	lang, err := checks.ParseLang(opts.Lang)
	if err != nil {
		return usage("--lang: %v", err)
	}
	// The expectations are read before the account, so that a mistake in
	// them is reported before a long collection.
	f, err := expect.Load(opts.Expect)
	if err != nil {
		return &InputError{Err: err}
	}
	ix, _, err := opts.account.index(ctx, opts.streams, cmdPath)
	if err != nil {
		return err
	}
	now := opts.Now().UTC().Truncate(time.Second)
	res, err := verify.Verify(ctx, ix, f, verify.Options{Now: now})
	if err != nil {
		return err
	}
	r := &report.VerifyReport{
		Tool:         report.Tool{Version: opts.ToolVersion},
		GeneratedAt:  now,
		Input:        scanInput(&opts.account),
		Expectations: opts.Expect,
		Lang:         lang,
		Result:       res,
	}
	var b bytes.Buffer
	switch opts.Format {
	case "json":
		err = report.WriteVerifyJSON(&b, r)
	case "sarif":
		err = report.WriteVerifySARIF(&b, r)
	case "markdown":
		err = report.WriteVerifyMarkdown(&b, r)
	default:
		err = report.WriteVerifyText(&b, r)
	}
	if err != nil {
		return err
	}
	c := res.Counts()
	if err := writeOutput(opts.streams, opts.Output, b.Bytes()); err != nil {
		return err
	}
	if opts.Output != "" {
		fmt.Fprintf(opts.Err, "keywarden: %s report written to %s (%d hold, %d violated, %d unknown)\n", opts.Format, opts.Output, c.Holds, c.Violated, c.Unknown)
	}
	switch {
	case c.Violated > 0:
		fmt.Fprintf(opts.Err, "keywarden: %s violated\n", plural(c.Violated, "expectation"))
		return &failedError{failed: c.Violated}
	case c.Unknown > 0 && opts.FailOnUnknown:
		fmt.Fprintf(opts.Err, "keywarden: %s could not be decided (--fail-on-unknown)\n", plural(c.Unknown, "expectation"))
		return &failedError{failed: c.Unknown}
	}
	return nil
}

func runVerifyInit(ctx context.Context, cmdPath string, opts *verifyOptions) error {
	ix, _, err := opts.account.index(ctx, opts.streams, cmdPath)
	if err != nil {
		return err
	}
	f, err := verify.Lock(ctx, ix, verify.LockOptions{AWSManaged: opts.AWSManaged})
	if err != nil {
		return err
	}
	in := scanInput(&opts.account).Description
	header := "Access lock written by 'keywarden verify --init' from " + in + " (keywarden " + opts.ToolVersion + ").\n" +
		"For every key, exactly who can use it and who can administer it: 'keywarden verify --expect FILE'\n" +
		"fails on any change. Edit it into the access you intend; the format is docs/expectations.md."
	var b bytes.Buffer
	if err := expect.Encode(&b, f, header); err != nil {
		return err
	}
	if err := writeOutput(opts.streams, opts.Output, b.Bytes()); err != nil {
		return err
	}
	if opts.Output != "" {
		fmt.Fprintf(opts.Err, "keywarden: access lock written to %s (%s)\n", opts.Output, plural(len(f.Rules), "expectation"))
	}
	return nil
}

// writeOutput writes a whole report to standard output or, when a file is
// given, to the file: built in memory first, so that a failed write never
// leaves half a report behind.
func writeOutput(s streams, path string, data []byte) error {
	if path == "" {
		_, err := s.Out.Write(data)
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
