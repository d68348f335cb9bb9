package inventory

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const (
	chAcct   = "111122223333"
	chRegion = "us-east-1"
	chKeyID  = "1111aaaa-2222-3333-4444-555566667777"
	chKeyARN = "arn:aws:kms:us-east-1:111122223333:key/" + chKeyID
	chPolA   = "arn:aws:iam::111122223333:policy/a"
	chPolB   = "arn:aws:iam::111122223333:policy/b"
)

func doc(t *testing.T, s string) *Document {
	t.Helper()
	d, err := DecodeDocument([]byte(s), Location{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// changeBase is the account the overlay tests change.
func changeBase(t *testing.T) *Snapshot {
	t.Helper()
	allow := doc(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}`)
	return &Snapshot{
		Version:  FormatVersion,
		Metadata: Metadata{GeneratedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Source: SourceAWSCLI, ToolVersion: "v1"},
		Accounts: []*Account{{
			ID: chAcct,
			Organization: &Organization{ID: "o-1", SCPs: []OrgLevel{
				{TargetID: "r-1", Policies: []OrgPolicy{{ID: "p-FullAWSAccess", AWSManaged: true, Document: allow}}},
				{TargetID: "ou-1"},
				{TargetID: chAcct},
			}},
			Roles: []*Role{{
				ARN: "arn:aws:iam::111122223333:role/app", Name: "app", Path: "/",
				InlinePolicies:   []InlinePolicy{{Name: "old", Document: allow}, {Name: "kept", Document: allow}},
				AttachedPolicies: []string{chPolA, chPolB},
			}, {
				ARN: "arn:aws:iam::111122223333:role/gone", Name: "gone", Path: "/",
			}},
			Users:  []*User{{ARN: "arn:aws:iam::111122223333:user/alice", Name: "alice", Groups: []string{"devs", "ops"}}, {ARN: "arn:aws:iam::111122223333:user/bob", Name: "bob", Groups: []string{"devs"}}},
			Groups: []*Group{{ARN: "arn:aws:iam::111122223333:group/devs", Name: "devs", AttachedPolicies: []string{chPolA}}, {ARN: "arn:aws:iam::111122223333:group/ops", Name: "ops"}},
			Policies: []*ManagedPolicy{
				{ARN: chPolA, Name: "a", Document: allow, AttachmentCount: 2},
				{ARN: chPolB, Name: "b", Document: allow, AttachmentCount: 1},
			},
			KMSRegions: []*KMSRegion{{Name: chRegion}},
			Keys: []*Key{{
				ARN: chKeyARN, ID: chKeyID, Region: chRegion, Account: chAcct,
				Metadata: &KeyMetadata{State: "Enabled", Enabled: true, CreationDate: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
				Policy:   allow,
				Grants:   []Grant{{ID: "g1", GranteePrincipal: "arn:aws:iam::111122223333:role/app", Operations: []string{"Decrypt"}}},
				Aliases:  []string{"alias/app"},
				Rotation: &Rotation{Enabled: true},
			}},
			Buckets: []*Bucket{{Name: "data", Region: chRegion, Encryption: &BucketEncryption{Algorithm: SSEKMS, KMSKeyID: "alias/app"}}},
		}},
	}
}

func TestApplyWithBase(t *testing.T) {
	base := changeBase(t)
	var before bytes.Buffer
	if err := base.Save(&before); err != nil {
		t.Fatal(err)
	}
	newKeyID := PlannedTerraform("aws_kms_key.new")
	newKeyARN := "arn:aws:kms:us-east-1:111122223333:key/" + newKeyID
	keyPolicy := doc(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"kms:*","Resource":"*"}]}`)
	at := Location{File: "plan.json", Path: "aws_x.y"}
	c := &Change{
		Source: SourceTerraform, Account: chAcct, Regions: []string{chRegion, "eu-west-1"},
		GeneratedAt: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
		// Out of phase order on purpose: Apply orders them.
		Edits: []Edit{
			&ScheduleKeyDeletion{Source: at, Key: chKeyID, Region: chRegion, Date: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)},
			&PutKeyPolicy{Source: at, Key: newKeyARN, Policy: keyPolicy},
			&PutAlias{Source: at, Name: "alias/app", Key: newKeyID, Region: chRegion},
			&PutKey{Source: at, Key: &Key{ARN: newKeyARN, ID: newKeyID, Region: chRegion, Account: chAcct, Metadata: &KeyMetadata{State: "Enabled", Enabled: true}, Source: &Location{Path: "aws_kms_key.new"}}},
			&DeleteEntity{Source: at, Owner: Owner{OwnerRole, "gone"}},
			&PutRole{Source: at, Role: &Role{ARN: "arn:aws:iam::111122223333:role/app", Name: "app", Path: "/", InlinePolicies: []InlinePolicy{{Name: "new", Document: keyPolicy}}}},
			&DeleteInlinePolicy{Source: at, Owner: Owner{OwnerRole, "app"}, Name: "old"},
			&DetachPolicy{Source: at, Owner: Owner{OwnerRole, "app"}, PolicyARN: chPolB},
			&DeleteManagedPolicy{Source: at, ARN: chPolA},
			&SetGroupMembers{Source: at, Group: "devs", Users: []string{"alice", "carol"}},
			&DeleteGrant{Source: at, Key: chKeyARN, ID: "g1"},
			&PutGrant{Source: at, Key: newKeyID, Region: chRegion, Grant: Grant{ID: PlannedTerraform("aws_kms_grant.g"), GranteePrincipal: "arn:aws:iam::111122223333:role/app", Operations: []string{"Encrypt"}}},
			&PutBucketEncryption{Source: at, Bucket: "data", Encryption: &BucketEncryption{Algorithm: SSEKMS, KMSKeyID: newKeyARN}},
			&PutOrgPolicy{Source: at, Type: SCP, Policy: OrgPolicy{ID: PlannedTerraform("aws_organizations_policy.deny"), Name: "deny", Document: keyPolicy}},
			&AttachOrgPolicy{Source: at, Type: SCP, PolicyID: PlannedTerraform("aws_organizations_policy.deny"), Target: "ou-1"},
			&AttachOrgPolicy{Source: at, Type: SCP, PolicyID: PlannedTerraform("aws_organizations_policy.deny"), Target: "ou-elsewhere"},
		},
	}
	got, warnings, err := Apply(base, c)
	if err != nil {
		t.Fatal(err)
	}
	// The base is not modified.
	var after bytes.Buffer
	if err := base.Save(&after); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before.Bytes(), after.Bytes()) {
		t.Errorf("Apply modified the base:\n%s", cmp.Diff(before.String(), after.String()))
	}
	if want := []string{"plan.json: aws_x.y: target ou-elsewhere is in no organization chain of the accounts read: the attachment of {{tf:aws_organizations_policy.deny}} is left out"}; !slices.Equal(warnings, want) {
		t.Errorf("warnings = %q, want %q", warnings, want)
	}
	if got.Metadata.Source != "terraform-plan over awscli-export" || !got.Metadata.GeneratedAt.Equal(c.GeneratedAt) {
		t.Errorf("metadata = %+v", got.Metadata)
	}
	a := got.Account(chAcct)

	// Roles: "gone" went; app keeps its unmanaged inline policy and
	// attachment, loses what the change removed, gains the new one.
	if len(a.Roles) != 1 {
		t.Fatalf("roles = %d, want 1", len(a.Roles))
	}
	r := a.Roles[0]
	var inline []string
	for _, p := range r.InlinePolicies {
		inline = append(inline, p.Name)
	}
	if want := []string{"kept", "new"}; !slices.Equal(inline, want) {
		t.Errorf("inline policies of app = %v, want %v", inline, want)
	}
	if len(r.AttachedPolicies) != 0 {
		t.Errorf("attached policies of app = %v, want none (b detached, a deleted)", r.AttachedPolicies)
	}
	if len(a.Policies) != 1 || a.Policies[0].ARN != chPolB {
		t.Errorf("managed policies = %v, want only b", a.Policies)
	}
	if g := a.Group("devs"); len(g.AttachedPolicies) != 0 {
		t.Errorf("devs still has %v attached", g.AttachedPolicies)
	}

	// Membership: bob left devs, carol (not in the base) joined, marked.
	groups := map[string][]string{}
	for _, u := range a.Users {
		groups[u.Name] = u.Groups
	}
	if diff := cmp.Diff(map[string][]string{"alice": {"devs", "ops"}, "bob": nil, "carol": {"devs"}}, groups, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	for _, u := range a.Users {
		if (u.Name == "carol") != (u.Incomplete != nil) {
			t.Errorf("user %s incomplete = %v", u.Name, u.Incomplete)
		}
	}

	// Keys: the old one is pending deletion, keeps its policy and loses
	// its grant; the alias moved to the new key.
	old, err := got.Key(chKeyARN)
	if err != nil {
		t.Fatal(err)
	}
	if old.Metadata.State != "PendingDeletion" || old.Metadata.Enabled || !old.Metadata.DeletionDate.Equal(time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("old key metadata = %+v", old.Metadata)
	}
	if len(old.Grants) != 0 || len(old.Aliases) != 0 || old.Policy == nil {
		t.Errorf("old key: grants %v, aliases %v, policy %v", old.Grants, old.Aliases, old.Policy)
	}
	nk, err := got.Key("alias/app")
	if err != nil {
		t.Fatal(err)
	}
	if nk.ARN != newKeyARN || !nk.Policy.Equal(keyPolicy) || len(nk.Grants) != 1 || nk.Source == nil {
		t.Errorf("new key = %+v", nk)
	}
	if k, err := got.BucketKey("data"); err != nil || k.ARN != newKeyARN {
		t.Errorf("BucketKey(data) = %v, %v; want the new key", k, err)
	}

	// A region the base did not read is marked.
	var regions []string
	for _, r := range a.KMSRegions {
		regions = append(regions, r.Name)
		if (r.Name == "eu-west-1") != (r.KeysIncomplete != nil) {
			t.Errorf("region %s keysIncomplete = %v", r.Name, r.KeysIncomplete)
		}
	}
	if want := []string{"eu-west-1", "us-east-1"}; !slices.Equal(regions, want) {
		t.Errorf("regions = %v, want %v", regions, want)
	}

	// The SCP joined the OU level.
	ou := a.Organization.SCPs[1]
	if len(ou.Policies) != 1 || ou.Policies[0].Name != "deny" {
		t.Errorf("OU level = %+v", ou)
	}
	// The result is a valid snapshot.
	var buf bytes.Buffer
	if err := got.Save(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := Read("applied.json", &buf); err != nil {
		t.Errorf("the applied snapshot does not read back: %v", err)
	}
}

func TestApplyExclusive(t *testing.T) {
	allow := doc(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	tests := []struct {
		name             string
		edit             Edit
		inline, attached []string
	}{
		{"merge", &PutRole{Role: &Role{ARN: "arn:aws:iam::111122223333:role/app", Name: "app", InlinePolicies: []InlinePolicy{{Name: "old", Document: allow}, {Name: "x", Document: allow}}, AttachedPolicies: []string{"arn:aws:iam::aws:policy/P"}}},
			[]string{"kept", "old", "x"}, []string{chPolA, chPolB, "arn:aws:iam::aws:policy/P"}},
		{"exact", &PutRole{InlineExact: true, AttachedExact: true, Role: &Role{ARN: "arn:aws:iam::111122223333:role/app", Name: "app", InlinePolicies: []InlinePolicy{{Name: "x", Document: allow}}, AttachedPolicies: []string{"arn:aws:iam::aws:policy/P"}}},
			[]string{"x"}, []string{"arn:aws:iam::aws:policy/P"}},
		{"policy attachment", &SetPolicyAttachments{PolicyARN: chPolA, Owners: []Owner{{OwnerUser, "bob"}}},
			[]string{"kept", "old"}, []string{chPolB}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := Apply(changeBase(t), &Change{Source: SourceCloudFormation, Account: chAcct, Edits: []Edit{tt.edit}})
			if err != nil {
				t.Fatal(err)
			}
			r := got.Accounts[0].Roles[0]
			var inline []string
			for _, p := range r.InlinePolicies {
				inline = append(inline, p.Name)
			}
			if !slices.Equal(inline, tt.inline) || !slices.Equal(r.AttachedPolicies, tt.attached) {
				t.Errorf("role app: inline %v attached %v, want %v %v", inline, r.AttachedPolicies, tt.inline, tt.attached)
			}
		})
	}
}

func TestApplyWithoutBase(t *testing.T) {
	keyID := PlannedCloudFormation("Key")
	keyARN := "arn:aws:kms:ap-northeast-1:123456789012:key/" + keyID
	c := &Change{
		Source: SourceCloudFormation, Account: "123456789012", Regions: []string{"ap-northeast-1"},
		GeneratedAt: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
		Edits: []Edit{
			&PutKey{Key: &Key{ARN: keyARN, ID: keyID, Region: "ap-northeast-1", Account: "123456789012", Metadata: &KeyMetadata{State: "Enabled", Enabled: true}}},
			&PutInlinePolicy{Owner: Owner{OwnerRole, "elsewhere"}, Policy: InlinePolicy{Name: "p"}, Incomplete: &Incomplete{Reason: "known after apply (aws_iam_role_policy.p.policy)"}},
			&AttachOrgPolicy{Source: Location{Path: "aws_organizations_policy_attachment.a"}, Type: SCP, PolicyID: "p-1", Target: "r-1"},
			&PutKeyPolicy{Key: "arn:aws:kms:ap-northeast-1:999988887777:key/x"},
			&PutAlias{Key: "alias/nothing", Name: "alias/b", Region: "ap-northeast-1"},
		},
	}
	got, warnings, err := Apply(nil, c)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"aws_organizations_policy_attachment.a: policy p-1 is neither in the change nor in the base: its attachment to r-1 is left out",
		"key arn:aws:kms:ap-northeast-1:999988887777:key/x is not in account 123456789012: the edit is left out",
		"alias alias/nothing points at no key of account 123456789012 in ap-northeast-1: the edit is left out",
	}
	if diff := cmp.Diff(want, warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	a := got.Accounts[0]
	if len(a.KMSRegions) != 1 || a.KMSRegions[0].KeysIncomplete != nil {
		t.Errorf("regions = %+v, want ap-northeast-1, complete", a.KMSRegions)
	}
	if len(a.Keys) != 1 || a.Keys[0].ARN != keyARN {
		t.Errorf("keys = %v", a.Keys)
	}
	// The role the inline policy belongs to is not in the input: a stub,
	// marked by the policy's own reason.
	if len(a.Roles) != 1 || a.Roles[0].Incomplete == nil || !strings.Contains(a.Roles[0].Incomplete.Reason, "is not in the input") {
		t.Errorf("roles = %+v", a.Roles)
	}
	if _, _, err := Apply(nil, &Change{Account: "12345"}); err == nil {
		t.Error("Apply with a bad account ID succeeded")
	}
	if _, _, err := Apply(changeBase(t), &Change{Account: "999988887777"}); err == nil || !strings.Contains(err.Error(), "not in the base snapshot (it holds 111122223333)") {
		t.Errorf("Apply over a base without the account: %v", err)
	}
}

// TestApplyReplacement: a replaced role (same name, new trust policy)
// loses the inline policies the input removes with it and regains those
// re-declared; a replaced key with a new ID leaves the old one pending
// deletion.
func TestApplyReplacement(t *testing.T) {
	trust := doc(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	allow := doc(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}`)
	c := &Change{Source: SourceTerraform, Account: chAcct, Edits: []Edit{
		&DeleteEntity{Owner: Owner{OwnerRole, "app"}},
		&PutRole{Role: &Role{ARN: "arn:aws:iam::111122223333:role/app", Name: "app", Path: "/", TrustPolicy: trust}},
		&PutInlinePolicy{Owner: Owner{OwnerRole, "app"}, Policy: InlinePolicy{Name: "kept", Document: allow}},
	}}
	got, _, err := Apply(changeBase(t), c)
	if err != nil {
		t.Fatal(err)
	}
	r := got.Accounts[0].Roles[0]
	if r.Name != "app" || !r.TrustPolicy.Equal(trust) || len(r.InlinePolicies) != 1 || !r.InlinePolicies[0].Document.Equal(allow) || len(r.AttachedPolicies) != 0 || r.Incomplete != nil {
		t.Errorf("replaced role = %+v", r)
	}
}
