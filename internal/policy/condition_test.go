package policy

import (
	"fmt"
	"strings"
	"testing"
)

// ctxOf builds a closed context; a value given as []string is list-valued,
// a string single-valued. The special value unknownValue marks a key the
// context cannot know.
type unknownValue struct{}

func ctxOf(kv map[string]any) *MapContext {
	m := &MapContext{Values: map[string]ContextValue{}}
	for k, v := range kv {
		switch x := v.(type) {
		case string:
			m.Values[strings.ToLower(k)] = ContextValue{Strings: []string{x}}
		case []string:
			m.Values[strings.ToLower(k)] = ContextValue{Strings: x, List: true}
		case unknownValue:
			m.Values[strings.ToLower(k)] = ContextValue{Unknown: true}
		case ContextValue:
			m.Values[strings.ToLower(k)] = x
		}
	}
	return m
}

// evalCondition parses one condition block and evaluates it.
func evalCondition(t *testing.T, cond string, ctx Context) Tri {
	t.Helper()
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":` + cond + `}}`
	d, err := Parse("test", []byte(doc), Identity)
	if err != nil {
		t.Fatalf("Parse(%s): %v", cond, err)
	}
	return d.Statements[0].EvalConditions(ctx, nil)
}

// A conditionCase is one Condition block evaluated in one context.
type conditionCase struct {
	name string
	cond string
	ctx  map[string]any
	want Tri
}

func runConditionCases(t *testing.T, tests []conditionCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := evalCondition(t, tt.cond, ctxOf(tt.ctx)); got != tt.want {
				t.Errorf("%s with %v = %v, want %v", tt.cond, tt.ctx, got, tt.want)
			}
		})
	}
}

// TestConditionOperators pins the semantics of every operator family
// (IAM User Guide, "IAM JSON policy elements: Condition operators"), with
// the key present and absent.
func TestConditionOperators(t *testing.T) {
	t.Parallel()
	tests := []conditionCase{
		// String operators.
		{"StringEquals match", `{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}`, map[string]any{"kms:ViaService": "s3.us-east-1.amazonaws.com"}, True},
		{"StringEquals is case-sensitive", `{"StringEquals":{"aws:username":"Alice"}}`, map[string]any{"aws:username": "alice"}, False},
		{"StringEquals any of several values", `{"StringEquals":{"aws:username":["bob","alice"]}}`, map[string]any{"aws:username": "alice"}, True},
		{"StringEquals absent key is false", `{"StringEquals":{"aws:username":"alice"}}`, nil, False},
		{"StringNotEquals absent key is true", `{"StringNotEquals":{"aws:PrincipalOrgID":"o-1"}}`, nil, True},
		{"StringNotEquals different value", `{"StringNotEquals":{"aws:PrincipalOrgID":"o-1"}}`, map[string]any{"aws:PrincipalOrgID": "o-2"}, True},
		{"StringNotEquals same value", `{"StringNotEquals":{"aws:PrincipalOrgID":["o-2","o-1"]}}`, map[string]any{"aws:PrincipalOrgID": "o-1"}, False},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"aws:username":"ALICE"}}`, map[string]any{"aws:username": "alice"}, True},
		{"StringNotEqualsIgnoreCase", `{"StringNotEqualsIgnoreCase":{"aws:username":"ALICE"}}`, map[string]any{"aws:username": "alice"}, False},
		{"StringLike star", `{"StringLike":{"kms:ViaService":"s3.*.amazonaws.com"}}`, map[string]any{"kms:ViaService": "s3.ap-northeast-1.amazonaws.com"}, True},
		{"StringLike question mark is one character", `{"StringLike":{"aws:username":"al?ce"}}`, map[string]any{"aws:username": "alice"}, True},
		{"StringLike question mark is not zero characters", `{"StringLike":{"aws:username":"alice?"}}`, map[string]any{"aws:username": "alice"}, False},
		{"StringLike star crosses colons", `{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*"}}`, map[string]any{"aws:PrincipalArn": "arn:aws:iam::111122223333:role/x"}, True},
		{"StringLike is case-sensitive", `{"StringLike":{"aws:username":"A*"}}`, map[string]any{"aws:username": "alice"}, False},
		{"StringNotLike", `{"StringNotLike":{"aws:username":"a*"}}`, map[string]any{"aws:username": "bob"}, True},
		{"StringNotLike absent key is true", `{"StringNotLike":{"aws:username":"a*"}}`, nil, True},
		// Numeric operators.
		{"NumericLessThan", `{"NumericLessThan":{"s3:max-keys":"10"}}`, map[string]any{"s3:max-keys": "9"}, True},
		{"NumericLessThan number value", `{"NumericLessThan":{"s3:max-keys":10}}`, map[string]any{"s3:max-keys": "10"}, False},
		{"NumericLessThanEquals", `{"NumericLessThanEquals":{"s3:max-keys":10}}`, map[string]any{"s3:max-keys": "10"}, True},
		{"NumericGreaterThan decimals", `{"NumericGreaterThan":{"n":"1.5"}}`, map[string]any{"n": "1.75"}, True},
		{"NumericGreaterThanEquals", `{"NumericGreaterThanEquals":{"n":"2"}}`, map[string]any{"n": "1"}, False},
		{"NumericEquals", `{"NumericEquals":{"n":"7"}}`, map[string]any{"n": "7.0"}, True},
		{"NumericEquals non-numeric request value", `{"NumericEquals":{"n":"7"}}`, map[string]any{"n": "seven"}, False},
		{"NumericNotEquals", `{"NumericNotEquals":{"n":["7","8"]}}`, map[string]any{"n": "9"}, True},
		{"NumericNotEquals absent key is true", `{"NumericNotEquals":{"n":"7"}}`, nil, True},
		{"NumericLessThan absent key is false", `{"NumericLessThan":{"n":"7"}}`, nil, False},
		// Date operators: ISO 8601 and epoch seconds.
		{"DateLessThan ISO", `{"DateLessThan":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}}`, map[string]any{"aws:CurrentTime": "2026-11-24T10:00:00Z"}, True},
		{"DateGreaterThan ISO", `{"DateGreaterThan":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}}`, map[string]any{"aws:CurrentTime": "2026-11-24T10:00:00Z"}, False},
		{"DateEquals epoch vs ISO", `{"DateEquals":{"aws:EpochTime":"1767225600"}}`, map[string]any{"aws:EpochTime": "2026-01-01T00:00:00Z"}, True},
		{"DateLessThanEquals date only", `{"DateLessThanEquals":{"kms:ValidTo":"2026-12-31"}}`, map[string]any{"kms:ValidTo": "2026-12-31T00:00:00Z"}, True},
		{"DateGreaterThanEquals with offset", `{"DateGreaterThanEquals":{"aws:CurrentTime":"2026-11-24T19:00:00+09:00"}}`, map[string]any{"aws:CurrentTime": "2026-11-24T10:00:00Z"}, True},
		{"DateNotEquals absent key is true", `{"DateNotEquals":{"aws:CurrentTime":"2026-11-24T10:00:00Z"}}`, nil, True},
		{"DateLessThan unparsable is false", `{"DateLessThan":{"aws:CurrentTime":"tomorrow"}}`, map[string]any{"aws:CurrentTime": "2026-11-24T10:00:00Z"}, False},
		// Bool.
		{"Bool true", `{"Bool":{"aws:SecureTransport":"true"}}`, map[string]any{"aws:SecureTransport": "true"}, True},
		{"Bool JSON boolean value", `{"Bool":{"aws:SecureTransport":false}}`, map[string]any{"aws:SecureTransport": "true"}, False},
		{"Bool ignores case", `{"Bool":{"kms:GrantIsForAWSResource":"TRUE"}}`, map[string]any{"kms:GrantIsForAWSResource": "true"}, True},
		{"Bool absent key is false", `{"Bool":{"aws:MultiFactorAuthPresent":"false"}}`, nil, False},
		// BinaryEquals compares base64-decoded bytes.
		{"BinaryEquals", `{"BinaryEquals":{"k":"QmluYXJ5VmFsdWU="}}`, map[string]any{"k": "QmluYXJ5VmFsdWU="}, True},
		{"BinaryEquals different", `{"BinaryEquals":{"k":"QmluYXJ5VmFsdWU="}}`, map[string]any{"k": "T3RoZXI="}, False},
		// IP addresses.
		{"IpAddress CIDR", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, map[string]any{"aws:SourceIp": "203.0.113.7"}, True},
		{"IpAddress outside", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, map[string]any{"aws:SourceIp": "198.51.100.7"}, False},
		{"IpAddress bare address is /32", `{"IpAddress":{"aws:SourceIp":"203.0.113.7"}}`, map[string]any{"aws:SourceIp": "203.0.113.7"}, True},
		{"IpAddress IPv6", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, map[string]any{"aws:SourceIp": "2001:db8:1234::1"}, True},
		{"IpAddress IPv6 vs IPv4 range", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, map[string]any{"aws:SourceIp": "203.0.113.7"}, False},
		{"NotIpAddress", `{"NotIpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]}}`, map[string]any{"aws:SourceIp": "198.51.100.7"}, True},
		{"NotIpAddress absent key is true", `{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, nil, True},
		// ARN operators: fields match separately.
		{"ArnLike", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/app-*"}}`, map[string]any{"aws:PrincipalArn": "arn:aws:iam::111122223333:role/app-web"}, True},
		{"ArnEquals is ArnLike", `{"ArnEquals":{"aws:SourceArn":"arn:aws:cloudtrail:*:111122223333:trail/*"}}`, map[string]any{"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/main"}, True},
		{"ArnLike star stays in its field", `{"ArnLike":{"aws:SourceArn":"arn:aws:s3:*:111122223333"}}`, map[string]any{"aws:SourceArn": "arn:aws:s3:us-east-1:111122223333:bucket"}, False},
		{"StringLike star crosses the same fields", `{"StringLike":{"aws:SourceArn":"arn:aws:s3:*:111122223333*"}}`, map[string]any{"aws:SourceArn": "arn:aws:s3:us-east-1:111122223333:bucket"}, True},
		{"ArnLike resource part keeps colons", `{"ArnLike":{"aws:SourceArn":"arn:aws:ec2:*:*:volume/*"}}`, map[string]any{"aws:SourceArn": "arn:aws:ec2:us-east-1:111122223333:volume/vol-1"}, True},
		{"ArnLike is case-sensitive", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/App"}}`, map[string]any{"aws:PrincipalArn": "arn:aws:iam::111122223333:role/app"}, False},
		{"ArnNotLike", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/admin"}}`, map[string]any{"aws:PrincipalArn": "arn:aws:iam::111122223333:role/app"}, True},
		{"ArnNotEquals absent key is true", `{"ArnNotEquals":{"aws:SourceArn":"arn:aws:s3:::b"}}`, nil, True},
		{"ArnLike absent key is false", `{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::b"}}`, nil, False},
		// Null.
		{"Null true, key absent", `{"Null":{"kms:EncryptionContextKeys":"true"}}`, nil, True},
		{"Null true, key present", `{"Null":{"kms:EncryptionContextKeys":"true"}}`, map[string]any{"kms:EncryptionContextKeys": []string{"a"}}, False},
		{"Null false, key present", `{"Null":{"kms:EncryptionContextKeys":false}}`, map[string]any{"kms:EncryptionContextKeys": []string{"a"}}, True},
		{"Null false, key absent", `{"Null":{"kms:EncryptionContextKeys":"false"}}`, nil, False},
		// IfExists.
		{"IfExists absent key is true", `{"StringEqualsIfExists":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}`, nil, True},
		{"IfExists present key compares", `{"StringEqualsIfExists":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}`, map[string]any{"kms:ViaService": "ec2.us-east-1.amazonaws.com"}, False},
		{"negated IfExists absent key is true", `{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-1"}}`, nil, True},
		{"negated IfExists present key compares", `{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-1"}}`, map[string]any{"aws:PrincipalOrgID": "o-1"}, False},
		{"NumericLessThanIfExists absent", `{"NumericLessThanIfExists":{"n":"1"}}`, nil, True},
		// Several keys and operators are ANDed.
		{"two keys both hold", `{"StringEquals":{"kms:CallerAccount":"111122223333","kms:ViaService":"s3.us-east-1.amazonaws.com"}}`, map[string]any{"kms:CallerAccount": "111122223333", "kms:ViaService": "s3.us-east-1.amazonaws.com"}, True},
		{"two keys one fails", `{"StringEquals":{"kms:CallerAccount":"111122223333","kms:ViaService":"s3.us-east-1.amazonaws.com"}}`, map[string]any{"kms:CallerAccount": "444455556666", "kms:ViaService": "s3.us-east-1.amazonaws.com"}, False},
		{"two operators ANDed", `{"StringEquals":{"kms:CallerAccount":"111122223333"},"Bool":{"aws:SecureTransport":"true"}}`, map[string]any{"kms:CallerAccount": "111122223333", "aws:SecureTransport": "false"}, False},
		// Condition key names are case-insensitive.
		{"key name case-insensitive", `{"StringEquals":{"KMS:VIASERVICE":"s3.us-east-1.amazonaws.com"}}`, map[string]any{"kms:ViaService": "s3.us-east-1.amazonaws.com"}, True},
		{"encryption context key case-insensitive", `{"StringEquals":{"kms:EncryptionContext:Department":"Finance"}}`, map[string]any{"kms:encryptioncontext:department": "Finance"}, True},
		// Operator names: accepted without regard to case.
		{"operator name case", `{"stringequals":{"aws:username":"alice"}}`, map[string]any{"aws:username": "alice"}, True},
		// Unknown keys make the condition unknown.
		{"unknown key", `{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}`, map[string]any{"kms:ViaService": unknownValue{}}, Unknown},
		{"unknown key but another fails", `{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com","aws:username":"alice"}}`, map[string]any{"kms:ViaService": unknownValue{}, "aws:username": "bob"}, False},
	}
	runConditionCases(t, tests)
}

// TestSetOperators pins ForAnyValue/ForAllValues on multivalued keys
// (IAM User Guide, "Single-valued vs. multivalued condition keys";
// shared/kms-authorization.md §8.3).
func TestSetOperators(t *testing.T) {
	t.Parallel()
	tests := []conditionCase{
		{"ForAllValues subset", `{"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["Department","Project"]}}`, map[string]any{"kms:EncryptionContextKeys": []string{"Department"}}, True},
		{"ForAllValues extra value", `{"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["Department"]}}`, map[string]any{"kms:EncryptionContextKeys": []string{"Department", "Owner"}}, False},
		{"ForAllValues absent key is vacuously true", `{"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["Department"]}}`, nil, True},
		{"ForAllValues empty list is vacuously true", `{"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["Department"]}}`, map[string]any{"kms:EncryptionContextKeys": []string{}}, True},
		{"ForAnyValue one matches", `{"ForAnyValue:StringEquals":{"kms:EncryptionContextKeys":"Department"}}`, map[string]any{"kms:EncryptionContextKeys": []string{"Owner", "Department"}}, True},
		{"ForAnyValue none matches", `{"ForAnyValue:StringEquals":{"kms:EncryptionContextKeys":"Department"}}`, map[string]any{"kms:EncryptionContextKeys": []string{"Owner"}}, False},
		{"ForAnyValue absent key is false", `{"ForAnyValue:StringEquals":{"kms:EncryptionContextKeys":"Department"}}`, nil, False},
		{"ForAnyValue negated: some value outside", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a","b"]}}`, map[string]any{"aws:TagKeys": []string{"a", "c"}}, True},
		{"ForAnyValue negated: all inside", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a","b"]}}`, map[string]any{"aws:TagKeys": []string{"a", "b"}}, False},
		{"ForAllValues negated: none inside", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["a","b"]}}`, map[string]any{"aws:TagKeys": []string{"c", "d"}}, True},
		{"ForAllValues negated: one inside", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["a","b"]}}`, map[string]any{"aws:TagKeys": []string{"c", "a"}}, False},
		{"ForAnyValue StringLike", `{"ForAnyValue:StringLike":{"kms:ResourceAliases":"alias/finance-*"}}`, map[string]any{"kms:ResourceAliases": []string{"alias/app", "alias/finance-key"}}, True},
		{"set operator on single-valued key", `{"ForAnyValue:StringEquals":{"aws:username":"alice"}}`, map[string]any{"aws:username": "alice"}, True},
		{"ForAllValues on absent single-valued key is true (overly permissive)", `{"ForAllValues:StringEquals":{"kms:EncryptionContext:Department":"Finance"}}`, nil, True},
		// A plain operator never matches a list-valued key, negated
		// operators included (§8.3 and §13 [U] 6).
		{"plain operator on list-valued key", `{"StringEquals":{"kms:EncryptionContextKeys":"Department"}}`, map[string]any{"kms:EncryptionContextKeys": []string{"Department"}}, False},
		{"plain negated operator on list-valued key", `{"StringNotEquals":{"kms:EncryptionContextKeys":"Department"}}`, map[string]any{"kms:EncryptionContextKeys": []string{"Owner"}}, False},
		{"set operator with IfExists absent", `{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":"a"}}`, nil, True},
	}
	runConditionCases(t, tests)
}

// TestPolicyVariables pins variable substitution in condition values and
// resources (IAM User Guide, "IAM policy elements: Variables and tags").
func TestPolicyVariables(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		version string
		cond    string
		ctx     map[string]any
		want    Tri
	}{
		{"username in value", "2012-10-17", `{"StringEquals":{"kms:EncryptionContext:user":"${aws:username}"}}`, map[string]any{"aws:username": "alice", "kms:EncryptionContext:user": "alice"}, True},
		{"username mismatch", "2012-10-17", `{"StringEquals":{"kms:EncryptionContext:user":"${aws:username}"}}`, map[string]any{"aws:username": "alice", "kms:EncryptionContext:user": "bob"}, False},
		{"principal tag", "2012-10-17", `{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}`, map[string]any{"aws:PrincipalTag/team": "blue", "aws:ResourceTag/team": "blue"}, True},
		{"missing variable matches nothing", "2012-10-17", `{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}`, map[string]any{"aws:ResourceTag/team": "blue"}, False},
		{"default value", "2012-10-17", `{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team, 'none'}"}}`, map[string]any{"aws:ResourceTag/team": "none"}, True},
		{"literal star", "2012-10-17", `{"StringLike":{"k":"a${*}b"}}`, map[string]any{"k": "a*b"}, True},
		{"literal star is not a wildcard", "2012-10-17", `{"StringLike":{"k":"a${*}b"}}`, map[string]any{"k": "axxb"}, False},
		{"literal question mark", "2012-10-17", `{"StringEquals":{"k":"what${?}"}}`, map[string]any{"k": "what?"}, True},
		{"literal dollar", "2012-10-17", `{"StringEquals":{"k":"${$}5"}}`, map[string]any{"k": "$5"}, True},
		{"substituted value matches literally", "2012-10-17", `{"StringLike":{"k":"${aws:username}"}}`, map[string]any{"aws:username": "a*", "k": "abc"}, False},
		{"old version keeps text literally", "2008-10-17", `{"StringEquals":{"k":"${aws:username}"}}`, map[string]any{"aws:username": "alice", "k": "${aws:username}"}, True},
		{"unknown variable", "2012-10-17", `{"StringEquals":{"k":"${aws:username}"}}`, map[string]any{"aws:username": unknownValue{}, "k": "alice"}, Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := fmt.Sprintf(`{"Version":%q,"Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":%s}}`, tt.version, tt.cond)
			d, err := Parse("test", []byte(doc), Identity)
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Statements[0].EvalConditions(ctxOf(tt.ctx), nil); got != tt.want {
				t.Errorf("%s with %v = %v, want %v", tt.cond, tt.ctx, got, tt.want)
			}
		})
	}
}

// TestConditionNoneOf pins conditions on keys known only by what they are
// not: "a principal of some account other than 111122223333", "a principal
// outside organization o-mine (or in no organization)".
func TestConditionNoneOf(t *testing.T) {
	notMine := ContextValue{Unknown: true, Excludes: []string{"111122223333"}}
	outsideOrg := ContextValue{Unknown: true, Excludes: []string{"o-mine"}, MaybeAbsent: true}
	outsideARN := ContextValue{Unknown: true, Excludes: []string{"arn:aws:iam::111122223333:*", "arn:aws:sts::111122223333:*"}}
	runConditionCases(t, []conditionCase{
		{"equals excluded", `{"StringEquals":{"kms:CallerAccount":"111122223333"}}`, map[string]any{"kms:CallerAccount": notMine}, False},
		{"equals excluded among others", `{"StringEquals":{"kms:CallerAccount":["111122223333","444455556666"]}}`, map[string]any{"kms:CallerAccount": notMine}, Unknown},
		{"equals other", `{"StringEquals":{"kms:CallerAccount":"444455556666"}}`, map[string]any{"kms:CallerAccount": notMine}, Unknown},
		{"not equals excluded", `{"StringNotEquals":{"kms:CallerAccount":"111122223333"}}`, map[string]any{"kms:CallerAccount": notMine}, True},
		{"like exact excluded", `{"StringLike":{"aws:PrincipalAccount":"111122223333"}}`, map[string]any{"aws:PrincipalAccount": notMine}, False},
		{"like pattern", `{"StringLike":{"aws:PrincipalAccount":"1111*"}}`, map[string]any{"aws:PrincipalAccount": notMine}, Unknown},
		{"like star", `{"StringLike":{"aws:PrincipalAccount":"*"}}`, map[string]any{"aws:PrincipalAccount": notMine}, True},
		{"ignore case", `{"StringEqualsIgnoreCase":{"aws:PrincipalOrgID":"O-MINE"}}`, map[string]any{"aws:PrincipalOrgID": ContextValue{Unknown: true, Excludes: []string{"o-mine"}}}, False},
		{"numeric stays unknown", `{"NumericEquals":{"aws:PrincipalAccount":"111122223333"}}`, map[string]any{"aws:PrincipalAccount": notMine}, Unknown},
		{"null present", `{"Null":{"kms:CallerAccount":"false"}}`, map[string]any{"kms:CallerAccount": notMine}, True},
		{"org equals mine, maybe absent", `{"StringEquals":{"aws:PrincipalOrgID":"o-mine"}}`, map[string]any{"aws:PrincipalOrgID": outsideOrg}, False},
		{"org not equals mine, maybe absent", `{"StringNotEquals":{"aws:PrincipalOrgID":"o-mine"}}`, map[string]any{"aws:PrincipalOrgID": outsideOrg}, True},
		{"org equals mine if exists, maybe absent", `{"StringEqualsIfExists":{"aws:PrincipalOrgID":"o-mine"}}`, map[string]any{"aws:PrincipalOrgID": outsideOrg}, Unknown},
		{"org null, maybe absent", `{"Null":{"aws:PrincipalOrgID":"true"}}`, map[string]any{"aws:PrincipalOrgID": outsideOrg}, Unknown},
		{"org for any value", `{"ForAnyValue:StringEquals":{"aws:PrincipalOrgID":"o-mine"}}`, map[string]any{"aws:PrincipalOrgID": outsideOrg}, False},
		{"ARN of an excluded account", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/*"}}`, map[string]any{"aws:PrincipalArn": outsideARN}, False},
		{"ARN of any account", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/deploy"}}`, map[string]any{"aws:PrincipalArn": outsideARN}, Unknown},
		{"ARN not like an excluded account", `{"ArnNotLike":{"aws:PrincipalArn":["arn:aws:iam::111122223333:*","arn:aws:sts::111122223333:*"]}}`, map[string]any{"aws:PrincipalArn": outsideARN}, True},
		{"exact ARN of an excluded account", `{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/app"}}`, map[string]any{"aws:PrincipalArn": outsideARN}, False},
		{"org path of an excluded org", `{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":"o-mine/r-ab12/*"}}`, map[string]any{"aws:PrincipalOrgPaths": ContextValue{Unknown: true, Excludes: []string{"o-mine/*"}, MaybeAbsent: true}}, False},
	})
}
