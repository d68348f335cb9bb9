package cli

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keywarden/keywarden/internal/checks"
)

// fakeChecks stand for the registry, so that these tests do not change
// when checks are added.
var fakeChecks = []*checks.Check{
	{
		ID: "key-public", Severity: checks.Critical, Control: "KMS.5",
		Title:       checks.Text{EN: "Keys should not be public", JA: "キーを公開しないこと"},
		Description: checks.Text{EN: "Looks at key policies.", JA: "キーポリシーを確認します。"},
		Risk:        checks.Text{EN: "Anyone can decrypt.", JA: "誰でも復号できます。"},
		References:  []string{"https://docs.aws.amazon.com/a", "https://docs.aws.amazon.com/b"},
	},
	{
		ID: "grant-broad", Severity: checks.Low,
		Title:       checks.Text{EN: "Grants should be narrow"},
		Description: checks.Text{EN: "d"}, Risk: checks.Text{EN: "r"},
		References: []string{"https://docs.aws.amazon.com/c"},
	},
}

func TestWriteCheckList(t *testing.T) {
	tests := []struct {
		lang checks.Lang
		want string
	}{
		{checks.English, "" +
			"ID           SEVERITY  CONTROL  TITLE\n" +
			"key-public   critical  KMS.5    Keys should not be public\n" +
			"grant-broad  low       -        Grants should be narrow\n"},
		// Japanese headings are two columns a character; severities are
		// named in Japanese, with the name --fail-on takes; a title
		// without Japanese falls back to English.
		{checks.Japanese, "" +
			"ID           重大度           コントロール  タイトル\n" +
			"key-public   緊急 (critical)  KMS.5         キーを公開しないこと\n" +
			"grant-broad  低 (low)         -             Grants should be narrow\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := writeCheckList(&b, fakeChecks, tt.lang); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, b.String()); diff != "" {
			t.Errorf("writeCheckList(%s) (-want +got):\n%s", tt.lang, diff)
		}
	}
}

func TestWriteCheckExplanation(t *testing.T) {
	tests := []struct {
		check *checks.Check
		lang  checks.Lang
		want  string
	}{
		{fakeChecks[0], checks.English, "" +
			"key-public: Keys should not be public\n\n" +
			"Severity: critical\nSecurity Hub control: KMS.5\n\n" +
			"What it checks:\n  Looks at key policies.\n\n" +
			"Why it matters:\n  Anyone can decrypt.\n\n" +
			"References:\n  https://docs.aws.amazon.com/a\n  https://docs.aws.amazon.com/b\n"},
		{fakeChecks[0], checks.Japanese, "" +
			"key-public: キーを公開しないこと\n\n" +
			"重大度: 緊急 (critical)\nSecurity Hub コントロール: KMS.5\n\n" +
			"確認内容:\n  キーポリシーを確認します。\n\n" +
			"リスク:\n  誰でも復号できます。\n\n" +
			"参考資料:\n  https://docs.aws.amazon.com/a\n  https://docs.aws.amazon.com/b\n"},
		{fakeChecks[1], checks.English, "" +
			"grant-broad: Grants should be narrow\n\n" +
			"Severity: low\nSecurity Hub control: -\n\n" +
			"What it checks:\n  d\n\nWhy it matters:\n  r\n\nReferences:\n  https://docs.aws.amazon.com/c\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := writeCheckExplanation(&b, tt.check, tt.lang); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, b.String()); diff != "" {
			t.Errorf("writeCheckExplanation(%s, %s) (-want +got):\n%s", tt.check.ID, tt.lang, diff)
		}
	}
}
