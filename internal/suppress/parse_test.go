package suppress

import (
	"flag"
	"fmt"
	"github.com/keywarden/keywarden/internal/policy"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/parse/*.txtar")

// knownChecks stands for the registry in parse tests, so that they do not
// change when checks are added.
var knownChecks = []string{"grant-broad", "key-public", "key-rotation-disabled"}

// TestParse runs testdata/parse/*.txtar. Each case holds a comment saying
// what it proves, a suppressions.json, and the want section: the parsed
// suppressions, one line each (see dump), or the errors, one line each.
// -update rewrites want.
func TestParse(t *testing.T) {
	files, err := filepath.Glob("testdata/parse/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no test cases in testdata/parse")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var input []byte
			wantIdx := -1
			for i, f := range ar.Files {
				switch f.Name {
				case "suppressions.json":
					input = f.Data
				case "want":
					wantIdx = i
				default:
					t.Fatalf("unexpected section %q", f.Name)
				}
			}
			if input == nil || wantIdx < 0 {
				t.Fatal("needs a suppressions.json and a want section")
			}
			got := dump(Parse("suppressions.json", input, Options{KnownChecks: knownChecks}))
			if *update {
				ar.Files[wantIdx].Data = []byte(got)
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if diff := cmp.Diff(string(ar.Files[wantIdx].Data), got); diff != "" {
				t.Errorf("Parse(%s) (-want +got):\n%s", file, diff)
			}
		})
	}
}

// dump is the canonical text of a Parse result.
func dump(f *File, err error) string {
	var b strings.Builder
	if err != nil {
		if f != nil {
			fmt.Fprintf(&b, "BUG: a file was returned with the error\n")
		}
		es, ok := err.(policy.Errors)
		if !ok {
			return "error " + err.Error() + "\n"
		}
		for _, e := range es {
			fmt.Fprintf(&b, "error %s\n", e)
		}
		return b.String()
	}
	for _, s := range f.Suppressions {
		exp := "never"
		if !s.Expires.IsZero() {
			exp = s.Expires.Format("2006-01-02T15:04:05Z07:00")
		}
		fmt.Fprintf(&b, "[%d] line %d: check=%s resource=%s expires=%s reason=%q\n", s.Index, s.Line, s.Check, s.Resource, exp, s.Reason)
	}
	if len(f.Suppressions) == 0 {
		b.WriteString("no suppressions\n")
	}
	return b.String()
}

func TestParseUnknownChecksWithoutRegistry(t *testing.T) {
	t.Parallel()
	data := []byte(`{"version": 1, "suppressions": [{"check": "some-future-check", "resource": "*", "reason": "r"}]}`)
	if _, err := Parse("s.json", data, Options{}); err != nil {
		t.Errorf("without KnownChecks a well-formed ID is accepted; got %v", err)
	}
	if _, err := Parse("s.json", data, Options{KnownChecks: knownChecks}); err == nil {
		t.Error("with KnownChecks an unknown ID must be an error")
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "s.json")
	if err := os.WriteFile(path, []byte(`{"version": 1, "suppressions": [{"check": "*", "resource": "x", "reason": "r"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != path || len(f.Suppressions) != 1 {
		t.Errorf("Load(%s) = %+v", path, f)
	}
	if _, err := Load(filepath.Join(dir, "missing.json"), Options{}); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("Load of a missing file: error %v, want one naming the file", err)
	}
}
