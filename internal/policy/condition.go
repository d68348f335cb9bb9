package policy

import (
	"bytes"
	"encoding/base64"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Operator is the base of a condition operator, without set qualifier and
// IfExists suffix.
type Operator uint8

// The condition operators of the IAM policy language
// ([IAM JSON policy elements: Condition operators]).
//
// [IAM JSON policy elements: Condition operators]: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
const (
	OpInvalid Operator = iota
	StringEquals
	StringNotEquals
	StringEqualsIgnoreCase
	StringNotEqualsIgnoreCase
	StringLike
	StringNotLike
	NumericEquals
	NumericNotEquals
	NumericLessThan
	NumericLessThanEquals
	NumericGreaterThan
	NumericGreaterThanEquals
	DateEquals
	DateNotEquals
	DateLessThan
	DateLessThanEquals
	DateGreaterThan
	DateGreaterThanEquals
	BoolOp
	BinaryEquals
	IPAddress
	NotIPAddress
	ArnEquals
	ArnLike
	ArnNotEquals
	ArnNotLike
	NullOp
)

var operatorNames = [...]string{
	OpInvalid:                 "",
	StringEquals:              "StringEquals",
	StringNotEquals:           "StringNotEquals",
	StringEqualsIgnoreCase:    "StringEqualsIgnoreCase",
	StringNotEqualsIgnoreCase: "StringNotEqualsIgnoreCase",
	StringLike:                "StringLike",
	StringNotLike:             "StringNotLike",
	NumericEquals:             "NumericEquals",
	NumericNotEquals:          "NumericNotEquals",
	NumericLessThan:           "NumericLessThan",
	NumericLessThanEquals:     "NumericLessThanEquals",
	NumericGreaterThan:        "NumericGreaterThan",
	NumericGreaterThanEquals:  "NumericGreaterThanEquals",
	DateEquals:                "DateEquals",
	DateNotEquals:             "DateNotEquals",
	DateLessThan:              "DateLessThan",
	DateLessThanEquals:        "DateLessThanEquals",
	DateGreaterThan:           "DateGreaterThan",
	DateGreaterThanEquals:     "DateGreaterThanEquals",
	BoolOp:                    "Bool",
	BinaryEquals:              "BinaryEquals",
	IPAddress:                 "IpAddress",
	NotIPAddress:              "NotIpAddress",
	ArnEquals:                 "ArnEquals",
	ArnLike:                   "ArnLike",
	ArnNotEquals:              "ArnNotEquals",
	ArnNotLike:                "ArnNotLike",
	NullOp:                    "Null",
}

var operatorByLower = func() map[string]Operator {
	m := make(map[string]Operator, len(operatorNames))
	for i, n := range operatorNames {
		if n != "" {
			m[strings.ToLower(n)] = Operator(i)
		}
	}
	return m
}()

func (o Operator) String() string {
	if int(o) < len(operatorNames) {
		return operatorNames[o]
	}
	return "invalid"
}

// Negated reports whether the operator matches when the value matches none
// of the policy's values; such operators are true for an absent key.
func (o Operator) Negated() bool {
	switch o {
	case StringNotEquals, StringNotEqualsIgnoreCase, StringNotLike, NumericNotEquals,
		DateNotEquals, NotIPAddress, ArnNotEquals, ArnNotLike:
		return true
	}
	return false
}

// positive returns the operator whose match a negated operator inverts.
func (o Operator) positive() Operator {
	switch o {
	case StringNotEquals:
		return StringEquals
	case StringNotEqualsIgnoreCase:
		return StringEqualsIgnoreCase
	case StringNotLike:
		return StringLike
	case NumericNotEquals:
		return NumericEquals
	case DateNotEquals:
		return DateEquals
	case NotIPAddress:
		return IPAddress
	case ArnNotEquals:
		return ArnEquals
	case ArnNotLike:
		return ArnLike
	}
	return o
}

// pattern reports whether the operator treats policy values as patterns.
func (o Operator) pattern() bool {
	return o == StringLike || o == ArnLike || o == ArnEquals
}

// SetOperator is the ForAnyValue:/ForAllValues: qualifier.
type SetOperator uint8

// The set qualifiers.
const (
	Single SetOperator = iota
	ForAnyValue
	ForAllValues
)

// A Condition is one key test under one operator: all conditions of a
// statement must hold; the Values of one condition are alternatives.
type Condition struct {
	// Operator is the operator as written, e.g. "ForAnyValue:StringLike".
	Operator string
	Op       Operator
	Set      SetOperator
	IfExists bool
	// Key is the condition key as written; lookups use its lower case.
	Key    string
	Values []string
	Path   string

	key       string
	variables bool // some value holds ${...} and the document resolves variables
}

// LowerKey is the condition key in lower case, as contexts are queried.
func (c *Condition) LowerKey() string { return c.key }

// String renders the condition the way explanations quote it:
// StringEquals kms:ViaService = s3.ap-northeast-1.amazonaws.com
func (c *Condition) String() string {
	var b strings.Builder
	b.WriteString(c.Operator)
	b.WriteByte(' ')
	b.WriteString(c.Key)
	b.WriteString(" = ")
	if len(c.Values) == 1 {
		b.WriteString(c.Values[0])
	} else {
		b.WriteByte('[')
		b.WriteString(strings.Join(c.Values, ", "))
		b.WriteByte(']')
	}
	return b.String()
}

// parseOperator splits "ForAllValues:StringLikeIfExists" into its parts.
// Operator names are matched without regard to case: AWS's validator
// expects the documented spelling, and accepting more never hides access.
func parseOperator(name string) (Operator, SetOperator, bool, bool) {
	set := Single
	rest := name
	if i := strings.IndexByte(name, ':'); i >= 0 {
		switch strings.ToLower(name[:i]) {
		case "foranyvalue":
			set = ForAnyValue
		case "forallvalues":
			set = ForAllValues
		default:
			return OpInvalid, 0, false, false
		}
		rest = name[i+1:]
	}
	lower := strings.ToLower(rest)
	ifExists := false
	if strings.HasSuffix(lower, "ifexists") {
		ifExists = true
		lower = strings.TrimSuffix(lower, "ifexists")
	}
	op, ok := operatorByLower[lower]
	if !ok || (op == NullOp && (ifExists || set != Single)) {
		return OpInvalid, 0, false, false
	}
	return op, set, ifExists, true
}

// Eval evaluates the condition against a request context. vars resolves
// policy variables in the condition's values.
func (c *Condition) Eval(ctx Context) Tri {
	values, list, presence := ctx.Lookup(c.key)
	switch presence {
	case Unknowable:
		return Unknown
	case NoneOf, NoneOfOrAbsent:
		return c.evalNoneOf(values, presence == NoneOfOrAbsent)
	}
	policyValues := c.Values
	if c.variables {
		resolved, t := resolveValues(c.Values, ctx)
		if t == Unknown {
			return Unknown
		}
		if !c.Op.positive().pattern() {
			for i, v := range resolved {
				resolved[i] = unescapeLiteral(v)
			}
		}
		policyValues = resolved
	}
	if c.Op == NullOp {
		absent := presence == Absent || len(values) == 0
		result := False
		for _, v := range policyValues {
			switch strings.ToLower(v) {
			case "true":
				result = result.Or(triOf(absent))
			case "false":
				result = result.Or(triOf(!absent))
			}
		}
		return result
	}
	negated := c.Op.Negated()
	if presence == Absent || (list && len(values) == 0) {
		return c.absentResult()
	}
	switch c.Set {
	case Single:
		// An operator without a set qualifier never matches a multivalued
		// key, negated operators included (kms-authorization §8.3, [U] 6).
		if list || len(values) != 1 {
			return False
		}
		return triOf(c.matchOne(values[0], policyValues, negated))
	case ForAnyValue:
		for _, k := range values {
			if c.matchOne(k, policyValues, negated) {
				return True
			}
		}
		return False
	default: // ForAllValues
		for _, k := range values {
			if !c.matchOne(k, policyValues, negated) {
				return False
			}
		}
		return True
	}
}

// absentResult is the value of the condition when its key is absent.
func (c *Condition) absentResult() Tri {
	switch {
	case c.IfExists:
		return True
	case c.Set == ForAnyValue:
		return False
	case c.Set == ForAllValues:
		return True
	}
	return triOf(c.Op.Negated())
}

// evalNoneOf decides the condition for a key that holds one value known
// only to be none of excluded (and that may be absent): an operator that
// tests for exact values decides when every value it tests for is
// excluded; anything else stays unknown. This is how "any principal
// outside organization o-1" is told apart from StringEquals
// aws:PrincipalOrgID o-1 without inventing an organization.
func (c *Condition) evalNoneOf(excluded []string, maybeAbsent bool) Tri {
	var present Tri
	switch {
	case c.Op == NullOp:
		present = False
		for _, v := range c.Values {
			if strings.EqualFold(v, "false") {
				present = True
			}
		}
	case c.variables:
		return Unknown
	default:
		present = c.noneOfPresent(excluded)
	}
	if !maybeAbsent {
		return present
	}
	absent := c.absentResult()
	if c.Op == NullOp {
		absent = False
		for _, v := range c.Values {
			if strings.EqualFold(v, "true") {
				absent = True
			}
		}
	}
	if present == absent {
		return present
	}
	return Unknown
}

// noneOfPresent is evalNoneOf for a present single value.
func (c *Condition) noneOfPresent(excluded []string) Tri {
	op := c.Op.positive()
	switch op {
	case StringEquals, StringEqualsIgnoreCase, StringLike, ArnEquals, ArnLike:
	default:
		return Unknown
	}
	for _, v := range c.Values {
		if op.pattern() && v != "" && strings.Trim(v, "*") == "" {
			// "*" matches every value.
			return triOf(!c.Op.Negated())
		}
		if !excludedValue(v, op, excluded) {
			return Unknown
		}
	}
	// The value matches none of the policy's values.
	return triOf(c.Op.Negated())
}

// excludedValue reports whether no value outside excluded can match the
// policy value v: v (or, for a pattern, the literal text before its first
// wildcard) is an excluded value or starts with an excluded prefix.
func excludedValue(v string, op Operator, excluded []string) bool {
	literal, exact := v, true
	if op.pattern() {
		if i := strings.IndexAny(v, "*?"); i >= 0 {
			literal, exact = v[:i], false
		}
	}
	for _, x := range excluded {
		if prefix, ok := strings.CutSuffix(x, "*"); ok {
			if strings.HasPrefix(literal, prefix) {
				return true
			}
			continue
		}
		if exact && (x == v || op == StringEqualsIgnoreCase && strings.EqualFold(x, v)) {
			return true
		}
	}
	return false
}

// matchOne tests one request value: for a positive operator it must match
// some policy value, for a negated one it must match none.
func (c *Condition) matchOne(k string, vs []string, negated bool) bool {
	op := c.Op.positive()
	for _, v := range vs {
		if compare(op, k, v) {
			return !negated
		}
	}
	return negated
}

// compare applies a positive operator to one request value k and one
// policy value v.
func compare(op Operator, k, v string) bool {
	switch op {
	case StringEquals:
		return k == v
	case StringEqualsIgnoreCase:
		return strings.EqualFold(k, v)
	case StringLike:
		return Glob(v, k)
	case NumericEquals, NumericLessThan, NumericLessThanEquals, NumericGreaterThan, NumericGreaterThanEquals:
		a, err1 := strconv.ParseFloat(strings.TrimSpace(k), 64)
		b, err2 := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err1 != nil || err2 != nil {
			return false
		}
		return ordered(op, cmpFloat(a, b))
	case DateEquals, DateLessThan, DateLessThanEquals, DateGreaterThan, DateGreaterThanEquals:
		a, ok1 := ParseDate(k)
		b, ok2 := ParseDate(v)
		if !ok1 || !ok2 {
			return false
		}
		return ordered(op, a.Compare(b))
	case BoolOp:
		return strings.EqualFold(strings.TrimSpace(k), strings.TrimSpace(v))
	case BinaryEquals:
		a, err1 := base64.StdEncoding.DecodeString(k)
		b, err2 := base64.StdEncoding.DecodeString(v)
		if err1 != nil || err2 != nil {
			return k == v
		}
		return bytes.Equal(a, b)
	case IPAddress:
		return ipInside(k, v)
	case ArnEquals, ArnLike:
		return ArnLikeMatch(v, k)
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ordered maps a three-way comparison onto an ordering operator.
func ordered(op Operator, c int) bool {
	switch op {
	case NumericEquals, DateEquals:
		return c == 0
	case NumericLessThan, DateLessThan:
		return c < 0
	case NumericLessThanEquals, DateLessThanEquals:
		return c <= 0
	case NumericGreaterThan, DateGreaterThan:
		return c > 0
	case NumericGreaterThanEquals, DateGreaterThanEquals:
		return c >= 0
	}
	return false
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02",
	"20060102T150405Z",
}

// ParseDate reads a date as the Date operators accept it: ISO 8601 (with
// or without time and zone) or seconds since the Unix epoch.
func ParseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "eE") {
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func ipInside(k, v string) bool {
	addr, err := netip.ParseAddr(strings.TrimSpace(k))
	if err != nil {
		p, err2 := netip.ParsePrefix(strings.TrimSpace(k))
		if err2 != nil {
			return false
		}
		addr = p.Addr()
	}
	addr = addr.Unmap()
	v = strings.TrimSpace(v)
	var prefix netip.Prefix
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return false
		}
		prefix = p.Masked()
		if prefix.Addr().Is4In6() {
			prefix = netip.PrefixFrom(prefix.Addr().Unmap(), prefix.Bits()-96)
		}
	} else {
		a, err := netip.ParseAddr(v)
		if err != nil {
			return false
		}
		a = a.Unmap()
		prefix = netip.PrefixFrom(a, a.BitLen())
	}
	return prefix.Contains(addr)
}
