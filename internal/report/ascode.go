package report

import (
	"fmt"
	"strings"

	"github.com/keywarden/keywarden/internal/checks"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/escape"
	"github.com/keywarden/keywarden/internal/explain"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/verify"
)

// This file holds what the writers of "access as code" (verify.go,
// diff.go) share: their words in each language, and the rendering of the
// engine's explanations for a person and for Markdown.

// codeLabels are the words of the verify and diff reports in one
// language. Fields ending in F are fmt formats.
type codeLabels struct {
	// lang is the language of the engine's texts (explain.English,
	// explain.Japanese).
	lang           string
	VerifyTitle    string
	DiffTitle      string
	Expectations   string
	Input          string
	Old, New       string
	Generated      string
	Summary        string
	VerifySummaryF string // expectations, holds, violated, unknown
	StatusHolds    string
	StatusViolated string
	StatusUnknown  string
	KeysF          [2]string // number of keys selected: one, many
	NoKeys         string
	Undecided      string // prefix of an unknown counterexample
	Partly         string // a class only partly concerned
	Missing        string
	OnlyIf         string
	Caveats        string
	Fix            string
	CLI            string
	Verified       string
	NotVerified    string
	MoreF          string // n more
	// Counterexamples: name, actions, key.
	NotListedF, ForbiddenF, CannotF, NobodyF, BothF string
	NoKeyF                                          string // selector
	// Diff.
	DiffSummaryF      string // gained, lost, changed, unknown
	FindingsSummaryF  string // new, resolved, unchanged
	Gained, Lost      string
	Changed, Unknowns string
	KeysAdded         string
	KeysRemoved       string
	S3                string
	NewFindings       string
	ResolvedFindings  string
	NoChange          string
	GainedF, LostF    string // name, actions, key
	ChangedF          string // name, actions, key
	UnknownF          string // name, actions, key
	Was, Now          string
	WhyWord           string
	S3F               string // principal, operation, bucket, old, new
}

var codeCatalogue = map[checks.Lang]*codeLabels{
	checks.English: {
		lang:           explain.English,
		VerifyTitle:    "Access expectations",
		DiffTitle:      "Access diff",
		Expectations:   "Expectations",
		Input:          "Input",
		Old:            "Old",
		New:            "New",
		Generated:      "Generated",
		Summary:        "Summary",
		VerifySummaryF: "%d expectations: %d hold, %d violated, %d unknown",
		StatusHolds:    "HOLDS",
		StatusViolated: "VIOLATED",
		StatusUnknown:  "UNKNOWN",
		KeysF:          [2]string{"%d key", "%d keys"},
		NoKeys:         "no key selected",
		Undecided:      "undecided",
		Partly:         "in part",
		Missing:        "missing",
		OnlyIf:         "only if",
		Caveats:        "holds on what was read; unread inputs could take access away",
		Fix:            "Fix",
		CLI:            "AWS CLI",
		Verified:       "verified: keywarden re-checked the fixed configuration",
		NotVerified:    "not verified: review before applying",
		MoreF:          "… and %d more (see --format json)",
		NotListedF:     "%s can %s on %s, and is not listed",
		ForbiddenF:     "%s can %s on %s",
		CannotF:        "%s cannot %s on %s",
		NobodyF:        "%s: nobody can %s on %s",
		BothF:          "%s can %s on %s: operations of both lists",
		NoKeyF:         "no key matches %s, so nobody can",

		DiffSummaryF:     "access: %d gained, %d lost, %d changed, %d unknown",
		FindingsSummaryF: "findings: %d new, %d resolved, %d unchanged",
		Gained:           "Access gained",
		Lost:             "Access lost",
		Changed:          "Access changed (conditions)",
		Unknowns:         "Access that became, or stopped being, undecided",
		KeysAdded:        "Keys added",
		KeysRemoved:      "Keys removed",
		S3:               "S3 object access through SSE-KMS",
		NewFindings:      "New findings",
		ResolvedFindings: "Resolved findings",
		NoChange:         "No access changed.",
		GainedF:          "%s can now %s on %s",
		LostF:            "%s can no longer %s on %s",
		ChangedF:         "%s: the conditions of %s on %s changed",
		UnknownF:         "%s: %s on %s",
		Was:              "before",
		Now:              "now",
		WhyWord:          "why",
		S3F:              "%s %s on bucket %s: %s → %s",
	},
	checks.Japanese: {
		lang:           explain.Japanese,
		VerifyTitle:    "アクセスの期待値",
		DiffTitle:      "アクセスの差分",
		Expectations:   "期待値ファイル",
		Input:          "入力",
		Old:            "変更前",
		New:            "変更後",
		Generated:      "生成日時",
		Summary:        "概要",
		VerifySummaryF: "期待値 %d 件: 満たしている %d 件、違反 %d 件、判定不能 %d 件",
		StatusHolds:    "満たしている",
		StatusViolated: "違反",
		StatusUnknown:  "判定不能",
		KeysF:          [2]string{"キー %d 個", "キー %d 個"},
		NoKeys:         "該当するキーなし",
		Undecided:      "判定不能",
		Partly:         "一部",
		Missing:        "不足しているデータ",
		OnlyIf:         "条件",
		Caveats:        "読み取れたデータでは成立します。読み取れなかった入力によってアクセスが取り消される可能性があります",
		Fix:            "修正方法",
		CLI:            "AWS CLI",
		Verified:       "検証済み: 修正後の設定を keywarden で再評価しました",
		NotVerified:    "未検証: 適用する前に確認してください",
		MoreF:          "… ほか %d 件 (--format json を参照)",
		NotListedF:     "%s は %s を %s に対して実行できます (リストにありません)",
		ForbiddenF:     "%s は %s を %s に対して実行できます",
		CannotF:        "%s は %s を %s に対して実行できません",
		NobodyF:        "%s: %s を %s に対して実行できるプリンシパルがいません",
		BothF:          "%s は %s を %s に対して実行できます (両方のリストの操作)",
		NoKeyF:         "%s に一致するキーがないため、誰も実行できません",

		DiffSummaryF:     "アクセス: 追加 %d 件、削除 %d 件、条件の変更 %d 件、判定不能 %d 件",
		FindingsSummaryF: "検出結果: 新規 %d 件、解消 %d 件、変化なし %d 件",
		Gained:           "追加されたアクセス",
		Lost:             "削除されたアクセス",
		Changed:          "条件が変わったアクセス",
		Unknowns:         "判定不能になった、または判定できるようになったアクセス",
		KeysAdded:        "追加されたキー",
		KeysRemoved:      "削除されたキー",
		S3:               "SSE-KMS を使う S3 オブジェクトへのアクセス",
		NewFindings:      "新規の検出結果",
		ResolvedFindings: "解消した検出結果",
		NoChange:         "アクセスに変化はありません。",
		GainedF:          "%s は %s を %s に対して実行できるようになりました",
		LostF:            "%s は %s を %s に対して実行できなくなりました",
		ChangedF:         "%s: %s (%s) の条件が変わりました",
		UnknownF:         "%s: %s (%s)",
		Was:              "変更前",
		Now:              "変更後",
		WhyWord:          "理由",
		S3F:              "%s の %s (バケット %s): %s → %s",
	},
}

func codeLabelsFor(l checks.Lang) *codeLabels {
	if lb, ok := codeCatalogue[l]; ok {
		return lb
	}
	return codeCatalogue[checks.English]
}

// explanationLines renders an engine explanation for a person: the
// summary, each statement or grant, the conditions, what is missing. In
// Japanese the engine's texts are written by its message catalogue
// (package explain), as in scan reports. key is the key asked about.
func explanationLines(l *codeLabels, e *verify.Explanation, key string) []string {
	r := engine.Result{Decision: e.Decision, Rule: e.Rule, Conditional: e.Conditional, Conditions: e.Conditions,
		Unless: e.Unless, Summary: e.Summary, Reasons: e.Reasons, Missing: e.Missing, Unread: e.Unread}
	q := explain.Question{Action: strings.Join(e.Actions, ", "), Resource: key}
	var out []string
	if e.Summary != "" {
		out = append(out, explain.Summary(&r, q, l.lang))
	}
	for _, reason := range e.Reasons {
		out = append(out, "- "+explain.ReasonLine(reason, q, l.lang))
	}
	if e.Conditional {
		for _, c := range e.Conditions {
			if containsText(e.Unless, c) {
				out = append(out, explain.Condition(c, l.lang))
			} else {
				out = append(out, l.OnlyIf+": "+explain.Condition(c, l.lang))
			}
		}
	}
	if l.lang == explain.Japanese && e.Decision == engine.Unknown && len(e.Unread) > 0 {
		for _, g := range e.Unread {
			out = append(out, l.Missing+": "+explain.Gap(g, l.lang))
		}
	} else {
		for _, m := range e.Missing {
			out = append(out, l.Missing+": "+explain.Text(m, l.lang))
		}
	}
	return out
}

// md is mdText of s with the placeholders of planned resources in words.
func (l *codeLabels) md(s string) string {
	return mdText(inventory.DescribePlanned(s, l.lang))
}

// code is mdCode of s with the placeholders of planned resources in
// words.
func (l *codeLabels) code(s string) string {
	return mdCode(inventory.DescribePlanned(s, l.lang))
}

// decisionLabel names a decision in the labels' language.
func (l *codeLabels) decisionLabel(d engine.Decision, conditional bool) string {
	return explain.Decision(d, conditional, l.lang)
}

func containsText(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// mdText escapes text for Markdown: characters that would start markup,
// and HTML, so that a policy's text cannot change the comment it is shown
// in.
func mdText(s string) string {
	var b strings.Builder
	for _, r := range escape.Text(strings.ReplaceAll(s, "\n", " ")) {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '|', '#', '~', '!':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdCode writes s as inline code: a backtick run longer than any inside
// it delimits it.
func mdCode(s string) string {
	s = strings.ReplaceAll(escape.Text(s), "\n", " ")
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		pad = " "
	}
	return fence + pad + s + pad + fence
}

func actionsText(actions []string) string { return strings.Join(actions, ", ") }

func pluralF(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf(one, n)
	}
	return fmt.Sprintf(many, n)
}

// labelColumn pads labels ("Input:") to the widest of them, by display
// width (a Japanese character takes two columns).
func labelColumn(labels ...string) func(string) string {
	w := 0
	for _, l := range labels {
		w = max(w, displayWidth(l+":"))
	}
	return func(l string) string {
		return l + ":" + strings.Repeat(" ", w-displayWidth(l+":")+1)
	}
}
