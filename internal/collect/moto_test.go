package collect

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/keywarden/keywarden/internal/inventory"
)

const motoAccount = "123456789012"

// The documents seeded, as compact JSON so that the snapshot's documents
// (compacted by inventory.DecodeDocument) compare equal. The inline policy
// of role app holds a "+" and a "%" to prove that URL-decoded IAM documents
// keep them (url.PathUnescape, not QueryUnescape).
const (
	trustEC2        = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	trustAuditor    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":true}}}]}`
	kmsUseV1        = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:DescribeKey","Resource":"*"}]}`
	kmsUseV2        = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*"}]}`
	kmsUseV3        = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`
	boundaryDoc     = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:*","s3:*"],"Resource":"*"}]}`
	appInline       = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:GenerateDataKey","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:app":"a+b 100%"}}}]}`
	aliceInline     = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"kms:ScheduleKeyDeletion","Resource":"*"}]}`
	devsInline      = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:ListAliases","Resource":"*"}]}`
	bucketPolicyDoc = `{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecure","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::kw-data","arn:aws:s3:::kw-data/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	scpDoc          = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"kms:ScheduleKeyDeletion","Resource":"*"}]}`
	rcpDoc          = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-example"}}}]}`
)

func keyPolicyNamingRole(account string) string {
	return `{"Version":"2012-10-17","Id":"app","Statement":[{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"},{"Sid":"App","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:role/app"},"Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*"}]}`
}

func keyPolicyShared(account string) string {
	return `{"Version":"2012-10-17","Id":"shared","Statement":[{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"},{"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":["kms:Decrypt","kms:DescribeKey","kms:CreateGrant"],"Resource":"*"}]}`
}

// seeded is what seed created, for the expectations.
type seeded struct {
	defaultKey, appKey, sharedKey, doomedKey *kmstypes.KeyMetadata
	appGrant, aliceGrant                     string
	orgID, rootID, ouID, scpID, rcpID        string
}

// seed creates a small account in moto through the SDK: IAM users, groups
// and roles with inline, managed (three versions, default the second) and
// boundary policies; four keys (the default policy, one naming a role, one
// shared with 444455556666, one pending deletion) with grants, aliases,
// rotation and tags; two buckets; and an organization with an SCP on an
// OU and an RCP on the root.
func seed(t *testing.T, cfg aws.Config, account string, withOrg bool) *seeded {
	t.Helper()
	ctx := context.Background()
	s := &seeded{}

	im := iam.NewFromConfig(cfg)
	pol := func(name, doc string) string {
		out := must[*iam.CreatePolicyOutput](t, "create policy "+name)(im.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(doc)}))
		return aws.ToString(out.Policy.Arn)
	}
	kmsUse := pol("kms-use", kmsUseV1)
	must[*iam.CreatePolicyVersionOutput](t, "v2")(im.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(kmsUse), PolicyDocument: aws.String(kmsUseV2), SetAsDefault: true}))
	must[*iam.CreatePolicyVersionOutput](t, "v3")(im.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(kmsUse), PolicyDocument: aws.String(kmsUseV3)}))
	bound := pol("boundary", boundaryDoc)

	must[*iam.CreateGroupOutput](t, "group")(im.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")}))
	must[*iam.PutGroupPolicyOutput](t, "group policy")(im.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("devs-inline"), PolicyDocument: aws.String(devsInline)}))
	must[*iam.AttachGroupPolicyOutput](t, "attach group")(im.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String(kmsUse)}))

	must[*iam.CreateUserOutput](t, "user")(im.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))
	must[*iam.PutUserPolicyOutput](t, "user policy")(im.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("alice-inline"), PolicyDocument: aws.String(aliceInline)}))
	must[*iam.AttachUserPolicyOutput](t, "attach user")(im.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(kmsUse)}))
	must[*iam.AddUserToGroupOutput](t, "add to group")(im.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: aws.String("alice"), GroupName: aws.String("devs")}))

	must[*iam.CreateRoleOutput](t, "role app")(im.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(trustEC2), PermissionsBoundary: aws.String(bound)}))
	must[*iam.PutRolePolicyOutput](t, "role policy")(im.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("app-inline"), PolicyDocument: aws.String(appInline)}))
	must[*iam.AttachRolePolicyOutput](t, "attach role")(im.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(kmsUse)}))
	must[*iam.CreateRoleOutput](t, "role auditor")(im.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("auditor"), Path: aws.String("/audit/"), AssumeRolePolicyDocument: aws.String(trustAuditor)}))

	km := kms.NewFromConfig(cfg)
	key := func(desc, policy string) *kmstypes.KeyMetadata {
		// moto leaves KeyUsage out of DescribeKey unless it was given;
		// AWS defaults it to ENCRYPT_DECRYPT.
		in := &kms.CreateKeyInput{Description: aws.String(desc), KeyUsage: kmstypes.KeyUsageTypeEncryptDecrypt}
		if policy != "" {
			in.Policy = aws.String(policy)
		}
		return must[*kms.CreateKeyOutput](t, "key "+desc)(km.CreateKey(ctx, in)).KeyMetadata
	}
	s.defaultKey = key("default policy", "")
	s.appKey = key("app data", keyPolicyNamingRole(account))
	s.sharedKey = key("shared", keyPolicyShared(account))
	s.doomedKey = key("doomed", "")
	must[*kms.CreateAliasOutput](t, "alias")(km.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/app-data"), TargetKeyId: s.appKey.KeyId}))
	must[*kms.CreateAliasOutput](t, "alias")(km.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/app-data-2"), TargetKeyId: s.appKey.KeyId}))
	must[*kms.CreateAliasOutput](t, "alias")(km.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/shared"), TargetKeyId: s.sharedKey.KeyId}))
	must[*kms.EnableKeyRotationOutput](t, "rotation")(km.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: s.appKey.KeyId}))
	must[*kms.TagResourceOutput](t, "tags")(km.TagResource(ctx, &kms.TagResourceInput{KeyId: s.appKey.KeyId, Tags: []kmstypes.Tag{
		{TagKey: aws.String("team"), TagValue: aws.String("payments")}, {TagKey: aws.String("env"), TagValue: aws.String("prod")},
	}}))
	s.appGrant = aws.ToString(must[*kms.CreateGrantOutput](t, "grant")(km.CreateGrant(ctx, &kms.CreateGrantInput{
		KeyId:            s.appKey.KeyId,
		GranteePrincipal: aws.String("arn:aws:iam::" + account + ":role/app"),
		Operations:       []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt, kmstypes.GrantOperationGenerateDataKey},
		Constraints:      &kmstypes.GrantConstraints{EncryptionContextSubset: map[string]string{"app": "payments"}},
	})).GrantId)
	s.aliceGrant = aws.ToString(must[*kms.CreateGrantOutput](t, "grant")(km.CreateGrant(ctx, &kms.CreateGrantInput{
		KeyId:             s.sharedKey.KeyId,
		GranteePrincipal:  aws.String("arn:aws:iam::" + account + ":user/alice"),
		RetiringPrincipal: aws.String("arn:aws:iam::" + account + ":role/auditor"),
		Operations:        []kmstypes.GrantOperation{kmstypes.GrantOperationEncrypt},
	})).GrantId)
	must[*kms.ScheduleKeyDeletionOutput](t, "delete")(km.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: s.doomedKey.KeyId, PendingWindowInDays: aws.Int32(7)}))

	sc := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	must[*s3.CreateBucketOutput](t, "bucket")(sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("kw-data")}))
	must[*s3.PutBucketEncryptionOutput](t, "encryption")(sc.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{
		Bucket: aws.String("kw-data"),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: s.appKey.Arn},
			BucketKeyEnabled:                   aws.Bool(true),
		}}},
	}))
	must[*s3.PutBucketPolicyOutput](t, "bucket policy")(sc.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("kw-data"), Policy: aws.String(bucketPolicyDoc)}))
	must[*s3.CreateBucketOutput](t, "bucket")(sc.CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket:                    aws.String("kw-logs-eu"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1},
	}))

	if !withOrg {
		return s
	}
	og := organizations.NewFromConfig(cfg)
	org := must[*organizations.CreateOrganizationOutput](t, "org")(og.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}))
	s.orgID = aws.ToString(org.Organization.Id)
	s.rootID = aws.ToString(must[*organizations.ListRootsOutput](t, "roots")(og.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id)
	for _, pt := range []orgtypes.PolicyType{orgtypes.PolicyTypeServiceControlPolicy, orgtypes.PolicyTypeResourceControlPolicy} {
		must[*organizations.EnablePolicyTypeOutput](t, "enable")(og.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(s.rootID), PolicyType: pt}))
	}
	s.ouID = aws.ToString(must[*organizations.CreateOrganizationalUnitOutput](t, "ou")(og.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(s.rootID), Name: aws.String("Workloads")})).OrganizationalUnit.Id)
	must[*organizations.MoveAccountOutput](t, "move")(og.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(account), SourceParentId: aws.String(s.rootID), DestinationParentId: aws.String(s.ouID)}))
	s.scpID = aws.ToString(must[*organizations.CreatePolicyOutput](t, "scp")(og.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("deny-deletion"), Type: orgtypes.PolicyTypeServiceControlPolicy, Description: aws.String("x"), Content: aws.String(scpDoc)})).Policy.PolicySummary.Id)
	must[*organizations.AttachPolicyOutput](t, "attach scp")(og.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(s.scpID), TargetId: aws.String(s.ouID)}))
	s.rcpID = aws.ToString(must[*organizations.CreatePolicyOutput](t, "rcp")(og.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("org-only"), Type: orgtypes.PolicyTypeResourceControlPolicy, Description: aws.String("x"), Content: aws.String(rcpDoc)})).Policy.PolicySummary.Id)
	must[*organizations.AttachPolicyOutput](t, "attach rcp")(og.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(s.rcpID), TargetId: aws.String(s.rootID)}))
	return s
}

func doc(t *testing.T, text string) *inventory.Document { return docAt(t, text, "", "") }

// docAt makes a document as the collector does, read at file and path.
func docAt(t *testing.T, text, file, path string) *inventory.Document {
	t.Helper()
	d, err := inventory.DecodeDocument([]byte(text), inventory.Location{File: file, Path: path})
	if err != nil {
		t.Fatalf("test document %s: %v", text, err)
	}
	return d
}

// sameJSON compares documents by their JSON alone, leaving out where they
// were read (checked apart, in the "sources" subtests).
var sameJSON = cmp.Comparer(func(a, b *inventory.Document) bool {
	if a == nil || b == nil {
		return a == b
	}
	var x, y bytes.Buffer
	return json.Compact(&x, a.JSON) == nil && json.Compact(&y, b.JSON) == nil && bytes.Equal(x.Bytes(), y.Bytes())
})

// ignoreDates leaves out of comparisons the dates moto makes up.
var ignoreDates = cmp.Options{
	sameJSON,
	cmpopts.IgnoreFields(inventory.User{}, "CreateDate", "ID"),
	cmpopts.IgnoreFields(inventory.Group{}, "CreateDate", "ID"),
	cmpopts.IgnoreFields(inventory.Role{}, "CreateDate", "ID"),
	cmpopts.IgnoreFields(inventory.ManagedPolicy{}, "CreateDate", "UpdateDate", "ID"),
	cmpopts.IgnoreFields(inventory.PolicyVersion{}, "CreateDate"),
	cmpopts.IgnoreFields(inventory.KeyMetadata{}, "CreationDate", "DeletionDate"),
	cmpopts.IgnoreFields(inventory.Rotation{}, "NextRotationDate"),
	cmpopts.EquateEmpty(),
}

func TestCollectMoto(t *testing.T) {
	url := motoURL(t)
	s := seed(t, sdkConfig(t, url), motoAccount, true)

	rec := newOperationRecorder()
	start := time.Now()
	snap, sum, err := Collect(context.Background(), Options{
		EndpointURL: url,
		Regions:     []string{"us-east-1", "eu-west-1"},
		ToolVersion: "test",
		apiOptions:  rec.options(),
	})
	wall := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	rec.check(t)
	t.Logf("collected the seeded moto account in %v with %d calls (%d HTTP attempts)", wall.Round(time.Millisecond), sum.TotalCalls(), sum.TotalAttempts())

	if len(snap.Accounts) != 1 {
		t.Fatalf("got %d accounts, want 1", len(snap.Accounts))
	}
	a := snap.Accounts[0]
	if a.ID != motoAccount {
		t.Errorf("account ID = %s, want %s", a.ID, motoAccount)
	}
	if got := snap.Metadata.Source; got != inventory.SourceCollector {
		t.Errorf("source = %q, want %q", got, inventory.SourceCollector)
	}
	if len(sum.NotRead) != 0 {
		t.Errorf("not read: %v", sum.NotRead)
	}

	iamARN := func(kind, name string) string { return "arn:aws:iam::" + motoAccount + ":" + kind + "/" + name }
	kmsUse, bound := iamARN("policy", "kms-use"), iamARN("policy", "boundary")

	t.Run("iam", func(t *testing.T) {
		wantUsers := []*inventory.User{{
			ARN: iamARN("user", "alice"), Name: "alice", Path: "/",
			InlinePolicies:   []inventory.InlinePolicy{{Name: "alice-inline", Document: doc(t, aliceInline)}},
			AttachedPolicies: []string{kmsUse},
			Groups:           []string{"devs"},
		}}
		wantGroups := []*inventory.Group{{
			ARN: iamARN("group", "devs"), Name: "devs", Path: "/",
			InlinePolicies:   []inventory.InlinePolicy{{Name: "devs-inline", Document: doc(t, devsInline)}},
			AttachedPolicies: []string{kmsUse},
		}}
		wantRoles := []*inventory.Role{{
			ARN: iamARN("role", "app"), Name: "app", Path: "/",
			TrustPolicy:         doc(t, trustEC2),
			InlinePolicies:      []inventory.InlinePolicy{{Name: "app-inline", Document: doc(t, appInline)}},
			AttachedPolicies:    []string{kmsUse},
			PermissionsBoundary: bound,
		}, {
			ARN: iamARN("role/audit", "auditor"), Name: "auditor", Path: "/audit/",
			TrustPolicy: doc(t, trustAuditor),
		}}
		wantPolicies := []*inventory.ManagedPolicy{{
			ARN: bound, Name: "boundary", Path: "/", DefaultVersionID: "v1",
			Document: doc(t, boundaryDoc),
			Versions: []inventory.PolicyVersion{{ID: "v1", Default: true, Document: doc(t, boundaryDoc)}},
			// moto does not count boundary use (AWS would say 1, for role app).
			PermissionsBoundaryUsageCount: 0,
		}, {
			ARN: kmsUse, Name: "kms-use", Path: "/", DefaultVersionID: "v2",
			Document: doc(t, kmsUseV2),
			Versions: []inventory.PolicyVersion{
				{ID: "v1", Document: doc(t, kmsUseV1)},
				{ID: "v2", Default: true, Document: doc(t, kmsUseV2)},
				{ID: "v3", Document: doc(t, kmsUseV3)},
			},
			AttachmentCount: 3,
		}}
		for _, c := range []struct {
			name      string
			want, got any
		}{
			{"users", wantUsers, a.Users},
			{"groups", wantGroups, a.Groups},
			{"roles", wantRoles, a.Roles},
			{"policies", wantPolicies, a.Policies},
		} {
			if diff := cmp.Diff(c.want, c.got, ignoreDates); diff != "" {
				t.Errorf("%s (-want +got):\n%s", c.name, diff)
			}
		}
	})

	t.Run("kms", func(t *testing.T) {
		key := func(m *kmstypes.KeyMetadata) *inventory.Key {
			return &inventory.Key{
				ARN: aws.ToString(m.Arn), ID: aws.ToString(m.KeyId), Region: "us-east-1", Account: motoAccount,
				Metadata: &inventory.KeyMetadata{
					State: "Enabled", Enabled: true, KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT",
					Origin: "AWS_KMS", Manager: "CUSTOMER", Description: aws.ToString(m.Description),
				},
				Rotation: &inventory.Rotation{},
			}
		}
		def := key(s.defaultKey)
		def.Policy = doc(t, `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"}]}`)
		app := key(s.appKey)
		app.Policy = doc(t, keyPolicyNamingRole(motoAccount))
		app.Aliases = []string{"alias/app-data", "alias/app-data-2"}
		app.Rotation = &inventory.Rotation{Enabled: true}
		app.Tags = []inventory.Tag{{Key: "env", Value: "prod"}, {Key: "team", Value: "payments"}}
		app.Grants = []inventory.Grant{{
			ID: s.appGrant, GranteePrincipal: "arn:aws:iam::123456789012:role/app",
			Operations:              []string{"Decrypt", "GenerateDataKey"},
			EncryptionContextSubset: map[string]string{"app": "payments"},
		}}
		shared := key(s.sharedKey)
		shared.Policy = doc(t, keyPolicyShared(motoAccount))
		shared.Aliases = []string{"alias/shared"}
		shared.Grants = []inventory.Grant{{
			ID: s.aliceGrant, GranteePrincipal: "arn:aws:iam::123456789012:user/alice",
			RetiringPrincipal: "arn:aws:iam::123456789012:role/auditor",
			Operations:        []string{"Encrypt"},
		}}
		doomed := key(s.doomedKey)
		doomed.Metadata.State, doomed.Metadata.Enabled = "PendingDeletion", false
		doomed.Policy = def.Policy
		want := []*inventory.Key{def, app, shared, doomed}
		slices.SortFunc(want, func(x, y *inventory.Key) int { return strings.Compare(x.ARN, y.ARN) })
		if diff := cmp.Diff(want, a.Keys, ignoreDates); diff != "" {
			t.Errorf("keys (-want +got):\n%s", diff)
		}
		for _, k := range a.Keys {
			if pending := k.ARN == aws.ToString(s.doomedKey.Arn); k.Metadata != nil && pending == k.Metadata.DeletionDate.IsZero() {
				t.Errorf("key %s: deletion date %v, want one only for the key pending deletion", k.ARN, k.Metadata.DeletionDate)
			}
		}
		wantRegions := []*inventory.KMSRegion{{Name: "eu-west-1"}, {Name: "us-east-1"}}
		if diff := cmp.Diff(wantRegions, a.KMSRegions); diff != "" {
			t.Errorf("regions (-want +got):\n%s", diff)
		}
	})

	t.Run("s3", func(t *testing.T) {
		want := []*inventory.Bucket{{
			Name: "kw-data", Region: "us-east-1",
			Policy:     doc(t, bucketPolicyDoc),
			Encryption: &inventory.BucketEncryption{Algorithm: "aws:kms", KMSKeyID: aws.ToString(s.appKey.Arn), BucketKeyEnabled: true},
		}, {
			Name: "kw-logs-eu", Region: "eu-west-1",
		}}
		if diff := cmp.Diff(want, a.Buckets, sameJSON); diff != "" {
			t.Errorf("buckets (-want +got):\n%s", diff)
		}
	})

	t.Run("sources", func(t *testing.T) {
		var got []inventory.Location
		for _, r := range a.Roles {
			if r.Name == "app" {
				got = append(got, r.TrustPolicy.Source, r.InlinePolicies[0].Document.Source)
			}
		}
		for _, p := range a.Policies {
			if p.Name == "kms-use" {
				got = append(got, p.Document.Source)
			}
		}
		for _, k := range a.Keys {
			if k.ARN == aws.ToString(s.appKey.Arn) {
				got = append(got, k.Policy.Source)
			}
		}
		got = append(got, a.Buckets[0].Policy.Source, a.Organization.SCPs[0].Policies[0].Document.Source)
		gaad := "iam:GetAccountAuthorizationDetails "
		want := []inventory.Location{
			{File: gaad + iamARN("role", "app"), Path: "AssumeRolePolicyDocument"},
			{File: gaad + iamARN("role", "app"), Path: "RolePolicyList[0].PolicyDocument"},
			{File: gaad + kmsUse, Path: "PolicyVersionList[1].Document"},
			{File: "kms:GetKeyPolicy " + aws.ToString(s.appKey.Arn), Path: "Policy"},
			{File: "s3:GetBucketPolicy kw-data", Path: "Policy"},
			{File: "organizations:DescribePolicy p-FullAWSAccess", Path: "Policy.Content"},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("where documents were read (-want +got):\n%s", diff)
		}
	})

	t.Run("organizations", func(t *testing.T) {
		fullSCP := inventory.OrgPolicy{ID: "p-FullAWSAccess", Name: "FullAWSAccess", AWSManaged: true,
			ARN:      "arn:aws:organizations::123456789012:policy/" + s.orgID + "/service_control_policy/p-FullAWSAccess",
			Document: doc(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}
		fullRCP := inventory.OrgPolicy{ID: "p-RCPFullAWSAccess", Name: "RCPFullAWSAccess", AWSManaged: true,
			ARN: "arn:aws:organizations::123456789012:policy/" + s.orgID + "/resource_control_policy/p-RCPFullAWSAccess"}
		scp := inventory.OrgPolicy{ID: s.scpID, Name: "deny-deletion", Document: doc(t, scpDoc),
			ARN: "arn:aws:organizations::123456789012:policy/" + s.orgID + "/service_control_policy/" + s.scpID}
		rcp := inventory.OrgPolicy{ID: s.rcpID, Name: "org-only", Document: doc(t, rcpDoc),
			ARN: "arn:aws:organizations::123456789012:policy/" + s.orgID + "/resource_control_policy/" + s.rcpID}
		want := &inventory.Organization{
			ID: s.orgID, ManagementAccountID: motoAccount,
			OUPath: s.orgID + "/" + s.rootID + "/" + s.ouID + "/",
			SCPs: []inventory.OrgLevel{
				{TargetID: s.rootID, TargetName: "Root", Policies: []inventory.OrgPolicy{fullSCP}},
				{TargetID: s.ouID, TargetName: "Workloads", Policies: []inventory.OrgPolicy{fullSCP, scp}},
				{TargetID: motoAccount, Policies: []inventory.OrgPolicy{fullSCP}},
			},
			RCPs: []inventory.OrgLevel{
				{TargetID: s.rootID, TargetName: "Root", Policies: []inventory.OrgPolicy{fullRCP, rcp}},
				{TargetID: s.ouID, TargetName: "Workloads", Policies: []inventory.OrgPolicy{fullRCP}},
				{TargetID: motoAccount, Policies: []inventory.OrgPolicy{fullRCP}},
			},
		}
		// moto's RCPFullAWSAccess document is whatever it ships: check that
		// it was read, then leave it out of the comparison.
		got := a.Organization
		if got != nil {
			for i := range got.RCPs {
				for j := range got.RCPs[i].Policies {
					if p := &got.RCPs[i].Policies[j]; p.ID == "p-RCPFullAWSAccess" {
						if p.Document == nil {
							t.Errorf("RCPFullAWSAccess at %s: no document", got.RCPs[i].TargetID)
						}
						p.Document = nil
					}
				}
			}
		}
		for _, chain := range [][]inventory.OrgLevel{want.SCPs, want.RCPs} {
			for _, l := range chain {
				slices.SortFunc(l.Policies, func(x, y inventory.OrgPolicy) int { return strings.Compare(x.ID, y.ID) })
			}
		}
		if diff := cmp.Diff(want, got, sameJSON, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("organization (-want +got):\n%s", diff)
		}
		if a.OrganizationIncomplete != nil {
			t.Errorf("organization marked incomplete: %+v", a.OrganizationIncomplete)
		}
	})
}

// TestCollectMotoAccounts reads two accounts through the same role name,
// as for an organization: moto gives AssumeRole's credentials the role's
// account, so each account's keys are its own.
func TestCollectMotoAccounts(t *testing.T) {
	url := motoURL(t)
	const other = "210987654321"
	base := sdkConfig(t, url)
	creds := must[*sts.AssumeRoleOutput](t, "assume")(sts.NewFromConfig(base).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + other + ":role/seed"), RoleSessionName: aws.String("seed"),
	})).Credentials
	otherCfg := base.Copy()
	otherCfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(creds.AccessKeyId), aws.ToString(creds.SecretAccessKey), aws.ToString(creds.SessionToken))
	mine := must[*kms.CreateKeyOutput](t, "key")(kms.NewFromConfig(base).CreateKey(context.Background(), &kms.CreateKeyInput{})).KeyMetadata
	theirs := must[*kms.CreateKeyOutput](t, "key")(kms.NewFromConfig(otherCfg).CreateKey(context.Background(), &kms.CreateKeyInput{})).KeyMetadata

	snap, sum, err := Collect(context.Background(), Options{
		EndpointURL: url,
		Regions:     []string{"us-east-1"},
		RoleARN:     "arn:aws:iam::" + motoAccount + ":role/keywarden-audit",
		AccountIDs:  []string{other, motoAccount},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, a := range snap.Accounts {
		for _, k := range a.Keys {
			got[a.ID] = append(got[a.ID], k.ARN)
		}
	}
	want := map[string][]string{motoAccount: {aws.ToString(mine.Arn)}, other: {aws.ToString(theirs.Arn)}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("keys per account (-want +got):\n%s", diff)
	}
	if n := callsOf(sum, "sts", "AssumeRole").Calls; n != 2 {
		t.Errorf("AssumeRole called %d times, want 2", n)
	}
	if len(sum.NotRead) != 0 {
		t.Errorf("not read: %v", sum.NotRead)
	}
}

// TestCollectMotoDenied turns on moto's enforcement of identity policies
// and collects as a user denied kms:GetKeyPolicy: moto refuses with HTTP
// 403 and an XML body the SDK cannot decode, and the key policies, only,
// are marked with moto's message. (moto matches KMS actions but not key
// ARNs, so the Deny is on every key; TestAccessDeniedOneKey denies one.)
func TestCollectMotoDenied(t *testing.T) {
	url := motoURL(t)
	cfg := sdkConfig(t, url)
	s := seed(t, cfg, motoAccount, false)
	ctx := context.Background()
	im := iam.NewFromConfig(cfg)
	must[*iam.CreateUserOutput](t, "user")(im.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("auditor")}))
	must[*iam.PutUserPolicyOutput](t, "policy")(im.PutUserPolicy(ctx, &iam.PutUserPolicyInput{
		UserName: aws.String("auditor"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},` +
			`{"Effect":"Deny","Action":"kms:GetKeyPolicy","Resource":"*"}]}`),
	}))
	key := must[*iam.CreateAccessKeyOutput](t, "access key")(im.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("auditor")})).AccessKey
	t.Setenv("AWS_ACCESS_KEY_ID", aws.ToString(key.AccessKeyId))
	t.Setenv("AWS_SECRET_ACCESS_KEY", aws.ToString(key.SecretAccessKey))

	motoAuth(t, url, "0")
	t.Cleanup(func() { motoAuth(t, url, "inf") })

	_, sum, err := Collect(ctx, Options{EndpointURL: url, Regions: []string{"us-east-1"}})
	if err != nil {
		t.Fatal(err)
	}
	var items []string
	for _, g := range sum.NotRead {
		items = append(items, g.Item)
		if g.Source != "kms:GetKeyPolicy" || !strings.HasPrefix(g.Reason, "HTTP 403: AccessDenied: User: arn:aws:iam::123456789012:user/auditor is not authorized") || !strings.Contains(g.Reason, "kms:GetKeyPolicy") {
			t.Errorf("gap = %+v, want the 403 of kms:GetKeyPolicy with moto's message", g)
		}
	}
	var want []string
	for _, k := range []*kmstypes.KeyMetadata{s.defaultKey, s.appKey, s.sharedKey, s.doomedKey} {
		want = append(want, "key policy of "+aws.ToString(k.Arn))
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, items); diff != "" {
		t.Errorf("not read (-want +got):\n%s", diff)
	}
}

// motoAuth sets how many requests moto serves before it enforces identity
// policies ("0": from now on; "inf": never).
func motoAuth(t *testing.T, url, count string) {
	t.Helper()
	resp, err := http.Post(url+"/moto-api/reset-auth", "text/plain", strings.NewReader(count))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("moto reset-auth %s: %s", count, resp.Status)
	}
}
