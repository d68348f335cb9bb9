package explain

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// EnglishRuns returns the runs of English prose in s: three or more
// words in a row made only of letters, outside quotes ('…', "…", `…`,
// 「…」) and apart from identifiers (words with digits, colons, slashes,
// dots, underscores, hyphens, asterisks or inner capitals, and words in
// capitals: ARNs, actions, Sids, AWS, KMS). It is what a Japanese text
// may not hold: tests run it over --lang ja output.
func EnglishRuns(s string) []string {
	var (
		out []string
		run []string
	)
	flush := func() {
		if len(run) >= 3 {
			out = append(out, strings.Join(run, " "))
		}
		run = run[:0]
	}
	for _, seg := range unquoted(s) {
		for _, w := range splitWords(seg) {
			if w == "" {
				flush()
				continue
			}
			if plainWord(w, len(run) == 0) {
				run = append(run, w)
			} else {
				flush()
			}
		}
		flush()
	}
	return out
}

// unquoted returns the parts of s outside quotes. A quote closes within
// maxQuote bytes (a name, an error message) or quotes nothing: an
// apostrophe ("the key's") never opens one. A quote in a text cut short
// ("「An error …") ends at the "…"; a 「 that does not close at all
// quotes to the end of its line.
func unquoted(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		var closer string
		switch r {
		case '"':
			closer = `"`
		case '`':
			closer = "`"
		case '「':
			closer = "」"
		case '\'':
			// Only a quote that opens a word: not the apostrophe of
			// "key's".
			if i > 0 {
				prev, _ := utf8.DecodeLastRuneInString(s[:i])
				if unicode.IsLetter(prev) || unicode.IsDigit(prev) {
					break
				}
			}
			closer = "'"
		}
		if closer != "" {
			rest := s[i+n:]
			if len(rest) > maxQuote {
				rest = rest[:maxQuote]
			}
			// A text cut short ("…") may have lost its closing quote:
			// the quote ends there.
			ell := strings.Index(rest, "…")
			if j := strings.Index(rest, closer); j >= 0 && (ell < 0 || j < ell) {
				out = append(out, s[start:i])
				i += n + j + len(closer)
				start = i
				continue
			}
			if ell >= 0 {
				out = append(out, s[start:i])
				i += n + ell
				start = i
				continue
			}
			if closer == "」" {
				out = append(out, s[start:i])
				end := strings.IndexByte(s[i:], '\n')
				if end < 0 {
					return out
				}
				i += end
				start = i
				continue
			}
		}
		i += n
	}
	return append(out, s[start:])
}

// maxQuote is how far a quote may run: longer than any Sid, name or
// error message AWS writes.
const maxQuote = 1024

// splitWords splits a text at spaces and at every character that is not
// Latin: a Japanese character, a bracket or punctuation ends a run of
// words (it is returned as "").
func splitWords(s string) []string {
	var out []string
	var cur strings.Builder
	emit := func(boundary bool) {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
		if boundary {
			out = append(out, "")
		}
	}
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t' || r == '\n':
			emit(false)
		case r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(":/._-*'${}=<>@#+", r)):
			cur.WriteRune(r)
		case r == ',' || r == ';':
			// Punctuation inside an English sentence.
			emit(false)
		default:
			emit(true)
		}
	}
	emit(false)
	return out
}

// plainWord reports whether w is an English word rather than an
// identifier: letters only (an apostrophe inside is allowed), lower case
// after the first letter, and a capital first letter only at the start
// of a run.
func plainWord(w string, first bool) bool {
	w = strings.TrimSuffix(strings.TrimSuffix(w, "."), ":")
	if len(w) < 2 {
		return w == "a"
	}
	for i, r := range w {
		switch {
		case r >= 'a' && r <= 'z':
		case r == '\'' && i > 0 && i < len(w)-1:
		case r >= 'A' && r <= 'Z' && i == 0 && first:
		default:
			return false
		}
	}
	return true
}

var codeComment = regexp.MustCompile(`^(?:#|//) ?(.*)$`)

// WithoutCode is out without its lines of code (code holds them,
// trimmed) but with the text of their comments ("# ..." or "// ..."): the
// prose EnglishRuns checks. The rest stays one text, so that a quoted
// name wrapped over two lines is still quoted.
func WithoutCode(out string, code map[string]bool) string {
	var keep []string
	for _, line := range strings.Split(out, "\n") {
		s := strings.TrimSpace(line)
		if code[s] {
			m := codeComment.FindStringSubmatch(s)
			if m == nil {
				continue
			}
			line = m[1]
		}
		keep = append(keep, line)
	}
	return strings.Join(keep, "\n")
}
