package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/awscli"
	"github.com/keywarden/keywarden/internal/checks"
	"github.com/keywarden/keywarden/internal/diff"
	"github.com/keywarden/keywarden/internal/escape"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/report"
	"github.com/spf13/cobra"
)

const diffLong = `Diff compares the KMS access of two inputs, OLD and NEW: each a snapshot file
(written by 'keywarden collect') or an AWS CLI export directory. It reports
the access gained and lost (principal × key × operation; principals outside
the input as the classes they belong to, such as "any principal of account
444455556666" or "anyone outside organization o-…"), with the statements or
grants that cause each change; the S3 uploads and downloads through SSE-KMS
that changed with them; and the scan findings that are new, resolved or
unchanged.

The access matrices are compared key by key, in order, with memory for the
keys in flight. When both inputs hold the same accounts, only what the change
can reach is computed again: the keys whose data changed, and on the others
the principals whose policies changed. The findings run the whole check
catalogue on both inputs, which on large accounts takes far longer than the
access comparison; --no-findings leaves them out.

Before deployment, a Terraform plan (--plan, with --tf-dir for file and
line) or CloudFormation templates (--template) take the place of OLD and
NEW: OLD is the account as it is (--base, a snapshot file or an export
directory; without it, an account that holds nothing), NEW the same account
with the change laid over it (docs/iac.md). That is what a pull request
does to access.

Formats: text, json (docs/diff-json.md), markdown (for a pull-request
comment), sarif (new findings and gained access only, for code scanning).

Exit status: 0 unless a --fail-on condition holds; 1 when it does (a new
finding at or above --fail-on-new, gained access with --fail-on-gained);
2 on bad input or usage.`

const diffExample = `  keywarden diff examples/account/setting1 examples/account/setting2
  keywarden diff before.json after.json --format markdown --fail-on-gained
  keywarden diff main-export/ pr-export/ --format sarif --output diff.sarif --fail-on-new high
  keywarden diff --base examples/account/setting2 --plan examples/iac/terraform/blog/plan-setting3.json --tf-dir examples/iac/terraform/blog`

var diffFormats = []string{"text", "json", "markdown", "sarif"}

type diffOptions struct {
	streams
	Format          string
	Output          string
	Lang            string
	FailOnNew       string
	FailOnGained    bool
	NoFindings      bool
	AWSManaged      bool
	TrustedAccounts []string
	Now             func() time.Time
	ToolVersion     string
	// iac and region read a planned change instead of OLD and NEW.
	planned accountFlags
	Region  string
}

func newDiffCmd(s streams) *cobra.Command {
	opts := &diffOptions{streams: s, Now: time.Now, ToolVersion: Version()}
	cmd := &cobra.Command{
		Use:     "diff OLD NEW | diff [--base OLD] (--plan FILE | --template FILE)",
		Short:   "Compare the KMS access and findings of two inputs",
		Long:    diffLong,
		Example: diffExample,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.planned.iac.active() && len(args) > 0:
				return &UsageError{Command: cmd.CommandPath(), Err: fmt.Errorf("with --plan or --template, diff takes no OLD and NEW (got %q): the account as it is is --base", args[0])}
			case !opts.planned.iac.active() && len(args) != 2:
				return &UsageError{Command: cmd.CommandPath(), Err: fmt.Errorf("diff needs OLD and NEW (two snapshot files or AWS CLI export directories), or --plan or --template, got %d argument(s)", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.planned.iac.active() {
				return runDiff(cmd.Context(), cmd.CommandPath(), opts, "", "")
			}
			return runDiff(cmd.Context(), cmd.CommandPath(), opts, args[0], args[1])
		},
	}
	opts.planned.iac.register(cmd)
	cmd.Flags().StringVar(&opts.Region, "region", "", "with --plan or --template: the region the change is deployed to")
	fl := cmd.Flags()
	fl.StringVar(&opts.Format, "format", "text", "output format: "+strings.Join(diffFormats, ", "))
	fl.StringVarP(&opts.Output, "output", "o", "", "write the report to this file instead of standard output")
	fl.StringVar(&opts.Lang, "lang", "en", "language of the report: en or ja")
	fl.StringVar(&opts.FailOnNew, "fail-on-new", "", "exit 1 when a new failed finding of this severity or higher appears: info, low, medium, high or critical")
	fl.BoolVar(&opts.FailOnGained, "fail-on-gained", false, "exit 1 when any principal gains access to a key")
	fl.BoolVar(&opts.NoFindings, "no-findings", false, "compare access only; do not run the check catalogue")
	fl.BoolVar(&opts.AWSManaged, "include-aws-managed", false, "include AWS managed keys (aws/s3, aws/ebs, ...)")
	fl.StringSliceVar(&opts.TrustedAccounts, "trusted-accounts", nil, "account IDs outside the organization that key-cross-account accepts (comma-separated)")
	return cmd
}

func runDiff(ctx context.Context, cmdPath string, opts *diffOptions, oldPath, newPath string) error {
	usage := func(format string, args ...any) error {
		return &UsageError{Command: cmdPath, Err: fmt.Errorf(format, args...)}
	}
	if !slices.Contains(diffFormats, opts.Format) {
		return usage("invalid --format %q (want %s)", opts.Format, strings.Join(diffFormats, ", "))
	}
	lang, err := checks.ParseLang(opts.Lang)
	if err != nil {
		return usage("--lang: %v", err)
	}
	var failOn *checks.Severity
	if opts.FailOnNew != "" {
		sev, err := checks.ParseSeverity(opts.FailOnNew)
		if err != nil {
			return usage("--fail-on-new: %v", err)
		}
		if opts.NoFindings {
			return usage("--fail-on-new needs the findings; it does not go with --no-findings")
		}
		failOn = &sev
	}
	for _, a := range opts.TrustedAccounts {
		if !accountID.MatchString(a) {
			return usage("--trusted-accounts: %q is not a 12-digit account ID", a)
		}
	}
	var old, cur *access.Index
	var oldInput, newInput report.Input
	if opts.planned.iac.active() {
		old, cur, oldInput, newInput, err = loadPlanned(opts)
		if err != nil {
			return err
		}
	} else {
		if opts.Region != "" {
			return usage("--region goes with --plan or --template")
		}
		if old, err = loadIndex(opts.streams, oldPath); err != nil {
			return err
		}
		if cur, err = loadIndex(opts.streams, newPath); err != nil {
			return err
		}
		oldInput, newInput = report.Input{Description: oldPath, Path: oldPath}, report.Input{Description: newPath, Path: newPath}
	}
	now := opts.Now().UTC().Truncate(time.Second)
	res, err := diff.Diff(ctx, old, cur, diff.Options{AWSManaged: opts.AWSManaged, Findings: !opts.NoFindings, Now: now, TrustedAccounts: opts.TrustedAccounts})
	if err != nil {
		return err
	}
	r := &report.DiffReport{
		Tool:        report.Tool{Version: opts.ToolVersion},
		GeneratedAt: now,
		Old:         oldInput,
		New:         newInput,
		Lang:        lang,
		Result:      res,
	}
	var b bytes.Buffer
	switch opts.Format {
	case "json":
		err = report.WriteDiffJSON(&b, r)
	case "markdown":
		err = report.WriteDiffMarkdown(&b, r)
	case "sarif":
		err = report.WriteDiffSARIF(&b, r)
	default:
		err = report.WriteDiffText(&b, r)
	}
	if err != nil {
		return err
	}
	if err := writeOutput(opts.streams, opts.Output, b.Bytes()); err != nil {
		return err
	}
	gained := res.Count(diff.Gained)
	if opts.Output != "" {
		fmt.Fprintf(opts.Err, "keywarden: %s diff written to %s (%d gained, %d lost)\n", opts.Format, opts.Output, gained, res.Count(diff.Lost))
	}
	failed := 0
	if opts.FailOnGained && gained > 0 {
		fmt.Fprintf(opts.Err, "keywarden: access gained by %s (--fail-on-gained)\n", plural(gained, "principal-key pair"))
		failed += gained
	}
	if failOn != nil && res.Findings != nil {
		n := 0
		for _, f := range res.Findings.New {
			if f.Severity >= *failOn {
				n++
			}
		}
		if n > 0 {
			fmt.Fprintf(opts.Err, "keywarden: %s at or above severity %s (--fail-on-new %s)\n", plural(n, "new finding"), *failOn, *failOn)
			failed += n
		}
	}
	if failed > 0 {
		return &failedError{failed: failed}
	}
	return nil
}

// loadIndex reads an input given as a path: an AWS CLI export directory,
// or a snapshot file. Warnings of an export go to stderr.
func loadIndex(s streams, path string) (*access.Index, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, &InputError{Err: err}
	}
	var snap *inventory.Snapshot
	if st.IsDir() {
		imported, warnings, err := awscli.Import(path, awscli.Options{ToolVersion: Version()})
		if err != nil {
			return nil, &InputError{Err: err}
		}
		snap = imported
		for _, w := range warnings {
			fmt.Fprintf(s.Err, "keywarden: warning: %s\n", escape.Text(w.String()))
		}
	} else if snap, err = inventory.Load(path); err != nil {
		return nil, &InputError{Err: err}
	}
	ix, err := access.New(snap)
	if err != nil {
		return nil, &InputError{Err: fmt.Errorf("%s: %w", path, err)}
	}
	return ix, nil
}

// loadPlanned reads a planned change for diff: OLD is the base (or an
// account that holds nothing, with the change's accounts), NEW the base
// with the change laid over it.
func loadPlanned(opts *diffOptions) (old, cur *access.Index, oldInput, newInput report.Input, err error) {
	f := &opts.planned
	if opts.Region != "" {
		f.live.Regions = []string{opts.Region}
	}
	if err := f.checkIaC(); err != nil {
		return nil, nil, oldInput, newInput, &UsageError{Command: "keywarden diff", Err: err}
	}
	base, err := f.readBase(opts.streams)
	if err != nil {
		return nil, nil, oldInput, newInput, err
	}
	planned, _, err := f.applyIaC(opts.streams, base)
	if err != nil {
		return nil, nil, oldInput, newInput, err
	}
	before := base
	if before == nil {
		before = emptyLike(planned)
	}
	if old, err = access.New(before); err != nil {
		return nil, nil, oldInput, newInput, &InputError{Err: fmt.Errorf("--base %s: %w", f.iac.Base, err)}
	}
	if cur, err = access.New(planned); err != nil {
		return nil, nil, oldInput, newInput, &InputError{Err: err}
	}
	newInput, _ = f.iacInput()
	oldInput = report.Input{Description: f.iac.Base, Path: f.iac.Base}
	if f.iac.Base == "" {
		oldInput.Description = "an account that holds nothing (no --base)"
	}
	return old, cur, oldInput, newInput, nil
}

// emptyLike is a snapshot of the accounts of s with nothing in them: what
// a plan without a base is compared with.
func emptyLike(s *inventory.Snapshot) *inventory.Snapshot {
	out := &inventory.Snapshot{Version: s.Version, Metadata: s.Metadata}
	for _, a := range s.Accounts {
		e := &inventory.Account{ID: a.ID, Organization: a.Organization}
		for _, r := range a.KMSRegions {
			e.KMSRegions = append(e.KMSRegions, &inventory.KMSRegion{Name: r.Name})
		}
		out.Accounts = append(out.Accounts, e)
	}
	return out
}
