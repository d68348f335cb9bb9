package inventory

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keywarden/keywarden/internal/policy"
)

func TestDescribePlanned(t *testing.T) {
	tests := []struct {
		in, en, ja string
	}{
		{
			in: "arn:aws:iam::111122223333:role/{{cfn:AppRole}}",
			en: "the role that Resources.AppRole will create",
			ja: "Resources.AppRole が作成するロール",
		},
		{
			in: "arn:aws:kms:us-east-1:111122223333:key/{{tf:aws_kms_key.payments}}",
			en: "the key that aws_kms_key.payments will create",
			ja: "aws_kms_key.payments が作成するキー",
		},
		{
			// A key ID alone: the Terraform type says what it is.
			in: "key {{tf:module.pay.aws_kms_key.this[0]}} is new",
			en: "key the key that module.pay.aws_kms_key.this[0] will create is new",
			ja: "key module.pay.aws_kms_key.this[0] が作成するキー is new",
		},
		{
			in: `role {{tf:aws_iam_role.app["web app"]}}`,
			en: `role the role that aws_iam_role.app["web app"] will create`,
			ja: `role aws_iam_role.app["web app"] が作成するロール`,
		},
		{
			// A full stop after the ARN ends the sentence.
			in: "It names arn:aws:iam::111122223333:role/{{cfn:AppRole}}. Then arn:aws:iam::111122223333:role/{{cfn:AppRole}}: it",
			en: "It names the role that Resources.AppRole will create. Then the role that Resources.AppRole will create: it",
			ja: "It names Resources.AppRole が作成するロール. Then Resources.AppRole が作成するロール: it",
		},
		{
			// A CloudFormation logical ID says nothing of the type.
			in: "{{cfn:Key}}",
			en: "the resource that Resources.Key will create",
			ja: "Resources.Key が作成するリソース",
		},
		{
			in: "arn:aws:iam::111122223333:role/service/{{tf:aws_iam_role.svc}}, arn:aws:iam::111122223333:user/{{tf:aws_iam_user.u}}",
			en: "the role that aws_iam_role.svc will create, the user that aws_iam_user.u will create",
			ja: "aws_iam_role.svc が作成するロール, aws_iam_user.u が作成するユーザー",
		},
		{
			in: "arn:aws:iam::111122223333:group/{{cfn:Admins}} arn:aws:iam::111122223333:policy/{{cfn:P}} arn:aws:kms:us-east-1:111122223333:alias/{{cfn:A}}",
			en: "the group that Resources.Admins will create the managed policy that Resources.P will create the alias that Resources.A will create",
			ja: "Resources.Admins が作成するグループ Resources.P が作成する管理ポリシー Resources.A が作成するエイリアス",
		},
		{
			in: "arn:aws:s3:::{{tf:aws_s3_bucket.b}}",
			en: "the bucket that aws_s3_bucket.b will create",
			ja: "aws_s3_bucket.b が作成するバケット",
		},
		{
			// Inside a longer value, only the placeholder is rewritten.
			in: "arn:aws:s3:::{{tf:aws_s3_bucket.b}}/*",
			en: "arn:aws:s3:::(the bucket that aws_s3_bucket.b will create)/*",
			ja: "arn:aws:s3:::(aws_s3_bucket.b が作成するバケット)/*",
		},
		{
			// An attribute whose form is not known.
			in: "{{tf:aws_sns_topic.alerts.arn}} and {{cfn:Topic.Arn}}",
			en: "the arn of aws_sns_topic.alerts (known after apply) and the Arn of Resources.Topic (known after deployment)",
			ja: "aws_sns_topic.alerts の arn（apply 後に決まる値） and Resources.Topic の Arn（デプロイ後に決まる値）",
		},
		{
			in: "arn:aws:sns:us-east-1:111122223333:{{cfn:Topic}}",
			en: "the resource that Resources.Topic will create",
			ja: "Resources.Topic が作成するリソース",
		},
		{
			in: "{{data.aws_iam_policy_document.x}} {{ not one }} {{tf:}} text",
			en: "{{data.aws_iam_policy_document.x}} {{ not one }} {{tf:}} text",
			ja: "{{data.aws_iam_policy_document.x}} {{ not one }} {{tf:}} text",
		},
		{in: "no placeholder", en: "no placeholder", ja: "no placeholder"},
	}
	for _, tt := range tests {
		if got := DescribePlanned(tt.in, "en"); got != tt.en {
			t.Errorf("DescribePlanned(%q, en) =\n  %q\nwant\n  %q", tt.in, got, tt.en)
		}
		if got := DescribePlanned(tt.in, "ja"); got != tt.ja {
			t.Errorf("DescribePlanned(%q, ja) =\n  %q\nwant\n  %q", tt.in, got, tt.ja)
		}
		if got, want := IsPlanned(tt.in), tt.in != tt.en; got != want {
			t.Errorf("IsPlanned(%q) = %v, want %v", tt.in, got, want)
		}
	}
}

func TestPlaceholders(t *testing.T) {
	s := "arn:aws:kms:us-east-1:111122223333:key/" + PlannedTerraform("aws_kms_key.a") + " {{x}} " + PlannedCloudFormation("AppRole")
	want := []Placeholder{{Terraform: true, Address: "aws_kms_key.a"}, {Terraform: false, Address: "AppRole"}}
	if diff := cmp.Diff(want, Placeholders(s)); diff != "" {
		t.Errorf("Placeholders mismatch (-want +got):\n%s", diff)
	}
	if got := PlannedTerraform("aws_kms_key.a"); got != "{{tf:aws_kms_key.a}}" {
		t.Errorf("PlannedTerraform = %q", got)
	}
	if got := PlannedCloudFormation("AppRole"); got != "{{cfn:AppRole}}" {
		t.Errorf("PlannedCloudFormation = %q", got)
	}
	if Placeholders("nothing") != nil {
		t.Error("Placeholders(nothing) != nil")
	}
}

// TestPlaceholderMatching pins the property the convention exists for:
// policy matching treats a placeholder as an exact string, so a statement
// naming a planned resource matches that resource and nothing else, and a
// wildcard matches it as it matches any name.
func TestPlaceholderMatching(t *testing.T) {
	key := "arn:aws:kms:us-east-1:111122223333:key/" + PlannedTerraform("aws_kms_key.payments")
	other := "arn:aws:kms:us-east-1:111122223333:key/" + PlannedTerraform("aws_kms_key.other")
	if !policy.MatchResource(key, key) {
		t.Error("a planned key ARN does not match itself")
	}
	if policy.MatchResource(key, other) {
		t.Error("a planned key ARN matches another planned key")
	}
	if !policy.MatchResource("arn:aws:kms:us-east-1:111122223333:key/*", key) {
		t.Error("key/* does not match a planned key")
	}
	for _, s := range []string{PlannedTerraform(`module.a["x"].aws_iam_role.r[0]`), PlannedCloudFormation("AppRole")} {
		if strings.ContainsAny(s, "*?") || strings.Contains(s, "${") {
			t.Errorf("placeholder %q holds a wildcard or a policy variable", s)
		}
	}
}

// TestReadVersion1 reads a version 1 snapshot: it is upgraded to the
// current version on reading, with no source fields.
func TestReadVersion1(t *testing.T) {
	s, err := Read("v1.json", strings.NewReader(`{"version": 1, "metadata": {"generatedAt": "2026-01-01T00:00:00Z", "source": "collector"},
		"accounts": [{"id": "111122223333", "roles": [{"arn": "arn:aws:iam::111122223333:role/a", "name": "a"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.Version != FormatVersion || s.Accounts[0].Roles[0].Source != nil {
		t.Errorf("version %d, source %v", s.Version, s.Accounts[0].Roles[0].Source)
	}
}
