package suppress

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/keywarden/keywarden/internal/policy"
)

// FuzzParse feeds any bytes to Parse, seeded from every file of
// testdata/parse, and checks its promises: it does not panic; an error
// comes without a file and is a non-empty policy.Errors whose every entry names
// the file and a line; a file holds only valid suppressions, and written
// back as JSON it parses to the same suppressions.
func FuzzParse(f *testing.F) {
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
			if sec.Name == "suppressions.json" {
				f.Add(sec.Data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("s.json", data, Options{KnownChecks: knownChecks})
		if err != nil {
			if file != nil {
				t.Fatalf("Parse returned a file with error %v", err)
			}
			es, ok := err.(policy.Errors)
			if !ok || len(es) == 0 {
				t.Fatalf("error %v (%T) is not a non-empty policy.Errors", err, err)
			}
			for _, e := range es {
				if e.Source != "s.json" || e.Line < 1 || e.Col < 1 {
					t.Fatalf("error %q is not located", e)
				}
			}
			return
		}
		for _, s := range file.Suppressions {
			if s.Check == "" || s.Resource == "" || strings.TrimSpace(s.Reason) == "" {
				t.Fatalf("invalid suppression accepted: %+v", s)
			}
			if s.Check != AnyCheck && !slices.Contains(knownChecks, s.Check) {
				t.Fatalf("unknown check accepted: %q", s.Check)
			}
		}
		again, err := Parse("s.json", marshal(t, file), Options{KnownChecks: knownChecks})
		if err != nil {
			t.Fatalf("a parsed file written back does not parse: %v", err)
		}
		ignorePlace := func(ss []Suppression) []Suppression {
			out := make([]Suppression, len(ss))
			for i, s := range ss {
				s.Line = 0
				out[i] = s
			}
			return out
		}
		if diff := cmp.Diff(ignorePlace(file.Suppressions), ignorePlace(again.Suppressions)); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s", diff)
		}
	})
}

// marshal writes a file in the documented format.
func marshal(t *testing.T, f *File) []byte {
	type entry struct {
		Check    string `json:"check"`
		Resource string `json:"resource"`
		Reason   string `json:"reason"`
		Expires  string `json:"expires,omitempty"`
	}
	out := struct {
		Version      int     `json:"version"`
		Suppressions []entry `json:"suppressions"`
	}{Version: FormatVersion, Suppressions: []entry{}}
	for _, s := range f.Suppressions {
		e := entry{Check: s.Check, Resource: s.Resource, Reason: s.Reason}
		if !s.Expires.IsZero() {
			e.Expires = s.Expires.Format(time.RFC3339Nano)
		}
		out.Suppressions = append(out.Suppressions, e)
	}
	data, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestMarshalRoundTrip pins that a sub-second expiry survives the fuzz
// target's round trip.
func TestMarshalRoundTrip(t *testing.T) {
	f := &File{Suppressions: []Suppression{{Check: "key-public", Resource: "*", Reason: "r", Expires: time.Date(2027, 1, 2, 3, 4, 5, 6, time.UTC)}}}
	got, err := Parse("s.json", marshal(t, f), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Suppressions[0].Expires.Equal(f.Suppressions[0].Expires) {
		t.Errorf("expires = %v, want %v", got.Suppressions[0].Expires, f.Suppressions[0].Expires)
	}
}
