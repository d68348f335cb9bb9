package msg

import (
	"strings"
	"testing"
)

func TestCatalog(t *testing.T) {
	c := NewCatalog(map[string]string{
		"a": "%s has %d keys",
		"b": "only English",
		"c": "%s and %s",
	}, map[string]string{
		"a": "%[2]d 個のキーが %[1]s にあります",
		"c": "%sと%d",
	})
	got := c.T("a", Text{EN: "the role", JA: "ロール"}, 3)
	if got.EN != "the role has 3 keys" || got.JA != "3 個のキーが ロール にあります" {
		t.Errorf("T = %+v", got)
	}
	if got := c.T("b").JA; got != "only English" {
		t.Errorf("a message missing in Japanese falls back to English, got %q", got)
	}
	if got := c.T("x").EN; got != "x" {
		t.Errorf("an unknown message is its ID, got %q", got)
	}
	if got := c.T("c", List{"a", "b", "c"}, List{"x"}); got.EN != "a, b and c and x" {
		t.Errorf("List in English = %q", got.EN)
	}
	problems := strings.Join(c.Check(), "\n")
	for _, want := range []string{"b: no ja text", "c: en uses 1s 2s, ja uses 1s 2d"} {
		if !strings.Contains(problems, want) {
			t.Errorf("Check() = %q, want it to report %q", problems, want)
		}
	}
	if strings.Contains(problems, "a:") {
		t.Errorf("Check() reports a message whose languages reorder the same arguments: %q", problems)
	}
}
