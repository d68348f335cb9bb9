package posjson

import (
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// tree renders a value with its positions, to compare two parses.
func tree(v *Value) any {
	switch v.Kind {
	case Array:
		out := []any{v.Offset, v.End}
		for _, e := range v.Elems {
			out = append(out, tree(e))
		}
		return out
	case Object:
		out := []any{v.Offset, v.End}
		for _, m := range v.Members {
			out = append(out, m.Key, m.KeyOffset, tree(m.Value))
		}
		return out
	}
	return []any{v.Kind.String(), v.Str, v.Offset, v.End}
}

func TestParserReuse(t *testing.T) {
	t.Parallel()
	docs := []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*"}]}`,
		`[1, {"a": [true, null, "x\u00e9"]}, [], {}]`,
		`"just a string"`,
		// Larger than what the first parses left blocks for.
		`{"list":[` + strings.Repeat(`{"k":"v","n":[1,2,3]},`, 5000) + `{}]}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"kms:*","Resource":"*"}}`,
		`{"bad": [1, 2}`,
		`{"after an error": "the parser still works"}`,
	}
	var p Parser
	for _, doc := range docs {
		want, wantErr := Parse([]byte(doc))
		got, gotErr := p.Parse([]byte(doc))
		if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
			t.Fatalf("Parser.Parse(%.30q) error %v, Parse error %v", doc, gotErr, wantErr)
		}
		if wantErr != nil {
			continue
		}
		if w, g := tree(want), tree(got); !reflect.DeepEqual(w, g) {
			t.Errorf("Parser.Parse(%.30q) differs from Parse (-Parse +Parser):\n%s", doc, cmp.Diff(w, g))
		}
	}
}

func TestStringCache(t *testing.T) {
	t.Parallel()
	var c stringCache
	// More strings than slots: every lookup must give back its own text,
	// whatever it evicts.
	for round := range 2 {
		for i := range 3 * stringCacheSize {
			b := []byte("key-" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + strings.Repeat("y", i%5) + "-" + string(rune('0'+round)))
			if got := c.get(b); got != string(b) {
				t.Fatalf("get(%q) = %q", b, got)
			}
		}
	}
	long := []byte(strings.Repeat("z", maxCachedString+1))
	if got := c.get(long); got != string(long) {
		t.Fatalf("get(long) = %q", got)
	}
	// A cached string is a string of its own, not a view of the input.
	b := []byte("Effect")
	s := c.get(b)
	b[0] = 'X'
	if s != "Effect" || c.get([]byte("Effect")) != "Effect" {
		t.Errorf("changing the input changed the cached string: %q", s)
	}
}

func TestPath(t *testing.T) {
	t.Parallel()
	root := RootPath("")
	kp := root.Member("keyPolicy")
	st := kp.Member("Statement")
	s0 := st.Index(0)
	cond := s0.Member("Condition")
	op := cond.Member("StringEquals")
	key := op.Key(`kms:ViaService "x"`)
	base := RootPath("identityPolicies[2]")
	inner := base.Member("Statement")
	first := root.Index(3)
	tests := []struct {
		path *Path
		want string
	}{
		{&root, ""},
		{&kp, "keyPolicy"},
		{&s0, "keyPolicy.Statement[0]"},
		{&key, `keyPolicy.Statement[0].Condition.StringEquals["kms:ViaService \"x\""]`},
		{&inner, "identityPolicies[2].Statement"},
		{&first, "[3]"},
	}
	for _, tt := range tests {
		if got := tt.path.String(); got != tt.want {
			t.Errorf("Path.String() = %q, want %q", got, tt.want)
		}
	}
}
