package diff

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/inventory"
)

const (
	acct   = "123456789012"
	region = "ap-northeast-1"
)

func doc(t testing.TB, s string) *inventory.Document {
	t.Helper()
	d, err := inventory.DecodeDocument([]byte(s), inventory.Location{File: "generated"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// generated builds a deterministic account of the given numbers of
// principals (nine roles for each user) and keys, shaped as real ones
// are: most keys keep the default policy, some are console policies
// naming an administrator and users, some are EBS-style keys open to the
// account through a service, some carry grants; roles belong to teams
// whose policy names the team's keys, a few data-platform roles may use
// every key, most roles have nothing of KMS, and a handful of users
// administer everything.
//
// changed applies the kind of change a pull request makes: a team's
// policy gains keys, a role leaves the data platform, a key policy names
// a partner account, a grant is revoked, a key is deleted and another
// created.
func generated(t testing.TB, principals, keys int, changed bool) *inventory.Snapshot {
	rng := rand.New(rand.NewPCG(7, 11))
	a := &inventory.Account{ID: acct}
	keyARN := func(i int) string {
		return fmt.Sprintf("arn:aws:kms:%s:%s:key/%08d-0000-4000-8000-000000000000", region, acct, i)
	}
	roleARN := func(i int) string { return fmt.Sprintf("arn:aws:iam::%s:role/svc/app-%05d", acct, i) }
	const teams = 50
	keysPerTeam := max(keys/teams, 1)
	quoted := func(arns []string) string { return `"` + strings.Join(arns, `","`) + `"` }
	a.Policies = append(a.Policies,
		&inventory.ManagedPolicy{ARN: "arn:aws:iam::" + acct + ":policy/data-platform", Name: "data-platform",
			Document: doc(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt","kms:GenerateDataKey*"],"Resource":"*"}}`)},
		&inventory.ManagedPolicy{ARN: "arn:aws:iam::" + acct + ":policy/kms-admin", Name: "kms-admin",
			Document: doc(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}`)},
		&inventory.ManagedPolicy{ARN: "arn:aws:iam::" + acct + ":policy/s3-app", Name: "s3-app",
			Document: doc(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}}`)})
	for team := range teams {
		var arns []string
		for k := range keysPerTeam {
			arns = append(arns, keyARN(team*keysPerTeam+k))
		}
		if changed && team == 3 {
			// The team's policy gains five keys of the next team.
			for k := range 5 {
				arns = append(arns, keyARN((team+1)*keysPerTeam+k))
			}
		}
		a.Policies = append(a.Policies, &inventory.ManagedPolicy{
			ARN: fmt.Sprintf("arn:aws:iam::%s:policy/team-%02d-kms", acct, team), Name: fmt.Sprintf("team-%02d-kms", team),
			Document: doc(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":[`+quoted(arns)+`]}}`)})
	}
	roles := principals * 9 / 10
	for i := range roles {
		r := &inventory.Role{ARN: roleARN(i), Name: fmt.Sprintf("app-%05d", i), Path: "/svc/"}
		switch n := rng.IntN(100); {
		case n < 2:
			if !(changed && i == 17) {
				r.AttachedPolicies = []string{a.Policies[0].ARN}
			}
		case n < 60:
			r.AttachedPolicies = []string{a.Policies[2].ARN, fmt.Sprintf("arn:aws:iam::%s:policy/team-%02d-kms", acct, i%teams)}
		default:
			r.AttachedPolicies = []string{a.Policies[2].ARN}
		}
		a.Roles = append(a.Roles, r)
	}
	for i := range principals - roles {
		u := &inventory.User{ARN: fmt.Sprintf("arn:aws:iam::%s:user/people/user-%05d", acct, i), Name: fmt.Sprintf("user-%05d", i), Path: "/people/"}
		if i < 10 {
			u.AttachedPolicies = []string{a.Policies[1].ARN}
		}
		a.Users = append(a.Users, u)
	}
	for i := range keys {
		k := generatedKey(t, rng, i, keyARN(i), roleARN, roles, changed)
		if changed && i == 42 {
			continue // deleted
		}
		a.Keys = append(a.Keys, k)
	}
	if changed {
		a.Keys = append(a.Keys, generatedKey(t, rng, keys, keyARN(keys), roleARN, roles, false))
	}
	return &inventory.Snapshot{Version: inventory.FormatVersion, Accounts: []*inventory.Account{a}}
}

func generatedKey(t testing.TB, rng *rand.Rand, i int, arn string, roleARN func(int) string, roles int, changed bool) *inventory.Key {
	k := &inventory.Key{ARN: arn, ID: arn[strings.LastIndexByte(arn, '/')+1:], Region: region, Account: acct,
		Aliases:  []string{fmt.Sprintf("alias/key-%05d", i)},
		Metadata: &inventory.KeyMetadata{State: "Enabled", Enabled: true, KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT", Origin: "AWS_KMS", Manager: "CUSTOMER"}}
	root := `{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"kms:*","Resource":"*"}`
	stmts := []string{root}
	switch n := rng.IntN(100); {
	case n < 20:
		stmts = append(stmts,
			fmt.Sprintf(`{"Sid":"Allow access for Key Administrators","Effect":"Allow","Principal":{"AWS":%q},"Action":["kms:Create*","kms:Describe*","kms:Enable*","kms:List*","kms:Put*","kms:Update*","kms:Revoke*","kms:Disable*","kms:Get*","kms:Delete*","kms:TagResource","kms:UntagResource","kms:ScheduleKeyDeletion","kms:CancelKeyDeletion"],"Resource":"*"}`, roleARN(rng.IntN(roles))),
			fmt.Sprintf(`{"Sid":"Allow use of the key","Effect":"Allow","Principal":{"AWS":[%q,%q]},"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*"}`, roleARN(rng.IntN(roles)), roleARN(rng.IntN(roles))))
	case n < 25:
		stmts = append(stmts, `{"Sid":"Allow access through EBS for all principals in the account that are authorized to use EBS","Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:CreateGrant","kms:DescribeKey"],"Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"`+acct+`","kms:ViaService":"ec2.`+region+`.amazonaws.com"}}}`)
	case n < 30:
		grantee := roleARN(rng.IntN(roles))
		if !(changed && i == 29) {
			k.Grants = []inventory.Grant{{ID: fmt.Sprintf("grant-%05d", i), GranteePrincipal: grantee, Operations: []string{"Decrypt", "GenerateDataKey"}, IssuingAccount: acct}}
		}
	}
	if changed && i == 7 {
		stmts = append(stmts, `{"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":["kms:Decrypt","kms:DescribeKey"],"Resource":"*"}`)
	}
	k.Policy = doc(t, `{"Version":"2012-10-17","Statement":[`+strings.Join(stmts, ",")+`]}`)
	return k
}
