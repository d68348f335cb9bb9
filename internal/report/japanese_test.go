package report

import (
	"bytes"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/checks"
	"github.com/keywarden/keywarden/internal/explain"
)

// TestJapaneseLabels checks that no label of the Japanese catalogue is
// English prose.
func TestJapaneseLabels(t *testing.T) {
	v := reflect.ValueOf(*catalogue[checks.Japanese])
	var walk func(name string, v reflect.Value)
	walk = func(name string, v reflect.Value) {
		switch v.Kind() {
		case reflect.String:
			if runs := explain.EnglishRuns(v.String()); len(runs) > 0 {
				t.Errorf("catalogue[ja].%s = %q holds English: %q", name, v.String(), runs)
			}
		case reflect.Array:
			for i := range v.Len() {
				walk(name, v.Index(i))
			}
		}
	}
	for i := range v.NumField() {
		walk(v.Type().Field(i).Name, v.Field(i))
	}
}

// TestJapaneseOutput writes the report in Japanese, as text (short and
// full), HTML and SARIF, and fails on any English sentence in it apart
// from identifiers, ARNs, quoted names and code; the comments of the
// commands and snippets are sentences, and are checked too. The fixture
// quotes the engine's English inside its Japanese texts, as checks do,
// and names a policy the English way.
func TestJapaneseOutput(t *testing.T) {
	r := testReport()
	r.Lang = checks.Japanese
	code := codeLines(newView(r, false))

	outputs := map[string]string{}
	for name, full := range map[string]bool{"text": false, "text --remediation full": true} {
		var b bytes.Buffer
		if err := WriteText(&b, r, Options{Full: full}); err != nil {
			t.Fatal(err)
		}
		outputs[name] = b.String()
	}
	var h bytes.Buffer
	if err := WriteHTML(&h, r); err != nil {
		t.Fatal(err)
	}
	outputs["html"] = htmlText(h.String())
	doc, _ := readSARIF(t, r)
	var sarifText []string
	for _, res := range doc.Runs[0].Results {
		sarifText = append(sarifText, res.Message.Text)
	}
	for _, n := range doc.Runs[0].Invocations[0].ToolExecutionNotifications {
		sarifText = append(sarifText, n.Message.Text)
	}
	outputs["sarif"] = strings.Join(sarifText, "\n")

	for name, out := range outputs {
		if runs := explain.EnglishRuns(explain.WithoutCode(out, code)); len(runs) > 0 {
			t.Errorf("%s: English in Japanese output: %q", name, runs)
		}
	}
}

// The test can fail: English prose in a finding is caught, and so is an
// English comment in a command.
func TestJapaneseOutputCatches(t *testing.T) {
	r := testReport()
	r.Lang = checks.Japanese
	r.Findings[0].Message.JA = "キーに this key has no description at all がありません。"
	r.Findings[0].Remediation.CLI = "# This comment was never translated\naws kms update-key-description --key-id k"
	var b bytes.Buffer
	if err := WriteText(&b, r, Options{Full: true}); err != nil {
		t.Fatal(err)
	}
	found := explain.EnglishRuns(explain.WithoutCode(b.String(), codeLines(newView(r, false))))
	for _, want := range []string{"this key has no description at all", "This comment was never translated"} {
		if !strings.Contains(strings.Join(found, "|"), want) {
			t.Errorf("English %q not caught; found %q", want, found)
		}
	}
}

// codeLines is every line of the commands, snippets and documents of a
// view's fixes, trimmed.
func codeLines(v *view) map[string]bool {
	out := map[string]bool{}
	add := func(s string) {
		for l := range strings.SplitSeq(s, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				out[l] = true
			}
		}
	}
	var rem func(r *remediationView)
	rem = func(r *remediationView) {
		add(r.CLI)
		add(r.Terraform)
		for _, e := range r.Edits {
			add(e.Document)
		}
		for i := range r.Alternatives {
			rem(&r.Alternatives[i])
		}
	}
	for _, f := range v.Numbered {
		if f.Remediation != nil {
			rem(f.Remediation)
		}
	}
	return out
}

var (
	htmlStyle = regexp.MustCompile(`(?s)<(style|script)[^>]*>.*?</(style|script)>`)
	htmlPre   = regexp.MustCompile(`(?s)<pre[^>]*>(.*?)</pre>`)
	htmlTag   = regexp.MustCompile(`<[^>]+>`)
)

// htmlText is the text of an HTML page, a line per line of its source,
// without styles, scripts and tags, entities decoded; of code (<pre>)
// only the comment lines are kept.
func htmlText(page string) string {
	s := htmlStyle.ReplaceAllString(page, "")
	s = htmlPre.ReplaceAllStringFunc(s, func(pre string) string {
		var comments []string
		for _, l := range strings.Split(htmlPre.FindStringSubmatch(pre)[1], "\n") {
			if m := commentLine.FindStringSubmatch(htmlTag.ReplaceAllString(l, "")); m != nil {
				comments = append(comments, m[3])
			}
		}
		return "\n" + strings.Join(comments, "\n") + "\n"
	})
	s = htmlTag.ReplaceAllString(s, " ")
	return strings.NewReplacer("&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}
