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

// writeText prints each verdict with its explanation, then the summary
// line. Verdicts come in input order, which is deterministic (files in
// lexical order, lines in file order).
func writeText(w io.Writer, vs []verdict, quiet bool) error {
	for i := range vs {
		v := &vs[i]
		st := v.Status()
		if quiet && st != failed {
			continue
		}
		s := v.Scenario
		switch st {
		case passed:
			fmt.Fprintf(w, "PASS %s  %s  (expected %s)\n", escape.Args(s.Name, v.Result.Decision, s.Expect)...)
		case failed:
			fmt.Fprintf(w, "FAIL %s  %s  (expected %s)  at %s\n", escape.Args(s.Name, v.Result.Decision, s.Expect, s.Source)...)
		default:
			fmt.Fprintf(w, "---- %s  %s\n", escape.Args(s.Name, v.Result.Decision)...)
		}
		writeExplanation(w, &v.Result, "  ")
	}
	n := count(vs)
	summary := fmt.Sprintf("%d passed, %d failed", n[passed], n[failed])
	if n[noExpectation] > 0 {
		summary += fmt.Sprintf(", %d without expectation", n[noExpectation])
	}
	_, err := fmt.Fprintln(w, summary)
	return err
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

// writeJSON prints one JSON object per verdict (JSON Lines). Each line
// goes through escape.JSON, since encoding/json leaves DEL, C1 and
// bidirectional controls raw.
func writeJSON(w io.Writer, vs []verdict, quiet bool) error {
	var line bytes.Buffer
	enc := json.NewEncoder(&line)
	// Policies and summaries quote ARNs and conditions; keep <, > and &
	// readable.
	enc.SetEscapeHTML(false)
	for i := range vs {
		v := &vs[i]
		st := v.Status()
		if quiet && st != failed {
			continue
		}
		out := jsonVerdict{
			Version:     jsonVersion,
			Name:        v.Scenario.Name,
			Source:      v.Scenario.Source.String(),
			Decision:    v.Result.Decision,
			Expect:      v.Scenario.Expect,
			Explanation: &v.Result,
		}
		if st != noExpectation {
			match := st == passed
			out.Match = &match
		}
		line.Reset()
		if err := enc.Encode(out); err != nil {
			return err
		}
		if _, err := w.Write(escape.JSON(line.Bytes())); err != nil {
			return err
		}
	}
	return nil
}
