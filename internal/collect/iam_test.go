package collect

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"

	"github.com/keywarden/keywarden/internal/inventory"
)

// TestIAMDocuments covers how GetAccountAuthorizationDetails entries become
// inventory entities when their documents are odd: plain or URL-encoded
// JSON (with a literal "+", which QueryUnescape would turn into a space),
// a document that is not JSON, a policy without a name (as moto sends),
// and a default version missing from the listing.
func TestIAMDocuments(t *testing.T) {
	const plain = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:k":"a+b"}}}]}`
	encoded := "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22kms%3ADecrypt%22%2C%22Resource%22%3A%22%2A%22%2C%22Condition%22%3A%7B%22StringEquals%22%3A%7B%22kms%3AEncryptionContext%3Ak%22%3A%22a+b%22%7D%7D%7D%5D%7D"
	policyARN := "arn:aws:iam::111122223333:policy/team/kms-use"
	const gaad = "iam:GetAccountAuthorizationDetails "
	roleARN := "arn:aws:iam::111122223333:role/aws-service-role/x"
	tests := []struct {
		name string
		got  any
		want any
	}{{
		name: "role with encoded and plain documents",
		got: role(iamtypes.RoleDetail{
			Arn: aws.String("arn:aws:iam::111122223333:role/aws-service-role/x"), RoleName: aws.String("x"), Path: aws.String("/aws-service-role/"),
			AssumeRolePolicyDocument: aws.String(plain),
			RolePolicyList:           []iamtypes.PolicyDetail{{PolicyName: aws.String("p"), PolicyDocument: aws.String(encoded)}},
		}),
		want: &inventory.Role{
			ARN: "arn:aws:iam::111122223333:role/aws-service-role/x", Name: "x", Path: "/aws-service-role/", ServiceLinked: true,
			TrustPolicy:    docAt(t, plain, gaad+roleARN, "AssumeRolePolicyDocument"),
			InlinePolicies: []inventory.InlinePolicy{{Name: "p", Document: docAt(t, plain, gaad+roleARN, "RolePolicyList[0].PolicyDocument")}},
		},
	}, {
		name: "user with a document that is not JSON",
		got: user(iamtypes.UserDetail{
			Arn: aws.String("arn:aws:iam::111122223333:user/u"), UserName: aws.String("u"),
			UserPolicyList: []iamtypes.PolicyDetail{{PolicyName: aws.String("bad"), PolicyDocument: aws.String("%ZZ")}},
		}),
		want: &inventory.User{
			ARN: "arn:aws:iam::111122223333:user/u", Name: "u",
			InlinePolicies: []inventory.InlinePolicy{{Name: "bad"}},
			Incomplete: &inventory.Incomplete{
				Reason: `inline policy "bad": policy document is neither JSON nor URL-encoded JSON: invalid URL escape "%ZZ"`,
				Source: "iam:GetAccountAuthorizationDetails",
			},
		},
	}, {
		name: "managed policy without a name, default not first",
		got: managedPolicy(iamtypes.ManagedPolicyDetail{
			Arn: aws.String(policyARN), DefaultVersionId: aws.String("v2"), AttachmentCount: aws.Int32(2),
			PolicyVersionList: []iamtypes.PolicyVersion{
				{VersionId: aws.String("v1"), Document: aws.String(`{"Statement":[]}`)},
				{VersionId: aws.String("v2"), IsDefaultVersion: true, Document: aws.String(encoded)},
			},
		}),
		want: &inventory.ManagedPolicy{
			ARN: policyARN, Name: "kms-use", DefaultVersionID: "v2", AttachmentCount: 2,
			Document: docAt(t, plain, gaad+policyARN, "PolicyVersionList[1].Document"),
			Versions: []inventory.PolicyVersion{
				{ID: "v1", Document: docAt(t, `{"Statement":[]}`, gaad+policyARN, "PolicyVersionList[0].Document")},
				{ID: "v2", Default: true, Document: docAt(t, plain, gaad+policyARN, "PolicyVersionList[1].Document")},
			},
		},
	}, {
		name: "AWS managed policy whose default version is not listed",
		got: managedPolicy(iamtypes.ManagedPolicyDetail{
			Arn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess"), PolicyName: aws.String("ReadOnlyAccess"), DefaultVersionId: aws.String("v9"),
		}),
		want: &inventory.ManagedPolicy{
			ARN: "arn:aws:iam::aws:policy/ReadOnlyAccess", Name: "ReadOnlyAccess", AWSManaged: true, DefaultVersionID: "v9",
			Incomplete: &inventory.Incomplete{Reason: "the default version v9 is not in the listing", Source: "iam:GetAccountAuthorizationDetails"},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
