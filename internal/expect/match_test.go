package expect

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/inventory"
)

// scope is a key of account 111122223333 in organization o-a1b2c3d4e5,
// whose management account is 999988887777; the input also holds
// 222233334444, in no organization.
var scope = &Scope{
	Home: "111122223333",
	Org:  "o-a1b2c3d4e5",
	Orgs: map[string]string{"111122223333": "o-a1b2c3d4e5", "222233334444": ""},
	Management: map[string]string{
		"o-a1b2c3d4e5": "999988887777",
	},
}

// The subjects the access layer gives rules: listed principals, principals
// named by a key policy, services, and the classes of principals.
var (
	role      = &Subject{ARN: "arn:aws:iam::111122223333:role/ci/deployer", Kind: "role", Account: "111122223333", Listed: true}
	user      = &Subject{ARN: "arn:aws:iam::111122223333:user/alice", Kind: "user", Account: "111122223333", Listed: true}
	root      = &Subject{ARN: "arn:aws:iam::111122223333:root", Kind: "root", Account: "111122223333", Listed: true}
	otherRole = &Subject{ARN: "arn:aws:iam::222233334444:role/app", Kind: "role", Account: "222233334444", Listed: true}
	partner   = &Subject{ARN: "arn:aws:iam::444455556666:role/partner", Kind: "external", Account: "444455556666"}
	mgmt      = &Subject{ARN: "arn:aws:iam::999988887777:role/org-admin", Kind: "external", Account: "999988887777"}
	deleted   = &Subject{ARN: "AROAZX3Q5FORMERADMIN9", Kind: "external"}
	service   = &Subject{ARN: "logs.amazonaws.com", Kind: "service"}
	grantee   = &Subject{ARN: "arn:aws:iam::111122223333:role/batch", Kind: "role", Account: "111122223333", Listed: true, ViaGrant: true}
	acctSym   = &Subject{Kind: "account", Account: "444455556666", Symbol: &engine.Symbol{Account: "444455556666"}}
	orgSym    = &Subject{Kind: "organization", Symbol: &engine.Symbol{OrgID: "o-a1b2c3d4e5", NotAccounts: []string{"111122223333", "222233334444"}}}
	anyone    = &Subject{Kind: "anyone", Symbol: &engine.Symbol{NotAccounts: []string{"111122223333", "222233334444"}, NotOrgs: []string{"o-a1b2c3d4e5"}}}
	unread    = &Subject{Kind: "anyone"} // the key policy was not read
)

var subjects = []struct {
	name string
	s    *Subject
}{
	{"role", role}, {"user", user}, {"root", root}, {"otherRole", otherRole}, {"partner", partner}, {"mgmt", mgmt},
	{"deleted", deleted}, {"service", service}, {"grantee", grantee}, {"acctSym", acctSym}, {"orgSym", orgSym},
	{"anyone", anyone}, {"unread", unread},
}

// TestPrincipalSelectors gives, for each selector, the subjects it matches
// fully (yes) and in part (maybe); every other subject must be No.
func TestPrincipalSelectors(t *testing.T) {
	tests := []struct {
		name       string
		sel        PrincipalSelector
		yes, maybe []string
	}{
		// A class that includes the key's account (the key policy was not
		// read: anyone) may include the principal.
		{"arn exact", PrincipalSelector{ARN: "arn:aws:iam::111122223333:user/alice"}, []string{"user"}, []string{"unread"}},
		{"arn with path", PrincipalSelector{ARN: "arn:aws:iam::111122223333:role/ci/*"}, []string{"role"}, []string{"unread"}},
		{"arn of any account", PrincipalSelector{ARN: "arn:aws:iam::*:role/*"}, []string{"role", "otherRole", "partner", "mgmt", "grantee"},
			[]string{"acctSym", "orgSym", "anyone", "unread"}},
		{"arn of an outside account", PrincipalSelector{ARN: "arn:aws:iam::444455556666:role/*"}, []string{"partner"},
			[]string{"acctSym", "anyone", "unread"}},
		{"arn of the key's account", PrincipalSelector{ARN: "arn:aws:iam::111122223333:*"}, []string{"role", "user", "root", "grantee"},
			[]string{"unread"}},
		{"account", PrincipalSelector{Account: "111122223333"}, []string{"role", "user", "root", "grantee"}, []string{"deleted", "unread"}},
		{"account outside", PrincipalSelector{Account: "444455556666"}, []string{"partner", "acctSym"}, []string{"deleted", "anyone", "unread"}},
		{"account of the organization not held", PrincipalSelector{Account: "999988887777"}, []string{"mgmt"}, []string{"deleted", "orgSym", "unread"}},
		{"kind", PrincipalSelector{Kind: "anyone"}, []string{"anyone", "unread"}, nil},
		{"kind and account", PrincipalSelector{Kind: "account", Account: "444455556666"}, []string{"acctSym"}, nil},
		{"iam principals", PrincipalSelector{IAMPrincipals: true}, []string{"role", "user", "otherRole", "grantee"}, nil},
		{"iam principals of an account", PrincipalSelector{IAMPrincipals: true, Account: "222233334444"}, []string{"otherRole"}, nil},
		{"outside organization", PrincipalSelector{OutsideOrganization: true}, []string{"otherRole", "partner", "acctSym", "anyone"},
			[]string{"deleted", "unread"}},
		{"outside accounts", PrincipalSelector{OutsideAccounts: []string{"111122223333"}}, []string{"otherRole", "partner", "mgmt", "acctSym", "orgSym", "anyone"},
			[]string{"deleted", "unread"}},
		{"outside accounts not all excluded", PrincipalSelector{OutsideAccounts: []string{"111122223333", "444455556666"}},
			[]string{"otherRole", "mgmt"}, []string{"deleted", "orgSym", "anyone", "unread"}},
		{"organization", PrincipalSelector{Organization: "o-a1b2c3d4e5"}, []string{"role", "user", "root", "mgmt", "grantee", "orgSym"},
			[]string{"deleted", "unread"}},
		{"grantee", PrincipalSelector{Grantee: true}, []string{"grantee"}, nil},
		{"service", PrincipalSelector{Service: "*.amazonaws.com"}, []string{"service"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotYes, gotMaybe []string
			for _, s := range subjects {
				switch tt.sel.Match(s.s, scope) {
				case Yes:
					gotYes = append(gotYes, s.name)
				case Maybe:
					gotMaybe = append(gotMaybe, s.name)
				}
			}
			if diff := cmp.Diff(tt.yes, gotYes); diff != "" {
				t.Errorf("Yes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.maybe, gotMaybe); diff != "" {
				t.Errorf("Maybe (-want +got):\n%s", diff)
			}
		})
	}
}

// TestOutsideOrganizationWithoutOrganization: a key's account in no
// organization judges by account.
func TestOutsideOrganizationWithoutOrganization(t *testing.T) {
	sc := &Scope{Home: "111122223333", Orgs: map[string]string{"111122223333": ""}}
	sel := PrincipalSelector{OutsideOrganization: true}
	anyone := &Subject{Kind: "anyone", Symbol: &engine.Symbol{NotAccounts: []string{"111122223333"}}}
	for _, tt := range []struct {
		s    *Subject
		want Match
	}{{role, No}, {partner, Yes}, {anyone, Yes}, {orgSym, Yes}, {service, No}} {
		if got := sel.Match(tt.s, sc); got != tt.want {
			t.Errorf("Match(%+v) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestMatchAny(t *testing.T) {
	sels := []PrincipalSelector{{Account: "444455556666"}, {ARN: "arn:aws:iam::111122223333:user/alice"}}
	for _, tt := range []struct {
		s    *Subject
		want Match
	}{{user, Yes}, {partner, Yes}, {anyone, Maybe}, {role, No}} {
		if got := MatchAny(sels, tt.s, scope); got != tt.want {
			t.Errorf("MatchAny(%v) = %v, want %v", tt.s, got, tt.want)
		}
	}
	if got := MatchAny(nil, user, scope); got != No {
		t.Errorf("MatchAny(no selectors) = %v, want No", got)
	}
}

func TestKeySelectors(t *testing.T) {
	cmk := &inventory.Key{ARN: "arn:aws:kms:ap-northeast-1:111122223333:key/k1", Region: "ap-northeast-1", Account: "111122223333",
		Aliases: []string{"alias/payments-prod"}, Tags: []inventory.Tag{{Key: "team", Value: "payments"}},
		Metadata: &inventory.KeyMetadata{Manager: inventory.KeyManagerCustomer}}
	managed := &inventory.Key{ARN: "arn:aws:kms:us-east-1:111122223333:key/k2", Region: "us-east-1", Account: "111122223333",
		Aliases: []string{"alias/aws/s3"}, Metadata: &inventory.KeyMetadata{Manager: inventory.KeyManagerAWS}}
	unreadAWS := &inventory.Key{ARN: "arn:aws:kms:us-east-1:111122223333:key/k3", Region: "us-east-1", Account: "111122223333",
		Aliases: []string{"alias/aws/ebs"}}
	t0, f0 := true, false
	tests := []struct {
		name string
		sel  KeySelector
		want []bool // cmk, managed, unreadAWS
	}{
		{"all", KeySelector{All: true}, []bool{true, true, true}},
		{"customer managed", KeySelector{CustomerManaged: &t0}, []bool{true, false, false}},
		{"aws managed", KeySelector{CustomerManaged: &f0}, []bool{false, true, true}},
		{"alias glob", KeySelector{Alias: "alias/payments-*"}, []bool{true, false, false}},
		{"arn glob", KeySelector{ARN: "arn:aws:kms:us-east-1:*"}, []bool{false, true, true}},
		{"region", KeySelector{Region: "ap-*"}, []bool{true, false, false}},
		{"account", KeySelector{Account: "111122223333"}, []bool{true, true, true}},
		{"tag", KeySelector{Tags: []Tag{{"team", "pay*"}}}, []bool{true, false, false}},
		{"tag absent", KeySelector{Tags: []Tag{{"team", "*"}, {"env", "*"}}}, []bool{false, false, false}},
		{"fields and", KeySelector{Region: "ap-northeast-1", Alias: "alias/aws/*"}, []bool{false, false, false}},
	}
	for _, tt := range tests {
		var got []bool
		for _, k := range []*inventory.Key{cmk, managed, unreadAWS} {
			got = append(got, tt.sel.Matches(k))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: Matches = %v, want %v", tt.name, got, tt.want)
		}
	}
	r := &Rule{Keys: []KeySelector{{Alias: "alias/nothing"}, {Region: "us-*"}}}
	if !r.SelectsKey(managed) || r.SelectsKey(cmk) {
		t.Errorf("SelectsKey: a rule selects a key when one selector matches")
	}
}

func TestExpand(t *testing.T) {
	tests := []struct {
		ops   []string
		usage string
		want  []string
	}{
		{[]string{"decrypt"}, "ENCRYPT_DECRYPT", []string{"kms:Decrypt", "kms:ReEncryptFrom"}},
		{[]string{"decrypt"}, "SIGN_VERIFY", nil},
		{[]string{"use"}, "SIGN_VERIFY", []string{"kms:Sign", "kms:Verify"}},
		{[]string{"encrypt"}, "", []string{"kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptTo"}},
		{[]string{"manage-grants"}, "", []string{"kms:CreateGrant", "kms:RetireGrant", "kms:RevokeGrant"}},
		{[]string{"kms:Sign"}, "ENCRYPT_DECRYPT", []string{"kms:Sign"}}, // named actions stay
		{[]string{"kms:GenerateDataKeyPair*", "kms:Decrypt", "kms:Decrypt"}, "", []string{"kms:Decrypt", "kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext"}},
	}
	for _, tt := range tests {
		if got := Expand(tt.ops, tt.usage); !slices.Equal(got, tt.want) {
			t.Errorf("Expand(%v, %q) = %v, want %v", tt.ops, tt.usage, got, tt.want)
		}
	}
	anyOps := Expand([]string{"any"}, "ENCRYPT_DECRYPT")
	for _, a := range []string{"kms:DescribeKey", "kms:PutKeyPolicy", "kms:Decrypt", "kms:RetireGrant", "kms:CreateAlias"} {
		if !slices.Contains(anyOps, a) {
			t.Errorf("any lacks %s", a)
		}
	}
	for _, a := range []string{"kms:Sign", "kms:CreateKey", "kms:ListAliases"} {
		if slices.Contains(anyOps, a) {
			t.Errorf("any on a symmetric key holds %s", a)
		}
	}
}
