package cloudformation

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/posjson"
	"go.yaml.in/yaml/v3"
)

// Limits on hostile input. CloudFormation itself accepts templates of up
// to 1 MB (from S3) and keywarden reads up to eight times that; nesting
// and alias expansion are bounded so that no template can exhaust memory
// or the stack.
const (
	// MaxTemplateSize is the largest template file read, in bytes.
	MaxTemplateSize = 8 << 20
	// maxDepth bounds the nesting of a template's values.
	maxDepth = 128
	// maxNodes bounds the nodes of a template, YAML aliases expanded.
	maxNodes = 500_000
)

// A kind is the kind of a template node.
type kind uint8

const (
	kNull kind = iota
	kBool
	kNumber
	kString
	kList
	kMap
)

func (k kind) String() string {
	return [...]string{"null", "a boolean", "a number", "a string", "a list", "an object"}[k]
}

// A node is one value of a template, JSON or YAML, with its position. A
// YAML short-form tag (!Ref X) is read as the long form ({"Ref": X}).
type node struct {
	kind kind
	str  string // the scalar's text: "true", "42", "abc"
	list []*node
	keys []string
	vals []*node
	// keyAt are the positions of the keys.
	keyAt     []pos
	line, col int
}

type pos struct{ line, col int }

// get returns the value of key in a map node, or nil.
func (n *node) get(key string) *node {
	if n == nil || n.kind != kMap {
		return nil
	}
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

// keyPos returns the position of key in a map node, or the node's own.
func (n *node) keyPos(key string) pos {
	for i, k := range n.keys {
		if k == key {
			return n.keyAt[i]
		}
	}
	return pos{n.line, n.col}
}

// parseTemplate reads a template, JSON or YAML: a text whose first
// non-space character is "{" is JSON, anything else YAML (JSON being YAML,
// this only picks the parser with the better messages).
func parseTemplate(file string, data []byte) (*node, error) {
	if len(data) > MaxTemplateSize {
		return nil, policy.Errors{{Source: file, Msg: fmt.Sprintf("template is larger than %d MiB", MaxTemplateSize>>20)}}
	}
	if !utf8.Valid(data) {
		return nil, policy.Errors{{Source: file, Msg: "template is not UTF-8 text"}}
	}
	var (
		n   *node
		err error
	)
	if t := bytes.TrimLeft(data, " \t\r\n\ufeff"); len(t) > 0 && t[0] == '{' {
		n, err = parseJSON(file, data)
	} else {
		n, err = parseYAML(file, data)
	}
	if err != nil {
		return nil, err
	}
	if n.kind != kMap {
		return nil, policy.Errors{{Source: file, Line: n.line, Col: n.col, Msg: "a template must be an object, not " + n.kind.String()}}
	}
	return n, nil
}

// lineIndex maps byte offsets to lines and columns in O(log n).
type lineIndex struct {
	data   []byte
	starts []int
}

func newLineIndex(data []byte) *lineIndex {
	li := &lineIndex{data: data, starts: []int{0}}
	for i, c := range data {
		if c == '\n' {
			li.starts = append(li.starts, i+1)
		}
	}
	return li
}

func (li *lineIndex) pos(offset int) pos {
	i := sort.Search(len(li.starts), func(i int) bool { return li.starts[i] > offset }) - 1
	return pos{i + 1, utf8.RuneCount(li.data[li.starts[i]:offset]) + 1}
}

func parseJSON(file string, data []byte) (*node, error) {
	li := newLineIndex(data)
	v, err := posjson.Parse(data)
	if err != nil {
		var se *posjson.SyntaxError
		if errors.As(err, &se) {
			p := li.pos(se.Offset)
			return nil, policy.Errors{{Source: file, Line: p.line, Col: p.col, Msg: "invalid JSON: " + se.Msg}}
		}
		return nil, policy.Errors{{Source: file, Msg: "invalid JSON: " + err.Error()}}
	}
	c := &converter{file: file}
	n := c.fromJSON(li, v, 0)
	if len(c.errs) > 0 {
		return nil, c.errs
	}
	return n, nil
}

// converter turns parsed JSON or YAML into nodes, counting them.
type converter struct {
	file  string
	nodes int
	errs  policy.Errors
	// segs is the path of the node being converted, joined only for an
	// error: building it for every node would cost more than the rest.
	segs []string
}

func (c *converter) push(seg string) { c.segs = append(c.segs, seg) }
func (c *converter) pop()            { c.segs = c.segs[:len(c.segs)-1] }

func (c *converter) path() string {
	var b strings.Builder
	for _, s := range c.segs {
		if b.Len() > 0 && !strings.HasPrefix(s, "[") {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

func (c *converter) errorf(p pos, format string, args ...any) {
	if len(c.errs) < 100 {
		c.errs = append(c.errs, &policy.Error{Source: c.file, Path: c.path(), Line: p.line, Col: p.col, Msg: fmt.Sprintf(format, args...)})
	}
}

func (c *converter) fromJSON(li *lineIndex, v *posjson.Value, depth int) *node {
	p := li.pos(v.Offset)
	n := &node{line: p.line, col: p.col}
	if c.count(p, depth) {
		return n
	}
	switch v.Kind {
	case posjson.Null:
	case posjson.Bool:
		n.kind, n.str = kBool, v.Str
	case posjson.Number:
		n.kind, n.str = kNumber, v.Str
	case posjson.String:
		n.kind, n.str = kString, v.Str
	case posjson.Array:
		n.kind = kList
		for i, e := range v.Elems {
			c.push("[" + strconv.Itoa(i) + "]")
			n.list = append(n.list, c.fromJSON(li, e, depth+1))
			c.pop()
		}
	case posjson.Object:
		n.kind = kMap
		for _, m := range v.Members {
			kp := li.pos(m.KeyOffset)
			c.push(m.Key)
			if n.get(m.Key) != nil {
				c.errorf(kp, "duplicate key %q", m.Key)
				c.pop()
				continue
			}
			n.keys = append(n.keys, m.Key)
			n.keyAt = append(n.keyAt, kp)
			n.vals = append(n.vals, c.fromJSON(li, m.Value, depth+1))
			c.pop()
		}
	}
	return n
}

// count counts a node and reports whether a limit is exceeded.
func (c *converter) count(p pos, depth int) bool {
	c.nodes++
	switch {
	case depth > maxDepth:
		c.errorf(p, "nested more than %d levels deep", maxDepth)
		return true
	case c.nodes == maxNodes+1:
		c.errorf(p, "template has more than %d values (YAML aliases expanded)", maxNodes)
		return true
	case c.nodes > maxNodes:
		return true
	}
	return false
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func parseYAML(file string, data []byte) (*node, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		msg := err.Error()
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			return nil, policy.Errors{{Source: file, Line: line, Col: 1, Msg: "invalid YAML: " + m[2]}}
		}
		return nil, policy.Errors{{Source: file, Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, policy.Errors{{Source: file, Line: extra.Line, Col: extra.Column, Msg: "a template is one YAML document; another starts here"}}
	}
	c := &converter{file: file}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	n := c.fromYAML(root, 0)
	if len(c.errs) > 0 {
		return nil, c.errs
	}
	return n, nil
}

// shortForms maps the YAML short-form tags of the intrinsic functions to
// their long forms.
//
// [Intrinsic function reference]: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
var shortForms = map[string]string{
	"!Ref":          "Ref",
	"!Condition":    "Condition",
	"!Base64":       "Fn::Base64",
	"!Cidr":         "Fn::Cidr",
	"!FindInMap":    "Fn::FindInMap",
	"!GetAtt":       "Fn::GetAtt",
	"!GetAZs":       "Fn::GetAZs",
	"!ImportValue":  "Fn::ImportValue",
	"!Join":         "Fn::Join",
	"!Select":       "Fn::Select",
	"!Split":        "Fn::Split",
	"!Sub":          "Fn::Sub",
	"!Transform":    "Fn::Transform",
	"!And":          "Fn::And",
	"!Equals":       "Fn::Equals",
	"!If":           "Fn::If",
	"!Not":          "Fn::Not",
	"!Or":           "Fn::Or",
	"!Length":       "Fn::Length",
	"!ToJsonString": "Fn::ToJsonString",
}

func (c *converter) fromYAML(y *yaml.Node, depth int) *node {
	p := pos{y.Line, y.Column}
	n := &node{line: p.line, col: p.col}
	if c.count(p, depth) {
		return n
	}
	if y.Kind == yaml.AliasNode {
		if y.Alias == nil {
			c.errorf(p, "YAML alias *%s names no anchor", y.Value)
			return n
		}
		// Aliases are expanded where they are used (the count above
		// bounds the result); the position is the alias's.
		a := c.fromYAML(y.Alias, depth+1)
		a.line, a.col = p.line, p.col
		return a
	}
	tag := y.Tag
	if strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!") && tag != "!" {
		fn, ok := shortForms[tag]
		if !ok {
			c.errorf(p, "unknown YAML tag %s: CloudFormation's short forms are %s", tag, shortFormList())
			return n
		}
		arg := *y
		arg.Tag = ""
		if y.Kind == yaml.ScalarNode {
			arg.Tag = "!!str"
			if y.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 {
				// !Select [0, x] and !Equals carry lists; a scalar
				// argument keeps its YAML type (!Not true is odd but
				// harmless).
				arg.Tag = ""
			}
		}
		c.push(fn)
		inner := c.fromYAML(&arg, depth+1)
		c.pop()
		if fn == "Fn::GetAtt" && inner.kind == kString {
			// !GetAtt Res.Attr: the logical ID ends at the first dot.
			id, attr, ok := strings.Cut(inner.str, ".")
			if !ok {
				c.errorf(p, "!GetAtt %s: want LogicalID.Attribute", inner.str)
			}
			inner = &node{kind: kList, line: p.line, col: p.col, list: []*node{
				{kind: kString, str: id, line: p.line, col: p.col},
				{kind: kString, str: attr, line: p.line, col: p.col},
			}}
		}
		n.kind = kMap
		n.keys, n.keyAt, n.vals = []string{fn}, []pos{p}, []*node{inner}
		return n
	}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return n
		}
		return c.fromYAML(y.Content[0], depth)
	case yaml.MappingNode:
		n.kind = kMap
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			kp := pos{k.Line, k.Column}
			if k.Kind != yaml.ScalarNode {
				c.errorf(kp, "a key must be a string, not a YAML %s", yamlKind(k.Kind))
				continue
			}
			if k.Value == "<<" && k.ShortTag() == "!!merge" {
				c.errorf(kp, "YAML merge keys (<<) are not supported in templates")
				continue
			}
			c.push(k.Value)
			if n.get(k.Value) != nil {
				c.errorf(kp, "duplicate key %q", k.Value)
				c.pop()
				continue
			}
			n.keys = append(n.keys, k.Value)
			n.keyAt = append(n.keyAt, kp)
			n.vals = append(n.vals, c.fromYAML(v, depth+1))
			c.pop()
		}
	case yaml.SequenceNode:
		n.kind = kList
		for i, e := range y.Content {
			c.push("[" + strconv.Itoa(i) + "]")
			n.list = append(n.list, c.fromYAML(e, depth+1))
			c.pop()
		}
	case yaml.ScalarNode:
		n.str = y.Value
		switch y.ShortTag() {
		case "!!null":
			n.kind, n.str = kNull, ""
		case "!!bool":
			n.kind = kBool
			n.str = strings.ToLower(y.Value)
		case "!!int", "!!float":
			n.kind = kNumber
			if _, err := strconv.ParseFloat(y.Value, 64); err != nil {
				// 0x1F, 0o17, .inf: YAML numbers JSON cannot hold;
				// CloudFormation reads them as strings.
				n.kind = kString
			}
		default:
			// !!str, !!timestamp (Version: 2012-10-17 unquoted),
			// !!binary: CloudFormation keeps the text.
			n.kind = kString
		}
	}
	return n
}

func yamlKind(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "sequence"
	case yaml.AliasNode:
		return "alias"
	}
	return "scalar"
}

func shortFormList() string {
	tags := make([]string, 0, len(shortForms))
	for t := range shortForms {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	return strings.Join(tags, " ")
}
