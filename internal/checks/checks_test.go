package checks

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/keywarden/keywarden/internal/inventory"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the findings sections of testdata/<ID>/*.txtar")

// testNow is the time every check case runs at.
var testNow = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

// TestCases runs testdata/<check ID>/*.txtar. Each case holds a comment
// saying what it proves, a snapshot.json, optionally a trusted-accounts
// line, and the findings the check must produce, one canonical line each
// (see findingLine). -update rewrites the findings sections.
func TestCases(t *testing.T) {
	dirs, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		if !dir.IsDir() {
			continue
		}
		c, ok := Lookup(dir.Name())
		if !ok {
			t.Errorf("testdata/%s: no check has this ID", dir.Name())
			continue
		}
		files, _ := filepath.Glob(filepath.Join("testdata", dir.Name(), "*.txtar"))
		for _, file := range files {
			t.Run(dir.Name()+"/"+strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
				runCase(t, c, file)
			})
		}
	}
}

// A testCase is one testdata/<ID>/*.txtar file.
type testCase struct {
	ar      *txtar.Archive
	env     *Env
	wantIdx int // index of the findings section in ar.Files
	fixIdx  int // index of the fixes section, -1 when there is none
}

// readCase parses a case file and builds its environment.
func readCase(t *testing.T, file string) testCase {
	t.Helper()
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var snapData []byte
	var trusted []string
	tc := testCase{ar: ar, wantIdx: -1, fixIdx: -1}
	for i, f := range ar.Files {
		switch f.Name {
		case "snapshot.json":
			snapData = f.Data
		case "findings":
			tc.wantIdx = i
		case "fixes":
			tc.fixIdx = i
		case "trusted-accounts":
			trusted = strings.Fields(string(f.Data))
		default:
			t.Fatalf("%s: unexpected section %q", file, f.Name)
		}
	}
	if snapData == nil || tc.wantIdx < 0 {
		t.Fatalf("%s: needs a snapshot.json and a findings section", file)
	}
	snap, err := inventory.Read(file+": snapshot.json", bytes.NewReader(snapData))
	if err != nil {
		t.Fatal(err)
	}
	if tc.env, err = NewEnv(snap, trusted, testNow); err != nil {
		t.Fatal(err)
	}
	return tc
}

func runCase(t *testing.T, c *Check, file string) {
	tc := readCase(t, file)
	ar, env, wantIdx := tc.ar, tc.env, tc.wantIdx
	want := ar.Files[wantIdx].Data
	var got bytes.Buffer
	fs := Run(env, []*Check{c})
	for _, f := range fs {
		fmt.Fprintln(&got, findingLine(f))
	}
	fixes := fixesText(fs)
	if *update {
		ar.Files[wantIdx].Data = got.Bytes()
		switch {
		case tc.fixIdx >= 0 && fixes == "":
			ar.Files = append(ar.Files[:tc.fixIdx], ar.Files[tc.fixIdx+1:]...)
		case tc.fixIdx >= 0:
			ar.Files[tc.fixIdx].Data = []byte(fixes)
		case fixes != "":
			ar.Files = append(ar.Files, txtar.File{Name: "fixes", Data: []byte(fixes)})
		}
		if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if diff := cmp.Diff(string(want), got.String()); diff != "" {
		t.Errorf("%s: findings (-want +got):\n%s", file, diff)
	}
	var wantFixes string
	if tc.fixIdx >= 0 {
		wantFixes = string(ar.Files[tc.fixIdx].Data)
	}
	if diff := cmp.Diff(wantFixes, fixes); diff != "" {
		t.Errorf("%s: fixes (-want +got):\n%s", file, diff)
	}
}

// fixesText is the canonical form of the fixes of findings, each fix
// once: its ID and whether it is verified, its claims, its edits (with
// the documents they write, compact), its placeholders and the access
// diff it announces; then its alternatives, indented.
func fixesText(fs []Finding) string {
	var b strings.Builder
	seen := map[*Remediation]bool{}
	for _, f := range fs {
		if f.Remediation == nil || seen[f.Remediation] {
			continue
		}
		seen[f.Remediation] = true
		writeFix(&b, f.Remediation, "")
	}
	return b.String()
}

func writeFix(b *strings.Builder, r *Remediation, indent string) {
	verified := "not verified"
	if r.Verified {
		verified = "verified"
	}
	fmt.Fprintf(b, "%sfix %s (%s)\n", indent, r.ID, verified)
	if p := r.Proof; p != nil {
		for _, c := range []struct {
			name  string
			claim Claim
		}{{"valid", p.Valid}, {"effective", p.Effective}, {"minimal", p.Minimal}, {"safe", p.Safe}} {
			mark := "yes"
			if !c.claim.Holds {
				mark = "NO"
			}
			fmt.Fprintf(b, "%s  %s: %s: %s\n", indent, c.name, mark, c.claim.Why.EN)
		}
	}
	for _, e := range r.Edits {
		fmt.Fprintf(b, "%s  edit %s %s", indent, e.Action, e.Target)
		if e.Name != "" {
			fmt.Fprintf(b, " name=%s", e.Name)
		}
		if len(e.Statements) > 0 {
			fmt.Fprintf(b, " statements=%v", e.Statements)
		}
		b.WriteString("\n")
		if len(e.Document) > 0 {
			var c bytes.Buffer
			if err := json.Compact(&c, e.Document); err != nil {
				c.Write(e.Document)
			}
			fmt.Fprintf(b, "%s    %s\n", indent, c.String())
		}
	}
	for _, p := range r.Placeholders {
		fmt.Fprintf(b, "%s  placeholder %s: %s\n", indent, p.Name, strings.Join(p.Candidates, "; "))
	}
	for _, d := range r.Diff {
		fmt.Fprintf(b, "%s  diff %s %s %s: %s -> %s\n", indent, d.Principal, d.Key, d.Action, d.Before, d.After)
	}
	if r.DiffTotal > len(r.Diff) {
		fmt.Fprintf(b, "%s  diff (%d more)\n", indent, r.DiffTotal-len(r.Diff))
	}
	for i := range r.Alternatives {
		writeFix(b, &r.Alternatives[i], indent+"  alternative ")
	}
}

// findingLine is the canonical one-line form of a finding in test cases:
// STATUS resource [principal=…] [policy=…] [statement=…]: message
// (fix verified) when a remediation was re-checked by the engine.
func findingLine(f Finding) string {
	var b strings.Builder
	b.WriteString(strings.ToUpper(f.Status.String()))
	b.WriteString(" " + f.Resource)
	if f.Principal != "" {
		b.WriteString(" principal=" + f.Principal)
	}
	if f.Statement != nil {
		fmt.Fprintf(&b, " statement=%d", f.Statement.Index)
	}
	b.WriteString(": " + f.Message.EN)
	if f.Remediation != nil {
		if f.Remediation.Verified {
			b.WriteString(" [fix verified]")
		} else {
			b.WriteString(" [fix not verified]")
		}
	}
	return b.String()
}

// TestCatalogue pins what every check must have: an ID of the right form,
// texts in English and Japanese, a reference, and at least one failing and
// one passing case under testdata/<ID>/.
func TestCatalogue(t *testing.T) {
	all := All()
	if len(all) == 0 {
		t.Fatal("no check is registered")
	}
	for _, c := range all {
		if !idFormat.MatchString(c.ID) {
			t.Errorf("%s: malformed ID", c.ID)
		}
		if c.Severity > Critical {
			t.Errorf("%s: invalid severity", c.ID)
		}
		for name, txt := range map[string]Text{"title": c.Title, "description": c.Description, "risk": c.Risk} {
			if txt.EN == "" || txt.JA == "" {
				t.Errorf("%s: %s needs English and Japanese text", c.ID, name)
			}
		}
		if len(c.References) == 0 {
			t.Errorf("%s: no reference", c.ID)
		}
		if (c.Run == nil) == (c.RunKey == nil) {
			t.Errorf("%s: needs exactly one of Run and RunKey", c.ID)
		}
		var fail, pass bool
		files, _ := filepath.Glob(filepath.Join("testdata", c.ID, "*.txtar"))
		for _, f := range files {
			ar, err := txtar.ParseFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, sec := range ar.Files {
				if sec.Name != "findings" {
					continue
				}
				// A check about missing data reports Unknown, not Fail.
				fail = fail || bytes.Contains(sec.Data, []byte("FAIL ")) || c.ID == "input-incomplete" && bytes.Contains(sec.Data, []byte("UNKNOWN "))
				pass = pass || bytes.Contains(sec.Data, []byte("PASS ")) || len(bytes.TrimSpace(sec.Data)) == 0
			}
		}
		if !fail || !pass {
			t.Errorf("%s: testdata/%s needs a failing and a passing case (fail %v, pass %v)", c.ID, c.ID, fail, pass)
		}
	}
}
