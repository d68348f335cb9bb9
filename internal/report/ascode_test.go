package report

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/awscli"
	"github.com/keywarden/keywarden/internal/checks"
	"github.com/keywarden/keywarden/internal/diff"
	"github.com/keywarden/keywarden/internal/expect"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/verify"
)

var ascodeTime = time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)

func ascodeIndex(t *testing.T, s *inventory.Snapshot) *access.Index {
	t.Helper()
	ix, err := access.New(s)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// verifyReport holds testdata/ascode/expectations.yaml (a rule of each
// form, violated, holding and undecided) against the test account of
// internal/verify.
func verifyReport(t *testing.T) *VerifyReport {
	t.Helper()
	snap, err := inventory.Load("../verify/testdata/account.json")
	if err != nil {
		t.Fatal(err)
	}
	f, err := expect.Load("testdata/ascode/expectations.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := verify.Verify(context.Background(), ascodeIndex(t, snap), f, verify.Options{Now: ascodeTime})
	if err != nil {
		t.Fatal(err)
	}
	return &VerifyReport{Tool: Tool{Version: "1.0.0-test"}, GeneratedAt: ascodeTime,
		Input: Input{Description: "--snapshot account.json", Path: "account.json"}, Expectations: "expectations.yaml", Result: res}
}

// diffReports compares settings 2 and 3 of the S3 experiment (the role
// gains the key through its policy, S3 upload and download with it, a
// finding is new) and, for classes of principals and lost access, the
// test account with a partner account replaced, a grant revoked and a key
// deleted.
func diffReports(t *testing.T) map[string]*DiffReport {
	t.Helper()
	load := func(dir string) *inventory.Snapshot {
		snap, _, err := awscli.Import(dir, awscli.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return snap
	}
	out := map[string]*DiffReport{}
	run := func(name string, old, cur *inventory.Snapshot, oldName, newName string) {
		res, err := diff.Diff(context.Background(), ascodeIndex(t, old), ascodeIndex(t, cur), diff.Options{Findings: true, Now: ascodeTime})
		if err != nil {
			t.Fatal(err)
		}
		out[name] = &DiffReport{Tool: Tool{Version: "1.0.0-test"}, GeneratedAt: ascodeTime,
			Old: Input{Description: oldName, Path: oldName}, New: Input{Description: newName, Path: newName}, Result: res}
	}
	run("diff-experiment", load("../../examples/account/setting2"), load("../../examples/account/setting3"), "examples/account/setting2", "examples/account/setting3")
	base, err := inventory.Load("../verify/testdata/account.json")
	if err != nil {
		t.Fatal(err)
	}
	changed, err := inventory.Load("../verify/testdata/account.json")
	if err != nil {
		t.Fatal(err)
	}
	k := changed.Accounts[0].Keys[0]
	raw := strings.Replace(string(k.Policy.JSON), "444455556666", "777788889999", 1)
	if k.Policy, err = inventory.DecodeDocument([]byte(raw), inventory.Location{}); err != nil {
		t.Fatal(err)
	}
	k.Grants = k.Grants[1:]
	keys := changed.Accounts[0].Keys
	changed.Accounts[0].Keys = append(keys[:3:3], keys[4:]...) // alias/logs deleted
	run("diff-account", base, changed, "before.json", "after.json")
	return out
}

// TestAsCodeGolden writes the verify and diff reports in every format
// and language and compares them with testdata/ascode/*.golden (-update
// rewrites them).
func TestAsCodeGolden(t *testing.T) {
	vr := verifyReport(t)
	verifyWriters := []struct {
		ext   string
		write func(io.Writer, *VerifyReport) error
	}{{"txt", WriteVerifyText}, {"json", WriteVerifyJSON}, {"sarif", WriteVerifySARIF}, {"md", WriteVerifyMarkdown}}
	diffWriters := []struct {
		ext   string
		write func(io.Writer, *DiffReport) error
	}{{"txt", WriteDiffText}, {"json", WriteDiffJSON}, {"sarif", WriteDiffSARIF}, {"md", WriteDiffMarkdown}}
	drs := diffReports(t)
	for _, lang := range []checks.Lang{checks.English, checks.Japanese} {
		for _, w := range verifyWriters {
			name := "verify." + string(lang) + "." + w.ext
			t.Run(name, func(t *testing.T) {
				r := *vr
				r.Lang = lang
				var b bytes.Buffer
				if err := w.write(&b, &r); err != nil {
					t.Fatal(err)
				}
				golden(t, filepath.Join("testdata", "ascode", name+".golden"), b.Bytes())
				if w.ext == "sarif" {
					validSARIF(t, b.Bytes())
				}
			})
		}
		for _, dname := range []string{"diff-experiment", "diff-account"} {
			for _, w := range diffWriters {
				name := dname + "." + string(lang) + "." + w.ext
				t.Run(name, func(t *testing.T) {
					r := *drs[dname]
					r.Lang = lang
					var b bytes.Buffer
					if err := w.write(&b, &r); err != nil {
						t.Fatal(err)
					}
					golden(t, filepath.Join("testdata", "ascode", name+".golden"), b.Bytes())
					if w.ext == "sarif" {
						validSARIF(t, b.Bytes())
					}
				})
			}
		}
	}
}

func validSARIF(t *testing.T, data []byte) {
	t.Helper()
	log, err := sarif.FromBytes(data)
	if err != nil {
		t.Fatalf("reading the SARIF back: %v", err)
	}
	if err := log.Validate(); err != nil {
		t.Errorf("SARIF does not validate: %v", err)
	}
}

// TestMarkdownEscapes: text from policies and expectation files cannot
// add markup or HTML to a pull-request comment.
func TestMarkdownEscapes(t *testing.T) {
	for in, want := range map[string]string{
		"<script>alert(1)</script>": "&lt;script&gt;alert(1)&lt;/script&gt;",
		"a|b *c* _d_ [e](f) `g`":    `a\|b \*c\* \_d\_ \[e\](f) \` + "`g\\`",
		"line\nbreak \x1b[31m":      `line break \\x1b\[31m`,
	} {
		if got := mdText(in); got != want {
			t.Errorf("mdText(%q) = %q, want %q", in, got, want)
		}
	}
	if got := mdCode("a`b"); got != "``a`b``" {
		t.Errorf("mdCode = %q", got)
	}
	r := verifyReport(t)
	r.Result.Rules[0].Rule.Description = "</details><img src=x onerror=alert(1)>"
	var b bytes.Buffer
	if err := WriteVerifyMarkdown(&b, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "<img") || strings.Count(b.String(), "</details>") != strings.Count(b.String(), "<details>") {
		t.Errorf("the description escaped the Markdown:\n%s", b.String())
	}
}
