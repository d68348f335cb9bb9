package cloudformation

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/keywarden/keywarden/internal/policy"
)

// A vkind is the kind of an evaluated value.
type vkind uint8

const (
	vNull vkind = iota
	vBool
	vNumber
	vString
	vList
	vMap
	// vUnknown is a value the template does not determine: an SSM
	// parameter, Availability Zones, another stack's export. why says
	// which.
	vUnknown
	// vNoValue is AWS::NoValue: the property or element is removed.
	vNoValue
)

// A value is a template value with its intrinsic functions evaluated.
// Strings may hold placeholders ({{cfn:AppRole}}) for names and IDs
// CloudFormation will generate; those are known strings, not unknowns.
type value struct {
	kind vkind
	str  string
	list []*value
	keys []string
	vals []*value
	why  string
	at   *node
	path string
}

func (v *value) get(key string) *value {
	if v == nil || v.kind != vMap {
		return nil
	}
	for i, k := range v.keys {
		if k == key {
			return v.vals[i]
		}
	}
	return nil
}

// firstUnknown returns the first unknown value inside v, or nil.
func (v *value) firstUnknown() *value {
	if v == nil {
		return nil
	}
	switch v.kind {
	case vUnknown:
		return v
	case vList:
		for _, e := range v.list {
			if u := e.firstUnknown(); u != nil {
				return u
			}
		}
	case vMap:
		for _, e := range v.vals {
			if u := e.firstUnknown(); u != nil {
				return u
			}
		}
	}
	return nil
}

// text returns a scalar as CloudFormation turns it into a string.
func (v *value) text() (string, bool) {
	switch v.kind {
	case vString, vNumber, vBool:
		return v.str, true
	}
	return "", false
}

// writeJSON writes v as JSON, members in their template order. It must be
// fully known.
func (v *value) writeJSON(b *bytes.Buffer) {
	switch v.kind {
	case vNull:
		b.WriteString("null")
	case vBool, vNumber:
		b.WriteString(v.str)
	case vString:
		s, _ := json.Marshal(v.str)
		b.Write(s)
	case vList:
		b.WriteByte('[')
		for i, e := range v.list {
			if i > 0 {
				b.WriteByte(',')
			}
			e.writeJSON(b)
		}
		b.WriteByte(']')
	case vMap:
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			s, _ := json.Marshal(k)
			b.Write(s)
			b.WriteByte(':')
			v.vals[i].writeJSON(b)
		}
		b.WriteByte('}')
	}
}

func (v *value) describe() string {
	switch v.kind {
	case vString:
		return strconv.Quote(v.str)
	case vNumber, vBool:
		return v.str
	case vList:
		return "a list"
	case vMap:
		return "an object"
	case vUnknown:
		return "a value not known before deployment"
	case vNoValue:
		return "AWS::NoValue"
	}
	return "null"
}

// maxSteps bounds the evaluation of one template: templates are small, and
// a hostile one (functions multiplying long strings) must stop.
const maxSteps = 5_000_000

// stack evaluates one template: its parameters, mappings, conditions and
// resources.
type stack struct {
	r    *reader
	file string
	name string // the placeholder qualifier when logical IDs repeat across templates
	root *node

	params     *node
	mappings   *node
	conditions *node
	resources  *node
	outputs    *node

	paramVals map[string]*value
	condVals  map[string]tri
	idents    map[string]*identity
	busy      map[string]bool // conditions, parameters, identities being evaluated
	trail     []string        // the chain of busy items, for cycle errors
	steps     int
	errs      policy.Errors
}

// tri is a condition's value.
type tri uint8

const (
	triFalse tri = iota
	triTrue
	triUnknown
)

func (s *stack) errorf(n *node, path, format string, args ...any) {
	line, col := 0, 0
	if n != nil {
		line, col = n.line, n.col
	}
	for _, e := range s.errs {
		if e.Line == line && e.Col == col && e.Path == path {
			return // one error per place
		}
	}
	s.errs = append(s.errs, &policy.Error{Source: s.file, Path: path, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
}

// bad records an error and returns an unknown value so that evaluation
// goes on and finds the other errors.
func (s *stack) bad(n *node, path, format string, args ...any) *value {
	s.errorf(n, path, format, args...)
	return &value{kind: vUnknown, why: "an error", at: n, path: path}
}

func unknown(n *node, path, why string) *value {
	return &value{kind: vUnknown, why: why, at: n, path: path}
}

func str(n *node, path, s string) *value { return &value{kind: vString, str: s, at: n, path: path} }

// enter marks item as being evaluated; it reports a cycle (and returns
// false) when it already is.
func (s *stack) enter(item string, n *node, path string) bool {
	if s.busy[item] {
		i := 0
		for i < len(s.trail) && s.trail[i] != item {
			i++
		}
		s.errorf(n, path, "cycle: %s → %s", strings.Join(s.trail[i:], " → "), item)
		return false
	}
	s.busy[item] = true
	s.trail = append(s.trail, item)
	return true
}

func (s *stack) leave(item string) {
	delete(s.busy, item)
	s.trail = s.trail[:len(s.trail)-1]
}

// eval evaluates a node: scalars as they are, lists and objects element by
// element (AWS::NoValue removes an element or member), and an object with
// one key naming an intrinsic function by calling it.
func (s *stack) eval(n *node, path string) *value {
	s.steps++
	if s.steps == maxSteps {
		return s.bad(n, path, "template takes more than %d steps to evaluate", maxSteps)
	}
	if s.steps > maxSteps {
		return unknown(n, path, "an error")
	}
	switch n.kind {
	case kNull:
		return &value{kind: vNull, at: n, path: path}
	case kBool:
		return &value{kind: vBool, str: n.str, at: n, path: path}
	case kNumber:
		return &value{kind: vNumber, str: n.str, at: n, path: path}
	case kString:
		return str(n, path, n.str)
	case kList:
		v := &value{kind: vList, list: []*value{}, at: n, path: path}
		for i, e := range n.list {
			ev := s.eval(e, path+"["+strconv.Itoa(i)+"]")
			if ev.kind != vNoValue {
				v.list = append(v.list, ev)
			}
		}
		return v
	}
	if fn, ok := isFunction(n); ok {
		return s.call(fn, n.vals[0], n, join(path, fn))
	}
	v := &value{kind: vMap, at: n, path: path}
	for i, k := range n.keys {
		if isFunctionName(k) {
			return s.bad(n, join(path, k), "%s must be the only key of its object", k)
		}
		ev := s.eval(n.vals[i], join(path, k))
		if ev.kind != vNoValue {
			v.keys = append(v.keys, k)
			v.vals = append(v.vals, ev)
		}
	}
	return v
}

func isFunctionName(k string) bool { return k == "Ref" || strings.HasPrefix(k, "Fn::") }

func isFunction(n *node) (string, bool) {
	if n.kind == kMap && len(n.keys) == 1 && isFunctionName(n.keys[0]) {
		return n.keys[0], true
	}
	return "", false
}

// call evaluates one intrinsic function; arg is its argument, at its node.
//
// [Intrinsic function reference]: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
func (s *stack) call(fn string, arg, at *node, path string) *value {
	switch fn {
	case "Ref":
		if arg.kind != kString {
			return s.bad(arg, path, "Ref takes a name, not %s", arg.kind)
		}
		return s.ref(arg.str, arg, path)
	case "Fn::GetAtt":
		return s.getAttFn(arg, path)
	case "Fn::Sub":
		return s.sub(arg, path)
	case "Fn::Join":
		return s.joinFn(arg, path)
	case "Fn::Select":
		return s.selectFn(arg, path)
	case "Fn::Split":
		return s.splitFn(arg, path)
	case "Fn::FindInMap":
		return s.findInMap(arg, path)
	case "Fn::If":
		return s.ifFn(arg, path)
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not":
		switch s.condition(at, path) {
		case triTrue:
			return &value{kind: vBool, str: "true", at: at, path: path}
		case triFalse:
			return &value{kind: vBool, str: "false", at: at, path: path}
		}
		return unknown(at, path, "a condition not known before deployment")
	case "Fn::ImportValue":
		v := s.eval(arg, path)
		if v.kind == vUnknown {
			return v
		}
		name, ok := v.text()
		if !ok {
			return s.bad(arg, path, "Fn::ImportValue takes an export name, not %s", v.describe())
		}
		return s.r.importValue(s, name, arg, path)
	case "Fn::Base64":
		v := s.eval(arg, path)
		if v.kind == vUnknown {
			return v
		}
		t, ok := v.text()
		if !ok {
			return s.bad(arg, path, "Fn::Base64 takes a string, not %s", v.describe())
		}
		return str(at, path, base64.StdEncoding.EncodeToString([]byte(t)))
	case "Fn::GetAZs":
		return unknown(at, path, "Fn::GetAZs: the Availability Zones are known only in the account")
	case "Fn::Cidr":
		return unknown(at, path, "Fn::Cidr is not evaluated")
	case "Fn::Transform":
		return unknown(at, path, "Fn::Transform runs a macro at deployment")
	case "Fn::Length":
		v := s.eval(arg, path)
		if v.kind == vUnknown {
			return v
		}
		if v.kind != vList {
			return s.bad(arg, path, "Fn::Length takes a list, not %s", v.describe())
		}
		return &value{kind: vNumber, str: strconv.Itoa(len(v.list)), at: at, path: path}
	case "Fn::ToJsonString":
		v := s.eval(arg, path)
		if u := v.firstUnknown(); u != nil {
			return u
		}
		var b bytes.Buffer
		v.writeJSON(&b)
		return str(at, path, b.String())
	}
	return s.bad(at, path, "unknown intrinsic function %s", fn)
}

// args evaluates a function's list argument, which must have n elements
// (or at least min when n < 0).
func (s *stack) args(fn string, arg *node, path string, n int) ([]*node, bool) {
	if arg.kind != kList || n >= 0 && len(arg.list) != n || n < 0 && len(arg.list) < -n {
		want := fmt.Sprintf("%d", n)
		if n < 0 {
			want = fmt.Sprintf("at least %d", -n)
		}
		got := arg.kind.String()
		if arg.kind == kList {
			got = fmt.Sprintf("%d", len(arg.list))
		}
		s.errorf(arg, path, "%s takes a list of %s arguments, not %s", fn, want, got)
		return nil, false
	}
	return arg.list, true
}

// ref evaluates Ref: a pseudo parameter, a parameter or a resource.
//
// [Pseudo parameters]: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html
func (s *stack) ref(name string, at *node, path string) *value {
	switch name {
	case "AWS::NoValue":
		return &value{kind: vNoValue, at: at, path: path}
	case "AWS::AccountId":
		return str(at, path, s.r.opts.Account)
	case "AWS::Region":
		return str(at, path, s.r.opts.Region)
	case "AWS::Partition":
		return str(at, path, s.r.partition)
	case "AWS::URLSuffix":
		return str(at, path, s.r.urlSuffix)
	case "AWS::StackName":
		if v, ok := s.r.opts.Parameters["AWS::StackName"]; ok {
			return str(at, path, v)
		}
		return unknown(at, path, "AWS::StackName (give --parameter AWS::StackName=NAME)")
	case "AWS::StackId", "AWS::NotificationARNs":
		return unknown(at, path, name+" is known only once the stack exists")
	}
	if s.params.get(name) != nil {
		return s.param(name, at, path)
	}
	if s.resources.get(name) != nil {
		return s.resourceRef(name, at, path)
	}
	return s.bad(at, path, "Ref to %s, which is neither a parameter nor a resource of the template", name)
}

// param returns a parameter's value: the one given, else its Default.
// List parameters (List<...>, CommaDelimitedList) are lists.
//
// [Parameters]: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
func (s *stack) param(name string, at *node, path string) *value {
	if v, ok := s.paramVals[name]; ok {
		return relocate(v, at, path)
	}
	decl := s.params.get(name)
	declPath := "Parameters." + name
	typ := ""
	if t := decl.get("Type"); t != nil && t.kind == kString {
		typ = t.str
	}
	var v *value
	given, ok := s.r.opts.Parameters[name]
	switch {
	case ok:
		v = str(decl, declPath, given)
		s.r.used[name] = true
	case strings.HasPrefix(typ, "AWS::SSM::Parameter::"):
		v = unknown(decl, declPath, "parameter "+name+" is read from SSM at deployment (give --parameter "+name+"=VALUE)")
	case decl.get("Default") != nil:
		dn := decl.get("Default")
		if _, fn := isFunction(dn); fn {
			v = s.bad(dn, declPath+".Default", "a parameter's Default must be a value, not a function")
			break
		}
		d := s.eval(dn, declPath+".Default")
		if d.kind == vList {
			// A list given as a default keeps its elements.
			v = d
			break
		}
		t, ok := d.text()
		if !ok {
			v = s.bad(decl.get("Default"), declPath+".Default", "a default must be a string or number, not %s", d.describe())
			break
		}
		v = str(decl.get("Default"), declPath+".Default", t)
	default:
		p := decl.keyPos("Type")
		s.errs = append(s.errs, &policy.Error{Source: s.file, Path: declPath, Line: p.line, Col: p.col,
			Msg: fmt.Sprintf("parameter %s has no value and no Default: give --parameter %s=VALUE", name, name)})
		v = unknown(decl, declPath, "an error")
	}
	if v.kind == vString {
		if allowed := decl.get("AllowedValues"); allowed != nil && allowed.kind == kList {
			found := false
			for _, a := range allowed.list {
				found = found || a.str == v.str
			}
			if !found {
				s.errorf(decl, declPath, "value %q of parameter %s is not one of its AllowedValues", v.str, name)
			}
		}
		if strings.HasPrefix(typ, "List<") || typ == "CommaDelimitedList" {
			l := &value{kind: vList, list: []*value{}, at: v.at, path: v.path}
			if v.str != "" {
				for _, e := range strings.Split(v.str, ",") {
					l.list = append(l.list, str(v.at, v.path, strings.TrimSpace(e)))
				}
			}
			v = l
		}
	}
	s.paramVals[name] = v
	return relocate(v, at, path)
}

// relocate returns v as found at another place: errors about it then point
// at the reference.
func relocate(v *value, at *node, path string) *value {
	c := *v
	if at != nil {
		c.at, c.path = at, path
	}
	return &c
}

func (s *stack) getAttFn(arg *node, path string) *value {
	var id, attr *value
	switch arg.kind {
	case kString:
		i, a, ok := strings.Cut(arg.str, ".")
		if !ok {
			return s.bad(arg, path, "Fn::GetAtt %q: want [LogicalID, Attribute]", arg.str)
		}
		id, attr = str(arg, path, i), str(arg, path, a)
	default:
		l, ok := s.args("Fn::GetAtt", arg, path, 2)
		if !ok {
			return unknown(arg, path, "an error")
		}
		id, attr = s.eval(l[0], path+"[0]"), s.eval(l[1], path+"[1]")
	}
	if id.kind != vString {
		return s.bad(arg, path, "Fn::GetAtt: the logical ID must be a string, not %s", id.describe())
	}
	if attr.kind == vUnknown {
		return attr
	}
	a, ok := attr.text()
	if !ok {
		return s.bad(arg, path, "Fn::GetAtt: the attribute must be a string, not %s", attr.describe())
	}
	return s.getAtt(id.str, a, arg, path)
}

// sub evaluates Fn::Sub: ${Name} is a Ref, ${Res.Attr} a GetAtt, ${!x}
// the literal ${x}.
func (s *stack) sub(arg *node, path string) *value {
	tmpl := arg
	vars := map[string]*value{}
	if arg.kind == kList {
		l, ok := s.args("Fn::Sub", arg, path, 2)
		if !ok {
			return unknown(arg, path, "an error")
		}
		tmpl = l[0]
		m := l[1]
		if m.kind != kMap {
			return s.bad(m, path+"[1]", "Fn::Sub: the variables must be an object, not %s", m.kind)
		}
		for i, k := range m.keys {
			vars[k] = s.eval(m.vals[i], path+"[1]."+k)
		}
	}
	if tmpl.kind != kString {
		return s.bad(tmpl, path, "Fn::Sub takes a string, not %s", tmpl.kind)
	}
	var b strings.Builder
	t := tmpl.str
	for {
		i := strings.Index(t, "${")
		if i < 0 {
			b.WriteString(t)
			break
		}
		b.WriteString(t[:i])
		t = t[i+2:]
		end := strings.IndexByte(t, '}')
		if end < 0 {
			return s.bad(tmpl, path, "Fn::Sub: ${ without }")
		}
		name := t[:end]
		t = t[end+1:]
		if lit, ok := strings.CutPrefix(name, "!"); ok {
			b.WriteString("${" + lit + "}")
			continue
		}
		name = strings.TrimSpace(name)
		var v *value
		switch res, attr, dotted := strings.Cut(name, "."); {
		case vars[name] != nil:
			v = vars[name]
		case dotted && !strings.HasPrefix(name, "AWS::"):
			v = s.getAtt(res, attr, tmpl, path)
		default:
			v = s.ref(name, tmpl, path)
		}
		if v.kind == vUnknown {
			return v
		}
		text, ok := v.text()
		if !ok {
			return s.bad(tmpl, path, "Fn::Sub: ${%s} is %s, not a string", name, v.describe())
		}
		b.WriteString(text)
	}
	return str(tmpl, path, b.String())
}

// list evaluates a function argument that must be a list of strings.
func (s *stack) strings(fn string, n *node, path string) ([]string, *value) {
	v := s.eval(n, path)
	if v.kind == vUnknown {
		return nil, v
	}
	if v.kind != vList {
		return nil, s.bad(n, path, "%s: want a list, not %s", fn, v.describe())
	}
	out := make([]string, len(v.list))
	for i, e := range v.list {
		if e.kind == vUnknown {
			return nil, e
		}
		t, ok := e.text()
		if !ok {
			return nil, s.bad(n, path, "%s: element %d is %s, not a string", fn, i, e.describe())
		}
		out[i] = t
	}
	return out, nil
}

func (s *stack) joinFn(arg *node, path string) *value {
	l, ok := s.args("Fn::Join", arg, path, 2)
	if !ok {
		return unknown(arg, path, "an error")
	}
	d := s.eval(l[0], path+"[0]")
	delim, ok := d.text()
	if !ok {
		return s.bad(l[0], path+"[0]", "Fn::Join: the delimiter must be a string, not %s", d.describe())
	}
	parts, bad := s.strings("Fn::Join", l[1], path+"[1]")
	if bad != nil {
		return bad
	}
	return str(arg, path, strings.Join(parts, delim))
}

func (s *stack) selectFn(arg *node, path string) *value {
	l, ok := s.args("Fn::Select", arg, path, 2)
	if !ok {
		return unknown(arg, path, "an error")
	}
	iv := s.eval(l[0], path+"[0]")
	if iv.kind == vUnknown {
		return iv
	}
	t, _ := iv.text()
	i, err := strconv.Atoi(t)
	if err != nil || i < 0 {
		return s.bad(l[0], path+"[0]", "Fn::Select: the index must be a non-negative integer, not %s", iv.describe())
	}
	lv := s.eval(l[1], path+"[1]")
	if lv.kind == vUnknown {
		return lv
	}
	if lv.kind != vList {
		return s.bad(l[1], path+"[1]", "Fn::Select: want a list, not %s", lv.describe())
	}
	if i >= len(lv.list) {
		return s.bad(l[0], path+"[0]", "Fn::Select: index %d is out of a list of %d", i, len(lv.list))
	}
	return lv.list[i]
}

func (s *stack) splitFn(arg *node, path string) *value {
	l, ok := s.args("Fn::Split", arg, path, 2)
	if !ok {
		return unknown(arg, path, "an error")
	}
	d := s.eval(l[0], path+"[0]")
	delim, ok := d.text()
	if !ok || delim == "" {
		return s.bad(l[0], path+"[0]", "Fn::Split: the delimiter must be a non-empty string, not %s", d.describe())
	}
	sv := s.eval(l[1], path+"[1]")
	if sv.kind == vUnknown {
		return sv
	}
	t, ok := sv.text()
	if !ok {
		return s.bad(l[1], path+"[1]", "Fn::Split: want a string, not %s", sv.describe())
	}
	out := &value{kind: vList, at: arg, path: path}
	for _, p := range strings.Split(t, delim) {
		out.list = append(out.list, str(arg, path, p))
	}
	return out
}

func (s *stack) findInMap(arg *node, path string) *value {
	l, ok := s.args("Fn::FindInMap", arg, path, -3)
	if !ok {
		return unknown(arg, path, "an error")
	}
	var keys [3]string
	for i := range 3 {
		v := s.eval(l[i], path+"["+strconv.Itoa(i)+"]")
		if v.kind == vUnknown {
			return v
		}
		t, ok := v.text()
		if !ok {
			return s.bad(l[i], path+"["+strconv.Itoa(i)+"]", "Fn::FindInMap: a key must be a string, not %s", v.describe())
		}
		keys[i] = t
	}
	m := s.mappings.get(keys[0])
	if m == nil {
		return s.bad(arg, path, "Fn::FindInMap: no mapping %q", keys[0])
	}
	top := m.get(keys[1])
	if top == nil {
		if len(l) > 3 {
			// AWS::LanguageExtensions: [map, top, second, {DefaultValue: x}].
			if d := l[3].get("DefaultValue"); d != nil {
				return s.eval(d, path+"[3].DefaultValue")
			}
		}
		return s.bad(arg, path, "Fn::FindInMap: mapping %s has no key %q", keys[0], keys[1])
	}
	v := top.get(keys[2])
	if v == nil {
		if len(l) > 3 {
			if d := l[3].get("DefaultValue"); d != nil {
				return s.eval(d, path+"[3].DefaultValue")
			}
		}
		return s.bad(arg, path, "Fn::FindInMap: mapping %s.%s has no key %q", keys[0], keys[1], keys[2])
	}
	return s.eval(v, "Mappings."+keys[0]+"."+keys[1]+"."+keys[2])
}

func (s *stack) ifFn(arg *node, path string) *value {
	l, ok := s.args("Fn::If", arg, path, 3)
	if !ok {
		return unknown(arg, path, "an error")
	}
	if l[0].kind != kString {
		return s.bad(l[0], path+"[0]", "Fn::If: the first argument must be a condition name, not %s", l[0].kind)
	}
	switch s.namedCondition(l[0].str, l[0], path+"[0]") {
	case triTrue:
		return s.eval(l[1], path+"[1]")
	case triFalse:
		return s.eval(l[2], path+"[2]")
	}
	a, b := s.eval(l[1], path+"[1]"), s.eval(l[2], path+"[2]")
	if sameValue(a, b) {
		return a
	}
	return unknown(arg, path, "condition "+l[0].str+" is not known before deployment")
}

func sameValue(a, b *value) bool {
	if a.firstUnknown() != nil || b.firstUnknown() != nil || a.kind != b.kind {
		return false
	}
	var x, y bytes.Buffer
	a.writeJSON(&x)
	b.writeJSON(&y)
	return bytes.Equal(x.Bytes(), y.Bytes())
}

// namedCondition evaluates a condition of the Conditions section.
//
// [Conditions]: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/conditions-section-structure.html
func (s *stack) namedCondition(name string, at *node, path string) tri {
	if v, ok := s.condVals[name]; ok {
		return v
	}
	c := s.conditions.get(name)
	if c == nil {
		s.errorf(at, path, "no condition %q in the Conditions section", name)
		return triUnknown
	}
	item := "Conditions." + name
	if !s.enter(item, at, path) {
		return triUnknown
	}
	v := s.condition(c, item)
	s.leave(item)
	s.condVals[name] = v
	return v
}

// condition evaluates a condition expression: Fn::Equals, Fn::And,
// Fn::Or, Fn::Not, or {"Condition": name}.
func (s *stack) condition(n *node, path string) tri {
	if n.kind == kMap && len(n.keys) == 1 && n.keys[0] == "Condition" {
		arg := n.vals[0]
		if arg.kind != kString {
			s.errorf(arg, path, "Condition takes a condition name, not %s", arg.kind)
			return triUnknown
		}
		return s.namedCondition(arg.str, arg, join(path, "Condition"))
	}
	fn, ok := isFunction(n)
	if !ok {
		v := s.eval(n, path)
		if v.kind == vBool {
			if v.str == "true" {
				return triTrue
			}
			return triFalse
		}
		if v.kind != vUnknown {
			s.errorf(n, path, "a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition, not %s", v.describe())
		}
		return triUnknown
	}
	arg, p := n.vals[0], join(path, fn)
	switch fn {
	case "Fn::Equals":
		l, ok := s.args(fn, arg, p, 2)
		if !ok {
			return triUnknown
		}
		a, b := s.eval(l[0], p+"[0]"), s.eval(l[1], p+"[1]")
		if a.firstUnknown() != nil || b.firstUnknown() != nil {
			return triUnknown
		}
		// Parameters are strings: "1" equals 1.
		ta, oka := a.text()
		tb, okb := b.text()
		if oka && okb {
			return toTri(ta == tb)
		}
		return toTri(sameValue(a, b))
	case "Fn::Not":
		l, ok := s.args(fn, arg, p, 1)
		if !ok {
			return triUnknown
		}
		switch s.condition(l[0], p+"[0]") {
		case triTrue:
			return triFalse
		case triFalse:
			return triTrue
		}
		return triUnknown
	case "Fn::And", "Fn::Or":
		l, ok := s.args(fn, arg, p, -1)
		if !ok {
			return triUnknown
		}
		// And: false wins over unknown; Or: true wins over unknown.
		decisive, out := triFalse, triTrue
		if fn == "Fn::Or" {
			decisive, out = triTrue, triFalse
		}
		for i, c := range l {
			switch v := s.condition(c, p+"["+strconv.Itoa(i)+"]"); v {
			case decisive:
				return decisive
			case triUnknown:
				out = triUnknown
			}
		}
		return out
	}
	v := s.eval(n, path)
	if v.kind == vBool {
		return toTri(v.str == "true")
	}
	return triUnknown
}

func toTri(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}
