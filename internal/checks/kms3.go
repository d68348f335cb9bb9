package checks

import (
	"fmt"
	"math"
	"time"

	"github.com/keywarden/keywarden/internal/access"
)

// KMS.3: AWS KMS keys should not be deleted unintentionally.
//
// Severity: Security Hub rates KMS.3 critical, because once the waiting
// period ends every ciphertext under the key is lost for good. keywarden
// rates it high: the deletion can still be cancelled, and most scheduled
// deletions are deliberate clean-up, which a critical finding in CI would
// turn into noise.
var _ = register(&Check{
	ID:       "key-pending-deletion",
	Severity: High,
	Control:  "KMS.3",
	Title: Text{
		EN: "KMS keys should not be scheduled for deletion unintentionally",
		JA: "KMS キーを意図せず削除予定にすべきではありません",
	},
	Description: Text{
		EN: "A customer managed key is scheduled for deletion (key state PendingDeletion, or PendingReplicaDeletion for a multi-Region primary key waiting for its replicas). The finding gives the deletion date and the days left at scan time. AWS managed keys cannot be scheduled for deletion and are not checked.",
		JA: "カスタマー管理キーが削除予定になっています (キーの状態が PendingDeletion、またはレプリカの削除を待っているマルチリージョンのプライマリキーでは PendingReplicaDeletion)。検出結果には削除日とスキャン時点での残り日数を示します。AWS 管理キーは削除をスケジュールできないため対象外です。",
	},
	Risk: Text{
		EN: "When the waiting period (7 to 30 days) ends, KMS deletes the key material and everything encrypted under the key (S3 objects, EBS volumes, database snapshots, secrets) can never be decrypted again. Until then the deletion can be cancelled.",
		JA: "待機期間 (7〜30 日) が終わると KMS はキーマテリアルを削除し、このキーで暗号化されたすべてのデータ (S3 オブジェクト、EBS ボリューム、データベースのスナップショット、シークレットなど) は二度と復号できなくなります。待機期間中であれば削除を取り消せます。",
	},
	References: []string{
		"https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-3",
		"https://docs.aws.amazon.com/config/latest/developerguide/kms-cmk-not-scheduled-for-deletion.html",
		"https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html",
		"https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys-scheduling-key-deletion.html",
	},
	RunKey: func(ke *KeyEnv) []Finding {
		env, k := ke.Env, ke.Key
		var out []Finding
		md := k.Inv.Metadata
		if md == nil {
			out = append(out, unknownMetadata(k))
			return out
		}
		switch md.State {
		case "PendingDeletion", "PendingReplicaDeletion":
			out = append(out, pendingDeletionFailure(env, k))
		default:
			f := keyFinding(k, Pass, false)
			f.Message = Text{
				EN: "key " + keyRef(k.Inv) + " is not scheduled for deletion (state " + md.State + ")",
				JA: "キー " + keyRef(k.Inv) + " は削除予定ではありません (状態 " + md.State + ")",
			}
			out = append(out, f)
		}
		return out
	},
})

// daysLeft is the number of days from now until t, rounded up; 0 or less
// when t has passed.
func daysLeft(now, t time.Time) int {
	return int(math.Ceil(t.Sub(now).Hours() / 24))
}

func pendingDeletionFailure(env *Env, k *access.Key) Finding {
	md := k.Inv.Metadata
	f := keyFinding(k, Fail, false)
	ref := keyRef(k.Inv)
	when := md.DeletionDate.UTC().Format("2006-01-02 15:04 UTC")
	switch {
	case md.State == "PendingReplicaDeletion":
		f.Message = Text{
			EN: "key " + ref + " is scheduled for deletion: it waits for its replica keys to be deleted, then its own waiting period runs",
			JA: "キー " + ref + " は削除予定です: レプリカキーの削除を待っており、その後このキー自身の待機期間が始まります",
		}
	case md.DeletionDate.IsZero():
		f.Message = Text{
			EN: "key " + ref + " is scheduled for deletion (the deletion date is not in the input)",
			JA: "キー " + ref + " は削除予定です (削除日は入力データにありません)",
		}
	default:
		d := daysLeft(env.Now, md.DeletionDate)
		if d > 0 {
			f.Message = Text{
				EN: fmt.Sprintf("key %s is scheduled for deletion on %s (%d days left)", ref, when, d),
				JA: fmt.Sprintf("キー %s は %s に削除される予定です (残り %d 日)", ref, when, d),
			}
		} else {
			f.Message = Text{
				EN: fmt.Sprintf("key %s was scheduled for deletion on %s, which has passed at scan time: the key may already be deleted", ref, when),
				JA: fmt.Sprintf("キー %s は %s に削除される予定で、スキャン時点で既にその日時を過ぎています: キーは既に削除されている可能性があります", ref, when),
			}
		}
	}
	f.Explanation = append(f.Explanation, Text{EN: "key state: " + md.State, JA: "キーの状態: " + md.State})
	if !md.DeletionDate.IsZero() {
		f.Explanation = append(f.Explanation, Text{EN: "deletion date: " + when, JA: "削除予定日時: " + when})
	}
	if md.MultiRegion {
		f.Explanation = append(f.Explanation, Text{
			EN: "multi-Region key (" + md.MultiRegionKeyType + "): a primary key is deleted only after all its replicas are",
			JA: "マルチリージョンキー (" + md.MultiRegionKeyType + "): プライマリキーは、そのレプリカキーがすべて削除された後にのみ削除されます",
		})
	}
	f.Remediation = cancelDeletionRemediation(env, k, when)
	return f
}

func cancelDeletionRemediation(env *Env, k *access.Key, when string) *Remediation {
	inv := k.Inv
	until := Text{EN: "before the waiting period ends", JA: "待機期間が終わる前に"}
	if !inv.Metadata.DeletionDate.IsZero() {
		until = Text{EN: "before " + when, JA: when + " より前に"}
	}
	r := &Remediation{
		Summary: Text{
			EN: "If the deletion is not intended, cancel it " + until.EN + " and enable the key again: a key whose deletion is cancelled stays Disabled. If it is intended, first make sure nothing still needs the key (CloudTrail shows its recent use).",
			JA: "意図しない削除であれば、" + until.JA + "削除を取り消し、キーを再度有効にしてください。削除を取り消したキーは無効 (Disabled) のままになります。意図した削除であれば、キーを必要とするものが残っていないことを先に確認してください (CloudTrail で最近の使用状況を確認できます)。",
		},
		Console: []Text{
			openKeyStep(inv),
			{EN: "Choose Key actions, then Cancel key deletion.", JA: "「キーのアクション」から「キーの削除をキャンセル」を選びます。"},
			{EN: "Choose Key actions, then Enable, if the key was in use before it was scheduled for deletion.", JA: "削除予定になる前にキーが使用されていた場合は、「キーのアクション」から「有効化」を選びます。"},
		},
		CLI: fmt.Sprintf("aws kms cancel-key-deletion --region %s --key-id %s\n# A key whose deletion is cancelled is Disabled; enable it if it was in use:\naws kms enable-key --region %s --key-id %s",
			inv.Region, k.ARN, inv.Region, k.ARN),
		Terraform: fmt.Sprintf("# Terraform schedules deletion when an aws_kms_key is destroyed. After cancelling,\n# keep the key in the configuration (terraform import aws_kms_key.%s %s) and protect it:\nresource \"aws_kms_key\" %q {\n  # ... the key's existing arguments ...\n  is_enabled = true\n\n  lifecycle {\n    prevent_destroy = true\n  }\n}",
			tfName("key_"+inv.ID), inv.ID, tfName("key_"+inv.ID)),
		// The fixed state (a key not pending deletion) passes; callerCheck
		// verifies that someone may cancel.
		Verified: true,
	}
	callerCheck(env, k, "kms:CancelKeyDeletion", r)
	return r
}
