package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/keywarden/keywarden/internal/escape"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/posjson"
	"github.com/keywarden/keywarden/internal/safefile"
)

// Load reads the snapshot file at path (see Read). The file must be a
// regular file within the cap for snapshots (safefile.Snapshot): a named
// pipe or a device given by mistake, or by someone else, is refused
// rather than read forever.
func Load(path string) (*Snapshot, error) {
	data, err := safefile.ReadFile(path, safefile.Snapshot)
	if err != nil {
		return nil, err
	}
	return parse(path, data)
}

// Read reads a snapshot written by Save; name names the input in errors.
// A snapshot of a newer format version than FormatVersion is an error
// naming that version. Every other problem (malformed JSON, an unknown
// field, a value of the wrong type, a missing required field, a duplicate
// ARN) is reported, all at once, as policy.Errors whose entries name the
// input, the line and column, and the JSON path (accounts[0].keys[2].arn).
// The snapshot returned is normalized.
func Read(name string, r io.Reader) (*Snapshot, error) {
	max, err := safefile.MaxSize(safefile.Snapshot)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", escape.Name(name), err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("read %s: over the %s cap for snapshots; %s raises it", escape.Name(name), safefile.FormatSize(max), safefile.EnvMaxSize)
	}
	return parse(name, data)
}

func parse(name string, data []byte) (*Snapshot, error) {
	v, err := posjson.Parse(data)
	if err != nil {
		var se *posjson.SyntaxError
		if !errors.As(err, &se) {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, col := posjson.LineCol(data, se.Offset)
		return nil, policy.Errors{{Source: name, Line: line, Col: col, Msg: "invalid JSON: " + se.Msg}}
	}
	c := &checker{source: name, data: data, lines: posjson.NewLines(data), offsets: map[string]int{}}
	if err := c.version(v); err != nil {
		return nil, err
	}
	c.value(reflect.TypeFor[Snapshot](), v, "")
	if len(c.errs) > 0 {
		c.errs.Sort()
		return nil, c.errs
	}
	s := new(Snapshot)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(s); err != nil {
		// The checker accepts only what the decoder can decode; this is
		// a bug, reported rather than hidden.
		return nil, policy.Errors{{Source: name, Msg: "cannot decode the snapshot: " + err.Error()}}
	}
	c.semantics(s)
	if len(c.errs) > 0 {
		c.errs.Sort()
		return nil, c.errs
	}
	s.Normalize()
	return s, nil
}

// checker validates a snapshot's JSON against the Go types before it is
// decoded, so that every error carries a JSON path and a line, which
// encoding/json's errors do not.
type checker struct {
	source      string
	fileVersion int // the format version the file declares
	data        []byte
	lines       *posjson.Lines
	errs        policy.Errors
	offsets     map[string]int // JSON path → offset of each string, for semantics
}

func (c *checker) errorAt(offset int, path, format string, args ...any) {
	line, col := c.lines.LineCol(offset)
	c.errs = append(c.errs, &policy.Error{Source: c.source, Path: path, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
}

func (c *checker) errorf(path, format string, args ...any) {
	off, ok := c.offsets[path]
	if !ok {
		c.errs = append(c.errs, &policy.Error{Source: c.source, Path: path, Msg: fmt.Sprintf(format, args...)})
		return
	}
	c.errorAt(off, path, format, args...)
}

// version checks the format version first: a newer snapshot is reported
// as such, not as a list of fields this version does not know.
func (c *checker) version(v *posjson.Value) error {
	if v.Kind != posjson.Object {
		c.errorAt(v.Offset, "", "a snapshot must be a JSON object, not %s", v.Kind)
		return c.errs
	}
	ver := v.Get("version")
	if ver == nil {
		c.errorAt(v.Offset, "", "no \"version\": this is not a keywarden snapshot")
		return c.errs
	}
	n, err := strconv.Atoi(ver.Str)
	if ver.Kind != posjson.Number || err != nil {
		c.errorAt(ver.Offset, "version", "version must be an integer, not %s", describe(ver))
		return c.errs
	}
	switch {
	case n > FormatVersion:
		c.errorAt(ver.Offset, "version", "snapshot format version %d is newer than this keywarden reads (version %d); upgrade keywarden", n, FormatVersion)
		return c.errs
	case n < 1:
		c.errorAt(ver.Offset, "version", "unknown snapshot format version %d", n)
		return c.errs
	}
	c.fileVersion = n
	return nil
}

func describe(v *posjson.Value) string {
	switch v.Kind {
	case posjson.String:
		return strconv.Quote(v.Str)
	case posjson.Number, posjson.Bool:
		return v.Str
	}
	return v.Kind.String()
}

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

func join(base, elem string) string {
	if base == "" {
		return elem
	}
	return base + "." + elem
}

func (c *checker) value(t reflect.Type, v *posjson.Value, path string) {
	if v.Kind == posjson.String {
		// semantics checks only identifiers, which are strings.
		c.offsets[path] = v.Offset
	}
	switch {
	case t == timeType:
		if v.Kind != posjson.String {
			c.errorAt(v.Offset, path, "must be a time string, not %s", v.Kind)
			return
		}
		// time.Time decodes the raw bytes of the string, escapes and
		// all, so check exactly what it will see.
		raw := []byte(`"` + v.Str + `"`)
		var tm time.Time
		if !bytes.HasPrefix(c.data[v.Offset:], raw) || tm.UnmarshalJSON(raw) != nil {
			c.errorAt(v.Offset, path, "%q is not a time in RFC 3339 form (2006-01-02T15:04:05Z)", v.Str)
		}
		return
	case t == rawType:
		// Only Document.JSON has this type: a policy document.
		if v.Kind != posjson.Object {
			c.errorAt(v.Offset, path, "a policy document must be a JSON object, not %s", v.Kind)
		}
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.Kind != posjson.Null {
			c.value(t.Elem(), v, path)
		}
	case reflect.Struct:
		c.object(t, v, path)
	case reflect.Slice:
		if v.Kind == posjson.Null {
			return
		}
		if v.Kind != posjson.Array {
			c.errorAt(v.Offset, path, "must be a list, not %s", v.Kind)
			return
		}
		for i, e := range v.Elems {
			c.value(t.Elem(), e, path+"["+strconv.Itoa(i)+"]")
		}
	case reflect.Map:
		if v.Kind == posjson.Null {
			return
		}
		if v.Kind != posjson.Object {
			c.errorAt(v.Offset, path, "must be an object, not %s", v.Kind)
			return
		}
		seen := map[string]bool{}
		for _, m := range v.Members {
			p := path + "[" + strconv.Quote(m.Key) + "]"
			if seen[m.Key] {
				c.errorAt(m.KeyOffset, p, "duplicate key %q", m.Key)
				continue
			}
			seen[m.Key] = true
			c.value(t.Elem(), m.Value, p)
		}
	case reflect.String:
		if v.Kind != posjson.String {
			c.errorAt(v.Offset, path, "must be a string, not %s", v.Kind)
		}
	case reflect.Bool:
		if v.Kind != posjson.Bool {
			c.errorAt(v.Offset, path, "must be true or false, not %s", v.Kind)
		}
	case reflect.Int:
		if v.Kind != posjson.Number {
			c.errorAt(v.Offset, path, "must be an integer, not %s", v.Kind)
		} else if _, err := strconv.Atoi(v.Str); err != nil {
			c.errorAt(v.Offset, path, "must be an integer, not %s", v.Str)
		}
	default:
		panic("inventory: no JSON check for " + t.String())
	}
}

func (c *checker) object(t reflect.Type, v *posjson.Value, path string) {
	if v.Kind != posjson.Object {
		c.errorAt(v.Offset, path, "must be an object, not %s", v.Kind)
		return
	}
	fields := jsonFields(t)
	seen := map[string]bool{}
	for _, m := range v.Members {
		p := join(path, m.Key)
		f, ok := fields.byName[m.Key]
		switch {
		case !ok:
			c.errorAt(m.KeyOffset, p, "unknown field %q", m.Key)
			continue
		case f.since > c.fileVersion:
			// What the reader of the file's version would have said,
			// and why.
			c.errorAt(m.KeyOffset, p, "unknown field %q (added in snapshot format version %d; this file is version %d)", m.Key, f.since, c.fileVersion)
			continue
		case seen[m.Key]:
			c.errorAt(m.KeyOffset, p, "duplicate field %q", m.Key)
			continue
		}
		seen[m.Key] = true
		c.value(f.typ, m.Value, p)
	}
	for _, f := range fields.list {
		if f.required && !seen[f.name] {
			c.errorAt(v.Offset, path, "missing required field %q", f.name)
		}
	}
}

type jsonField struct {
	name     string
	typ      reflect.Type
	required bool // written without omitempty: Save always writes it
	since    int  // the format version that added it (tag since:"n"), 0 for 1
}

type fieldSet struct {
	list   []jsonField
	byName map[string]jsonField
}

var fieldCache sync.Map // reflect.Type → fieldSet

func jsonFields(t reflect.Type) fieldSet {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.(fieldSet)
	}
	fs := fieldSet{byName: map[string]jsonField{}}
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, ok := sf.Tag.Lookup("json")
		if !sf.IsExported() || !ok || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		f := jsonField{name: name, typ: sf.Type, required: !strings.Contains(opts, "omit")}
		if v, ok := sf.Tag.Lookup("since"); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 2 || n > FormatVersion {
				panic("inventory: bad since tag on " + t.String() + "." + sf.Name)
			}
			f.since = n
		}
		fs.list = append(fs.list, f)
		fs.byName[name] = f
	}
	fieldCache.Store(t, fs)
	return fs
}

var accountID = regexp.MustCompile(`^[0-9]{12}$`)

// semantics checks what the types cannot say: identifiers present and
// well-formed, and nothing listed twice.
func (c *checker) semantics(s *Snapshot) {
	if s.Metadata.Source == "" {
		c.errorf("metadata.source", "source must not be empty")
	}
	accounts := map[string]bool{}
	for i, a := range s.Accounts {
		p := "accounts[" + strconv.Itoa(i) + "]"
		if !accountID.MatchString(a.ID) {
			c.errorf(p+".id", "account ID %q is not 12 digits", a.ID)
		}
		if accounts[a.ID] {
			c.errorf(p+".id", "account %s is listed twice", a.ID)
		}
		accounts[a.ID] = true
		unique(c, p, "users", a.Users, func(u *User) string { return u.ARN }, "arn")
		unique(c, p, "groups", a.Groups, func(g *Group) string { return g.ARN }, "arn")
		unique(c, p, "roles", a.Roles, func(r *Role) string { return r.ARN }, "arn")
		unique(c, p, "policies", a.Policies, func(m *ManagedPolicy) string { return m.ARN }, "arn")
		unique(c, p, "kmsRegions", a.KMSRegions, func(r *KMSRegion) string { return r.Name }, "name")
		unique(c, p, "keys", a.Keys, func(k *Key) string { return k.ARN }, "arn")
		unique(c, p, "buckets", a.Buckets, func(b *Bucket) string { return b.Name }, "name")
		for j, k := range a.Keys {
			kp := p + ".keys[" + strconv.Itoa(j) + "]"
			if k.ID == "" {
				c.errorf(kp+".id", "id must not be empty")
			}
			if k.Region == "" {
				c.errorf(kp+".region", "region must not be empty")
			}
			unique(c, kp, "grants", k.Grants, func(g Grant) string { return g.ID }, "id")
		}
	}
}

// unique reports empty and repeated identifiers in one list.
func unique[T any](c *checker, base, list string, items []T, id func(T) string, field string) {
	seen := map[string]bool{}
	for i, it := range items {
		p := base + "." + list + "[" + strconv.Itoa(i) + "]." + field
		switch v := id(it); {
		case v == "":
			c.errorf(p, "%s must not be empty", field)
		case seen[v]:
			c.errorf(p, "%s %s is listed twice", field, v)
		default:
			seen[v] = true
		}
	}
}

// Save writes the snapshot as indented JSON, after Normalize, so that the
// output depends only on the content. Like every JSON keywarden writes,
// it holds no raw control or bidirectional formatting character
// (escape.JSON): the values read back the same, and a snapshot shown in a
// terminal or a diff cannot drive it.
func (s *Snapshot) Save(w io.Writer) error {
	s.Normalize()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	// Policy text holds "<", ">" and "&" (ArnLike patterns, conditions);
	// HTML escaping would make the file harder to read and compare.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return err
	}
	_, err := w.Write(escape.JSON(b.Bytes()))
	return err
}

// SaveFile saves the snapshot to the file at path as safefile.WriteFile
// writes: mode 0600 (a snapshot names every principal, key and policy of
// the accounts), complete or not at all, replacing a symbolic link at
// path rather than writing where it leads.
func (s *Snapshot) SaveFile(path string) error {
	return safefile.WriteFile(path, s.Save)
}
