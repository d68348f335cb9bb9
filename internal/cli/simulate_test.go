package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/scenario"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func TestNewSimulateCmd(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    simulateOptions
		wantErr string
	}{
		{
			name: "defaults",
			args: []string{"a.json", "dir"},
			want: simulateOptions{Paths: []string{"a.json", "dir"}, Format: "text"},
		},
		{
			name: "json quiet",
			args: []string{"--format", "json", "-q", "-"},
			want: simulateOptions{Paths: []string{"-"}, Format: "json", Quiet: true},
		},
		{
			name: "flags after paths",
			args: []string{"a.jsonl", "--quiet", "--format=text"},
			want: simulateOptions{Paths: []string{"a.jsonl"}, Format: "text", Quiet: true},
		},
		{name: "no path", args: nil, wantErr: "simulate needs at least one scenario file or directory"},
		{name: "bad format", args: []string{"--format", "sarif", "a.json"}, wantErr: `invalid --format "sarif" (want text or json)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *simulateOptions
			cmd := newSimulateCmd(streams{}, func(_ context.Context, o *simulateOptions) error {
				got = o
				return nil
			})
			cmd.SetArgs(tt.args)
			cmd.SetOut(new(bytes.Buffer))
			cmd.SetErr(new(bytes.Buffer))
			cmd.SilenceErrors, cmd.SilenceUsage = true, true
			err := cmd.Execute()
			if tt.wantErr != "" {
				var ue *UsageError
				if !errors.As(err, &ue) || ue.Error() != tt.wantErr {
					t.Fatalf("simulate %q: error %v (%T), want UsageError %q", tt.args, err, err, tt.wantErr)
				}
				if got != nil {
					t.Errorf("simulate %q ran despite the usage error", tt.args)
				}
				return
			}
			if err != nil {
				t.Fatalf("simulate %q: %v", tt.args, err)
			}
			if diff := cmp.Diff(tt.want, *got, cmp.AllowUnexported(simulateOptions{})); diff != "" {
				t.Errorf("simulate %q options mismatch (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}

// sampleVerdicts covers every shape of output: pass, fail, no expectation,
// reasons with and without Sid, a grant, conditions, notes, missing inputs
// and parts. The results are made up: the writers, not the engine, are
// under test.
func sampleVerdicts() []verdict {
	allow, implicit := engine.Allow, engine.ImplicitDeny
	sc := func(name string, line int, expect *engine.Decision) *scenario.Scenario {
		return &scenario.Scenario{Name: name, Source: scenario.Source{File: "s/batch.jsonl", Line: line}, Expect: expect}
	}
	return []verdict{
		{sc("setting1-upload", 1, &allow), engine.Result{
			Decision: engine.Allow, Layer: engine.LayerIdentity, Rule: engine.RuleDelegation,
			Summary: "allowed: the key policy delegates to the account and IAM allows",
			Reasons: []engine.Reason{
				{Layer: engine.LayerKeyPolicy, Policy: "key policy", Statement: 0, Sid: "Enable IAM User Permissions", Effect: "Allow", Role: "delegates to account 111122223333"},
				{Layer: engine.LayerIdentity, Policy: "identity policy #0", Statement: 1, Effect: "Allow", Role: "allows kms:GenerateDataKey on this key"},
			},
		}},
		{sc("grant-wrong-expectation", 2, &allow), engine.Result{
			Decision: engine.ImplicitDeny, Layer: engine.LayerKeyPolicy, Rule: engine.RuleNoKeyPolicyAllow,
			Summary: "implicitly denied: nothing allows <kms:Decrypt> & co",
			Notes:   []string{"[U] a note about AWS behaviour"},
		}},
		{sc("adhoc", 4, nil), engine.Result{
			Decision: engine.Allow, Layer: engine.LayerGrant, Rule: engine.RuleGrant,
			Summary:     "allowed if the encryption context matches",
			Reasons:     []engine.Reason{{Layer: engine.LayerGrant, Policy: "grant #0", Statement: -1, Effect: "Allow", Role: "allows Decrypt", Conditions: []string{"kms:EncryptionContext:Department = Finance"}}},
			Conditional: true,
			Conditions:  []string{"the request's encryption context satisfies the grant's constraint"},
		}},
		{sc("alias", 5, &implicit), engine.Result{
			Decision: engine.Unknown, Layer: engine.LayerKeyPolicy, Rule: engine.RuleMissingInput,
			Summary: "unknown: key policy: not given",
			Missing: []string{"key policy: not given"},
		}},
	}
}

// printVerdicts prints sampleVerdicts as simulate does: each verdict, then
// the summary.
func printVerdicts(f verdictFormat) func(*bytes.Buffer) error {
	return func(b *bytes.Buffer) error {
		var n counts
		vs := sampleVerdicts()
		for i := range vs {
			n[vs[i].Status()]++
			if err := f.verdict(b, &vs[i]); err != nil {
				return err
			}
		}
		return f.summary(b, n)
	}
}

func TestWriters(t *testing.T) {
	tests := []struct {
		golden string
		write  func(*bytes.Buffer) error
	}{
		{"simulate.txt.golden", printVerdicts(verdictFormat{})},
		{"simulate-quiet.txt.golden", printVerdicts(verdictFormat{quiet: true})},
		{"simulate.jsonl.golden", printVerdicts(verdictFormat{json: true})},
		{"simulate-quiet.jsonl.golden", printVerdicts(verdictFormat{json: true, quiet: true})},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			var got bytes.Buffer
			if err := tt.write(&got); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got.String()); diff != "" {
				t.Errorf("output differs from %s (-want +got):\n%s", path, diff)
			}
		})
	}
}

func TestExitCode(t *testing.T) {
	many := make(policy.Errors, maxInputErrors+2)
	for i := range many {
		many[i] = &policy.Error{Source: "b.jsonl", Line: i + 1, Col: 1, Msg: "bad"}
	}
	var manyWant strings.Builder
	for _, e := range many[:maxInputErrors] {
		fmt.Fprintln(&manyWant, e)
	}
	manyWant.WriteString("keywarden: 2 more errors not shown\n")

	tests := []struct {
		name       string
		err        error
		wantCode   int
		wantStderr string
	}{
		{"success", nil, ExitOK, ""},
		{"failed expectations", &failedError{failed: 3}, ExitFailed, ""},
		{
			"usage",
			&UsageError{Command: "keywarden simulate", Err: errors.New("simulate needs a path")},
			ExitError,
			"keywarden: simulate needs a path\nRun 'keywarden simulate --help' for usage.\n",
		},
		{
			"located input errors, in the order given",
			&InputError{Err: policy.Errors{
				{Source: "b.jsonl", Path: "expect", Line: 3, Col: 9, Msg: "invalid decision"},
				{Source: "a.json", Path: "name", Line: 1, Col: 2, Msg: "must be a string"},
			}},
			ExitError,
			"b.jsonl:3:9: expect: invalid decision\na.json:1:2: name: must be a string\n",
		},
		{"too many input errors", &InputError{Err: many}, ExitError, manyWant.String()},
		{
			"unreadable input",
			&InputError{Err: fmt.Errorf("stat x.json: %w", os.ErrNotExist)},
			ExitError,
			"keywarden: stat x.json: file does not exist\n",
		},
		{"anything else", errors.New("write results: broken pipe"), ExitError, "keywarden: write results: broken pipe\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if got := exitCode(tt.err, &stderr); got != tt.wantCode {
				t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.wantCode)
			}
			if diff := cmp.Diff(tt.wantStderr, stderr.String()); diff != "" {
				t.Errorf("exitCode(%v) stderr mismatch (-want +got):\n%s", tt.err, diff)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	if got := Version(); got == "" {
		t.Errorf("Version() is empty; want the build's version or \"dev\"")
	}
	defer func(v string) { version = v }(version)
	version = "v1.2.3"
	if got := Version(); got != "v1.2.3" {
		t.Errorf("Version() with -X version=v1.2.3 = %q, want %q", got, "v1.2.3")
	}
}

// TestMainDecides runs Main in-process on the scenario package's own
// fixtures: Main wires loading, deciding and writing, and counts.
func TestMainDecides(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"simulate", "-q", "../scenario/testdata/tree"}, strings.NewReader(""), &stdout, &stderr)
	if code != ExitOK || stderr.Len() > 0 {
		t.Fatalf("Main(simulate tree) = %d, stderr %q; want 0 and no stderr", code, stderr.String())
	}
	if got, want := stdout.String(), "0 passed, 0 failed, 4 without expectation\n"; got != want {
		t.Errorf("Main(simulate -q tree) stdout = %q, want %q", got, want)
	}
}
