package explain

import (
	"regexp"
	"strings"
)

// A phrase is an English phrase the engine, the access layer or the
// inventory writes, as a pattern, with its Japanese (${n} are the
// pattern's groups, which hold names, ARNs, actions and numbers).
type phrase struct {
	re *regexp.Regexp
	ja string
	// fn, when set, writes the Japanese from the groups instead of ja.
	fn func(groups []string) string
}

func p(pattern, ja string) phrase { return phrase{re: regexp.MustCompile(pattern), ja: ja} }

func pf(pattern string, fn func([]string) string) phrase {
	return phrase{re: regexp.MustCompile(pattern), fn: fn}
}

// replace rewrites every match of the phrase in s.
func (ph phrase) replace(s string) string {
	if ph.fn == nil {
		return nounsJA.Replace(ph.re.ReplaceAllString(s, ph.ja))
	}
	return ph.re.ReplaceAllStringFunc(s, func(m string) string {
		return ph.fn(ph.re.FindStringSubmatch(m))
	})
}

// replacePrefix rewrites the match at the start of s, if there is one,
// and reports whether there was.
func (ph phrase) replacePrefix(s string) (string, bool) {
	loc := ph.re.FindStringSubmatchIndex(s)
	if loc == nil || loc[0] != 0 {
		return s, false
	}
	return ph.replace(s[:loc[1]]) + s[loc[1]:], true
}

// nounsJA puts the resource nouns the roles capture ("on this key")
// into Japanese after a replacement wrote them as "この${n}に".
var nounsJA = strings.NewReplacer("このkeyに", "このキーに", "このaliasに", "このエイリアスに", "このresourceに", "このリソースに")

// ownerKinds are the kinds of the owners of inline policies.
var ownerKinds = map[string]string{"role": "ロール", "user": "ユーザー", "group": "グループ"}

// inputByName maps the engine's names of inputs to their Japanese.
var inputByName = func() map[string]string {
	m := map[string]string{}
	for in, t := range inputs {
		m[string(in)] = t.JA
	}
	return m
}()

// A token the phrases capture: a name, an ARN, an action, a number.
const tok = `([^\s,;()]*[^\s,;():.])`

// labels are the names of policy documents, as the inventory, the engine
// and the checks write them, most specific first.
var labels = []phrase{
	pf(`\binline policy ("[^"]*") of (role|user|group) `+tok, func(g []string) string {
		return ownerKinds[g[2]] + " " + g[3] + " のインラインポリシー " + g[1]
	}),
	p(`\bcustomer managed policy `+tok+`( \(v\d+\))?`, "カスタマー管理ポリシー ${1}${2}"),
	p(`\bAWS managed policy `+tok+`( \(v\d+\))?`, "AWS 管理ポリシー ${1}${2}"),
	p(`\bmanaged policy `+tok+`( \(v\d+\))?`, "管理ポリシー ${1}${2}"),
	p(`\bkey policy of `+tok, "${1} のキーポリシー"),
	p(`\brotation status of `+tok, "${1} のローテーション状態"),
	p(`\bmetadata of `+tok, "${1} のメタデータ"),
	p(`\btags of `+tok, "${1} のタグ"),
	pf(`\b(inline policies|permissions boundary|attached policies) of (role|user|group) `+tok, func(g []string) string {
		what := map[string]string{"inline policies": "インラインポリシー", "permissions boundary": "アクセス許可の境界", "attached policies": "アタッチされたポリシー"}[g[1]]
		return ownerKinds[g[2]] + " " + g[3] + " の" + what
	}),
	pf(`\b(identity policies|permissions boundary|session policy|grants|service control policies|resource control policies) of (account \d{12}|`+tok[1:len(tok)-1]+`)`, func(g []string) string {
		owner := strings.Replace(g[2], "account ", "アカウント ", 1)
		return owner + " の" + inputByName[g[1]]
	}),
	p(`\bbucket policy of `+tok, "バケット ${1} のバケットポリシー"),
	p(`\btrust policy of role `+tok, "ロール ${1} の信頼ポリシー"),
	p(`\b(SCP|RCP) level (\d+) policy #(\d+)`, "${1} レベル ${2} のポリシー #${3}"),
	p(`\b(SCP|RCP) `+tok+`( "[^"]*")? at `+tok+`( \([^)]*\))?`, "${4}${5} の ${1} ${2}${3}"),
	p(`\bidentity policy #(\d+)`, "ID ベースのポリシー #${1}"),
	p(`\bgrant (#\d+|[0-9a-f]{8,})`, "グラント ${1}"),
}

// kinds of the principals the roles and rows name, and the words of the
// layers when they stand alone.
var words = []phrase{
	p(`^key policy$`, "キーポリシー"),
	p(`^grant$`, "グラント"),
	p(`\bthe root user of account (\d{12})`, "アカウント ${1} のルートユーザー"),
	p(`\bIAM user `+tok, "IAM ユーザー ${1}"),
	p(`\bIAM role `+tok, "IAM ロール ${1}"),
	p(`\bany other principal: the key policy was not read`, "その他の任意のプリンシパル (キーポリシーを読み取れませんでした)"),
	p(`\bthe grantees of grants that were not read`, "読み取れなかったグラントの被付与者"),
	p(`\bany principal of account (\d{12}) that its own IAM policies allow`, "アカウント ${1} の、自身の IAM ポリシーが許可する任意のプリンシパル"),
	p(`\bprincipals of account (\d{12}) that the incomplete IAM listing may have missed`, "アカウント ${1} の、不完全な IAM の一覧から漏れた可能性のあるプリンシパル"),
	p(`\bany principal of organization `+tok+` in an account the inventory does not hold, by its own IAM policies`, "入力にないアカウントに属する組織 ${1} の任意のプリンシパル (自身の IAM ポリシーによる)"),
	p(`\banyone outside organizations? ([\w-]+(?:, [\w-]+)*) and accounts? (\d{12}(?:, \d{12})*)`, "組織 ${1} とアカウント ${2} の外の任意のプリンシパル"),
	p(`\banyone outside accounts? (\d{12}(?:, \d{12})*)`, "アカウント ${1} の外の任意のプリンシパル"),
	p(`\bany principal of account (\d{12})`, "アカウント ${1} の任意のプリンシパル"),
	p(`\bany principal outside organization `+tok, "組織 ${1} の外の任意のプリンシパル"),
	p(`\bany principal outside the account and organization`, "アカウントと組織の外の任意のプリンシパル"),
	p(`\ban arbitrary principal of another account and organization`, "別のアカウントと組織の任意のプリンシパル"),
	p(`\bany principal`, "任意のプリンシパル"),
	p(`\bgrantee (arn:[^\s,;()]*[^\s,;():.])`, "被付与者 ${1}"),
}

// roleTexts are the engine's Reason.Role texts, for a statement cited in
// a sentence: "… statement 'S' names the caller".
var roleTexts = []phrase{
	p(`^denies \(the caller is not listed in NotPrincipal\)`, roles["denies-not-listed"].JA),
	p(`^denies \(NotPrincipal lists only some of the caller, its role and its account\)`, roles["denies-partly-listed"].JA),
	p(`^denies \(NotPrincipal never exempts a principal with a permissions boundary\)`, roles["denies-boundary"].JA),
	p(`^denies`, "拒否しています"),
	p(`^allows every principal \("\*"\)`, `すべてのプリンシパル ("*") を許可しています`),
	p(`^allows everyone not listed in NotPrincipal`, "NotPrincipal に含まれないすべてのプリンシパルを許可しています"),
	p(`^allows account (\d{12}), which includes its root user`, "アカウント ${1} (そのルートユーザーを含む) を許可しています"),
	p(`^allows `+tok+` for grantee `+tok, "被付与者 ${2} に ${1} を許可しています"),
	p(`^allows `+tok+` on this (key|alias|resource)`, "この${2}に対する ${1} を許可しています"),
	p(`^allows `+tok, "${1} を許可しています"),
	p(`^allows`, "許可しています"),
	p(`^names the caller's role`, "呼び出し元のロールを指定しています"),
	p(`^names the caller as retiring principal`, "呼び出し元を廃止プリンシパルとして指定しています"),
	p(`^names the caller`, "呼び出し元を指定しています"),
	p(`^names account (\d{12}) as retiring principal`, "アカウント ${1} を廃止プリンシパルとして指定しています"),
	p(`^names the service principal `+tok, "サービスプリンシパル ${1} を指定しています"),
	p(`^delegates to account (\d{12})`, "アカウント ${1} に委任しています"),
	p(`^lets its grantee retire it`, "被付与者による廃止を認めています"),
	p(`^belongs to account (\d{12}), which may retire grants it issued or on its keys`, "アカウント ${1} に属しています (このアカウントは自身が発行したグラントと自身のキーのグラントを廃止できます)"),
}

// sentences are the engine's summaries, conditions and notes, and the
// access layer's, most specific first. Each is matched anywhere in a
// text: findings quote them inside their own sentences.
var sentences = []phrase{
	// Summaries of denials.
	p(`implicitly denied: no key policy statement allows `+tok+` for this caller, directly or by delegation to account (\d{12}); IAM policies alone can never allow access to a KMS key`,
		"暗黙的に拒否: キーポリシーのどのステートメントも、この呼び出し元に ${1} を直接にもアカウント ${2} への委任によっても許可していません。IAM ポリシーだけでは KMS キーへのアクセスは許可されません"),
	p(`implicitly denied: no key policy statement allows the service principal `+tok+` to call `+tok,
		"暗黙的に拒否: キーポリシーのどのステートメントも、サービスプリンシパル ${1} に ${2} の呼び出しを許可していません"),
	p(`implicitly denied: no key policy statement allows `+tok+` for (the caller's account|account \d{12}) or this caller; a cross-account caller needs the key policy and its own IAM policies`,
		"暗黙的に拒否: キーポリシーのどのステートメントも、${2}にもこの呼び出し元にも ${1} を許可していません。クロスアカウントの呼び出し元には、キーポリシーと自身の IAM ポリシーの両方の許可が必要です"),
	p(`implicitly denied: a cross-account request needs both the key policy and the caller's identity-based policies to allow `+tok,
		"暗黙的に拒否: クロスアカウントのリクエストでは、キーポリシーと呼び出し元の ID ベースのポリシーの両方が ${1} を許可する必要があります"),
	p(`implicitly denied: a cross-account request needs both the resource-based policy and the caller's identity-based policies to allow `+tok,
		"暗黙的に拒否: クロスアカウントのリクエストでは、リソースベースのポリシーと呼び出し元の ID ベースのポリシーの両方が ${1} を許可する必要があります"),
	p(`implicitly denied: no identity-based policy or resource-based policy allows `+tok,
		"暗黙的に拒否: ${1} を許可する ID ベースのポリシーもリソースベースのポリシーもありません"),
	p(`implicitly denied: no service control policy at level (\d+) allows `+tok,
		"暗黙的に拒否: レベル ${1} のどのサービスコントロールポリシーも ${2} を許可していません"),
	p(`implicitly denied: `+tok+` is not a cross-account operation; (a principal of account (\d{12})|a principal of another account) cannot call it on (a key|an alias) of account (\d{12}) whatever the policies say`,
		"暗黙的に拒否: ${1} はクロスアカウントで使えないオペレーションです。ポリシーにかかわらず、別のアカウントのプリンシパルはアカウント ${5} のキーやエイリアスに対して呼び出せません"),
	p(`implicitly denied: KMS never accepts anonymous \(unsigned\) requests`, "暗黙的に拒否: KMS は匿名 (署名なし) のリクエストを受け付けません"),
	p(`implicitly denied: alias names beginning alias/aws/ are reserved for AWS managed keys`, "暗黙的に拒否: alias/aws/ で始まるエイリアス名は AWS マネージドキー用に予約されています"),
	p(`implicitly denied: kms:RetireGrant is authorized by grants \(retiring principal, grantee, issuing account\), and none lets this caller retire a grant on this key`,
		"暗黙的に拒否: "+ruleDenies["grant"]),
	p(`\bno identity-based policy allows `+tok+` on this (key|alias|resource)`, "この${2}に対する ${1} を許可する ID ベースのポリシーがありません"),
	p(`\bno identity-based policy allows `+tok, "${1} を許可する ID ベースのポリシーがありません"),
	p(`\bthe permissions boundary does not allow `+tok, "アクセス許可の境界が ${1} を許可していません"),
	p(`\bthe session policy does not allow `+tok, "セッションポリシーが ${1} を許可していません"),
	// Summaries of can answers about S3 with SSE-KMS (package access).
	p(`^allowed: every step allows \(([^)]*)\)`, "許可: すべての段階が許可しています (${1})"),
	p(`^denied: the (S3|KMS) side decides: `+tok+` on `+tok+`: `, "拒否: ${1} 側で決まります (${3} に対する ${2}): "),
	p(`^explicitly denied: the (S3|KMS) side decides: `+tok+` on `+tok+`: `, "明示的に拒否: ${1} 側で決まります (${3} に対する ${2}): "),
	p(`^unknown: the (S3|KMS) side decides: `+tok+` on `+tok+`: `, "判定不能: ${1} 側で決まります (${3} に対する ${2}): "),
	p(` \(conditional: see the conditions of each step\)`, " (条件付き: 各段階の条件を参照)"),
	// Summaries that diff writes for a side that has no answer.
	p(`\bthe key is not in this input`, "このキーはこの入力にありません"),
	p(`\bno statement or grant of this input reaches (.+)$`, "この入力のどのステートメントもグラントも ${1} に届きません"),
	p(`\bimplicitly denied: `, "暗黙的に拒否: "),
	p(`\bexplicitly denied: `, "明示的に拒否: "),
	p(`\ballowed: `+tok+` is authorized by IAM policies alone`, "許可: ${1} は IAM ポリシーだけで認可されます"),
	p(`\ballowed: the root user may call `+tok+`, which IAM policies alone authorize`, "許可: ルートユーザーは ${1} を呼び出せます (IAM ポリシーだけで認可されるアクションです)"),
	p(`; the root user needs no IAM policy`, "。ルートユーザーに IAM ポリシーは不要です"),
	p(`\ballowed: `, "許可: "),
	p(`\bunknown: `, "判定不能: "),

	// Conditions.
	p(`\bit would be allowed if `, "次の場合は許可されます: "),
	p(`\bits own IAM policies in account (\d{12}) allow `+tok+` on this (key|alias|resource)`, "アカウント ${1} の呼び出し元自身の IAM ポリシーが、この${3}に対する ${2} を許可すること"),
	p(`\bits own IAM policies in account (\d{12}) allow `+tok, "アカウント ${1} の呼び出し元自身の IAM ポリシーが ${2} を許可すること"),
	p(`\bits own IAM policies allow `+tok+` on this (key|alias|resource)`, "呼び出し元自身の IAM ポリシーが、この${2}に対する ${1} を許可すること"),
	p(`\bits own IAM policies allow `+tok, "呼び出し元自身の IAM ポリシーが ${1} を許可すること"),
	p(`\bits identity-based policies, which were not read, allow `+tok+` on this (key|alias|resource)`, "読み取れなかった呼び出し元の ID ベースのポリシーが、この${2}に対する ${1} を許可すること"),
	p(`\bits identity-based policies, which were not read, allow `+tok, "読み取れなかった呼び出し元の ID ベースのポリシーが ${1} を許可すること"),
	p(`\bunless its permissions boundary does not allow `+tok, "アクセス許可の境界が ${1} を許可しない場合を除く"),
	p(`\bunless the session policy does not allow `+tok, "セッションポリシーが ${1} を許可しない場合を除く"),
	p(`\bunless a service control policy of account (\d{12}) denies it`, "アカウント ${1} のサービスコントロールポリシーが拒否する場合を除く"),
	p(`\bunless a service control policy denies it`, "サービスコントロールポリシーが拒否する場合を除く"),
	p(`\bunless a resource control policy of account (\d{12}) denies it`, "アカウント ${1} のリソースコントロールポリシーが拒否する場合を除く"),
	p(`\bunless a resource control policy denies it`, "リソースコントロールポリシーが拒否する場合を除く"),
	p(`\bunless the key policy, which was not read, denies it`, "読み取れなかったキーポリシーが拒否する場合を除く"),
	p(`\bunless an identity-based policy of the caller, which was not read, denies it`, "読み取れなかった呼び出し元の ID ベースのポリシーが拒否する場合を除く"),
	p(`\bunless its permissions boundary, which was not read, denies it`, "読み取れなかったアクセス許可の境界が拒否する場合を除く"),
	p(`\bunless the session policy, which was not read, denies it`, "読み取れなかったセッションポリシーが拒否する場合を除く"),
	p(`\bthe key policy, which was not read, allows `+tok, "読み取れなかったキーポリシーが ${1} を許可すること"),
	p(`\ba grant that was not read allows `+tok, "読み取れなかったグラントが ${1} を許可すること"),
	p(`\bthe request's encryption context satisfies the grant's constraint`, "リクエストの暗号化コンテキストがグラントの制約を満たすこと"),
	p(`\bthe new grant allows only operations of (.+?) \(([^)]*)\)`, "新しいグラントが ${1} のオペレーション (${2}) だけを許可すること"),
	p(`\bthe new grant has an EncryptionContextEquals constraint, as (.+?) has`, "新しいグラントに、${1} と同じく EncryptionContextEquals 制約があること"),
	p(`\bthe resource matches `, "リソースが次に一致すること: "),
	pf(`\bthe (key policy|identity policies|permissions boundary|session policy|grants|service control policies|resource control policies) could not be read`, func(g []string) string {
		return inputByName[g[1]] + "を読み取れませんでした"
	}),

	p(`: not read: `, ": 読み取れませんでした: "),

	// Notes.
	p(`\ban explicit deny may also apply when: `, "次の場合は明示的な拒否も適用されます: "),
	p(`\bAWS also requires `+tok+` on the target key \(its key policy, or IAM through delegation\); only the alias was given`,
		"AWS は対象キーに対する ${1} も必要とします (キーポリシー、または委任による IAM)。指定されたのはエイリアスだけです"),
	p(tok+` is not a KMS action; it was evaluated with identity policies and SCPs only`, "${1} は KMS のアクションではありません。ID ベースのポリシーと SCP だけで評価しました"),
	p(`\bservice-linked roles are not limited by SCPs`, "サービスにリンクされたロールは SCP の制限を受けません"),
	p(`\ba federated-user session without a session policy has no identity-based permissions`, "セッションポリシーのないフェデレーションユーザーのセッションには ID ベースのアクセス許可がありません"),
	p(`\bAWS does not document account grantees; keywarden treats them like key-policy delegation: the caller's IAM policies must also allow`,
		"アカウントを被付与者とするグラントについて AWS は文書化していません。keywarden はキーポリシーによる委任と同様に扱い、呼び出し元の IAM ポリシーによる許可も必要とします"),
	p(`\bAWS does not document whether permissions boundaries or session policies limit grants; keywarden lets the grant allow`,
		"アクセス許可の境界やセッションポリシーがグラントを制限するかどうかを AWS は文書化していません。keywarden はグラントによる許可を認めます"),
	p(`\bAWS evaluates Deny\+NotPrincipal against the caller and its parents \(role, account\); keywarden exempts a caller only when its own ARN, its role \(sessions\) and its account are all listed`,
		"AWS は Deny+NotPrincipal を呼び出し元とその親 (ロール、アカウント) に対して評価します。keywarden は、呼び出し元自身の ARN、そのロール (セッションの場合)、そのアカウントがすべて列挙されている場合に限り除外します"),
	p(`\bAllow with NotPrincipal is no longer supported by AWS; it is read with its historical meaning, everyone except the listed principals`,
		"Allow と NotPrincipal の組み合わせは AWS でサポートされなくなりました。従来の意味 (列挙したプリンシパル以外の全員) として読み取ります"),
	p(`\ba grant created with CreateGrant permission from (.+?) may allow only the parent grant's operations \(([^)]*)\); the request asks for `+tok,
		"${1} の CreateGrant 権限で作成するグラントは、親グラントのオペレーション (${2}) しか許可できません。リクエストは ${3} を求めています"),
	p(`\bthe request does not say which operations the new grant allows; (.+?) lets its grantee create grants for its own operations only \(([^)]*)\)`,
		"リクエストは新しいグラントが許可するオペレーションを指定していません。${1} は被付与者に、自身のオペレーション (${2}) のグラントの作成だけを認めています"),
	p(`\ba grant created from (.+?) must keep its EncryptionContextEquals constraint`, "${1} から作成するグラントは EncryptionContextEquals 制約を保持する必要があります"),
	p(`\ba grant created from (.+?) needs an encryption context constraint at least as strict as the parent's; the request gives no kms:GrantConstraintType`,
		"${1} から作成するグラントには親と同等以上に厳しい暗号化コンテキストの制約が必要ですが、リクエストに kms:GrantConstraintType がありません"),
	p(`\bwithout the missing data the engine would answer `+tok, "不足しているデータがなければ、エンジンの答えは ${1} です"),
	p(`\bS3 Bucket Key is enabled: the encryption context S3 sends is the bucket ARN, not the object ARN`, "S3 バケットキーが有効です。S3 が送る暗号化コンテキストはオブジェクトではなくバケットの ARN です"),
	p(`\bbucket `+tok+` does not use SSE-KMS by default: S3 needs no KMS permission \(a request that asks for SSE-KMS explicitly would\)`,
		"バケット ${1} はデフォルトで SSE-KMS を使いません。S3 に KMS の権限は不要です (SSE-KMS を明示的に求めるリクエストは除く)"),
	p(`\bthe key policy could not be read \((.*)\): only principals a grant allows can be listed; every other answer is Unknown`,
		"キーポリシーを読み取れませんでした (${1})。一覧にできるのはグラントが許可するプリンシパルだけで、それ以外の答えはすべて判定不能です"),
}

// reasons are why an input was not read, as the inputs write them.
var reasons = []phrase{
	p(`^not given$`, "入力にありません"),
	p(`^not read: (.*)$`, "読み取れませんでした: ${1}"),
	p(`^the file is missing from the export$`, "エクスポートにファイルがありません"),
	p(`^the file is empty$`, "ファイルが空です"),
	p(`^the export has no (\S+) directory$`, "エクスポートに ${1} ディレクトリがありません"),
	p(`^the list is truncated$`, "一覧が途中で切れています"),
	p(`^the listing is truncated: its last page says more follow$`, "一覧が途中で切れています (最後のページに続きがあると記されています)"),
	p(`^the snapshot does not hold it$`, "スナップショットにありません"),
	p(`^the region was not read$`, "リージョンを読み取れませんでした"),
	p(`^the policy is empty$`, "ポリシーが空です"),
	p(`^known after apply \(([^)]*)\); give --tf-dir to rebuild it from the sources$`, "適用後に決まります (${1})。--tf-dir を指定するとソースから再構成できます"),
	p(`^known after apply \(([^)]*)\)$`, "適用後に決まります (${1})"),
	p(`^(the permissions boundary|a managed policy ARN|the inline policies|the key) (is|are) known after apply \(([^)]*)\)(.*)$`, "${1} は適用後に決まります (${3})${4}"),
	p(`^not known before deployment: (.*)$`, "デプロイ前には決まりません: ${1}"),
	p(`^(a policy|a group|a managed policy ARN|the permissions boundary) is not known before deployment(.*)$`, "${1} はデプロイ前には決まりません${2}"),
	p(`^invalid JSON: (.*)$`, "JSON が不正です: ${1}"),
}

// awsError matches an error message of AWS, quoted as it was received:
// it is data, not keywarden's sentence. The third form is an API call and
// its error in parentheses: "(iam:GetRolePolicy: Throttling after 5
// retries)".
var awsError = regexp.MustCompile(`(An error occurred \([A-Za-z]+\)[^\n]*|\b[A-Z][A-Za-z]*(Exception|Denied|Error|Throttling): [^\n]*|\b[a-z0-9-]+:[A-Z][A-Za-z]+: [^)\n]+)`)

// Reason says why an input was not read, in a language: the known
// reasons in words, an error of AWS quoted as it came.
func Reason(s string, lang string) string {
	if lang != Japanese {
		return s
	}
	for _, ph := range reasons {
		if ph.re.MatchString(s) {
			s = ph.replace(s)
			break
		}
	}
	return quoteAWSErrors(Text(s, lang))
}

// quoteAWSErrors puts an AWS error message inside 「」 in Japanese text,
// to show it is quoted as AWS wrote it.
func quoteAWSErrors(s string) string {
	locs := awsError.FindAllStringIndex(s, -1)
	if locs == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, loc := range locs {
		start, end := loc[0], loc[1]
		// Keep the closing parenthesis of "(… error)" outside the quote.
		for end > start && s[end-1] == ')' && strings.Count(s[start:end], "(") < strings.Count(s[start:end], ")") {
			end--
		}
		if strings.HasSuffix(s[:start], "「") {
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString("「" + s[start:end] + "」")
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}

// PolicyLabel names a policy document ("key policy of arn:…", `inline
// policy "x" of role y`, "identity policy #0", "grant 8c94…") in a
// language.
func PolicyLabel(label string, lang string) string {
	if lang != Japanese {
		return label
	}
	for _, ph := range labels {
		if out, ok := ph.replacePrefix(label); ok {
			return out
		}
	}
	for _, ph := range words {
		if ph.re.MatchString(label) {
			return ph.replace(label)
		}
	}
	if m, ok := layerByName[label]; ok {
		return m
	}
	return label
}

var layerByName = func() map[string]string {
	m := map[string]string{}
	for l, t := range layers {
		m[string(l)] = t.JA
	}
	return m
}()

// Condition is a condition an Allow holds under: a policy condition
// ("StringEquals kms:CallerAccount = 111122223333") stays as it is, the
// engine's own conditions are put into words.
func Condition(c string, lang string) string {
	return Text(c, lang)
}

// Note is one of the engine's notes in a language.
func Note(n string, lang string) string {
	return Text(n, lang)
}

// statementRef is a statement cited inside a sentence: "LABEL statement
// 'Sid'" or "LABEL statement #n", then its role.
var statementRef = regexp.MustCompile(`((?:key policy(?: of [^\s,;()]+)?|identity policy #\d+|(?:SCP|RCP) level \d+ policy #\d+|permissions boundary|session policy|resource-based policy|inline policy "[^"]*" of (?:role|user|group) [^\s,;()]+|(?:customer |AWS )?managed policy [^\s,;()]+(?: \(v\d+\))?)) statement ('[^']*'(?: \(#\d+\))?|#\d+) ([a-z][^,;]*?)(, and |, but |; |$)`)

// Text rewrites, in a Japanese text, the engine's and the inputs' English
// phrases it quotes (a decision's summary, a condition, a note, a policy
// label, a statement and its role) into Japanese. Names, ARNs, actions
// and quoted text are kept. An English text, or a phrase it does not
// know, is returned as it is.
func Text(s string, lang string) string {
	if lang != Japanese || !hasLatinWords(s) {
		return s
	}
	s = statementRef.ReplaceAllStringFunc(s, func(m string) string {
		sm := statementRef.FindStringSubmatch(m)
		role := sm[3]
		ja := ""
		for _, ph := range roleTexts {
			if loc := ph.re.FindStringSubmatchIndex(role); loc != nil && loc[1] == len(role) {
				ja = ph.replace(role)
				break
			}
		}
		if ja == "" {
			return m
		}
		sep := ""
		switch sm[4] {
		case ", and ":
			sep = "、"
		case ", but ":
			sep = "。しかし "
		case "; ":
			sep = "。"
		}
		return withNo(PolicyLabel(sm[1], lang)) + "ステートメント " + sm[2] + " が" + ja + sep
	})
	for _, ph := range sentences {
		s = ph.replace(s)
	}
	for _, ph := range labels {
		s = ph.replace(s)
	}
	for _, ph := range words[2:] {
		s = ph.replace(s)
	}
	s = actionList.ReplaceAllStringFunc(s, func(m string) string {
		return strings.ReplaceAll(m, " and ", " と ")
	})
	s = strings.ReplaceAll(s, "こと and ", "こと、かつ ")
	s = strings.ReplaceAll(s, ") or (", ") または (")
	return quoteAWSErrors(s)
}

// actionList is "kms:A and kms:B and …": actions joined by "and".
var actionList = regexp.MustCompile(`[a-z0-9-]+:[A-Za-z*]+(?: and [a-z0-9-]+:[A-Za-z*]+)+`)

// hasLatinWords reports whether s holds two Latin letters in a row:
// only then can it hold a phrase to rewrite.
func hasLatinWords(s string) bool {
	prev := false
	for _, r := range s {
		l := r < 0x80 && (r|0x20) >= 'a' && (r|0x20) <= 'z'
		if l && prev {
			return true
		}
		prev = l
	}
	return false
}
