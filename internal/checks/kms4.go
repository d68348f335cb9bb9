package checks

import (
	"fmt"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/inventory"
)

// KMS.4: AWS KMS key rotation should be enabled.
var _ = register(&Check{
	ID:       "key-rotation-disabled",
	Severity: Medium,
	Control:  "KMS.4",
	Title: Text{
		EN: "Automatic key rotation should be enabled on symmetric customer managed keys",
		JA: "対称カスタマー管理キーでは自動キーローテーションを有効にすべきです",
	},
	Description: Text{
		EN: "Automatic rotation is off on an enabled symmetric encryption key (SYMMETRIC_DEFAULT) that is customer managed and whose key material KMS generated (origin AWS_KMS). Keys for which AWS does not support automatic rotation are not applicable and produce no finding: asymmetric and HMAC keys, keys with imported key material (EXTERNAL) or in a custom key store, AWS managed keys (AWS rotates them), and keys that are disabled or pending deletion.",
		JA: "有効な対称暗号化キー (SYMMETRIC_DEFAULT) で、カスタマー管理かつ KMS が生成したキーマテリアル (オリジン AWS_KMS) のものについて、自動ローテーションが無効になっています。AWS が自動ローテーションをサポートしないキーは対象外で、検出結果を出しません: 非対称キー、HMAC キー、インポートしたキーマテリアル (EXTERNAL) やカスタムキーストアのキー、AWS 管理キー (AWS がローテーションします)、無効化または削除予定のキー。",
	},
	Risk: Text{
		EN: "Without rotation one key material protects every new ciphertext for the key's whole life, so a compromise of that material, or a cryptographic limit on how much data one key should encrypt, affects all of it. Rotation is transparent to applications: KMS keeps the old material to decrypt old data.",
		JA: "ローテーションしない場合、キーの存続期間中ずっと同じキーマテリアルが新しい暗号文をすべて保護するため、そのマテリアルの漏えいや、1 つのキーで暗号化すべきデータ量の暗号学的な上限の影響がすべてのデータに及びます。ローテーションはアプリケーションから透過的で、古いデータを復号するために KMS は古いマテリアルを保持します。",
	},
	References: []string{
		"https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-4",
		"https://docs.aws.amazon.com/config/latest/developerguide/cmk-backing-key-rotation-enabled.html",
		"https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html",
	},
	RunKey: func(ke *KeyEnv) []Finding {
		env, k := ke.Env, ke.Key
		var out []Finding
		md := k.Inv.Metadata
		if md == nil {
			out = append(out, unknownMetadata(k))
			return out
		}
		if !rotationApplies(md) {
			return out
		}
		switch rot := k.Inv.Rotation; {
		case k.Inv.RotationIncomplete != nil || rot == nil:
			reason := "not in the input"
			if m := k.Inv.RotationIncomplete; m != nil {
				reason = m.Reason
			}
			f := keyFinding(k, Unknown, false)
			f.Message = Text{
				EN: "key " + keyRef(k.Inv) + " could not be checked: its rotation status (GetKeyRotationStatus) was not read (" + reason + ")",
				JA: "キー " + keyRef(k.Inv) + " を確認できませんでした: ローテーションの状態 (GetKeyRotationStatus) を取得できませんでした (" + reason + ")",
			}
			f.Missing = []string{"rotation status of " + k.ARN + ": " + reason}
			out = append(out, f)
		case rot.Enabled:
			f := keyFinding(k, Pass, false)
			f.Message = Text{EN: "automatic rotation is enabled on key " + keyRef(k.Inv), JA: "キー " + keyRef(k.Inv) + " で自動ローテーションが有効です"}
			if rot.PeriodDays > 0 {
				f.Message.EN += fmt.Sprintf(" (every %d days)", rot.PeriodDays)
				f.Message.JA += fmt.Sprintf(" (%d 日ごと)", rot.PeriodDays)
			}
			out = append(out, f)
		default:
			f := keyFinding(k, Fail, false)
			f.Message = Text{EN: "automatic rotation is disabled on key " + keyRef(k.Inv), JA: "キー " + keyRef(k.Inv) + " で自動ローテーションが無効です"}
			f.Explanation = []Text{{
				EN: fmt.Sprintf("key spec %s, origin %s, state %s", md.KeySpec, md.Origin, md.State),
				JA: fmt.Sprintf("キー仕様 %s、オリジン %s、状態 %s", md.KeySpec, md.Origin, md.State),
			}}
			f.Remediation = rotationRemediation(env, k)
			out = append(out, f)
		}
		return out
	},
})

// rotationApplies reports whether AWS supports automatic rotation of the
// key and Security Hub evaluates it: an enabled symmetric encryption key
// whose material KMS generated ([rotate-keys]: not asymmetric, HMAC,
// imported or custom key store keys).
//
// [rotate-keys]: https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html
func rotationApplies(md *inventory.KeyMetadata) bool {
	return md.Manager != inventory.KeyManagerAWS && md.State == "Enabled" &&
		md.KeySpec == "SYMMETRIC_DEFAULT" && md.Origin == "AWS_KMS"
}

// rotationTarget is the key rotation is set on: for a multi-Region replica,
// its primary key (replicas share the primary's rotation).
func rotationTarget(env *Env, k *access.Key) (*inventory.Key, bool) {
	md := k.Inv.Metadata
	if !md.MultiRegion || md.MultiRegionKeyType != "REPLICA" {
		return k.Inv, true
	}
	for _, o := range env.Index.Keys() {
		if o.Inv.ID == k.Inv.ID && o.Inv.Metadata != nil && o.Inv.Metadata.MultiRegionKeyType == "PRIMARY" {
			return o.Inv, true
		}
	}
	return nil, false
}

func rotationRemediation(env *Env, k *access.Key) *Remediation {
	target, found := rotationTarget(env, k)
	if !found {
		return &Remediation{
			Summary: Text{
				EN: "This is a multi-Region replica key: enable automatic rotation on its primary key (key ID " + k.Inv.ID + " in the primary Region, which is not in the input); replicas share the primary's rotation.",
				JA: "これはマルチリージョンのレプリカキーです。プライマリキー (プライマリリージョンにあるキー ID " + k.Inv.ID + "。入力データにはありません) で自動ローテーションを有効にしてください。レプリカはプライマリのローテーションを共有します。",
			},
			CLI: "aws kms enable-key-rotation --region PRIMARY_REGION --key-id " + k.Inv.ID + " --rotation-period-in-days 365",
		}
	}
	arn := target.ARN
	r := &Remediation{
		Summary: Text{
			EN: "Enable automatic rotation on the key (every 365 days unless your policy asks for another period between 90 and 2560 days). Applications need no change.",
			JA: "キーの自動ローテーションを有効にしてください (組織の方針で 90〜2560 日の別の期間が求められていなければ 365 日ごと)。アプリケーションの変更は不要です。",
		},
		Console: []Text{
			openKeyStep(target),
			{EN: "On the Key rotation tab, choose Edit, select Enable automatic key rotation, set the rotation period (365 days), and choose Save.",
				JA: "「キーのローテーション」タブで「編集」を選び、「自動キーローテーション」を有効にしてローテーション期間 (365 日) を設定し、「保存」を選びます。"},
		},
		CLI: fmt.Sprintf("aws kms enable-key-rotation --region %s --key-id %s --rotation-period-in-days 365", target.Region, arn),
		Terraform: fmt.Sprintf("resource \"aws_kms_key\" %q {\n  # ... the key's existing arguments ...\n  enable_key_rotation     = true\n  rotation_period_in_days = 365\n}",
			tfName("key_"+target.ID)),
		Verified: true,
	}
	if target != k.Inv {
		r.Summary = Text{
			EN: "This is a multi-Region replica key, which shares its primary's rotation: enable automatic rotation on the primary key " + arn + " (every 365 days unless your policy asks for another period between 90 and 2560 days). Applications need no change.",
			JA: "これはマルチリージョンのレプリカキーで、プライマリのローテーションを共有します。プライマリキー " + arn + " で自動ローテーションを有効にしてください (組織の方針で 90〜2560 日の別の期間が求められていなければ 365 日ごと)。アプリケーションの変更は不要です。",
		}
	}
	if tk, err := env.Index.Key(arn); err == nil {
		callerCheck(env, tk, "kms:EnableKeyRotation", r)
	}
	return r
}
