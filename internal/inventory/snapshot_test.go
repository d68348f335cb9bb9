package inventory

import (
	"bytes"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var update = flag.Bool("update", false, "rewrite testdata/snapshot.golden.json and the error sections of testdata/errors/*.txtar")

const goldenFile = "testdata/snapshot.golden.json"

// must builds a document for the tests; the JSON is written as AWS returns
// it (plain or URL-encoded).
func must(text, file, path string, line, col int) *Document {
	d, err := DecodeDocument([]byte(text), Location{File: file, Path: path, Line: line, Col: col})
	if err != nil {
		panic(err)
	}
	return d
}

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

const (
	acct     = "111122223333"
	partner  = "444455556666"
	gaadFile = "export/account-authorization-details.json"
	keyTokyo = "arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	keyMRKap = "arn:aws:kms:ap-northeast-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef"
	keyMRKus = "arn:aws:kms:us-east-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef"
	keyNoPol = "arn:aws:kms:ap-northeast-1:111122223333:key/77778888-9999-0000-1111-222233334444"
	keyS3    = "arn:aws:kms:ap-northeast-1:111122223333:key/44445555-6666-7777-8888-999900001111"
	appData  = "arn:aws:iam::111122223333:policy/app-data-access"
	boundary = "arn:aws:iam::111122223333:policy/developer-boundary"
	awsKMSPU = "arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser"
)

// sampleSnapshot covers every type of the model: two accounts (the second
// has a role with the same name as one of the first), an organization with
// SCP and RCP chains, users in groups, a boundary, versioned managed
// policies, keys in two regions (a multi-Region key shares its ID), an
// unread key policy, grants with both constraints, buckets.
func sampleSnapshot() *Snapshot {
	return &Snapshot{
		Version: FormatVersion,
		Metadata: Metadata{
			GeneratedAt: date("2026-11-24T09:30:00Z"),
			Source:      SourceAWSCLI,
			ToolVersion: "v0.1.0",
		},
		Accounts: []*Account{
			{
				ID: partner,
				Roles: []*Role{{
					ARN: "arn:aws:iam::444455556666:role/app", Name: "app", Path: "/", ID: "AROAPARTNERAPP00000001",
					TrustPolicy: must(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, "partner/account-authorization-details.json", "RoleDetailList[0].AssumeRolePolicyDocument", 9, 35),
					// Since version 2: where an IaC input declares it.
					Source: &Location{File: "partner/main.tf", Path: "aws_iam_role.app", Line: 3, Col: 1},
				}},
			},
			{
				ID: acct,
				Organization: &Organization{
					ID:                  "o-a1b2c3d4e5",
					ManagementAccountID: "999988887777",
					OUPath:              "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/",
					SCPs: []OrgLevel{
						{TargetID: "r-ab12", TargetName: "Root", Policies: []OrgPolicy{{
							ID: "p-FullAWSAccess", Name: "FullAWSAccess", AWSManaged: true,
							ARN:      "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
							Document: must(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, "export/organizations/scps.json", "Levels[0].Policies[0].Policy.Content", 12, 24),
						}}},
						{TargetID: "ou-ab12-11111111", TargetName: "Workloads", Policies: []OrgPolicy{{
							ID: "p-examplescp1", Name: "DenyKeyDeletion",
							Source:   &Location{File: "org/template.yaml", Path: "Resources.DenyKeyDeletion", Line: 12, Col: 3},
							ARN:      "arn:aws:organizations::999988887777:policy/o-a1b2c3d4e5/service_control_policy/p-examplescp1",
							Document: must(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"kms:ScheduleKeyDeletion","Resource":"*"}]}`, "export/organizations/scps.json", "Levels[1].Policies[0].Policy.Content", 30, 24),
						}}},
						{TargetID: acct, TargetName: "workload-prod"},
					},
					RCPsIncomplete: &Incomplete{Reason: "AccessDeniedException: You don't have permissions to access this resource.", Source: "export/organizations/rcps.error"},
				},
				Users: []*User{
					{
						ARN: "arn:aws:iam::111122223333:user/bob", Name: "bob", Path: "/", ID: "AIDABOB0000000000000",
						CreateDate:          date("2024-02-01T00:00:00Z"),
						Groups:              []string{"developers", "admins"},
						PermissionsBoundary: boundary,
						InlinePolicies: []InlinePolicy{{Name: "kms-list", Document: must(
							"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22kms%3AList%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D",
							gaadFile, "UserDetailList[1].UserPolicyList[0].PolicyDocument", 40, 31)}},
					},
					{
						ARN: "arn:aws:iam::111122223333:user/alice", Name: "alice", Path: "/", ID: "AIDAALICE00000000000",
						CreateDate: date("2024-01-01T00:00:00Z"),
						Source:     &Location{File: "iam.tf", Path: "aws_iam_user.alice", Line: 1, Col: 1},
						Tags:       []Tag{{Key: "team", Value: "platform"}, {Key: "cost-center", Value: "42"}},
						Groups:     []string{"developers", "ghosts"},
						// The same policy through the group: listed once.
						AttachedPolicies: []string{appData},
					},
				},
				Groups: []*Group{
					{
						ARN: "arn:aws:iam::111122223333:group/developers", Name: "developers", Path: "/", ID: "AGPADEVELOPERS000000",
						InlinePolicies: []InlinePolicy{{Name: "kms-decrypt-app-data", Document: must(
							`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"`+keyTokyo+`"}]}`,
							gaadFile, "GroupDetailList[0].GroupPolicyList[0].PolicyDocument", 60, 31)}},
						AttachedPolicies: []string{appData},
					},
					{
						ARN: "arn:aws:iam::111122223333:group/admins", Name: "admins", Path: "/", ID: "AGPAADMINS0000000000",
						AttachedPolicies: []string{awsKMSPU},
						Source:           &Location{File: "plan.json", Path: "module.iam.aws_iam_group.admins"},
					},
				},
				Roles: []*Role{
					{
						ARN: "arn:aws:iam::111122223333:role/app", Name: "app", Path: "/", ID: "AROAAPP0000000000000",
						CreateDate:          date("2024-03-01T00:00:00Z"),
						Tags:                []Tag{{Key: "env", Value: "prod"}},
						TrustPolicy:         must(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, gaadFile, "RoleDetailList[0].AssumeRolePolicyDocument", 80, 35),
						InlinePolicies:      []InlinePolicy{{Name: "kms-use", Document: must(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"`+keyTokyo+`"}]}`, gaadFile, "RoleDetailList[0].RolePolicyList[0].PolicyDocument", 90, 31)}},
						AttachedPolicies:    []string{appData},
						PermissionsBoundary: boundary,
					},
					{
						ARN: "arn:aws:iam::111122223333:role/aws-service-role/organizations.amazonaws.com/AWSServiceRoleForOrganizations", Name: "AWSServiceRoleForOrganizations",
						Path: "/aws-service-role/organizations.amazonaws.com/", ID: "AROAORGS000000000000", ServiceLinked: true,
						TrustPolicy: must(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"organizations.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, gaadFile, "RoleDetailList[1].AssumeRolePolicyDocument", 110, 35),
					},
					{
						ARN: "arn:aws:iam::111122223333:role/broken", Name: "broken", Path: "/",
						Incomplete: &Incomplete{Reason: "RolePolicyList[0].PolicyDocument: policy document is not valid JSON: 1:2: unexpected end of input in object", Source: gaadFile + ":130:31"},
						InlinePolicies: []InlinePolicy{
							{Name: "unreadable"},
							{Name: "typo", Document: must(`{"Version":"2012-10-17","Statement":[{"Effect":"Alow","Action":"kms:Decrypt","Resource":"*"}]}`, gaadFile, "RoleDetailList[2].RolePolicyList[1].PolicyDocument", 131, 31)},
						},
					},
				},
				Policies: []*ManagedPolicy{
					{
						ARN: appData, Name: "app-data-access", Path: "/", ID: "ANPAAPPDATA000000000",
						DefaultVersionID: "v2", AttachmentCount: 3,
						CreateDate: date("2024-01-01T00:00:00Z"), UpdateDate: date("2024-06-01T00:00:00Z"),
						Document: must(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::app-data/*"}]}`, gaadFile, "Policies[0].PolicyVersionList[1].Document", 150, 25),
						Versions: []PolicyVersion{
							{ID: "v10", CreateDate: date("2024-09-01T00:00:00Z"), Document: must(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, gaadFile, "Policies[0].PolicyVersionList[2].Document", 160, 25)},
							{ID: "v2", Default: true, CreateDate: date("2024-06-01T00:00:00Z"), Document: must(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::app-data/*"}]}`, gaadFile, "Policies[0].PolicyVersionList[1].Document", 150, 25)},
							{ID: "v1", CreateDate: date("2024-01-01T00:00:00Z"), Document: must(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::app-data"}]}`, gaadFile, "Policies[0].PolicyVersionList[0].Document", 140, 25)},
						},
					},
					{
						ARN: boundary, Name: "developer-boundary", Path: "/", ID: "ANPABOUNDARY00000000",
						DefaultVersionID: "v1", PermissionsBoundaryUsageCount: 2,
						Source:   &Location{File: "iam.tf", Path: "aws_iam_policy.boundary", Line: 20, Col: 1},
						Document: must(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","kms:*"],"Resource":"*"}]}`, gaadFile, "Policies[1].PolicyVersionList[0].Document", 170, 25),
					},
					{
						ARN: awsKMSPU, Name: "AWSKeyManagementServicePowerUser", Path: "/", ID: "ANPAJNPP7PPPPMJRV2SA4",
						AWSManaged: true, DefaultVersionID: "v2", AttachmentCount: 1,
						Document: must(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:CreateAlias","kms:CreateKey","kms:DeleteAlias","kms:Describe*","kms:GenerateRandom","kms:Get*","kms:List*","kms:TagResource","kms:UntagResource","iam:ListGroups","iam:ListRoles","iam:ListUsers"],"Resource":"*"}]}`, gaadFile, "Policies[2].PolicyVersionList[0].Document", 180, 25),
					},
				},
				KMSRegions: []*KMSRegion{
					{Name: "us-east-1", AliasesIncomplete: &Incomplete{Reason: "the file is missing from the export", Source: "export/kms/us-east-1/list-aliases.json"}},
					{Name: "ap-northeast-1"},
				},
				Keys: []*Key{
					{
						ARN: keyTokyo, ID: "1234abcd-12ab-34cd-56ef-1234567890ab", Region: "ap-northeast-1", Account: acct,
						Metadata: &KeyMetadata{State: "Enabled", Enabled: true, KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT", Origin: "AWS_KMS", Manager: KeyManagerCustomer, CreationDate: date("2024-01-10T00:00:00Z"), Description: "app data <prod> & more"},
						Policy:   must(`{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`, "export/kms/ap-northeast-1/1234abcd-12ab-34cd-56ef-1234567890ab/get-key-policy.json", "Policy", 2, 13),
						Grants: []Grant{
							{ID: "b2", Name: "partner", Source: &Location{File: "kms.tf", Path: "aws_kms_grant.partner", Line: 40, Col: 1}, GranteePrincipal: "arn:aws:iam::444455556666:role/app", Operations: []string{"Decrypt"}, EncryptionContextEquals: map[string]string{"Department": "IT", "aws:s3:arn": "arn:aws:s3:::app-data"}, IssuingAccount: "arn:aws:iam::111122223333:root", CreationDate: date("2024-05-01T00:00:00Z")},
							{ID: "a1", GranteePrincipal: "arn:aws:iam::111122223333:role/app", RetiringPrincipal: "arn:aws:iam::111122223333:role/app", Operations: []string{"GenerateDataKey", "Decrypt", "Encrypt"}, EncryptionContextSubset: map[string]string{"Department": "IT"}, IssuingAccount: "arn:aws:iam::111122223333:root"},
						},
						Rotation: &Rotation{Enabled: true, PeriodDays: 365, NextRotationDate: date("2025-01-10T00:00:00Z")},
						Aliases:  []string{"alias/app-data"},
						Tags:     []Tag{{Key: "env", Value: "prod"}},
					},
					{
						ARN: keyMRKus, ID: "mrk-0123456789abcdef0123456789abcdef", Region: "us-east-1", Account: acct,
						Metadata:         &KeyMetadata{State: "Enabled", Enabled: true, KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT", Origin: "AWS_KMS", Manager: KeyManagerCustomer, MultiRegion: true, MultiRegionKeyType: "PRIMARY"},
						Policy:           must(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`, "", "", 0, 0),
						GrantsIncomplete: &Incomplete{Reason: "the list is truncated", Source: "export/kms/us-east-1/mrk-0123456789abcdef0123456789abcdef/list-grants.json"},
						Aliases:          []string{"alias/shared"},
					},
					{
						ARN: keyMRKap, ID: "mrk-0123456789abcdef0123456789abcdef", Region: "ap-northeast-1", Account: acct,
						Metadata:       &KeyMetadata{State: "Enabled", Enabled: true, KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT", Origin: "AWS_KMS", Manager: KeyManagerCustomer, MultiRegion: true, MultiRegionKeyType: "REPLICA"},
						Policy:         must(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`, "", "", 0, 0),
						Aliases:        []string{"alias/shared"},
						Source:         &Location{File: "template.yaml", Path: "Resources.SharedReplica", Line: 30, Col: 3},
						TagsIncomplete: &Incomplete{Reason: "the file is missing from the export", Source: "export/kms/ap-northeast-1/mrk-0123456789abcdef0123456789abcdef/list-resource-tags.json"},
					},
					{
						ARN: keyNoPol, ID: "77778888-9999-0000-1111-222233334444", Region: "ap-northeast-1", Account: acct,
						Metadata:         &KeyMetadata{State: "PendingDeletion", KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT", Origin: "AWS_KMS", Manager: KeyManagerCustomer, DeletionDate: date("2026-12-01T00:00:00Z")},
						PolicyIncomplete: &Incomplete{Reason: "AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/auditor/s is not authorized to perform: kms:GetKeyPolicy", Source: "export/kms/ap-northeast-1/77778888-9999-0000-1111-222233334444/get-key-policy.error"},
					},
					{
						ARN: keyS3, ID: "44445555-6666-7777-8888-999900001111", Region: "ap-northeast-1", Account: acct,
						Metadata: &KeyMetadata{State: "Enabled", Enabled: true, KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT", Origin: "AWS_KMS", Manager: KeyManagerAWS, Description: "Default key that protects my S3 objects when no other key is defined"},
						Policy:   must(`{"Version":"2012-10-17","Id":"auto-s3-2","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"111122223333","kms:ViaService":"s3.ap-northeast-1.amazonaws.com"}}}]}`, "", "", 0, 0),
						Rotation: &Rotation{Enabled: true},
						Aliases:  []string{"alias/aws/s3"},
					},
				},
				Buckets: []*Bucket{
					{Name: "app-data", Region: "ap-northeast-1", Encryption: &BucketEncryption{Algorithm: SSEKMS, KMSKeyID: "alias/app-data", BucketKeyEnabled: true},
						Policy: must(`{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecure","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::app-data","arn:aws:s3:::app-data/*"],"Condition":{"Bool":{"aws:SecureTransport":false}}}]}`, "export/s3/app-data/get-bucket-policy.json", "Policy", 2, 13)},
					{Name: "managed-key-bucket", Region: "ap-northeast-1", Encryption: &BucketEncryption{Algorithm: SSEKMS}},
					{Name: "logs", Region: "us-east-1", Encryption: &BucketEncryption{Algorithm: SSES3}, Source: &Location{File: "s3.tf", Path: "aws_s3_bucket.logs", Line: 1, Col: 1}},
					{Name: "unknown-region", RegionIncomplete: &Incomplete{Reason: "the file is missing from the export"}, Encryption: &BucketEncryption{Algorithm: SSEKMS, KMSKeyID: "alias/app-data"}},
					{Name: "unread", EncryptionIncomplete: &Incomplete{Reason: "AccessDenied: Access Denied"}, PolicyIncomplete: &Incomplete{Reason: "AccessDenied: Access Denied"}, Region: "ap-northeast-1"},
				},
			},
		},
	}
}

// cmpSnapshots compares snapshots: documents by their Equal method, empty
// and nil lists alike.
var cmpSnapshots = cmp.Options{cmpopts.EquateEmpty()}

func saved(t *testing.T, s *Snapshot) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := s.Save(&buf); err != nil {
		t.Fatalf("Save: %v", err)
	}
	return buf.Bytes()
}

// TestSaveGolden pins the snapshot format: the sample written by Save must
// be testdata/snapshot.golden.json, byte for byte (-update rewrites it).
func TestSaveGolden(t *testing.T) {
	got := saved(t, sampleSnapshot())
	if *update {
		if err := os.WriteFile(goldenFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("Save(sample) differs from %s (-want +got):\n%s", goldenFile, diff)
	}
}

// TestRoundTrip reads the golden file back: it gives the sample, and
// saving it again gives the same bytes.
func TestRoundTrip(t *testing.T) {
	s, err := Load(goldenFile)
	if err != nil {
		t.Fatalf("Load(%s): %v", goldenFile, err)
	}
	want := sampleSnapshot()
	want.Normalize()
	if diff := cmp.Diff(want, s, cmpSnapshots); diff != "" {
		t.Errorf("Load(%s) mismatch (-want +got):\n%s", goldenFile, diff)
	}
	golden, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	if got := saved(t, s); !bytes.Equal(got, golden) {
		t.Errorf("Save(Load(%s)) differs from the file:\n%s", goldenFile, cmp.Diff(string(golden), string(got)))
	}
}

// TestNormalizeOrder checks the orders that sorting by plain text would
// get wrong or that carry meaning.
func TestNormalizeOrder(t *testing.T) {
	s := sampleSnapshot()
	s.Normalize()
	a := s.Account(acct)
	var versions []string
	for _, v := range a.ManagedPolicy(appData).Versions {
		versions = append(versions, v.ID)
	}
	if diff := cmp.Diff([]string{"v1", "v2", "v10"}, versions); diff != "" {
		t.Errorf("policy versions order (-want +got):\n%s", diff)
	}
	var levels []string
	for _, l := range a.Organization.SCPs {
		levels = append(levels, l.TargetID)
	}
	if diff := cmp.Diff([]string{"r-ab12", "ou-ab12-11111111", acct}, levels); diff != "" {
		t.Errorf("SCP levels must keep root-to-account order (-want +got):\n%s", diff)
	}
	if got := s.Accounts[0].ID; got != acct {
		t.Errorf("Accounts[0].ID = %s, want %s (sorted)", got, acct)
	}
	if diff := cmp.Diff([]string{"Decrypt", "Encrypt", "GenerateDataKey"}, a.Keys[0].Grants[0].Operations); diff != "" {
		t.Errorf("grant operations (-want +got):\n%s", diff)
	}
}

func TestCompareVersionIDs(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"v1", "v2", -1},
		{"v9", "v10", -1},
		{"v10", "v9", 1},
		{"v3", "v3", 0},
		{"v3", "draft", -1},
		{"draft", "v3", 1},
		{"a", "b", -1},
	}
	for _, tt := range tests {
		if got := compareVersionIDs(tt.a, tt.b); got != tt.want {
			t.Errorf("compareVersionIDs(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
