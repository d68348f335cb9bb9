package suppress

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/posjson"
	"github.com/keywarden/keywarden/internal/safefile"
)

// FormatVersion is the version of the suppression file format this package
// reads (docs/suppressions.md). A file must say which version it is
// written in, so that a later format is refused rather than misread.
const FormatVersion = 1

// AnyCheck is the check pattern that matches every check.
const AnyCheck = "*"

// A Suppression accepts the findings of one check, or of every check
// (AnyCheck), on the resources its pattern matches.
type Suppression struct {
	// Check is a check ID or AnyCheck.
	Check string
	// Resource is a glob pattern over a finding's resource ARN: "*" stands
	// for any run of characters (slashes and colons included), "?" for
	// any one character; everything else stands for itself, case
	// included.
	Resource string
	// Reason says why the findings are accepted; it is required.
	Reason string
	// Expires is the first instant at which the suppression no longer
	// applies; zero means never. A date in the file ("2027-03-31") stands
	// for 00:00 UTC on that day.
	Expires time.Time
	// Index is the suppression's position in the file's list, from 0, and
	// Line its line in the file, from 1; messages about it use them.
	Index int
	Line  int
}

// Expired reports whether the suppression no longer applies at now.
func (s *Suppression) Expired(now time.Time) bool {
	return !s.Expires.IsZero() && !now.Before(s.Expires)
}

// A File is a parsed suppression file.
type File struct {
	// Name is the file name given to Parse, used in messages.
	Name         string
	Suppressions []Suppression
}

// Options are the choices of Parse.
type Options struct {
	// KnownChecks are the check IDs a suppression may name. A file that
	// names another one is invalid (a misspelt ID would otherwise never
	// suppress anything). Nil accepts every well-formed ID.
	KnownChecks []string
}

// Load reads and parses a suppression file; it must be a regular file
// within the cap for suppression files (safefile.Suppressions).
func Load(path string, opts Options) (*File, error) {
	data, err := safefile.ReadFile(path, safefile.Suppressions)
	if err != nil {
		return nil, err
	}
	return Parse(path, data, opts)
}

// checkID is the form of a check ID (internal/checks enforces the same).
var checkID = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

var (
	topFields         = []string{"version", "suppressions"}
	suppressionFields = []string{"check", "resource", "reason", "expires"}
)

// Parse reads a suppression file. It reports every problem it finds, as
// policy.Errors, and then returns no file: a file that is partly wrong might
// suppress less, or more, than its author meant.
func Parse(name string, data []byte, opts Options) (*File, error) {
	p := &parser{name: name, lines: posjson.NewLines(data), opts: opts}
	root, err := posjson.Parse(data)
	if err != nil {
		off := 0
		if se, ok := err.(*posjson.SyntaxError); ok {
			off = se.Offset
		}
		p.errorf(off, "", "invalid JSON: %v", err)
		return nil, p.errs
	}
	f := p.file(root)
	if len(p.errs) > 0 {
		p.errs.Sort()
		return nil, p.errs
	}
	return f, nil
}

type parser struct {
	name  string
	lines *posjson.Lines
	opts  Options
	errs  policy.Errors
}

func (p *parser) errorf(offset int, path, format string, args ...any) {
	line, col := p.lines.LineCol(offset)
	p.errs = append(p.errs, &policy.Error{Source: p.name, Line: line, Col: col, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// fields checks an object's member names and returns the members by name.
func (p *parser) fields(v *posjson.Value, path string, known []string) map[string]*posjson.Value {
	out := map[string]*posjson.Value{}
	for _, m := range v.Members {
		mpath := join(path, m.Key)
		switch {
		case !slices.Contains(known, m.Key):
			p.errorf(m.KeyOffset, mpath, "unknown field %q (known fields: %s)", m.Key, strings.Join(known, ", "))
		case out[m.Key] != nil:
			p.errorf(m.KeyOffset, mpath, "duplicate field %q", m.Key)
		default:
			out[m.Key] = m.Value
		}
	}
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (p *parser) file(root *posjson.Value) *File {
	if root.Kind != posjson.Object {
		p.errorf(root.Offset, "", "a suppression file is a JSON object, not %s", article(root.Kind))
		return nil
	}
	fs := p.fields(root, "", topFields)
	switch v := fs["version"]; {
	case v == nil:
		p.errorf(root.Offset, "", "missing field \"version\" (this keywarden reads version %d)", FormatVersion)
	case v.Kind != posjson.Number:
		p.errorf(v.Offset, "version", "version must be a number, not %s", article(v.Kind))
	case v.Str != fmt.Sprint(FormatVersion):
		p.errorf(v.Offset, "version", "version %s is not supported (this keywarden reads version %d)", v.Str, FormatVersion)
	}
	f := &File{Name: p.name}
	list := fs["suppressions"]
	switch {
	case list == nil:
		p.errorf(root.Offset, "", "missing field \"suppressions\" (a list, which may be empty)")
		return f
	case list.Kind != posjson.Array:
		p.errorf(list.Offset, "suppressions", "suppressions must be a list, not %s", article(list.Kind))
		return f
	}
	for i, e := range list.Elems {
		if s, ok := p.suppression(e, i); ok {
			f.Suppressions = append(f.Suppressions, s)
		}
	}
	return f
}

func (p *parser) suppression(v *posjson.Value, i int) (Suppression, bool) {
	path := fmt.Sprintf("suppressions[%d]", i)
	line := p.lines.Line(v.Offset)
	s := Suppression{Index: i, Line: line}
	if v.Kind != posjson.Object {
		p.errorf(v.Offset, path, "a suppression is an object, not %s", article(v.Kind))
		return s, false
	}
	before := len(p.errs)
	fs := p.fields(v, path, suppressionFields)
	str := func(key string, required bool) (string, *posjson.Value) {
		fv := fs[key]
		switch {
		case fv == nil && required:
			p.errorf(v.Offset, path, "missing field %q", key)
		case fv == nil, fv.Kind == posjson.Null && !required:
		case fv.Kind != posjson.String:
			p.errorf(fv.Offset, path+"."+key, "%s must be a string, not %s", key, article(fv.Kind))
		default:
			return fv.Str, fv
		}
		return "", nil
	}
	if c, cv := str("check", true); cv != nil {
		p.check(c, cv, path+".check")
		s.Check = c
	}
	if r, rv := str("resource", true); rv != nil {
		if r == "" {
			p.errorf(rv.Offset, path+".resource", "resource must not be empty (use \"*\" for every resource)")
		}
		s.Resource = r
	}
	if r, rv := str("reason", true); rv != nil {
		if strings.TrimSpace(r) == "" {
			p.errorf(rv.Offset, path+".reason", "reason must say why the findings are accepted")
		}
		s.Reason = r
	}
	if e, ev := str("expires", false); ev != nil {
		t, err := parseExpiry(e)
		if err != nil {
			p.errorf(ev.Offset, path+".expires", "%v", err)
		}
		s.Expires = t
	}
	return s, len(p.errs) == before
}

func (p *parser) check(id string, v *posjson.Value, path string) {
	switch {
	case id == AnyCheck:
	case id == "":
		p.errorf(v.Offset, path, "check must not be empty (use %q for every check)", AnyCheck)
	case !checkID.MatchString(id):
		p.errorf(v.Offset, path, "%q is not a check ID (lower-case words joined by '-', such as key-rotation-disabled) or %q", id, AnyCheck)
	case p.opts.KnownChecks != nil && !slices.Contains(p.opts.KnownChecks, id):
		msg := fmt.Sprintf("unknown check %q", id)
		if near := closest(id, p.opts.KnownChecks); near != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", near)
		}
		p.errorf(v.Offset, path, "%s", msg)
	}
}

// parseExpiry reads a date (00:00 UTC that day) or an RFC 3339 time.
func parseExpiry(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("expires must be a date (2027-03-31) or an RFC 3339 time (2027-03-31T09:00:00+09:00), not %q", s)
}

func article(k posjson.Kind) string {
	switch k {
	case posjson.Array, posjson.Object:
		return "an " + k.String()
	case posjson.Null:
		return "null"
	}
	return "a " + k.String()
}

// closest returns the known ID nearest to id when it is near enough to be
// a misspelling, else "".
func closest(id string, known []string) string {
	best, bestD := "", 4
	for _, k := range known {
		if d := distance(id, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b, in bytes (check
// IDs are ASCII).
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
