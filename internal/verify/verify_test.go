package verify

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/expect"
	"github.com/keywarden/keywarden/internal/inventory"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/cases/*.txtar")

// now is the time of every test: findings about key deletion dates and
// suppressions do not move.
var now = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

// TestCases runs testdata/cases/*.txtar: each holds a comment saying what
// it proves, an expectations.yaml, optionally a snapshot section naming
// the account file of testdata to use (account.json by default), and the
// want section: every rule's outcome with its counterexamples, one line
// each (see dump). -update rewrites want.
func TestCases(t *testing.T) {
	files, err := filepath.Glob("testdata/cases/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no cases in testdata/cases")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var yaml []byte
			snapshot, wantIdx := "account.json", -1
			for i, f := range ar.Files {
				switch f.Name {
				case "expectations.yaml":
					yaml = f.Data
				case "snapshot":
					snapshot = strings.TrimSpace(string(f.Data))
				case "want":
					wantIdx = i
				default:
					t.Fatalf("unexpected section %q", f.Name)
				}
			}
			if yaml == nil || wantIdx < 0 {
				t.Fatal("needs an expectations.yaml and a want section")
			}
			f, err := expect.Parse("expectations.yaml", yaml)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Verify(context.Background(), index(t, filepath.Join("testdata", snapshot)), f, Options{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			got := dump(res)
			if *update {
				ar.Files[wantIdx].Data = []byte(got)
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if diff := cmp.Diff(string(ar.Files[wantIdx].Data), got); diff != "" {
				t.Errorf("Verify(%s) (-want +got):\n%s", file, diff)
			}
		})
	}
}

func index(t testing.TB, path string) *access.Index {
	t.Helper()
	snap, err := inventory.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := access.New(snap)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// dump is the canonical text of a result: each rule's status, then each
// counterexample with its explanations' decisions and summaries and its
// fix, then the caveats.
func dump(res *Result) string {
	var b strings.Builder
	for _, rr := range res.Rules {
		fmt.Fprintf(&b, "RULE %s %s keys=%d\n", rr.Rule.ID, rr.Status, rr.Keys)
		for _, list := range []struct {
			label string
			cs    []Counterexample
		}{{"VIOLATION", rr.Violations}, {"UNKNOWN", rr.Unknown}} {
			for _, c := range list.cs {
				name := c.Name()
				if c.Partial {
					name += " (in part)"
				}
				if c.Selector != "" {
					name += " [" + c.Selector + "]"
				}
				fmt.Fprintf(&b, "  %s %s %s | %s | %s\n", list.label, c.Problem, name, strings.Join(c.Actions, ", "), c.KeyName)
				for _, e := range c.Explanations {
					cond := ""
					if e.Conditional {
						cond = " (conditional: " + strings.Join(e.Conditions, "; ") + ")"
					}
					fmt.Fprintf(&b, "    %s %s%s: %s\n", strings.Join(e.Actions, ", "), e.Decision, cond, e.Summary)
				}
				if c.Fix != nil {
					fmt.Fprintf(&b, "    fix %s: %s\n", c.Fix.Check, c.Fix.Remediation.Summary.EN)
				}
			}
		}
		for _, c := range rr.Caveats {
			fmt.Fprintf(&b, "  CAVEAT %s\n", c)
		}
	}
	return b.String()
}
