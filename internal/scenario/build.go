package scenario

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/posjson"
)

// Policy names used in explanations (engine.Reason.Policy).
const (
	keyPolicyName = "key policy"
	boundaryName  = "permissions boundary"
	sessionName   = "session policy"
)

func identityName(i int) string { return "identity policy #" + strconv.Itoa(i) }

func scpName(level, i int) string {
	return "SCP level " + strconv.Itoa(level) + " policy #" + strconv.Itoa(i)
}

func rcpName(level, i int) string {
	return "RCP level " + strconv.Itoa(level) + " policy #" + strconv.Itoa(i)
}

// builder turns one parsed scenario object into a Scenario, collecting
// every error on the way.
type builder struct {
	file string
	// data holds the text the value was parsed from: the whole file for
	// .json, one line for .jsonl.
	data []byte
	// line is the line of data[0] in the file.
	line int
	errs policy.Errors
}

// parsers lend a JSON parser to each parseOne: the tree of a scenario is
// dropped once the scenario is built, and its memory serves the next.
var parsers = sync.Pool{New: func() any { return new(posjson.Parser) }}

// parseOne parses the scenario in data, which starts at the given line of
// file.
func parseOne(file string, data []byte, line int) (Scenario, error) {
	b := &builder{file: file, data: data, line: line}
	jp := parsers.Get().(*posjson.Parser)
	defer parsers.Put(jp)
	// Nothing of the tree v may outlive this call: the Scenario holds
	// the strings of the tree, never its nodes.
	v, err := jp.Parse(data)
	if err != nil {
		var se *posjson.SyntaxError
		if !errors.As(err, &se) {
			return Scenario{}, fmt.Errorf("%s:%d: %w", file, line, err)
		}
		b.add(se.Offset, "", "invalid JSON: "+se.Msg)
		return Scenario{}, b.errs
	}
	s := b.scenario(v)
	if len(b.errs) > 0 {
		b.errs.Sort()
		return Scenario{}, b.errs
	}
	return s, nil
}

// add records an error at a byte offset of b.data.
func (b *builder) add(offset int, path, msg string) {
	l, c := posjson.LineCol(b.data, offset)
	b.errs = append(b.errs, &policy.Error{Source: b.file, Path: path, Line: l + b.line - 1, Col: c, Msg: msg})
}

func (b *builder) errorf(v *posjson.Value, path *posjson.Path, format string, args ...any) {
	b.add(v.Offset, path.String(), fmt.Sprintf(format, args...))
}

// topFields are the members of a scenario object, in the order of
// shared/scenario-format.md.
var topFields = []string{
	"name", "description", "request", "keyPolicy", "identityPolicies",
	"permissionsBoundary", "sessionPolicy", "serviceControlPolicies",
	"resourceControlPolicies", "grants", "expect",
}

var (
	requestFields     = []string{"principal", "action", "resource", "context"}
	grantFields       = []string{"grantId", "name", "granteePrincipal", "retiringPrincipal", "issuingAccount", "operations", "constraints"}
	constraintsFields = []string{"encryptionContextEquals", "encryptionContextSubset"}
)

// maxFields is the most members an object of the format has.
const maxFields = 11

// fields are the members of an object, by name among the names it may have.
type fields struct {
	known []string
	value [maxFields]*posjson.Value
}

// get returns the member name, or nil when it is absent or null.
func (f *fields) get(name string) *posjson.Value {
	for i, k := range f.known {
		if k == name {
			return f.value[i]
		}
	}
	return nil
}

// object checks that v is an object whose member names are among known
// (matched exactly: the format's names are camelCase) and returns its
// members by name; ok is false when v is not an object. Members whose value
// is null are treated as absent.
func (b *builder) object(v *posjson.Value, path *posjson.Path, what string, known []string) (f fields, ok bool) {
	f.known = known
	if v.Kind != posjson.Object {
		b.errorf(v, path, "%s must be a JSON object, not %s", what, v.Kind)
		return f, false
	}
	var seen uint32
	for _, m := range v.Members {
		i := slices.Index(known, m.Key)
		if i < 0 {
			mp := path.Member(m.Key)
			b.add(m.KeyOffset, mp.String(), unknownField(m.Key, known))
			continue
		}
		if seen&(1<<i) != 0 {
			mp := path.Member(m.Key)
			b.add(m.KeyOffset, mp.String(), fmt.Sprintf("duplicate field %q", m.Key))
			continue
		}
		seen |= 1 << i
		if m.Value.Kind != posjson.Null {
			f.value[i] = m.Value
		}
	}
	return f, true
}

func unknownField(key string, known []string) string {
	for _, k := range known {
		if strings.EqualFold(k, key) {
			return fmt.Sprintf("unknown field %q (did you mean %q?)", key, k)
		}
	}
	return fmt.Sprintf("unknown field %q (known fields: %s)", key, strings.Join(known, ", "))
}

func (b *builder) scenario(v *posjson.Value) Scenario {
	l, _ := posjson.LineCol(b.data, v.Offset)
	s := Scenario{Source: Source{File: b.file, Line: l + b.line - 1}}
	root := posjson.RootPath("")
	if v.Kind != posjson.Object {
		msg := "a scenario must be a JSON object, not %s"
		if v.Kind == posjson.Array {
			msg += " (a .json file holds one scenario; put many in a .jsonl file, one per line)"
		}
		b.errorf(v, &root, msg, v.Kind)
		return s
	}
	f, _ := b.object(v, &root, "a scenario", topFields)
	member := func(name string) (*posjson.Value, posjson.Path) { return f.get(name), root.Member(name) }
	if n, p := member("name"); n == nil {
		b.errorf(v, &root, "missing field \"name\"")
	} else {
		s.Name = b.nonEmpty(n, &p)
	}
	if d, p := member("description"); d != nil {
		s.Description = b.str(d, &p)
	}
	if r, p := member("request"); r == nil {
		b.errorf(v, &root, "missing field \"request\"")
	} else {
		s.Request = b.request(r, &p)
	}
	if d := f.get("keyPolicy"); d != nil {
		s.Policies.KeyPolicy = b.policy(d, "keyPolicy", policy.Resource, keyPolicyName)
	}
	if d, p := member("identityPolicies"); d != nil {
		s.Policies.Identity = b.policies(d, &p, policy.Identity, identityName)
	}
	if d := f.get("permissionsBoundary"); d != nil {
		s.Policies.Boundary = b.policy(d, "permissionsBoundary", policy.Identity, boundaryName)
	}
	if d := f.get("sessionPolicy"); d != nil {
		s.Policies.Session = b.policy(d, "sessionPolicy", policy.Identity, sessionName)
	}
	if d, p := member("serviceControlPolicies"); d != nil {
		s.Policies.SCPs = b.levels(d, &p, policy.SCP, scpName)
	}
	if d, p := member("resourceControlPolicies"); d != nil {
		s.Policies.RCPs = b.levels(d, &p, policy.RCP, rcpName)
	}
	if g, p := member("grants"); g != nil {
		s.Policies.Grants = b.grants(g, &p)
	}
	if e, p := member("expect"); e != nil {
		if text := b.str(e, &p); text != "" {
			d, err := engine.ParseDecision(text)
			if err != nil {
				b.errorf(e, &p, "%v", err)
			} else {
				s.Expect = &d
			}
		} else if e.Kind == posjson.String {
			b.errorf(e, &p, "must not be empty")
		}
	}
	return s
}

func (b *builder) str(v *posjson.Value, path *posjson.Path) string {
	if v.Kind != posjson.String {
		b.errorf(v, path, "must be a string, not %s", v.Kind)
		return ""
	}
	return v.Str
}

func (b *builder) nonEmpty(v *posjson.Value, path *posjson.Path) string {
	s := b.str(v, path)
	if s == "" && v.Kind == posjson.String {
		b.errorf(v, path, "must not be empty")
	}
	return s
}

func (b *builder) request(v *posjson.Value, path *posjson.Path) engine.Request {
	var r engine.Request
	f, ok := b.object(v, path, "request", requestFields)
	if !ok {
		return r
	}
	required := func(name string) string {
		m := f.get(name)
		if m == nil {
			b.errorf(v, path, "missing field %q", name)
			return ""
		}
		p := path.Member(name)
		return b.nonEmpty(m, &p)
	}
	r.Principal = required("principal")
	r.Action = required("action")
	r.Resource = required("resource")
	if a := f.get("action"); r.Action != "" {
		if svc, name, ok := strings.Cut(r.Action, ":"); !ok || svc == "" || name == "" || strings.ContainsAny(r.Action, "*?") {
			p := path.Member("action")
			b.errorf(a, &p, "action must be one action such as \"kms:Decrypt\", not %q", r.Action)
		}
	}
	if c := f.get("context"); c != nil {
		p := path.Member("context")
		r.Context = b.context(c, &p)
	}
	return r
}

// context reads the request context. Condition keys are case-insensitive
// in AWS, so two spellings of one key are a duplicate.
func (b *builder) context(v *posjson.Value, path *posjson.Path) map[string]engine.Value {
	if v.Kind != posjson.Object {
		b.errorf(v, path, "context must be a JSON object, not %s", v.Kind)
		return nil
	}
	out := make(map[string]engine.Value, len(v.Members))
	for i, m := range v.Members {
		kp := path.Key(m.Key)
		if m.Key == "" {
			b.add(m.KeyOffset, kp.String(), "empty context key")
			continue
		}
		if j := slices.IndexFunc(v.Members[:i], func(prev posjson.Member) bool { return strings.EqualFold(prev.Key, m.Key) }); j >= 0 {
			b.add(m.KeyOffset, kp.String(), fmt.Sprintf("duplicate context key %q (condition keys ignore case; %q came first)", m.Key, v.Members[j].Key))
			continue
		}
		switch m.Value.Kind {
		case posjson.String, posjson.Number, posjson.Bool:
			out[m.Key] = engine.Value{Strings: []string{m.Value.Str}}
		case posjson.Array:
			list := make([]string, 0, len(m.Value.Elems))
			for i, e := range m.Value.Elems {
				if !scalar(e) {
					ep := kp.Index(i)
					b.errorf(e, &ep, "context list values must be strings, numbers or booleans, not %s", e.Kind)
					continue
				}
				list = append(list, e.Str)
			}
			out[m.Key] = engine.Value{Strings: list, List: true}
		default:
			b.errorf(m.Value, &kp, "a context value must be a string or a list of strings, not %s", m.Value.Kind)
		}
	}
	return out
}

func scalar(v *posjson.Value) bool {
	return v.Kind == posjson.String || v.Kind == posjson.Number || v.Kind == posjson.Bool
}

// policy parses an embedded policy document. Its errors come from package
// policy with paths under path; they are moved to this file's lines (a
// .jsonl line is parsed on its own) and, for a policy given as a JSON
// string, placed at the string.
func (b *builder) policy(v *posjson.Value, path string, kind policy.Kind, name string) *policy.Document {
	d, err := policy.FromJSON(b.file, b.data, v, path, kind)
	if err != nil {
		var pe policy.Errors
		if !errors.As(err, &pe) {
			b.add(v.Offset, path, err.Error())
			return nil
		}
		l, c := posjson.LineCol(b.data, v.Offset)
		for _, e := range pe {
			if e.Line == 0 {
				e.Line, e.Col = l, c
			}
			e.Line += b.line - 1
			b.errs = append(b.errs, e)
		}
		return nil
	}
	d.Name = name
	return d
}

func (b *builder) policies(v *posjson.Value, path *posjson.Path, kind policy.Kind, name func(int) string) []*policy.Document {
	if v.Kind != posjson.Array {
		b.errorf(v, path, "must be a list of policies, not %s", v.Kind)
		return nil
	}
	out := make([]*policy.Document, 0, len(v.Elems))
	for i, e := range v.Elems {
		p := path.Index(i)
		if d := b.policy(e, p.String(), kind, name(i)); d != nil {
			out = append(out, d)
		}
	}
	return out
}

// levels reads an SCP or RCP chain: a list of levels, root first, each a
// list of policies.
func (b *builder) levels(v *posjson.Value, path *posjson.Path, kind policy.Kind, name func(level, i int) string) [][]*policy.Document {
	if v.Kind != posjson.Array {
		b.errorf(v, path, "must be a list of levels (root first), each a list of policies, not %s", v.Kind)
		return nil
	}
	out := make([][]*policy.Document, 0, len(v.Elems))
	for level, lv := range v.Elems {
		lp := path.Index(level)
		if lv.Kind != posjson.Array {
			b.errorf(lv, &lp, "a level must be a list of policies, not %s", lv.Kind)
			continue
		}
		docs := make([]*policy.Document, 0, len(lv.Elems))
		for i, e := range lv.Elems {
			p := lp.Index(i)
			if d := b.policy(e, p.String(), kind, name(level, i)); d != nil {
				docs = append(docs, d)
			}
		}
		out = append(out, docs)
	}
	return out
}

func (b *builder) grants(v *posjson.Value, path *posjson.Path) []engine.Grant {
	if v.Kind != posjson.Array {
		b.errorf(v, path, "must be a list of grants, not %s", v.Kind)
		return nil
	}
	out := make([]engine.Grant, 0, len(v.Elems))
	for i, e := range v.Elems {
		p := path.Index(i)
		out = append(out, b.grant(e, &p))
	}
	return out
}

// grant reads one grant. A grant without grantId keeps an empty ID: the
// engine then names it by its position ("grant #0").
func (b *builder) grant(v *posjson.Value, path *posjson.Path) engine.Grant {
	var g engine.Grant
	f, ok := b.object(v, path, "a grant", grantFields)
	if !ok {
		return g
	}
	opt := func(name string) string {
		m := f.get(name)
		if m == nil {
			return ""
		}
		p := path.Member(name)
		return b.nonEmpty(m, &p)
	}
	g.ID = opt("grantId")
	g.Name = opt("name")
	g.RetiringPrincipal = opt("retiringPrincipal")
	if ia := f.get("issuingAccount"); ia != nil {
		p := path.Member("issuingAccount")
		g.IssuingAccount = b.account(ia, &p)
	}
	if f.get("granteePrincipal") == nil {
		b.errorf(v, path, "missing field \"granteePrincipal\"")
	} else {
		g.GranteePrincipal = opt("granteePrincipal")
	}
	if ops := f.get("operations"); ops == nil {
		b.errorf(v, path, "missing field \"operations\"")
	} else {
		p := path.Member("operations")
		g.Operations = b.operations(ops, &p)
	}
	if c := f.get("constraints"); c != nil {
		cp := path.Member("constraints")
		cf, _ := b.object(c, &cp, "constraints", constraintsFields)
		eq, sub := cf.get("encryptionContextEquals"), cf.get("encryptionContextSubset")
		if eq != nil && sub != nil {
			b.errorf(c, &cp, "constraints may hold encryptionContextEquals or encryptionContextSubset, not both")
		}
		if eq != nil {
			p := cp.Member("encryptionContextEquals")
			g.EncryptionContextEquals = b.pairs(eq, &p)
		}
		if sub != nil {
			p := cp.Member("encryptionContextSubset")
			g.EncryptionContextSubset = b.pairs(sub, &p)
		}
	}
	return g
}

// account reads an account as ListGrants reports a grant's issuer
// ("arn:aws:iam::111122223333:root") or as a bare account ID; the engine
// wants the ID.
func (b *builder) account(v *posjson.Value, path *posjson.Path) string {
	s := b.str(v, path)
	if v.Kind != posjson.String {
		return ""
	}
	id := s
	if strings.HasPrefix(s, "arn:") {
		f := strings.Split(s, ":")
		if len(f) != 6 || f[2] != "iam" || f[5] != "root" {
			id = ""
		} else {
			id = f[4]
		}
	}
	if !isAccountID(id) {
		b.errorf(v, path, "must be an account ID or an account root ARN (arn:aws:iam::111122223333:root), not %q", s)
		return ""
	}
	return id
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// operations reads a grant's operations. CreateGrant accepts only the
// grant operations, spelled exactly, without the "kms:" prefix
// ([GrantOperation]); a scenario that AWS could not hold is an error.
//
// [GrantOperation]: https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateGrant.html#KMS-CreateGrant-request-Operations
func (b *builder) operations(v *posjson.Value, path *posjson.Path) []string {
	if v.Kind != posjson.Array || len(v.Elems) == 0 {
		b.errorf(v, path, "must be a non-empty list of KMS operation names such as \"Decrypt\"")
		return nil
	}
	out := make([]string, 0, len(v.Elems))
	for i, e := range v.Elems {
		ep := path.Index(i)
		op := b.str(e, &ep)
		if e.Kind != posjson.String {
			continue
		}
		a := awsfacts.LookupKMS(op)
		switch {
		case strings.Contains(op, ":"):
			b.errorf(e, &ep, "operation %q must be written without the service prefix (%q)", op, op[strings.Index(op, ":")+1:])
		case a == nil:
			b.errorf(e, &ep, "unknown KMS operation %q", op)
		case !a.GrantOp:
			b.errorf(e, &ep, "%s is not a grant operation", a.Name)
		case a.Name != op:
			b.errorf(e, &ep, "operation %q must be spelled %q", op, a.Name)
		default:
			out = append(out, op)
		}
	}
	return out
}

// pairs reads an encryption context: an object of string values.
func (b *builder) pairs(v *posjson.Value, path *posjson.Path) map[string]string {
	if v.Kind != posjson.Object {
		b.errorf(v, path, "must be a JSON object of string values, not %s", v.Kind)
		return nil
	}
	out := make(map[string]string, len(v.Members))
	for _, m := range v.Members {
		kp := path.Key(m.Key)
		if _, dup := out[m.Key]; dup {
			b.add(m.KeyOffset, kp.String(), fmt.Sprintf("duplicate key %q", m.Key))
			continue
		}
		if m.Value.Kind != posjson.String {
			b.errorf(m.Value, &kp, "must be a string, not %s", m.Value.Kind)
			continue
		}
		out[m.Key] = m.Value.Str
	}
	return out
}
