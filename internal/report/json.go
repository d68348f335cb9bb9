package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/keywarden/keywarden/internal/checks"
	"github.com/keywarden/keywarden/internal/escape"
	"github.com/keywarden/keywarden/internal/explain"
	"github.com/keywarden/keywarden/internal/parallel"
)

// The JSON report, schema version 1, documented field by field in
// docs/report-json.md. Field order is the order of the struct fields.
// Every field is always present: a string without a value is "", a list
// is [], an object without a value is null. Texts are in the report's
// language.
type (
	jsonReport struct {
		Version             int               `json:"version"`
		Tool                jsonTool          `json:"tool"`
		GeneratedAt         string            `json:"generatedAt"`
		Input               jsonInput         `json:"input"`
		Lang                checks.Lang       `json:"lang"`
		Summary             jsonSummary       `json:"summary"`
		Checks              []jsonCheck       `json:"checks"`
		Findings            []jsonFinding     `json:"findings"`
		Suppressed          []jsonSuppressed  `json:"suppressed"`
		ExpiredSuppressions []jsonSuppression `json:"expiredSuppressions"`
	}
	jsonTool struct {
		Name           string `json:"name"`
		Version        string `json:"version"`
		InformationURI string `json:"informationUri"`
	}
	jsonInput struct {
		Description string `json:"description"`
		Path        string `json:"path"`
	}
	jsonSummary struct {
		Checks              int                `json:"checks"`
		Fail                int                `json:"fail"`
		Unknown             int                `json:"unknown"`
		Pass                int                `json:"pass"`
		Suppressed          int                `json:"suppressed"`
		ExpiredSuppressions int                `json:"expiredSuppressions"`
		BySeverity          jsonSeverityCounts `json:"bySeverity"`
	}
	// jsonSeverityCounts is a struct, not a map, so that severities come
	// most severe first rather than in alphabetical order.
	jsonSeverityCounts struct {
		Critical jsonCounts `json:"critical"`
		High     jsonCounts `json:"high"`
		Medium   jsonCounts `json:"medium"`
		Low      jsonCounts `json:"low"`
		Info     jsonCounts `json:"info"`
	}
	jsonCounts struct {
		Fail    int `json:"fail"`
		Unknown int `json:"unknown"`
		Pass    int `json:"pass"`
	}
	jsonCheck struct {
		ID          string          `json:"id"`
		Severity    checks.Severity `json:"severity"`
		Control     string          `json:"control"`
		Title       string          `json:"title"`
		Description string          `json:"description"`
		Risk        string          `json:"risk"`
		References  []string        `json:"references"`
	}
	jsonFinding struct {
		Check     string          `json:"check"`
		Title     string          `json:"title"`
		Severity  checks.Severity `json:"severity"`
		Control   string          `json:"control"`
		Status    checks.Status   `json:"status"`
		Resource  string          `json:"resource"`
		Account   string          `json:"account"`
		Region    string          `json:"region"`
		Principal string          `json:"principal"`
		Policy    string          `json:"policy"`
		// PolicyText names the policy in the report's language.
		PolicyText  string           `json:"policyText"`
		Statement   *jsonStatement   `json:"statement"`
		Message     string           `json:"message"`
		Explanation []string         `json:"explanation"`
		Missing     []string         `json:"missing"`
		Remediation *jsonRemediation `json:"remediation"`
		Source      *jsonSource      `json:"source"`
		Fingerprint string           `json:"fingerprint"`
	}
	jsonStatement struct {
		Index int    `json:"index"`
		Sid   string `json:"sid"`
	}
	jsonRemediation struct {
		ID           string             `json:"id"`
		Summary      string             `json:"summary"`
		Verified     bool               `json:"verified"`
		Proof        *jsonProof         `json:"proof"`
		Edits        []jsonEdit         `json:"edits"`
		Diff         []jsonAccessChange `json:"diff"`
		Placeholders []jsonPlaceholder  `json:"placeholders"`
		Console      []string           `json:"console"`
		CLI          string             `json:"cli"`
		Terraform    string             `json:"terraform"`
		Alternatives []jsonRemediation  `json:"alternatives"`
	}
	jsonProof struct {
		Valid     jsonClaim `json:"valid"`
		Effective jsonClaim `json:"effective"`
		Minimal   jsonClaim `json:"minimal"`
		Safe      jsonClaim `json:"safe"`
	}
	jsonClaim struct {
		Holds bool   `json:"holds"`
		Why   string `json:"why"`
	}
	jsonEdit struct {
		Action      string `json:"action"`
		Target      string `json:"target"`
		Name        string `json:"name"`
		Statements  []int  `json:"statements"`
		Description string `json:"description"`
		// Document is the document the edit writes, as JSON, or null.
		Document any `json:"document"`
	}
	jsonAccessChange struct {
		Principal string `json:"principal"`
		Key       string `json:"key"`
		Action    string `json:"action"`
		Before    string `json:"before"`
		After     string `json:"after"`
	}
	jsonPlaceholder struct {
		Name       string   `json:"name"`
		Candidates []string `json:"candidates"`
		Note       string   `json:"note"`
	}
	jsonSource struct {
		File string `json:"file"`
		Path string `json:"path"`
		Line int    `json:"line"`
	}
	jsonSuppressed struct {
		jsonFinding
		Suppression jsonSuppressionOf `json:"suppression"`
	}
	jsonSuppressionOf struct {
		Reason  string  `json:"reason"`
		Expires *string `json:"expires"`
	}
	jsonSuppression struct {
		Check    string  `json:"check"`
		Resource string  `json:"resource"`
		Reason   string  `json:"reason"`
		Expires  *string `json:"expires"`
	}
)

// WriteJSON writes the report as one indented JSON document, schema
// version [Version] (docs/report-json.md). Every finding is written,
// passed ones included.
func WriteJSON(w io.Writer, r *Report) error {
	r = r.sorted()
	s := r.Summary()
	out := jsonReport{
		Version:     Version,
		Tool:        jsonTool{Name: r.Tool.Name, Version: r.Tool.Version, InformationURI: r.Tool.InformationURI},
		GeneratedAt: formatTime(r.GeneratedAt),
		Input:       jsonInput{Description: r.Input.Description, Path: r.Input.Path},
		Lang:        r.Lang,
		Summary: jsonSummary{
			Checks:              s.Checks,
			Fail:                s.Total.Fail,
			Unknown:             s.Total.Unknown,
			Pass:                s.Total.Pass,
			Suppressed:          s.Suppressed,
			ExpiredSuppressions: s.ExpiredSuppressions,
			BySeverity: jsonSeverityCounts{
				Critical: jsonCounts(s.BySeverity[checks.Critical]),
				High:     jsonCounts(s.BySeverity[checks.High]),
				Medium:   jsonCounts(s.BySeverity[checks.Medium]),
				Low:      jsonCounts(s.BySeverity[checks.Low]),
				Info:     jsonCounts(s.BySeverity[checks.Info]),
			},
		},
		Checks:              []jsonCheck{},
		Findings:            []jsonFinding{},
		Suppressed:          []jsonSuppressed{},
		ExpiredSuppressions: []jsonSuppression{},
	}
	for _, c := range r.Checks {
		out.Checks = append(out.Checks, jsonCheck{
			ID:          c.ID,
			Severity:    c.Severity,
			Control:     c.Control,
			Title:       c.Title.In(r.Lang),
			Description: c.Description.In(r.Lang),
			Risk:        c.Risk.In(r.Lang),
			References:  nonNil(c.References),
		})
	}
	// The findings are most of a large report: each is written on its
	// own, on every core, and set into the rest (writeIndented).
	findings := make([][]byte, len(r.Findings))
	var ferr error
	var once sync.Once
	parallel.For(len(r.Findings), func(i int) {
		b, err := indented(newJSONFinding(r, &r.Findings[i]), "    ")
		if err != nil {
			once.Do(func() { ferr = err })
		}
		findings[i] = b
	})
	if ferr != nil {
		return fmt.Errorf("writing JSON report: %w", ferr)
	}
	for i := range r.Suppressed {
		sf := &r.Suppressed[i]
		out.Suppressed = append(out.Suppressed, jsonSuppressed{
			jsonFinding: newJSONFinding(r, &sf.Finding),
			Suppression: jsonSuppressionOf{Reason: sf.Suppression.Reason, Expires: expiry(&sf.Suppression)},
		})
	}
	for i := range r.ExpiredSuppressions {
		e := &r.ExpiredSuppressions[i]
		out.ExpiredSuppressions = append(out.ExpiredSuppressions, jsonSuppression{
			Check: e.Check, Resource: e.Resource, Reason: e.Reason, Expires: expiry(e),
		})
	}
	b, err := indented(out, "")
	if err != nil {
		return fmt.Errorf("writing JSON report: %w", err)
	}
	b = append(b, '\n')
	if len(findings) > 0 {
		// The report without findings holds an empty list at the top
		// level, the only line with these two spaces and this key.
		empty := []byte("\n  \"findings\": [],\n")
		at := bytes.Index(b, empty)
		if at < 0 {
			return fmt.Errorf("writing JSON report: no findings list to fill")
		}
		var full bytes.Buffer
		full.Grow(len(b) + len(findings)*1024)
		full.Write(b[:at])
		full.WriteString("\n  \"findings\": [\n")
		for i, f := range findings {
			if i > 0 {
				full.WriteString(",\n")
			}
			full.WriteString("    ")
			full.Write(f)
		}
		full.WriteString("\n  ],\n")
		full.Write(b[at+len(empty):])
		b = full.Bytes()
	}
	// encoding/json leaves DEL, C1 and bidirectional controls raw.
	_, err = w.Write(escape.JSON(b))
	return err
}

// indented writes v as JSON indented by two spaces, each line after the
// first starting with prefix (the depth it is set at), without a final
// newline. Policies, commands and Terraform contain < > &: they are kept
// readable.
func indented(v any, prefix string) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent(prefix, "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func newJSONFinding(r *Report, f *checks.Finding) jsonFinding {
	j := jsonFinding{
		Check:       f.Check,
		Severity:    f.Severity,
		Control:     f.Control,
		Status:      f.Status,
		Resource:    f.Resource,
		Account:     f.Account,
		Region:      f.Region,
		Principal:   f.Principal,
		Policy:      f.Policy,
		PolicyText:  explain.PolicyLabel(f.Policy, string(r.Lang)),
		Message:     say(f.Message, r.Lang),
		Explanation: nonNil(textsIn(f.Explanation, r.Lang)),
		Missing:     nonNil(f.Missing),
		Fingerprint: fingerprint(f),
	}
	if c := r.check(f.Check); c != nil {
		j.Title = c.Title.In(r.Lang)
	}
	if f.Remediation != nil {
		rem := newJSONRemediation(f.Remediation, r.Lang)
		j.Remediation = &rem
	}
	if f.Statement != nil {
		j.Statement = &jsonStatement{Index: f.Statement.Index, Sid: f.Statement.Sid}
	}
	if f.Source != nil {
		j.Source = &jsonSource{File: f.Source.File, Path: f.Source.Path, Line: f.Source.Line}
	}
	return j
}

func newJSONRemediation(rem *checks.Remediation, lang checks.Lang) jsonRemediation {
	j := jsonRemediation{
		ID:           rem.ID,
		Summary:      say(rem.Summary, lang),
		Verified:     rem.Verified,
		Edits:        []jsonEdit{},
		Diff:         []jsonAccessChange{},
		Placeholders: []jsonPlaceholder{},
		Console:      []string{},
		CLI:          rem.CLI,
		Terraform:    rem.Terraform,
		Alternatives: []jsonRemediation{},
	}
	if p := rem.Proof; p != nil {
		claim := func(c checks.Claim) jsonClaim { return jsonClaim{Holds: c.Holds, Why: say(c.Why, lang)} }
		j.Proof = &jsonProof{Valid: claim(p.Valid), Effective: claim(p.Effective), Minimal: claim(p.Minimal), Safe: claim(p.Safe)}
	}
	for _, e := range rem.Edits {
		je := jsonEdit{Action: e.Action, Target: e.Target, Name: e.Name, Statements: e.Statements, Description: say(e.Description, lang)}
		if je.Statements == nil {
			je.Statements = []int{}
		}
		switch {
		case len(e.Document) == 0:
		case json.Valid(e.Document):
			je.Document = e.Document
		default:
			// Not JSON: kept as the text it is rather than break the report.
			je.Document = string(e.Document)
		}
		j.Edits = append(j.Edits, je)
	}
	for _, d := range rem.Diff {
		j.Diff = append(j.Diff, jsonAccessChange(d))
	}
	for _, p := range rem.Placeholders {
		j.Placeholders = append(j.Placeholders, jsonPlaceholder{Name: p.Name, Candidates: nonNil(p.Candidates), Note: say(p.Note, lang)})
	}
	for _, s := range rem.Console {
		j.Console = append(j.Console, say(s, lang))
	}
	for i := range rem.Alternatives {
		j.Alternatives = append(j.Alternatives, newJSONRemediation(&rem.Alternatives[i], lang))
	}
	return j
}

// say is a text of a check in a language, with the engine's phrases it
// quotes in that language too (explain.Text).
func say(t checks.Text, lang checks.Lang) string {
	return explain.Text(t.In(lang), string(lang))
}

func expiry(s *Suppression) *string {
	if s.Expires.IsZero() {
		return nil
	}
	t := formatTime(s.Expires)
	return &t
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
