package report

import (
	"encoding/json"
	"time"

	"github.com/keywarden/keywarden/internal/checks"
)

// The hand-made scan every golden file is written from. It covers every
// severity, the three statuses, findings with and without a Source (and a
// Source without a line), remediation with alternatives, a suppressed
// finding with and without an expiry, and an expired suppression. The
// lists are deliberately out of order: the writers sort.

const (
	acct     = "111122223333"
	partner  = "444455556666"
	keyApp   = "arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	keyLogs  = "arn:aws:kms:ap-northeast-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321"
	keyOld   = "arn:aws:kms:us-east-1:111122223333:key/5555eeee-55ee-55ee-55ee-5555eeee5555"
	roleApp  = "arn:aws:iam::111122223333:role/app"
	roleRO   = "arn:aws:iam::111122223333:role/readonly"
	roleBat  = "arn:aws:iam::111122223333:role/batch"
	polDev   = "arn:aws:iam::111122223333:policy/developer-kms"
	partnerR = "arn:aws:iam::444455556666:root"
)

var (
	checkPublic = &checks.Check{
		ID: "key-policy-public", Severity: checks.Critical,
		Title: checks.Text{
			EN: "KMS key policies should not allow access to every AWS principal",
			JA: "KMS キーポリシーですべての AWS プリンシパルにアクセスを許可しない",
		},
		Description: checks.Text{
			EN: "Reports key policies with a statement that allows \"Principal\": \"*\" without a condition that limits it to known accounts.",
			JA: "既知のアカウントに限定する条件なしで \"Principal\": \"*\" を許可するステートメントを持つキーポリシーを報告します。",
		},
		Risk: checks.Text{
			EN: "Anyone with an AWS account can use the key: data encrypted with it is readable outside your organization.",
			JA: "AWS アカウントを持つ誰もがキーを使用でき、このキーで暗号化したデータを組織外から読み取れます。",
		},
		References: []string{"https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html"},
	}
	checkInline = &checks.Check{
		ID: "iam-inline-policy-decrypt-all-keys", Severity: checks.High, Control: "KMS.2",
		Title: checks.Text{
			EN: "IAM principals should not have IAM inline policies that allow decryption actions on all KMS keys",
			JA: "IAM プリンシパルに、すべての KMS キーでの復号アクションを許可する IAM インラインポリシーを持たせない",
		},
		Description: checks.Text{
			EN: "Evaluates every inline policy of users, groups and roles with the engine and reports those that allow kms:Decrypt or kms:ReEncryptFrom on any key.",
			JA: "ユーザー、グループ、ロールのすべてのインラインポリシーをエンジンで評価し、任意のキーに対して kms:Decrypt または kms:ReEncryptFrom を許可するものを報告します。",
		},
		Risk: checks.Text{
			EN: "A principal that can decrypt with every key can read data it was never meant to see.",
			JA: "すべてのキーで復号できるプリンシパルは、本来見るべきでないデータを読み取れます。",
		},
		References: []string{
			"https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-2",
			"https://docs.aws.amazon.com/kms/latest/developerguide/iam-policies-best-practices.html",
		},
	}
	checkManaged = &checks.Check{
		ID: "iam-customer-policy-decrypt-all-keys", Severity: checks.High, Control: "KMS.1",
		Title: checks.Text{
			EN: "IAM customer managed policies should not allow decryption actions on all KMS keys",
			JA: "IAM カスタマー管理ポリシーで、すべての KMS キーでの復号アクションを許可しない",
		},
		Description: checks.Text{EN: "Reports attached customer managed policies that allow decryption on any key.", JA: "任意のキーでの復号を許可する、アタッチ済みのカスタマー管理ポリシーを報告します。"},
		Risk:        checks.Text{EN: "Every principal the policy is attached to can decrypt with every key.", JA: "ポリシーをアタッチしたすべてのプリンシパルが、すべてのキーで復号できます。"},
		References:  []string{"https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-1"},
	}
	checkCross = &checks.Check{
		ID: "key-cross-account", Severity: checks.Medium,
		Title:       checks.Text{EN: "KMS keys should not be usable by accounts outside the organization", JA: "組織外のアカウントが KMS キーを使用できないようにする"},
		Description: checks.Text{EN: "Reports keys that principals of untrusted accounts can use.", JA: "信頼されていないアカウントのプリンシパルが使用できるキーを報告します。"},
		Risk:        checks.Text{EN: "Another account can decrypt your data or encrypt data you cannot control.", JA: "別のアカウントがデータを復号したり、管理できないデータを暗号化したりできます。"},
		References:  []string{"https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html"},
	}
	checkRotation = &checks.Check{
		ID: "key-rotation-enabled", Severity: checks.Medium, Control: "KMS.4",
		Title:       checks.Text{EN: "AWS KMS key rotation should be enabled", JA: "AWS KMS キーのローテーションを有効にする"},
		Description: checks.Text{EN: "Reports symmetric customer managed keys without automatic rotation.", JA: "自動ローテーションが無効な対称カスタマー管理キーを報告します。"},
		Risk:        checks.Text{EN: "A key that never rotates widens the impact of a leaked key.", JA: "ローテーションしないキーは、漏えい時の影響範囲を広げます。"},
		References:  []string{"https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-4"},
	}
	checkGrant = &checks.Check{
		ID: "key-grant-wide-operations", Severity: checks.Low,
		Title:       checks.Text{EN: "Grants should not allow more operations than their grantee uses", JA: "グラントで、被付与者が使う以上のオペレーションを許可しない"},
		Description: checks.Text{EN: "Reports grants that allow every grant operation.", JA: "すべてのグラントオペレーションを許可するグラントを報告します。"},
		Risk:        checks.Text{EN: "Grants bypass the key policy; wide grants are easy to forget.", JA: "グラントはキーポリシーを迂回するため、広いグラントは見落とされがちです。"},
		References:  []string{"https://docs.aws.amazon.com/kms/latest/developerguide/grants.html"},
	}
	checkDescription = &checks.Check{
		ID: "key-description-missing", Severity: checks.Info,
		Title:       checks.Text{EN: "KMS keys should have a description", JA: "KMS キーに説明を設定する"},
		Description: checks.Text{EN: "Reports customer managed keys without a description.", JA: "説明のないカスタマー管理キーを報告します。"},
		Risk:        checks.Text{EN: "Keys nobody can identify are hard to review and to retire.", JA: "誰も識別できないキーは、レビューや廃止が困難です。"},
		References:  []string{"https://docs.aws.amazon.com/kms/latest/developerguide/create-keys.html"},
	}
)

var fixedTime = time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)

// holds is a claim of a proof that holds.
func holds() checks.Claim {
	return checks.Claim{Holds: true, Why: checks.Text{EN: "checked by the engine", JA: "エンジンで確認しました"}}
}

// proved is the proof of a fix that holds in full.
func proved() *checks.Proof {
	return &checks.Proof{Valid: holds(), Effective: holds(), Minimal: holds(), Safe: holds()}
}

func testReport() *Report {
	fixedPolicy := `aws kms put-key-policy \
  --key-id 1234abcd-12ab-34cd-56ef-1234567890ab \
  --policy-name default \
  --policy '{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
     "Action": "kms:*", "Resource": "*"}
  ]
}'`
	terraformKey := `resource "aws_kms_key_policy" "app" {
  key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
  policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
         "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
         "Action": "kms:*", "Resource": "*"}
      ]
    }
  EOF
}
`
	return &Report{
		Tool:        Tool{Name: "keywarden", Version: "0.3.0"},
		GeneratedAt: fixedTime,
		Input:       Input{Description: "--input examples/account", Path: "examples/account"},
		Checks:      []*checks.Check{checkRotation, checkInline, checkDescription, checkPublic, checkGrant, checkManaged, checkCross},
		Findings: []checks.Finding{
			{
				Check: "key-description-missing", Severity: checks.Info, Status: checks.Fail,
				Resource: keyLogs, Account: acct, Region: "ap-northeast-1",
				Message: checks.Text{EN: "Key 0987dcba-09fe-87dc-65ba-ab0987654321 has no description.", JA: "キー 0987dcba-09fe-87dc-65ba-ab0987654321 に説明がありません。"},
				Remediation: &checks.Remediation{
					Summary: checks.Text{EN: "Describe what the key protects and who owns it.", JA: "キーが保護する対象と所有者を説明に記載します。"},
					CLI:     `aws kms update-key-description --key-id 0987dcba-09fe-87dc-65ba-ab0987654321 --description "CloudTrail logs (owner: platform team)"`,
				},
			},
			{
				Check: "iam-inline-policy-decrypt-all-keys", Severity: checks.High, Control: "KMS.2", Status: checks.Fail,
				Resource: roleApp, Account: acct, Principal: roleApp,
				Policy:    `inline policy "decrypt-all" of role app`,
				Statement: &checks.Statement{Index: 0, Sid: "DecryptAll"},
				Message: checks.Text{
					EN: `Role app can decrypt with every KMS key in every account: its inline policy "decrypt-all" allows kms:Decrypt on "*".`,
					JA: `ロール app は、すべてのアカウントのすべての KMS キーで復号できます。インラインポリシー "decrypt-all" が "*" に対して kms:Decrypt を許可しています。`,
				},
				Explanation: []checks.Text{
					{
						EN: `inline policy "decrypt-all" statement 'DecryptAll' (#0) allows kms:Decrypt on any resource ("Resource": "*")`,
						JA: `インラインポリシー "decrypt-all" のステートメント 'DecryptAll' (#0) が任意のリソースに対して kms:Decrypt を許可しています ("Resource": "*")`,
					},
					{
						EN: `key policy of ` + keyApp + ` statement 'Enable IAM User Permissions' (#0) delegates to account 111122223333`,
						JA: keyApp + ` のキーポリシーのステートメント 'Enable IAM User Permissions' (#0) がアカウント 111122223333 に委任しています`,
					},
				},
				Remediation: &checks.Remediation{
					Summary: checks.Text{
						EN: `Replace "Resource": "*" with the keys the role uses (1 key found in use: 1234abcd-12ab-34cd-56ef-1234567890ab).`,
						JA: `"Resource": "*" を、ロールが使用するキーに置き換えます (使用中のキー 1 個: 1234abcd-12ab-34cd-56ef-1234567890ab)。`,
					},
					Console: []checks.Text{
						{EN: "Open the IAM console, choose Roles, then app.", JA: "IAM コンソールを開き、[ロール] から app を選択します。"},
						{EN: `On the Permissions tab, edit the inline policy "decrypt-all".`, JA: `[許可] タブでインラインポリシー "decrypt-all" を編集します。`},
						{EN: `In statement DecryptAll, replace "*" in Resource with ` + keyApp + ` and save.`, JA: `ステートメント DecryptAll の Resource の "*" を ` + keyApp + ` に置き換えて保存します。`},
					},
					CLI: `aws iam put-role-policy --role-name app --policy-name decrypt-all --policy-document '{
  "Version": "2012-10-17",
  "Statement": [{"Sid": "DecryptAll", "Effect": "Allow", "Action": "kms:Decrypt",
    "Resource": "` + keyApp + `"}]
}'`,
					Terraform: `data "aws_iam_policy_document" "decrypt" {
  statement {
    sid       = "DecryptAll"
    actions   = ["kms:Decrypt"]
    resources = ["` + keyApp + `"]
  }
}
`,
					Verified: true,
					Proof:    proved(),
					Edits: []checks.Edit{{
						Action: "PutRolePolicy", Target: roleApp, Name: "decrypt-all", Statements: []int{0},
						Description: checks.Text{EN: "Resource \"*\" becomes the keys the role uses.", JA: "Resource の \"*\" を、ロールが使用するキーに置き換えます。"},
						Document:    json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Sid":"DecryptAll","Effect":"Allow","Action":"kms:Decrypt","Resource":"<KEYS_ROLE_app_USES>"}]}`),
					}},
					Diff: []checks.AccessChange{
						{Principal: roleApp, Key: keyLogs, Action: "kms:Decrypt", Before: "Allow", After: "ImplicitDeny"},
						{Principal: roleApp, Key: "arn:aws:kms:ap-northeast-1:111122223333:key/2222bbbb-22bb-22bb-22bb-2222bbbb2222", Action: "kms:Decrypt", Before: "Allow (conditional)", After: "ImplicitDeny"},
					},
					Placeholders: []checks.Placeholder{{
						Name:       "<KEYS_ROLE_app_USES>",
						Candidates: []string{"alias/app-data (" + keyApp + ")", "alias/logs (" + keyLogs + ")"},
						Note:       checks.Text{EN: "The keys role app needs: keywarden sees which it can reach, not which it uses.", JA: "ロール app が必要とするキーです。keywarden には到達できるキーはわかりますが、使用しているキーはわかりません。"},
					}},
					Alternatives: []checks.Remediation{{
						Summary: checks.Text{
							EN: "Or, keep the wildcard but only through Amazon S3 in this account: add a kms:ViaService condition.",
							JA: "または、ワイルドカードは残し、このアカウントの Amazon S3 経由に限定します。kms:ViaService 条件を追加します。",
						},
						Proof: &checks.Proof{
							Valid: holds(), Effective: holds(), Safe: holds(),
							Minimal: checks.Claim{Holds: false, Why: checks.Text{
								EN: "it also takes away kms:Decrypt outside Amazon S3 on 2 keys the finding is not about",
								JA: "検出結果に関係しない 2 個のキーについても、Amazon S3 以外からの kms:Decrypt を取り除きます",
							}},
						},
						Console:  []checks.Text{{EN: `Add the condition "StringEquals": {"kms:ViaService": "s3.ap-northeast-1.amazonaws.com"} to statement DecryptAll.`, JA: `ステートメント DecryptAll に条件 "StringEquals": {"kms:ViaService": "s3.ap-northeast-1.amazonaws.com"} を追加します。`}},
						Verified: false,
					}},
				},
			},
			{
				Check: "key-rotation-enabled", Severity: checks.Medium, Control: "KMS.4", Status: checks.Unknown,
				Resource: keyLogs, Account: acct, Region: "ap-northeast-1",
				Message: checks.Text{EN: "Whether key 0987dcba-09fe-87dc-65ba-ab0987654321 rotates is not known.", JA: "キー 0987dcba-09fe-87dc-65ba-ab0987654321 のローテーション状態が不明です。"},
				Missing: []string{"rotation status of " + keyLogs + " (kms:GetKeyRotationStatus: AccessDeniedException)"},
			},
			{
				Check: "key-policy-public", Severity: checks.Critical, Status: checks.Fail,
				Resource: keyApp, Account: acct, Region: "ap-northeast-1", Principal: "*",
				Policy:    "key policy",
				Statement: &checks.Statement{Index: 1, Sid: "AllowEveryone"},
				Message: checks.Text{
					EN: `The key policy of key 1234abcd-12ab-34cd-56ef-1234567890ab lets any AWS principal in any account call kms:Decrypt and kms:GenerateDataKey.`,
					JA: `キー 1234abcd-12ab-34cd-56ef-1234567890ab のキーポリシーは、任意のアカウントの任意の AWS プリンシパルに kms:Decrypt と kms:GenerateDataKey の呼び出しを許可しています。`,
				},
				Explanation: []checks.Text{{
					EN: `key policy statement 'AllowEveryone' (#1) allows kms:Decrypt, kms:GenerateDataKey to "Principal": {"AWS": "*"} with no condition`,
					JA: `キーポリシーのステートメント 'AllowEveryone' (#1) が "Principal": {"AWS": "*"} に条件なしで kms:Decrypt, kms:GenerateDataKey を許可しています`,
				}},
				Remediation: &checks.Remediation{
					ID:      "key-policy-1234abcd",
					Summary: checks.Text{EN: "Remove statement AllowEveryone from the key policy.", JA: "キーポリシーからステートメント AllowEveryone を削除します。"},
					Proof:   proved(),
					Edits: []checks.Edit{{
						Action: "PutKeyPolicy", Target: keyApp, Name: "default", Statements: []int{1, 2},
						Description: checks.Text{EN: "Statements AllowEveryone and PartnerDecrypt are removed; the rest stays.", JA: "ステートメント AllowEveryone と PartnerDecrypt を削除し、ほかはそのまま残します。"},
						Document:    json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`),
					}},
					Diff: []checks.AccessChange{
						{Principal: "any principal outside the account and organization", Key: keyApp, Action: "kms:Decrypt", Before: "Allow", After: "ImplicitDeny"},
						{Principal: "any principal outside the account and organization", Key: keyApp, Action: "kms:GenerateDataKey", Before: "Allow", After: "ImplicitDeny"},
						{Principal: partnerR, Key: keyApp, Action: "kms:CreateGrant", Before: "Allow (conditional)", After: "ImplicitDeny"},
						{Principal: partnerR, Key: keyApp, Action: "kms:Decrypt", Before: "Allow (conditional)", After: "ImplicitDeny"},
						{Principal: roleRO, Key: keyApp, Action: "kms:Decrypt", Before: "ImplicitDeny", After: "Allow"},
					},
					Console: []checks.Text{
						{EN: "Open the AWS KMS console in ap-northeast-1 and choose Customer managed keys.", JA: "ap-northeast-1 の AWS KMS コンソールを開き、[カスタマー管理型のキー] を選択します。"},
						{EN: "Choose key 1234abcd-12ab-34cd-56ef-1234567890ab, then Key policy, Switch to policy view, Edit.", JA: "キー 1234abcd-12ab-34cd-56ef-1234567890ab を選び、[キーポリシー]、[ポリシービューへの切り替え]、[編集] の順に選択します。"},
						{EN: "Delete statement AllowEveryone (#1) and save.", JA: "ステートメント AllowEveryone (#1) を削除して保存します。"},
					},
					CLI:       fixedPolicy,
					Terraform: terraformKey,
					Verified:  true,
					Alternatives: []checks.Remediation{{
						Summary: checks.Text{EN: "Limit the statement to your organization with an aws:PrincipalOrgID condition.", JA: "aws:PrincipalOrgID 条件で、ステートメントを自分の組織に限定します。"},
						CLI:     `# add to statement AllowEveryone: "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}`,
					}},
				},
				Source: &checks.Location{File: "examples/account/kms/key-policy-1234abcd.json", Path: "Statement[1]", Line: 14},
			},
			{
				Check: "iam-inline-policy-decrypt-all-keys", Severity: checks.High, Control: "KMS.2", Status: checks.Pass,
				Resource: roleRO, Account: acct, Principal: roleRO,
				Message: checks.Text{EN: "Role readonly has no inline policy that decrypts with every key.", JA: "ロール readonly には、すべてのキーで復号するインラインポリシーがありません。"},
			},
			{
				Check: "iam-customer-policy-decrypt-all-keys", Severity: checks.High, Control: "KMS.1", Status: checks.Fail,
				Resource: polDev, Account: acct, Policy: polDev,
				Statement: &checks.Statement{Index: 2},
				Message: checks.Text{
					EN: "Policy developer-kms allows kms:ReEncryptFrom on every key; it is attached to 3 principals.",
					JA: "ポリシー developer-kms はすべてのキーに対して kms:ReEncryptFrom を許可しており、3 つのプリンシパルにアタッチされています。",
				},
				Explanation: []checks.Text{{EN: "statement #2 allows kms:ReEncrypt* on any resource", JA: "ステートメント #2 が任意のリソースに対して kms:ReEncrypt* を許可しています"}},
				Remediation: &checks.Remediation{
					Summary: checks.Text{EN: "Name the keys in statement #2, or remove kms:ReEncrypt*.", JA: "ステートメント #2 でキーを指定するか、kms:ReEncrypt* を削除します。"},
					CLI: "# A customer managed policy keeps at most five versions: delete the oldest non-default one first if needed\n" +
						"aws iam create-policy-version --policy-arn " + polDev + " --set-as-default --policy-document file://developer-kms.json",
				},
				Source: &checks.Location{File: "examples/account/iam/get-account-authorization-details.json", Path: "Policies[3].PolicyVersionList[0].Document.Statement[2]"},
			},
			{
				Check: "key-cross-account", Severity: checks.Medium, Status: checks.Fail,
				Resource: keyApp, Account: acct, Region: "ap-northeast-1", Principal: partnerR,
				Policy: "key policy", Statement: &checks.Statement{Index: 2, Sid: "PartnerDecrypt"},
				Message: checks.Text{
					EN: "Account 444455556666, which is outside your organization and not in --trusted-accounts, can use key 1234abcd-12ab-34cd-56ef-1234567890ab to decrypt and to create grants for itself.",
					JA: "組織外で --trusted-accounts にも含まれないアカウント 444455556666 が、キー 1234abcd-12ab-34cd-56ef-1234567890ab を使って復号し、自身のためにグラントを作成できます。",
				},
				Explanation: []checks.Text{
					{
						EN: "key policy statement 'PartnerDecrypt' (#2) allows kms:Decrypt, kms:CreateGrant to arn:aws:iam::444455556666:root",
						JA: "キーポリシーのステートメント 'PartnerDecrypt' (#2) が arn:aws:iam::444455556666:root に kms:Decrypt, kms:CreateGrant を許可しています",
					},
					{
						EN: "account 444455556666 is not a member of organization o-a1b2c3d4e5",
						JA: "アカウント 444455556666 は組織 o-a1b2c3d4e5 のメンバーではありません",
					},
					{
						// Engine text quoted in both languages, as checks do.
						EN: "under conditions the caller controls: its own IAM policies allow kms:Decrypt on this key",
						JA: "呼び出し元が自分で満たせる条件: its own IAM policies allow kms:Decrypt on this key",
					},
				},
				Remediation: &checks.Remediation{
					// The fix of key-policy-public rewrites the same key
					// policy and resolves this finding too.
					ID:       "key-policy-1234abcd",
					Summary:  checks.Text{EN: "Remove statement AllowEveryone from the key policy.", JA: "キーポリシーからステートメント AllowEveryone を削除します。"},
					Verified: true,
				},
			},
			{
				Check: "iam-inline-policy-decrypt-all-keys", Severity: checks.High, Control: "KMS.2", Status: checks.Unknown,
				Resource: roleBat, Account: acct, Principal: roleBat,
				Message: checks.Text{EN: "The inline policies of role batch could not be read.", JA: "ロール batch のインラインポリシーを読み取れませんでした。"},
				Missing: []string{
					"inline policies of role batch (iam:GetRolePolicy: Throttling after 5 retries)",
					"permissions boundary of role batch",
				},
			},
			{
				Check: "key-grant-wide-operations", Severity: checks.Low, Status: checks.Fail,
				Resource: keyApp, Account: acct, Region: "ap-northeast-1", Principal: roleBat,
				Policy: "grant 8f1c2d3e", Message: checks.Text{
					EN: "Grant 8f1c2d3e gives role batch every grant operation on key 1234abcd-12ab-34cd-56ef-1234567890ab, and so does arn:aws:iam::111122223333:role/{{cfn:BatchRole}} through another grant.",
					JA: "グラント 8f1c2d3e は、ロール batch にキー 1234abcd-12ab-34cd-56ef-1234567890ab のすべてのグラントオペレーションを与えています。arn:aws:iam::111122223333:role/{{cfn:BatchRole}} へのグラントも同じです。",
				},
				Remediation: &checks.Remediation{
					Summary:  checks.Text{EN: "Retire the grant and create one with only the operations batch uses.", JA: "グラントを廃止し、batch が使うオペレーションだけのグラントを作成し直します。"},
					CLI:      "aws kms retire-grant --key-id " + keyApp + " --grant-id 8f1c2d3e",
					Verified: true,
				},
			},
			{
				Check: "key-policy-public", Severity: checks.Critical, Status: checks.Pass,
				Resource: keyLogs, Account: acct, Region: "ap-northeast-1",
				Message: checks.Text{EN: "The key policy of key 0987dcba-09fe-87dc-65ba-ab0987654321 allows no principal outside account 111122223333.", JA: "キー 0987dcba-09fe-87dc-65ba-ab0987654321 のキーポリシーは、アカウント 111122223333 外のプリンシパルを許可していません。"},
			},
		},
		Suppressed: []SuppressedFinding{
			{
				Finding: checks.Finding{
					Check: "key-description-missing", Severity: checks.Info, Status: checks.Fail,
					Resource: keyOld, Account: acct, Region: "us-east-1",
					Message: checks.Text{EN: "Key 5555eeee-55ee-55ee-55ee-5555eeee5555 has no description.", JA: "キー 5555eeee-55ee-55ee-55ee-5555eeee5555 に説明がありません。"},
				},
				Suppression: Suppression{Check: "key-description-missing", Resource: keyOld, Reason: "Legacy key, scheduled for deletion with the us-east-1 shutdown."},
			},
			{
				Finding: checks.Finding{
					Check: "key-grant-wide-operations", Severity: checks.Low, Status: checks.Fail,
					Resource: keyLogs, Account: acct, Region: "ap-northeast-1", Principal: "arn:aws:iam::111122223333:role/backup",
					Policy:  "grant 77aa88bb",
					Message: checks.Text{EN: "Grant 77aa88bb gives role backup every grant operation on key 0987dcba-09fe-87dc-65ba-ab0987654321.", JA: "グラント 77aa88bb は、ロール backup にキー 0987dcba-09fe-87dc-65ba-ab0987654321 のすべてのグラントオペレーションを与えています。"},
				},
				Suppression: Suppression{
					Check: "key-grant-wide-operations", Resource: keyLogs,
					Reason:  "Used by the nightly backup job; reviewed in SEC-1234.",
					Expires: time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC),
				},
			},
		},
		ExpiredSuppressions: []Suppression{{
			Check: "key-cross-account", Resource: keyApp,
			Reason:  "Partner migration, until the end of Q3.",
			Expires: time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC),
		}},
	}
}

// emptyReport is a scan in which nothing failed.
func emptyReport() *Report {
	return &Report{
		Tool:        Tool{Name: "keywarden", Version: "0.3.0"},
		GeneratedAt: fixedTime,
		Input:       Input{Description: "snapshot.json", Path: "snapshot.json"},
		Checks:      []*checks.Check{checkPublic},
		Findings: []checks.Finding{{
			Check: "key-policy-public", Severity: checks.Critical, Status: checks.Pass,
			Resource: keyLogs, Message: checks.Text{EN: "No principal outside the account.", JA: "アカウント外のプリンシパルはありません。"},
		}},
	}
}
