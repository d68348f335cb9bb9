package report

import (
	"regexp"
	"strings"

	"github.com/keywarden/keywarden/internal/checks"
)

// The comments of the AWS CLI commands and Terraform snippets of fixes
// are sentences for people, and a report in Japanese writes them in
// Japanese. A fix carries its commands as one string in no particular
// language (checks.Remediation.CLI), so the report rewrites the comment
// lines it knows, one line at a time (a comment that spans two lines is
// two entries, each a line of the Japanese); the code itself, and a
// comment it does not know, are kept as written.
//
// This belongs with the fixes: once the remedy renderers write comments
// from a catalogue per language, this table goes.

type comment struct {
	re *regexp.Regexp
	ja string
}

func cm(pattern, ja string) comment {
	return comment{regexp.MustCompile(`^` + pattern + `$`), ja}
}

var snippetComments = []comment{
	cm(`A customer managed policy keeps at most five versions: delete the oldest non-default one first if needed`,
		"カスタマー管理ポリシーが保持できるバージョンは 5 個までです。必要であれば、デフォルトでない最も古いバージョンを先に削除してください"),
	cm(`… and the same for the other (\d+) keys`, "… 残りの ${1} 個のキーも同様です"),
	cm(`\.\.\. the key's existing arguments \.\.\.`, "... キーの既存の引数 ..."),
	cm(`A key whose deletion is cancelled is Disabled; enable it if it was in use:`,
		"削除をキャンセルしたキーは無効 (Disabled) になります。使用中だった場合は有効にしてください:"),
	cm(`If the grantee still needs the key, create the grant again limited to the encryption context`,
		"被付与者が引き続きキーを必要とする場合は、アプリケーションが送る暗号化コンテキストに限定して"),
	cm(`its application sends \(replace CONTEXT_KEY and CONTEXT_VALUE\):`,
		"グラントを作り直してください (CONTEXT_KEY と CONTEXT_VALUE を置き換えます):"),
	cm(`The encryption context the grantee's application sends\.`, "被付与者のアプリケーションが送る暗号化コンテキストです。"),
	cm(`Prevention for the other keys: an SCP that forbids bypassing the key policy`,
		"他のキーの予防策: キーポリシーのロックアウト安全チェックの"),
	cm(`lockout safety check \(attach it to the organization root or the OUs\)\.`,
		"回避を禁止する SCP です (組織のルートまたは OU にアタッチします)。"),
	cm(`Terraform schedules deletion when an aws_kms_key is destroyed\. After cancelling,`,
		"Terraform は aws_kms_key を破棄するとキーの削除をスケジュールします。キャンセルした後は"),
	cm(`add to statement ([^:]+): (.*)`, "ステートメント ${1} に追加します: ${2}"),
	cm(`keep the key in the configuration \((terraform import [^)]*)\) and protect it:`,
		"キーを構成に残し (${1})、削除から保護してください:"),
}

// commentLine is a comment line of a shell command or a Terraform
// snippet: its indentation, the marker ("#" or "//") and the text.
var commentLine = regexp.MustCompile(`^(\s*)(#|//) ?(.*)$`)

// commentsIn puts the comment lines of code it knows into the language.
func commentsIn(code string, lang checks.Lang) string {
	if lang != checks.Japanese || (!strings.Contains(code, "#") && !strings.Contains(code, "//")) {
		return code
	}
	lines := strings.Split(code, "\n")
	for i, line := range lines {
		m := commentLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		for _, c := range snippetComments {
			if c.re.MatchString(m[3]) {
				lines[i] = m[1] + m[2] + " " + c.re.ReplaceAllString(m[3], c.ja)
				break
			}
		}
	}
	return strings.Join(lines, "\n")
}
