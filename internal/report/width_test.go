package report

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDisplayWidth(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"Principal", 9},
		{"プリンシパル", 12},
		{"キー 1234", 9},
		{"ｱ", 1}, // half-width katakana
		{"Ａ", 2}, // full-width Latin
		{"e\u0301", 1},
		{"\x1b[1;31m[HIGH]\x1b[0m", 6},
	}
	for _, tt := range tests {
		if got := displayWidth(tt.in); got != tt.want {
			t.Errorf("displayWidth(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestWrap(t *testing.T) {
	arn := "arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	tests := []struct {
		name  string
		in    string
		width int
		want  []string
	}{
		{"empty", "", 10, []string{""}},
		{"fits", "one two", 10, []string{"one two"}},
		{"at spaces", "one two three four", 9, []string{"one two", "three", "four"}},
		{"spaces collapse", "one   two\nthree", 20, []string{"one two three"}},
		{"long word alone", "see " + arn + " now", 20, []string{"see", arn, "now"}},
		{"ARN not split at colons", arn, 30, []string{arn}},
		{"japanese between characters", "すべてのキーで復号できます", 10, []string{"すべての", "キーで復号", "できます"}},
		{"no line starts with 。", "あいうえ。かき", 8, []string{"あいう", "え。かき"}},
		{"mixed", "ロール app は kms:Decrypt を許可", 12, []string{"ロール app", "は", "kms:Decrypt", "を許可"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wrap(tt.in, tt.width)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("wrap(%q, %d) (-want +got):\n%s", tt.in, tt.width, diff)
			}
			for _, l := range got {
				if displayWidth(l) > tt.width && !strings.Contains(l, arn) && !strings.Contains(l, "kms:") {
					t.Errorf("line %q is wider than %d", l, tt.width)
				}
			}
		})
	}
}
