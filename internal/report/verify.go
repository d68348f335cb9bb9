package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/keywarden/keywarden/internal/checks"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/escape"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/verify"
)

// VerifyVersion is the version of the JSON written by verify
// (docs/verify-json.md). It changes only when a field changes meaning or
// is removed.
const VerifyVersion = 1

// A VerifyReport is an expectations file held against an account, ready
// to be written in any format.
type VerifyReport struct {
	Tool        Tool
	GeneratedAt time.Time
	// Input is the account that was read; Expectations the file's path
	// as given (SARIF results point at its lines).
	Input        Input
	Expectations string
	Lang         checks.Lang
	Result       *verify.Result
}

func (r *VerifyReport) tool() Tool {
	t := r.Tool
	if t.Name == "" {
		t.Name = defaultToolName
	}
	if t.InformationURI == "" {
		t.InformationURI = defaultToolURI
	}
	return t
}

// counterexampleText says what a counterexample shows, in one line.
func counterexampleText(l *codeLabels, c *verify.Counterexample) string {
	name := c.Name()
	if c.Partial {
		name += " (" + l.Partly + ")"
	}
	acts := actionsText(c.Actions)
	key := c.KeyName
	switch c.Problem {
	case verify.NotListed:
		return fmt.Sprintf(l.NotListedF, name, acts, key)
	case verify.Forbidden:
		return fmt.Sprintf(l.ForbiddenF, name, acts, key)
	case verify.Cannot:
		return fmt.Sprintf(l.CannotF, name, acts, key)
	case verify.Nobody:
		return fmt.Sprintf(l.NobodyF, c.Selector, acts, key)
	case verify.Both:
		return fmt.Sprintf(l.BothF, name, acts, key)
	case verify.NoKey:
		return fmt.Sprintf(l.NoKeyF, c.Selector)
	}
	return name
}

func statusLabel(l *codeLabels, s verify.Status) string {
	switch s {
	case verify.Holds:
		return l.StatusHolds
	case verify.Violated:
		return l.StatusViolated
	}
	return l.StatusUnknown
}

// ruleHeadline says what a rule states: its form, operations and keys.
func ruleHeadline(rr *verify.RuleResult) string {
	r := rr.Rule
	var keys []string
	for i := range r.Keys {
		keys = append(keys, verify.KeySelectorText(&r.Keys[i]))
	}
	ops := strings.Join(r.Operations, ", ")
	if r.Form == "separate" {
		ops = "[" + strings.Join(r.Separate[0], ", ") + "] / [" + strings.Join(r.Separate[1], ", ") + "]"
	}
	var who []string
	for i := range r.Principals {
		who = append(who, verify.PrincipalSelectorText(&r.Principals[i]))
	}
	s := string(r.Form) + " " + ops + " on " + strings.Join(keys, " or ")
	if len(who) > 0 || r.Allows() {
		s += ": [" + strings.Join(who, ", ") + "]"
	}
	if len(r.Except) > 0 {
		var ex []string
		for i := range r.Except {
			ex = append(ex, verify.PrincipalSelectorText(&r.Except[i]))
		}
		s += " except [" + strings.Join(ex, ", ") + "]"
	}
	if r.Conditional == "ignored" {
		s += " (conditional: ignored)"
	}
	return s
}

// WriteVerifyText writes the outcome of every expectation for a person:
// a summary, then each rule with its counterexamples, their
// explanations and fixes.
func WriteVerifyText(w io.Writer, r *VerifyReport) error {
	l := codeLabelsFor(r.Lang)
	ew := &errWriter{w: w, planned: l.lang}
	t := r.tool()
	title := l.VerifyTitle
	if t.Version != "" {
		title += " (" + t.Name + " " + t.Version + ")"
	}
	ew.printf("%s\n", title)
	col := labelColumn(l.Expectations, l.Input, l.Generated)
	ew.printf("%s%s\n", col(l.Expectations), escape.Text(r.Expectations))
	ew.printf("%s%s\n", col(l.Input), escape.Text(r.Input.Description))
	if !r.GeneratedAt.IsZero() {
		ew.printf("%s%s\n", col(l.Generated), formatTime(r.GeneratedAt))
	}
	c := r.Result.Counts()
	ew.printf("\n%s: "+l.VerifySummaryF+"\n", l.Summary, len(r.Result.Rules), c.Holds, c.Violated, c.Unknown)
	for i := range r.Result.Rules {
		rr := &r.Result.Rules[i]
		ew.printf("\n%s  %s  (%s:%d)\n", statusLabel(l, rr.Status), rr.Rule.ID, escape.Text(r.Expectations), rr.Rule.Line)
		if rr.Rule.Description != "" {
			ew.printf("  %s\n", escape.Text(rr.Rule.Description))
		}
		keys := pluralF(rr.Keys, l.KeysF[0], l.KeysF[1])
		if rr.Keys == 0 {
			keys = l.NoKeys
		}
		ew.printf("  %s (%s)\n", escape.Text(ruleHeadline(rr)), keys)
		for j := range rr.Violations {
			writeCounterexampleText(ew, l, r.Lang, &rr.Violations[j], "")
		}
		for j := range rr.Unknown {
			writeCounterexampleText(ew, l, r.Lang, &rr.Unknown[j], l.Undecided+": ")
		}
		if len(rr.Caveats) > 0 && rr.Status == verify.Holds {
			ew.printf("  note: %s:\n", l.Caveats)
			for _, cv := range rr.Caveats {
				ew.printf("    - %s\n", escape.Text(cv))
			}
		}
	}
	return ew.err
}

func writeCounterexampleText(ew *errWriter, l *codeLabels, lang checks.Lang, c *verify.Counterexample, prefix string) {
	ew.printf("  - %s%s\n", prefix, escape.Text(counterexampleText(l, c)))
	if c.Key != "" {
		ew.printf("      %s\n", c.Key)
	}
	for _, e := range c.Explanations {
		if len(c.Explanations) > 1 {
			ew.printf("      [%s] %s\n", actionsText(e.Actions), l.decisionLabel(e.Decision, e.Conditional))
		}
		for _, line := range explanationLines(l, &e, c.Key) {
			ew.printf("      %s\n", escape.Text(line))
		}
	}
	if f := c.Fix; f != nil {
		ew.printf("      %s (%s): %s\n", l.Fix, f.Check, escape.Text(f.Remediation.Summary.In(lang)))
		if f.Remediation.Verified {
			ew.printf("        (%s)\n", l.Verified)
		} else {
			ew.printf("        (%s)\n", l.NotVerified)
		}
		if f.Remediation.CLI != "" {
			ew.printf("        %s:\n", l.CLI)
			for _, line := range strings.Split(strings.TrimRight(f.Remediation.CLI, "\n"), "\n") {
				ew.printf("          %s\n", escape.Text(line))
			}
		}
	}
}

// The JSON of verify (docs/verify-json.md). Field order is the schema's.
type (
	verifyJSON struct {
		Version      int              `json:"version"`
		Kind         string           `json:"kind"`
		Tool         jsonTool         `json:"tool"`
		GeneratedAt  string           `json:"generatedAt,omitempty"`
		Input        string           `json:"input"`
		Expectations string           `json:"expectations"`
		Lang         string           `json:"lang"`
		Status       verify.Status    `json:"status"`
		Summary      verifySummary    `json:"summary"`
		Results      []verifyRuleJSON `json:"results"`
	}
	verifySummary struct {
		Expectations int `json:"expectations"`
		Holds        int `json:"holds"`
		Violated     int `json:"violated"`
		Unknown      int `json:"unknown"`
	}
	verifyRuleJSON struct {
		ID          string               `json:"id"`
		Description string               `json:"description,omitempty"`
		Form        string               `json:"form"`
		Line        int                  `json:"line"`
		Path        string               `json:"path"`
		Status      verify.Status        `json:"status"`
		Keys        int                  `json:"keys"`
		Violations  []counterexampleJSON `json:"violations"`
		Unknown     []counterexampleJSON `json:"unknown"`
		Caveats     []string             `json:"caveats"`
	}
	counterexampleJSON struct {
		Problem      verify.Problem    `json:"problem"`
		Message      string            `json:"message"`
		Principal    string            `json:"principal,omitempty"`
		Symbol       *engine.Symbol    `json:"symbol,omitempty"`
		Kind         string            `json:"principalKind,omitempty"`
		Description  string            `json:"description,omitempty"`
		Partial      bool              `json:"partial,omitempty"`
		Selector     string            `json:"selector,omitempty"`
		Key          string            `json:"key,omitempty"`
		KeyName      string            `json:"keyName,omitempty"`
		Actions      []string          `json:"actions"`
		Explanations []explanationJSON `json:"explanations"`
		Fix          *fixJSON          `json:"fix,omitempty"`
	}
	explanationJSON struct {
		Actions     []string        `json:"actions"`
		Decision    engine.Decision `json:"decision"`
		Rule        engine.Rule     `json:"rule,omitempty"`
		Conditional bool            `json:"conditional,omitempty"`
		Conditions  []string        `json:"conditions,omitempty"`
		Unless      []string        `json:"unless,omitempty"`
		Summary     string          `json:"summary"`
		Reasons     []engine.Reason `json:"reasons"`
		Missing     []string        `json:"missing,omitempty"`
	}
	fixJSON struct {
		Check       string          `json:"check"`
		Message     string          `json:"message"`
		Remediation jsonRemediation `json:"remediation"`
	}
)

// WriteVerifyJSON writes the outcome as versioned JSON.
func WriteVerifyJSON(w io.Writer, r *VerifyReport) error {
	l := codeLabelsFor(r.Lang)
	t := r.tool()
	c := r.Result.Counts()
	out := verifyJSON{
		Version: VerifyVersion, Kind: "verify", Tool: jsonTool(t),
		Input: r.Input.Description, Expectations: r.Expectations, Lang: string(langOr(r.Lang)),
		Status:  overallStatus(c),
		Summary: verifySummary{Expectations: len(r.Result.Rules), Holds: c.Holds, Violated: c.Violated, Unknown: c.Unknown},
		Results: []verifyRuleJSON{},
	}
	if !r.GeneratedAt.IsZero() {
		out.GeneratedAt = formatTime(r.GeneratedAt)
	}
	for i := range r.Result.Rules {
		rr := &r.Result.Rules[i]
		j := verifyRuleJSON{ID: rr.Rule.ID, Description: rr.Rule.Description, Form: string(rr.Rule.Form), Line: rr.Rule.Line,
			Path: rr.Rule.Path, Status: rr.Status, Keys: rr.Keys, Violations: []counterexampleJSON{}, Unknown: []counterexampleJSON{},
			Caveats: nonNil(rr.Caveats)}
		for k := range rr.Violations {
			j.Violations = append(j.Violations, newCounterexampleJSON(l, r.Lang, &rr.Violations[k]))
		}
		for k := range rr.Unknown {
			j.Unknown = append(j.Unknown, newCounterexampleJSON(l, r.Lang, &rr.Unknown[k]))
		}
		out.Results = append(out.Results, j)
	}
	return encodeJSON(w, out)
}

func langOr(l checks.Lang) checks.Lang {
	if l == "" {
		return checks.English
	}
	return l
}

// overallStatus is the status of the whole file: violated when a rule
// is, else unknown when a rule is, else holds.
func overallStatus(c verify.Counts) verify.Status {
	switch {
	case c.Violated > 0:
		return verify.Violated
	case c.Unknown > 0:
		return verify.Unknown
	}
	return verify.Holds
}

func newCounterexampleJSON(l *codeLabels, lang checks.Lang, c *verify.Counterexample) counterexampleJSON {
	j := counterexampleJSON{Problem: c.Problem, Message: counterexampleText(l, c), Principal: c.Principal, Symbol: c.Symbol,
		Kind: string(c.Kind), Description: c.Description, Partial: c.Partial, Selector: c.Selector, Key: c.Key, KeyName: c.KeyName,
		Actions: nonNil(c.Actions), Explanations: []explanationJSON{}}
	for _, e := range c.Explanations {
		reasons := e.Reasons
		if reasons == nil {
			reasons = []engine.Reason{}
		}
		j.Explanations = append(j.Explanations, explanationJSON{Actions: e.Actions, Decision: e.Decision, Rule: e.Rule,
			Conditional: e.Conditional, Conditions: e.Conditions, Unless: e.Unless, Summary: e.Summary, Reasons: reasons, Missing: e.Missing})
	}
	if f := c.Fix; f != nil {
		j.Fix = &fixJSON{Check: f.Check, Message: f.Message.In(lang), Remediation: newJSONRemediation(f.Remediation, lang)}
	}
	return j
}

func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// ARNs and conditions stay readable: no \u003c for <.
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// WriteVerifySARIF writes the outcome as a SARIF 2.1.0 log: one rule per
// expectation, one result per counterexample (a note for an undecided
// one), located at the expectation's line in the expectations file so
// that code scanning annotates the rule that does not hold. The key is a
// logical location.
func WriteVerifySARIF(w io.Writer, r *VerifyReport) error {
	l := codeLabelsFor(r.Lang)
	t := r.tool()
	driver := sarif.NewToolComponent().WithName(t.Name).WithInformationURI(t.InformationURI).WithLanguage(sarifLanguage(r.Lang))
	if t.Version != "" {
		driver.WithVersion(t.Version)
	}
	run := sarif.NewRun()
	run.Language = sarifLanguage(r.Lang)
	run.Tool = sarif.NewTool()
	run.Tool.Driver = driver
	run.Results = []*sarif.Result{}
	for i := range r.Result.Rules {
		rr := &r.Result.Rules[i]
		short := rr.Rule.Description
		if short == "" {
			short = rr.Rule.ID
		}
		props := sarif.NewPropertyBag().WithTags([]string{"security", "aws", "kms", "expectation"})
		props.Add("security-severity", "7.0")
		props.Add("problem.severity", "error")
		driver.Rules = append(driver.Rules, sarif.NewRule(rr.Rule.ID).
			WithName(ruleName(rr.Rule.ID)).
			WithShortDescription(sarif.NewMultiformatMessageString().WithText(short)).
			WithFullDescription(sarif.NewMultiformatMessageString().WithText(ruleHeadline(rr))).
			WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarif.LevelError)).
			WithProperties(props))
		add := func(c *verify.Counterexample, undecided bool) {
			msg := counterexampleText(l, c)
			level := sarif.LevelError
			if undecided {
				msg = l.Undecided + ": " + msg
				level = sarif.LevelNote
			}
			if c.Fix != nil {
				msg += ". " + l.Fix + " (" + c.Fix.Check + "): " + c.Fix.Remediation.Summary.In(r.Lang)
			}
			res := sarif.NewRuleResult(rr.Rule.ID).WithRuleIndex(i).WithLevel(level).WithMessage(sarif.NewTextMessage(inventory.DescribePlanned(msg, l.lang)))
			res.PartialFingerprints = map[string]string{"primaryLocationLineHash": counterexampleFingerprint(rr.Rule.ID, c)}
			loc := sarif.NewLocation()
			phys := sarif.NewPhysicalLocation().WithArtifactLocation(sarif.NewSimpleArtifactLocation(fileURI(r.Expectations)))
			if rr.Rule.Line > 0 {
				phys.WithRegion(sarif.NewRegion().WithStartLine(rr.Rule.Line))
			}
			loc.WithPhysicalLocation(phys)
			if c.Key != "" {
				loc.AddLogicalLocation(sarif.NewLogicalLocation().WithFullyQualifiedName(c.Key).WithKind("resource"))
			}
			res.AddLocation(loc)
			rp := sarif.NewPropertyBag()
			rp.Add("counterexample", newCounterexampleJSON(l, r.Lang, c))
			res.WithProperties(rp)
			run.AddResult(res)
		}
		for j := range rr.Violations {
			add(&rr.Violations[j], false)
		}
		for j := range rr.Unknown {
			add(&rr.Unknown[j], true)
		}
	}
	return writeSARIFLog(w, sarif.NewReport().AddRun(run))
}

// writeSARIFLog writes a log without go-sarif's "not set" values (see
// prune).
func writeSARIFLog(w io.Writer, log *sarif.Report) error {
	raw, err := json.Marshal(log)
	if err != nil {
		return fmt.Errorf("writing SARIF: %w", err)
	}
	var doc any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("writing SARIF: %w", err)
	}
	return encodeJSON(w, prune(doc))
}

// counterexampleFingerprint identifies a counterexample across runs:
// the rule, what is wrong, who and which key, whatever the wording.
func counterexampleFingerprint(rule string, c *verify.Counterexample) string {
	h := sha256.New()
	for _, s := range []string{"keywarden-verify/v1", rule, string(c.Problem), c.Name(), c.Selector, c.Key, strings.Join(c.Actions, ",")} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// markdownLimit bounds the counterexamples a Markdown comment lists per
// rule: a pull-request comment holds 65,536 characters at most.
const markdownLimit = 20

// WriteVerifyMarkdown writes the outcome as Markdown for a pull-request
// comment: a table of the expectations, then the counterexamples of each
// rule that does not hold, folded.
func WriteVerifyMarkdown(w io.Writer, r *VerifyReport) error {
	l := codeLabelsFor(r.Lang)
	ew := &errWriter{w: w, planned: l.lang}
	c := r.Result.Counts()
	ew.printf("### %s: %s\n\n", l.md(l.VerifyTitle), l.md(fmt.Sprintf(l.VerifySummaryF, len(r.Result.Rules), c.Holds, c.Violated, c.Unknown)))
	ew.printf("%s: %s · %s: %s\n\n", l.md(l.Expectations), l.code(r.Expectations), l.md(l.Input), l.code(r.Input.Description))
	ew.printf("| | expectation | keys | |\n|---|---|---|---|\n")
	for i := range r.Result.Rules {
		rr := &r.Result.Rules[i]
		desc := l.code(rr.Rule.ID)
		if rr.Rule.Description != "" {
			desc += " " + l.md(rr.Rule.Description)
		}
		detail := ""
		switch {
		case len(rr.Violations) > 0:
			detail = fmt.Sprintf("%d", len(rr.Violations))
		case len(rr.Unknown) > 0:
			detail = fmt.Sprintf("%d", len(rr.Unknown))
		}
		ew.printf("| %s %s | %s | %d | %s |\n", statusIcon(rr.Status), l.md(statusLabel(l, rr.Status)), desc, rr.Keys, detail)
	}
	for i := range r.Result.Rules {
		rr := &r.Result.Rules[i]
		if rr.Status == verify.Holds {
			continue
		}
		ew.printf("\n<details><summary>%s %s</summary>\n\n", statusIcon(rr.Status), l.code(rr.Rule.ID))
		ew.printf("%s\n\n", l.code(ruleHeadline(rr)))
		n := 0
		for _, list := range []struct {
			cs     []verify.Counterexample
			prefix string
		}{{rr.Violations, ""}, {rr.Unknown, l.Undecided + ": "}} {
			for j := range list.cs {
				if n == markdownLimit {
					ew.printf("- %s\n", l.md(fmt.Sprintf(l.MoreF, len(rr.Violations)+len(rr.Unknown)-n)))
					break
				}
				n++
				writeCounterexampleMarkdown(ew, l, r.Lang, &list.cs[j], list.prefix)
			}
		}
		ew.printf("\n</details>\n")
	}
	return ew.err
}

func statusIcon(s verify.Status) string {
	switch s {
	case verify.Holds:
		return "✅"
	case verify.Violated:
		return "❌"
	}
	return "❔"
}

func writeCounterexampleMarkdown(ew *errWriter, l *codeLabels, lang checks.Lang, c *verify.Counterexample, prefix string) {
	ew.printf("- %s\n", l.md(prefix+counterexampleText(l, c)))
	for _, e := range c.Explanations {
		for _, line := range explanationLines(l, &e, c.Key) {
			ew.printf("  - %s\n", l.md(strings.TrimPrefix(line, "- ")))
		}
	}
	if f := c.Fix; f != nil {
		ew.printf("  - **%s** (%s): %s\n", l.md(l.Fix), l.code(f.Check), l.md(f.Remediation.Summary.In(lang)))
	}
}
