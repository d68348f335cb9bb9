package checks

import "strings"

// input-incomplete: data the input could not read, listed as Unknown
// findings so that a report never reads as a clean pass when whole
// listings are missing (a region's keys, the IAM listing, the
// organization, the buckets). Items that other checks need one by one (a
// key policy, a key's grants) also make those checks Unknown; this check
// says what the input lacks as a whole.
var _ = register(&Check{
	ID:       "input-incomplete",
	Severity: Medium,
	Title: Text{
		EN: "The input should hold everything the checks need",
		JA: "入力にはチェックに必要なすべてのデータが含まれているべきです",
	},
	Description: Text{
		EN: "Lists what the input could not read: listings (IAM, the organization and its SCPs and RCPs, a region's KMS keys or aliases, the S3 buckets) and single items (a key policy, grants, rotation status, a user, role or managed policy). An account whose KMS keys were not read in any region is reported too. Every such gap is an Unknown finding: what it hides cannot be judged a pass.",
		JA: "入力で読み取れなかったものを列挙します: 一覧 (IAM、組織とその SCP・RCP、リージョンの KMS キーやエイリアス、S3 バケット) と個々の項目 (キーポリシー、グラント、ローテーション状態、ユーザー・ロール・管理ポリシー)。どのリージョンでも KMS キーが読み取られていないアカウントも報告します。これらの欠落はすべて Unknown の検出結果です: 隠れている内容を合格と判定することはできません。",
	},
	Risk: Text{
		EN: "A scan over partial data can miss real exposures: a key in an unread region, a role in a truncated IAM listing, an SCP that was not read. Fix the reader's permissions (docs/iam-policy-for-keywarden.json) or the export, and scan again.",
		JA: "不完全なデータに対するスキャンは、実際の露出を見逃す可能性があります: 読み取られていないリージョンのキー、途中で切れた IAM 一覧のロール、読み取られていない SCP など。読み取り側の権限 (docs/iam-policy-for-keywarden.json) またはエクスポートを修正して、再度スキャンしてください。",
	},
	References: []string{
		"https://docs.aws.amazon.com/kms/latest/developerguide/control-access.html",
		"https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_understand-policy-summary-access-level-summaries.html",
	},
	Run: func(env *Env) []Finding {
		var out []Finding
		gaps := map[string]bool{}
		for _, g := range env.Snapshot.Gaps() {
			acct := gapAccount(g.Item)
			gaps[acct] = true
			out = append(out, Finding{Status: Unknown, Resource: gapResource(g.Item), Account: acct,
				Message: T(mIncompleteItem, g.Item, g.Reason),
				Missing: []string{g.Error()}})
		}
		for _, a := range env.Snapshot.Accounts {
			if len(a.KMSRegions) == 0 && len(a.Keys) == 0 {
				out = append(out, Finding{Status: Unknown, Resource: "arn:aws:kms:*:" + a.ID + ":key/*", Account: a.ID,
					Message: T(mIncompleteNoRegion, a.ID),
					Missing: []string{"KMS keys of account " + a.ID}})
			}
			if !gaps[a.ID] && !(len(a.KMSRegions) == 0 && len(a.Keys) == 0) {
				out = append(out, Finding{Status: Pass, Resource: "arn:aws:iam::" + a.ID + ":root", Account: a.ID,
					Message: T(mIncompletePass, a.ID)})
			}
		}
		return out
	},
})

// gapResource extracts the ARN a gap is about, or names the account (a
// region's key listing: every key of that region).
func gapResource(item string) string {
	fs := strings.Fields(item)
	if strings.HasPrefix(item, "KMS ") && len(fs) >= 6 && fs[len(fs)-2] == "in" {
		return "arn:aws:kms:" + fs[len(fs)-1] + ":" + fs[4] + ":key/*"
	}
	for _, f := range fs {
		if strings.HasPrefix(f, "arn:") {
			return f
		}
	}
	for _, f := range fs {
		if len(f) == 12 && strings.Trim(f, "0123456789") == "" {
			return "arn:aws:iam::" + f + ":root"
		}
	}
	return item
}

func gapAccount(item string) string {
	r := gapResource(item)
	if parts := strings.Split(r, ":"); len(parts) > 4 {
		return parts[4]
	}
	return ""
}
