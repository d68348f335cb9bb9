package scenario

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// recordLines reads seq into "file:line: data" strings, errors as "error: ...".
func recordLines(t *testing.T, seq func(func(Record, error) bool)) []string {
	t.Helper()
	var out []string
	for rec, err := range seq {
		if err != nil {
			out = append(out, "error: "+err.Error())
			continue
		}
		out = append(out, fmt.Sprintf("%s:%d: %s", rec.File, rec.Line, rec.Data))
	}
	return out
}

func TestReadRecords(t *testing.T) {
	long := strings.Repeat("x", 3*chunkSize+17)
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"blank lines and spaces", "\n  \n\t\r\n", nil},
		{"lines", "{1}\n{2}\n", []string{"x.jsonl:1: {1}", "x.jsonl:2: {2}"}},
		{"no final line break", "{1}\n{2}", []string{"x.jsonl:1: {1}", "x.jsonl:2: {2}"}},
		{"carriage returns", "{1}\r\n\r\n{3}\r\n", []string{"x.jsonl:1: {1}", "x.jsonl:3: {3}"}},
		{"blank lines count", "\n\n{3}\n\n{5}\n\n", []string{"x.jsonl:3: {3}", "x.jsonl:5: {5}"}},
		{
			"lines longer than a chunk",
			"{1}\n" + long + "\n{3}\n" + long,
			[]string{"x.jsonl:1: {1}", "x.jsonl:2: " + long, "x.jsonl:3: {3}", "x.jsonl:4: " + long},
		},
	}
	readers := []struct {
		name string
		wrap func(io.Reader) io.Reader
	}{
		{"whole", func(r io.Reader) io.Reader { return r }},
		{"byte by byte", iotest.OneByteReader},
		{"half reads", iotest.HalfReader},
		{"data with EOF", iotest.DataErrReader},
	}
	for _, tt := range tests {
		for _, r := range readers {
			t.Run(tt.name+"/"+r.name, func(t *testing.T) {
				got := recordLines(t, ReadRecords("x.jsonl", r.wrap(strings.NewReader(tt.in))))
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("ReadRecords(%.40q) mismatch (-want +got):\n%s", tt.in, diff)
				}
			})
		}
	}
}

func TestReadRecordsReusesItsBuffer(t *testing.T) {
	// Over several buffers' worth of lines, each record is right at its
	// step, and its capacity ends with it: an append by the caller must
	// not write over the next line.
	var in strings.Builder
	var want []string
	for i := range 3 * chunkSize / 10 {
		line := fmt.Sprintf("{%07d}", i)
		in.WriteString(line + "\n")
		want = append(want, line)
	}
	var got []string
	for rec, err := range ReadRecords("x.jsonl", iotest.HalfReader(strings.NewReader(in.String()))) {
		if err != nil {
			t.Fatal(err)
		}
		if cap(rec.Data) != len(rec.Data) {
			t.Fatalf("line %d: capacity %d beyond its length %d", rec.Line, cap(rec.Data), len(rec.Data))
		}
		got = append(got, string(rec.Data))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

func TestReadRecordsError(t *testing.T) {
	failing := io.MultiReader(strings.NewReader("{1}\n{2"), iotest.ErrReader(errors.New("disk on fire")))
	got := recordLines(t, ReadRecords("x.jsonl", failing))
	want := []string{"x.jsonl:1: {1}", "error: read x.jsonl: disk on fire"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ReadRecords on a failing reader (-want +got):\n%s", diff)
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	one := write("one.json", "{\n  \"a\": 1\n}\n\n")
	lines := write("lines.JSONL", "{1}\n\n{3}\n")
	tests := []struct {
		name string
		file string
		want []string
	}{
		{"a .json file is one record", one, []string{one + ":1: {\n  \"a\": 1\n}\n\n"}},
		{"a .jsonl file is read line by line", lines, []string{lines + ":1: {1}", lines + ":3: {3}"}},
		{"missing", filepath.Join(dir, "nope.jsonl"), []string{"error: open " + filepath.Join(dir, "nope.jsonl") + ": no such file or directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, recordLines(t, ReadFile(tt.file))); diff != "" {
				t.Errorf("ReadFile(%s) mismatch (-want +got):\n%s", tt.file, diff)
			}
		})
	}
}

func TestRecordParse(t *testing.T) {
	// A record parses as Load parses it: the error names the file's line.
	bad := Record{File: "b.jsonl", Line: 7, Data: []byte(`{"name":"x","request":{"principal":"p","action":"kms:Decrypt","resource":"r"},"expect":"Maybe"}`)}
	_, err := bad.Parse()
	want := `b.jsonl:7:88: expect: invalid decision "Maybe" (want Allow, ImplicitDeny, ExplicitDeny or Unknown)`
	if err == nil || err.Error() != want {
		t.Errorf("Parse() error = %v, want %s", err, want)
	}
	good := Record{File: "g.jsonl", Line: 3, Data: []byte(`{"name":"x","request":{"principal":"p","action":"kms:Decrypt","resource":"r"}}`)}
	s, err := good.Parse()
	if err != nil || s.Name != "x" || s.Source.String() != "g.jsonl:3" {
		t.Errorf("Parse() = %q at %s, %v; want \"x\" at g.jsonl:3", s.Name, s.Source, err)
	}
}
