package explain

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/scenario"
)

// decided is every scenario of the engine's corpus and of the examples,
// decided once.
func decided(t *testing.T) []struct {
	name string
	q    Question
	r    engine.Result
} {
	t.Helper()
	ss, err := scenario.Load("../engine/testdata/scenarios", "../../examples/scenarios")
	if err != nil {
		t.Fatal(err)
	}
	var out []struct {
		name string
		q    Question
		r    engine.Result
	}
	for _, s := range ss {
		q := Question{Principal: s.Request.Principal, Action: s.Request.Action, Resource: s.Request.Resource}
		p := s.Policies
		out = append(out, struct {
			name string
			q    Question
			r    engine.Result
		}{s.Source.String() + " " + s.Name, q, engine.Decide(s.Request, &p)})
	}
	if len(out) < 100 {
		t.Fatalf("only %d scenarios", len(out))
	}
	return out
}

// TestRolesSideBySide shows that the catalogue's English roles, written
// from Kind and Subject alone, are the engine's own words: the structure
// carries all a renderer needs, so the Japanese written from it says the
// same thing.
func TestRolesSideBySide(t *testing.T) {
	seen := map[engine.RoleKind]bool{}
	for _, d := range decided(t) {
		for _, r := range d.r.Reasons {
			seen[r.Kind] = true
			if got := role(r, d.q, English); got != r.Role {
				t.Errorf("%s: role of %s %s = %q, the engine says %q", d.name, r.Policy, r.Kind, got, r.Role)
			}
			if ja := role(r, d.q, Japanese); ja == r.Role || len(EnglishRuns(ja)) > 0 {
				t.Errorf("%s: Japanese role of %s is %q", d.name, r.Kind, ja)
			}
		}
	}
	if len(seen) < 10 {
		t.Errorf("the corpus exercises only %d role kinds", len(seen))
	}
}

// TestJapaneseExplanations renders every decision of the corpus in
// Japanese and fails on English prose left in it.
func TestJapaneseExplanations(t *testing.T) {
	bad := map[string]string{}
	for _, d := range decided(t) {
		for _, line := range Lines(&d.r, d.q, Japanese) {
			for _, run := range EnglishRuns(line) {
				if _, ok := bad[run]; !ok {
					bad[run] = d.name + ": " + line
				}
			}
		}
		// The English lines are the engine's.
		en := Lines(&d.r, d.q, English)
		if en[0] != d.r.Summary {
			t.Errorf("%s: English summary %q, the engine says %q", d.name, en[0], d.r.Summary)
		}
	}
	runs := make([]string, 0, len(bad))
	for r := range bad {
		runs = append(runs, r)
	}
	sort.Strings(runs)
	for _, r := range runs {
		t.Errorf("English left in Japanese: %q in\n\t%s", r, bad[r])
	}
}

func TestText(t *testing.T) {
	tests := []struct{ in, want string }{
		{
			"呼び出し元が自分で満たせる条件: its own IAM policies allow kms:Decrypt on this key",
			"呼び出し元が自分で満たせる条件: 呼び出し元自身の IAM ポリシーが、このキーに対する kms:Decrypt を許可すること",
		},
		{
			"アカウント 111122223333 のルートユーザー: implicitly denied: no key policy statement allows kms:PutKeyPolicy for this caller, directly or by delegation to account 111122223333; IAM policies alone can never allow access to a KMS key",
			"アカウント 111122223333 のルートユーザー: 暗黙的に拒否: キーポリシーのどのステートメントも、この呼び出し元に kms:PutKeyPolicy を直接にもアカウント 111122223333 への委任によっても許可していません。IAM ポリシーだけでは KMS キーへのアクセスは許可されません",
		},
		{
			"any principal of account 444455556666: キーポリシーのステートメント 'Allow use of the key' (#1) 経由",
			"アカウント 444455556666 の任意のプリンシパル: キーポリシーのステートメント 'Allow use of the key' (#1) 経由",
		},
		{
			`inline policy "decrypt-reports" of role reporting のステートメント 'DecryptReports' (#0) が kms:Decrypt and kms:ReEncryptFrom を許可しています`,
			`ロール reporting のインラインポリシー "decrypt-reports" のステートメント 'DecryptReports' (#0) が kms:Decrypt と kms:ReEncryptFrom を許可しています`,
		},
		{
			"customer managed policy arn:aws:iam::111122223333:policy/KMSFullAccess (v1) から kms:Decrypt を削除します。",
			"カスタマー管理ポリシー arn:aws:iam::111122223333:policy/KMSFullAccess (v1) から kms:Decrypt を削除します。",
		},
		{
			"key policy of arn:aws:kms:ap-northeast-1:111122223333:key/k: not read: An error occurred (AccessDeniedException) when calling the GetKeyPolicy operation: denied",
			"arn:aws:kms:ap-northeast-1:111122223333:key/k のキーポリシー: 読み取れませんでした: 「An error occurred (AccessDeniedException) when calling the GetKeyPolicy operation: denied」",
		},
		{
			"allowed: key policy statement 'Enable IAM User Permissions' delegates to account 111122223333, and identity policy #0 statement #0 allows kms:Decrypt on this key",
			"許可: キーポリシーのステートメント 'Enable IAM User Permissions' がアカウント 111122223333 に委任しています、ID ベースのポリシー #0 のステートメント #0 がこのキーに対する kms:Decrypt を許可しています",
		},
		// Unchanged: English, and Japanese without English phrases.
		{"キー alias/app を確認しました。", "キー alias/app を確認しました。"},
	}
	for _, tt := range tests {
		if got := Text(tt.in, Japanese); got != tt.want {
			t.Errorf("Text(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
		if got := Text(tt.in, English); got != tt.in {
			t.Errorf("Text(%q, en) changed it to %q", tt.in, got)
		}
	}
}

func TestGap(t *testing.T) {
	g := engine.Gap{Input: engine.InputKeyPolicy, Owner: "arn:aws:kms:us-east-1:111122223333:key/k", Reason: "not read: AccessDeniedException: no"}
	if got, want := Gap(g, English), g.String(); got != want {
		t.Errorf("Gap(en) = %q, want %q", got, want)
	}
	want := "arn:aws:kms:us-east-1:111122223333:key/k のキーポリシー: 読み取れませんでした: 「AccessDeniedException: no」"
	if got := Gap(g, Japanese); got != want {
		t.Errorf("Gap(ja) = %q, want %q", got, want)
	}
	scp := engine.Gap{Input: engine.InputSCPs, Owner: "111122223333", Reason: "the file is missing from the export"}
	if got, want := Gap(scp, Japanese), "アカウント 111122223333 のサービスコントロールポリシー: エクスポートにファイルがありません"; got != want {
		t.Errorf("Gap(ja) = %q, want %q", got, want)
	}
}

func TestEnglishRuns(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"呼び出し元が自分で満たせる条件: its own IAM policies allow kms:Decrypt on this key", []string{"on this key"}},
		{"キーポリシーのステートメント 'Allow use of the key' (#1) が kms:Decrypt を許可しています", nil},
		{`ロール app のインラインポリシー "decrypt all the keys"`, nil},
		{"AWS KMS コンソールを開き、Customer managed keys を選びます", []string{"Customer managed keys"}},
		{"arn:aws:iam::111122223333:role/app、kms:Decrypt、StringEquals kms:CallerAccount = 111122223333", nil},
		{"the key's policy allows it", []string{"the key's policy allows it"}},
		{"「An error occurred when calling the operation」", nil},
		{"AWS CLI、Terraform", nil},
	}
	for _, tt := range tests {
		got := EnglishRuns(tt.in)
		// Runs shorter than three words are not prose.
		got = slices.DeleteFunc(got, func(s string) bool { return len(strings.Fields(s)) < 3 })
		want := slices.DeleteFunc(slices.Clone(tt.want), func(s string) bool { return len(strings.Fields(s)) < 3 })
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("EnglishRuns(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}
