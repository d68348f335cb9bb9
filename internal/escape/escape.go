// Package escape makes text that keywarden did not write safe to show: a
// role name, a Sid, a tag, a key description or a file name comes from
// whoever controls an account or an export, and keywarden's output goes to
// terminals, CI logs and code-scanning dashboards.
//
// Every character that could drive a terminal or change how the text
// around it reads is shown visibly instead, as an escape:
//
//   - C0 controls and DEL: \n, \r, \t, and \xHH for the others (ESC is \x1b);
//   - C1 controls (U+0080–U+009F): \u0085;
//   - bidirectional formatting characters, which reorder what is shown
//     ("Trojan Source"): U+061C, U+200E, U+200F, U+202A–U+202E,
//     U+2066–U+2069, shown as \u202e;
//   - the line and paragraph separators U+2028 and U+2029, which some
//     viewers break lines at;
//   - bytes that are not UTF-8: \xHH.
//
// Text is the function for every value written into text output, on
// standard output and on standard error; Name is the one for file and
// directory names. Block keeps the line breaks of multi-line text whose
// lines the output itself lays out (a command, a policy). JSON does the
// same for JSON that encoding/json wrote, whose strings may hold these
// characters raw.
//
// Decoration that keywarden adds (its own colours) is never passed
// through these functions: values are escaped, then decorated.
//
// The package is a leaf: it imports only the standard library, and every
// package of keywarden may import it.
package escape

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Text returns s with every control, bidirectional formatting character,
// line separator and invalid byte replaced by a visible escape (see the
// package comment). Newlines and tabs are escaped too: a value never
// starts a line of its own.
func Text(s string) string { return escape(s, false, false) }

// Block is Text for multi-line text whose lines the output lays out, such
// as a command or a policy shown as code: newlines are kept, everything
// else Text escapes is escaped (tabs included).
func Block(s string) string { return escape(s, true, false) }

// Name returns a file or directory name fit to show: what Text escapes,
// plus the backslash, doubled, so that the name shown stands for exactly
// one name on disk (a name holding the four characters \x1b is not shown
// as a name holding ESC).
func Name(s string) string { return escape(s, false, true) }

// Strings applies Text to each string; nil stays nil.
func Strings(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = Text(s)
	}
	return out
}

// Unsafe reports whether r is a character Text shows as an escape.
func Unsafe(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

const hexDigits = "0123456789abcdef"

func escape(s string, keepNewline, backslash bool) string {
	if clean(s, keepNewline, backslash) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == '\n' && keepNewline:
				b.WriteByte(c)
			case c == '\\' && backslash:
				b.WriteString(`\\`)
			case c == '\n':
				b.WriteString(`\n`)
			case c == '\r':
				b.WriteString(`\r`)
			case c == '\t':
				b.WriteString(`\t`)
			case c < 0x20 || c == 0x7f:
				b.WriteString(`\x`)
				b.WriteByte(hexDigits[c>>4])
				b.WriteByte(hexDigits[c&0xf])
			default:
				b.WriteByte(c)
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\x`)
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
		case Unsafe(r):
			writeU(&b, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// writeU writes \uXXXX; every rune Unsafe reports above ASCII fits in
// four hex digits.
func writeU(b *strings.Builder, r rune) {
	b.WriteString(`\u`)
	for shift := 12; shift >= 0; shift -= 4 {
		b.WriteByte(hexDigits[(r>>shift)&0xf])
	}
}

// clean reports whether escape would return s unchanged.
func clean(s string, keepNewline, backslash bool) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && !(c == '\n' && keepNewline)) || c == 0x7f || (c == '\\' && backslash) {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || Unsafe(r) {
			return false
		}
		i += n
	}
	return true
}

// JSON rewrites JSON text written by encoding/json so that it holds no
// character Text would escape: encoding/json escapes C0 controls, U+2028
// and U+2029 and invalid UTF-8 itself, but writes DEL, the C1 controls and
// the bidirectional formatting characters raw, and GitHub, browsers and
// terminals act on those when they show the file. Outside strings,
// encoding/json writes only ASCII punctuation, digits, letters and
// whitespace, so every such character is inside a string, where \uXXXX
// stands for the same character: the JSON decodes to the same values.
func JSON(data []byte) []byte {
	if !needsJSON(data) {
		return data
	}
	out := make([]byte, 0, len(data)+32)
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if c == 0x7f {
				out = append(out, `\u007f`...)
			} else {
				out = append(out, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(data[i:])
		if Unsafe(r) {
			out = append(out, '\\', 'u')
			for shift := 12; shift >= 0; shift -= 4 {
				out = append(out, hexDigits[(r>>shift)&0xf])
			}
		} else {
			out = append(out, data[i:i+n]...)
		}
		i += n
	}
	return out
}

func needsJSON(data []byte) bool {
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if c == 0x7f {
				return true
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(data[i:])
		if Unsafe(r) {
			return true
		}
		i += n
	}
	return false
}

// Args returns fmt arguments with every value that prints as text passed
// through Text: strings, errors, fmt.Stringers and lists of strings; any
// other value that is not a number or a boolean is formatted with %v
// first. Numbers and booleans are left as they are, so that verbs such as
// %d keep working. It is for format strings that keywarden writes around
// values it did not:
//
//	fmt.Fprintf(w, "%s  %s\n", escape.Args(decision, principal)...)
func Args(args ...any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case nil:
			out[i] = v
		case string:
			out[i] = Text(v)
		case []string:
			out[i] = Strings(v)
		case error, fmt.Stringer:
			// Through fmt, which copes with a nil pointer receiver.
			out[i] = Text(fmt.Sprint(v))
		case bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, uintptr, float32, float64:
			out[i] = v
		default:
			out[i] = Text(fmt.Sprint(v))
		}
	}
	return out
}
