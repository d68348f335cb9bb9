package policy

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Kind says where a document is used. It decides which elements a statement
// must or must not have: resource-based policies name principals, identity
// policies never do.
type Kind uint8

const (
	// Identity is an identity-based policy (inline or managed), a
	// permissions boundary or a session policy.
	Identity Kind = iota
	// Resource is a resource-based policy: a KMS key policy, an S3 bucket
	// policy, a role trust policy.
	Resource
	// SCP is an AWS Organizations service control policy.
	SCP
	// RCP is an AWS Organizations resource control policy.
	RCP
)

func (k Kind) String() string {
	switch k {
	case Identity:
		return "identity policy"
	case Resource:
		return "resource policy"
	case SCP:
		return "service control policy"
	case RCP:
		return "resource control policy"
	}
	return "policy"
}

// withArticle is the kind's name after "a" or "an".
func (k Kind) withArticle() string {
	if k == Identity {
		return "an " + k.String()
	}
	return "a " + k.String()
}

// Effect is a statement's Effect element.
type Effect uint8

// The two effects.
const (
	Allow Effect = iota + 1
	Deny
)

func (e Effect) String() string {
	switch e {
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	}
	return "invalid"
}

// VersionCurrent is the policy language version in which policy variables
// are resolved; in any other version "${...}" is literal text.
const VersionCurrent = "2012-10-17"

// A Document is one parsed policy.
type Document struct {
	// Source names where the document came from, for error messages
	// (a file, or "scenarios/x.json: keyPolicy").
	Source string
	// Name is how explanations refer to the document ("inline policy
	// kms-use of role app"); callers set it, Parse leaves it empty.
	Name       string
	Kind       Kind
	Version    string
	ID         string
	Statements []*Statement
	// Raw is the document's JSON as given.
	Raw json.RawMessage
}

// Variables reports whether policy variables are resolved in this document.
func (d *Document) Variables() bool { return d.Version == VersionCurrent }

// MarshalJSON writes the document as it was given.
func (d *Document) MarshalJSON() ([]byte, error) {
	if len(d.Raw) == 0 {
		return []byte("null"), nil
	}
	return d.Raw, nil
}

// A Statement is one statement of a policy.
type Statement struct {
	// Index is the statement's position in the document (0 for a
	// document whose Statement element is a single object).
	Index int
	// Path is the JSON path of the statement inside its document.
	Path   string
	Line   int
	Sid    string
	Effect Effect

	// Principal and NotPrincipal are nil when the element is absent.
	Principal    *Principal
	NotPrincipal *Principal

	// Action and NotAction: at most one is non-nil. Both nil means the
	// statement has no action element and applies to nothing.
	Action    []string
	NotAction []string
	// Resource and NotResource: as for actions.
	Resource    []string
	NotResource []string

	Conditions []*Condition

	actions     []string // lower-cased patterns of Action or NotAction
	actionExact []bool   // the pattern has no wildcard
	variables   bool     // resolve ${...} in resources and condition values
}

// HasActionElement reports whether the statement names actions at all; a
// key-policy statement without Action (or Resource) is accepted by KMS but
// has no effect.
func (s *Statement) HasActionElement() bool { return s.Action != nil || s.NotAction != nil }

// HasResourceElement reports whether the statement has Resource or NotResource.
func (s *Statement) HasResourceElement() bool { return s.Resource != nil || s.NotResource != nil }

// Label is how explanations name the statement: its Sid when it has one,
// otherwise its index.
func (s *Statement) Label() string {
	if s.Sid != "" {
		return "'" + s.Sid + "'"
	}
	return "#" + itoa(s.Index)
}

// A Principal is a Principal or NotPrincipal element, normalized: the
// string form "*" and {"AWS": "*"} both set Wildcard.
type Principal struct {
	// Wildcard is true for "*" and for an AWS value of "*".
	Wildcard bool
	// Star is true when the element was the plain string "*".
	Star          bool
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
}

// Values returns every value with its type, sorted as written.
func (p *Principal) String() string {
	if p == nil {
		return ""
	}
	if p.Star {
		return "*"
	}
	var parts []string
	add := func(typ string, vs []string) {
		for _, v := range vs {
			parts = append(parts, typ+":"+v)
		}
	}
	add("AWS", p.AWS)
	add("Service", p.Service)
	add("Federated", p.Federated)
	add("CanonicalUser", p.CanonicalUser)
	return strings.Join(parts, ", ")
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	neg := i < 0
	if neg {
		i = -i
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	if neg {
		n--
		b[n] = '-'
	}
	return string(b[n:])
}

// Canonical renders the statement's meaning as text: two statements with
// the same Canonical form allow or deny the same requests (the index, the
// path and the JSON layout do not take part). Lists keep their order,
// which IAM ignores, so the converse does not hold; callers use it to find
// statements that certainly did not change.
func (s *Statement) Canonical() string {
	var b strings.Builder
	list := func(name string, vs []string) {
		if vs == nil {
			return
		}
		b.WriteString(name)
		b.WriteByte('[')
		for i, v := range vs {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(v))
		}
		b.WriteByte(']')
	}
	principal := func(name string, p *Principal) {
		if p == nil {
			return
		}
		b.WriteString(name)
		b.WriteByte('{')
		if p.Wildcard {
			b.WriteString("*")
		}
		list("AWS", p.AWS)
		list("Service", p.Service)
		list("Federated", p.Federated)
		list("CanonicalUser", p.CanonicalUser)
		b.WriteByte('}')
	}
	b.WriteString(strconv.Quote(s.Sid))
	b.WriteString(s.Effect.String())
	principal("P", s.Principal)
	principal("NP", s.NotPrincipal)
	list("A", s.Action)
	list("NA", s.NotAction)
	list("R", s.Resource)
	list("NR", s.NotResource)
	conds := make([]string, len(s.Conditions))
	for i, c := range s.Conditions {
		conds[i] = strconv.Quote(c.Operator) + strconv.Quote(strings.ToLower(c.Key)) + fmt.Sprintf("%q", c.Values)
	}
	sort.Strings(conds)
	for _, c := range conds {
		b.WriteString("C" + c)
	}
	if s.variables {
		b.WriteString("V")
	}
	return b.String()
}
