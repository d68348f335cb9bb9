package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/posjson"
)

// A Location is where something was read: a file, the JSON path of the value
// inside it, and the line and column where that value starts (0 when not
// known, as for a document held in a URL-encoded string).
type Location struct {
	File string `json:"file,omitempty"`
	Path string `json:"path,omitempty"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
}

// String returns "file:line:col: path", leaving out what is not known.
func (l Location) String() string {
	var b strings.Builder
	b.WriteString(l.File)
	if l.File != "" && l.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", l.Line, l.Col)
	}
	if l.Path != "" {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(l.Path)
	}
	return b.String()
}

// A Document is a policy document as read: its JSON, compact, with members
// in their original order, and where it was read from. It is used through a
// pointer; its parsed forms are cached (see Parse).
type Document struct {
	// JSON is the document, always a JSON object.
	JSON json.RawMessage `json:"json"`
	// Source is where the document was read; errors found when parsing it
	// name this file and extend this JSON path.
	Source Location `json:"source,omitzero"`

	mu     sync.Mutex
	parsed []parsedDoc
}

type parsedDoc struct {
	name string
	kind policy.Kind
	doc  *policy.Document
	err  error
}

// DecodeDocument makes a Document of a policy document as AWS returns it:
// IAM returns documents URL-encoded (RFC 3986), KMS and S3 as plain JSON.
// A text whose first non-space character is not "{" is URL-decoded first,
// with url.PathUnescape, since QueryUnescape would turn a literal "+" into a
// space. The result must be one JSON object.
func DecodeDocument(text []byte, src Location) (*Document, error) {
	t := bytes.TrimSpace(text)
	if len(t) == 0 {
		return nil, errors.New("policy document is empty")
	}
	if t[0] != '{' {
		u, err := url.PathUnescape(string(t))
		if err != nil {
			return nil, fmt.Errorf("policy document is neither JSON nor URL-encoded JSON: %w", err)
		}
		t = bytes.TrimSpace([]byte(u))
	}
	v, err := posjson.Parse(t)
	if err != nil {
		var se *posjson.SyntaxError
		if errors.As(err, &se) {
			line, col := posjson.LineCol(t, se.Offset)
			return nil, fmt.Errorf("policy document is not valid JSON: %d:%d: %s", line, col, se.Msg)
		}
		return nil, fmt.Errorf("policy document is not valid JSON: %w", err)
	}
	if v.Kind != posjson.Object {
		return nil, fmt.Errorf("policy document must be a JSON object, not %s", v.Kind)
	}
	var buf bytes.Buffer
	buf.Grow(len(t))
	if err := json.Compact(&buf, t); err != nil {
		return nil, fmt.Errorf("policy document is not valid JSON: %w", err)
	}
	return &Document{JSON: buf.Bytes(), Source: src}, nil
}

// Parse parses the document as a policy of the given kind, named name in
// explanations, and caches the result: every later call with the same name
// and kind returns the same *policy.Document (or error). It is safe for
// concurrent use. Errors are policy.Errors naming Source.File, with paths
// under Source.Path and the line and column of the document's start (lines
// inside the document are not known once it has been stored).
func (d *Document) Parse(name string, kind policy.Kind) (*policy.Document, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, p := range d.parsed {
		if p.name == name && p.kind == kind {
			return p.doc, p.err
		}
	}
	doc, err := d.parse(name, kind)
	d.parsed = append(d.parsed, parsedDoc{name: name, kind: kind, doc: doc, err: err})
	return doc, err
}

func (d *Document) parse(name string, kind policy.Kind) (*policy.Document, error) {
	source := d.Source.File
	if source == "" {
		source = name
	}
	v, err := posjson.Parse(d.JSON)
	if err != nil {
		msg := err.Error()
		return nil, policy.Errors{{Source: source, Path: d.Source.Path, Line: d.Source.Line, Col: d.Source.Col, Msg: "invalid JSON: " + msg}}
	}
	// Positions in the compact JSON are not lines of the file it was read
	// from: lines stay 0 and become the document's own position below.
	doc, err := policy.FromJSONUnlocated(source, d.JSON, v, d.Source.Path, kind)
	if err != nil {
		var pe policy.Errors
		if errors.As(err, &pe) {
			for _, e := range pe {
				if e.Line == 0 {
					e.Line, e.Col = d.Source.Line, d.Source.Col
				}
			}
		}
		return nil, err
	}
	doc.Name = name
	return doc, nil
}

// Equal reports whether two documents have the same JSON (ignoring
// insignificant space) and the same source. It lets go-cmp compare
// snapshots, whose documents carry an unexported cache.
func (d *Document) Equal(o *Document) bool {
	if d == nil || o == nil {
		return d == o
	}
	return d.Source == o.Source && bytes.Equal(compact(d.JSON), compact(o.JSON))
}

func compact(b []byte) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return b
	}
	return buf.Bytes()
}

// UnmarshalJSON reads a document written by Save, compacting its JSON.
func (d *Document) UnmarshalJSON(b []byte) error {
	var w struct {
		JSON   json.RawMessage `json:"json"`
		Source Location        `json:"source"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.JSON = nil
	if len(w.JSON) > 0 {
		d.JSON = compact(w.JSON)
	}
	d.Source = w.Source
	d.parsed = nil
	return nil
}

// The names documents get in explanations.

func keyPolicyName(k *Key) string       { return "key policy of " + k.ARN }
func bucketPolicyName(b *Bucket) string { return "bucket policy of " + b.Name }
func trustPolicyName(r *Role) string    { return "trust policy of role " + r.Name }

func inlinePolicyName(ownerKind, owner, policy string) string {
	return "inline policy " + strconv.Quote(policy) + " of " + ownerKind + " " + owner
}

func managedPolicyName(p *ManagedPolicy) string {
	if p.DefaultVersionID == "" {
		return "managed policy " + p.ARN
	}
	return "managed policy " + p.ARN + " (" + p.DefaultVersionID + ")"
}

func orgPolicyName(typ string, p *OrgPolicy, level *OrgLevel) string {
	name := typ + " " + p.ID
	if p.Name != "" {
		name += " " + strconv.Quote(p.Name)
	}
	at := level.TargetID
	if level.TargetName != "" {
		at += " (" + level.TargetName + ")"
	}
	return name + " at " + at
}
