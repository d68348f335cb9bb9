package explain

import (
	"strings"

	"github.com/keywarden/keywarden/internal/engine"
)

// The languages, as inventory.DescribePlanned names them.
const (
	English  = "en"
	Japanese = "ja"
)

// msg is one message in both languages. A message with arguments is a
// format whose verbs are all %s, in the same order in both languages.
type msg struct{ EN, JA string }

func (m msg) in(lang string) string {
	if lang == Japanese && m.JA != "" {
		return m.JA
	}
	return m.EN
}

// decisions names the decisions, and an Allow that holds only under
// conditions.
var decisions = map[engine.Decision]msg{
	engine.Allow:        {"Allow", "許可"},
	engine.ImplicitDeny: {"ImplicitDeny", "暗黙的な拒否"},
	engine.ExplicitDeny: {"ExplicitDeny", "明示的な拒否"},
	engine.Unknown:      {"Unknown", "判定不能"},
}

var conditionalAllow = msg{"Allow (conditional)", "条件付きで許可"}

// layers names the layers as the AWS documentation in each language does.
var layers = map[engine.Layer]msg{
	engine.LayerKeyPolicy: {"key policy", "キーポリシー"},
	engine.LayerResource:  {"resource-based policy", "リソースベースのポリシー"},
	engine.LayerIdentity:  {"identity-based policy", "ID ベースのポリシー"},
	engine.LayerBoundary:  {"permissions boundary", "アクセス許可の境界"},
	engine.LayerSession:   {"session policy", "セッションポリシー"},
	engine.LayerSCP:       {"service control policy", "サービスコントロールポリシー (SCP)"},
	engine.LayerRCP:       {"resource control policy", "リソースコントロールポリシー (RCP)"},
	engine.LayerGrant:     {"grant", "グラント"},
	engine.LayerKMS:       {"KMS", "KMS"},
}

// inputs names the inputs a decision can lack.
var inputs = map[engine.Input]msg{
	engine.InputKeyPolicy: {"key policy", "キーポリシー"},
	engine.InputIdentity:  {"identity policies", "ID ベースのポリシー"},
	engine.InputBoundary:  {"permissions boundary", "アクセス許可の境界"},
	engine.InputSession:   {"session policy", "セッションポリシー"},
	engine.InputGrants:    {"grants", "グラント"},
	engine.InputSCPs:      {"service control policies", "サービスコントロールポリシー"},
	engine.InputRCPs:      {"resource control policies", "リソースコントロールポリシー"},
}

// roles says what a statement or grant did, by Reason.Kind. %s is the
// reason's Subject where the kind has one. allows-on is handled apart (it
// names the request's resource).
var roles = map[engine.RoleKind]msg{
	engine.RoleDenies:             {"denies", "拒否しています"},
	engine.RoleDeniesNotListed:    {"denies (the caller is not listed in NotPrincipal)", "拒否しています (呼び出し元は NotPrincipal に含まれていません)"},
	engine.RoleDeniesPartial:      {"denies (NotPrincipal lists only some of the caller, its role and its account)", "拒否しています (NotPrincipal には呼び出し元、そのロール、そのアカウントの一部しか含まれていません)"},
	engine.RoleDeniesBoundary:     {"denies (NotPrincipal never exempts a principal with a permissions boundary)", "拒否しています (アクセス許可の境界を持つプリンシパルは NotPrincipal で除外されません)"},
	engine.RoleAllows:             {"allows", "許可しています"},
	engine.RoleAllowsAction:       {"allows %s", "%s を許可しています"},
	engine.RoleNamesCaller:        {"names the caller", "呼び出し元を指定しています"},
	engine.RoleNamesRole:          {"names the caller's role", "呼び出し元のロールを指定しています"},
	engine.RoleAllowsEveryone:     {`allows every principal ("*")`, `すべてのプリンシパル ("*") を許可しています`},
	engine.RoleAllowsNotListed:    {"allows everyone not listed in NotPrincipal", "NotPrincipal に含まれないすべてのプリンシパルを許可しています"},
	engine.RoleDelegates:          {"delegates to account %s", "アカウント %s に委任しています"},
	engine.RoleAllowsRootAccount:  {"allows account %s, which includes its root user", "アカウント %s (そのルートユーザーを含む) を許可しています"},
	engine.RoleNamesService:       {"names the service principal %s", "サービスプリンシパル %s を指定しています"},
	engine.RoleGrantRetiring:      {"names the caller as retiring principal", "呼び出し元を廃止プリンシパルとして指定しています"},
	engine.RoleGrantRetiringAcct:  {"names account %s as retiring principal", "アカウント %s を廃止プリンシパルとして指定しています"},
	engine.RoleGrantGranteeRetire: {"lets its grantee retire it", "被付与者による廃止を認めています"},
	engine.RoleGrantIssuer:        {"belongs to account %s, which may retire grants it issued or on its keys", "アカウント %s に属しています。このアカウントは自身が発行したグラントと自身のキーのグラントを廃止できます"},
}

// allowsOn is allows-on with the noun of the request's resource.
var allowsOn = map[string]msg{
	"key":      {"allows %s on this key", "このキーに対する %s を許可しています"},
	"alias":    {"allows %s on this alias", "このエイリアスに対する %s を許可しています"},
	"resource": {"allows %s on this resource", "このリソースに対する %s を許可しています"},
	"":         {"allows %s", "%s を許可しています"},
}

// grantAllows is grant-allows: the operation and the grantee.
var grantAllows = msg{"allows %s for grantee %s", "被付与者 %s に %s を許可しています"}

// statementOf names a statement of a policy: the policy's label, then the
// statement's Sid or index.
// (In Japanese the label ends with its particle の; see withNo.)
var (
	statementSid   = msg{"%s statement '%s' (#%s)", "%sステートメント '%s' (#%s)"}
	statementIndex = msg{"%s statement #%s", "%sステートメント #%s"}
)

// gapOf is a gap: the input, whose it is, and why it was not read.
var (
	gapOwnerReason = msg{"%s of %s: %s", "%[2]s の%[1]s: %[3]s"}
	gapOwner       = msg{"%s of %s", "%[2]s の%[1]s"}
	gapReason      = msg{"%s: %s", "%s: %s"}
)

// Summaries of decisions, in Japanese (the English is the engine's own
// sentence). Each says what decided; the statements cited follow it in
// every explanation.
var (
	sumAllow = "許可: %s"
	// Allows of another service's action (S3), by layer.
	allowsIAM            = "IAM ポリシーが許可しています"
	allowsResource       = "リソースベースのポリシーが許可しています"
	allowsIAMAndResource = "IAM ポリシーとリソースベースのポリシーが許可しています"
	sumAllowIAMOnly      = "許可: %s は IAM ポリシーだけで認可されます"
	sumAllowRoot         = "許可: ルートユーザーは %s を呼び出せます (IAM ポリシーだけで認可されるアクションです)"
	sumExplicitDeny      = "明示的に拒否: %s が拒否しています"
	sumUnknown           = "判定不能: %s"
	sumUnknownCaller     = "判定不能: keywarden が認識できないプリンシパルです (ユーザー、ロール、セッション、フェデレーションユーザー、ルートの ARN、アカウント ID、サービスプリンシパル、\"anonymous\" のいずれかを指定してください)"
	sumImplicitPrefix    = "暗黙的に拒否: "
)

// ruleAllows names the way an Allow was reached, in Japanese.
var ruleAllows = map[engine.Rule]string{
	engine.RuleDirect:           "キーポリシーが呼び出し元に直接許可しています",
	engine.RuleDelegation:       "キーポリシーがアカウントに委任し、IAM ポリシーが許可しています",
	engine.RuleGrant:            "グラントが許可しています",
	engine.RuleRoot:             "キーポリシーがアカウントを許可しています。ルートユーザーに IAM ポリシーは不要です",
	engine.RuleServicePrincipal: "キーポリシーがサービスプリンシパルを指定しています",
}

// ruleDenies says why nothing allowed, in Japanese, by the rule that
// decided an implicit denial; %s is the action.
var ruleDenies = map[engine.Rule]string{
	engine.RuleAnonymous:        "KMS は匿名 (署名なし) のリクエストを受け付けません",
	engine.RuleSCPNoAllow:       "%s を許可しないサービスコントロールポリシーのレベルがあります",
	engine.RuleCrossAccountOp:   "%s はクロスアカウントで使えないオペレーションです。ポリシーにかかわらず、別のアカウントのプリンシパルはこのアカウントのリソースに対して呼び出せません",
	engine.RuleNoKeyPolicyAllow: "キーポリシーのどのステートメントも、この呼び出し元に %s を直接にも委任によっても許可していません。IAM ポリシーだけでは KMS キーへのアクセスは許可されません",
	engine.RuleNoIdentityAllow:  "%s を許可する ID ベースのポリシーがありません",
	engine.RuleBoundaryNoAllow:  "アクセス許可の境界が %s を許可していません",
	engine.RuleSessionNoAllow:   "セッションポリシーが %s を許可していません",
	engine.RuleGrant:            "kms:RetireGrant はグラント (廃止プリンシパル、被付与者、発行元アカウント) によって認可されますが、この呼び出し元にこのキーのグラントの廃止を認めるものはありません",
	engine.RuleIAMOnly:          "alias/aws/ で始まるエイリアス名は AWS マネージドキー用に予約されています",
	engine.RuleMissingInput:     "必要な入力を読み取れませんでした",
}

// Labels the explanations use around the engine's texts.
var (
	labelNote    = msg{"note", "注記"}
	labelWhen    = msg{"when", "条件"}
	labelMissing = msg{"missing", "不足"}
	// The frame of who-can answers.
	labelWhoCan  = msg{"Who can %s with %s", "%[2]s に対して %[1]s を実行できるプリンシパル"}
	labelNobody  = msg{"nobody", "なし"}
	labelVia     = msg{"via", "経路"}
	labelGrantOf = msg{"grant", "グラント"}
	labelSide    = msg{"%s side: %s on %s", "%s 側: %[3]s に対する %[2]s"}
)

// Name of a decision, or "Allow (conditional)".
func Decision(d engine.Decision, conditional bool, lang string) string {
	if d == engine.Allow && conditional {
		return conditionalAllow.in(lang)
	}
	if m, ok := decisions[d]; ok {
		return m.in(lang)
	}
	return d.String()
}

// Layer names a layer.
func Layer(l engine.Layer, lang string) string {
	if m, ok := layers[l]; ok {
		return m.in(lang)
	}
	return string(l)
}

// Input names an input.
func Input(in engine.Input, lang string) string {
	if m, ok := inputs[in]; ok {
		return m.in(lang)
	}
	return string(in)
}

// Label is a word the explanations print before a line: "note", "when",
// "missing"; or one of the answers' words: "nobody", "via", "grant".
func Label(name string, lang string) string {
	switch name {
	case "note":
		return labelNote.in(lang)
	case "when":
		return labelWhen.in(lang)
	case "missing":
		return labelMissing.in(lang)
	case "nobody":
		return labelNobody.in(lang)
	case "via":
		return labelVia.in(lang)
	case "grant":
		return labelGrantOf.in(lang)
	}
	return name
}

// WhoCanTitle is the first line of a who-can answer.
func WhoCanTitle(action, key string, lang string) string {
	return sprintf(labelWhoCan.in(lang), action, key)
}

// Side heads the S3 or KMS side of a can answer about S3 with SSE-KMS.
func Side(side, action, resource string, lang string) string {
	return sprintf(labelSide.in(lang), side, action, resource)
}

// sprintf fills a catalogue format: every verb is %s or %[n]s.
func sprintf(format string, args ...string) string {
	var b strings.Builder
	next := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 >= len(format) {
			b.WriteByte(c)
			continue
		}
		switch {
		case format[i+1] == 's':
			if next < len(args) {
				b.WriteString(args[next])
			}
			next++
			i++
		case format[i+1] == '[' && i+4 < len(format) && format[i+3] == ']' && format[i+4] == 's':
			n := int(format[i+2] - '1')
			if n >= 0 && n < len(args) {
				b.WriteString(args[n])
			}
			next = n + 1
			i += 4
		case format[i+1] == '%':
			b.WriteByte('%')
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
