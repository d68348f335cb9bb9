package scenario

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/policy"
	"github.com/rogpeppe/go-internal/txtar"
)

// FuzzScenario checks the loader's promises on any input: it does not
// panic; an error comes without scenarios, and every error is located (the
// file, a line and a column); a scenario comes with what the engine needs.
func FuzzScenario(f *testing.F) {
	seeds, err := filepath.Glob("testdata/*.json*")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, strings.HasSuffix(s, ".jsonl"))
	}
	archives, err := filepath.Glob("testdata/errors/*.txtar")
	if err != nil {
		f.Fatal(err)
	}
	for _, a := range archives {
		ar, err := txtar.ParseFile(a)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(ar.Files[0].Data, strings.HasSuffix(ar.Files[0].Name, ".jsonl"))
	}
	f.Fuzz(func(t *testing.T, data []byte, lines bool) {
		name := "fuzz.json"
		if lines {
			name = "fuzz.jsonl"
		}
		ss, err := Parse(name, data)
		if err != nil {
			if ss != nil {
				t.Fatalf("Parse returned %d scenarios with error %v", len(ss), err)
			}
			var pe policy.Errors
			if !errors.As(err, &pe) || len(pe) == 0 {
				t.Fatalf("Parse error %T %q is not a non-empty policy.Errors", err, err)
			}
			for _, e := range pe {
				if e.Source != name || e.Line < 1 || e.Col < 1 {
					t.Fatalf("error not located in %s: %+v", name, *e)
				}
			}
			return
		}
		for _, s := range ss {
			r := s.Request
			if s.Name == "" || r.Principal == "" || r.Action == "" || r.Resource == "" {
				t.Fatalf("scenario at %s lacks a name or a request field: %+v", s.Source, r)
			}
			if s.Source.File != name || s.Source.Line < 1 {
				t.Fatalf("scenario %q has source %v", s.Name, s.Source)
			}
		}
	})
}
