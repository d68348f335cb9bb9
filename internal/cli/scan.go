package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/checks"
	"github.com/keywarden/keywarden/internal/escape"
	"github.com/keywarden/keywarden/internal/report"
	"github.com/keywarden/keywarden/internal/safefile"
	"github.com/keywarden/keywarden/internal/suppress"
	"github.com/spf13/cobra"
)

const scanLong = `Scan runs the check catalogue over an account and reports every finding:
failed, passed, and unknown (data needed to decide could not be read; never
counted as a pass). Each failed finding comes with a remediation computed from
it: console steps, an AWS CLI command with the complete fixed policy, and a
Terraform snippet. 'keywarden checks list' lists the checks; docs/checks.md
describes them.

The account comes from an AWS CLI export (--input DIR), a snapshot file
(--snapshot FILE), or, with neither, the live account.

Formats: text (for a terminal: a summary and an index of the findings, one
line each, then each finding's details by severity; coloured only on a
terminal and when NO_COLOR is not set), json (docs/report-json.md), sarif
(SARIF 2.1.0 for GitHub code scanning), html (one self-contained page: an
index that links to each finding, explanations and fixes collapsed).

The text report gives each finding about a screen: its fix's summary, the
changes it makes and the access it changes, with the longer commands
counted. --remediation full prints every fix in full (console steps, AWS CLI,
Terraform, the documents written) and every line of every explanation; the
JSON and HTML reports always hold everything.

--suppress FILE accepts findings by check ID and resource pattern, for a
reason and optionally until a date (docs/suppressions.md). Suppressed findings
are reported apart and never fail the scan; expired suppressions stop
suppressing and are reported.

Exit status: 0 when no finding at or above --fail-on remains (always 0
without --fail-on); 1 when a failed finding at or above --fail-on remains,
not suppressed (with --fail-on-unknown, unknown findings count too); 2 on bad
input or usage. The format never changes the exit status.`

const scanExample = `  keywarden scan --input examples/scan-account
  keywarden scan --input export/ --fail-on high --suppress suppressions.json
  keywarden scan --snapshot snap.json --format sarif --output keywarden.sarif --fail-on medium
  keywarden scan --input export/ --checks key-public,key-cross-account --trusted-accounts 444455556666 --lang ja`

// scanFormats are the values of --format, in the order help lists them.
var scanFormats = []string{"text", "json", "sarif", "html"}

// scanOptions are the inputs of runScan.
type scanOptions struct {
	streams
	account accountFlags

	Format string
	Output string
	Lang   string
	FailOn string
	// FailOnUnknown makes unknown findings count toward --fail-on.
	FailOnUnknown   bool
	Checks          []string
	Suppress        string
	TrustedAccounts []string
	// Remediation is how much of each fix text output prints: "short"
	// (about a screen per finding) or "full".
	Remediation string

	// Color adds ANSI colours to text output; the command decides it
	// (see wantColor).
	Color bool
	// Now is the scan's clock: the report's time and suppression expiry.
	Now func() time.Time
	// ToolVersion is the version written in the report.
	ToolVersion string
}

func newScanCmd(s streams, runF func(context.Context, *scanOptions) error) *cobra.Command {
	opts := &scanOptions{streams: s, Now: time.Now, ToolVersion: Version()}
	cmd := &cobra.Command{
		Use:     "scan",
		Short:   "Run the check catalogue over an account and report the findings",
		Long:    scanLong,
		Example: scanExample,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return &UsageError{Command: cmd.CommandPath(), Err: fmt.Errorf("scan takes no arguments (got %q); give the account with --input DIR or --snapshot FILE", args[0])}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Color = wantColor(opts.Format, opts.Output, s.Out, os.Getenv, isTerminal)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runScan(cmd.Context(), cmd.CommandPath(), opts)
		},
	}
	opts.account.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&opts.Format, "format", "text", "output format: "+strings.Join(scanFormats, ", "))
	fl.StringVarP(&opts.Output, "output", "o", "", "write the report to this file instead of standard output")
	fl.StringVar(&opts.Lang, "lang", "en", "language of the report: en or ja")
	fl.StringVar(&opts.FailOn, "fail-on", "", "exit 1 when a failed finding of this severity or higher remains: info, low, medium, high or critical")
	fl.BoolVar(&opts.FailOnUnknown, "fail-on-unknown", false, "with --fail-on, count unknown findings (data not read) as failures too")
	fl.StringSliceVar(&opts.Checks, "checks", nil, "run only these checks (IDs, comma-separated; default: all)")
	fl.StringVar(&opts.Suppress, "suppress", "", "suppression file (docs/suppressions.md)")
	fl.StringSliceVar(&opts.TrustedAccounts, "trusted-accounts", nil, "account IDs outside the organization that key-cross-account accepts (comma-separated)")
	fl.StringVar(&opts.Remediation, "remediation", "short", "text output: short (about a screen per finding) or full (every fix in full: changes, access diff, console steps, AWS CLI, Terraform)")
	return cmd
}

// wantColor decides whether text output is coloured: only text, only to
// a terminal (not with --output), and only when NO_COLOR is unset or
// empty (https://no-color.org).
func wantColor(format, output string, out io.Writer, getenv func(string) string, isTTY func(io.Writer) bool) bool {
	return format == "text" && output == "" && getenv("NO_COLOR") == "" && isTTY(out)
}

var accountID = regexp.MustCompile(`^[0-9]{12}$`)

// scanSettings are the flags of a scan, checked and parsed.
type scanSettings struct {
	lang     checks.Lang
	failOn   *checks.Severity // nil: never fail
	selected []*checks.Check
}

func parseScanFlags(cmdPath string, opts *scanOptions) (*scanSettings, error) {
	usage := func(format string, args ...any) error {
		return &UsageError{Command: cmdPath, Err: fmt.Errorf(format, args...)}
	}
	var set scanSettings
	if !slices.Contains(scanFormats, opts.Format) {
		return nil, usage("invalid --format %q (want %s)", opts.Format, strings.Join(scanFormats, ", "))
	}
	switch opts.Remediation {
	case "short", "full", "":
	default:
		return nil, usage("invalid --remediation %q (want short or full)", opts.Remediation)
	}
	lang, err := checks.ParseLang(opts.Lang)
	if err != nil {
		return nil, usage("--lang: %v", err)
	}
	set.lang = lang
	if opts.FailOn != "" {
		sev, err := checks.ParseSeverity(opts.FailOn)
		if err != nil {
			return nil, usage("--fail-on: %v", err)
		}
		set.failOn = &sev
	} else if opts.FailOnUnknown {
		return nil, usage("--fail-on-unknown needs --fail-on SEVERITY: it says which unknown findings count")
	}
	for _, a := range opts.TrustedAccounts {
		if !accountID.MatchString(a) {
			return nil, usage("--trusted-accounts: %q is not a 12-digit account ID", a)
		}
	}
	set.selected, err = selectChecks(opts.Checks)
	if err != nil {
		return nil, usage("%v", err)
	}
	return &set, nil
}

// selectChecks returns the checks named by --checks, or all of them.
func selectChecks(ids []string) ([]*checks.Check, error) {
	if len(ids) == 0 {
		return checks.All(), nil
	}
	var out []*checks.Check
	seen := map[string]bool{}
	for _, id := range ids {
		id = strings.TrimSpace(id)
		c, ok := checks.Lookup(id)
		if !ok {
			return nil, fmt.Errorf("unknown check %q in --checks; the checks are: %s", id, strings.Join(checkIDs(), ", "))
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, c)
		}
	}
	return out, nil
}

func checkIDs() []string {
	var ids []string
	for _, c := range checks.All() {
		ids = append(ids, c.ID)
	}
	return ids
}

func runScan(ctx context.Context, cmdPath string, opts *scanOptions) error {
	set, err := parseScanFlags(cmdPath, opts)
	if err != nil {
		return err
	}
	// The output and the suppression file are checked before the
	// account is read, so that a mistake in either is reported before a
	// long collection.
	if opts.Output != "" {
		if err := safefile.CheckWritable(opts.Output); err != nil {
			return &UsageError{Command: cmdPath, Err: fmt.Errorf("--output: %w", err)}
		}
	}
	var sup *suppress.File
	if opts.Suppress != "" {
		sup, err = suppress.Load(opts.Suppress, suppress.Options{KnownChecks: checkIDs()})
		if err != nil {
			return &InputError{Err: err}
		}
	}
	snap, src, err := opts.account.load(ctx, opts.streams, cmdPath)
	if err != nil {
		return err
	}
	now := opts.Now().UTC().Truncate(time.Second)
	env, err := checks.NewEnv(snap, opts.TrustedAccounts, now)
	if err != nil {
		return &InputError{Err: fmt.Errorf("%s: %w", src, err)}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var progress checks.Progress
	if isTerminal(opts.Err) {
		kp := newKeyProgress(opts.Err, "scan")
		defer kp.Done()
		progress = kp.Report
	}
	findings := checks.RunWithProgress(env, set.selected, progress)
	res := suppress.Apply(sup, findings, now)
	warnUnused(opts.Err, sup, res.Unused, set.selected)

	r := &report.Report{
		Tool:                report.Tool{Version: opts.ToolVersion},
		GeneratedAt:         now,
		Input:               scanInput(&opts.account),
		Lang:                set.lang,
		Checks:              set.selected,
		Findings:            res.Findings,
		Suppressed:          res.Suppressed,
		ExpiredSuppressions: res.Expired,
	}
	if err := writeScanReport(opts, r); err != nil {
		return err
	}
	if set.failOn == nil {
		return nil
	}
	if n := countFailing(res.Findings, *set.failOn, opts.FailOnUnknown); n > 0 {
		what := "failed finding"
		if opts.FailOnUnknown {
			what = "failed or unknown finding"
		}
		if n != 1 {
			what += "s"
		}
		fmt.Fprintf(opts.Err, "keywarden: %d %s at or above severity %s (--fail-on %s)\n", n, what, *set.failOn, *set.failOn)
		return &failedError{failed: n}
	}
	return nil
}

// countFailing counts the findings that fail the scan under --fail-on.
func countFailing(fs []checks.Finding, threshold checks.Severity, unknown bool) int {
	n := 0
	for _, f := range fs {
		if f.Severity >= threshold && (f.Status == checks.Fail || (unknown && f.Status == checks.Unknown)) {
			n++
		}
	}
	return n
}

// scanInput says what was scanned, as the user gave it.
func scanInput(a *accountFlags) report.Input {
	if in, ok := a.iacInput(); ok {
		return in
	}
	switch {
	case a.Input != "":
		return report.Input{Description: "--input " + a.Input, Path: a.Input}
	case a.Snapshot != "":
		return report.Input{Description: "--snapshot " + a.Snapshot, Path: a.Snapshot}
	}
	return report.Input{Description: "live account"}
}

// writeScanReport writes the report in its format to standard output or,
// with --output, to the file. The report is built in memory first, so a
// failed write never leaves half a report behind a successful-looking
// exit.
func writeScanReport(opts *scanOptions, r *report.Report) error {
	var b bytes.Buffer
	var err error
	switch opts.Format {
	case "json":
		err = report.WriteJSON(&b, r)
	case "sarif":
		err = report.WriteSARIF(&b, r)
	case "html":
		err = report.WriteHTML(&b, r)
	default:
		err = report.WriteText(&b, r, report.Options{Color: opts.Color, Full: opts.Remediation == "full"})
	}
	if err != nil {
		return err
	}
	if opts.Output == "" {
		_, err = opts.Out.Write(b.Bytes())
		return err
	}
	// A report describes the account's security as a snapshot does: it
	// is written the same way, 0600, by rename (a link planted at the
	// path is replaced, not followed). Share it on purpose.
	if err := safefile.WriteFile(opts.Output, func(w io.Writer) error { _, err := w.Write(b.Bytes()); return err }); err != nil {
		return err
	}
	s := r.Summary()
	fmt.Fprintf(opts.Err, "keywarden: %s report written to %s (%d failed, %d unknown, %d passed, %d suppressed)\n",
		opts.Format, escape.Name(opts.Output), s.Total.Fail, s.Total.Unknown, s.Total.Pass, s.Suppressed)
	return nil
}

// warnUnused reports suppressions that matched no finding, unless their
// check did not run (--checks).
func warnUnused(w io.Writer, f *suppress.File, unused []suppress.Suppression, ran []*checks.Check) {
	for _, s := range unused {
		if s.Check != suppress.AnyCheck && !ranCheck(ran, s.Check) {
			continue
		}
		fmt.Fprintf(w, "keywarden: warning: %s:%d: suppressions[%d] (%s on %s) matches no finding\n", escape.Args(f.Name, s.Line, s.Index, s.Check, s.Resource)...)
	}
}

func ranCheck(cs []*checks.Check, id string) bool {
	return slices.ContainsFunc(cs, func(c *checks.Check) bool { return c.ID == id })
}
