package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/keywarden/keywarden/internal/checks"
	"github.com/keywarden/keywarden/internal/escape"
	"github.com/keywarden/keywarden/internal/explain"
	"github.com/keywarden/keywarden/internal/inventory"
)

// Notes on SARIF and GitHub code scanning, which reads a subset of SARIF
// 2.1.0 ([SARIF support for code scanning]) and behaves in ways the
// standard does not say:
//
//   - GitHub rejects the whole upload when one result has no location, or
//     a location without a physicalLocation.artifactLocation
//     ("locationFromSarifResult: expected artifact location"). Our
//     findings are about AWS resources, not lines of a file, so a result
//     points at the finding's Source when it is known (the export or IaC
//     file and line it was read from) and otherwise at the input the
//     report names (Input.Path: the snapshot file or the export
//     directory), or at "." (the repository root) for a live collection.
//     The ARN is always there too, as a logicalLocation.
//   - GitHub groups results into alerts by rule, file and
//     partialFingerprints.primaryLocationLineHash. When the value is
//     missing, upload-sarif computes it from the text of the result's
//     line, and every finding that points at the same file without a line
//     would collapse into one alert. So we set it ourselves, from what
//     identifies a finding (check, resource, principal, policy,
//     statement) and not from where it was read: moving a statement
//     within a file does not open a new alert. upload-sarif keeps a value
//     it finds and only logs a warning when its own hash differs.
//   - GitHub ignores result.suppressions: a suppressed result would show
//     as an open alert. Suppressed findings are therefore left out.
//   - GitHub ignores result.kind as well: code scanning uses only the
//     properties its documentation lists ("Supported SARIF output file
//     properties"), and kind is not one of them, so a result of kind
//     "review" or "notApplicable" (or "pass", microsoft/PSRule#955)
//     still opens an alert. A finding keywarden could not decide is not
//     an alert: something to fix is not known, data to read is. So an
//     undecided finding is not a result but a tool execution
//     notification (runs[0].invocations[0].toolExecutionNotifications,
//     SARIF 2.1.0 §3.20.21): level "warning", the check as its
//     associatedRule, the same locations, and the data that could not be
//     read. Consumers that read notifications show it as a problem of the
//     scan; GitHub shows no alert, and closes one a previous scan opened.
//   - security-severity is a string holding a number; GitHub maps
//     ≥ 9.0 to critical, 7.0–8.9 to high, 4.0–6.9 to medium, below that
//     to low. It is read only when the rule's tags include "security".
//   - go-sarif v3 writes the "not set" value of every property (-1 for
//     indexes and offsets, [] for lists). The standard says these mean
//     "absent", but GitHub reads a region's offsets when they are
//     present, and the defaults make the file three times longer. So
//     [WriteSARIF] drops them (see prune); the test validates the file
//     written, against the 2.1.0 schema go-sarif embeds.
//
// [SARIF support for code scanning]: https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning

// securitySeverity is GitHub's numeric severity for each of ours.
var securitySeverity = map[checks.Severity]string{
	checks.Critical: "9.5",
	checks.High:     "8.0",
	checks.Medium:   "5.5",
	checks.Low:      "3.0",
	checks.Info:     "1.0",
}

// sarifLevel maps a severity to a SARIF level: GitHub shows error and
// warning results as failing a pull request check by default.
func sarifLevel(s checks.Severity) string {
	switch s {
	case checks.Critical, checks.High:
		return sarif.LevelError
	case checks.Medium:
		return sarif.LevelWarning
	}
	return sarif.LevelNote
}

// WriteSARIF writes the report as a SARIF 2.1.0 log for GitHub code
// scanning: one run, one rule per check that ran, one result per failed
// finding, and one tool execution notification per undecided finding.
// Passed and suppressed findings are left out.
func WriteSARIF(w io.Writer, r *Report) error {
	log := sarifLog(r)
	raw, err := json.Marshal(log)
	if err != nil {
		return fmt.Errorf("writing SARIF report: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("writing SARIF report: %w", err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(prune(doc)); err != nil {
		return fmt.Errorf("writing SARIF report: %w", err)
	}
	// encoding/json leaves DEL, C1 and bidirectional controls raw, and
	// GitHub shows message texts as they are.
	_, err = w.Write(escape.JSON(b.Bytes()))
	return err
}

// sarifLog builds the SARIF log of a report.
func sarifLog(r *Report) *sarif.Report {
	r = r.sorted()
	l := labelsFor(r.Lang)

	driver := sarif.NewToolComponent().
		WithName(r.Tool.Name).
		WithInformationURI(r.Tool.InformationURI).
		WithLanguage(sarifLanguage(r.Lang))
	if r.Tool.Version != "" {
		driver.WithVersion(r.Tool.Version)
	}
	run := sarif.NewRun()
	run.Language = sarifLanguage(r.Lang)
	run.Tool = sarif.NewTool()
	run.Tool.Driver = driver

	index := map[string]int{}
	addRule := func(c *checks.Check) {
		index[c.ID] = len(driver.Rules)
		driver.Rules = append(driver.Rules, sarifRule(c, r.Lang))
	}
	for _, c := range r.Checks {
		addRule(c)
	}
	var notes []*sarif.Notification
	for i := range r.Findings {
		f := &r.Findings[i]
		if f.Status == checks.Pass {
			continue
		}
		if _, ok := index[f.Check]; !ok {
			// A finding of a check the report does not list: describe the
			// rule from the finding rather than lose the result.
			addRule(&checks.Check{ID: f.Check, Severity: f.Severity, Control: f.Control})
		}
		if f.Status == checks.Unknown {
			notes = append(notes, sarifNotification(r, l, f, index[f.Check]))
			continue
		}
		run.AddResult(sarifResult(r, f, index[f.Check]))
	}
	if len(notes) > 0 {
		run.AddInvocation(sarif.NewInvocation().
			WithExecutionSuccessful(true).
			WithToolExecutionNotifications(notes))
	}
	return sarif.NewReport().AddRun(run)
}

func sarifRule(c *checks.Check, lang checks.Lang) *sarif.ReportingDescriptor {
	title := c.Title.In(lang)
	if title == "" {
		title = c.ID
	}
	desc := c.Description.In(lang)
	if desc == "" {
		desc = title
	}
	l := labelsFor(lang)
	text, md := c.Risk.In(lang), c.Risk.In(lang)
	if len(c.References) > 0 {
		text += "\n\n" + l.References + ":\n"
		md += "\n\n**" + l.References + "**\n\n"
		for _, ref := range c.References {
			text += "- " + ref + "\n"
			md += "- <" + ref + ">\n"
		}
	}
	tags := []string{"security", "aws", "kms"}
	if c.Control != "" {
		tags = append(tags, c.Control)
	}
	props := sarif.NewPropertyBag().WithTags(tags)
	props.Add("security-severity", securitySeverity[c.Severity])
	props.Add("precision", "high")
	props.Add("problem.severity", problemSeverity(c.Severity))

	rule := sarif.NewRule(c.ID).
		WithName(ruleName(c.ID)).
		WithShortDescription(sarif.NewMultiformatMessageString().WithText(title)).
		WithFullDescription(sarif.NewMultiformatMessageString().WithText(desc)).
		WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarifLevel(c.Severity))).
		WithProperties(props)
	if strings.TrimSpace(text) != "" {
		rule.WithHelp(sarif.NewMultiformatMessageString().WithText(strings.TrimSpace(text)).WithMarkdown(strings.TrimSpace(md)))
	}
	if len(c.References) > 0 {
		rule.WithHelpURI(c.References[0])
	}
	return rule
}

// problemSeverity is the non-security severity GitHub shows for a rule
// (error, warning or recommendation).
func problemSeverity(s checks.Severity) string {
	switch s {
	case checks.Critical, checks.High:
		return "error"
	case checks.Medium:
		return "warning"
	}
	return "recommendation"
}

func sarifResult(r *Report, f *checks.Finding, ruleIndex int) *sarif.Result {
	res := sarif.NewRuleResult(f.Check).
		WithRuleIndex(ruleIndex).
		WithLevel(sarifLevel(f.Severity)).
		WithMessage(sarif.NewTextMessage(sarifText(f.Message, r.Lang)))
	res.PartialFingerprints = map[string]string{"primaryLocationLineHash": fingerprint(f)}
	res.AddLocation(sarifLocation(r, f))
	res.WithProperties(sarifProperties(r, f))
	return res
}

// sarifNotification is an undecided finding: what could not be decided,
// and which data was missing.
func sarifNotification(r *Report, l *labels, f *checks.Finding, ruleIndex int) *sarif.Notification {
	var missing []string
	for _, m := range f.Missing {
		missing = append(missing, explain.Reason(m, string(r.Lang)))
	}
	m := strings.Join(missing, "; ")
	if m == "" {
		m = l.None
	}
	msg := fmt.Sprintf(l.CouldNotDecideF, sarifText(f.Message, r.Lang), plainText(inventory.DescribePlanned(m, string(r.Lang))))
	n := sarif.NewNotification().
		WithLevel(sarif.LevelWarning).
		WithMessage(sarif.NewTextMessage(msg)).
		WithAssociatedRule(sarif.NewReportingDescriptorReference().WithID(f.Check).WithIndex(ruleIndex)).
		WithLocations([]*sarif.Location{sarifLocation(r, f)})
	props := sarifProperties(r, f)
	props.Add("fingerprint", fingerprint(f))
	n.WithProperties(props)
	return n
}

// sarifText is a finding's text for a SARIF message: in the report's
// language, placeholders in words, embedded links escaped.
func sarifText(t checks.Text, lang checks.Lang) string {
	s := explain.Text(t.In(lang), string(lang))
	return plainText(inventory.DescribePlanned(s, string(lang)))
}

// sarifLocation is where a finding points: its Source when it is known
// (the export or IaC file and line it was read from), else the input the
// report names, with the resource's ARN and the path in the source (a
// Terraform address, a template path) as logical locations.
func sarifLocation(r *Report, f *checks.Finding) *sarif.Location {
	loc := sarif.NewLocation()
	phys := sarif.NewPhysicalLocation()
	if f.Source != nil && f.Source.File != "" {
		phys.WithArtifactLocation(sarif.NewSimpleArtifactLocation(fileURI(f.Source.File)))
		if f.Source.Line > 0 {
			phys.WithRegion(sarif.NewRegion().WithStartLine(f.Source.Line))
		}
	} else {
		p := r.Input.Path
		if p == "" {
			p = "."
		}
		phys.WithArtifactLocation(sarif.NewSimpleArtifactLocation(fileURI(p)))
	}
	loc.WithPhysicalLocation(phys)
	if f.Resource != "" {
		loc.AddLogicalLocation(sarif.NewLogicalLocation().
			WithFullyQualifiedName(f.Resource).
			WithKind("resource"))
	}
	if f.Source != nil && f.Source.Path != "" {
		// Where in the file: the Terraform address or template path
		// of the resource's attribute (aws_kms_key.app.policy,
		// Resources.AppKey.Properties.KeyPolicy), or the JSON path in
		// an export's file.
		loc.AddLogicalLocation(sarif.NewLogicalLocation().
			WithFullyQualifiedName(f.Source.Path).
			WithKind("member"))
	}
	return loc
}

// sarifProperties are a finding's own data: its status, what it is
// about, why, and its fix (as in the JSON report).
func sarifProperties(r *Report, f *checks.Finding) *sarif.PropertyBag {
	props := sarif.NewPropertyBag()
	props.Add("status", f.Status.String())
	props.Add("resource", f.Resource)
	if f.Principal != "" {
		props.Add("principal", f.Principal)
	}
	if f.Policy != "" {
		props.Add("policy", f.Policy)
	}
	if f.Statement != nil {
		props.Add("statement", jsonStatement{Index: f.Statement.Index, Sid: f.Statement.Sid})
	}
	if len(f.Explanation) > 0 {
		props.Add("explanation", textsIn(f.Explanation, r.Lang))
	}
	if len(f.Missing) > 0 {
		props.Add("missing", f.Missing)
	}
	if f.Remediation != nil {
		props.Add("remediation", newJSONRemediation(f.Remediation, r.Lang))
	}
	return props
}

// plainText makes text fit for a SARIF plain-text message, in which
// "[text](target)" is an embedded link (SARIF 2.1.0 §3.11.6) that GitHub
// renders: a literal bracket is escaped with a backslash, and so is a
// backslash just before one, so that a name holding "[click](https://…)"
// is shown as written and links nowhere.
func plainText(s string) string {
	if !strings.ContainsAny(s, "[]") {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if r == '[' || r == ']' || (r == '\\' && i+1 < len(s) && (s[i+1] == '[' || s[i+1] == ']')) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fingerprint identifies a finding across scans: the same check on the
// same resource, principal, policy and statement gives the same value
// whatever the file, the line or the wording.
func fingerprint(f *checks.Finding) string {
	h := sha256.New()
	stmt := "-"
	if f.Statement != nil {
		stmt = strconv.Itoa(f.Statement.Index) + "/" + f.Statement.Sid
	}
	for _, s := range []string{"keywarden/v1", f.Check, f.Resource, f.Principal, f.Policy, stmt} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// ruleName turns a check ID into the PascalCase name SARIF suggests for
// rules ("iam-inline-policy-decrypt-all-keys" → "IamInlinePolicyDecryptAllKeys").
func ruleName(id string) string {
	var b strings.Builder
	for part := range strings.SplitSeq(id, "-") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// fileURI writes a file path as a URI reference: relative paths stay
// relative, with forward slashes, so GitHub resolves them against the
// repository root; absolute paths become file URIs.
func fileURI(p string) string {
	slash := filepath.ToSlash(p)
	if filepath.IsAbs(p) {
		return (&url.URL{Scheme: "file", Path: slash}).String()
	}
	return (&url.URL{Path: slash}).String()
}

func sarifLanguage(l checks.Lang) string {
	if l == checks.Japanese {
		return "ja-JP"
	}
	return "en-US"
}

// absentNumbers are the SARIF properties whose default, -1, means "not
// set" (SARIF 2.1.0 §3.4.4 and the properties' own sections).
var absentNumbers = map[string]bool{
	"index": true, "parentIndex": true, "id": true, "ruleIndex": true, "rank": true,
	"byteOffset": true, "charOffset": true, "length": true,
}

// prune removes the properties go-sarif writes with their "not set"
// value: -1 for the numbers above, empty lists (but never run.results, an
// empty list of which tells GitHub that every alert is fixed), the default
// toolComponent.contents and isComprehensive false. Property bags (our own
// data) are left alone.
func prune(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			switch e := e.(type) {
			case json.Number:
				if absentNumbers[k] && e.String() == "-1" {
					delete(v, k)
				}
			case []any:
				if len(e) == 0 && k != "results" {
					delete(v, k)
				}
			}
			if k == "properties" {
				if m, ok := e.(map[string]any); ok && len(m) == 0 {
					delete(v, k)
				}
				continue
			}
			if _, ok := v[k]; ok {
				v[k] = prune(e)
			}
		}
		if c, ok := v["contents"].([]any); ok && len(c) == 2 && c[0] == "localizedData" && c[1] == "nonLocalizedData" {
			delete(v, "contents")
		}
		if b, ok := v["isComprehensive"].(bool); ok && !b {
			delete(v, "isComprehensive")
		}
	case []any:
		for i := range v {
			v[i] = prune(v[i])
		}
	}
	return v
}
