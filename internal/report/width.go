package report

import (
	"strings"
	"unicode"
)

// displayWidth is the number of terminal columns s takes: two for East
// Asian wide and full-width characters, zero for combining marks and ANSI
// colour sequences, one for the rest. It is the subset of Unicode's East
// Asian Width (UAX #11) that Japanese text uses; ambiguous characters
// count as narrow, as most terminals draw them.
func displayWidth(s string) int {
	n := 0
	inEscape := false
	for _, r := range s {
		switch {
		case inEscape:
			// An SGR sequence is ESC [ parameters, ended by a letter.
			inEscape = !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z')
		case r == 0x1b:
			inEscape = true
		default:
			n += runeWidth(r)
		}
	}
	return n
}

func runeWidth(r rune) int {
	switch {
	case r < 0x20 || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || r == 0x200B:
		return 0
	case r >= 0x1100 && r <= 0x115F, // Hangul Jamo
		r >= 0x2E80 && r <= 0x303E, // CJK radicals, punctuation
		r >= 0x3041 && r <= 0x33FF, // kana, CJK symbols
		r >= 0x3400 && r <= 0x4DBF, // CJK extension A
		r >= 0x4E00 && r <= 0x9FFF, // CJK unified ideographs
		r >= 0xA000 && r <= 0xA4CF, // Yi
		r >= 0xAC00 && r <= 0xD7A3, // Hangul syllables
		r >= 0xF900 && r <= 0xFAFF, // CJK compatibility ideographs
		r >= 0xFE30 && r <= 0xFE4F, // CJK compatibility forms
		r >= 0xFF00 && r <= 0xFF60, // full-width forms
		r >= 0xFFE0 && r <= 0xFFE6,
		r >= 0x1F300 && r <= 0x1F64F, // pictographs, emoticons
		r >= 0x1F900 && r <= 0x1F9FF,
		r >= 0x20000 && r <= 0x3FFFD:
		return 2
	}
	return 1
}

// noBreakBefore are characters a Japanese line must not start with
// (kinsoku shori): closing brackets and sentence punctuation.
const noBreakBefore = "、。，．・：；？！）］｝」』】〕〉》ー々ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ" +
	")]},.:;!?"

// wrap breaks s into lines of at most width columns. It breaks at spaces,
// and between wide characters as Japanese allows; a word longer than the
// width (an ARN) gets a line of its own rather than being cut.
func wrap(s string, width int) []string {
	var (
		lines   []string
		line    strings.Builder
		lineW   int
		pending bool // a space before the next token
	)
	flush := func() {
		lines = append(lines, line.String())
		line.Reset()
		lineW = 0
	}
	for _, tok := range tokens(s) {
		if tok == " " {
			pending = lineW > 0
			continue
		}
		w := displayWidth(tok)
		sep := 0
		if pending {
			sep = 1
		}
		if lineW > 0 && lineW+sep+w > width {
			flush()
			sep = 0
		}
		if sep == 1 {
			line.WriteByte(' ')
		}
		line.WriteString(tok)
		lineW += sep + w
		pending = false
	}
	if lineW > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}

// tokens splits s into the units wrap may not break: runs of narrow
// non-space characters, single wide characters (with any characters that
// must not start a line attached), and single spaces standing for any run
// of white space.
func tokens(s string) []string {
	var out []string
	var cur strings.Builder
	emit := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			emit()
			if len(out) > 0 && out[len(out)-1] != " " {
				out = append(out, " ")
			}
		case strings.ContainsRune(noBreakBefore, r) || runeWidth(r) == 0:
			// Stays with what precedes it.
			if cur.Len() == 0 && len(out) > 0 && out[len(out)-1] != " " {
				cur.WriteString(out[len(out)-1])
				out = out[:len(out)-1]
			}
			cur.WriteRune(r)
		case runeWidth(r) == 2:
			emit()
			cur.WriteRune(r)
			emit()
		default:
			// A narrow character after a wide one starts a new token.
			if cur.Len() > 0 {
				last := []rune(cur.String())
				if runeWidth(last[len(last)-1]) == 2 {
					emit()
				}
			}
			cur.WriteRune(r)
		}
	}
	emit()
	if len(out) > 0 && out[len(out)-1] == " " {
		out = out[:len(out)-1]
	}
	return out
}
