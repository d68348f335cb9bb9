package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/escape"
)

// AnswersVersion is the version of the JSON written for can, who-can and
// the access matrix (docs/answers-json.md).
const AnswersVersion = 1

// WriteCanText writes the answer to a can question for a person.
func WriteCanText(w io.Writer, a *access.Answer) error {
	ew := &errWriter{w: w}
	ew.printf("%s  %s %s %s\n", decisionLabel(a.Decision, a.Conditional), a.Principal, a.Action, a.Resource)
	ew.printf("  %s\n", a.Summary)
	for _, n := range a.Notes {
		ew.printf("  note: %s\n", n)
	}
	for _, s := range a.Steps {
		ew.printf("\n  %s side: %s on %s: %s\n", s.Side, s.Action, s.Resource, decisionLabel(s.Result.Decision, s.Result.Conditional))
		writeResult(ew, "    ", s.Result)
	}
	return ew.err
}

func decisionLabel(d engine.Decision, conditional bool) string {
	if d == engine.Allow && conditional {
		return "Allow (conditional)"
	}
	return d.String()
}

// writeResult writes an engine result's explanation, indented.
func writeResult(ew *errWriter, indent string, r engine.Result) {
	ew.printf("%s%s\n", indent, r.Summary)
	for _, reason := range r.Reasons {
		ew.printf("%s- %s\n", indent, reasonText(reason))
	}
	for _, c := range r.Conditions {
		ew.printf("%swhen: %s\n", indent, c)
	}
	for _, m := range r.Missing {
		ew.printf("%smissing: %s\n", indent, m)
	}
	for _, n := range r.Notes {
		ew.printf("%snote: %s\n", indent, n)
	}
}

func reasonText(r engine.Reason) string {
	if r.Layer == engine.LayerGrant {
		return r.Policy + ": " + r.Role
	}
	label := fmt.Sprintf("#%d", r.Statement)
	if r.Sid != "" {
		label = fmt.Sprintf("'%s' (#%d)", r.Sid, r.Statement)
	}
	return fmt.Sprintf("%s statement %s: %s", r.Policy, label, r.Role)
}

// WriteWhoCanText writes a who-can answer for a person.
func WriteWhoCanText(w io.Writer, res *access.WhoCanResult) error {
	ew := &errWriter{w: w}
	ew.printf("Who can %s with %s\n", res.Action, res.Key)
	for _, n := range res.Notes {
		ew.printf("note: %s\n", n)
	}
	if len(res.Entries) == 0 {
		ew.printf("\nnobody\n")
	}
	for _, e := range res.Entries {
		how := string(e.Via)
		if e.Grant != "" {
			how += " (grant " + e.Grant + ")"
		}
		ew.printf("\n%s  %s\n", decisionLabel(e.Decision, e.Conditional), e.Principal)
		ew.printf("  %s, via %s\n", e.Description, how)
		writeResult(ew, "  ", e.Result)
	}
	return ew.err
}

// answerJSON is the versioned envelope of the answers' JSON.
type answerJSON struct {
	Version int    `json:"version"`
	Kind    string `json:"kind"`
	Answer  any    `json:"answer"`
}

// WriteAnswerJSON writes a can answer, a who-can result or a matrix as
// versioned JSON: {"version":1,"kind":"can"|"who-can"|"matrix","answer":…}.
func WriteAnswerJSON(w io.Writer, v any) error {
	kind := ""
	switch v.(type) {
	case *access.Answer:
		kind = "can"
	case *access.WhoCanResult:
		kind = "who-can"
	case *access.Matrix:
		kind = "matrix"
	default:
		return fmt.Errorf("report: no JSON form for %T", v)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(answerJSON{Version: AnswersVersion, Kind: kind, Answer: v}); err != nil {
		return err
	}
	_, err := w.Write(escape.JSON(b.Bytes()))
	return err
}

// WriteMatrixText writes the access matrix grouped by key.
func WriteMatrixText(w io.Writer, m *access.Matrix) error {
	ew := &errWriter{w: w}
	ew.printf("Access matrix: %d principals × %d keys; * marks an action allowed only under conditions (see --format json)\n", len(m.Principals), len(m.Keys))
	last := ""
	for _, c := range m.Cells {
		if c.Key != last {
			ew.printf("\n%s\n", c.Key)
			last = c.Key
		}
		ew.printf("  %-8s %s\n", c.Kind, c.Principal)
		if len(c.Use) > 0 {
			ew.printf("           use:     %s\n", strings.Join(c.Use, ", "))
		}
		if len(c.Admin) > 0 {
			ew.printf("           admin:   %s\n", strings.Join(c.Admin, ", "))
		}
		if len(c.Unknown) > 0 {
			ew.printf("           unknown: %s (missing: %s)\n", strings.Join(c.Unknown, ", "), strings.Join(c.Missing, "; "))
		}
	}
	return ew.err
}

// WriteMatrixCSV writes one row per principal and key:
// key,principal,kind,use,admin,unknown (actions separated by spaces).
// Values are escaped as in text (escape.Text): a CSV file is read in
// terminals and spreadsheets, neither of which should act on a control
// character in a principal's name.
func WriteMatrixCSV(w io.Writer, m *access.Matrix) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"key", "principal", "kind", "use", "admin", "unknown"}); err != nil {
		return err
	}
	for _, c := range m.Cells {
		row := []string{c.Key, c.Principal, string(c.Kind), strings.Join(c.Use, " "), strings.Join(c.Admin, " "), strings.Join(c.Unknown, " ")}
		if err := cw.Write(escape.Strings(row)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// errWriter keeps the first write error. It writes every argument
// through escape.Args: the format is keywarden's, every value may come
// from the account (a role name, a Sid, a condition value) and is shown
// escaped.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, escape.Args(args...)...)
	}
}
