package escape

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	tests := []struct {
		name, in, text, block, fname string
	}{
		{"plain", "arn:aws:iam::111122223333:role/app", "arn:aws:iam::111122223333:role/app", "arn:aws:iam::111122223333:role/app", "arn:aws:iam::111122223333:role/app"},
		{"japanese", "鍵の管理者", "鍵の管理者", "鍵の管理者", "鍵の管理者"},
		{"terminal title and clear", "\x1b]0;title\a\x1b[2J", `\x1b]0;title\x07\x1b[2J`, `\x1b]0;title\x07\x1b[2J`, `\x1b]0;title\x07\x1b[2J`},
		{"forged line", "x\r\n\"ALLOW everything\"", `x\r\n"ALLOW everything"`, "x\\r\n\"ALLOW everything\"", `x\r\n"ALLOW everything"`},
		{"tab", "a\tb", `a\tb`, `a\tb`, `a\tb`},
		{"DEL and NUL", "a\x7fb\x00", `a\x7fb\x00`, `a\x7fb\x00`, `a\x7fb\x00`},
		{"C1 CSI", "a\u009b2Jb", `a\u009b2Jb`, `a\u009b2Jb`, `a\u009b2Jb`},
		{"bidi override", "user\u202egnp.exe", `user\u202egnp.exe`, `user\u202egnp.exe`, `user\u202egnp.exe`},
		{"bidi isolates and marks", "\u2066\u2067\u2068\u2069\u200e\u200f\u061c", `\u2066\u2067\u2068\u2069\u200e\u200f\u061c`, `\u2066\u2067\u2068\u2069\u200e\u200f\u061c`, `\u2066\u2067\u2068\u2069\u200e\u200f\u061c`},
		{"line separators", "a\u2028b\u2029", `a\u2028b\u2029`, `a\u2028b\u2029`, `a\u2028b\u2029`},
		{"invalid UTF-8", "a\xffb\xc3", `a\xffb\xc3`, `a\xffb\xc3`, `a\xffb\xc3`},
		{"backslash", `C:\x1b`, `C:\x1b`, `C:\x1b`, `C:\\x1b`},
		{"OSC 8 link", "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", `\x1b]8;;https://evil.example\x1b\click\x1b]8;;\x1b\`, `\x1b]8;;https://evil.example\x1b\click\x1b]8;;\x1b\`, `\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.in); got != tt.text {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.text)
			}
			if got := Block(tt.in); got != tt.block {
				t.Errorf("Block(%q) = %q, want %q", tt.in, got, tt.block)
			}
			if got := Name(tt.in); got != tt.fname {
				t.Errorf("Name(%q) = %q, want %q", tt.in, got, tt.fname)
			}
		})
	}
}

func TestArgs(t *testing.T) {
	got := fmt.Sprintf("%s %d %v %s %s", Args("a\x1bb", 42, []string{"x\ny"}, errors.New("e\u202e"), stringer("s\x07"))...)
	want := `a\x1bb 42 [x\ny] e\u202e s\x07`
	if got != want {
		t.Errorf("Sprintf over Args = %q, want %q", got, want)
	}
}

type stringer string

func (s stringer) String() string { return string(s) }

func TestJSON(t *testing.T) {
	in := map[string]string{"sid": "a\x7f\u0085\u202e\u2066b\x1b", "ok": "鍵 <&>"}
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	out := JSON(raw)
	for i, r := range string(out) {
		if Unsafe(r) {
			t.Fatalf("JSON(%s) = %s: %U at %d", raw, out, r, i)
		}
	}
	var back map[string]string
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatalf("JSON output is not JSON: %v\n%s", err, out)
	}
	if back["sid"] != in["sid"] || back["ok"] != in["ok"] {
		t.Errorf("JSON changed the values: got %q, want %q", back, in)
	}
	if clean := []byte(`{"a":"b"}`); &JSON(clean)[0] != &clean[0] {
		t.Errorf("JSON copied clean input")
	}
}

// FuzzText checks the promises of every escaping function: no unsafe
// character survives, newlines survive Block only, and clean text comes
// back unchanged.
func FuzzText(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b[31mred", "a\nb", "\u202e", "\xff", `\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range []struct {
			name string
			fn   func(string) string
			nl   bool
		}{{"Text", Text, false}, {"Block", Block, true}, {"Name", Name, false}} {
			got := c.fn(s)
			if !utf8.ValidString(got) {
				t.Fatalf("%s(%q) = %q: not UTF-8", c.name, s, got)
			}
			for _, r := range got {
				if Unsafe(r) && !(c.nl && r == '\n') {
					t.Fatalf("%s(%q) = %q holds %U", c.name, s, got, r)
				}
			}
			if c.nl && strings.Count(got, "\n") != strings.Count(s, "\n") {
				t.Fatalf("%s(%q) = %q changed the lines", c.name, s, got)
			}
		}
		if !strings.ContainsFunc(s, func(r rune) bool { return Unsafe(r) || r == utf8.RuneError }) && Text(s) != s {
			t.Fatalf("Text(%q) = %q changed clean text", s, Text(s))
		}
	})
}
