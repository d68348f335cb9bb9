package report

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/checks"
	"github.com/keywarden/keywarden/internal/escape"
)

// controls is a string an account can hold in any name: a terminal title,
// a screen clear, a forged line, an OSC 8 link, a C1 CSI, a bidirectional
// override, a SARIF embedded link, and HTML.
const controls = "x\x1b]0;pwned\x07\x1b[2J\r\n[ALLOW](https://evil.example) \x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\ \u009b31m \u202eexe.txt\u2066 <script>alert(1)</script>\x7f"

func controlsReport() *Report {
	h := func(s string) string { return s + controls }
	// Commands and Terraform are code whose line breaks the checks write;
	// the names in them come quoted for their language (a JSON string, a
	// Terraform string), where a line break is "\n". The rest of the
	// value is as hostile.
	code := func(s string) string { return s + strings.ReplaceAll(controls, "\n", "") }
	t := checks.Text{EN: h("en "), JA: h("ja ")}
	f := checks.Finding{
		Check: h("check-"), Severity: checks.High, Control: h("KMS."), Status: checks.Fail,
		Resource: h("arn:aws:kms:us-east-1:111122223333:key/"), Account: h(""), Region: h(""),
		Principal: h("arn:aws:iam::111122223333:role/"), Policy: h("inline policy "),
		Statement: &checks.Statement{Index: 1, Sid: h("sid")}, Message: t,
		Explanation: []checks.Text{t, t}, Missing: []string{h("missing ")},
		Remediation: &checks.Remediation{ID: h("fix-"), Summary: t, Console: []checks.Text{t}, CLI: code("aws kms put-key-policy --policy '") + "'\n" + code("second line "),
			Terraform: code("resource \"x\" ") + "\n" + code("}"), Alternatives: []checks.Remediation{{Summary: t, CLI: code("aws ")}},
			Proof: &checks.Proof{Valid: checks.Claim{Why: t}, Effective: checks.Claim{Holds: true, Why: t}},
			Edits: []checks.Edit{{Action: h("Put"), Target: h("arn:aws:kms:us-east-1:111122223333:key/"), Name: h(""), Statements: []int{1},
				Description: t, Document: jsonString(controls)}},
			Diff:         []checks.AccessChange{{Principal: h(""), Key: h(""), Action: h("kms:"), Before: h("Allow"), After: h("")}},
			Placeholders: []checks.Placeholder{{Name: h("<X>"), Candidates: []string{h("")}, Note: t}}},
		Source: &checks.Location{File: h("export/"), Path: h("Statement"), Line: 3},
	}
	unknown := f
	unknown.Status = checks.Unknown
	return &Report{
		Tool:        Tool{Version: "test"},
		GeneratedAt: time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC),
		Input:       Input{Description: h("--input "), Path: h("export/")},
		Checks:      []*checks.Check{checkPublic},
		Findings:    []checks.Finding{f, unknown},
		Suppressed:  []SuppressedFinding{{Finding: f, Suppression: Suppression{Check: h(""), Resource: h(""), Reason: h("reason ")}}},
		ExpiredSuppressions: []Suppression{{Check: h(""), Resource: h(""), Reason: h("reason "),
			Expires: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}},
	}
}

// jsonString is a JSON document holding s: the escapes of JSON leave
// control characters as \u sequences, which a writer must not turn back.
func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(map[string]string{"Sid": s})
	return b
}

// sgr is keywarden's own colour decoration, the only escape sequence
// coloured text may hold.
var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// checkOutput fails on any character escape.Unsafe reports, other than
// the line breaks and tabs the format itself writes (allowed) and the
// colour sequences of coloured text.
func checkOutput(t *testing.T, name string, out []byte, allowed string, color bool) {
	t.Helper()
	s := string(out)
	if color {
		s = sgr.ReplaceAllString(s, "")
	}
	for i, r := range s {
		if escape.Unsafe(r) && !strings.ContainsRune(allowed, r) {
			t.Errorf("%s: %U at byte %d: %q", name, r, i, s[max(0, i-40):min(len(s), i+40)])
			return
		}
	}
}

// TestHostileReport writes a report whose every field holds control
// characters, bidirectional overrides and markup, in every format: no
// such character may reach the output, the line structure of the text
// must be keywarden's, and the structured formats must stay valid and
// give the values back.
func TestHostileReport(t *testing.T) {
	r := controlsReport()
	for _, lang := range []checks.Lang{checks.English, checks.Japanese} {
		r.Lang = lang
		for _, color := range []bool{false, true} {
			var b bytes.Buffer
			if err := WriteText(&b, r, Options{Color: color}); err != nil {
				t.Fatal(err)
			}
			checkOutput(t, "text", b.Bytes(), "\n", color)
			for _, line := range strings.Split(b.String(), "\n") {
				if strings.HasPrefix(strings.TrimSpace(line), "[ALLOW]") {
					t.Errorf("text: a value started a line of its own: %q", line)
				}
			}
		}

		var j bytes.Buffer
		if err := WriteJSON(&j, r); err != nil {
			t.Fatal(err)
		}
		checkOutput(t, "json", j.Bytes(), "\n", false)
		var back struct {
			Findings []struct{ Resource string }
		}
		if err := json.Unmarshal(j.Bytes(), &back); err != nil {
			t.Fatalf("json: %v", err)
		}
		if len(back.Findings) == 0 || back.Findings[0].Resource != r.Findings[0].Resource {
			t.Errorf("json: the resource does not read back as it was: %q", back.Findings)
		}

		var s bytes.Buffer
		if err := WriteSARIF(&s, r); err != nil {
			t.Fatal(err)
		}
		checkOutput(t, "sarif", s.Bytes(), "\n", false)
		var log struct {
			Runs []struct {
				Results []struct {
					Message struct{ Text string }
				}
			}
		}
		if err := json.Unmarshal(s.Bytes(), &log); err != nil {
			t.Fatalf("sarif: %v", err)
		}
		for _, res := range log.Runs[0].Results {
			if strings.Contains(strings.ReplaceAll(res.Message.Text, `\[`, ""), "[ALLOW]") {
				t.Errorf("sarif: an embedded link is not escaped: %q", res.Message.Text)
			}
		}

		var h bytes.Buffer
		if err := WriteHTML(&h, r); err != nil {
			t.Fatal(err)
		}
		checkOutput(t, "html", h.Bytes(), "\n", false)
		if strings.Contains(h.String(), "<script>alert") {
			t.Errorf("html: markup from a value reached the page")
		}
	}
}
