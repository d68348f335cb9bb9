package inventory

import (
	"strings"
)

// Placeholders stand for values that are not known before a deployment: the
// key ID KMS will generate for a key a Terraform plan creates, the name
// CloudFormation will generate for a role whose template gives none. The
// IaC inputs never guess such a value. They write a placeholder instead,
// and only for the unknown part: a role whose name is unknown but whose
// account is known has the ARN
//
//	arn:aws:iam::111122223333:role/{{cfn:AppRole}}
//
// and a new key has the ID {{tf:aws_kms_key.payments}} and the ARN
//
//	arn:aws:kms:us-east-1:111122223333:key/{{tf:aws_kms_key.payments}}
//
// A placeholder is "{{tf:" + a Terraform resource address + "}}" or "{{cfn:"
// + a CloudFormation logical ID + "}}". Either may end in "." and an
// attribute name when the value is an attribute whose form keywarden does
// not know (the ARN of a Lambda function, say): {{tf:aws_sns_topic.t.arn}},
// {{cfn:Topic.Arn}}. Braces never occur in IAM names, key IDs or ARNs, and a
// placeholder holds no "${", "*" or "?", so policy matching treats it as an
// exact string; every reference to the same resource yields the same
// string, so a key policy naming a planned role matches that role.
//
// IsPlanned tells whether a string holds a placeholder; DescribePlanned
// rewrites placeholders into words for people.
const (
	placeholderOpen  = "{{"
	placeholderClose = "}}"
	tfPrefix         = "tf:"
	cfnPrefix        = "cfn:"
)

// PlannedTerraform returns the placeholder for the value the Terraform
// resource at address will have once applied: "{{tf:ADDRESS}}".
func PlannedTerraform(address string) string {
	return placeholderOpen + tfPrefix + address + placeholderClose
}

// PlannedCloudFormation returns the placeholder for the value the
// CloudFormation resource with the logical ID will have once deployed:
// "{{cfn:LOGICAL_ID}}".
func PlannedCloudFormation(logicalID string) string {
	return placeholderOpen + cfnPrefix + logicalID + placeholderClose
}

// IsPlanned reports whether s holds a placeholder, that is whether it names
// something a plan or template will create and whose identifier is not
// known yet.
func IsPlanned(s string) bool {
	for {
		i := strings.Index(s, placeholderOpen)
		if i < 0 {
			return false
		}
		if _, _, n := parsePlaceholder(s[i:]); n > 0 {
			return true
		}
		s = s[i+len(placeholderOpen):]
	}
}

// A Placeholder is one placeholder found in a string.
type Placeholder struct {
	// Terraform is true for "{{tf:...}}", false for "{{cfn:...}}".
	Terraform bool
	// Address is the Terraform resource address or the CloudFormation
	// logical ID, with the attribute when there is one
	// ("aws_kms_key.payments", "AppRole", "Topic.Arn").
	Address string
}

// Placeholders returns the placeholders of s, in order.
func Placeholders(s string) []Placeholder {
	var out []Placeholder
	for {
		i := strings.Index(s, placeholderOpen)
		if i < 0 {
			return out
		}
		tf, addr, n := parsePlaceholder(s[i:])
		if n == 0 {
			s = s[i+len(placeholderOpen):]
			continue
		}
		out = append(out, Placeholder{Terraform: tf, Address: addr})
		s = s[i+n:]
	}
}

// parsePlaceholder reads a placeholder at the start of s and returns its
// kind, its address and its length (0 when s does not start with one).
func parsePlaceholder(s string) (tf bool, addr string, n int) {
	rest, ok := strings.CutPrefix(s, placeholderOpen)
	if !ok {
		return false, "", 0
	}
	switch {
	case strings.HasPrefix(rest, tfPrefix):
		tf, rest = true, rest[len(tfPrefix):]
	case strings.HasPrefix(rest, cfnPrefix):
		rest = rest[len(cfnPrefix):]
	default:
		return false, "", 0
	}
	end := strings.Index(rest, placeholderClose)
	if end <= 0 {
		return false, "", 0
	}
	addr = rest[:end]
	// Terraform instance keys may hold quotes and spaces
	// (aws_iam_role.app["web app"]); braces and line breaks never occur.
	if strings.ContainsAny(addr, "{}\n") {
		return false, "", 0
	}
	return tf, addr, len(s) - len(rest) + end + len(placeholderClose)
}

// DescribePlanned rewrites every placeholder of s into words, in English
// (lang "en", the default) or Japanese ("ja"), for explanations and
// reports. An ARN whose name part is a placeholder becomes one phrase:
//
//	arn:aws:iam::111122223333:role/{{cfn:AppRole}}
//	→ the role that Resources.AppRole will create
//	→ Resources.AppRole が作成するロール
//
//	arn:aws:kms:us-east-1:111122223333:key/{{tf:aws_kms_key.payments}}
//	→ the key that aws_kms_key.payments will create
//
// A placeholder standing alone is described by the Terraform resource type
// ({{tf:aws_kms_key.payments}}, a key ID, is the same key) or, for
// CloudFormation, as "the resource that Resources.X will create"; one for an
// attribute reads "the Arn of Resources.Topic (known after deployment)". A
// placeholder inside a longer value (arn:aws:s3:::{{tf:aws_s3_bucket.b}}/*)
// is replaced by its phrase in parentheses. Text without placeholders is
// returned unchanged.
func DescribePlanned(s string, lang string) string {
	if !strings.Contains(s, placeholderOpen) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, placeholderOpen)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		tf, addr, n := parsePlaceholder(s[i:])
		if n == 0 {
			b.WriteString(s[:i+len(placeholderOpen)])
			s = s[i+len(placeholderOpen):]
			continue
		}
		// The word holding the placeholder: the ARN or name around it.
		start := i
		for start > 0 && !isWordBreak(s[start-1]) {
			start--
		}
		end := i + n
		for end < len(s) && !isWordBreak(s[end]) {
			end++
		}
		// A full stop or colon that ends the word ends the sentence or
		// a label, not the ARN.
		for end > i+n && (s[end-1] == '.' || s[end-1] == ':') {
			end--
		}
		word := s[start:end]
		ph := Placeholder{Terraform: tf, Address: addr}
		switch noun, whole := arnNoun(word, i-start, n); {
		case word == s[i:i+n]:
			b.WriteString(s[:start])
			b.WriteString(ph.phrase(ph.noun(), lang))
			s = s[end:]
		case whole:
			b.WriteString(s[:start])
			b.WriteString(ph.phrase(noun, lang))
			s = s[end:]
		default:
			b.WriteString(s[:i])
			b.WriteString("(" + ph.phrase(ph.noun(), lang) + ")")
			s = s[i+n:]
		}
	}
}

func isWordBreak(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '"', '\'', '`', ',', ';', '(', ')', '[', ']', '<', '>':
		return true
	}
	return false
}

// arnNoun reads word as an ARN whose resource part ends with the
// placeholder at [at, at+n) and returns what kind of resource it names;
// whole is false when word is not such an ARN.
func arnNoun(word string, at, n int) (noun string, whole bool) {
	if !strings.HasPrefix(word, "arn:") || at+n != len(word) {
		return "", false
	}
	f := strings.SplitN(word[:at], ":", 6)
	if len(f) != 6 {
		return "", false
	}
	service, res := f[2], f[5]
	typ, _, _ := strings.Cut(res, "/")
	switch {
	case service == "iam" && typ == "role":
		return nounRole, true
	case service == "iam" && typ == "user":
		return nounUser, true
	case service == "iam" && typ == "group":
		return nounGroup, true
	case service == "iam" && typ == "policy":
		return nounPolicy, true
	case service == "kms" && typ == "key":
		return nounKey, true
	case service == "kms" && typ == "alias":
		return nounAlias, true
	case service == "s3" && res == "":
		return nounBucket, true
	case service == "organizations" && strings.HasPrefix(res, "policy/"):
		return nounOrgPolicy, true
	}
	return nounResource, true
}

// Nouns of DescribePlanned, as keys of plannedNouns.
const (
	nounResource  = "resource"
	nounKey       = "key"
	nounAlias     = "alias"
	nounGrant     = "grant"
	nounRole      = "role"
	nounUser      = "user"
	nounGroup     = "group"
	nounPolicy    = "managed policy"
	nounBucket    = "bucket"
	nounOrgPolicy = "organization policy"
)

var plannedNounsJA = map[string]string{
	nounResource:  "リソース",
	nounKey:       "キー",
	nounAlias:     "エイリアス",
	nounGrant:     "グラント",
	nounRole:      "ロール",
	nounUser:      "ユーザー",
	nounGroup:     "グループ",
	nounPolicy:    "管理ポリシー",
	nounBucket:    "バケット",
	nounOrgPolicy: "組織のポリシー",
}

// terraformNouns maps the Terraform resource types the IaC inputs read to
// what they create.
var terraformNouns = map[string]string{
	"aws_kms_key":              nounKey,
	"aws_kms_replica_key":      nounKey,
	"aws_kms_alias":            nounAlias,
	"aws_kms_grant":            nounGrant,
	"aws_iam_role":             nounRole,
	"aws_iam_user":             nounUser,
	"aws_iam_group":            nounGroup,
	"aws_iam_policy":           nounPolicy,
	"aws_s3_bucket":            nounBucket,
	"aws_organizations_policy": nounOrgPolicy,
}

// split separates the attribute from the address, when there is one: a
// Terraform address is [module.NAME[KEY].]...[data.]TYPE.NAME[KEY], so a
// third part after TYPE.NAME is an attribute; a CloudFormation logical ID
// is alphanumeric, so a dot starts an attribute.
func (p Placeholder) split() (resource, attr string) {
	if !p.Terraform {
		r, a, _ := strings.Cut(p.Address, ".")
		return r, a
	}
	parts := splitAddress(p.Address)
	i := 0
	for i+1 < len(parts) && parts[i] == "module" {
		i += 2
	}
	if i < len(parts) && parts[i] == "data" {
		i++
	}
	if i+2 >= len(parts) {
		return p.Address, ""
	}
	return strings.Join(parts[:i+2], "."), strings.Join(parts[i+2:], ".")
}

// splitAddress splits a Terraform address at the dots outside brackets.
func splitAddress(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			depth--
		case '.':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

// noun says what the placeholder's resource creates, as far as its address
// tells.
func (p Placeholder) noun() string {
	if !p.Terraform {
		return nounResource
	}
	res, _ := p.split()
	parts := splitAddress(res)
	typ := parts[len(parts)-2]
	if i := strings.IndexByte(typ, '['); i >= 0 {
		typ = typ[:i]
	}
	if n, ok := terraformNouns[typ]; ok {
		return n
	}
	return nounResource
}

func (p Placeholder) phrase(noun, lang string) string {
	res, attr := p.split()
	subject := res
	if !p.Terraform {
		subject = "Resources." + res
	}
	ja := lang == "ja"
	switch {
	case attr != "" && ja && p.Terraform:
		return subject + " の " + attr + "（apply 後に決まる値）"
	case attr != "" && ja:
		return subject + " の " + attr + "（デプロイ後に決まる値）"
	case attr != "" && p.Terraform:
		return "the " + attr + " of " + subject + " (known after apply)"
	case attr != "":
		return "the " + attr + " of " + subject + " (known after deployment)"
	case ja:
		return subject + " が作成する" + plannedNounsJA[noun]
	}
	return "the " + noun + " that " + subject + " will create"
}
