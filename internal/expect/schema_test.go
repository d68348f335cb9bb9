package expect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xeipuuv/gojsonschema"
	"go.yaml.in/yaml/v3"
	"golang.org/x/tools/txtar"
)

// TestSchema holds docs/expectations.schema.json to the parser: every
// file Parse accepts (the valid cases of testdata/parse, the bundled
// examples, the access lock of internal/verify) is valid by the schema,
// and files with unknown fields, a second form or a bad kind are not.
func TestSchema(t *testing.T) {
	schema := gojsonschema.NewReferenceLoader("file://" + abs(t, "../../docs/expectations.schema.json"))
	check := func(name string, data []byte, wantValid bool) {
		t.Helper()
		var doc any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		res, err := gojsonschema.Validate(schema, gojsonschema.NewGoLoader(doc))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if res.Valid() != wantValid {
			t.Errorf("%s: schema says valid=%v, want %v: %v", name, res.Valid(), wantValid, res.Errors())
		}
	}
	var accepted []string
	files, _ := filepath.Glob("testdata/parse/*.txtar")
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var input []byte
		for _, f := range ar.Files {
			if f.Name == "expectations.yaml" {
				input = f.Data
			}
		}
		if _, err := Parse(file, input); err == nil {
			check(file, input, true)
			accepted = append(accepted, file)
		}
	}
	examples, _ := filepath.Glob("../../examples/*/expectations*.yaml")
	more, _ := filepath.Glob("../../examples/account/*/expectations.yaml")
	for _, file := range append(append(examples, more...), "../verify/testdata/lock.golden.yaml") {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(file, data); err != nil {
			t.Errorf("%s does not parse: %v", file, err)
		}
		check(file, data, true)
		accepted = append(accepted, file)
	}
	if len(accepted) < 6 {
		t.Errorf("only %d files checked: %v", len(accepted), accepted)
	}
	for _, bad := range []string{
		"version: 1\nexpectations:\n  - {id: x, keys: all, operations: use, only: [], never: [{kind: root}]}\n",
		"version: 1\nexpectations:\n  - {id: x, keys: all, operations: use, only: [{kind: anyon}]}\n",
		"version: 1\nexpectations:\n  - {id: x, keys: {alais: x}, operations: use, only: []}\n",
		"version: 1\nexpectations:\n  - {id: x, keys: all, separate: [use, administer], operations: use}\n",
		"version: 2\nexpectations: []\n",
	} {
		if _, err := Parse("bad.yaml", []byte(bad)); err == nil {
			t.Errorf("Parse accepted %q", bad)
		}
		check(strings.TrimSpace(bad), []byte(bad), false)
	}
}

func abs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.ToSlash(a)
}
