package collect

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"

	"github.com/keywarden/keywarden/internal/inventory"
)

// defaultEnabledRegions are the commercial regions every account has
// enabled, read when the account's region list cannot be.
//
// [Regions enabled by default]: https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html
var defaultEnabledRegions = []string{
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
	"ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3",
	"sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
}

// optInRegions are the commercial regions an account must enable (as of
// 2025). When the region list cannot be read they are listed in the
// snapshot as not read, since keys there are unknown, not absent. A newer
// region missing here is simply not listed, which the snapshot format
// reads the same way.
var optInRegions = []string{
	"af-south-1", "ap-east-1", "ap-east-2", "ap-south-2", "ap-southeast-3", "ap-southeast-4",
	"ap-southeast-5", "ap-southeast-7", "ca-west-1", "eu-central-2", "eu-south-1", "eu-south-2",
	"il-central-1", "me-central-1", "me-south-1", "mx-central-1",
}

// regions returns the regions whose keys to read for an account, the
// regions to list as not read (with their marks), and a note when the
// account's region list had to be guessed.
func (c *collector) regions(ctx context.Context, s *session, accountID string) ([]string, []*inventory.KMSRegion, string) {
	if len(c.opts.Regions) > 0 {
		return c.opts.Regions, nil, ""
	}
	var enabled []string
	p := account.NewListRegionsPaginator(s.account, &account.ListRegionsInput{
		RegionOptStatusContains: []accounttypes.RegionOptStatus{
			accounttypes.RegionOptStatusEnabled, accounttypes.RegionOptStatusEnabledByDefault,
		},
	})
	err := eachPage(ctx, p.HasMorePages,
		func(ctx context.Context) (*account.ListRegionsOutput, error) { return p.NextPage(ctx) },
		func(out *account.ListRegionsOutput) *string { return out.NextToken },
		func(out *account.ListRegionsOutput) {
			for _, r := range out.Regions {
				enabled = append(enabled, aws.ToString(r.RegionName))
			}
		})
	if err == nil && len(enabled) > 0 {
		slices.Sort(enabled)
		return slices.Compact(enabled), nil, ""
	}
	if err == nil {
		err = fmt.Errorf("the account lists no enabled region")
	}
	why := reason(err)
	mark := &inventory.Incomplete{
		Reason: "opt-in region not read: the account's enabled regions could not be listed (" + why + ")",
		Source: "account:ListRegions",
	}
	var skipped []*inventory.KMSRegion
	for _, r := range optInRegions {
		skipped = append(skipped, &inventory.KMSRegion{Name: r, KeysIncomplete: mark})
	}
	note := fmt.Sprintf("account %s: account:ListRegions failed (%s); read the %d regions enabled by default, not the opt-in regions (%s); give the regions to read to avoid this",
		accountID, why, len(defaultEnabledRegions), strings.Join(optInRegions, ", "))
	return defaultEnabledRegions, skipped, note
}

// partitions are the AWS SDK's partitions (aws-sdk-go-v2 v1.47.7,
// internal/endpoints/awsrulesfn/partitions.go): the regions each one
// lists, and the pattern of the names of its regions to come. The SDK
// keeps them internal, and resolves an endpoint for any name at all
// ("mars-1" gets https://kms.mars-1.amazonaws.com, which then fails every
// call after minutes of retries), so keywarden keeps this copy to check
// --region before it starts; TestPartitionsMatchSDK compares it with the
// SDK in the module cache. The "-global" pseudo-regions are left out:
// they are endpoints of global services, not regions with KMS keys.
var partitions = []struct {
	id      string
	pattern *regexp.Regexp
	regions []string
}{
	{"aws", regexp.MustCompile(`^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$`), []string{
		"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
		"ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
		"ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1",
		"eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1",
		"mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
	}},
	{"aws-cn", regexp.MustCompile(`^cn\-\w+\-\d+$`), []string{"cn-north-1", "cn-northwest-1"}},
	{"aws-eusc", regexp.MustCompile(`^eusc\-(de)\-\w+\-\d+$`), []string{"eusc-de-east-1"}},
	{"aws-iso", regexp.MustCompile(`^us\-iso\-\w+\-\d+$`), []string{"us-iso-east-1", "us-iso-west-1"}},
	{"aws-iso-b", regexp.MustCompile(`^us\-isob\-\w+\-\d+$`), []string{"us-isob-east-1", "us-isob-west-1"}},
	{"aws-iso-e", regexp.MustCompile(`^eu\-isoe\-\w+\-\d+$`), []string{"eu-isoe-west-1"}},
	{"aws-iso-f", regexp.MustCompile(`^us\-isof\-\w+\-\d+$`), []string{"us-isof-east-1", "us-isof-south-1"}},
	{"aws-us-gov", regexp.MustCompile(`^us\-gov\-\w+\-\d+$`), []string{"us-gov-east-1", "us-gov-west-1"}},
}

// CheckRegion reports whether name is a region of an AWS partition: one
// the SDK lists, or a name of the form of its partition's regions (a
// region newer than the SDK). The error says which regions there are.
func CheckRegion(name string) error {
	for _, p := range partitions {
		if slices.Contains(p.regions, name) || p.pattern.MatchString(name) {
			return nil
		}
	}
	return fmt.Errorf("%q is not an AWS region (such as us-east-1, eu-west-1, ap-northeast-1; regions of the aws partition: %s)",
		name, strings.Join(partitions[0].regions, ", "))
}
