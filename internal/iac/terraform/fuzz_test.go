package terraform

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/policy"
)

// FuzzPlan reads arbitrary plans. Whatever the input: no panic; a plan
// that does not read gives an error; one that reads gives a change that
// applies to an empty account and whose snapshot reads back.
func FuzzPlan(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/plan*.json")
	examples, _ := filepath.Glob("../../../examples/iac/terraform/*/plan*.json")
	for _, s := range append(seeds, examples...) {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"format_version": "1.2", "resource_changes": []}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, _, err := readPlan("plan.json", data, Options{DefaultAccount: "111122223333", Region: "us-east-1"})
		if err != nil {
			var pe policy.Errors
			if errors.As(err, &pe) {
				for _, e := range pe {
					if e.Source == "" {
						t.Fatalf("error names no file: %v", e)
					}
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
