package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/escape"
)

// A verdictFormat writes verdicts one at a time, as --format and --quiet
// ask: each worker of simulate formats the verdicts it decides, and the
// outputs are printed in input order.
type verdictFormat struct {
	json  bool
	quiet bool
}

// verdict appends v to b: its lines as text, or one JSON object; nothing
// when --quiet hides it.
func (f verdictFormat) verdict(b *bytes.Buffer, v *verdict) error {
	st := v.Status()
	if f.quiet && st != failed {
		return nil
	}
	if f.json {
		return writeJSONVerdict(b, v, st)
	}
	writeTextVerdict(b, v, st)
	return nil
}

// summary writes what follows the last verdict: the count line as text,
// nothing as JSON (every line of JSON Lines output is a verdict).
func (f verdictFormat) summary(w io.Writer, n counts) error {
	if f.json {
		return nil
	}
	summary := fmt.Sprintf("%d passed, %d failed", n[passed], n[failed])
	if n[noExpectation] > 0 {
		summary += fmt.Sprintf(", %d without expectation", n[noExpectation])
	}
	_, err := fmt.Fprintln(w, summary)
	return err
}

// writeTextVerdict prints a verdict's status line and its explanation.
func writeTextVerdict(b *bytes.Buffer, v *verdict, st status) {
	s := v.Scenario
	switch st {
	case passed:
		fmt.Fprintf(b, "PASS %s  %s  (expected %s)\n", escape.Args(s.Name, v.Result.Decision, s.Expect)...)
	case failed:
		fmt.Fprintf(b, "FAIL %s  %s  (expected %s)  at %s\n", escape.Args(s.Name, v.Result.Decision, s.Expect, s.Source)...)
	default:
		fmt.Fprintf(b, "---- %s  %s\n", escape.Args(s.Name, v.Result.Decision)...)
	}
	writeExplanation(b, &v.Result, "  ")
}

// writeExplanation prints a result's explanation, each line indented.
// Every value is escaped (escape.Text): scenario names, Sids, policy
// names and condition values are the scenario author's.
func writeExplanation(w io.Writer, r *engine.Result, indent string) {
	if r.Summary != "" {
		fmt.Fprintf(w, "%s%s\n", indent, escape.Text(r.Summary))
	}
	for _, reason := range r.Reasons {
		fmt.Fprintf(w, "%s- %s\n", indent, escape.Text(reasonText(reason)))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "%snote: %s\n", indent, escape.Text(n))
	}
	if r.Conditional {
		for _, c := range r.Conditions {
			fmt.Fprintf(w, "%sonly if: %s\n", indent, escape.Text(c))
		}
	}
	for _, m := range r.Missing {
		fmt.Fprintf(w, "%smissing: %s\n", indent, escape.Text(m))
	}
}

// reasonText names a statement the way AWS's console does ("key policy
// statement 'Enable IAM User Permissions' (#0)") and says what it did.
func reasonText(r engine.Reason) string {
	var b strings.Builder
	b.WriteString(r.Policy)
	if r.Statement >= 0 {
		b.WriteString(" statement ")
		if r.Sid != "" {
			fmt.Fprintf(&b, "'%s' (#%d)", r.Sid, r.Statement)
		} else {
			fmt.Fprintf(&b, "#%d", r.Statement)
		}
	}
	b.WriteString(": ")
	b.WriteString(r.Role)
	if len(r.Conditions) > 0 {
		b.WriteString(" (only if " + strings.Join(r.Conditions, " and ") + ")")
	}
	return b.String()
}

// jsonVersion is the version of the JSON Lines schema in
// docs/simulate-json.md; it changes only when a field changes meaning or
// disappears.
const jsonVersion = 1

// jsonVerdict is one line of --format json. The field order is the schema's.
type jsonVerdict struct {
	Version     int              `json:"version"`
	Name        string           `json:"name"`
	Source      string           `json:"source"`
	Decision    engine.Decision  `json:"decision"`
	Expect      *engine.Decision `json:"expect,omitempty"`
	Match       *bool            `json:"match,omitempty"`
	Explanation *engine.Result   `json:"explanation"`
}

// writeJSONVerdict prints a verdict as one line of JSON Lines. The line
// goes through escape.JSON, since encoding/json leaves DEL, C1 and
// bidirectional controls raw.
func writeJSONVerdict(b *bytes.Buffer, v *verdict, st status) error {
	line := jsonVerdict{
		Version:     jsonVersion,
		Name:        v.Scenario.Name,
		Source:      v.Scenario.Source.String(),
		Decision:    v.Result.Decision,
		Expect:      v.Scenario.Expect,
		Explanation: &v.Result,
	}
	if st != noExpectation {
		match := st == passed
		line.Match = &match
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	// Policies and summaries quote ARNs and conditions; keep <, > and &
	// readable.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(line); err != nil {
		return err
	}
	b.Write(escape.JSON(out.Bytes()))
	return nil
}
