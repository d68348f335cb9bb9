package report

import (
	"regexp"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/checks"
)

const hostile = `</pre><script>alert("x")</script><img src=x onerror=alert(1)>`

// hostileReport has markup in every text a finding carries: policy text
// and names come from the scanned account, not from us.
func hostileReport() *Report {
	r := emptyReport()
	r.Findings = append(r.Findings, checks.Finding{
		Check: "key-policy-public", Severity: checks.Critical, Status: checks.Fail,
		Resource: "arn:aws:kms:us-east-1:111122223333:key/" + hostile, Principal: hostile, Policy: hostile,
		Statement:   &checks.Statement{Index: 0, Sid: hostile},
		Message:     checks.Text{EN: hostile, JA: hostile},
		Explanation: []checks.Text{{EN: hostile, JA: hostile}},
		Remediation: &checks.Remediation{
			Summary: checks.Text{EN: hostile}, Console: []checks.Text{{EN: hostile}},
			CLI: hostile, Terraform: hostile,
		},
		Source: &checks.Location{File: hostile, Path: hostile, Line: 3},
	})
	r.Suppressed = []SuppressedFinding{{
		Finding:     checks.Finding{Check: "key-policy-public", Severity: checks.Low, Resource: hostile, Message: checks.Text{EN: hostile}},
		Suppression: Suppression{Reason: hostile},
	}}
	r.ExpiredSuppressions = []Suppression{{Check: hostile, Resource: hostile, Reason: hostile}}
	r.Input = Input{Description: hostile}
	return r
}

func TestHTMLEscapesFindingText(t *testing.T) {
	var b strings.Builder
	if err := WriteHTML(&b, hostileReport()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"<script>alert", "<img", "</pre><script"} {
		if strings.Contains(strings.ToLower(out), bad) {
			t.Errorf("HTML contains %q: finding text was not escaped", bad)
		}
	}
	// The text is there, as text: once for the message, the policy, the
	// explanation, the remediation fields and the rest.
	escaped := "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"
	if n := strings.Count(out, escaped); n < 10 {
		t.Errorf("escaped text appears %d times, want at least 10:\n%s", n, out)
	}
}

// externalRef finds anything that would make a browser fetch a resource:
// src attributes, stylesheet or script links, CSS imports and url().
var externalRef = regexp.MustCompile(`(?i)\ssrc\s*=|<link[^>]+rel="?stylesheet|<script[^>]*\ssrc|@import|url\(`)

func TestHTMLIsSelfContained(t *testing.T) {
	var b strings.Builder
	if err := WriteHTML(&b, testReport()); err != nil {
		t.Fatal(err)
	}
	report := b.String()
	tests := []struct {
		name string
		html string
		want bool // whether externalRef finds something
	}{
		{"report", report, false},
		{"image", `<img src="https://example.com/x.png">`, true},
		{"stylesheet", `<link rel="stylesheet" href="https://example.com/a.css">`, true},
		{"css url", `<style>body{background:url(https://example.com/a.png)}</style>`, true},
		{"script", `<script src="https://example.com/a.js"></script>`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := externalRef.FindString(tt.html); (got != "") != tt.want {
				t.Errorf("external reference found = %q, want found = %v", got, tt.want)
			}
		})
	}
	if !strings.Contains(report, `http-equiv="Content-Security-Policy" content="default-src 'none'`) {
		t.Error("report has no Content-Security-Policy forbidding external requests")
	}
	// The one script is the copy buttons', and the policy allows exactly
	// it, by its hash.
	if n := strings.Count(report, "<script"); n != 1 {
		t.Errorf("the page has %d scripts, want 1", n)
	}
	if !strings.Contains(report, "<script>"+copyScript+"</script>") {
		t.Error("the page's script is not the copy script, byte for byte (its CSP hash would not match)")
	}
	if !strings.Contains(report, "script-src "+copyScriptHash+`"`) || !strings.HasPrefix(copyScriptHash, "'sha256-") {
		t.Errorf("the Content-Security-Policy does not allow the script by its hash %s", copyScriptHash)
	}
}

func TestHTMLLang(t *testing.T) {
	tests := []struct {
		lang checks.Lang
		want []string
	}{
		{checks.English, []string{`<html lang="en">`, "<h2>Details</h2>", "<summary>Fix: ", `data-copy="Copy"`}},
		{checks.Japanese, []string{`<html lang="ja">`, "<h2>詳細</h2>", "<summary>修正: ", `data-copy="コピー"`, "Noto Sans JP"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.lang), func(t *testing.T) {
			r := testReport()
			r.Lang = tt.lang
			var b strings.Builder
			if err := WriteHTML(&b, r); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("HTML has no %q", w)
				}
			}
		})
	}
}

var htmlID = regexp.MustCompile(` id="([^"]+)"`)

// TestHTMLIDsUnique checks that every id in the page is unique, also when
// two findings differ only in wording (and so share a fingerprint).
func TestHTMLIDsUnique(t *testing.T) {
	r := testReport()
	twin := r.Findings[1] // role app, KMS.2
	twin.Message.EN = "the same finding, worded differently"
	r.Findings = append(r.Findings, twin)
	var b strings.Builder
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	findings := 0
	for _, m := range htmlID.FindAllStringSubmatch(b.String(), -1) {
		if seen[m[1]] {
			t.Errorf("id %q appears twice", m[1])
		}
		seen[m[1]] = true
		if strings.HasPrefix(m[1], "f-") || strings.HasPrefix(m[1], "s-") {
			findings++
		}
	}
	// Passed findings are a table, without ids.
	want := len(r.Suppressed)
	for _, f := range r.Findings {
		if f.Status != checks.Pass {
			want++
		}
	}
	if findings != want {
		t.Errorf("%d finding ids, want %d", findings, want)
	}
}
