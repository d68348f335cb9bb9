package engine_test

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/scenario"
)

var update = flag.Bool("update", false, "rewrite the explanation golden files of the scenario corpora")

// corpus is one set of scenario files and where its explanation goldens
// live.
type corpus struct {
	root, golden string
}

// TestScenarios decides every scenario of the engine's own corpus
// (testdata/scenarios), of the bundled examples and, when it is beside the
// repository, of the shared reference corpus, one subtest per file. Each
// decision is compared with the scenario's expected one, and the decision,
// rule, layer and every statement cited with the file's golden
// (testdata/explanations/…; go test -update rewrites them), so that a
// change of explanation shows in review as well as a change of decision.
func TestScenarios(t *testing.T) {
	t.Parallel()
	corpora := []corpus{
		{"testdata/scenarios", "testdata/explanations/own"},
		{"../../examples/scenarios", "testdata/explanations/examples"},
	}
	shared := filepath.Join("..", "..", "..", "shared")
	if _, err := os.Stat(shared); err == nil {
		corpora = append(corpora,
			corpus{filepath.Join(shared, "scenarios"), "testdata/explanations/shared"},
			corpus{filepath.Join(shared, "kms-authorization-examples.jsonl"), "testdata/explanations/shared"})
	} else {
		t.Logf("the shared reference corpus (%s) is absent; deciding only the project's own scenarios", shared)
	}
	for _, c := range corpora {
		files := scenarioFiles(t, c.root)
		if len(files) == 0 {
			t.Fatalf("%s holds no scenario file", c.root)
		}
		for _, f := range files {
			rel, _ := filepath.Rel(filepath.Dir(c.root), f)
			if rel == "." || strings.HasPrefix(rel, "..") {
				rel = filepath.Base(f)
			}
			t.Run(filepath.ToSlash(rel), func(t *testing.T) {
				t.Parallel()
				checkFile(t, f, filepath.Join(c.golden, rel+".golden"))
			})
		}
	}
}

func scenarioFiles(t *testing.T, root string) []string {
	t.Helper()
	info, err := os.Stat(root)
	if err != nil {
		t.Fatal(err)
	}
	if !info.IsDir() {
		return []string{root}
	}
	var out []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".jsonl")) {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func checkFile(t *testing.T, file, golden string) {
	scs, err := scenario.Load(file)
	if err != nil {
		t.Fatalf("load %s: %v", file, err)
	}
	var b strings.Builder
	for _, sc := range scs {
		got := engine.Decide(sc.Request, &sc.Policies)
		if sc.Expect != nil && got.Decision != *sc.Expect {
			t.Errorf("%s: decision %v, want %v\n  %s\n  reasons: %+v\n  notes: %v", sc.Name, got.Decision, *sc.Expect, got.Summary, got.Reasons, got.Notes)
		}
		fmt.Fprintf(&b, "%s: %s rule=%s layer=%q\n", sc.Name, got.Decision, got.Rule, got.Layer)
		for _, r := range got.Reasons {
			fmt.Fprintf(&b, "  %s %q #%d sid=%q %s %s", r.Layer, r.Policy, r.Statement, r.Sid, r.Effect, r.Kind)
			if len(r.Conditions) > 0 {
				fmt.Fprintf(&b, " if %q", r.Conditions)
			}
			b.WriteByte('\n')
		}
	}
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if d := cmp.Diff(string(want), b.String()); d != "" {
		t.Errorf("explanations of %s differ from %s (-want +got):\n%s", file, golden, d)
	}
}
