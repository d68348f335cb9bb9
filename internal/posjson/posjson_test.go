package posjson

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestParseValues(t *testing.T) {
	t.Parallel()
	v, err := Parse([]byte(`{"a": [1, -2.5e3, true, null, "x\u00e9\n\ud83d\ude00"], "b": {}}`))
	if err != nil {
		t.Fatal(err)
	}
	a := v.Get("a")
	got := []string{a.Elems[0].Str, a.Elems[1].Str, a.Elems[2].Str, a.Elems[3].Kind.String(), a.Elems[4].Str}
	want := []string{"1", "-2.5e3", "true", "null", "xé\n😀"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	if v.Get("b").Kind != Object || v.Get("missing") != nil {
		t.Error("Get is wrong")
	}
	if a.Offset != 6 || v.Members[1].KeyOffset != 56 {
		t.Errorf("offsets a=%d b-key=%d", a.Offset, v.Members[1].KeyOffset)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		offset int
		msg    string
	}{
		{`{"a":1,}`, 7, `unexpected '}' in object, expected a quoted key`},
		{`[1 2]`, 3, `unexpected '2' in array, expected ',' or ']'`},
		{`{"a" 1}`, 5, `unexpected '1' after object key, expected ':'`},
		{`"abc`, 4, `unterminated string`},
		{`01`, 1, `unexpected '1' after the JSON value`},
		{`tru`, 0, `invalid literal, expected true`},
		{``, 0, `unexpected end of input, expected a JSON value`},
		{`{"a":"\x"}`, 6, `invalid escape sequence in string`},
		{"\"a\tb\"", 2, `invalid control character in string`},
		{`[1.]`, 3, `invalid number: digit expected after the decimal point`},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.in))
		se, ok := err.(*SyntaxError)
		if !ok {
			t.Errorf("Parse(%q) error = %v, want a SyntaxError", tt.in, err)
			continue
		}
		if se.Offset != tt.offset || se.Msg != tt.msg {
			t.Errorf("Parse(%q) = offset %d %q, want offset %d %q", tt.in, se.Offset, se.Msg, tt.offset, tt.msg)
		}
	}
}

func TestLineCol(t *testing.T) {
	data := []byte("ab\ncdé\nf")
	tests := []struct{ off, line, col int }{{0, 1, 1}, {3, 2, 1}, {7, 2, 4}, {8, 3, 1}, {9, 3, 2}}
	for _, tt := range tests {
		if l, c := LineCol(data, tt.off); l != tt.line || c != tt.col {
			t.Errorf("LineCol(%d) = %d:%d, want %d:%d", tt.off, l, c, tt.line, tt.col)
		}
	}
}

// TestLines checks that a Lines answers as a fresh scan does, whatever
// the order of the offsets asked (onwards on a line, back, past the end).
func TestLines(t *testing.T) {
	data := []byte("ab\ncdé\n\nf\r\n日本語x\n")
	offsets := []int{0, 1, 2, 3, 5, 7, 8, 9, 12, 15, 18, 19, 20, 4, 0, 100, -1, 13, 14, 13}
	for off := range len(data) + 2 {
		offsets = append(offsets, off)
	}
	l := NewLines(data)
	for _, off := range offsets {
		want := naiveLineCol(data, off)
		line, col := l.LineCol(off)
		if got := [2]int{line, col}; got != want {
			t.Errorf("Lines.LineCol(%d) = %d:%d, want %d:%d", off, line, col, want[0], want[1])
		}
		if got := l.Line(off); got != want[0] {
			t.Errorf("Lines.Line(%d) = %d, want %d", off, got, want[0])
		}
	}
}

// TestLinesLongLine: far into a line longer than a mark's stretch, in any
// order, with characters of several bytes across the marks and bytes
// that are not UTF-8, a Lines still answers as a fresh scan does.
func TestLinesLongLine(t *testing.T) {
	t.Parallel()
	var b []byte
	b = append(b, "short\n"...)
	for i := 0; b != nil && len(b) < 5*markStep; i++ {
		switch i % 7 {
		case 0:
			b = append(b, "日本語"...)
		case 3:
			b = append(b, 0xff, 'x', 0xe6) // invalid, then a cut character
		default:
			b = append(b, `{"a":1},`...)
		}
	}
	b = append(b, "\nend"...)
	rng := rand.New(rand.NewPCG(1, 2))
	l := NewLines(b)
	for range 2000 {
		off := rng.IntN(len(b) + 1)
		for off < len(b) && !utf8.RuneStart(b[off]) {
			off++
		}
		want := naiveLineCol(b, off)
		if line, col := l.LineCol(off); [2]int{line, col} != want {
			t.Fatalf("Lines.LineCol(%d) = %d:%d, want %d:%d", off, line, col, want[0], want[1])
		}
	}
}

// BenchmarkLinesOneLine locates offsets in no order on a 4 MiB document
// written on one line, as a minified export is: each costs a bounded
// count, not a count from the start of the line.
func BenchmarkLinesOneLine(b *testing.B) {
	data := bytes.Repeat([]byte(`{"PolicyName":"kms","Document":"x"},`), 4<<20/36)
	offsets := make([]int, 4096)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range offsets {
		offsets[i] = rng.IntN(len(data))
	}
	b.ResetTimer()
	for range b.N {
		l := NewLines(data)
		for _, off := range offsets {
			l.LineCol(off)
		}
	}
}

// naiveLineCol is the definition: count newlines and characters from the
// start.
func naiveLineCol(data []byte, off int) [2]int {
	off = max(0, min(off, len(data)))
	line, start := 1, 0
	for i := range off {
		if data[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return [2]int{line, len([]rune(string(data[start:off]))) + 1}
}

// FuzzParse: posjson accepts exactly what encoding/json accepts, and
// strings decode to the same text.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":null}]}`, `"\ud800"`, `[true,false,-0.5E+2]`, `{"a":"\u00e9"}`, `  1  `, `{"a":1,"a":2}`} {
		f.Add([]byte(s))
	}
	// A Parser that has parsed every earlier input must give the same
	// tree as Parse.
	var reused Parser
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Parse(data)
		if (err == nil) != json.Valid(data) {
			t.Fatalf("Parse error %v, json.Valid %v for %q", err, json.Valid(data), data)
		}
		rv, rerr := reused.Parse(data)
		if (rerr == nil) != (err == nil) {
			t.Fatalf("Parser.Parse error %v, Parse error %v for %q", rerr, err, data)
		}
		if err != nil {
			return
		}
		if diff := cmp.Diff(tree(v), tree(rv)); diff != "" {
			t.Fatalf("Parser.Parse(%q) differs from Parse (-Parse +Parser):\n%s", data, diff)
		}
		if v.Kind == String {
			var s string
			if err := json.Unmarshal(data, &s); err != nil {
				t.Fatal(err)
			}
			if s != v.Str {
				t.Fatalf("string %q, encoding/json says %q", v.Str, s)
			}
		}
	})
}
