package checks

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown writes the catalogue as a Markdown page: an index, then
// every check in English, then every check in Japanese. docs/checks.md is
// its output, kept current by a golden test, so the page never says
// anything the registry does not.
func WriteMarkdown(w io.Writer) error {
	return writeMarkdown(w, All())
}

// markdownLabels are the fixed words of the page in one language.
type markdownLabels struct {
	lang                                   Lang
	heading, intro                         string
	id, severity, control, title           string
	description, risk, references, noneTxt string
}

var markdownLanguages = []markdownLabels{
	{
		lang:    English,
		heading: "English",
		intro: "Each check reads the inventory and decides with keywarden's engine, not by matching policy text. " +
			"A finding is `fail`, `pass` or `unknown` (data needed to decide could not be read; never counted as a pass). " +
			"Failed findings carry a fix: a plan of edits (key policy, IAM policy, grant, key state) rendered as console steps, AWS CLI commands and Terraform, " +
			"which the engine proves before it is shown — valid (AWS accepts every document), effective (the finding no longer holds), " +
			"minimal (the access that changes, shown as an access diff, is what the finding is about) and safe (every key stays manageable, nobody gains access). " +
			"Findings that one fix resolves share it; a fix that needs what keywarden cannot know (which keys a role uses) names a placeholder with candidates. " +
			"`keywarden scan` prints it.",
		id: "ID", severity: "Severity", control: "Security Hub", title: "Title",
		description: "What it checks", risk: "Why it matters", references: "References", noneTxt: "—",
	},
	{
		lang:    Japanese,
		heading: "日本語",
		intro: "各チェックはインベントリを読み、ポリシーの文字列照合ではなく keywarden のエンジンで判定します。" +
			"検出結果は `fail`、`pass`、`unknown` (判定に必要なデータを読めなかったもの。合格とは数えません) のいずれかです。" +
			"`fail` の検出結果には修正方法が付きます: 変更の計画 (キーポリシー、IAM ポリシー、グラント、キーの状態) を、コンソールの手順、AWS CLI コマンド、Terraform として示したもので、" +
			"表示する前にエンジンで検証します — 有効 (書き込むドキュメントを AWS が受け付ける)、効果がある (検出結果が解消される)、" +
			"最小限 (変わるアクセスをアクセスの差分として示し、それが検出結果の対象そのものである)、安全 (すべてのキーが管理可能なままで、アクセスを新たに得る者がいない)。" +
			"1 つの修正で解消する検出結果はその修正を共有します。keywarden が知り得ないこと (ロールが実際に使うキー) が必要な修正では、候補付きのプレースホルダーを示します。" +
			"`keywarden scan` が表示します。",
		id: "ID", severity: "重大度", control: "Security Hub", title: "タイトル",
		description: "確認内容", risk: "リスク", references: "参考資料", noneTxt: "—",
	},
}

func writeMarkdown(w io.Writer, cs []*Check) error {
	b := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }

	p("# Checks\n\n")
	p("<!-- Generated from the check registry (internal/checks) by checks.WriteMarkdown. Do not edit:\n")
	p("     change the check, then run: go test ./internal/checks -run TestMarkdown -update -->\n\n")
	p("`keywarden scan` runs these %d checks. Their IDs are stable: use them in `--checks`, in\n", len(cs))
	p("[suppression files](suppressions.md) and to grep reports. `keywarden checks list` and\n")
	p("`keywarden checks explain ID` print the same text in a terminal (`--lang ja` for Japanese).\n\n")
	p("[English](#english) · [日本語](#日本語)\n\n")

	for _, l := range markdownLanguages {
		p("## %s\n\n%s\n\n", l.heading, l.intro)
		p("| %s | %s | %s | %s |\n| --- | --- | --- | --- |\n", l.id, l.severity, l.control, l.title)
		for _, c := range cs {
			p("| [`%s`](#%s) | %s | %s | %s |\n", c.ID, anchor(l.lang, c.ID), c.Severity, orNone(c.Control, l.noneTxt), cell(c.Title.In(l.lang)))
		}
		p("\n")
		for _, c := range cs {
			p("<a id=\"%s\"></a>\n\n### `%s`\n\n", anchor(l.lang, c.ID), c.ID)
			p("**%s**\n\n", inline(c.Title.In(l.lang)))
			p("- %s: %s\n", l.severity, c.Severity)
			p("- %s: %s\n\n", l.control, orNone(c.Control, l.noneTxt))
			p("%s: %s\n\n", bold(l.description), inline(c.Description.In(l.lang)))
			p("%s: %s\n\n", bold(l.risk), inline(c.Risk.In(l.lang)))
			p("%s:\n\n", bold(l.references))
			for _, r := range c.References {
				p("- <%s>\n", r)
			}
			p("\n")
		}
	}
	return b.Flush()
}

// anchor is the link target of a check in one language. The English
// anchor is the bare ID, so docs/checks.md#key-public works.
func anchor(l Lang, id string) string {
	if l == English {
		return id
	}
	return string(l) + "-" + id
}

func bold(s string) string { return "**" + s + "**" }

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

// inline makes text safe on one Markdown line: line breaks become spaces
// and characters that would start markup where the text means them
// literally are escaped.
func inline(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.NewReplacer(`\`, `\\`, "<", `\<`, "*", `\*`, "_", `\_`).Replace(s)
}

// cell is inline text that may also sit in a table cell.
func cell(s string) string { return strings.ReplaceAll(inline(s), "|", `\|`) }
