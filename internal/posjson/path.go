package posjson

import (
	"strconv"
	"strings"
)

// A Path is the JSON path of a value as error messages name it:
// keyPolicy.Statement[0].Effect, request.context["kms:ViaService"]. A Path
// points to its parent and is joined into text only when String is called,
// which is when an error names it: checking a large document builds the
// path of every value it visits but joins almost none.
//
// A Path holds a pointer to its parent: keep the parent alive (typically a
// variable of the calling function) while the child is in use.
type Path struct {
	parent *Path
	kind   pathKind
	name   string
	index  int
}

type pathKind uint8

const (
	pathRoot   pathKind = iota
	pathMember          // .name
	pathIndex           // [index]
	pathKey             // ["name"], for names that are data, such as condition keys
)

// RootPath returns a path whose text is text ("" for the top of a document,
// or the path of a document inside a larger one).
func RootPath(text string) Path { return Path{name: text} }

// Member returns the path of the member name of the object at p.
func (p *Path) Member(name string) Path { return Path{parent: p, kind: pathMember, name: name} }

// Index returns the path of element i of the array at p.
func (p *Path) Index(i int) Path { return Path{parent: p, kind: pathIndex, index: i} }

// Key returns the path of the member name of the object at p, written as a
// quoted subscript: for names that are data rather than field names.
func (p *Path) Key(name string) Path { return Path{parent: p, kind: pathKey, name: name} }

// String joins the path: members with dots (none at the start), indexes
// and keys in brackets.
//
// The text is always a new string, even for a root: were it the root's own
// text, the compiler would have to assume that any path's parents outlive
// the call, and keep every Path on the heap.
func (p *Path) String() string {
	var b strings.Builder
	b.Grow(p.size())
	p.write(&b)
	return b.String()
}

// size is about the length of the text: exact but for quoted keys.
func (p *Path) size() int {
	n := len(p.name)
	switch p.kind {
	case pathRoot:
		return n
	case pathMember:
		n++
	case pathIndex:
		n += 4
	case pathKey:
		n += 4
	}
	return n + p.parent.size()
}

func (p *Path) write(b *strings.Builder) {
	if p.kind == pathRoot {
		b.WriteString(p.name)
		return
	}
	p.parent.write(b)
	switch p.kind {
	case pathMember:
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p.name)
	case pathIndex:
		b.WriteByte('[')
		b.WriteString(strconv.Itoa(p.index))
		b.WriteByte(']')
	case pathKey:
		b.WriteByte('[')
		b.WriteString(strconv.Quote(p.name))
		b.WriteByte(']')
	}
}
