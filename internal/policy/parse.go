package policy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/keywarden/keywarden/internal/ordjson"
	"github.com/keywarden/keywarden/internal/posjson"
)

// Parse parses a policy document of the given kind. source names it in
// error messages (a file name, or "scenario x: keyPolicy"). Every problem
// found is returned, as Errors, each with its JSON path and line.
func Parse(source string, data []byte, kind Kind) (*Document, error) {
	v, err := posjson.Parse(data)
	if err != nil {
		se := err.(*posjson.SyntaxError)
		line, col := posjson.LineCol(data, se.Offset)
		return nil, Errors{{Source: source, Line: line, Col: col, Msg: "invalid JSON: " + se.Msg}}
	}
	return FromJSON(source, data, v, "", kind)
}

// FromJSON builds a document from an already parsed JSON value found in
// data (for documents embedded in a larger file, such as a scenario).
// basePath is the JSON path of v inside data ("keyPolicy"); it prefixes
// every error path. A policy given as a JSON string holding the document
// (as AWS APIs return them) is accepted too.
func FromJSON(source string, data []byte, v *posjson.Value, basePath string, kind Kind) (*Document, error) {
	return fromJSON(source, data, v, basePath, kind, true)
}

// FromJSONUnlocated is FromJSON for a value whose positions in data do not
// stand for lines of a file the user has (a document kept compact in a
// snapshot): errors and statements get no line, and the document keeps
// its own bytes of data rather than an encoding of v.
func FromJSONUnlocated(source string, data []byte, v *posjson.Value, basePath string, kind Kind) (*Document, error) {
	return fromJSON(source, data, v, basePath, kind, false)
}

func fromJSON(source string, data []byte, v *posjson.Value, basePath string, kind Kind, locate bool) (*Document, error) {
	b := builder{source: source, data: data, kind: kind}
	if data != nil && locate {
		b.lines = posjson.NewLines(data)
	}
	if v.Kind == posjson.String {
		// The document is itself JSON text inside a string.
		inner := []byte(v.Str)
		iv, err := posjson.Parse(inner)
		if err != nil {
			root := posjson.RootPath(basePath)
			b.errorf(v, &root, "policy string is not valid JSON: %s", err.(*posjson.SyntaxError).Msg)
			return nil, b.errs
		}
		b.data, b.lines = nil, nil // positions inside the string cannot be mapped to lines
		root := posjson.RootPath(basePath)
		d := b.document(iv, &root)
		if len(b.errs) > 0 {
			b.errs.Sort()
			return nil, b.errs
		}
		d.Raw = append(json.RawMessage(nil), inner...)
		return d, nil
	}
	root := posjson.RootPath(basePath)
	d := b.document(v, &root)
	if len(b.errs) > 0 {
		b.errs.Sort()
		return nil, b.errs
	}
	d.Raw = rawOf(data, v)
	return d, nil
}

// rawOf returns the document's own bytes, or re-encodes the value when the
// bytes are not at hand.
func rawOf(data []byte, v *posjson.Value) json.RawMessage {
	if v.End > v.Offset && v.End <= len(data) {
		return json.RawMessage(data[v.Offset:v.End:v.End])
	}
	out, err := ordjson.Marshal(plain(v))
	if err != nil {
		return nil
	}
	return out
}

// plain converts a parsed value into encoding/json's generic form, keeping
// member order through an ordered object type.
func plain(v *posjson.Value) any {
	switch v.Kind {
	case posjson.Null:
		return nil
	case posjson.Bool:
		return v.Str == "true"
	case posjson.Number:
		return json.Number(v.Str)
	case posjson.String:
		return v.Str
	case posjson.Array:
		out := make([]any, len(v.Elems))
		for i, e := range v.Elems {
			out[i] = plain(e)
		}
		return out
	}
	o := make(ordjson.Object, len(v.Members))
	for i, m := range v.Members {
		o[i] = ordjson.Member{Key: m.Key, Value: plain(m.Value)}
	}
	return o
}

type builder struct {
	source string
	data   []byte
	lines  *posjson.Lines // of data, when data is set
	kind   Kind
	errs   Errors
}

func (b *builder) errorf(v *posjson.Value, path *posjson.Path, format string, args ...any) {
	e := &Error{Source: b.source, Path: path.String(), Msg: fmt.Sprintf(format, args...)}
	if b.lines != nil && v != nil {
		e.Line, e.Col = b.lines.LineCol(v.Offset)
	}
	b.errs = append(b.errs, e)
}

// errorAtKey reports a problem with an object member at its key.
func (b *builder) errorAtKey(m *posjson.Member, path *posjson.Path, format string, args ...any) {
	e := &Error{Source: b.source, Path: path.String(), Msg: fmt.Sprintf(format, args...)}
	if b.lines != nil {
		e.Line, e.Col = b.lines.LineCol(m.KeyOffset)
	}
	b.errs = append(b.errs, e)
}

// maxElements is the most elements a policy object may have (a statement's).
const maxElements = 9

// elements are the members of an object by canonical element name.
type elements struct {
	names  []string
	member [maxElements]*posjson.Member
}

// get returns the member for the element name, or nil.
func (e *elements) get(name string) *posjson.Member {
	for i, n := range e.names {
		if n == name {
			return e.member[i]
		}
	}
	return nil
}

// members returns the members of an object by their canonical element
// name. Element names are matched without regard to case; an unknown or
// duplicated element is an error.
func (b *builder) members(v *posjson.Value, path *posjson.Path, names []string) elements {
	out := elements{names: names}
	for i := range v.Members {
		m := &v.Members[i]
		canon := -1
		for j, n := range names {
			if strings.EqualFold(n, m.Key) {
				canon = j
				break
			}
		}
		if canon < 0 {
			mp := path.Member(m.Key)
			b.errorAtKey(m, &mp, "unknown element %q (expected one of %s)", m.Key, strings.Join(names, ", "))
			continue
		}
		if out.member[canon] != nil {
			mp := path.Member(m.Key)
			b.errorAtKey(m, &mp, "duplicate element %q", names[canon])
			continue
		}
		out.member[canon] = m
	}
	return out
}

var documentElements = []string{"Version", "Id", "Statement"}

func (b *builder) document(v *posjson.Value, path *posjson.Path) *Document {
	d := &Document{Source: b.source, Kind: b.kind}
	if v.Kind != posjson.Object {
		b.errorf(v, path, "policy must be a JSON object, not %s", v.Kind)
		return d
	}
	ms := b.members(v, path, documentElements)
	if m := ms.get("Version"); m != nil {
		p := path.Member("Version")
		d.Version = b.str(m.Value, &p)
		if d.Version != "" && d.Version != VersionCurrent && d.Version != "2008-10-17" {
			b.errorf(m.Value, &p, "unknown policy version %q (AWS accepts 2012-10-17 and 2008-10-17)", d.Version)
		}
	}
	if m := ms.get("Id"); m != nil {
		p := path.Member("Id")
		d.ID = b.str(m.Value, &p)
	}
	m := ms.get("Statement")
	if m == nil {
		b.errorf(v, path, "policy has no Statement")
		return d
	}
	sp := path.Member("Statement")
	switch m.Value.Kind {
	case posjson.Object:
		d.Statements = []*Statement{b.statement(m.Value, &sp, 0, d.Variables())}
	case posjson.Array:
		if n := len(m.Value.Elems); n > 0 {
			d.Statements = make([]*Statement, 0, n)
		}
		for i, e := range m.Value.Elems {
			p := sp.Index(i)
			d.Statements = append(d.Statements, b.statement(e, &p, i, d.Variables()))
		}
	default:
		b.errorf(m.Value, &sp, "Statement must be an object or a list of objects, not %s", m.Value.Kind)
	}
	return d
}

func (b *builder) str(v *posjson.Value, path *posjson.Path) string {
	if v.Kind != posjson.String {
		b.errorf(v, path, "must be a string, not %s", v.Kind)
		return ""
	}
	return v.Str
}

// strings reads a string-or-list-of-strings element.
func (b *builder) strings(v *posjson.Value, path *posjson.Path) []string {
	switch v.Kind {
	case posjson.String:
		return []string{v.Str}
	case posjson.Array:
		if len(v.Elems) == 0 {
			b.errorf(v, path, "must not be an empty list")
			return []string{}
		}
		out := make([]string, 0, len(v.Elems))
		for i, e := range v.Elems {
			if e.Kind != posjson.String {
				p := path.Index(i)
				b.errorf(e, &p, "must be a string, not %s", e.Kind)
				continue
			}
			out = append(out, e.Str)
		}
		return out
	}
	b.errorf(v, path, "must be a string or a list of strings, not %s", v.Kind)
	return []string{}
}

var statementElements = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}

func (b *builder) statement(v *posjson.Value, path *posjson.Path, index int, variables bool) *Statement {
	s := &Statement{Index: index, Path: path.String(), variables: variables}
	if b.lines != nil {
		s.Line = b.lines.Line(v.Offset)
	}
	if v.Kind != posjson.Object {
		b.errorf(v, path, "statement must be an object, not %s", v.Kind)
		return s
	}
	ms := b.members(v, path, statementElements)
	if m := ms.get("Sid"); m != nil {
		p := path.Member("Sid")
		s.Sid = b.str(m.Value, &p)
	}
	if m := ms.get("Effect"); m == nil {
		b.errorf(v, path, "statement has no Effect")
	} else {
		p := path.Member("Effect")
		switch e := b.str(m.Value, &p); {
		case strings.EqualFold(e, "Allow"):
			s.Effect = Allow
		case strings.EqualFold(e, "Deny"):
			s.Effect = Deny
		case m.Value.Kind == posjson.String:
			b.errorf(m.Value, &p, "Effect must be \"Allow\" or \"Deny\", not %q", e)
		}
	}

	// Principals.
	p, np := ms.get("Principal"), ms.get("NotPrincipal")
	if p != nil && np != nil {
		b.errorf(v, path, "statement has both Principal and NotPrincipal")
	}
	if p != nil {
		pp := path.Member("Principal")
		s.Principal = b.principal(p.Value, &pp)
	}
	if np != nil {
		pp := path.Member("NotPrincipal")
		s.NotPrincipal = b.principal(np.Value, &pp)
	}
	switch b.kind {
	case Identity, SCP:
		if p != nil || np != nil {
			b.errorf(v, path, "%s cannot have a Principal or NotPrincipal", b.kind.withArticle())
		}
	case Resource, RCP:
		if p == nil && np == nil {
			b.errorf(v, path, "statement in %s must have a Principal or NotPrincipal", b.kind.withArticle())
		}
	}

	// Actions.
	a, na := ms.get("Action"), ms.get("NotAction")
	if a != nil && na != nil {
		b.errorf(v, path, "statement has both Action and NotAction")
	}
	if a != nil {
		ap := path.Member("Action")
		s.Action = b.actions(a.Value, &ap)
		s.actions, s.actionExact = compileActions(s.Action)
	} else if na != nil {
		ap := path.Member("NotAction")
		s.NotAction = b.actions(na.Value, &ap)
		s.actions, s.actionExact = compileActions(s.NotAction)
	} else if b.kind == Identity || b.kind == SCP {
		// A key policy statement without Action is accepted by KMS and
		// inert; IAM rejects one in an identity policy.
		b.errorf(v, path, "statement has no Action or NotAction")
	}

	// Resources.
	r, nr := ms.get("Resource"), ms.get("NotResource")
	if r != nil && nr != nil {
		b.errorf(v, path, "statement has both Resource and NotResource")
	}
	if r != nil {
		rp := path.Member("Resource")
		s.Resource = b.strings(r.Value, &rp)
	} else if nr != nil {
		rp := path.Member("NotResource")
		s.NotResource = b.strings(nr.Value, &rp)
	} else {
		switch b.kind {
		case Identity:
			b.errorf(v, path, "statement has no Resource or NotResource")
		case SCP, RCP:
			// Organizations policies may leave Resource out; it then
			// means every resource.
			s.Resource = []string{"*"}
		}
	}

	if m := ms.get("Condition"); m != nil {
		cp := path.Member("Condition")
		s.Conditions = b.conditions(m.Value, &cp, variables)
	}
	return s
}

// compileActions lower-cases action patterns and marks those without
// wildcards, which match by plain comparison.
func compileActions(in []string) ([]string, []bool) {
	out := make([]string, len(in))
	exact := make([]bool, len(in))
	for i, s := range in {
		out[i] = strings.ToLower(s)
		exact[i] = !strings.ContainsAny(s, "*?")
	}
	return out, exact
}

func (b *builder) actions(v *posjson.Value, path *posjson.Path) []string {
	as := b.strings(v, path)
	for i, a := range as {
		if a == "*" {
			continue
		}
		svc, name, ok := strings.Cut(a, ":")
		if !ok || svc == "" || name == "" || strings.ContainsAny(svc, "*?") && svc != "*" {
			if v.Kind == posjson.Array && i < len(v.Elems) {
				p := path.Index(i)
				b.errorf(v.Elems[i], &p, "invalid action %q (expected \"service:Action\" or \"*\")", a)
			} else {
				b.errorf(v, path, "invalid action %q (expected \"service:Action\" or \"*\")", a)
			}
		}
	}
	return as
}

var principalTypes = []string{"AWS", "Service", "Federated", "CanonicalUser"}

func (b *builder) principal(v *posjson.Value, path *posjson.Path) *Principal {
	p := &Principal{}
	switch v.Kind {
	case posjson.String:
		if v.Str != "*" {
			b.errorf(v, path, "principal must be \"*\" or an object such as {\"AWS\": ...}, not the string %q", v.Str)
		}
		p.Star, p.Wildcard = true, true
		return p
	case posjson.Object:
	default:
		b.errorf(v, path, "principal must be \"*\" or an object, not %s", v.Kind)
		return p
	}
	if len(v.Members) == 0 {
		b.errorf(v, path, "principal object is empty")
	}
	ms := b.members(v, path, principalTypes)
	list := func(name string) []string {
		m := ms.get(name)
		if m == nil {
			return nil
		}
		mp := path.Member(name)
		return b.strings(m.Value, &mp)
	}
	p.AWS = list("AWS")
	for _, a := range p.AWS {
		if a == "*" {
			p.Wildcard = true
		}
	}
	p.Service = list("Service")
	p.Federated = list("Federated")
	p.CanonicalUser = list("CanonicalUser")
	return p
}

func (b *builder) conditions(v *posjson.Value, path *posjson.Path, variables bool) []*Condition {
	if v.Kind != posjson.Object {
		b.errorf(v, path, "Condition must be an object, not %s", v.Kind)
		return nil
	}
	var out []*Condition
	for i, om := range v.Members {
		opPath := path.Member(om.Key)
		op, set, ifExists, ok := parseOperator(om.Key)
		if !ok {
			b.errorf(om.Value, &opPath, "unknown condition operator %q", om.Key)
			continue
		}
		if slices.ContainsFunc(v.Members[:i], func(prev posjson.Member) bool { return strings.EqualFold(prev.Key, om.Key) }) {
			b.errorf(om.Value, &opPath, "duplicate condition operator %q", om.Key)
			continue
		}
		if om.Value.Kind != posjson.Object {
			b.errorf(om.Value, &opPath, "condition operator %s must map condition keys to values, not be %s", om.Key, om.Value.Kind)
			continue
		}
		for j, km := range om.Value.Members {
			keyPath := opPath.Key(km.Key)
			if km.Key == "" {
				b.errorf(km.Value, &keyPath, "empty condition key")
				continue
			}
			if slices.ContainsFunc(om.Value.Members[:j], func(prev posjson.Member) bool { return strings.EqualFold(prev.Key, km.Key) }) {
				b.errorf(km.Value, &keyPath, "duplicate condition key %q", km.Key)
				continue
			}
			c := &Condition{Operator: om.Key, Op: op, Set: set, IfExists: ifExists, Key: km.Key, key: strings.ToLower(km.Key), Path: keyPath.String()}
			c.Values = b.conditionValues(km.Value, &keyPath)
			if variables {
				for _, cv := range c.Values {
					if strings.Contains(cv, "${") {
						c.variables = true
					}
				}
			}
			if op == NullOp {
				for _, cv := range c.Values {
					if !strings.EqualFold(cv, "true") && !strings.EqualFold(cv, "false") {
						b.errorf(km.Value, &keyPath, "Null takes true or false, not %q", cv)
					}
				}
			}
			out = append(out, c)
		}
	}
	return out
}

// conditionValues reads condition values: strings, numbers and booleans
// (kept as their JSON text: true, 10), alone or in a list.
func (b *builder) conditionValues(v *posjson.Value, path *posjson.Path) []string {
	one := func(e *posjson.Value, p *posjson.Path) (string, bool) {
		switch e.Kind {
		case posjson.String, posjson.Number, posjson.Bool:
			return e.Str, true
		}
		b.errorf(e, p, "condition value must be a string, number or boolean, not %s", e.Kind)
		return "", false
	}
	if v.Kind == posjson.Array {
		if len(v.Elems) == 0 {
			b.errorf(v, path, "condition has no values")
		}
		out := make([]string, 0, len(v.Elems))
		for i, e := range v.Elems {
			p := path.Index(i)
			if s, ok := one(e, &p); ok {
				out = append(out, s)
			}
		}
		return out
	}
	if s, ok := one(v, path); ok {
		return []string{s}
	}
	return nil
}
