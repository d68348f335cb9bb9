package expect

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keywarden/keywarden/internal/policy"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/parse/*.txtar")

// TestParse runs testdata/parse/*.txtar. Each case holds a comment saying
// what it proves, an expectations.yaml, and the want section: the rules
// as Encode writes them, each preceded by its line and path, or the
// errors, one a line. -update rewrites want.
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
				case "expectations.yaml":
					input = f.Data
				case "want":
					wantIdx = i
				default:
					t.Fatalf("unexpected section %q", f.Name)
				}
			}
			if input == nil || wantIdx < 0 {
				t.Fatal("needs an expectations.yaml and a want section")
			}
			f, perr := Parse("expectations.yaml", input)
			got := dump(t, f, perr)
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
func dump(t *testing.T, f *File, err error) string {
	var b strings.Builder
	if err != nil {
		if f != nil {
			b.WriteString("BUG: a file was returned with the error\n")
		}
		var es policy.Errors
		if !errors.As(err, &es) {
			return "error " + err.Error() + "\n"
		}
		for _, e := range es {
			b.WriteString(e.Error() + "\n")
		}
		return b.String()
	}
	for _, r := range f.Rules {
		fmt.Fprintf(&b, "# %s line %d\n", r.Path, r.Line)
	}
	if err := Encode(&b, f, ""); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
