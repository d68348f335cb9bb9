package expect

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/keywarden/keywarden/internal/policy"
	"golang.org/x/tools/txtar"
)

// FuzzExpectations feeds any bytes to Parse, seeded from every file of
// testdata/parse, and checks its promises: it does not panic; an error
// comes without a file and is a non-empty policy.Errors whose every entry
// names the file, a line and a column; a file holds only complete rules,
// and written back by Encode it parses to the same rules.
func FuzzExpectations(f *testing.F) {
	files, err := filepath.Glob("testdata/parse/*.txtar")
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, sec := range ar.Files {
			if sec.Name == "expectations.yaml" {
				f.Add(sec.Data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("e.yaml", data)
		if err != nil {
			if file != nil {
				t.Fatalf("Parse returned a file with error %v", err)
			}
			var es policy.Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error %v (%T) is not a non-empty policy.Errors", err, err)
			}
			for _, e := range es {
				if e.Source != "e.yaml" || e.Line < 1 || e.Col < 1 {
					t.Fatalf("error %q is not located", e)
				}
			}
			return
		}
		for _, r := range file.Rules {
			if r.ID == "" || len(r.Keys) == 0 || r.Form == "" || r.Conditional == "" {
				t.Fatalf("incomplete rule accepted: %+v", r)
			}
			if r.Form != Separate && len(r.Operations) == 0 || r.Form == Separate && (len(r.Separate[0]) == 0 || len(r.Separate[1]) == 0) {
				t.Fatalf("rule without operations accepted: %+v", r)
			}
		}
		var b bytes.Buffer
		if err := Encode(&b, file, "header"); err != nil {
			t.Fatalf("Encode: %v", err)
		}
		again, err := Parse("e.yaml", b.Bytes())
		if err != nil {
			t.Fatalf("a parsed file written back does not parse: %v\n%s", err, b.String())
		}
		ignore := cmpopts.IgnoreFields(Rule{}, "Line", "Path", "Comment")
		ignoreSel := cmpopts.IgnoreFields(PrincipalSelector{}, "Line", "Comment")
		if diff := cmp.Diff(file.Rules, again.Rules, ignore, ignoreSel, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s\n%s", diff, b.String())
		}
	})
}
