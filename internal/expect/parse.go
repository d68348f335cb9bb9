package expect

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/keywarden/keywarden/internal/arn"
	"github.com/keywarden/keywarden/internal/policy"
	"go.yaml.in/yaml/v3"
)

// Load reads and parses an expectations file.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// The fields of each object of the format, in the order the documentation
// gives them.
var (
	topFields       = []string{"version", "definitions", "expectations"}
	ruleFields      = []string{"id", "description", "keys", "operations", "only", "never", "must", "exactly", "separate", "except", "conditional"}
	keyFields       = []string{"all", "customerManaged", "alias", "arn", "region", "account", "tags"}
	principalFields = []string{"arn", "account", "kind", "iamPrincipals", "outsideOrganization", "outsideAccounts", "organization", "grantee", "service"}
)

var (
	ruleID = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	orgID  = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
)

// Parse reads an expectations file. It reports every problem it finds, as
// policy.Errors naming the file, the line, the column and the YAML path,
// and then returns no file: a file that is partly wrong would check less
// than its author meant.
func Parse(name string, data []byte) (*File, error) {
	p := &parser{name: name}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		p.syntaxError(err)
		return nil, p.errs
	}
	f := p.file(&doc)
	if len(p.errs) > 0 {
		p.errs.Sort()
		return nil, p.errs
	}
	return f, nil
}

type parser struct {
	name string
	errs policy.Errors
}

func (p *parser) errorf(n *yaml.Node, path, format string, args ...any) {
	line, col := 1, 1
	if n != nil && n.Line > 0 {
		line, col = n.Line, n.Column
	}
	p.errs = append(p.errs, &policy.Error{Source: p.name, Line: line, Col: col, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// yamlLine finds the line number in a YAML library error ("yaml: line 3:
// did not find expected key").
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (p *parser) syntaxError(err error) {
	msg := err.Error()
	line := 1
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	p.errs = append(p.errs, &policy.Error{Source: p.name, Line: max(line, 1), Col: 1, Msg: "invalid YAML: " + msg})
}

// resolve follows an alias (*name) to the node it stands for.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 16; i++ {
		n = n.Alias
	}
	return n
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a map"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "null"
		case "!!bool":
			return "a boolean"
		case "!!int", "!!float":
			return "a number"
		case "!!str", "!!timestamp":
			return "a string"
		}
		return "a value tagged " + n.Tag
	}
	return "an alias"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// member is one field of a map, with its key node for messages.
type member struct {
	key, value *yaml.Node
}

// fields checks a map's field names against the known ones and returns
// the fields by name. A misspelt field gets a "did you mean".
func (p *parser) fields(n *yaml.Node, path, what string, known []string) map[string]member {
	out := map[string]member{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		name := k.Value
		fpath := join(path, name)
		switch {
		case k.Kind != yaml.ScalarNode:
			p.errorf(k, path, "a field name must be a string, not %s", describe(k))
		case k.ShortTag() == "!!merge":
			p.errorf(k, path, "merge keys (<<) are not supported; repeat the fields, or reuse a whole value with an anchor (&name) and an alias (*name)")
		case !slices.Contains(known, name):
			msg := fmt.Sprintf("unknown field %q in %s", name, what)
			if near := suggest(name, known); near != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", near)
			} else {
				msg += " (known fields: " + strings.Join(known, ", ") + ")"
			}
			p.errorf(k, fpath, "%s", msg)
		case out[name].value != nil:
			p.errorf(k, fpath, "duplicate field %q", name)
		case v == nil:
			p.errorf(k, fpath, "alias of %q could not be resolved", name)
		default:
			out[name] = member{key: k, value: v}
		}
	}
	return out
}

// str reads a string scalar. Numbers are taken as their text, so that an
// unquoted account ID reads as written.
func (p *parser) str(n *yaml.Node, path, field string) (string, bool) {
	switch {
	case n.Kind != yaml.ScalarNode:
		p.errorf(n, path, "%s must be a string, not %s", field, describe(n))
	case !textTags[n.ShortTag()]:
		p.errorf(n, path, "%s must be a string, not %s", field, describe(n))
	case !utf8.ValidString(n.Value):
		p.errorf(n, path, "%s must be UTF-8 text", field)
	default:
		return n.Value, true
	}
	return "", false
}

// textTags are the scalar tags read as text: an unquoted number or date
// reads as written.
var textTags = map[string]bool{"!!str": true, "!!int": true, "!!float": true, "!!timestamp": true}

// boolean reads a boolean scalar.
func (p *parser) boolean(n *yaml.Node, path, field string) (bool, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		p.errorf(n, path, "%s must be true or false, not %s", field, describe(n))
		return false, false
	}
	var b bool
	if err := n.Decode(&b); err != nil {
		p.errorf(n, path, "%s must be true or false", field)
		return false, false
	}
	return b, true
}

// list returns the elements of a list, or the node itself when a single
// value stands for a list of one (single is then true).
func list(n *yaml.Node) (elems []*yaml.Node, single bool) {
	if n.Kind == yaml.SequenceNode {
		out := make([]*yaml.Node, len(n.Content))
		for i, e := range n.Content {
			out[i] = resolve(e)
		}
		return out, false
	}
	return []*yaml.Node{n}, true
}

func (p *parser) file(doc *yaml.Node) *File {
	f := &File{Name: p.name}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		p.errorf(doc, "", "the file is empty: an expectations file is a map with version and expectations")
		return f
	}
	root := resolve(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		p.errorf(root, "", "an expectations file is a map with version and expectations, not %s", describe(root))
		return f
	}
	// definitions holds anything: it is where YAML anchors (&name) are
	// defined for rules to reuse (*name).
	fs := p.fields(root, "", "the file", topFields)
	switch v := fs["version"].value; {
	case v == nil:
		p.errorf(root, "", "missing field \"version\" (this keywarden reads version %d)", FormatVersion)
	case v.Kind != yaml.ScalarNode || v.ShortTag() != "!!int":
		p.errorf(v, "version", "version must be a number, not %s", describe(v))
	case v.Value != strconv.Itoa(FormatVersion):
		p.errorf(v, "version", "version %s is not supported (this keywarden reads version %d)", v.Value, FormatVersion)
	}
	rules := fs["expectations"].value
	switch {
	case rules == nil:
		p.errorf(root, "", "missing field \"expectations\" (a list of rules)")
		return f
	case rules.Kind != yaml.SequenceNode:
		p.errorf(rules, "expectations", "expectations must be a list, not %s", describe(rules))
		return f
	}
	ids := map[string]int{}
	for i, e := range rules.Content {
		r := p.rule(resolve(e), index("expectations", i))
		if r == nil {
			continue
		}
		if first, dup := ids[r.ID]; dup && r.ID != "" {
			p.errorf(e, r.Path+".id", "duplicate id %q (first used by expectations[%d])", r.ID, first)
		} else {
			ids[r.ID] = i
		}
		f.Rules = append(f.Rules, r)
	}
	return f
}

func (p *parser) rule(n *yaml.Node, path string) *Rule {
	if n == nil || n.Kind != yaml.MappingNode {
		p.errorf(n, path, "a rule is a map (id, keys, operations and one of only, never, must, exactly, separate), not %s", describe(n))
		return nil
	}
	r := &Rule{Line: n.Line, Path: path, Conditional: Counts}
	fs := p.fields(n, path, "a rule", ruleFields)
	if v := fs["id"].value; v == nil {
		p.errorf(n, path, "missing field \"id\" (a name for the rule, such as payments-decrypt-only)")
	} else if id, ok := p.str(v, path+".id", "id"); ok {
		if !ruleID.MatchString(id) {
			p.errorf(v, path+".id", "id %q must be lower-case words and digits joined by '-', such as payments-decrypt-only", id)
		}
		r.ID = id
	}
	if v := fs["description"].value; v != nil {
		r.Description, _ = p.str(v, path+".description", "description")
	}
	if v := fs["keys"].value; v == nil {
		p.errorf(n, path, "missing field \"keys\" (which keys the rule is about: customer-managed, all, or selectors such as {alias: alias/payments-*})")
	} else {
		r.Keys = p.keySelectors(v, path+".keys")
	}
	if v := fs["conditional"].value; v != nil {
		if c, ok := p.str(v, path+".conditional", "conditional"); ok {
			switch Conditional(c) {
			case Counts, Ignored:
				r.Conditional = Conditional(c)
			default:
				msg := fmt.Sprintf("conditional must be %q or %q, not %q", Counts, Ignored, c)
				if near := suggest(c, []string{string(Counts), string(Ignored)}); near != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", near)
				}
				p.errorf(v, path+".conditional", "%s", msg)
			}
		}
	}
	var forms []Form
	for _, form := range Forms {
		if fs[string(form)].value != nil {
			forms = append(forms, form)
		}
	}
	switch len(forms) {
	case 0:
		p.errorf(n, path, "a rule needs one of only, never, must, exactly or separate")
	case 1:
		r.Form = forms[0]
	default:
		names := make([]string, len(forms))
		for i, f := range forms {
			names[i] = string(f)
		}
		p.errorf(fs[string(forms[1])].key, join(path, string(forms[1])), "a rule has one form, not %s: write one rule for each", strings.Join(names, " and "))
	}
	ops := fs["operations"]
	switch {
	case r.Form == Separate && ops.value != nil:
		p.errorf(ops.key, path+".operations", "a separate rule names its two lists of operations in separate, not in operations")
	case r.Form == Separate:
	case ops.value != nil:
		r.Operations = p.operations(ops.value, path+".operations")
	case len(forms) > 0 && !slices.Contains(forms, Separate):
		p.errorf(n, path, "missing field \"operations\" (KMS actions such as kms:Decrypt, or groups: %s)", strings.Join(Groups, ", "))
	}
	// Every form present is read, so that a file with two forms in one
	// rule gets every other error reported too.
	for _, form := range forms {
		v, fpath := fs[string(form)].value, join(path, string(form))
		if form == Separate {
			r.Separate = p.separate(v, fpath)
			continue
		}
		ps := p.principals(v, fpath)
		if (form == Never || form == Must) && v.Kind == yaml.SequenceNode && len(v.Content) == 0 {
			p.errorf(v, fpath, "%s needs at least one principal selector", form)
		}
		if form == r.Form {
			r.Principals = ps
		}
	}
	if ex := fs["except"]; ex.value != nil {
		if r.Allows() {
			p.errorf(ex.key, path+".except", "except does not go with %s: list only the principals that are allowed", r.Form)
		} else {
			r.Except = p.principals(ex.value, path+".except")
		}
	}
	return r
}

func (p *parser) operations(n *yaml.Node, path string) []string {
	elems, single := list(n)
	if len(elems) == 0 {
		p.errorf(n, path, "operations must not be empty")
	}
	var out []string
	for i, e := range elems {
		epath := path
		if !single {
			epath = index(path, i)
		}
		if op, ok := p.operation(e, epath); ok && !slices.Contains(out, op) {
			out = append(out, op)
		}
	}
	return out
}

// operation reads one operation: a group name or a KMS action on a key
// (wildcards allowed), kept as written but for the action's case.
func (p *parser) operation(n *yaml.Node, path string) (string, bool) {
	op, ok := p.str(n, path, "an operation")
	if !ok {
		return "", false
	}
	if isGroup(op) {
		return op, true
	}
	if acts := validAction(op); len(acts) > 0 {
		if len(acts) == 1 && !strings.ContainsAny(op, "*?") {
			return acts[0], true
		}
		return "kms:" + op[strings.IndexByte(op, ':')+1:], true
	}
	msg := fmt.Sprintf("unknown operation %q", op)
	if a := lookupAnyKMS(op); a != "" {
		msg = fmt.Sprintf("%s is not an operation on a key (it has no key resource): rules are about keys", a)
	} else if near := suggest(op, operationNames()); near != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", near)
	} else {
		msg += " (a KMS action such as kms:Decrypt, or a group: " + strings.Join(Groups, ", ") + ")"
	}
	p.errorf(n, path, "%s", msg)
	return "", false
}

func (p *parser) separate(n *yaml.Node, path string) [2][]string {
	var out [2][]string
	if n.Kind != yaml.SequenceNode || len(n.Content) != 2 {
		p.errorf(n, path, "separate is a list of two operations (or two lists of them), such as [administer, use]")
		return out
	}
	for i, e := range n.Content {
		out[i] = p.operations(resolve(e), index(path, i))
	}
	return out
}

func (p *parser) principals(n *yaml.Node, path string) []PrincipalSelector {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		p.errorf(n, path, "expected a list of principal selectors, not null (write [] for nobody)")
		return nil
	}
	elems, single := list(n)
	var out []PrincipalSelector
	for i, e := range elems {
		epath := path
		if !single {
			epath = index(path, i)
		}
		if s, ok := p.principal(e, epath); ok {
			out = append(out, s)
		}
	}
	return out
}

// principal reads a principal selector: a map, or a string standing for
// one field (an ARN, an account ID, a service principal).
func (p *parser) principal(n *yaml.Node, path string) (PrincipalSelector, bool) {
	s := PrincipalSelector{Line: n.Line}
	if n.Kind == yaml.ScalarNode {
		v, ok := p.str(n, path, "a principal selector")
		if !ok {
			return s, false
		}
		switch {
		case strings.HasPrefix(v, "arn:"):
			s.ARN = v
		case arn.IsAccountID(v):
			s.Account = v
		case arn.IsServicePrincipal(v):
			s.Service = v
		default:
			p.errorf(n, path, "a principal selector is a map such as {arn: ...} or {kind: anyone}, or a string holding an ARN, an account ID or a service principal; %q is none of these", v)
			return s, false
		}
		return s, true
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, path, "a principal selector is a map (fields: %s), not %s", strings.Join(principalFields, ", "), describe(n))
		return s, false
	}
	before := len(p.errs)
	fs := p.fields(n, path, "a principal selector", principalFields)
	if len(fs) == 0 && len(p.errs) == before {
		p.errorf(n, path, "an empty principal selector matches nothing (fields: %s)", strings.Join(principalFields, ", "))
	}
	for _, name := range principalFields {
		m := fs[name]
		if m.value == nil {
			continue
		}
		v, fpath := m.value, join(path, name)
		switch name {
		case "arn":
			if a, ok := p.str(v, fpath, name); ok {
				if !strings.HasPrefix(a, "arn:") {
					p.errorf(v, fpath, "arn must be an ARN or a pattern of one (arn:aws:iam::111122223333:role/app-*), not %q", a)
				}
				s.ARN = a
			}
		case "account":
			s.Account = p.accountID(v, fpath)
		case "kind":
			if k, ok := p.str(v, fpath, name); ok {
				if !validKind(k) {
					msg := fmt.Sprintf("unknown kind %q", k)
					if near := suggest(k, Kinds); near != "" {
						msg += fmt.Sprintf(" (did you mean %q?)", near)
					} else {
						msg += " (kinds: " + strings.Join(Kinds, ", ") + ")"
					}
					p.errorf(v, fpath, "%s", msg)
				}
				s.Kind = k
			}
		case "iamPrincipals":
			s.IAMPrincipals = p.flag(v, fpath, name)
		case "outsideOrganization":
			s.OutsideOrganization = p.flag(v, fpath, name)
		case "grantee":
			s.Grantee = p.flag(v, fpath, name)
		case "outsideAccounts":
			elems, single := list(v)
			if len(elems) == 0 {
				p.errorf(v, fpath, "outsideAccounts must list at least one account ID")
			}
			for i, e := range elems {
				epath := fpath
				if !single {
					epath = index(fpath, i)
				}
				if id := p.accountID(e, epath); id != "" {
					s.OutsideAccounts = append(s.OutsideAccounts, id)
				}
			}
		case "organization":
			if o, ok := p.str(v, fpath, name); ok {
				if !orgID.MatchString(o) {
					p.errorf(v, fpath, "organization must be an organization ID (o- and 10 to 32 lower-case letters or digits), not %q", o)
				}
				s.Organization = o
			}
		case "service":
			if sv, ok := p.str(v, fpath, name); ok {
				if sv == "" || strings.HasPrefix(sv, "arn:") {
					p.errorf(v, fpath, "service must be a service principal or a pattern of one (*.amazonaws.com), not %q", sv)
				}
				s.Service = sv
			}
		}
	}
	return s, len(p.errs) == before
}

// flag reads a boolean selector field, which only makes sense as true.
func (p *parser) flag(n *yaml.Node, path, field string) bool {
	b, ok := p.boolean(n, path, field)
	if ok && !b {
		p.errorf(n, path, "%s: false selects nothing; leave the field out", field)
	}
	return b
}

func (p *parser) accountID(n *yaml.Node, path string) string {
	v, ok := p.str(n, path, "an account")
	if !ok {
		return ""
	}
	if !arn.IsAccountID(v) {
		p.errorf(n, path, "%q is not a 12-digit account ID (quote IDs that start with 0)", v)
		return ""
	}
	return v
}

func (p *parser) keySelectors(n *yaml.Node, path string) []KeySelector {
	elems, single := list(n)
	if len(elems) == 0 {
		p.errorf(n, path, "keys must not be empty")
	}
	var out []KeySelector
	for i, e := range elems {
		epath := path
		if !single {
			epath = index(path, i)
		}
		if s, ok := p.keySelector(e, epath); ok {
			out = append(out, s)
		}
	}
	return out
}

// keyShorthands are the strings that stand for a key selector.
var keyShorthands = []string{"all", "customer-managed", "aws-managed"}

func (p *parser) keySelector(n *yaml.Node, path string) (KeySelector, bool) {
	var s KeySelector
	if n.Kind == yaml.ScalarNode {
		v, ok := p.str(n, path, "a key selector")
		if !ok {
			return s, false
		}
		switch {
		case v == "all":
			s.All = true
		case v == "customer-managed":
			t := true
			s.CustomerManaged = &t
		case v == "aws-managed":
			f := false
			s.CustomerManaged = &f
		case strings.HasPrefix(v, "alias/"):
			s.Alias = v
		case strings.HasPrefix(v, "arn:"):
			s.ARN = v
		default:
			msg := fmt.Sprintf("a key selector is a map such as {alias: alias/payments-*}, an alias name, a key ARN, or one of %s; %q is none of these", strings.Join(keyShorthands, ", "), v)
			if near := suggest(v, keyShorthands); near != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", near)
			}
			p.errorf(n, path, "%s", msg)
			return s, false
		}
		return s, true
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, path, "a key selector is a map (fields: %s), not %s", strings.Join(keyFields, ", "), describe(n))
		return s, false
	}
	before := len(p.errs)
	fs := p.fields(n, path, "a key selector", keyFields)
	if len(fs) == 0 && len(p.errs) == before {
		p.errorf(n, path, "an empty key selector matches nothing (fields: %s)", strings.Join(keyFields, ", "))
	}
	for _, name := range keyFields {
		m := fs[name]
		if m.value == nil {
			continue
		}
		v, fpath := m.value, join(path, name)
		switch name {
		case "all":
			s.All = p.flag(v, fpath, name)
			if len(fs) > 1 {
				p.errorf(m.key, fpath, "all selects every key: it goes alone")
			}
		case "customerManaged":
			if b, ok := p.boolean(v, fpath, name); ok {
				s.CustomerManaged = &b
			}
		case "alias":
			if a, ok := p.str(v, fpath, name); ok {
				if a == "" {
					p.errorf(v, fpath, "alias must not be empty")
				}
				if !strings.HasPrefix(a, "alias/") {
					a = "alias/" + a
				}
				s.Alias = a
			}
		case "arn":
			if a, ok := p.str(v, fpath, name); ok {
				if !strings.HasPrefix(a, "arn:") {
					p.errorf(v, fpath, "arn must be a key ARN or a pattern of one, not %q", a)
				}
				s.ARN = a
			}
		case "region":
			s.Region, _ = p.nonEmpty(v, fpath, name)
		case "account":
			s.Account = p.accountID(v, fpath)
		case "tags":
			if v.Kind != yaml.MappingNode || len(v.Content) == 0 {
				p.errorf(v, fpath, "tags must be a map of tag keys to values (globs), such as {team: payments}")
				continue
			}
			seen := map[string]bool{}
			for i := 0; i+1 < len(v.Content); i += 2 {
				k, val := v.Content[i], resolve(v.Content[i+1])
				key, ok := p.str(k, fpath, "a tag key")
				if !ok {
					continue
				}
				if seen[key] {
					p.errorf(k, join(fpath, key), "duplicate tag %q", key)
					continue
				}
				seen[key] = true
				if val == nil {
					continue
				}
				if tv, ok := p.str(val, join(fpath, key), "a tag value"); ok {
					s.Tags = append(s.Tags, Tag{Key: key, Value: tv})
				}
			}
		}
	}
	return s, len(p.errs) == before
}

func (p *parser) nonEmpty(n *yaml.Node, path, field string) (string, bool) {
	v, ok := p.str(n, path, field)
	if ok && v == "" {
		p.errorf(n, path, "%s must not be empty", field)
		return "", false
	}
	return v, ok
}

// lookupAnyKMS returns the name of a KMS action (with any resource), or
// "".
func lookupAnyKMS(op string) string {
	for _, a := range kmsAllActions() {
		if strings.EqualFold(a, op) {
			return a
		}
	}
	return ""
}
