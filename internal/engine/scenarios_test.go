package engine_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/scenario"
)

// TestScenarios decides every scenario of the engine's own corpus
// (testdata/scenarios) and, when it is beside the repository, the shared
// reference corpus, and compares each decision with the expected one.
func TestScenarios(t *testing.T) {
	t.Parallel()
	paths := []string{"testdata/scenarios", "../../examples/scenarios"}
	shared := filepath.Join("..", "..", "..", "shared")
	if _, err := os.Stat(shared); err == nil {
		paths = append(paths, filepath.Join(shared, "scenarios"), filepath.Join(shared, "kms-authorization-examples.jsonl"))
	} else {
		t.Logf("the shared reference corpus (%s) is absent; deciding only the project's own scenarios", shared)
	}
	for _, path := range paths {
		scs, err := scenario.Load(path)
		if err != nil {
			t.Fatalf("load %s: %v", path, err)
		}
		if len(scs) == 0 {
			t.Fatalf("%s holds no scenario", path)
		}
		for _, sc := range scs {
			if sc.Expect == nil {
				continue
			}
			got := engine.Decide(sc.Request, &sc.Policies)
			if got.Decision != *sc.Expect {
				t.Errorf("%s (%s): decision %v, want %v\n  %s\n  reasons: %+v\n  notes: %v", sc.Name, sc.Source, got.Decision, *sc.Expect, got.Summary, got.Reasons, got.Notes)
			}
		}
	}
}
