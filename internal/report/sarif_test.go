package report

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/keywarden/keywarden/internal/checks"
)

// TestSARIFSchema validates the SARIF keywarden writes against the SARIF
// 2.1.0 schema that go-sarif embeds (offline): both the log as built and
// the file as written, after pruning.
func TestSARIFSchema(t *testing.T) {
	for _, rep := range append(reports, struct {
		name string
		make func() *Report
	}{"hostile", hostileReport}) {
		for _, lang := range []checks.Lang{checks.English, checks.Japanese} {
			t.Run(rep.name+"."+string(lang), func(t *testing.T) {
				r := rep.make()
				r.Lang = lang
				if err := sarifLog(r).Validate(); err != nil {
					t.Errorf("built log: %v", err)
				}
				var buf bytes.Buffer
				if err := WriteSARIF(&buf, r); err != nil {
					t.Fatal(err)
				}
				written, err := sarif.FromBytes(buf.Bytes())
				if err != nil {
					t.Fatalf("reading the written file back: %v", err)
				}
				if err := written.Validate(); err != nil {
					t.Errorf("written file: %v", err)
				}
			})
		}
	}
}

// TestSARIFSchemaCatchesErrors shows the schema test can fail.
func TestSARIFSchemaCatchesErrors(t *testing.T) {
	log := sarifLog(testReport())
	log.Runs[0].Results[0].Level = "fatal"
	if err := log.Validate(); err == nil {
		t.Error("Validate accepted a result with level \"fatal\"")
	}
}

// sarifDoc is the part of a SARIF file GitHub code scanning reads.
type sarifDoc struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name           string `json:"name"`
				Version        string `json:"version"`
				InformationURI string `json:"informationUri"`
				Rules          []struct {
					ID               string `json:"id"`
					ShortDescription struct {
						Text string `json:"text"`
					} `json:"shortDescription"`
					Help struct {
						Text     string `json:"text"`
						Markdown string `json:"markdown"`
					} `json:"help"`
					Properties map[string]any `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex *int   `json:"ruleIndex"`
			Level     string `json:"level"`
			Message   struct {
				Text string `json:"text"`
			} `json:"message"`
			Locations []struct {
				PhysicalLocation *struct {
					ArtifactLocation *struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region *struct {
						StartLine  int  `json:"startLine"`
						CharOffset *int `json:"charOffset"`
					} `json:"region"`
				} `json:"physicalLocation"`
				LogicalLocations []struct {
					FullyQualifiedName string `json:"fullyQualifiedName"`
				} `json:"logicalLocations"`
			} `json:"locations"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Properties          map[string]any    `json:"properties"`
			Kind                string            `json:"kind"`
		} `json:"results"`
		Invocations []struct {
			ExecutionSuccessful        bool `json:"executionSuccessful"`
			ToolExecutionNotifications []struct {
				Level   string `json:"level"`
				Message struct {
					Text string `json:"text"`
				} `json:"message"`
				AssociatedRule struct {
					ID    string `json:"id"`
					Index *int   `json:"index"`
				} `json:"associatedRule"`
				Locations []struct {
					PhysicalLocation *struct {
						ArtifactLocation *struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				Properties map[string]any `json:"properties"`
			} `json:"toolExecutionNotifications"`
		} `json:"invocations"`
	} `json:"runs"`
}

func readSARIF(t *testing.T, r *Report) (sarifDoc, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, r); err != nil {
		t.Fatal(err)
	}
	var doc sarifDoc
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	return doc, buf.String()
}

// TestSARIFForGitHub checks what GitHub code scanning needs beyond the
// schema (see the notes in sarif.go).
func TestSARIFForGitHub(t *testing.T) {
	doc, raw := readSARIF(t, testReport())
	if doc.Version != "2.1.0" || len(doc.Runs) != 1 {
		t.Fatalf("version %q with %d runs, want 2.1.0 with 1", doc.Version, len(doc.Runs))
	}
	run := doc.Runs[0]
	d := run.Tool.Driver
	if d.Name != "keywarden" || d.Version != "0.3.0" || d.InformationURI == "" {
		t.Errorf("driver = %q %q %q, want keywarden 0.3.0 with an informationUri", d.Name, d.Version, d.InformationURI)
	}

	var ruleIDs []string
	for _, rule := range d.Rules {
		ruleIDs = append(ruleIDs, rule.ID)
		if rule.ShortDescription.Text == "" || rule.Help.Text == "" || rule.Help.Markdown == "" {
			t.Errorf("rule %s lacks a short description or help", rule.ID)
		}
		if _, ok := rule.Properties["security-severity"].(string); !ok {
			t.Errorf("rule %s: security-severity = %#v, want a string", rule.ID, rule.Properties["security-severity"])
		}
		tags, _ := rule.Properties["tags"].([]any)
		if len(tags) == 0 || tags[0] != "security" {
			t.Errorf("rule %s: tags %v do not start with \"security\"", rule.ID, tags)
		}
	}
	wantRules := []string{
		"iam-customer-policy-decrypt-all-keys", "iam-inline-policy-decrypt-all-keys", "key-cross-account",
		"key-description-missing", "key-grant-wide-operations", "key-policy-public", "key-rotation-enabled",
	}
	if diff := cmp.Diff(wantRules, ruleIDs); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}

	// 6 failed; undecided findings are notifications, passed and
	// suppressed findings are left out.
	if len(run.Results) != 6 {
		t.Errorf("%d results, want 6", len(run.Results))
	}
	seen := map[string]bool{}
	for i, res := range run.Results {
		if res.RuleIndex == nil || *res.RuleIndex >= len(d.Rules) || d.Rules[*res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %d: ruleIndex does not point at rule %s", i, res.RuleID)
		}
		if len(res.Locations) == 0 || res.Locations[0].PhysicalLocation == nil ||
			res.Locations[0].PhysicalLocation.ArtifactLocation == nil || res.Locations[0].PhysicalLocation.ArtifactLocation.URI == "" {
			t.Errorf("result %d (%s): no physical location with an artifact URI; GitHub rejects the file", i, res.RuleID)
			continue
		}
		if len(res.Locations[0].LogicalLocations) == 0 || !strings.HasPrefix(res.Locations[0].LogicalLocations[0].FullyQualifiedName, "arn:") {
			t.Errorf("result %d (%s): no logical location with the ARN", i, res.RuleID)
		}
		if reg := res.Locations[0].PhysicalLocation.Region; reg != nil && (reg.StartLine < 1 || reg.CharOffset != nil) {
			t.Errorf("result %d: region %+v, want startLine ≥ 1 and no offsets", i, *reg)
		}
		fp := res.PartialFingerprints["primaryLocationLineHash"]
		if fp == "" || seen[fp] {
			t.Errorf("result %d: primaryLocationLineHash %q is empty or not unique", i, fp)
		}
		seen[fp] = true
	}
	if regexp.MustCompile(`:\s*-1\b`).MatchString(raw) {
		t.Error(`the file contains "-1": a "not set" value survived pruning`)
	}
	if strings.Contains(raw, "backup") || strings.Contains(raw, "5555eeee") {
		t.Error("a suppressed finding is in the SARIF file")
	}
}

func TestSARIFResults(t *testing.T) {
	doc, _ := readSARIF(t, testReport())
	type result struct {
		Rule, Level, URI string
		Line             int
	}
	var got []result
	for _, res := range doc.Runs[0].Results {
		r := result{Rule: res.RuleID, Level: res.Level, URI: res.Locations[0].PhysicalLocation.ArtifactLocation.URI}
		if reg := res.Locations[0].PhysicalLocation.Region; reg != nil {
			r.Line = reg.StartLine
		}
		got = append(got, r)
	}
	want := []result{
		{"key-policy-public", "error", "examples/account/kms/key-policy-1234abcd.json", 14},
		{"iam-customer-policy-decrypt-all-keys", "error", "examples/account/iam/get-account-authorization-details.json", 0},
		{"iam-inline-policy-decrypt-all-keys", "error", "examples/account", 0},
		{"key-cross-account", "warning", "examples/account", 0},
		{"key-grant-wide-operations", "note", "examples/account", 0},
		{"key-description-missing", "note", "examples/account", 0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	for _, res := range doc.Runs[0].Results {
		if res.Properties["status"] != "fail" || (res.Kind != "" && res.Kind != "fail") {
			t.Errorf("result %s: status %v, kind %q; only failed findings are results (kind fail, the default)", res.RuleID, res.Properties["status"], res.Kind)
		}
	}
}

// TestSARIFUnknownNotAlerts shows that an undecided finding opens no
// alert: GitHub reads every result as one whatever its kind, so it is a
// tool execution notification instead, pointing at its rule and its
// location and saying what was missing.
func TestSARIFUnknownNotAlerts(t *testing.T) {
	for _, lang := range []checks.Lang{checks.English, checks.Japanese} {
		r := testReport()
		r.Lang = lang
		doc, _ := readSARIF(t, r)
		run := doc.Runs[0]
		if len(run.Invocations) != 1 || !run.Invocations[0].ExecutionSuccessful {
			t.Fatalf("%s: invocations = %+v, want one, successful", lang, run.Invocations)
		}
		notes := run.Invocations[0].ToolExecutionNotifications
		type note struct{ Rule, Level, URI, Status string }
		var got []note
		for _, n := range notes {
			if n.AssociatedRule.Index == nil || run.Tool.Driver.Rules[*n.AssociatedRule.Index].ID != n.AssociatedRule.ID {
				t.Errorf("%s: notification of %s: associatedRule index does not point at its rule", lang, n.AssociatedRule.ID)
			}
			got = append(got, note{n.AssociatedRule.ID, n.Level, n.Locations[0].PhysicalLocation.ArtifactLocation.URI, n.Properties["status"].(string)})
			prefix := map[checks.Lang]string{checks.English: "Could not be decided: ", checks.Japanese: "判定できませんでした: "}[lang]
			if !strings.HasPrefix(n.Message.Text, prefix) || !strings.Contains(n.Message.Text, "batch") && !strings.Contains(n.Message.Text, "0987dcba") {
				t.Errorf("%s: notification message %q does not say what could not be decided", lang, n.Message.Text)
			}
		}
		want := []note{
			{"iam-inline-policy-decrypt-all-keys", "warning", "examples/account", "unknown"},
			{"key-rotation-enabled", "warning", "examples/account", "unknown"},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: notifications (-want +got):\n%s", lang, diff)
		}
		for _, res := range run.Results {
			if res.Properties["status"] == "unknown" {
				t.Errorf("%s: an undecided finding of %s is a result: GitHub would open an alert", lang, res.RuleID)
			}
		}
	}
}

func TestSARIFLocationWithoutInputPath(t *testing.T) {
	r := testReport()
	r.Input.Path = ""
	doc, _ := readSARIF(t, r)
	res := doc.Runs[0].Results[2] // role app: no Source
	if got := res.Locations[0].PhysicalLocation.ArtifactLocation.URI; got != "." {
		t.Errorf("artifact URI without an input path = %q, want \".\"", got)
	}
}

func TestFingerprint(t *testing.T) {
	base := checks.Finding{
		Check: "iam-inline-policy-decrypt-all-keys", Resource: roleApp, Principal: roleApp,
		Policy: "inline policy x", Statement: &checks.Statement{Index: 1, Sid: "S"},
		Message: checks.Text{EN: "a"}, Source: &checks.Location{File: "a.json", Line: 3},
	}
	tests := []struct {
		name   string
		change func(*checks.Finding)
		same   bool
	}{
		{"message", func(f *checks.Finding) { f.Message.EN = "b" }, true},
		{"source line", func(f *checks.Finding) { f.Source.Line = 40 }, true},
		{"source file", func(f *checks.Finding) { f.Source = nil }, true},
		{"severity", func(f *checks.Finding) { f.Severity = checks.Low }, true},
		{"status", func(f *checks.Finding) { f.Status = checks.Unknown }, true},
		{"check", func(f *checks.Finding) { f.Check = "other" }, false},
		{"resource", func(f *checks.Finding) { f.Resource = roleRO }, false},
		{"principal", func(f *checks.Finding) { f.Principal = roleRO }, false},
		{"policy", func(f *checks.Finding) { f.Policy = "inline policy y" }, false},
		{"statement index", func(f *checks.Finding) { f.Statement = &checks.Statement{Index: 2, Sid: "S"} }, false},
		{"statement sid", func(f *checks.Finding) { f.Statement = &checks.Statement{Index: 1, Sid: "T"} }, false},
		{"no statement", func(f *checks.Finding) { f.Statement = nil }, false},
		{"fields do not run together", func(f *checks.Finding) { f.Principal, f.Policy = roleApp+"inline", " policy x" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := base
			src := *base.Source
			f.Source = &src
			tt.change(&f)
			if got := fingerprint(&f) == fingerprint(&base); got != tt.same {
				t.Errorf("changing the %s: same fingerprint = %v, want %v", tt.name, got, tt.same)
			}
		})
	}
}

func TestRuleName(t *testing.T) {
	tests := map[string]string{
		"iam-inline-policy-decrypt-all-keys": "IamInlinePolicyDecryptAllKeys",
		"kms1":                               "Kms1",
		"a--b":                               "AB",
	}
	for in, want := range tests {
		if got := ruleName(in); got != want {
			t.Errorf("ruleName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFileURI(t *testing.T) {
	tests := map[string]string{
		"examples/account":        "examples/account",
		"dir with space/a b.json": "dir%20with%20space/a%20b.json",
		"/abs/path/snap.json":     "file:///abs/path/snap.json",
		"a:b/c.json":              "./a:b/c.json",
	}
	for in, want := range tests {
		if got := fileURI(in); got != want {
			t.Errorf("fileURI(%q) = %q, want %q", in, got, want)
		}
	}
}
