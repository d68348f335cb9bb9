package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/checks"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/escape"
	"github.com/keywarden/keywarden/internal/explain"
	"github.com/keywarden/keywarden/internal/inventory"
)

// AnswersVersion is the version of the JSON written for can, who-can and
// the access matrix (docs/answers-json.md).
const AnswersVersion = 1

// WriteCanText writes the answer to a can question for a person. Engine
// text comes from the message catalogue (package explain), and the
// placeholders of resources an IaC input plans are put into words.
func WriteCanText(w io.Writer, a *access.Answer, lang checks.Lang) error {
	return writeCanText(w, a, string(langOr(lang)))
}

func writeCanText(w io.Writer, a *access.Answer, lang string) error {
	ew := &errWriter{w: w}
	say := func(s string) string { return inventory.DescribePlanned(s, lang) }
	ew.printf("%s  %s %s %s\n", explain.Decision(a.Decision, a.Conditional, lang), say(a.Principal), a.Action, say(a.Resource))
	ew.printf("  %s\n", say(explain.Text(a.Summary, lang)))
	for _, n := range a.Notes {
		ew.printf("  %s: %s\n", explain.Label("note", lang), say(explain.Note(n, lang)))
	}
	for _, s := range a.Steps {
		ew.printf("\n  %s: %s\n", explain.Side(s.Side, s.Action, say(s.Resource), lang), explain.Decision(s.Result.Decision, s.Result.Conditional, lang))
		q := explain.Question{Principal: a.Principal, Action: s.Action, Resource: s.Resource}
		writeResult(ew, "    ", &s.Result, q, lang)
	}
	return ew.err
}

// writeResult writes an engine result's explanation, indented: its
// summary, the statements that took part, the conditions, what is
// missing and the notes (explain.Lines).
func writeResult(ew *errWriter, indent string, r *engine.Result, q explain.Question, lang string) {
	for _, line := range explain.Lines(r, q, lang) {
		ew.printf("%s%s\n", indent, inventory.DescribePlanned(line, lang))
	}
}

// WriteWhoCanText writes a who-can answer for a person.
func WriteWhoCanText(w io.Writer, res *access.WhoCanResult, lang checks.Lang) error {
	return writeWhoCanText(w, res, string(langOr(lang)))
}

func writeWhoCanText(w io.Writer, res *access.WhoCanResult, lang string) error {
	ew := &errWriter{w: w}
	say := func(s string) string { return inventory.DescribePlanned(explain.Text(s, lang), lang) }
	ew.printf("%s\n", explain.WhoCanTitle(res.Action, say(res.Key), lang))
	for _, n := range res.Notes {
		ew.printf("%s: %s\n", explain.Label("note", lang), say(explain.Note(n, lang)))
	}
	if len(res.Entries) == 0 {
		ew.printf("\n%s\n", explain.Label("nobody", lang))
	}
	via := explain.Label("via", lang)
	for _, e := range res.Entries {
		how := string(e.Via)
		if e.Grant != "" {
			how += " (" + explain.Label("grant", lang) + " " + e.Grant + ")"
		}
		ew.printf("\n%s  %s\n", explain.Decision(e.Decision, e.Conditional, lang), say(e.Name()))
		if e.Principal != "" {
			ew.printf("  %s, %s %s\n", say(e.Description), via, how)
		} else {
			ew.printf("  %s %s\n", via, how)
		}
		q := explain.Question{Principal: e.Principal, Action: res.Action, Resource: res.Key}
		writeResult(ew, "  ", &e.Result, q, lang)
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

// A MatrixWriter writes the access matrix as it is computed: Begin with
// the axes, one Cell per principal and key in order, then End.
type MatrixWriter interface {
	Begin(keys, principals []string) error
	Cell(c access.Cell) error
	End() error
}

// NewMatrixWriter returns the writer of a format: text, csv or json.
func NewMatrixWriter(w io.Writer, format string) (MatrixWriter, error) {
	switch format {
	case "text":
		return &matrixText{ew: &errWriter{w: w}}, nil
	case "csv":
		return &matrixCSV{cw: csv.NewWriter(w)}, nil
	case "json":
		return &matrixJSON{w: w}, nil
	}
	return nil, fmt.Errorf("no matrix writer for format %q", format)
}

// WriteMatrix writes a matrix held in memory.
func WriteMatrix(mw MatrixWriter, m *access.Matrix) error {
	if err := mw.Begin(m.Keys, m.Principals); err != nil {
		return err
	}
	for _, c := range m.Cells {
		if err := mw.Cell(c); err != nil {
			return err
		}
	}
	return mw.End()
}

// matrixText writes the matrix grouped by key, for a person.
type matrixText struct {
	ew   *errWriter
	last string
}

func (t *matrixText) Begin(keys, principals []string) error {
	t.ew.printf("Access matrix: %d principals × %d keys; * marks an action allowed only under conditions (see --format json)\n", len(principals), len(keys))
	return t.ew.err
}

func (t *matrixText) Cell(c access.Cell) error {
	if c.Key != t.last {
		t.ew.printf("\n%s\n", c.Key)
		t.last = c.Key
	}
	t.ew.printf("  %-8s %s\n", c.Kind, c.Name())
	if len(c.Use) > 0 {
		t.ew.printf("           use:     %s\n", strings.Join(c.Use, ", "))
	}
	if len(c.Admin) > 0 {
		t.ew.printf("           admin:   %s\n", strings.Join(c.Admin, ", "))
	}
	if len(c.Unknown) > 0 {
		t.ew.printf("           unknown: %s (missing: %s)\n", strings.Join(c.Unknown, ", "), strings.Join(c.Missing, "; "))
	}
	return t.ew.err
}

func (t *matrixText) End() error { return t.ew.err }

// matrixCSV writes one row per principal and key:
// key,principal,kind,use,admin,unknown (actions separated by spaces); a
// symbolic principal's row names it by its description.
type matrixCSV struct{ cw *csv.Writer }

func (m *matrixCSV) Begin(keys, principals []string) error {
	return m.cw.Write([]string{"key", "principal", "kind", "use", "admin", "unknown"})
}

// Cell writes a row. Values are escaped as in text (escape.Text): a CSV
// file is read in terminals and spreadsheets, neither of which should act
// on a control character in a principal's name.
func (m *matrixCSV) Cell(c access.Cell) error {
	return m.cw.Write(escape.Strings([]string{c.Key, c.Name(), string(c.Kind), strings.Join(c.Use, " "), strings.Join(c.Admin, " "), strings.Join(c.Unknown, " ")}))
}

func (m *matrixCSV) End() error {
	m.cw.Flush()
	return m.cw.Error()
}

// matrixJSON writes {"version":…,"kind":"matrix","answer":{"cells":[…],
// "keys":[…],"principals":[…]}}, a cell at a time.
type matrixJSON struct {
	w                io.Writer
	keys, principals []string
	n                int
	err              error
}

func (m *matrixJSON) write(b []byte) {
	if m.err == nil {
		_, m.err = m.w.Write(b)
	}
}

func (m *matrixJSON) Begin(keys, principals []string) error {
	m.keys, m.principals = keys, principals
	m.write([]byte(fmt.Sprintf("{\n  \"version\": %d,\n  \"kind\": \"matrix\",\n  \"answer\": {\n    \"cells\": [", AnswersVersion)))
	return m.err
}

func (m *matrixJSON) Cell(c access.Cell) error {
	b, err := json.MarshalIndent(c, "      ", "  ")
	if err != nil {
		return err
	}
	if m.n > 0 {
		m.write([]byte(","))
	}
	m.n++
	m.write([]byte("\n      "))
	m.write(escape.JSON(b))
	return m.err
}

func (m *matrixJSON) End() error {
	if m.n > 0 {
		m.write([]byte("\n    "))
	}
	m.write([]byte("],\n"))
	for i, part := range []struct {
		name string
		list []string
	}{{"keys", m.keys}, {"principals", m.principals}} {
		b, err := json.MarshalIndent(part.list, "    ", "  ")
		if err != nil {
			return err
		}
		if part.list == nil {
			b = []byte("[]")
		}
		m.write([]byte("    \"" + part.name + "\": "))
		m.write(escape.JSON(b))
		if i == 0 {
			m.write([]byte(",\n"))
		}
	}
	m.write([]byte("\n  }\n}\n"))
	return m.err
}

// errWriter keeps the first write error. It writes every argument
// through escape.Args: the format is keywarden's, every value may come
// from the account (a role name, a Sid, a condition value) and is shown
// escaped.
type errWriter struct {
	w   io.Writer
	err error
	// planned, when set, is the language that the placeholders of
	// planned resources in string arguments are put into words in
	// (inventory.DescribePlanned).
	planned string
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err != nil {
		return
	}
	if e.planned != "" {
		for i, a := range args {
			if s, ok := a.(string); ok {
				args[i] = inventory.DescribePlanned(s, e.planned)
			}
		}
	}
	_, e.err = fmt.Fprintf(e.w, format, escape.Args(args...)...)
}
