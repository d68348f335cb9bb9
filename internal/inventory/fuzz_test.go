package inventory

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/rogpeppe/go-internal/txtar"
)

// FuzzRead checks Read's promises on any input: it does not panic; an
// error comes without a snapshot and every error is located (the input's
// name and a line); a snapshot it accepts can be saved, read back equal,
// and saved again to the same bytes.
func FuzzRead(f *testing.F) {
	golden, err := os.ReadFile(goldenFile)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	f.Add([]byte(`{"version":1,"metadata":{"generatedAt":"2026-01-01T00:00:00Z","source":"x"},"accounts":[{"id":"111122223333"}]}`))
	archives, err := filepath.Glob("testdata/errors/*.txtar")
	if err != nil {
		f.Fatal(err)
	}
	for _, a := range archives {
		ar, err := txtar.ParseFile(a)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(ar.Files[0].Data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "fuzz.json"
		s, err := Read(name, bytes.NewReader(data))
		if err != nil {
			if s != nil {
				t.Fatalf("Read returned a snapshot with error %v", err)
			}
			var pe policy.Errors
			if !errors.As(err, &pe) || len(pe) == 0 {
				t.Fatalf("Read error %T %q is not a non-empty policy.Errors", err, err)
			}
			for _, e := range pe {
				if e.Source != name || e.Line < 1 || e.Col < 1 {
					t.Fatalf("error not located in %s: %+v", name, *e)
				}
			}
			return
		}
		var out bytes.Buffer
		if err := s.Save(&out); err != nil {
			t.Fatalf("Save of a snapshot Read accepted: %v", err)
		}
		again, err := Read(name, bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatalf("Read(Save(s)): %v\n%s", err, out.Bytes())
		}
		if diff := cmp.Diff(s, again, cmpSnapshots); diff != "" {
			t.Fatalf("Read(Save(s)) differs from s (-s +again):\n%s", diff)
		}
		var out2 bytes.Buffer
		if err := again.Save(&out2); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), out2.Bytes()) {
			t.Fatalf("Save is not stable:\n%s", cmp.Diff(out.String(), out2.String()))
		}
	})
}
