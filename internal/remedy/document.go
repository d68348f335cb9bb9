package remedy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/keywarden/keywarden/internal/escape"
	"github.com/keywarden/keywarden/internal/ordjson"
	"github.com/keywarden/keywarden/internal/policy"
)

// A Doc is a policy document being edited. It starts as a copy of a parsed
// document, its statements as typed values; edits change, split, remove or
// add statements; JSON writes the result. Nothing is decoded into generic
// maps: what a statement allows is always read from its typed fields.
type Doc struct {
	Kind    policy.Kind
	Version string
	ID      string
	Stmts   []*Stmt
	// orig is the document the edits started from (nil for a new one).
	orig *policy.Document
}

// A Stmt is one statement of a Doc.
type Stmt struct {
	// From is the index of the statement of the original document this
	// one was made from; -1 for a statement an edit added.
	From         int
	Sid          string
	Effect       policy.Effect
	Principal    *Principal
	NotPrincipal *Principal
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	Cond         []Cond
}

// A Principal is a Principal or NotPrincipal element.
type Principal struct {
	// Star is the plain string "*".
	Star          bool
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
}

// A Cond is one condition: an operator, a key and its values.
type Cond struct {
	Op     string
	Key    string
	Values []string
}

// NewDoc starts an empty document of a kind.
func NewDoc(kind policy.Kind) *Doc {
	return &Doc{Kind: kind, Version: policy.VersionCurrent}
}

// EditDoc starts editing a parsed document.
func EditDoc(d *policy.Document) *Doc {
	out := &Doc{Kind: d.Kind, Version: d.Version, ID: d.ID, orig: d}
	for _, s := range d.Statements {
		out.Stmts = append(out.Stmts, fromPolicy(s))
	}
	return out
}

func fromPolicy(s *policy.Statement) *Stmt {
	st := &Stmt{
		From: s.Index, Sid: s.Sid, Effect: s.Effect,
		Principal: principalOf(s.Principal), NotPrincipal: principalOf(s.NotPrincipal),
		Action: clone(s.Action), NotAction: clone(s.NotAction),
		Resource: clone(s.Resource), NotResource: clone(s.NotResource),
	}
	for _, c := range s.Conditions {
		st.Cond = append(st.Cond, Cond{Op: c.Operator, Key: c.Key, Values: clone(c.Values)})
	}
	return st
}

func principalOf(p *policy.Principal) *Principal {
	if p == nil {
		return nil
	}
	if p.Star {
		return &Principal{Star: true}
	}
	return &Principal{AWS: clone(p.AWS), Service: clone(p.Service), Federated: clone(p.Federated), CanonicalUser: clone(p.CanonicalUser)}
}

func clone(ss []string) []string {
	if ss == nil {
		return nil
	}
	return append([]string{}, ss...)
}

// Original returns the document the edits started from.
func (d *Doc) Original() *policy.Document { return d.orig }

// From returns the statements made from statement i of the original.
func (d *Doc) From(i int) []*Stmt {
	var out []*Stmt
	for _, s := range d.Stmts {
		if s.From == i {
			out = append(out, s)
		}
	}
	return out
}

// Remove drops a statement.
func (d *Doc) Remove(s *Stmt) {
	for i, x := range d.Stmts {
		if x == s {
			d.Stmts = append(d.Stmts[:i:i], d.Stmts[i+1:]...)
			return
		}
	}
}

// Add appends a statement, giving it a Sid of its own when its Sid is
// taken (duplicate Sids are invalid).
func (d *Doc) Add(s *Stmt) *Stmt {
	if s.Sid != "" {
		s.Sid = d.UniqueSid(s.Sid)
	}
	d.Stmts = append(d.Stmts, s)
	return s
}

func (d *Doc) index(s *Stmt) int {
	for i, x := range d.Stmts {
		if x == s {
			return i
		}
	}
	return len(d.Stmts)
}

// insertAt puts s at position i, with a Sid of its own.
func (d *Doc) insertAt(i int, s *Stmt) {
	if s.Sid != "" {
		s.Sid = d.UniqueSid(s.Sid)
	}
	if i > len(d.Stmts) {
		i = len(d.Stmts)
	}
	d.Stmts = append(d.Stmts[:i], append([]*Stmt{s}, d.Stmts[i:]...)...)
}

// InsertAfter puts s right after statement at (a split keeps its parts
// together), with a Sid of its own.
func (d *Doc) InsertAfter(at, s *Stmt) *Stmt {
	if s.Sid != "" {
		s.Sid = d.UniqueSid(s.Sid)
	}
	for i, x := range d.Stmts {
		if x == at {
			d.Stmts = append(d.Stmts[:i+1], append([]*Stmt{s}, d.Stmts[i+1:]...)...)
			return s
		}
	}
	d.Stmts = append(d.Stmts, s)
	return s
}

// UniqueSid returns sid, or sid with a number, that no statement uses. An
// IAM Sid may hold only letters and digits, so the number is appended
// without a separator.
func (d *Doc) UniqueSid(sid string) string {
	if !d.hasSid(sid) {
		return sid
	}
	for i := 2; ; i++ {
		s := fmt.Sprintf("%s%d", sid, i)
		if !d.hasSid(s) {
			return s
		}
	}
}

func (d *Doc) hasSid(sid string) bool {
	for _, s := range d.Stmts {
		if s.Sid == sid {
			return true
		}
	}
	return false
}

// Copy returns a deep copy of a statement, with the same From.
func (s *Stmt) Copy() *Stmt {
	c := *s
	c.Principal, c.NotPrincipal = s.Principal.copy(), s.NotPrincipal.copy()
	c.Action, c.NotAction = clone(s.Action), clone(s.NotAction)
	c.Resource, c.NotResource = clone(s.Resource), clone(s.NotResource)
	c.Cond = nil
	for _, x := range s.Cond {
		c.Cond = append(c.Cond, Cond{Op: x.Op, Key: x.Key, Values: clone(x.Values)})
	}
	return &c
}

func (p *Principal) copy() *Principal {
	if p == nil {
		return nil
	}
	return &Principal{Star: p.Star, AWS: clone(p.AWS), Service: clone(p.Service), Federated: clone(p.Federated), CanonicalUser: clone(p.CanonicalUser)}
}

// empty reports whether a principal element names no one.
func (p *Principal) empty() bool {
	return p == nil || !p.Star && len(p.AWS)+len(p.Service)+len(p.Federated)+len(p.CanonicalUser) == 0
}

// Wildcard reports whether the statement applies to every principal: "*",
// {"AWS": "*"} or NotPrincipal.
func (s *Stmt) Wildcard() bool {
	if s.NotPrincipal != nil {
		return true
	}
	if s.Principal == nil {
		return false
	}
	if s.Principal.Star {
		return true
	}
	for _, v := range s.Principal.AWS {
		if v == "*" {
			return true
		}
	}
	return false
}

// RemoveAWS takes the AWS principal values drop reports out of the
// statement's Principal and reports whether it still names someone: a
// statement that names no one must be removed (KMS rejects it).
func (s *Stmt) RemoveAWS(drop func(string) bool) bool {
	if s.Principal == nil || s.Principal.Star {
		return !s.Principal.empty()
	}
	var keep []string
	for _, v := range s.Principal.AWS {
		if !drop(v) {
			keep = append(keep, v)
		}
	}
	s.Principal.AWS = keep
	return !s.Principal.empty()
}

// OnlyAWS reports whether the statement's Principal names exactly this AWS
// principal and nothing else.
func (s *Stmt) OnlyAWS(v string) bool {
	p := s.Principal
	return p != nil && !p.Star && len(p.AWS) == 1 && p.AWS[0] == v && len(p.Service)+len(p.Federated)+len(p.CanonicalUser) == 0
}

// AddCondition narrows the statement with one more condition. Conditions
// of a statement are ANDed, so the statement only narrows. When the
// operator already tests the key, the values are intersected (a JSON
// object cannot hold the key twice); it reports false when nothing is
// left, and the statement then matches nothing and must be removed.
func (s *Stmt) AddCondition(op, key string, values ...string) bool {
	for i := range s.Cond {
		c := &s.Cond[i]
		if c.Op == op && strings.EqualFold(c.Key, key) {
			var keep []string
			for _, v := range c.Values {
				for _, w := range values {
					if v == w {
						keep = append(keep, v)
						break
					}
				}
			}
			c.Values = keep
			return len(keep) > 0
		}
	}
	s.Cond = append(s.Cond, Cond{Op: op, Key: key, Values: clone(values)})
	return true
}

// RemoveConditionValues takes the values drop reports out of the
// statement's positive conditions (StringEquals, ArnLike, ...: removing a
// value narrows them; a negated operator is left alone, since removing
// one of its values would widen it). It reports false when a condition is
// left without values: the statement must then be removed, since dropping
// the condition would widen it.
func (s *Stmt) RemoveConditionValues(drop func(string) bool) bool {
	for i := range s.Cond {
		c := &s.Cond[i]
		if negated(c.Op) {
			continue
		}
		var keep []string
		changed := false
		for _, v := range c.Values {
			if drop(v) {
				changed = true
				continue
			}
			keep = append(keep, v)
		}
		if !changed {
			continue
		}
		if len(keep) == 0 {
			return false
		}
		c.Values = keep
	}
	return true
}

func negated(op string) bool {
	o := strings.ToLower(op)
	return strings.Contains(o, "not") || strings.HasPrefix(o, "null")
}

// list writes a one-value list as a string, as AWS writes it.
func list(ss []string) any {
	if len(ss) == 1 {
		return ss[0]
	}
	return ss
}

func (p *Principal) value() any {
	if p.Star {
		return "*"
	}
	var o ordjson.Object
	for _, m := range []struct {
		k  string
		vs []string
	}{{"AWS", p.AWS}, {"Service", p.Service}, {"Federated", p.Federated}, {"CanonicalUser", p.CanonicalUser}} {
		if len(m.vs) > 0 {
			o = append(o, ordjson.Member{Key: m.k, Value: list(m.vs)})
		}
	}
	return o
}

func (s *Stmt) value() ordjson.Object {
	var o ordjson.Object
	if s.Sid != "" {
		o = append(o, ordjson.Member{Key: "Sid", Value: s.Sid})
	}
	o = append(o, ordjson.Member{Key: "Effect", Value: s.Effect.String()})
	if s.Principal != nil {
		o = append(o, ordjson.Member{Key: "Principal", Value: s.Principal.value()})
	}
	if s.NotPrincipal != nil {
		o = append(o, ordjson.Member{Key: "NotPrincipal", Value: s.NotPrincipal.value()})
	}
	if s.Action != nil {
		o = append(o, ordjson.Member{Key: "Action", Value: list(s.Action)})
	}
	if s.NotAction != nil {
		o = append(o, ordjson.Member{Key: "NotAction", Value: list(s.NotAction)})
	}
	if s.Resource != nil {
		o = append(o, ordjson.Member{Key: "Resource", Value: list(s.Resource)})
	}
	if s.NotResource != nil {
		o = append(o, ordjson.Member{Key: "NotResource", Value: list(s.NotResource)})
	}
	if len(s.Cond) > 0 {
		var cond ordjson.Object
		index := map[string]int{}
		for _, c := range s.Cond {
			i, ok := index[c.Op]
			if !ok {
				i = len(cond)
				index[c.Op] = i
				cond = append(cond, ordjson.Member{Key: c.Op, Value: ordjson.Object{}})
			}
			cond[i].Value = append(cond[i].Value.(ordjson.Object), ordjson.Member{Key: c.Key, Value: list(c.Values)})
		}
		o = append(o, ordjson.Member{Key: "Condition", Value: cond})
	}
	return o
}

// JSON writes the document indented, as people read it, with the
// characters that could reorder or hide text written as \u escapes.
func (d *Doc) JSON() []byte {
	var o ordjson.Object
	if d.Version != "" {
		o = append(o, ordjson.Member{Key: "Version", Value: d.Version})
	}
	if d.ID != "" {
		o = append(o, ordjson.Member{Key: "Id", Value: d.ID})
	}
	stmts := make([]any, len(d.Stmts))
	for i, s := range d.Stmts {
		stmts[i] = s.value()
	}
	o = append(o, ordjson.Member{Key: "Statement", Value: stmts})
	compact, err := o.MarshalJSON()
	if err != nil {
		// Every value is a string or a list of strings.
		panic(err)
	}
	var b bytes.Buffer
	if err := json.Indent(&b, compact, "", "  "); err != nil {
		panic(err)
	}
	return escape.JSON(b.Bytes())
}

// stmtJSON is the compact JSON of one statement, which says whether two
// statements are the same.
func (s *Stmt) json() string {
	b, _ := s.value().MarshalJSON()
	return string(b)
}

// Changed lists the indexes of the original statements the edits changed
// or removed, in order.
func (d *Doc) Changed() []int {
	if d.orig == nil {
		return nil
	}
	var out []int
	for _, s := range d.orig.Statements {
		parts := d.From(s.Index)
		if len(parts) != 1 || parts[0].json() != fromPolicy(s).json() {
			out = append(out, s.Index)
		}
	}
	return out
}

// Parse parses the document the fix writes, as AWS would read it.
func (d *Doc) Parse(name string) (*policy.Document, error) {
	return policy.Parse(name, d.JSON(), d.Kind)
}
