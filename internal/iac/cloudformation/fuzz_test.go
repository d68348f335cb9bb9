package cloudformation

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/policy"
	"golang.org/x/tools/txtar"
)

// FuzzTemplate reads arbitrary templates. Whatever the input: no panic; an
// error is policy.Errors naming the template; a template that reads gives
// a change that applies to an empty account and whose snapshot reads back.
func FuzzTemplate(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.yaml")
	more, _ := filepath.Glob("testdata/*.json")
	examples, _ := filepath.Glob("../../../examples/iac/cloudformation/*")
	for _, s := range append(append(seeds, more...), examples...) {
		if filepath.Ext(s) == ".json" && bytes.Contains(mustRead(f, s), []byte(`"version": 2`)) {
			continue // a golden snapshot, not a template
		}
		f.Add(mustRead(f, s))
	}
	errs, _ := filepath.Glob("testdata/errors/*.txtar")
	for _, e := range errs {
		ar, err := txtar.ParseFile(e)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(ar.Files[0].Data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const file = "t.yaml"
		if len(data) > MaxTemplateSize {
			return
		}
		c, _, err := readSources([]source{{file, data}}, Options{Account: "111122223333", Region: "us-east-1", Parameters: map[string]string{}})
		if err != nil {
			var pe policy.Errors
			if !errors.As(err, &pe) || len(pe) == 0 {
				t.Fatalf("error %T is not policy.Errors: %v", err, err)
			}
			for _, e := range pe {
				if e.Source != file && e.Source != "--parameter" {
					t.Fatalf("error does not name the template: %v", e)
				}
			}
			return
		}
		s, _, err := inventory.Apply(nil, c)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := s.Save(&b); err != nil {
			t.Fatal(err)
		}
		if _, err := inventory.Read("snapshot.json", &b); err != nil {
			t.Fatalf("the snapshot does not read back: %v", err)
		}
	})
}

func mustRead(f *testing.F, name string) []byte {
	b, err := os.ReadFile(name)
	if err != nil {
		f.Fatal(err)
	}
	return b
}
