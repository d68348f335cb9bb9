package report

import (
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/checks"
	"github.com/keywarden/keywarden/internal/engine"
)

const plannedKey = "arn:aws:kms:us-east-1:111122223333:key/{{tf:aws_kms_key.payments}}"

// whoCanPlanned is a who-can answer about a key a Terraform plan creates.
func whoCanPlanned() *access.WhoCanResult {
	return &access.WhoCanResult{
		Action: "kms:Decrypt", Key: plannedKey,
		Entries: []access.Entry{{
			Principal: "arn:aws:iam::111122223333:role/{{cfn:AppRole}}", Kind: access.KindRole, Account: "111122223333",
			Description: "IAM role {{cfn:AppRole}}", Via: engine.RuleDirect, Decision: engine.Allow,
			Result: engine.Result{
				Decision: engine.Allow, Layer: engine.LayerKeyPolicy, Rule: engine.RuleDirect,
				Summary: "allowed: key policy of " + plannedKey + " statement 'App' names the caller",
				Reasons: []engine.Reason{{
					Layer: engine.LayerKeyPolicy, Policy: "key policy of " + plannedKey, Statement: 1, Sid: "App",
					Effect: "Allow", Role: "names the caller", Kind: engine.RoleNamesCaller,
				}},
			},
		}},
	}
}

// TestAnswersDescribePlanned shows that the answers put the placeholders
// of planned resources into words, and write the engine's explanation
// from the catalogue: the same words in English, Japanese ones in
// Japanese.
func TestAnswersDescribePlanned(t *testing.T) {
	var b strings.Builder
	if err := WriteWhoCanText(&b, whoCanPlanned(), checks.English); err != nil {
		t.Fatal(err)
	}
	want := "Who can kms:Decrypt with the key that aws_kms_key.payments will create\n" +
		"\n" +
		"Allow  the role that Resources.AppRole will create\n" +
		"  IAM role the resource that Resources.AppRole will create, via key-policy-direct\n" +
		"  allowed: key policy of the key that aws_kms_key.payments will create statement 'App' names the caller\n" +
		"  - key policy of the key that aws_kms_key.payments will create statement 'App' (#1): names the caller\n"
	if b.String() != want {
		t.Errorf("WriteWhoCanText =\n%s\nwant\n%s", b.String(), want)
	}

	b.Reset()
	if err := WriteWhoCanText(&b, whoCanPlanned(), checks.Japanese); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		"aws_kms_key.payments が作成するキー に対して kms:Decrypt を実行できるプリンシパル",
		"経路 key-policy-direct",
		"許可  Resources.AppRole が作成するロール",
		"許可: キーポリシーが呼び出し元に直接許可しています",
		"- aws_kms_key.payments が作成するキー のキーポリシーのステートメント 'App' (#1): 呼び出し元を指定しています",
	} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("Japanese who-can has no %q:\n%s", w, b.String())
		}
	}
}
