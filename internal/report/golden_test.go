package report

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/keywarden/keywarden/internal/checks"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// writers are the formats under test, by golden-file extension.
var writers = []struct {
	ext   string
	write func(io.Writer, *Report) error
}{
	{"txt", func(w io.Writer, r *Report) error { return WriteText(w, r, Options{}) }},
	{"color.txt", func(w io.Writer, r *Report) error { return WriteText(w, r, Options{Color: true}) }},
	{"remediation-full.txt", func(w io.Writer, r *Report) error { return WriteText(w, r, Options{Full: true}) }},
	{"json", WriteJSON},
	{"sarif", WriteSARIF},
	{"html", WriteHTML},
}

var reports = []struct {
	name string
	make func() *Report
}{
	{"full", testReport},
	{"empty", emptyReport},
}

// TestGolden writes every report in every format and language and
// compares with testdata/<report>.<lang>.<ext>.golden. Run with -update
// to rewrite them, then read the diff.
func TestGolden(t *testing.T) {
	for _, rep := range reports {
		for _, lang := range []checks.Lang{checks.English, checks.Japanese} {
			for _, wr := range writers {
				name := rep.name + "." + string(lang) + "." + wr.ext
				t.Run(name, func(t *testing.T) {
					r := rep.make()
					r.Lang = lang
					var buf bytes.Buffer
					if err := wr.write(&buf, r); err != nil {
						t.Fatalf("write: %v", err)
					}
					golden(t, filepath.Join("testdata", name+".golden"), buf.Bytes())
				})
			}
		}
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

// TestInputOrder shows that the writers sort: the same report with every
// list reversed gives the same bytes.
func TestInputOrder(t *testing.T) {
	for _, wr := range writers {
		t.Run(wr.ext, func(t *testing.T) {
			a := testReport()
			b := testReport()
			slices.Reverse(b.Checks)
			slices.Reverse(b.Findings)
			slices.Reverse(b.Suppressed)
			slices.Reverse(b.ExpiredSuppressions)
			if slices.EqualFunc(a.Findings, b.Findings, func(x, y checks.Finding) bool { return x.Resource == y.Resource && x.Check == y.Check }) {
				t.Fatal("reversing did not change the input order")
			}
			var ba, bb bytes.Buffer
			if err := wr.write(&ba, a); err != nil {
				t.Fatal(err)
			}
			if err := wr.write(&bb, b); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(ba.String(), bb.String()); diff != "" {
				t.Errorf("output depends on input order (-original +reversed):\n%s", diff)
			}
		})
	}
}

// TestWritersDoNotModify shows that writing leaves the report as it was,
// so a caller can write one report in several formats.
func TestWritersDoNotModify(t *testing.T) {
	for _, wr := range writers {
		t.Run(wr.ext, func(t *testing.T) {
			r := testReport()
			if err := wr.write(io.Discard, r); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(testReport(), r); diff != "" {
				t.Errorf("writer changed the report (-before +after):\n%s", diff)
			}
		})
	}
}

// failingWriter fails every write, as a closed pipe does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestWriteErrors(t *testing.T) {
	for _, wr := range writers {
		t.Run(wr.ext, func(t *testing.T) {
			if err := wr.write(failingWriter{}, testReport()); err == nil {
				t.Error("write to a failing writer returned no error")
			}
		})
	}
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// TestColor shows that colour adds escape sequences and nothing else, and
// that without it there are none.
func TestColor(t *testing.T) {
	for _, lang := range []checks.Lang{checks.English, checks.Japanese} {
		t.Run(string(lang), func(t *testing.T) {
			r := testReport()
			r.Lang = lang
			var plain, color strings.Builder
			if err := WriteText(&plain, r, Options{}); err != nil {
				t.Fatal(err)
			}
			if err := WriteText(&color, r, Options{Color: true}); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(plain.String(), "\x1b") {
				t.Error("output without colour contains an escape character")
			}
			if !ansi.MatchString(color.String()) {
				t.Error("output with colour contains no colour")
			}
			if diff := cmp.Diff(plain.String(), ansi.ReplaceAllString(color.String(), "")); diff != "" {
				t.Errorf("colour changed the text (-plain +colour without escapes):\n%s", diff)
			}
		})
	}
}

// TestNoFindingLost shows that the text and HTML writers print every
// failed and undecided finding, even one whose severity is out of range.
func TestNoFindingLost(t *testing.T) {
	r := testReport()
	odd := r.Findings[0]
	odd.Severity = checks.Severity(9)
	odd.Resource = "arn:aws:kms:eu-west-1:111122223333:key/odd-severity"
	r.Findings = append(r.Findings, odd)
	for _, wr := range writers {
		t.Run(wr.ext, func(t *testing.T) {
			var b strings.Builder
			if err := wr.write(&b, r); err != nil {
				t.Fatal(err)
			}
			for _, f := range r.Findings {
				if f.Status != checks.Pass && !strings.Contains(b.String(), f.Resource) {
					t.Errorf("%s finding of %s on %s is missing", f.Status, f.Check, f.Resource)
				}
			}
		})
	}
}

// TestTextControlCharacters shows that text read from an account cannot
// send escape sequences to the terminal: an OSC sequence that would set
// the window title is printed as visible escapes.
func TestTextControlCharacters(t *testing.T) {
	osc := "\x1b]0;pwned\x07"
	r := testReport()
	r.Findings[1].Message.EN = "message " + osc
	r.Findings[1].Policy = "policy " + osc
	r.Findings[1].Explanation = []checks.Text{{EN: "reason " + osc, JA: "理由 " + osc}}
	r.Findings[1].Remediation.CLI = "aws iam put-role-policy " + osc + "\n  --role-name app"
	var b strings.Builder
	if err := WriteText(&b, r, Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(b.String(), "\x1b\x07") {
		t.Error("a control character from a finding reached the output")
	}
	if n := strings.Count(b.String(), `\x1b]0;pwned\x07`); n != 4 {
		t.Errorf("the escaped sequence appears %d times, want 4", n)
	}
	if !strings.Contains(b.String(), "\n          --role-name app\n") {
		t.Error("the newline of the command was not kept")
	}
}
