package explain

import "testing"

func TestWithoutCode(t *testing.T) {
	out := "Fix:\n  aws kms put-key-policy --policy 'x'\n  # 鍵ポリシーを置き換えます\n  // keep this comment\nDone."
	code := map[string]bool{
		"aws kms put-key-policy --policy 'x'": true,
		"# 鍵ポリシーを置き換えます":                      true,
		"// keep this comment":                true,
	}
	want := "Fix:\n鍵ポリシーを置き換えます\nkeep this comment\nDone."
	if got := WithoutCode(out, code); got != want {
		t.Errorf("WithoutCode = %q, want %q", got, want)
	}
}
