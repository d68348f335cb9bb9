package access

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/inventory"
)

// TestGroupsMatchPlainEvaluation: who-can and the matrix, which ask the
// engine once per group of principals that decide alike, give exactly the
// answers of asking about every principal on its own, on random small
// accounts full of what tells principals apart: tags that policies test,
// conditions on principals' ARNs in key policies and SCPs, policy
// variables, boundaries, roles and users named by key policies and grants,
// gaps in the data.
func TestGroupsMatchPlainEvaluation(t *testing.T) {
	t.Parallel()
	actions := []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:PutKeyPolicy", "kms:CreateGrant", "kms:ScheduleKeyDeletion", "kms:DescribeKey", "kms:RetireGrant"}
	for seed := uint64(1); seed <= 16; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			ix := index(t, randomAccount(t, seed))
			for _, k := range ix.keys {
				ka := ix.Access(k)
				for _, a := range actions {
					got := map[string]engine.Result{}
					res, err := ka.WhoCan(a)
					if err != nil {
						t.Fatal(err)
					}
					for _, e := range res.Entries {
						if _, ok := ix.byARN[e.Principal]; ok {
							got[e.Principal] = e.Result
						}
					}
					want := map[string]engine.Result{}
					for _, p := range ix.principals {
						r := ix.askPrincipal(p.ARN, p, k, k.ARN, askOptions{listing: true}).decide(a)
						if r.Decision == engine.Allow || r.Decision == engine.Unknown {
							if k.Policy == nil && r.Decision == engine.Unknown && len(grantIDsOf(r)) == 0 {
								// Listed once, symbolically.
								continue
							}
							want[p.ARN] = r
						}
					}
					if d := cmp.Diff(want, got); d != "" {
						t.Errorf("%s on %s: grouped answers differ from plain ones (-plain +grouped):\n%s", a, k.ARN, d)
					}
				}
			}
		})
	}
}

func grantIDsOf(r engine.Result) []string {
	var out []string
	for _, reason := range r.Reasons {
		if reason.Layer == engine.LayerGrant {
			out = append(out, reason.Policy)
		}
	}
	return out
}

// randomAccount builds two accounts of one organization, with a third
// account outside the inventory named here and there.
func randomAccount(t testing.TB, seed uint64) *inventory.Snapshot {
	rng := rand.New(rand.NewPCG(seed, seed*7+1))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	const a1, a2, ext = "111111111111", "222222222222", "333333333333"
	keyARN := func(acct string, i int) string {
		return fmt.Sprintf("arn:aws:kms:us-east-1:%s:key/00000000-0000-0000-0000-%012d", acct, i)
	}
	identity := []string{
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"arn:aws:kms:*:111111111111:key/*"}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"%KEY%"}}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"},{"Effect":"Deny","Action":"kms:ScheduleKeyDeletion","Resource":"*"}]}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/app-*"}}}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:user":"${aws:username}"}}}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["kms:CreateGrant","kms:RetireGrant"],"Resource":"*"}}`,
		// Attribute-based: the principal's tag, shared by principals
		// with the same tag value; one tag key tested by identity
		// policies only.
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/project":"${aws:PrincipalTag/project}"}}}}`,
		// A personal variable: each user decides alone.
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/owner":"${aws:username}"}}}}`,
		// A personal variable outside KMS, beside a KMS statement.
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"},{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}`,
	}
	var snap inventory.Snapshot
	snap.Version = inventory.FormatVersion
	for ai, id := range []string{a1, a2} {
		a := &inventory.Account{ID: id, Organization: &inventory.Organization{ID: "o-example", ManagementAccountID: "999999999999", OUPath: "o-example/r-ab12/"}}
		if rng.IntN(3) == 0 {
			a.Organization.SCPs = []inventory.OrgLevel{{TargetID: "r-ab12", Policies: []inventory.OrgPolicy{{ID: "p-full", Document: doc(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)},
				{ID: "p-deny", Document: doc(t, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"kms:ScheduleKeyDeletion","Resource":"*","Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/admin-*"}}}}`)}}}}
		} else if rng.IntN(4) == 0 {
			a.Organization.SCPsIncomplete = &inventory.Incomplete{Reason: "no organizations/scps.json"}
		}
		var policies []*inventory.ManagedPolicy
		for i := 0; i < 5; i++ {
			text := strings.ReplaceAll(identity[rng.IntN(len(identity))], "%KEY%", keyARN(id, rng.IntN(4)))
			policies = append(policies, &inventory.ManagedPolicy{ARN: fmt.Sprintf("arn:aws:iam::%s:policy/p%d", id, i), Name: fmt.Sprintf("p%d", i), Document: doc(t, text)})
		}
		a.Policies = policies
		boundary := &inventory.ManagedPolicy{ARN: "arn:aws:iam::" + id + ":policy/boundary", Name: "boundary", Document: doc(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["kms:Decrypt","s3:*"],"Resource":"*"}}`)}
		a.Policies = append(a.Policies, boundary)
		a.Groups = []*inventory.Group{{ARN: "arn:aws:iam::" + id + ":group/g", Name: "g", AttachedPolicies: []string{policies[0].ARN}}}
		for i := 0; i < 30; i++ {
			name := pick("app-", "batch-", "admin-") + fmt.Sprint(i)
			attached := []string{policies[rng.IntN(5)].ARN}
			if rng.IntN(2) == 0 {
				attached = append(attached, policies[rng.IntN(5)].ARN)
			}
			var tags []inventory.Tag
			if rng.IntN(2) == 0 {
				tags = []inventory.Tag{{Key: "team", Value: pick("blue", "red")}, {Key: "Name", Value: name}}
			}
			if rng.IntN(2) == 0 {
				tags = append(tags, inventory.Tag{Key: "project", Value: pick("ledger", "search")})
			}
			if rng.IntN(2) == 0 {
				// Tested by no policy of the account (diff_test edits).
				tags = append(tags, inventory.Tag{Key: "CostCenter", Value: pick("cc1", "cc2")})
			}
			if i%4 == 3 {
				u := &inventory.User{ARN: "arn:aws:iam::" + id + ":user/" + name, Name: name, Path: "/", AttachedPolicies: attached, Tags: tags}
				if rng.IntN(2) == 0 {
					u.Groups = []string{"g"}
				}
				a.Users = append(a.Users, u)
				continue
			}
			r := &inventory.Role{ARN: "arn:aws:iam::" + id + ":role/" + name, Name: name, Path: "/", AttachedPolicies: attached, Tags: tags}
			switch rng.IntN(6) {
			case 0:
				r.PermissionsBoundary = boundary.ARN
			case 1:
				r.InlinePolicies = []inventory.InlinePolicy{{Name: "inline", Document: doc(t, strings.ReplaceAll(identity[rng.IntN(len(identity))], "%KEY%", keyARN(id, 0)))}}
			case 2:
				r.Incomplete = &inventory.Incomplete{Reason: "GetRolePolicy denied"}
				r.AttachedPolicies = append(r.AttachedPolicies, "arn:aws:iam::"+id+":policy/missing")
			}
			a.Roles = append(a.Roles, r)
		}
		for i := 0; i < 4; i++ {
			k := &inventory.Key{ARN: keyARN(id, i), ID: fmt.Sprint(i), Region: "us-east-1", Account: id,
				Metadata: &inventory.KeyMetadata{State: "Enabled", Enabled: true, KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT", Manager: "CUSTOMER"},
				Tags: []inventory.Tag{{Key: "team", Value: pick("blue", "red")}, {Key: "project", Value: pick("ledger", "search")},
					{Key: "owner", Value: pick("app-3", "batch-3", "admin-7", "app-11")}}}
			role := a.Roles[rng.IntN(len(a.Roles))].ARN
			stmts := []string{fmt.Sprintf(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"kms:*","Resource":"*"}`, id)}
			switch rng.IntN(7) {
			case 0:
				stmts = append(stmts, fmt.Sprintf(`{"Effect":"Allow","Principal":{"AWS":%q},"Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*"}`, role))
			case 1:
				stmts = append(stmts, `{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-example"}}}`)
			case 2:
				stmts = append(stmts, `{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Decrypt","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/app-*"}}}`)
			case 3:
				stmts = []string{fmt.Sprintf(`{"Effect":"Allow","Principal":{"AWS":["%s","%s"]},"Action":"kms:*","Resource":"*"}`, a1, a2)}
			case 4:
				stmts = append(stmts, `{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::`+id+`:root"},"Action":"kms:ScheduleKeyDeletion","Resource":"*"}`)
			case 5:
				stmts = append(stmts, `{"Effect":"Allow","Principal":{"AWS":"`+ext+`"},"Action":"kms:Decrypt","Resource":"*"}`,
					`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Encrypt","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}`)
			}
			k.Policy = doc(t, `{"Version":"2012-10-17","Statement":[`+strings.Join(stmts, ",")+`]}`)
			if rng.IntN(8) == 0 {
				k.Policy, k.PolicyIncomplete = nil, &inventory.Incomplete{Reason: "AccessDenied"}
			}
			for g := 0; g < rng.IntN(3); g++ {
				grantee := pick(a.Roles[rng.IntN(len(a.Roles))].ARN, "arn:aws:iam::"+pick(a1, a2, ext)+":root", "arn:aws:iam::"+ext+":role/partner", "ec2.amazonaws.com")
				k.Grants = append(k.Grants, inventory.Grant{ID: fmt.Sprintf("g%d", g), GranteePrincipal: grantee, Operations: []string{"Decrypt", "CreateGrant", "RetireGrant"},
					RetiringPrincipal: pick("", a.Roles[0].ARN, "arn:aws:iam::"+ext+":root")})
			}
			if rng.IntN(8) == 0 {
				k.GrantsIncomplete = &inventory.Incomplete{Reason: "ListGrants denied"}
			}
			a.Keys = append(a.Keys, k)
		}
		_ = ai
		snap.Accounts = append(snap.Accounts, a)
	}
	return &snap
}

var _ = awsfacts.KeyUse

// TestMatrixMatchesPlainEvaluation: the matrix's cells of the inventory's
// principals (built once per group) are what deciding each principal on
// each action of each key gives, in ARN order.
func TestMatrixMatchesPlainEvaluation(t *testing.T) {
	t.Parallel()
	for seed := uint64(1); seed <= 8; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			ix := index(t, randomAccount(t, seed))
			for _, k := range ix.keys {
				var got []Cell
				for _, c := range ix.KeyCells(ix.Access(k)) {
					if _, ok := ix.byARN[c.Principal]; ok {
						got = append(got, c)
					}
				}
				var want []Cell
				for _, p := range ix.principals {
					c := Cell{Principal: p.ARN, Kind: p.Kind, Key: k.ARN}
					missing := map[string]bool{}
					add := func(list []string, admin bool) {
						for _, a := range list {
							r := ix.askPrincipal(p.ARN, p, k, k.ARN, askOptions{listing: true}).decide(a)
							if k.Policy == nil && r.Decision == engine.Unknown && len(grantIDsOf(r)) == 0 {
								continue // listed once, symbolically
							}
							name := strings.TrimPrefix(a, "kms:")
							switch {
							case r.Decision == engine.Unknown:
								c.Unknown = append(c.Unknown, name)
								for _, m := range r.Missing {
									missing[m] = true
								}
								continue
							case r.Decision != engine.Allow:
								continue
							case r.Conditional:
								if c.Conditions == nil {
									c.Conditions = map[string][]string{}
								}
								c.Conditions[name] = r.Conditions
								name += "*"
							}
							if admin {
								c.Admin = append(c.Admin, name)
							} else {
								c.Use = append(c.Use, name)
							}
						}
					}
					add(useActionsOf(k), false)
					add(awsfacts.KeyAdmin, true)
					for m := range missing {
						c.Missing = append(c.Missing, m)
					}
					sort.Strings(c.Missing)
					if len(c.Use)+len(c.Admin)+len(c.Unknown) > 0 {
						want = append(want, c)
					}
				}
				if d := cmp.Diff(want, got, cmpopts.EquateEmpty()); d != "" {
					t.Errorf("%s: matrix cells differ from plain ones (-plain +matrix):\n%s", k.ARN, d)
				}
			}
		})
	}
}
