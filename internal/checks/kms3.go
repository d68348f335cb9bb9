package checks

import (
	"math"
	"time"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/remedy"
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
			f.Message = T(mDeletionPass, keyRef(k.Inv), md.State)
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
	switch d := daysLeft(env.Now, md.DeletionDate); {
	case md.State == "PendingReplicaDeletion":
		f.Message = T(mDeletionReplicas, ref)
	case md.DeletionDate.IsZero():
		f.Message = T(mDeletionNoDate, ref)
	case d > 0:
		f.Message = T(mDeletionDays, ref, when, d)
	default:
		f.Message = T(mDeletionPassed, ref, when)
	}
	f.Explanation = append(f.Explanation, T(mKeyState, md.State))
	if !md.DeletionDate.IsZero() {
		f.Explanation = append(f.Explanation, T(mDeletionDate, when))
	}
	if md.MultiRegion {
		f.Explanation = append(f.Explanation, T(mDeletionMultiRegion, md.MultiRegionKeyType))
	}
	f.Remediation = cancelDeletionFix(env, k, &f, when)
	return f
}

// cancelDeletionFix cancels the deletion. The key is then Disabled, which
// the fix leaves to the user: enabling it gives its users their access
// back, a decision only they can make. The engine re-checks the key in
// the state the fix leaves it, and who may cancel.
func cancelDeletionFix(env *Env, k *access.Key, f *Finding, when string) *Remediation {
	plan := env.newPlan()
	plan.CancelKeyDeletion(k)
	until := T(mUntilPeriodEnds)
	if !k.Inv.Metadata.DeletionDate.IsZero() {
		until = T(mUntilDate, when)
	}
	return prove(plan, fixID("key-pending-deletion", k.ARN), T(mCancelSummary, until), []remedy.Intent{{
		Name: intentName("key-pending-deletion", f),
		Effective: func(w *remedy.World) bool {
			md := w.Inv(k.Inv).Metadata
			return md.State != "PendingDeletion" && md.State != "PendingReplicaDeletion"
		},
	}})
}
