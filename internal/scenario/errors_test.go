package scenario

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/rogpeppe/go-internal/txtar"
)

var update = flag.Bool("update", false, "rewrite the error section of testdata/errors/*.txtar")

// TestErrors runs testdata/errors/*.txtar. Each archive holds one input
// file (its name, .json or .jsonl, is the name the errors must carry) and
// an "error" file with the exact expected message, one error per line.
func TestErrors(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/errors/*.txtar")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if len(ar.Files) != 2 || ar.Files[1].Name != "error" {
				t.Fatalf("%s: want two files, the input and \"error\"", file)
			}
			in := ar.Files[0]
			ss, err := Parse(in.Name, in.Data)
			if err == nil {
				t.Fatalf("Parse(%s) = %d scenarios, want an error", in.Name, len(ss))
			}
			if ss != nil {
				t.Errorf("Parse(%s) returned %d scenarios with its error, want none", in.Name, len(ss))
			}
			var pe policy.Errors
			if !errors.As(err, &pe) {
				t.Errorf("Parse(%s) error is %T, want policy.Errors", in.Name, err)
			}
			got := err.Error() + "\n"
			if *update {
				ar.Files[1].Data = []byte(got)
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if diff := cmp.Diff(string(ar.Files[1].Data), got); diff != "" {
				t.Errorf("Parse(%s) error mismatch (-want +got):\n%s", in.Name, diff)
			}
		})
	}
}
