package checks

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// docsPath is the generated page, relative to this package.
const docsPath = "../../docs/checks.md"

// TestMarkdown fails when docs/checks.md is not what the registry
// generates; -update rewrites it.
func TestMarkdown(t *testing.T) {
	var got bytes.Buffer
	if err := WriteMarkdown(&got); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(docsPath, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatalf("%v (run: go test ./internal/checks -run TestMarkdown -update)", err)
	}
	if diff := cmp.Diff(string(want), got.String()); diff != "" {
		t.Errorf("docs/checks.md is stale; run: go test ./internal/checks -run TestMarkdown -update\n(-want +got):\n%s", diff)
	}
}

// TestWriteMarkdown pins the page's structure on made-up checks: both
// languages, anchors, the index, and text that would otherwise break the
// Markdown.
func TestWriteMarkdown(t *testing.T) {
	t.Parallel()
	cs := []*Check{
		{
			ID: "a-check", Severity: Critical, Control: "KMS.9",
			Title:       Text{EN: "A | B", JA: "エー | ビー"},
			Description: Text{EN: "Allows kms:* on \"*\"\nin <policy>.", JA: "kms:* を許可"},
			Risk:        Text{EN: "Risky_thing.", JA: "危険"},
			References:  []string{"https://docs.aws.amazon.com/kms/latest/developerguide/overview.html"},
		},
		{
			ID: "b-check", Severity: Low,
			Title:       Text{EN: "Only English", JA: ""},
			Description: Text{EN: "d", JA: "説明"}, Risk: Text{EN: "r", JA: "リスク"},
			References: []string{"https://example.com/a", "https://example.com/b"},
		},
	}
	var b bytes.Buffer
	if err := writeMarkdown(&b, cs); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		"runs these 2 checks",
		"| [`a-check`](#a-check) | critical | KMS.9 | A \\| B |\n",
		"| [`b-check`](#b-check) | low | — | Only English |\n",
		"| [`a-check`](#ja-a-check) | critical | KMS.9 | エー \\| ビー |\n",
		// A Japanese text missing falls back to English rather than vanish.
		"| [`b-check`](#ja-b-check) | low | — | Only English |\n",
		"<a id=\"a-check\"></a>\n\n### `a-check`\n\n**A | B**\n\n- Severity: critical\n- Security Hub: KMS.9\n\n",
		"**What it checks**: Allows kms:\\* on \"\\*\" in \\<policy>.\n",
		"**Why it matters**: Risky\\_thing.\n",
		"<a id=\"ja-a-check\"></a>\n\n### `a-check`\n\n**エー | ビー**\n\n- 重大度: critical\n",
		"**確認内容**: kms:\\* を許可\n",
		"- <https://example.com/a>\n- <https://example.com/b>\n",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q; page:\n%s", want, page)
		}
	}
	if en, ja := strings.Index(page, "## English"), strings.Index(page, "## 日本語"); en < 0 || ja < en {
		t.Errorf("want the English section, then the Japanese one; at %d and %d", en, ja)
	}
}
