package cli

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/engine"
)

// TestJSONSchemaDocumented keeps docs/simulate-json.md in step with the
// types that --format json writes: every JSON field must have its row.
func TestJSONSchemaDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/simulate-json.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []reflect.Type{
		reflect.TypeFor[jsonVerdict](),
		reflect.TypeFor[engine.Result](),
		reflect.TypeFor[engine.Reason](),
	} {
		for f := range typ.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			if !strings.Contains(string(doc), "| `"+name+"` |") {
				t.Errorf("docs/simulate-json.md has no row for %s field %q", typ, name)
			}
		}
	}
}
