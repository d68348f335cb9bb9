package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/keywarden/keywarden/internal/checks"
	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/spf13/cobra"
)

// exampleAccount is the bundled example account, relative to the repository
// root (the tests that scan it run there, so that reports show the path
// a user would type).
const exampleAccount = "examples/scan-account"

// goldenNow and goldenVersion fix what a scan takes from its environment.
var goldenNow = time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)

const goldenVersion = "0.0.0-golden"

// chdirRoot runs the rest of the test in the repository root.
func chdirRoot(t *testing.T) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)
}

// scanOpts are the options of a scan of the example with the fixed clock
// and version, writing to out and err.
func scanOpts(out, errw io.Writer) *scanOptions {
	return &scanOptions{
		streams:     streams{Out: out, Err: errw},
		account:     accountFlags{Input: exampleAccount},
		Format:      "text",
		Lang:        "en",
		Now:         func() time.Time { return goldenNow },
		ToolVersion: goldenVersion,
	}
}

// The keys of examples/scan-account, by alias.
const (
	keyAppData      = "arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	keyOldBatch     = "arn:aws:kms:ap-northeast-1:111122223333:key/3c4d5e6f-7081-4293-8b4c-5d6e7f809102"
	keyPublicShare  = "arn:aws:kms:ap-northeast-1:111122223333:key/5e6f7081-92a3-44b5-8d6e-7f8091021324"
	keyEBSVolumes   = "arn:aws:kms:ap-northeast-1:111122223333:key/6f708192-a3b4-45c6-9e7f-809102132435"
	keyOrphaned     = "arn:aws:kms:ap-northeast-1:111122223333:key/708192a3-b4c5-46d7-8f80-910213243546"
	keyTeamDirect   = "arn:aws:kms:ap-northeast-1:111122223333:key/8192a3b4-c5d6-47e8-9091-021324354657"
	keyBlogSetting3 = "arn:aws:kms:ap-northeast-1:111122223333:key/92a3b4c5-d6e7-48f9-8102-132435465768"
	keyPartner      = "arn:aws:kms:ap-northeast-1:111122223333:key/a3b4c5d6-e7f8-4901-9213-243546576879"
	keyBatchResults = "arn:aws:kms:ap-northeast-1:111122223333:key/b4c5d6e7-f809-4a12-8324-35465768798a"
	keyConsole      = "arn:aws:kms:ap-northeast-1:111122223333:key/c5d6e7f8-091a-4b23-9435-465768798a9b"
	keyOpsTools     = "arn:aws:kms:ap-northeast-1:111122223333:key/d6e7f809-1a2b-4c34-8546-5768798a9bac"
	keyLegacyTeam   = "arn:aws:kms:ap-northeast-1:111122223333:key/f8091a2b-3c4d-4e56-8768-798a9bacbdce"
)

// exampleFindings is every failed and unknown finding of a scan of
// examples/scan-account, for all thirteen checks; README.md there says why
// each is true, and which near-misses must not appear. Passed findings are
// not listed: there is one per subject and check.
var exampleFindings = []exampleFinding{
	{"iam-customer-policy-decrypt-all-keys", checks.Fail, "arn:aws:iam::111122223333:policy/KMSFullAccess"},
	{"iam-customer-policy-decrypt-all-keys", checks.Fail, "arn:aws:iam::111122223333:policy/app-decrypt-all"},
	{"iam-inline-policy-decrypt-all-keys", checks.Fail, "arn:aws:iam::111122223333:role/reporting"},
	{"iam-policy-kms-full-access", checks.Fail, "arn:aws:iam::111122223333:policy/KMSFullAccess"},

	{"key-pending-deletion", checks.Fail, keyOldBatch},
	{"key-rotation-disabled", checks.Fail, keyAppData},

	{"key-public", checks.Fail, keyPublicShare},
	{"key-public", checks.Unknown, keyLegacyTeam},

	{"key-unmanageable", checks.Fail, keyOrphaned},
	{"key-unmanageable", checks.Unknown, keyLegacyTeam},

	{"key-no-account-delegation", checks.Fail, keyOrphaned},
	{"key-no-account-delegation", checks.Fail, keyTeamDirect},
	{"key-no-account-delegation", checks.Unknown, keyLegacyTeam},

	// One finding per principal: console-key names KMSAdminRole and
	// app-backend. Account 444455556666 on shared-with-partner is not
	// here: another account also needs its own IAM (key-cross-account).
	{"key-policy-direct-access", checks.Fail, keyPublicShare},
	{"key-policy-direct-access", checks.Fail, keyEBSVolumes},
	{"key-policy-direct-access", checks.Fail, keyTeamDirect},
	{"key-policy-direct-access", checks.Fail, keyBlogSetting3},
	{"key-policy-direct-access", checks.Fail, keyConsole},
	{"key-policy-direct-access", checks.Fail, keyConsole},
	{"key-policy-direct-access", checks.Fail, keyOpsTools},
	{"key-policy-direct-access", checks.Unknown, keyLegacyTeam},

	// public-share is open to every account: key-public's finding, not
	// this one's. The partner's access by policy and by grant is one
	// finding, about account 444455556666.
	{"key-cross-account", checks.Fail, keyPartner},
	{"key-cross-account", checks.Unknown, keyLegacyTeam},

	{"grant-broad", checks.Fail, keyPartner},
	{"grant-broad", checks.Fail, keyBatchResults},

	{"key-admin-can-use", checks.Fail, keyConsole},
	{"key-admin-can-use", checks.Fail, keyOpsTools},
	{"key-admin-can-use", checks.Unknown, keyLegacyTeam},

	{"key-policy-wildcard-admin", checks.Fail, keyOpsTools},
	{"key-policy-wildcard-admin", checks.Unknown, keyLegacyTeam},

	// The export could not read one key policy; input-incomplete says so
	// as a whole, besides the checks that needed it.
	{"input-incomplete", checks.Unknown, keyLegacyTeam},
}

// catalogueIDs are the thirteen checks of issue 4 and input-incomplete.
// The example must have a failing (for input-incomplete: unknown) finding
// for each.
var catalogueIDs = []string{
	"grant-broad",
	"input-incomplete",
	"iam-customer-policy-decrypt-all-keys",
	"iam-inline-policy-decrypt-all-keys",
	"iam-policy-kms-full-access",
	"key-admin-can-use",
	"key-cross-account",
	"key-no-account-delegation",
	"key-pending-deletion",
	"key-policy-direct-access",
	"key-policy-wildcard-admin",
	"key-public",
	"key-rotation-disabled",
	"key-unmanageable",
}

type exampleFinding struct {
	Check    string
	Status   checks.Status
	Resource string
}

func (f exampleFinding) String() string {
	return fmt.Sprintf("%s %s %s", strings.ToUpper(f.Status.String()), f.Check, f.Resource)
}

// TestScanExampleFindings scans examples/scan-account as a user would
// (--format json) and compares every failed and unknown finding with
// exampleFindings. Findings of checks not registered yet are left out of
// the expectation, and the test says so; once all thirteen are, nothing
// is.
func TestScanExampleFindings(t *testing.T) {
	chdirRoot(t)
	var out, errw bytes.Buffer
	opts := scanOpts(&out, &errw)
	opts.Format = "json"
	if err := runScan(context.Background(), "keywarden scan", opts); err != nil {
		t.Fatalf("scan: %v\n%s", err, errw.String())
	}
	var rep struct {
		Findings []struct {
			Check    string        `json:"check"`
			Status   checks.Status `json:"status"`
			Resource string        `json:"resource"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	var got []exampleFinding
	for _, f := range rep.Findings {
		if f.Status != checks.Pass {
			got = append(got, exampleFinding{f.Check, f.Status, f.Resource})
		}
	}

	var want []exampleFinding
	var missing []string
	for _, id := range catalogueIDs {
		if _, ok := checks.Lookup(id); !ok {
			missing = append(missing, id)
		}
	}
	for _, f := range exampleFindings {
		if !slices.Contains(missing, f.Check) {
			want = append(want, f)
		}
	}
	if len(missing) > 0 {
		t.Logf("%d of the %d checks are not registered yet; their expected findings are left out: %s",
			len(missing), len(catalogueIDs), strings.Join(missing, ", "))
	}
	byLine := cmpopts.SortSlices(func(a, b exampleFinding) bool { return a.String() < b.String() })
	if diff := cmp.Diff(want, got, byLine); diff != "" {
		t.Errorf("failed and unknown findings of scan --input %s (-want +got):\n%s", exampleAccount, diff)
	}
}

// TestExampleTableCoversCatalogue keeps the expectation honest: every
// check of the catalogue has a failing finding in the example, and the
// table names no check outside it.
func TestExampleTableCoversCatalogue(t *testing.T) {
	failing := map[string]bool{}
	for _, f := range exampleFindings {
		if !slices.Contains(catalogueIDs, f.Check) {
			t.Errorf("exampleFindings names %q, which is not in catalogueIDs", f.Check)
		}
		if f.Status == checks.Fail || f.Check == "input-incomplete" && f.Status == checks.Unknown {
			failing[f.Check] = true
		}
	}
	for _, id := range catalogueIDs {
		if !failing[id] {
			t.Errorf("the example has no failing finding for %s", id)
		}
	}
	for _, c := range checks.All() {
		if !slices.Contains(catalogueIDs, c.ID) {
			t.Errorf("check %s is registered but not in catalogueIDs: add it and its findings on the example", c.ID)
		}
	}
}

// TestScanGolden pins every output format of the example scan, with the
// clock and version fixed; -update rewrites testdata/scan/*.golden.
func TestScanGolden(t *testing.T) {
	chdirRoot(t)
	tests := []struct {
		file   string
		format string
		lang   string
	}{
		{"example.en.txt.golden", "text", "en"},
		{"example.ja.txt.golden", "text", "ja"},
		{"example.en.json.golden", "json", "en"},
		{"example.en.sarif.golden", "sarif", "en"},
		{"example.en.html.golden", "html", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var out, errw bytes.Buffer
			opts := scanOpts(&out, &errw)
			opts.Format, opts.Lang = tt.format, tt.lang
			if err := runScan(context.Background(), "keywarden scan", opts); err != nil {
				t.Fatalf("scan: %v\n%s", err, errw.String())
			}
			// A second run must give the same bytes: nothing may depend
			// on map order or the wall clock.
			var again bytes.Buffer
			opts2 := scanOpts(&again, io.Discard)
			opts2.Format, opts2.Lang = tt.format, tt.lang
			if err := runScan(context.Background(), "keywarden scan", opts2); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), again.Bytes()) {
				t.Fatalf("two scans of the example differ:\n%s", cmp.Diff(out.String(), again.String()))
			}
			golden(t, filepath.Join("internal/cli/testdata/scan", tt.file), out.Bytes())
		})
	}
}

// golden compares got with the file, or rewrites the file with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -run %s -update)", err, t.Name())
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got); if the change is intended, run go test ./internal/cli -run TestScanGolden -update:\n%s", path, diff)
	}
}

// TestScanSARIFSchema validates the SARIF of the example scan, the
// largest real one we have, against the SARIF 2.1.0 schema (go-sarif
// embeds it: no network).
func TestScanSARIFSchema(t *testing.T) {
	chdirRoot(t)
	var out bytes.Buffer
	opts := scanOpts(&out, io.Discard)
	opts.Format = "sarif"
	if err := runScan(context.Background(), "keywarden scan", opts); err != nil {
		t.Fatal(err)
	}
	log, err := sarif.FromBytes(out.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := log.Validate(); err != nil {
		t.Errorf("SARIF of the example scan: %v", err)
	}
	// One result per failed finding; an undecided one is a tool
	// execution notification, not an alert.
	want, unknown := 0, 0
	for _, f := range exampleFindings {
		if _, ok := checks.Lookup(f.Check); ok {
			if f.Status == checks.Unknown {
				unknown++
			} else {
				want++
			}
		}
	}
	if n := len(log.Runs[0].Results); n != want {
		t.Errorf("SARIF results = %d, want %d (one per failed finding)", n, want)
	}
	notes := 0
	for _, inv := range log.Runs[0].Invocations {
		notes += len(inv.ToolExecutionNotifications)
	}
	if notes != unknown {
		t.Errorf("SARIF notifications = %d, want %d (one per undecided finding)", notes, unknown)
	}
}

func TestNewScanCmd(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    scanOptions
		wantErr string
	}{
		{
			name: "defaults",
			args: []string{"--input", "dir"},
			want: scanOptions{account: accountFlags{Input: "dir"}, Format: "text", Lang: "en", Remediation: "short"},
		},
		{
			name: "every flag",
			args: []string{"--snapshot", "s.json", "--format", "sarif", "-o", "r.sarif", "--lang", "ja", "--fail-on", "high",
				"--fail-on-unknown", "--checks", "key-public,grant-broad", "--checks", "key-rotation-disabled",
				"--suppress", "sup.json", "--trusted-accounts", "444455556666,777788889999", "--remediation", "full"},
			want: scanOptions{
				account: accountFlags{Snapshot: "s.json"}, Format: "sarif", Output: "r.sarif", Lang: "ja", FailOn: "high",
				FailOnUnknown: true, Checks: []string{"key-public", "grant-broad", "key-rotation-disabled"},
				Suppress: "sup.json", TrustedAccounts: []string{"444455556666", "777788889999"}, Remediation: "full",
			},
		},
		{name: "an argument", args: []string{"dir"}, wantErr: `scan takes no arguments (got "dir"); give the account with --input DIR or --snapshot FILE`},
		{name: "unknown flag", args: []string{"--fail", "high"}, wantErr: "unknown flag: --fail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *scanOptions
			cmd := newScanCmd(streams{Out: io.Discard, Err: io.Discard}, func(_ context.Context, o *scanOptions) error {
				got = o
				return nil
			})
			cmd.SetArgs(tt.args)
			cmd.SetOut(io.Discard)
			cmd.SetErr(io.Discard)
			cmd.SilenceErrors, cmd.SilenceUsage = true, true
			cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return &UsageError{Command: c.CommandPath(), Err: err} })
			err := cmd.Execute()
			if tt.wantErr != "" {
				var ue *UsageError
				if !errors.As(err, &ue) || ue.Error() != tt.wantErr {
					t.Fatalf("scan %q: error %v (%T), want UsageError %q", tt.args, err, err, tt.wantErr)
				}
				if got != nil {
					t.Errorf("scan %q ran despite the usage error", tt.args)
				}
				return
			}
			if err != nil {
				t.Fatalf("scan %q: %v", tt.args, err)
			}
			ignore := cmpopts.IgnoreFields(scanOptions{}, "streams", "Now", "ToolVersion", "Color")
			if diff := cmp.Diff(tt.want, *got, cmp.AllowUnexported(scanOptions{}, accountFlags{}, liveFlags{}), ignore,
				cmpopts.IgnoreFields(accountFlags{}, "live")); diff != "" {
				t.Errorf("scan %q options mismatch (-want +got):\n%s", tt.args, diff)
			}
			if got.Now == nil || got.ToolVersion == "" {
				t.Errorf("scan %q: the command must set the clock and the version", tt.args)
			}
		})
	}
}

// TestParseScanFlags covers the flag values runScan refuses before it
// reads anything.
func TestParseScanFlags(t *testing.T) {
	base := func() *scanOptions { return &scanOptions{Format: "text", Lang: "en"} }
	tests := []struct {
		name    string
		change  func(*scanOptions)
		wantErr string
	}{
		{"defaults", func(*scanOptions) {}, ""},
		{"every format", func(o *scanOptions) { o.Format = "html" }, ""},
		{"bad format", func(o *scanOptions) { o.Format = "xml" }, `invalid --format "xml" (want text, json, sarif, html)`},
		{"bad lang", func(o *scanOptions) { o.Lang = "fr" }, `--lang: unsupported language "fr" (want en or ja)`},
		{"fail-on any case", func(o *scanOptions) { o.FailOn = "HIGH" }, ""},
		{"bad fail-on", func(o *scanOptions) { o.FailOn = "severe" }, `--fail-on: invalid severity "severe" (want one of info, low, medium, high, critical)`},
		{"fail-on-unknown alone", func(o *scanOptions) { o.FailOnUnknown = true }, "--fail-on-unknown needs --fail-on SEVERITY: it says which unknown findings count"},
		{"bad trusted account", func(o *scanOptions) { o.TrustedAccounts = []string{"4444"} }, `--trusted-accounts: "4444" is not a 12-digit account ID`},
		{"remediation full", func(o *scanOptions) { o.Remediation = "full" }, ""},
		{"bad remediation", func(o *scanOptions) { o.Remediation = "long" }, `invalid --remediation "long" (want short or full)`},
		{"unknown check", func(o *scanOptions) { o.Checks = []string{"iam-policy-kms-full-access", "no-such-check"} },
			`unknown check "no-such-check" in --checks; the checks are: ` + strings.Join(checkIDs(), ", ")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := base()
			tt.change(o)
			_, err := parseScanFlags("keywarden scan", o)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("parseScanFlags: %v", err)
			case tt.wantErr != "":
				var ue *UsageError
				if !errors.As(err, &ue) || ue.Error() != tt.wantErr {
					t.Fatalf("parseScanFlags: error %v (%T), want UsageError %q", err, err, tt.wantErr)
				}
			}
		})
	}
}

func TestSelectChecks(t *testing.T) {
	all, err := selectChecks(nil)
	if err != nil || len(all) != len(checks.All()) {
		t.Fatalf("selectChecks(nil) = %d checks, %v; want all %d", len(all), err, len(checks.All()))
	}
	got, err := selectChecks([]string{"iam-policy-kms-full-access", " iam-inline-policy-decrypt-all-keys", "iam-policy-kms-full-access"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range got {
		ids = append(ids, c.ID)
	}
	if diff := cmp.Diff([]string{"iam-policy-kms-full-access", "iam-inline-policy-decrypt-all-keys"}, ids); diff != "" {
		t.Errorf("selectChecks: in the order given, once each (-want +got):\n%s", diff)
	}
}

func TestCountFailing(t *testing.T) {
	f := func(sev checks.Severity, st checks.Status) checks.Finding {
		return checks.Finding{Severity: sev, Status: st}
	}
	fs := []checks.Finding{
		f(checks.Critical, checks.Pass),
		f(checks.High, checks.Fail),
		f(checks.Medium, checks.Fail),
		f(checks.Critical, checks.Unknown),
		f(checks.Low, checks.Unknown),
	}
	tests := []struct {
		threshold checks.Severity
		unknown   bool
		want      int
	}{
		{checks.Critical, false, 0},
		{checks.Critical, true, 1},
		{checks.High, false, 1},
		{checks.Medium, false, 2},
		{checks.Info, false, 2},
		{checks.Info, true, 4},
	}
	for _, tt := range tests {
		if got := countFailing(fs, tt.threshold, tt.unknown); got != tt.want {
			t.Errorf("countFailing(--fail-on %s, unknown %v) = %d, want %d", tt.threshold, tt.unknown, got, tt.want)
		}
	}
}

func TestWantColor(t *testing.T) {
	tty := func(io.Writer) bool { return true }
	notTTY := func(io.Writer) bool { return false }
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "NO_COLOR" {
				return v
			}
			return ""
		}
	}
	tests := []struct {
		name           string
		format, output string
		getenv         func(string) string
		isTTY          func(io.Writer) bool
		want           bool
	}{
		{"text to a terminal", "text", "", env(""), tty, true},
		{"not a terminal", "text", "", env(""), notTTY, false},
		{"NO_COLOR set", "text", "", env("1"), tty, false},
		{"to a file", "text", "report.txt", env(""), tty, false},
		{"json", "json", "", env(""), tty, false},
	}
	for _, tt := range tests {
		if got := wantColor(tt.format, tt.output, io.Discard, tt.getenv, tt.isTTY); got != tt.want {
			t.Errorf("%s: wantColor = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// BenchmarkScan scans the example account end to end: import, checks,
// JSON report.
func BenchmarkScan(b *testing.B) {
	root, err := filepath.Abs("../..")
	if err != nil {
		b.Fatal(err)
	}
	input := filepath.Join(root, exampleAccount)
	for b.Loop() {
		if code := Main(context.Background(), []string{"scan", "--input", input, "--format", "json"}, nil, io.Discard, io.Discard); code != ExitOK {
			b.Fatalf("scan exited %d, want 0", code)
		}
	}
}
