package report

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestJSONShape decodes the JSON report generically and checks the parts
// consumers rely on: the top-level fields in order, and every field of
// every finding present, whatever its value.
func TestJSONShape(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, testReport()); err != nil {
		t.Fatal(err)
	}
	wantTop := []string{"version", "tool", "generatedAt", "input", "lang", "summary", "checks", "findings", "suppressed", "expiredSuppressions"}
	if diff := cmp.Diff(wantTop, topLevelKeys(t, buf.Bytes())); diff != "" {
		t.Errorf("top-level fields (-want +got):\n%s", diff)
	}

	var doc struct {
		Version    int              `json:"version"`
		Findings   []map[string]any `json:"findings"`
		Suppressed []map[string]any `json:"suppressed"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != Version {
		t.Errorf("version = %d, want %d", doc.Version, Version)
	}
	if len(doc.Findings) != 10 || len(doc.Suppressed) != 2 {
		t.Fatalf("%d findings and %d suppressed, want 10 and 2", len(doc.Findings), len(doc.Suppressed))
	}
	required := []string{
		"check", "title", "severity", "control", "status", "resource", "account", "region", "principal",
		"policy", "statement", "message", "explanation", "missing", "remediation", "source", "fingerprint",
	}
	for i, f := range append(doc.Findings, doc.Suppressed...) {
		for _, k := range required {
			if _, ok := f[k]; !ok {
				t.Errorf("finding %d (%v) has no %q", i, f["check"], k)
			}
		}
	}
	for i, f := range doc.Suppressed {
		if _, ok := f["suppression"].(map[string]any); !ok {
			t.Errorf("suppressed finding %d has no suppression object", i)
		}
	}
}

func topLevelKeys(t *testing.T, data []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %v %v", tok, err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// TestJSONDocumented fails when docs/report-json.md does not mention a
// field the JSON report has: the documentation cannot fall behind.
func TestJSONDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/report-json.md")
	if err != nil {
		t.Fatal(err)
	}
	fields := jsonFields(reflect.TypeFor[jsonReport]())
	if !slices.Contains(fields, "fingerprint") || !slices.Contains(fields, "informationUri") {
		t.Fatalf("jsonFields missed nested fields: %v", fields)
	}
	for _, f := range fields {
		if !strings.Contains(string(doc), "| `"+f+"` |") {
			t.Errorf("docs/report-json.md has no table row for the field %q", f)
		}
	}
}

// jsonFields lists the JSON names of a type's fields, recursively.
func jsonFields(typ reflect.Type) []string {
	seen := map[string]bool{}
	var out []string
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ.String()] {
			return
		}
		seen[typ.String()] = true
		for f := range typ.Fields() {
			if f.Anonymous {
				walk(f.Type)
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name != "" && name != "-" && !slices.Contains(out, name) {
				out = append(out, name)
			}
			walk(f.Type)
		}
	}
	walk(typ)
	return out
}
