package posjson

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// Kind is the JSON type of a Value.
type Kind uint8

// The JSON types.
const (
	Null Kind = iota
	Bool
	Number
	String
	Array
	Object
)

func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case Bool:
		return "boolean"
	case Number:
		return "number"
	case String:
		return "string"
	case Array:
		return "array"
	case Object:
		return "object"
	}
	return "invalid"
}

// A Value is one JSON value and the byte offset where it starts.
type Value struct {
	Kind Kind
	// Str is the unescaped text of a string, the literal text of a number,
	// and "true" or "false" for a boolean.
	Str     string
	Elems   []*Value
	Members []Member
	Offset  int
	// End is the offset just past the value.
	End int
}

// A Member is one key of an object with its value.
type Member struct {
	Key       string
	KeyOffset int
	Value     *Value
}

// Get returns the value of the first member named key, or nil.
func (v *Value) Get(key string) *Value {
	if v == nil || v.Kind != Object {
		return nil
	}
	for i := range v.Members {
		if v.Members[i].Key == key {
			return v.Members[i].Value
		}
	}
	return nil
}

// A SyntaxError is malformed JSON at a byte offset.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string { return e.Msg }

// MaxDepth bounds nesting so that hostile input cannot exhaust the stack.
const MaxDepth = 512

// Parse parses one JSON value; only whitespace may follow it.
//
// The tree is allocated in a few blocks sized from the input, not value by
// value: a parse costs a handful of allocations besides its strings.
func Parse(data []byte) (*Value, error) {
	// The first blocks are sized for typical policies and scenarios
	// (about one value per 27 bytes, one member per 35, one array
	// element per 137); the next ones double.
	p := parser{
		data:    data,
		strs:    stringCaches.Get().(*stringCache),
		values:  make([]Value, 0, min(len(data)/24+8, maxBlock)),
		members: make([]Member, 0, min(len(data)/32+4, maxBlock)),
		elems:   make([]*Value, 0, min(len(data)/128+4, maxBlock)),
	}
	defer stringCaches.Put(p.strs)
	return p.parse()
}

// A Parser parses documents one after another into trees that reuse the
// same memory: the tree that its Parse returns is valid only until the
// next call. It suits a batch whose documents are each read and dropped
// before the next (the records of a JSON Lines file), and then costs no
// allocation but for strings not seen before. The function Parse returns
// trees of their own. A Parser is not safe for concurrent use.
type Parser struct {
	p parser
	// values, elems and members are the blocks that each parse starts
	// with, sized for the largest document seen (up to maxKept nodes).
	values  []Value
	elems   []*Value
	members []Member
	strs    stringCache
}

// maxKept bounds the nodes of the blocks a Parser keeps between parses:
// one large document must not leave a large Parser behind.
const maxKept = 16 << 10

// Parse parses one JSON value, as the function Parse does, into a tree
// valid until the next call.
func (ps *Parser) Parse(data []byte) (*Value, error) {
	p := &ps.p
	*p = parser{
		data:        data,
		strs:        &ps.strs,
		values:      ps.values[:0],
		elems:       ps.elems[:0],
		members:     ps.members[:0],
		elemStack:   p.elemStack[:0],
		memberStack: p.memberStack[:0],
	}
	v, err := p.parse()
	ps.values = keepBlock(ps.values, p.nValues)
	ps.elems = keepBlock(ps.elems, p.nElems)
	ps.members = keepBlock(ps.members, p.nMembers)
	return v, err
}

// keepBlock returns the block to start the next parse with, given how many
// nodes the last one used.
func keepBlock[T any](block []T, used int) []T {
	if used <= cap(block) || used > maxKept {
		return block
	}
	return make([]T, 0, used+used/4)
}

func (p *parser) parse() (*Value, error) {
	p.skipSpace()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.data) {
		return nil, p.errorf("unexpected %s after the JSON value", p.describe())
	}
	return v, nil
}

// ParseAll parses one or more JSON values written one after another, with
// or without whitespace between them (as the AWS CLI writes the output of
// one call per page into one file). Offsets are offsets into data.
func ParseAll(data []byte) ([]*Value, error) {
	p := parser{
		data:    data,
		strs:    stringCaches.Get().(*stringCache),
		values:  make([]Value, 0, min(len(data)/24+8, maxBlock)),
		members: make([]Member, 0, min(len(data)/32+4, maxBlock)),
		elems:   make([]*Value, 0, min(len(data)/128+4, maxBlock)),
	}
	defer stringCaches.Put(p.strs)
	var out []*Value
	for {
		p.skipSpace()
		if p.pos >= len(p.data) {
			break
		}
		v, err := p.value(0)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, &SyntaxError{Offset: 0, Msg: "no JSON value"}
	}
	return out, nil
}

// LineCol converts a byte offset into a 1-based line and a 1-based column
// counted in characters. It scans data from the start: to locate many
// offsets of one text, use a Lines.
func LineCol(data []byte, offset int) (line, col int) {
	return NewLines(data).LineCol(offset)
}

// Lines locates byte offsets of one text as lines and columns. The index
// of line starts is built on the first call, in one pass over the text;
// each call after that finds the line by binary search and counts the
// column from the line's start, or from the previous offset when it is
// further on the same line, so locating every value of a document in
// order costs time linear in its size, not quadratic.
//
// A Lines is not safe for concurrent use.
type Lines struct {
	data   []byte
	starts []int // offset of the first byte of each line

	// The previous answer, to count columns onwards from it.
	lastLine, lastOff, lastCol int

	// marks count characters on long lines (a minified file is one
	// line): marks[k] is where the k-th stretch of markStep bytes starts,
	// moved onto the start of a character, and the characters before it.
	marks []mark
}

type mark struct{ at, chars int }

// markStep is the length of text counted at most to place an offset on a
// long line.
const markStep = 4096

// NewLines returns the line index of data; data must not change while the
// index is used.
func NewLines(data []byte) *Lines { return &Lines{data: data} }

func (l *Lines) build() {
	if l.starts != nil {
		return
	}
	n := 1
	for i := 0; i < len(l.data); {
		j := bytes.IndexByte(l.data[i:], '\n')
		if j < 0 {
			break
		}
		n++
		i += j + 1
	}
	l.starts = make([]int, 1, n)
	for i := 0; i < len(l.data); {
		j := bytes.IndexByte(l.data[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		l.starts = append(l.starts, i)
	}
}

// Line returns the 1-based line of offset; offsets past the end count as
// the end.
func (l *Lines) Line(offset int) int {
	l.build()
	offset = max(0, min(offset, len(l.data)))
	i, found := slices.BinarySearch(l.starts, offset)
	if !found {
		i--
	}
	return i + 1
}

// LineCol returns the 1-based line of offset and its 1-based column,
// counted in characters.
func (l *Lines) LineCol(offset int) (line, col int) {
	offset = max(0, min(offset, len(l.data)))
	line = l.Line(offset)
	start := l.starts[line-1]
	// Counting onwards agrees with counting from the start only when the
	// previous offset begins a character.
	onwards := line == l.lastLine && offset >= l.lastOff && (l.lastOff == len(l.data) || utf8.RuneStart(l.data[l.lastOff]))
	switch {
	case onwards && offset-l.lastOff <= markStep:
		col = l.lastCol + utf8.RuneCount(l.data[l.lastOff:offset])
	case offset-start <= markStep || !utf8.RuneStart(l.data[start]) || (offset < len(l.data) && !utf8.RuneStart(l.data[offset])):
		col = utf8.RuneCount(l.data[start:offset]) + 1
	default:
		// Far into a long line: count from the marks.
		col = l.chars(offset) - l.chars(start) + 1
	}
	l.lastLine, l.lastOff, l.lastCol = line, offset, col
	return line, col
}

// chars is the number of characters before offset, which starts a
// character (or is the end): counts of text split where a character
// starts add up.
func (l *Lines) chars(offset int) int {
	if l.marks == nil {
		l.marks = []mark{{0, 0}}
		for at := markStep; at < len(l.data); at += markStep {
			prev := l.marks[len(l.marks)-1]
			next := at
			for next < len(l.data) && !utf8.RuneStart(l.data[next]) {
				next++
			}
			if next >= len(l.data) {
				break
			}
			l.marks = append(l.marks, mark{next, prev.chars + utf8.RuneCount(l.data[prev.at:next])})
		}
	}
	i, _ := slices.BinarySearchFunc(l.marks, offset, func(m mark, off int) int { return m.at - off })
	if i == len(l.marks) || l.marks[i].at > offset {
		i--
	}
	m := l.marks[i]
	return m.chars + utf8.RuneCount(l.data[m.at:offset])
}

type parser struct {
	data []byte
	pos  int
	strs *stringCache
	// values, elems and members are blocks that the tree's nodes and
	// slices are cut from; a full block is left to the nodes cut from it
	// and a new one started.
	values  []Value
	elems   []*Value
	members []Member
	// elemStack and memberStack hold the children of the arrays and
	// objects being parsed, innermost last, until the container ends and
	// its children are copied to a slice of exactly their number.
	elemStack   []*Value
	memberStack []Member
	// nValues, nElems and nMembers count what the parse used.
	nValues, nElems, nMembers int
}

// maxBlock bounds the number of nodes in one block.
const maxBlock = 4096

// nextBlock is the capacity of the block after one of capacity n.
func nextBlock(n int) int { return min(max(2*n, 16), maxBlock) }

// newValue returns a new node of the tree.
func (p *parser) newValue(v Value) *Value {
	if len(p.values) == cap(p.values) {
		p.values = make([]Value, 0, nextBlock(cap(p.values)))
	}
	p.nValues++
	p.values = append(p.values, v)
	return &p.values[len(p.values)-1]
}

// keepElems returns a copy of es cut from the current block.
func (p *parser) keepElems(es []*Value) []*Value {
	n := len(es)
	if cap(p.elems)-len(p.elems) < n {
		p.elems = make([]*Value, 0, max(nextBlock(cap(p.elems)), n))
	}
	p.nElems += n
	i := len(p.elems)
	p.elems = append(p.elems, es...)
	return p.elems[i : i+n : i+n]
}

// keepMembers returns a copy of ms cut from the current block.
func (p *parser) keepMembers(ms []Member) []Member {
	n := len(ms)
	if cap(p.members)-len(p.members) < n {
		p.members = make([]Member, 0, max(nextBlock(cap(p.members)), n))
	}
	p.nMembers += n
	i := len(p.members)
	p.members = append(p.members, ms...)
	return p.members[i : i+n : i+n]
}

func (p *parser) errorf(format string, args ...any) error {
	return &SyntaxError{Offset: p.pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) describe() string {
	if p.pos >= len(p.data) {
		return "end of input"
	}
	r, _ := utf8.DecodeRune(p.data[p.pos:])
	return strconv.QuoteRune(r)
}

func (p *parser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (*Value, error) {
	v, err := p.value1(depth)
	if err == nil {
		v.End = p.pos
	}
	return v, err
}

func (p *parser) value1(depth int) (*Value, error) {
	if depth > MaxDepth {
		return nil, p.errorf("JSON nested too deeply")
	}
	if p.pos >= len(p.data) {
		return nil, p.errorf("unexpected end of input, expected a JSON value")
	}
	start := p.pos
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return p.newValue(Value{Kind: String, Str: s, Offset: start}), nil
	case c == 't':
		return p.literal("true", Bool)
	case c == 'f':
		return p.literal("false", Bool)
	case c == 'n':
		return p.literal("null", Null)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	return nil, p.errorf("unexpected %s, expected a JSON value", p.describe())
}

func (p *parser) literal(word string, k Kind) (*Value, error) {
	start := p.pos
	if len(p.data)-p.pos < len(word) || string(p.data[p.pos:p.pos+len(word)]) != word {
		return nil, p.errorf("invalid literal, expected %s", word)
	}
	p.pos += len(word)
	v := Value{Kind: k, Offset: start}
	if k == Bool {
		v.Str = word
	}
	return p.newValue(v), nil
}

func (p *parser) number() (*Value, error) {
	start := p.pos
	d := p.data
	if p.pos < len(d) && d[p.pos] == '-' {
		p.pos++
	}
	switch {
	case p.pos < len(d) && d[p.pos] == '0':
		p.pos++
	case p.pos < len(d) && d[p.pos] >= '1' && d[p.pos] <= '9':
		for p.pos < len(d) && d[p.pos] >= '0' && d[p.pos] <= '9' {
			p.pos++
		}
	default:
		return nil, p.errorf("invalid number")
	}
	if p.pos < len(d) && d[p.pos] == '.' {
		p.pos++
		if p.pos >= len(d) || d[p.pos] < '0' || d[p.pos] > '9' {
			return nil, p.errorf("invalid number: digit expected after the decimal point")
		}
		for p.pos < len(d) && d[p.pos] >= '0' && d[p.pos] <= '9' {
			p.pos++
		}
	}
	if p.pos < len(d) && (d[p.pos] == 'e' || d[p.pos] == 'E') {
		p.pos++
		if p.pos < len(d) && (d[p.pos] == '+' || d[p.pos] == '-') {
			p.pos++
		}
		if p.pos >= len(d) || d[p.pos] < '0' || d[p.pos] > '9' {
			return nil, p.errorf("invalid number: digit expected in the exponent")
		}
		for p.pos < len(d) && d[p.pos] >= '0' && d[p.pos] <= '9' {
			p.pos++
		}
	}
	return p.newValue(Value{Kind: Number, Str: p.strs.get(d[start:p.pos]), Offset: start}), nil
}

func (p *parser) str() (string, error) {
	d := p.data
	p.pos++ // opening quote
	start := p.pos
	// Fast path: no escapes. UTF-8 is checked only for strings that are
	// not ASCII.
	var high byte
	for p.pos < len(d) {
		c := d[p.pos]
		if c == '"' {
			s := d[start:p.pos]
			if high >= utf8.RuneSelf && !utf8.Valid(s) {
				return validUTF8(string(s)), p.advance()
			}
			p.pos++
			return p.strs.get(s), nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", p.errorf("invalid control character in string")
		}
		high |= c
		p.pos++
	}
	// Size the text once: it is at most as long as the rest of the
	// literal, escapes included (a string of hundreds of megabytes would
	// otherwise be copied at every doubling).
	var b strings.Builder
	b.Grow(p.pos - start + literalLen(d[p.pos:]))
	b.Write(d[start:p.pos])
	for {
		if p.pos >= len(d) {
			return "", p.errorf("unterminated string")
		}
		c := d[p.pos]
		switch {
		case c == '"':
			p.pos++
			return validUTF8(b.String()), nil
		case c < 0x20:
			return "", p.errorf("invalid control character in string")
		case c != '\\':
			b.WriteByte(c)
			p.pos++
			continue
		}
		p.pos++
		if p.pos >= len(d) {
			return "", p.errorf("unterminated string")
		}
		e := d[p.pos]
		p.pos++
		switch e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, err := p.hex4()
			if err != nil {
				return "", err
			}
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if p.pos+1 < len(d) && d[p.pos] == '\\' && d[p.pos+1] == 'u' {
					save := p.pos
					p.pos += 2
					var err2 error
					r2, err2 = p.hex4()
					if err2 != nil {
						return "", err2
					}
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						b.WriteRune(dec)
						continue
					}
					p.pos = save
				}
				b.WriteRune(utf8.RuneError)
				continue
			}
			b.WriteRune(r)
		default:
			p.pos -= 2
			return "", p.errorf("invalid escape sequence in string")
		}
	}
}

// literalLen is the length of the rest of a string literal up to its
// closing quote, or of all of d when it has none.
func literalLen(d []byte) int {
	for i := 0; i < len(d); i++ {
		switch d[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return len(d)
}

// advance steps over the closing quote; it exists so the fast path can
// return a value and a nil error in one statement.
func (p *parser) advance() error {
	p.pos++
	return nil
}

func (p *parser) hex4() (rune, error) {
	if len(p.data)-p.pos < 4 {
		return 0, p.errorf("invalid \\u escape in string")
	}
	var r rune
	for _, c := range p.data[p.pos : p.pos+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		case c >= 'A' && c <= 'F':
			r |= rune(c-'A') + 10
		default:
			return 0, p.errorf("invalid \\u escape in string")
		}
	}
	p.pos += 4
	return r, nil
}

func (p *parser) array(depth int) (*Value, error) {
	v := p.newValue(Value{Kind: Array, Offset: p.pos})
	p.pos++
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		v.Elems = []*Value{}
		return v, nil
	}
	// On error the parse is over: the stacks are left as they are.
	base := len(p.elemStack)
	for {
		p.skipSpace()
		e, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		p.elemStack = append(p.elemStack, e)
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.errorf("unexpected end of input in array")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			v.Elems = p.keepElems(p.elemStack[base:])
			p.elemStack = p.elemStack[:base]
			return v, nil
		default:
			return nil, p.errorf("unexpected %s in array, expected ',' or ']'", p.describe())
		}
	}
}

func (p *parser) object(depth int) (*Value, error) {
	v := p.newValue(Value{Kind: Object, Offset: p.pos})
	p.pos++
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		v.Members = []Member{}
		return v, nil
	}
	base := len(p.memberStack)
	for {
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, p.errorf("unexpected %s in object, expected a quoted key", p.describe())
		}
		keyOff := p.pos
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, p.errorf("unexpected %s after object key, expected ':'", p.describe())
		}
		p.pos++
		p.skipSpace()
		val, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		p.memberStack = append(p.memberStack, Member{Key: key, KeyOffset: keyOff, Value: val})
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.errorf("unexpected end of input in object")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			v.Members = p.keepMembers(p.memberStack[base:])
			p.memberStack = p.memberStack[:base]
			return v, nil
		default:
			return nil, p.errorf("unexpected %s in object, expected ',' or '}'", p.describe())
		}
	}
}

// validUTF8 replaces each byte of an invalid UTF-8 sequence with U+FFFD,
// as encoding/json does.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// A stringCache remembers recent short strings, so that the keys and values
// that recur from one document to the next ("Effect", "kms:Decrypt", an
// account's ARNs) are allocated once rather than at each occurrence. It is
// a fixed table indexed by hash: a string evicts the one in its slot.
type stringCache [stringCacheSize]string

const (
	stringCacheSize = 1024 // a power of two
	// maxCachedString bounds the strings kept: longer ones (descriptions,
	// names made unique) rarely recur.
	maxCachedString = 64
)

var (
	// stringCaches lends a cache to each parse; kept by the parses of one
	// processor after another, a cache warms up over a batch of documents.
	stringCaches    = sync.Pool{New: func() any { return new(stringCache) }}
	stringCacheSeed = maphash.MakeSeed()
)

// get returns b as a string.
func (c *stringCache) get(b []byte) string {
	if len(b) > maxCachedString {
		return string(b)
	}
	slot := &c[maphash.Bytes(stringCacheSeed, b)&(stringCacheSize-1)]
	if *slot != string(b) {
		*slot = string(b)
	}
	return *slot
}
