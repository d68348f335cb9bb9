package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/explain"
)

// scanExampleAs scans the bundled example in a format and language.
func scanExampleAs(t *testing.T, format, lang, remediation string) string {
	t.Helper()
	var out, errw bytes.Buffer
	opts := scanOpts(&out, &errw)
	opts.Format, opts.Lang, opts.Remediation = format, lang, remediation
	if err := runScan(context.Background(), "keywarden scan", opts); err != nil {
		t.Fatalf("scan: %v\n%s", err, errw.String())
	}
	return out.String()
}

// TestScanExampleShort holds the text report of the bundled example to
// what a person reads through: under 400 lines in either language, with
// every finding in its index, one line each.
func TestScanExampleShort(t *testing.T) {
	chdirRoot(t)
	for _, lang := range []string{"en", "ja"} {
		out := scanExampleAs(t, "text", lang, "")
		if n := strings.Count(out, "\n"); n >= 400 {
			t.Errorf("%s: the text report of the example is %d lines, want under 400 (--remediation full prints the rest)", lang, n)
		}
		full := scanExampleAs(t, "text", lang, "full")
		if strings.Count(full, "\n") <= strings.Count(out, "\n") {
			t.Errorf("%s: --remediation full is no longer than the short report", lang)
		}
		for _, f := range exampleFindings {
			if !strings.Contains(out, f.Check) {
				t.Errorf("%s: the short report does not name %s", lang, f.Check)
			}
		}
	}
}

// TestScanExampleJapanese scans the bundled example with --lang ja and
// fails on English prose in the text (short and full) and HTML reports,
// apart from identifiers, ARNs, quoted names and code: the commands,
// snippets and documents of fixes, whose comments are checked as
// sentences.
func TestScanExampleJapanese(t *testing.T) {
	chdirRoot(t)
	code := exampleCode(t)
	outputs := map[string]string{
		"text":                    scanExampleAs(t, "text", "ja", ""),
		"text --remediation full": scanExampleAs(t, "text", "ja", "full"),
		"html":                    htmlText(scanExampleAs(t, "html", "ja", "")),
	}
	seen := map[string]bool{}
	for name, out := range outputs {
		for _, run := range explain.EnglishRuns(explain.WithoutCode(out, code)) {
			if !seen[run] {
				seen[run] = true
				t.Errorf("%s: English in --lang ja output: %q", name, run)
			}
		}
	}
}

// exampleCode is every line of the commands, snippets and documents of
// the example's fixes, trimmed, from its JSON report.
func exampleCode(t *testing.T) map[string]bool {
	t.Helper()
	var doc struct {
		Findings []struct {
			Remediation *jsonFix `json:"remediation"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(scanExampleAs(t, "json", "ja", "")), &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	add := func(s string) {
		for l := range strings.SplitSeq(s, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				out[l] = true
			}
		}
	}
	var walk func(r *jsonFix)
	walk = func(r *jsonFix) {
		add(r.CLI)
		add(r.Terraform)
		for _, e := range r.Edits {
			var b bytes.Buffer
			if len(e.Document) > 0 && json.Indent(&b, e.Document, "", "  ") == nil {
				add(b.String())
			}
		}
		for i := range r.Alternatives {
			walk(&r.Alternatives[i])
		}
	}
	for _, f := range doc.Findings {
		if f.Remediation != nil {
			walk(f.Remediation)
		}
	}
	return out
}

type jsonFix struct {
	CLI       string `json:"cli"`
	Terraform string `json:"terraform"`
	Edits     []struct {
		Document json.RawMessage `json:"document"`
	} `json:"edits"`
	Alternatives []jsonFix `json:"alternatives"`
}

var (
	comment   = regexp.MustCompile(`^(?:#|//) ?(.*)$`)
	htmlStyle = regexp.MustCompile(`(?s)<(style|script)[^>]*>.*?</(style|script)>`)
	htmlPre   = regexp.MustCompile(`(?s)<pre[^>]*>(.*?)</pre>`)
	htmlTag   = regexp.MustCompile(`<[^>]+>`)
)

// htmlText is the text of an HTML page, line by line, without styles,
// scripts and tags; of code (<pre>) only the comment lines are kept.
func htmlText(page string) string {
	s := htmlStyle.ReplaceAllString(page, "")
	s = htmlPre.ReplaceAllStringFunc(s, func(pre string) string {
		var comments []string
		for _, l := range strings.Split(htmlPre.FindStringSubmatch(pre)[1], "\n") {
			if m := comment.FindStringSubmatch(strings.TrimSpace(htmlTag.ReplaceAllString(l, ""))); m != nil {
				comments = append(comments, m[1])
			}
		}
		return "\n" + strings.Join(comments, "\n") + "\n"
	})
	s = htmlTag.ReplaceAllString(s, " ")
	return strings.NewReplacer("&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}
