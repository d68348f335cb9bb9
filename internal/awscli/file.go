package awscli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/keywarden/keywarden/internal/escape"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/posjson"
	"github.com/keywarden/keywarden/internal/safefile"
)

// A file is one JSON file of the export, parsed. A file may hold several
// JSON values one after another (the AWS CLI's output of one call per page);
// values holds them all, with offsets into data.
type file struct {
	name   string // as shown in messages: the export directory joined with the path
	data   []byte
	values []*posjson.Value
	lines  *posjson.Lines // built on first use
}

// lineCol locates an offset of the file through one index of its lines:
// a large authorization-details file locates thousands of documents, and
// scanning from the start for each one would take time quadratic in its
// size.
func (f *file) lineCol(offset int) (line, col int) {
	if f.lines == nil {
		f.lines = posjson.NewLines(f.data)
	}
	return f.lines.LineCol(offset)
}

// A failure says why a file gives nothing: missing, malformed, or holding
// the error of the call that should have written it.
type failure struct {
	inventory.Incomplete
	// code is the AWS error code of a failed call (AccessDeniedException),
	// when the error text has one.
	code string
	// at is where the warning points.
	at inventory.Location
	// missing is set when neither the file nor its .error exists.
	missing bool
	// refused is set when the file exists but was refused (a symbolic
	// link, not a regular file, over its cap) or could not be read.
	refused bool
}

// read reads the file rel (slash-separated, relative to the export root)
// through the export's safefile.Dir: a regular file inside the export,
// reached without a symbolic link, within the cap of its kind. When it
// does not exist, rel without ".json" plus ".error" (or rel plus ".error")
// is read instead: the export script writes a failed call's stderr there.
// A file refused (a link, a named pipe, a device, a file over its cap)
// gives a failure with refused set, saying why.
func (im *importer) read(rel string) (*file, *failure) {
	name := im.display(rel)
	data, err := im.dir.ReadFile(rel, kindOf(rel))
	if errors.Is(err, fs.ErrNotExist) {
		for _, alt := range errorFiles(rel) {
			text, err := im.dir.ReadFile(alt, safefile.ErrorOutput)
			if err == nil {
				return nil, errorText(im.display(alt), text, true)
			}
			if !errors.Is(err, fs.ErrNotExist) {
				return nil, im.refused(alt, err)
			}
		}
		return nil, &failure{
			Incomplete: inventory.Incomplete{Reason: "the file is missing from the export", Source: name},
			at:         inventory.Location{File: name},
			missing:    true,
		}
	}
	if err != nil {
		return nil, im.refused(rel, err)
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, &failure{Incomplete: inventory.Incomplete{Reason: "the file is empty", Source: name}, at: inventory.Location{File: name}}
	}
	if trimmed[0] != '{' && trimmed[0] != '[' {
		// Not JSON at all: the AWS CLI's error message saved in place of
		// the output (aws ... >file 2>&1), or anything else.
		return nil, errorText(name, data, false)
	}
	values, err := parseValues(data)
	if err != nil {
		var se *posjson.SyntaxError
		off := 0
		if errors.As(err, &se) {
			off = se.Offset
		}
		line, col := posjson.LineCol(data, off)
		return nil, &failure{
			Incomplete: inventory.Incomplete{Reason: "invalid JSON: " + err.Error(), Source: fmt.Sprintf("%s:%d:%d", name, line, col)},
			at:         inventory.Location{File: name, Line: line, Col: col},
		}
	}
	return &file{name: name, data: data, values: values}, nil
}

// refused makes the failure of a file that could not be read or was
// refused: the reason says why, never what the file holds.
func (im *importer) refused(rel string, err error) *failure {
	name := im.display(rel)
	reason := "not read"
	var se *safefile.Error
	if errors.As(err, &se) {
		if se.Path != rel {
			// A directory on the way was refused.
			reason = im.display(se.Path) + ": " + se.Reason()
		} else {
			reason = se.Reason()
		}
	}
	return &failure{Incomplete: inventory.Incomplete{Reason: reason, Source: name}, at: inventory.Location{File: name}, refused: true}
}

// kindOf says which cap applies to a file of the export.
func kindOf(rel string) safefile.Kind {
	switch path.Base(rel) {
	case gaadFile:
		return safefile.IAMDetails
	case listKeys, listAliases, listGrants, path.Base(listBuckets):
		return safefile.Listing
	}
	return safefile.Document
}

func errorFiles(rel string) []string {
	base := strings.TrimSuffix(rel, ".json")
	return []string{base + ".error", rel + ".error"}
}

// awsError is the AWS CLI's error message for an error the service
// returned: "An error occurred (AccessDeniedException) when calling the
// GetKeyPolicy operation: User: ... is not authorized ...", with
// " (reached max retries: 4)" after "operation" when retries ran out.
var awsError = regexp.MustCompile(`^An error occurred \(([A-Za-z0-9._:-]{1,128})\) when calling the ([A-Za-z0-9]{1,128}) operation( \(reached max retries: [0-9]{1,4}\))?(?:: (.*))?$`)

// cliErrors are the first words of the AWS CLI's own errors, which
// happen before any call reaches AWS; only these words are kept, since
// the rest quotes local settings (an endpoint URL, a profile name).
var cliErrors = []string{
	"Could not connect to the endpoint URL",
	"Connect timeout on endpoint URL",
	"Read timeout on endpoint URL",
	"Unable to locate credentials",
	"The config profile",
	"Error when retrieving token from sso",
	"Error when retrieving credentials",
	"Parameter validation failed",
	"SSL validation failed",
}

// maxMessage is how many characters of an AWS error message are kept:
// AWS's own messages (an AccessDenied naming the caller, the action and
// the resource) fit in it.
const maxMessage = 512

// errorText makes a failure of an AWS CLI error message. Only what the
// AWS CLI writes in its known forms is kept: an AWS error (its code, its
// operation and its message, escaped and cut to maxMessage characters),
// or the first words of one of the CLI's own errors. Anything else is not
// quoted at all: a file that holds something other than JSON may be
// anything, and its text must not reach a report. isErrorFile says the
// text is the stderr of a failed call (NAME.error) rather than a NAME.json
// that is not JSON.
func errorText(name string, text []byte, isErrorFile bool) *failure {
	var reason, code string
	for line := range strings.Lines(string(text)) {
		line = strings.TrimSpace(line)
		if m := awsError.FindStringSubmatch(line); m != nil {
			code = m[1]
			reason = "An error occurred (" + code + ") when calling the " + m[2] + " operation" + m[3]
			if msg := message(m[4]); msg != "" {
				reason += ": " + msg
			}
			break
		}
	}
	if reason == "" {
		first := ""
		for line := range strings.Lines(string(text)) {
			if first = strings.TrimSpace(line); first != "" {
				break
			}
		}
		for _, known := range cliErrors {
			if strings.HasPrefix(first, known) {
				reason = known
				break
			}
		}
	}
	switch {
	case reason != "":
	case isErrorFile && len(bytes.TrimSpace(text)) == 0:
		reason = "the call failed without an error message"
	case isErrorFile:
		reason = "the call failed; its error output is not an AWS CLI error message keywarden knows (not shown)"
	default:
		reason = "not JSON, nor an AWS CLI error message (the text is not shown)"
	}
	return &failure{Incomplete: inventory.Incomplete{Reason: reason, Source: name}, at: inventory.Location{File: name}, code: code}
}

// message makes an AWS error message fit to keep: escaped (a message
// holds whatever names the account has) and cut to maxMessage characters.
func message(m string) string {
	m = escape.Text(strings.TrimSpace(m))
	if utf8.RuneCountInString(m) <= maxMessage {
		return m
	}
	n := 0
	for i := range m {
		if n == maxMessage {
			return m[:i] + "…"
		}
		n++
	}
	return m
}

// parseValues parses one or more JSON values written one after another.
// Offsets in the values (and in a syntax error) are offsets into data.
func parseValues(data []byte) ([]*posjson.Value, error) {
	return posjson.ParseAll(data)
}

// single returns the file's one JSON value, which must be an object; a
// file holding more than one value is a shape error.
func (f *file) single() (*posjson.Value, *failure) {
	if len(f.values) != 1 {
		return nil, f.fail(f.values[1], "", "the file holds more than one JSON value")
	}
	v := f.values[0]
	if v.Kind != posjson.Object {
		return nil, f.fail(v, "", fmt.Sprintf("must be an object, not %s", v.Kind))
	}
	return v, nil
}

// loc locates a value of the file.
func (f *file) loc(v *posjson.Value, p string) inventory.Location {
	l := inventory.Location{File: f.name, Path: p}
	if v != nil {
		l.Line, l.Col = f.lineCol(v.Offset)
	}
	return l
}

// fail makes a failure of a shape error at v.
func (f *file) fail(v *posjson.Value, p, msg string) *failure {
	at := f.loc(v, p)
	reason := msg
	if p != "" {
		reason = p + ": " + msg
	}
	src := at.File
	if at.Line > 0 {
		src = fmt.Sprintf("%s:%d:%d", at.File, at.Line, at.Col)
	}
	return &failure{Incomplete: inventory.Incomplete{Reason: reason, Source: src}, at: at}
}

// A shape reads the members of AWS CLI output objects, collecting every
// problem: a member of the wrong type is an error, a member AWS may leave
// out is optional unless said otherwise, and members keywarden does not
// use are ignored (AWS adds fields over time).
type shape struct {
	f    *file
	errs []*failure
}

func (s *shape) errorf(v *posjson.Value, p, format string, args ...any) {
	s.errs = append(s.errs, s.f.fail(v, p, fmt.Sprintf(format, args...)))
}

// first returns the first problem, or nil.
func (s *shape) first() *failure {
	if len(s.errs) == 0 {
		return nil
	}
	return s.errs[0]
}

func join(base, elem string) string {
	if base == "" {
		return elem
	}
	return base + "." + elem
}

func index(base string, i int) string { return base + "[" + strconv.Itoa(i) + "]" }

// member returns the member key of obj, or nil when it is absent or null.
func member(obj *posjson.Value, key string) *posjson.Value {
	v := obj.Get(key)
	if v == nil || v.Kind == posjson.Null {
		return nil
	}
	return v
}

func (s *shape) object(obj *posjson.Value, key, p string) *posjson.Value {
	v := member(obj, key)
	if v != nil && v.Kind != posjson.Object {
		s.errorf(v, join(p, key), "must be an object, not %s", v.Kind)
		return nil
	}
	return v
}

func (s *shape) str(obj *posjson.Value, key, p string) string {
	v := member(obj, key)
	if v == nil {
		return ""
	}
	if v.Kind != posjson.String {
		s.errorf(v, join(p, key), "must be a string, not %s", v.Kind)
		return ""
	}
	return v.Str
}

// required is str for a member that AWS always returns.
func (s *shape) required(obj *posjson.Value, key, p string) string {
	if member(obj, key) == nil {
		s.errorf(obj, p, "%s is missing", key)
		return ""
	}
	return s.str(obj, key, p)
}

func (s *shape) boolean(obj *posjson.Value, key, p string) bool {
	v := member(obj, key)
	if v == nil {
		return false
	}
	if v.Kind != posjson.Bool {
		s.errorf(v, join(p, key), "must be true or false, not %s", v.Kind)
		return false
	}
	return v.Str == "true"
}

func (s *shape) integer(obj *posjson.Value, key, p string) int {
	v := member(obj, key)
	if v == nil {
		return 0
	}
	n, err := strconv.Atoi(v.Str)
	if v.Kind != posjson.Number || err != nil {
		s.errorf(v, join(p, key), "must be an integer, not %s", describe(v))
		return 0
	}
	return n
}

func describe(v *posjson.Value) string {
	switch v.Kind {
	case posjson.String:
		return strconv.Quote(v.Str)
	case posjson.Number:
		return v.Str
	}
	return v.Kind.String()
}

// timestamp reads a time as the AWS CLI prints it: an ISO 8601 string
// (CLI v2, and v1 for XML services such as IAM) or seconds since the epoch
// (CLI v1 for JSON services such as KMS). The result is in UTC.
func (s *shape) timestamp(obj *posjson.Value, key, p string) time.Time {
	v := member(obj, key)
	if v == nil {
		return time.Time{}
	}
	switch v.Kind {
	case posjson.String:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999"} {
			if t, err := time.Parse(layout, v.Str); err == nil && t.Year() >= 1 && t.Year() <= 9999 {
				return t.UTC()
			}
		}
	case posjson.Number:
		f, err := strconv.ParseFloat(v.Str, 64)
		if err == nil && f >= 0 && f < 253402300800 { // before year 10000
			sec, frac := math.Modf(f)
			return time.Unix(int64(sec), int64(math.Round(frac*1e6))*1e3).UTC()
		}
	}
	s.errorf(v, join(p, key), "must be a time (ISO 8601 or seconds since 1970), not %s", describe(v))
	return time.Time{}
}

// array returns the elements of an array member; absent or null gives nil.
func (s *shape) array(obj *posjson.Value, key, p string) []*posjson.Value {
	v := member(obj, key)
	if v == nil {
		return nil
	}
	if v.Kind != posjson.Array {
		s.errorf(v, join(p, key), "must be a list, not %s", v.Kind)
		return nil
	}
	return v.Elems
}

// objects is array for a list of objects; elements of another kind are
// errors and left out. It returns each object with its path.
func (s *shape) objects(obj *posjson.Value, key, p string) ([]*posjson.Value, []string) {
	var (
		out   []*posjson.Value
		paths []string
	)
	for i, e := range s.array(obj, key, p) {
		ep := index(join(p, key), i)
		if e.Kind != posjson.Object {
			s.errorf(e, ep, "must be an object, not %s", e.Kind)
			continue
		}
		out = append(out, e)
		paths = append(paths, ep)
	}
	return out, paths
}

func (s *shape) strings(obj *posjson.Value, key, p string) []string {
	var out []string
	for i, e := range s.array(obj, key, p) {
		if e.Kind != posjson.String {
			s.errorf(e, index(join(p, key), i), "must be a string, not %s", e.Kind)
			continue
		}
		out = append(out, e.Str)
	}
	return out
}

// stringMap reads an object of strings (an encryption context).
func (s *shape) stringMap(obj *posjson.Value, key, p string) map[string]string {
	v := s.object(obj, key, p)
	if v == nil {
		return nil
	}
	out := make(map[string]string, len(v.Members))
	for _, m := range v.Members {
		if m.Value.Kind != posjson.String {
			s.errorf(m.Value, join(p, key)+"["+strconv.Quote(m.Key)+"]", "must be a string, not %s", m.Value.Kind)
			continue
		}
		out[m.Key] = m.Value.Str
	}
	return out
}

// document reads a policy document given as a JSON object (the AWS CLI
// decodes IAM's documents) or as a string: URL-encoded JSON (IAM's API) or
// plain JSON text (KMS, S3, Organizations).
func (s *shape) document(obj *posjson.Value, key, p string) *inventory.Document {
	v := member(obj, key)
	if v == nil {
		return nil
	}
	dp := join(p, key)
	var text []byte
	switch v.Kind {
	case posjson.String:
		text = []byte(v.Str)
	case posjson.Object:
		// The object's own bytes, exactly as in the file.
		dec := json.NewDecoder(bytes.NewReader(s.f.data[v.Offset:]))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			s.errorf(v, dp, "%v", err)
			return nil
		}
		text = raw
	default:
		s.errorf(v, dp, "a policy document must be an object or a string, not %s", v.Kind)
		return nil
	}
	d, err := inventory.DecodeDocument(text, s.f.loc(v, dp))
	if err != nil {
		s.errorf(v, dp, "%v", err)
		return nil
	}
	return d
}

// display names a file of the export in messages.
func (im *importer) display(rel string) string { return path.Join(im.root, rel) }
