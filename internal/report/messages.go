package report

import (
	"fmt"

	"github.com/keywarden/keywarden/internal/checks"
)

// labels are the words a report prints around the texts of findings, in
// one language. Fields ending in F are fmt formats.
type labels struct {
	ReportTitle string // "KMS access report"
	Generated   string
	Input       string
	ChecksRun   string

	Summary          string
	SummaryLineF     string // counts: fail, unknown, pass, suppressed
	ExpiredCountF    [2]string
	FailBySeverity   string
	Findings         string
	NoFailures       string
	HeadingF         string // a heading and a count
	ListSep          string
	Severity         string
	Check            string
	Control          string
	Resource         string
	Message          string
	Principal        string
	Policy           string
	Statement        string
	Source           string
	Why              string
	Console          string
	CLI              string
	Terraform        string
	Alternative      string
	Verified         string
	NotVerified      string
	VerifiedShort    string
	NotVerifiedShort string
	Unknown          string // heading of the unknown section
	UnknownIntro     string
	Missing          string // "could not be decided; missing:"
	Passed           string
	Suppressed       string
	SuppressedIntro  string
	Reason           string
	Expires          string
	Expired          string
	NeverExpires     string
	ExpiredHeading   string
	ExpiredIntro     string
	Title            string
	References       string
	None             string
	GeneratedBy      string
	CouldNotDecideF  string // SARIF message of an unknown finding: message, missing
	SeverityNames    [5]string
	StatusNames      [3]string
	SeverityTagNames [5]string // how text output names a severity group

	// The index and the details.
	Index       string // heading of the findings index
	Details     string
	ColNumber   string
	ColSeverity string
	ColCheck    string
	ColResource string
	ColPrincip  string
	MoreInlineF string // "(+%d more)", after the last item shown
	ShowAll     string // how to see them
	FindingRefF string // "[%d]": a finding's number
	SameFixF    string // a fix listed at an earlier finding: its number
	Fix         string

	// The parts of a fix.
	Edits        string
	Statements   string // "statements" of an edit: the indexes it changes
	Document     string // the document an edit writes
	AccessDiff   string
	DiffCountF   string // removed, added
	ColPrincipal string
	ColKey       string
	ColAction    string
	ColBefore    string
	ColAfter     string
	Proof        string
	ClaimNames   [4]string // valid, effective, minimal, safe
	DoesNotHold  string
	Placeholders string
	Candidates   string
	UserChoice   string    // the values only the user knows
	LinesF       [2]string // "%d line", "%d lines"
	StepsF       [2]string // "%d step", "%d steps"
	OtherFixes   string
	Copy         string
	Copied       string
	CopyHint     string
	ListOfF      string // "%d actions": a long list of actions, counted
}

// catalogue holds the labels in every language keywarden speaks. A test
// checks that no field is empty in any language.
var catalogue = map[checks.Lang]*labels{
	checks.English: {
		ReportTitle: "KMS access report",
		Generated:   "Generated",
		Input:       "Input",
		ChecksRun:   "Checks run",

		Summary:          "Summary",
		SummaryLineF:     "%d failed, %d unknown, %d passed, %d suppressed",
		ExpiredCountF:    [2]string{"%d expired suppression", "%d expired suppressions"},
		FailBySeverity:   "Failed by severity",
		Findings:         "Findings",
		NoFailures:       "No check failed.",
		HeadingF:         "%s (%d)",
		ListSep:          ", ",
		Severity:         "Severity",
		Check:            "Check",
		Control:          "Control",
		Resource:         "Resource",
		Message:          "Message",
		Principal:        "Principal",
		Policy:           "Policy",
		Statement:        "Statement",
		Source:           "Source",
		Why:              "Why",
		Console:          "Console",
		CLI:              "AWS CLI",
		Terraform:        "Terraform",
		Alternative:      "Alternative",
		Verified:         "verified: keywarden re-checked the fixed configuration",
		NotVerified:      "not verified: review before applying",
		VerifiedShort:    "verified",
		NotVerifiedShort: "not verified: review before applying",
		Unknown:          "Could not be decided",
		UnknownIntro:     "Data needed to decide these checks could not be read. They are not counted as passed.",
		Missing:          "Could not be decided; missing",
		Passed:           "Passed",
		Suppressed:       "Suppressed",
		SuppressedIntro:  "Accepted by a suppression; not counted as failures.",
		Reason:           "Reason",
		Expires:          "Expires",
		Expired:          "Expired",
		NeverExpires:     "never",
		ExpiredHeading:   "Expired suppressions",
		ExpiredIntro:     "These suppressions have expired and no longer suppress: the findings they matched are reported above. Renew or remove them.",
		Title:            "Title",
		References:       "References",
		None:             "none",
		GeneratedBy:      "Generated by",
		CouldNotDecideF:  "Could not be decided: %s Missing: %s",
		SeverityNames:    [5]string{"Info", "Low", "Medium", "High", "Critical"},
		StatusNames:      [3]string{"Failed", "Passed", "Unknown"},
		SeverityTagNames: [5]string{
			"INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL",
		},

		Index:       "Findings",
		Details:     "Details",
		ColNumber:   "#",
		ColSeverity: "SEVERITY",
		ColCheck:    "CHECK",
		ColResource: "RESOURCE",
		ColPrincip:  "PRINCIPAL",
		MoreInlineF: "(+%d more)",
		ShowAll:     "--remediation full or --format json shows everything",
		FindingRefF: "[%d]",
		SameFixF:    "the same fix as finding [%d]",
		Fix:         "Fix",

		Edits:        "Changes",
		Statements:   "statements",
		Document:     "New document",
		AccessDiff:   "Access it changes",
		DiffCountF:   "%d removed, %d added",
		ColPrincipal: "Principal",
		ColKey:       "Key",
		ColAction:    "Action",
		ColBefore:    "Before",
		ColAfter:     "After",
		Proof:        "Proof",
		ClaimNames:   [4]string{"valid (AWS accepts every document)", "effective (the finding no longer holds)", "minimal (only the access the finding is about changes)", "safe (every key stays manageable, nobody gains access)"},
		DoesNotHold:  "does not hold",
		Placeholders: "Values you must choose",
		Candidates:   "candidates",
		UserChoice:   "keywarden cannot know this value: the choice is yours",
		LinesF:       [2]string{"%d line", "%d lines"},
		StepsF:       [2]string{"%d step", "%d steps"},
		OtherFixes:   "Other fixes",
		Copy:         "Copy",
		Copied:       "Copied",
		CopyHint:     "One click on a command selects all of it.",
		ListOfF:      "%d actions",
	},
	checks.Japanese: {
		ReportTitle: "KMS アクセスレポート",
		Generated:   "生成日時",
		Input:       "入力",
		ChecksRun:   "実行したチェック",

		Summary:          "概要",
		SummaryLineF:     "違反 %d 件、判定不能 %d 件、合格 %d 件、抑制 %d 件",
		ExpiredCountF:    [2]string{"期限切れの抑制 %d 件", "期限切れの抑制 %d 件"},
		FailBySeverity:   "重大度別の違反",
		Findings:         "検出結果",
		NoFailures:       "違反したチェックはありません。",
		HeadingF:         "%s (%d 件)",
		ListSep:          "、",
		Severity:         "重大度",
		Check:            "チェック",
		Control:          "コントロール",
		Resource:         "リソース",
		Message:          "メッセージ",
		Principal:        "プリンシパル",
		Policy:           "ポリシー",
		Statement:        "ステートメント",
		Source:           "入力箇所",
		Why:              "理由",
		Console:          "コンソール",
		CLI:              "AWS CLI",
		Terraform:        "Terraform",
		Alternative:      "その他の修正方法",
		Verified:         "検証済み: 修正後の設定を keywarden で再評価しました",
		NotVerified:      "未検証: 適用する前に確認してください",
		VerifiedShort:    "検証済み",
		NotVerifiedShort: "未検証: 適用前に確認してください",
		Unknown:          "判定できなかった検出結果",
		UnknownIntro:     "判定に必要なデータを読み取れなかったチェックです。合格としては数えていません。",
		Missing:          "判定できませんでした。不足しているデータ",
		Passed:           "合格",
		Suppressed:       "抑制済み",
		SuppressedIntro:  "抑制設定により受け入れられた検出結果です。違反としては数えていません。",
		Reason:           "抑制の理由",
		Expires:          "有効期限",
		Expired:          "期限切れ",
		NeverExpires:     "なし",
		ExpiredHeading:   "期限切れの抑制",
		ExpiredIntro:     "有効期限が切れたため、これらの抑制はもう適用されません。該当する検出結果は上に報告しています。更新するか削除してください。",
		Title:            "タイトル",
		References:       "参考資料",
		None:             "なし",
		GeneratedBy:      "生成ツール",
		CouldNotDecideF:  "判定できませんでした: %s 不足しているデータ: %s",
		SeverityNames:    [5]string{"情報", "低", "中", "高", "緊急"},
		StatusNames:      [3]string{"違反", "合格", "判定不能"},
		SeverityTagNames: [5]string{
			"情報", "低", "中", "高", "緊急",
		},

		Index:       "検出結果の一覧",
		Details:     "詳細",
		ColNumber:   "番号",
		ColSeverity: "重大度",
		ColCheck:    "チェック",
		ColResource: "リソース",
		ColPrincip:  "プリンシパル",
		MoreInlineF: "(ほか %d 件)",
		ShowAll:     "すべて表示するには --remediation full または --format json を指定してください",
		FindingRefF: "[%d]",
		SameFixF:    "検出結果 [%d] と同じ修正",
		Fix:         "修正",

		Edits:        "変更内容",
		Statements:   "ステートメント",
		Document:     "新しいドキュメント",
		AccessDiff:   "変わるアクセス",
		DiffCountF:   "削除 %d 件、追加 %d 件",
		ColPrincipal: "プリンシパル",
		ColKey:       "キー",
		ColAction:    "アクション",
		ColBefore:    "変更前",
		ColAfter:     "変更後",
		Proof:        "検証",
		ClaimNames:   [4]string{"有効 (すべてのドキュメントを AWS が受け付ける)", "効果 (検出結果が解消する)", "最小 (検出結果に関わるアクセスだけが変わる)", "安全 (すべてのキーを管理でき、アクセスが増えるプリンシパルはない)"},
		DoesNotHold:  "不成立",
		Placeholders: "選択が必要な値",
		Candidates:   "候補",
		UserChoice:   "この値は keywarden にはわかりません。選ぶのは利用者です",
		LinesF:       [2]string{"%d 行", "%d 行"},
		StepsF:       [2]string{"%d 手順", "%d 手順"},
		OtherFixes:   "その他の修正方法",
		Copy:         "コピー",
		Copied:       "コピーしました",
		CopyHint:     "コマンドをクリックすると全体を選択できます。",
		ListOfF:      "%d 個のアクション",
	},
}

// labelsFor returns the labels of a language, English when it has none.
func labelsFor(l checks.Lang) *labels {
	if lb, ok := catalogue[l]; ok {
		return lb
	}
	return catalogue[checks.English]
}

// plural picks the singular or the plural form for n.
func plural(forms [2]string, n int) string {
	if n == 1 {
		return fmt.Sprintf(forms[0], n)
	}
	return fmt.Sprintf(forms[1], n)
}

func (l *labels) severity(s checks.Severity) string {
	if int(s) < len(l.SeverityNames) {
		return l.SeverityNames[s]
	}
	return s.String()
}

func (l *labels) status(s checks.Status) string {
	if int(s) < len(l.StatusNames) {
		return l.StatusNames[s]
	}
	return s.String()
}

func (l *labels) severityTag(s checks.Severity) string {
	if int(s) < len(l.SeverityTagNames) {
		return l.SeverityTagNames[s]
	}
	return s.String()
}
