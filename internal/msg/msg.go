// Package msg holds what keywarden says to people in every language it
// speaks: the Text type (one string per language), the languages, and
// message catalogues, from which packages build their texts by message ID
// instead of writing sentences inline in their logic.
//
// A catalogue is one map per language from message ID to a format string
// (fmt verbs, positional ones such as %[2]s where a language orders its
// words differently). Arguments that are themselves Text are written in
// the language being built; List joins items the way each language does.
// TestCatalogue-style tests in each package check that every language has
// every message, with the same arguments.
//
// The package is a leaf: it imports only the standard library.
package msg

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Lang is a language keywarden speaks.
type Lang string

// The languages.
const (
	English  Lang = "en"
	Japanese Lang = "ja"
)

// Text is a user-visible string in every language keywarden speaks.
type Text struct {
	EN string `json:"en"`
	JA string `json:"ja"`
}

// In returns the text in a language, falling back to English.
func (t Text) In(l Lang) string {
	if l == Japanese && t.JA != "" {
		return t.JA
	}
	return t.EN
}

// Same is a text that reads the same in every language: an identifier, an
// ARN, a policy's own words.
func Same(s string) Text { return Text{EN: s, JA: s} }

// Join joins texts with a separator of each language.
func Join(ts []Text, sep Text) Text {
	var en, ja []string
	for _, t := range ts {
		en, ja = append(en, t.EN), append(ja, t.JA)
	}
	return Text{EN: strings.Join(en, sep.EN), JA: strings.Join(ja, sep.JA)}
}

// Append returns t followed by u, separated by a space in English (and
// nothing in Japanese, which does not space sentences).
func (t Text) Append(u Text) Text {
	switch {
	case t.EN == "":
		return u
	case u.EN == "":
		return t
	}
	return Text{EN: t.EN + " " + u.EN, JA: t.JA + u.JA}
}

// A List is items that a message writes joined the way each language
// joins a list: "a, b and c" in English, "a、b、c" in Japanese.
type List []string

func (l List) in(lang Lang) string {
	if lang == Japanese {
		return strings.Join(l, "、")
	}
	switch len(l) {
	case 0:
		return ""
	case 1:
		return l[0]
	}
	return strings.Join(l[:len(l)-1], ", ") + " and " + l[len(l)-1]
}

// A Catalog is a package's messages in every language, by message ID.
type Catalog struct {
	langs map[Lang]map[string]string
}

// NewCatalog builds a catalogue from one map per language.
func NewCatalog(en, ja map[string]string) *Catalog {
	return &Catalog{langs: map[Lang]map[string]string{English: en, Japanese: ja}}
}

// T builds the text of a message. A message missing from a language is a
// programming error that the package's catalogue test catches; here it
// falls back to English, then to the ID.
func (c *Catalog) T(id string, args ...any) Text {
	return Text{EN: c.format(English, id, args), JA: c.format(Japanese, id, args)}
}

func (c *Catalog) format(l Lang, id string, args []any) string {
	f, ok := c.langs[l][id]
	if !ok {
		if f, ok = c.langs[English][id]; !ok {
			return id
		}
	}
	if len(args) == 0 {
		return f
	}
	in := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case Text:
			in[i] = v.In(l)
		case *Text:
			in[i] = v.In(l)
		case List:
			in[i] = v.in(l)
		default:
			in[i] = a
		}
	}
	return fmt.Sprintf(f, in...)
}

var verb = regexp.MustCompile(`%(\[[0-9]+\])?[-+# 0]*[0-9]*(\.[0-9]+)?[a-zA-Z%]`)

// Check reports what is wrong with a catalogue: a message missing from a
// language, or a message whose languages do not use the same arguments
// with the same verbs. Each package's tests call it.
func (c *Catalog) Check() []string {
	var out []string
	ids := map[string]bool{}
	for _, m := range c.langs {
		for id := range m {
			ids[id] = true
		}
	}
	sorted := make([]string, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	sort.Strings(sorted)
	for _, id := range sorted {
		var ref string
		var refLang Lang
		for _, l := range []Lang{English, Japanese} {
			f, ok := c.langs[l][id]
			if !ok {
				out = append(out, fmt.Sprintf("%s: no %s text", id, l))
				continue
			}
			if strings.TrimSpace(f) == "" {
				out = append(out, fmt.Sprintf("%s: empty %s text", id, l))
			}
			sig := signature(f)
			if refLang == "" {
				ref, refLang = sig, l
			} else if sig != ref {
				out = append(out, fmt.Sprintf("%s: %s uses %s, %s uses %s", id, refLang, ref, l, sig))
			}
		}
	}
	return out
}

// signature lists the arguments a format uses, by position, with their
// verb letters: "1s 2d".
func signature(f string) string {
	used := map[int]string{}
	next := 1
	for _, m := range verb.FindAllStringSubmatch(f, -1) {
		v := m[0]
		if strings.HasSuffix(v, "%") && len(v) == 2 {
			continue
		}
		n := next
		if m[1] != "" {
			fmt.Sscanf(m[1], "[%d]", &n)
		}
		used[n] = v[len(v)-1:]
		next = n + 1
	}
	keys := make([]int, 0, len(used))
	for k := range used {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d%s", k, used[k]))
	}
	return strings.Join(parts, " ")
}
