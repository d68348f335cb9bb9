// Package ordjson writes JSON objects whose members keep the order they
// were given in, as AWS documents its policy elements (Version, Id,
// Statement; Sid, Effect, Principal, ...), without escaping HTML
// characters: the documents it writes are pasted into policies, not web
// pages.
package ordjson

import (
	"bytes"
	"encoding/json"
)

// A Member is one member of an Object.
type Member struct {
	Key   string
	Value any
}

// An Object is a JSON object whose members are written in order.
type Object []Member

// Set replaces the value of the member k, or adds it last.
func (o *Object) Set(k string, v any) {
	for i := range *o {
		if (*o)[i].Key == k {
			(*o)[i].Value = v
			return
		}
	}
	*o = append(*o, Member{k, v})
}

// Get returns the value of the member k.
func (o Object) Get(k string) (any, bool) {
	for _, m := range o {
		if m.Key == k {
			return m.Value, true
		}
	}
	return nil, false
}

// MarshalJSON writes the members in order.
func (o Object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := Marshal(m.Key)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		v, err := Marshal(m.Value)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Marshal is json.Marshal without HTML escaping.
func Marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
