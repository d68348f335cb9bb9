package checks

import (
	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/remedy"
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
			f.Message = T(mRotationUnread, keyRef(k.Inv), reason)
			f.Missing = []string{"rotation status of " + k.ARN + ": " + reason}
			out = append(out, f)
		case rot.Enabled:
			f := keyFinding(k, Pass, false)
			f.Message = T(mRotationPass, keyRef(k.Inv))
			if rot.PeriodDays > 0 {
				f.Message = T(mRotationPassPeriod, keyRef(k.Inv), rot.PeriodDays)
			}
			out = append(out, f)
		default:
			f := keyFinding(k, Fail, false)
			f.Message = T(mRotationFail, keyRef(k.Inv))
			f.Explanation = []Text{T(mRotationKey, md.KeySpec, md.Origin, md.State)}
			f.Remediation = rotationFix(env, k, &f)
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

// rotationPeriod is the rotation period the fix sets, AWS's default.
const rotationPeriod = 365

// rotationFix turns rotation on, on the key or, for a multi-Region
// replica, on its primary (replicas share the primary's rotation). The
// engine re-checks the key with rotation on, and who may turn it on. A
// primary that is not in the input is named by key ID in a Region the
// user fills in; nothing can be checked of it.
func rotationFix(env *Env, k *access.Key, f *Finding) *Remediation {
	plan := env.newPlan()
	target, found := rotationTarget(env, k)
	id := fixID("key-rotation-disabled", k.ARN)
	intent := remedy.Intent{Name: intentName("key-rotation-disabled", f)}
	if !found {
		region := plan.Placeholder("<PRIMARY_REGION>", nil, T(mRotationRegionNote, k.Inv.ID), nil, nil)
		primary := *k.Inv
		primary.Region = region
		plan.EnableKeyRotation(&primary, rotationPeriod, region)
		intent.Effective = func(*remedy.World) bool { return false }
		return prove(plan, id, T(mRotationReplicaUnknown, k.Inv.ID), []remedy.Intent{intent})
	}
	plan.EnableKeyRotation(target, rotationPeriod, "")
	intent.Effective = func(w *remedy.World) bool {
		r := w.Inv(target).Rotation
		return r != nil && r.Enabled
	}
	summary := T(mRotationSummary, rotationPeriod)
	if target != k.Inv {
		summary = T(mRotationReplica, target.ARN, rotationPeriod)
	}
	return prove(plan, id, summary, []remedy.Intent{intent})
}
