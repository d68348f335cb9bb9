package collect

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keywarden/keywarden/internal/inventory"
)

// collectFake collects from a fake with fast retries, checking that every
// operation called is in the shipped IAM policy.
func collectFake(t *testing.T, f *fakeAWS, opts Options) (*inventory.Snapshot, *Summary) {
	t.Helper()
	opts.EndpointURL = f.URL
	opts.maxBackoff = time.Millisecond
	if opts.Regions == nil {
		opts.Regions = []string{"us-east-1"}
	}
	rec := newOperationRecorder()
	opts.apiOptions = rec.options()
	snap, sum, err := Collect(context.Background(), opts)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	rec.check(t)
	return snap, sum
}

func callsOf(sum *Summary, service, op string) CallCount {
	for _, c := range sum.Calls {
		if c.Service == service && c.Operation == op {
			return c
		}
	}
	return CallCount{Service: service, Operation: op}
}

func fakeKeyARN(id string) string { return "arn:aws:kms:us-east-1:" + fakeAccount + ":key/" + id }

// TestThrottling covers throttles the SDK's retries absorb and one that
// outlasts them: the first leaves a complete snapshot and counts the
// retries; the second marks only the key whose policy it kept from being
// read.
func TestThrottling(t *testing.T) {
	tests := []struct {
		name      string
		throttles int // GetKeyPolicy of k2 answers ThrottlingException this many times
		// standard uses the standard retry mode: the adaptive one, after a
		// throttle, slows the client to half a call a second, which would
		// make the second case take 17 s.
		standard  bool
		wantGaps  []*inventory.Gap
		wantCalls CallCount
	}{{
		name:      "absorbed by retries",
		throttles: 2,
		wantCalls: CallCount{Service: "kms", Operation: "GetKeyPolicy", Calls: 2, Attempts: 2 + 2},
	}, {
		name:      "outlasting the retries",
		throttles: 1 << 30,
		standard:  true,
		wantGaps: []*inventory.Gap{{
			Item:       "key policy of " + fakeKeyARN("k2"),
			Incomplete: inventory.Incomplete{Reason: "ThrottlingException: Rate exceeded (gave up after 8 attempts)", Source: "kms:GetKeyPolicy"},
		}},
		wantCalls: CallCount{Service: "kms", Operation: "GetKeyPolicy", Calls: 2, Attempts: 1 + maxAttempts, Failed: 1},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAWS(t)
			f.fakeKeys(fakeAccount, "k1", "k2")
			policy := fakeDefaultsKeyPolicy()
			thrown := 0
			f.on("kms:GetKeyPolicy", func(r fakeRequest) fakeResponse {
				if r.str("KeyId") == fakeKeyARN("k2") && thrown < tt.throttles {
					thrown++
					return jsonError(400, "ThrottlingException", "Rate exceeded")
				}
				return policy(r)
			})
			// IAM throttles with the Query protocol's code, once.
			f.on("iam:GetAccountAuthorizationDetails", func(r fakeRequest) fakeResponse {
				if r.N == 1 {
					return queryError(400, "Throttling", "Rate exceeded")
				}
				return gaadPage(gaadRole(fakeAccount, "app"), "")
			})

			snap, sum := collectFake(t, f, Options{standard: tt.standard})
			if diff := cmp.Diff(tt.wantGaps, sum.NotRead); diff != "" {
				t.Errorf("not read (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantCalls, callsOf(sum, "kms", "GetKeyPolicy")); diff != "" {
				t.Errorf("GetKeyPolicy calls (-want +got):\n%s", diff)
			}
			wantGAAD := CallCount{Service: "iam", Operation: "GetAccountAuthorizationDetails", Calls: 1, Attempts: 2}
			if diff := cmp.Diff(wantGAAD, callsOf(sum, "iam", "GetAccountAuthorizationDetails")); diff != "" {
				t.Errorf("GetAccountAuthorizationDetails calls (-want +got):\n%s", diff)
			}
			if a := snap.Accounts[0]; len(a.Roles) != 1 || a.IAMIncomplete != nil {
				t.Errorf("IAM after a throttle: %d roles, mark %v; want 1 role, no mark", len(a.Roles), a.IAMIncomplete)
			}
			k1 := snap.Accounts[0].Keys[0]
			if k1.Policy == nil || k1.PolicyIncomplete != nil {
				t.Errorf("k1: policy %v, mark %v; want read", k1.Policy, k1.PolicyIncomplete)
			}
		})
	}
}

func fakeDefaultsKeyPolicy() fakeHandler {
	f := &fakeAWS{handlers: map[string]fakeHandler{}}
	f.fakeKeys(fakeAccount)
	return f.handlers["kms:GetKeyPolicy"]
}

// TestAccessDeniedOneKey refuses one key's policy, as KMS does (a JSON
// AccessDeniedException) and as moto does (HTTP 403 with an XML body the
// SDK cannot decode): that policy is marked with the error, the other keys
// are read in full, and the refusal is not retried.
func TestAccessDeniedOneKey(t *testing.T) {
	const denial = "User: arn:aws:iam::111122223333:user/audit is not authorized to perform: kms:GetKeyPolicy"
	tests := []struct {
		name       string
		answer     fakeResponse
		wantReason string
	}{
		{"kms", jsonError(400, "AccessDeniedException", denial+" on resource: "+fakeKeyARN("k2")),
			"AccessDeniedException: " + denial + " on resource: " + fakeKeyARN("k2")},
		{"moto", motoStyleDenied("kms:GetKeyPolicy"), "HTTP 403: AccessDeniedException: " + denial},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAWS(t)
			f.fakeKeys(fakeAccount, "k1", "k2", "k3")
			policy := fakeDefaultsKeyPolicy()
			f.on("kms:GetKeyPolicy", func(r fakeRequest) fakeResponse {
				if r.str("KeyId") == fakeKeyARN("k2") {
					return tt.answer
				}
				return policy(r)
			})
			snap, sum := collectFake(t, f, Options{})

			want := []*inventory.Gap{{
				Item:       "key policy of " + fakeKeyARN("k2"),
				Incomplete: inventory.Incomplete{Reason: tt.wantReason, Source: "kms:GetKeyPolicy"},
			}}
			if diff := cmp.Diff(want, sum.NotRead); diff != "" {
				t.Errorf("not read (-want +got):\n%s", diff)
			}
			for _, k := range snap.Accounts[0].Keys {
				if k.ID == "k2" {
					if k.Policy != nil {
						t.Errorf("k2: policy %s despite the refusal", k.Policy.JSON)
					}
					if _, err := k.ParsePolicy(); err == nil || !strings.Contains(err.Error(), tt.wantReason) {
						t.Errorf("k2.ParsePolicy() error = %v, want the refusal", err)
					}
					continue
				}
				if k.Policy == nil || string(k.Policy.JSON) != fakeKeyPolicy(k.ARN) {
					t.Errorf("%s: policy %v, want %s", k.ID, k.Policy, fakeKeyPolicy(k.ARN))
				}
				if k.Metadata == nil || k.Rotation == nil {
					t.Errorf("%s: metadata %v, rotation %v; want both read", k.ID, k.Metadata, k.Rotation)
				}
			}
			if c := callsOf(sum, "kms", "GetKeyPolicy"); c.Attempts != 3 || c.Failed != 1 {
				t.Errorf("GetKeyPolicy: %+v, want 3 attempts (no retry of a refusal), 1 failed", c)
			}
		})
	}
}

// TestPagination reads listings of several pages; moto cannot, since it
// ignores Limit and MaxItems. The last KMS page leaves NextMarker out, as
// KMS does.
func TestPagination(t *testing.T) {
	f := newFakeAWS(t)
	f.fakeKeys(fakeAccount)
	pages := [][]string{{"k1", "k2"}, {"k3"}, {"k4", "k5"}}
	f.on("kms:ListKeys", func(r fakeRequest) fakeResponse {
		i := 0
		if m := r.str("Marker"); m != "" {
			fmt.Sscanf(m, "page-%d", &i)
		}
		var entries []string
		for _, id := range pages[i] {
			entries = append(entries, fmt.Sprintf(`{"KeyId":%q,"KeyArn":%q}`, id, fakeKeyARN(id)))
		}
		more := ""
		if i+1 < len(pages) {
			more = fmt.Sprintf(`,"NextMarker":"page-%d","Truncated":true`, i+1)
		}
		return jsonOK(`{"Keys":[` + strings.Join(entries, ",") + `]` + more + `}`)
	})
	f.on("kms:ListGrants", func(r fakeRequest) fakeResponse {
		if r.str("KeyId") != fakeKeyARN("k3") {
			return jsonOK(`{"Grants":[],"Truncated":false}`)
		}
		if r.str("Marker") == "" {
			return jsonOK(`{"Grants":[{"GrantId":"g1","KeyId":"k3","GranteePrincipal":"arn:aws:iam::111122223333:role/app","Operations":["Decrypt"]}],"NextMarker":"g","Truncated":true}`)
		}
		return jsonOK(`{"Grants":[{"GrantId":"g2","KeyId":"k3","GranteePrincipal":"arn:aws:iam::111122223333:role/app","Operations":["Encrypt","Decrypt"],"Constraints":{"EncryptionContextEquals":{"k":"v"}}}],"Truncated":false}`)
	})
	f.on("kms:ListAliases", func(r fakeRequest) fakeResponse {
		if r.str("Marker") == "" {
			return jsonOK(`{"Aliases":[{"AliasName":"alias/one","TargetKeyId":"k1"}],"NextMarker":"a","Truncated":true}`)
		}
		return jsonOK(`{"Aliases":[{"AliasName":"alias/five","TargetKeyId":"k5"},{"AliasName":"alias/aws/s3","TargetKeyId":"not-listed"}],"Truncated":false}`)
	})
	f.on("iam:GetAccountAuthorizationDetails", func(r fakeRequest) fakeResponse {
		switch r.Form.Get("Marker") {
		case "":
			return gaadPage(gaadRole(fakeAccount, "r1"), "m1")
		case "m1":
			return gaadPage(gaadRole(fakeAccount, "r2")+gaadRole(fakeAccount, "r3"), "m2")
		}
		return gaadPage(gaadRole(fakeAccount, "r4"), "")
	})

	snap, sum := collectFake(t, f, Options{})
	a := snap.Accounts[0]
	var got []string
	for _, k := range a.Keys {
		got = append(got, k.ID+" "+strings.Join(k.Aliases, ","))
	}
	for _, r := range a.Roles {
		got = append(got, r.Name)
	}
	for _, k := range a.Keys {
		for _, g := range k.Grants {
			got = append(got, k.ID+" grant "+g.ID+" "+strings.Join(g.Operations, ","))
		}
	}
	want := []string{"k1 alias/one", "k2 ", "k3 ", "k4 ", "k5 alias/five", "r1", "r2", "r3", "r4", "k3 grant g1 Decrypt", "k3 grant g2 Decrypt,Encrypt"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("keys, roles and grants read (-want +got):\n%s", diff)
	}
	if len(sum.NotRead) != 0 {
		t.Errorf("not read: %v", sum.NotRead)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if got := string(a.Roles[0].TrustPolicy.JSON); got != trust {
		t.Errorf("URL-encoded trust policy read as %s, want %s", got, trust)
	}
	for op, n := range map[[2]string]int{
		{"kms", "ListKeys"}: 3, {"kms", "ListAliases"}: 2, {"kms", "ListGrants"}: 6,
		{"iam", "GetAccountAuthorizationDetails"}: 3,
	} {
		if c := callsOf(sum, op[0], op[1]); c.Calls != n {
			t.Errorf("%s:%s called %d times, want %d", op[0], op[1], c.Calls, n)
		}
	}
}

// TestListingsThatDoNotEnd guards against services that keep sending a
// next-page token: the listing stops, keeps what it read and is marked.
func TestListingsThatDoNotEnd(t *testing.T) {
	tests := []struct {
		name      string
		marker    func(n int) string
		wantErr   error
		wantCalls int
	}{
		{"same token again", func(int) string { return "again" }, errRepeatedToken, 2},
		{"a new token every time", func(n int) string { return fmt.Sprint("page-", n) }, errTooManyPages, maxPages},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAWS(t)
			f.fakeKeys(fakeAccount)
			f.on("kms:ListKeys", func(r fakeRequest) fakeResponse {
				keys := ""
				if r.N == 1 {
					keys = fmt.Sprintf(`{"KeyId":"k1","KeyArn":%q}`, fakeKeyARN("k1"))
				}
				return jsonOK(fmt.Sprintf(`{"Keys":[%s],"NextMarker":%q,"Truncated":true}`, keys, tt.marker(r.N)))
			})
			snap, sum := collectFake(t, f, Options{})
			a := snap.Accounts[0]
			want := []*inventory.KMSRegion{{Name: "us-east-1", KeysIncomplete: &inventory.Incomplete{Reason: tt.wantErr.Error(), Source: "kms:ListKeys"}}}
			if diff := cmp.Diff(want, a.KMSRegions); diff != "" {
				t.Errorf("regions (-want +got):\n%s", diff)
			}
			if len(a.Keys) != 1 || a.Keys[0].Policy == nil {
				t.Errorf("keys = %v, want k1 of the first page, read", a.Keys)
			}
			if c := callsOf(sum, "kms", "ListKeys"); c.Calls != tt.wantCalls {
				t.Errorf("ListKeys called %d times, want %d", c.Calls, tt.wantCalls)
			}
		})
	}
}

// TestRegions covers the region list: read from the Account API (which
// moto lacks: it answers 404), over two pages; and guessed when that call
// is refused, with the guess recorded.
func TestRegions(t *testing.T) {
	t.Run("listed", func(t *testing.T) {
		f := newFakeAWS(t)
		f.on("account:ListRegions", func(r fakeRequest) fakeResponse {
			want := []any{"ENABLED", "ENABLED_BY_DEFAULT"}
			if diff := cmp.Diff(want, r.JSON["RegionOptStatusContains"]); diff != "" {
				t.Errorf("ListRegions filter (-want +got):\n%s", diff)
			}
			if r.JSON["NextToken"] == nil {
				return jsonOK(`{"Regions":[{"RegionName":"us-east-1","RegionOptStatus":"ENABLED_BY_DEFAULT"}],"NextToken":"t"}`)
			}
			return jsonOK(`{"Regions":[{"RegionName":"af-south-1","RegionOptStatus":"ENABLED"}]}`)
		})
		snap, sum := collectFake(t, f, Options{Regions: []string{}})
		want := []*inventory.KMSRegion{{Name: "af-south-1"}, {Name: "us-east-1"}}
		if diff := cmp.Diff(want, snap.Accounts[0].KMSRegions); diff != "" {
			t.Errorf("regions (-want +got):\n%s", diff)
		}
		if len(sum.Notes) != 0 {
			t.Errorf("notes: %q", sum.Notes)
		}
	})
	t.Run("refused", func(t *testing.T) {
		f := newFakeAWS(t)
		f.on("account:ListRegions", func(fakeRequest) fakeResponse {
			return jsonError(403, "AccessDeniedException", "not authorized to perform: account:ListRegions")
		})
		snap, sum := collectFake(t, f, Options{Regions: []string{}})
		var read, marked []string
		for _, r := range snap.Accounts[0].KMSRegions {
			if r.KeysIncomplete == nil {
				read = append(read, r.Name)
				continue
			}
			marked = append(marked, r.Name)
			if want := "account:ListRegions"; r.KeysIncomplete.Source != want || !strings.Contains(r.KeysIncomplete.Reason, "AccessDeniedException") {
				t.Errorf("%s: mark %+v, want the ListRegions refusal", r.Name, r.KeysIncomplete)
			}
		}
		if diff := cmp.Diff(defaultEnabledRegions, read); diff != "" {
			t.Errorf("regions read (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(optInRegions, marked); diff != "" {
			t.Errorf("regions marked not read (-want +got):\n%s", diff)
		}
		if n := f.count("kms:ListKeys"); n != len(defaultEnabledRegions) {
			t.Errorf("ListKeys called in %d regions, want %d", n, len(defaultEnabledRegions))
		}
		if len(sum.Notes) != 1 || !strings.Contains(sum.Notes[0], "account:ListRegions failed") {
			t.Errorf("notes = %q, want one on the region list", sum.Notes)
		}
	})
}

// TestMultiAccount assumes the audit role in three accounts: one refuses
// (its account is listed with everything marked), and a member account that
// may not read its organization's structure gets it through the management
// account's session. moto cannot refuse either.
func TestMultiAccount(t *testing.T) {
	const mgmt, member, refusing = "222222222222", "333333333333", "444444444444"
	f := newFakeAWS(t)
	var mu sync.Mutex
	var assumed []string
	f.on("sts:AssumeRole", func(r fakeRequest) fakeResponse {
		role := r.Form.Get("RoleArn")
		mu.Lock()
		assumed = append(assumed, role)
		mu.Unlock()
		acct := strings.Split(role, ":")[4]
		if acct == refusing {
			return queryError(403, "AccessDenied", "not authorized to perform: sts:AssumeRole on resource: "+role)
		}
		return queryOK("AssumeRole", "https://sts.amazonaws.com/doc/2011-06-15/", `<Credentials><AccessKeyId>ASIA`+acct+`</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::`+acct+`:assumed-role/keywarden-audit/keywarden</Arn><AssumedRoleId>AROA:keywarden</AssumedRoleId></AssumedRoleUser>`)
	})
	f.on("iam:GetAccountAuthorizationDetails", func(r fakeRequest) fakeResponse {
		return gaadPage(gaadRole(r.Account, "app-"+r.Account), "")
	})
	f.on("organizations:DescribeOrganization", func(fakeRequest) fakeResponse {
		return jsonOK(`{"Organization":{"Id":"o-abc","MasterAccountId":"` + mgmt + `","FeatureSet":"ALL"}}`)
	})
	denyMember := func(r fakeRequest, ok string) fakeResponse {
		if r.Account != mgmt {
			return jsonError(400, "AccessDeniedException", "You don't have permissions to access this resource.")
		}
		return jsonOK(ok)
	}
	f.on("organizations:ListParents", func(r fakeRequest) fakeResponse {
		return denyMember(r, `{"Parents":[{"Id":"r-root","Type":"ROOT"}]}`)
	})
	f.on("organizations:ListRoots", func(r fakeRequest) fakeResponse {
		return denyMember(r, `{"Roots":[{"Id":"r-root","Name":"Root","PolicyTypes":[{"Type":"SERVICE_CONTROL_POLICY","Status":"ENABLED"}]}]}`)
	})
	f.on("organizations:ListPoliciesForTarget", func(r fakeRequest) fakeResponse {
		if r.str("Filter") != "SERVICE_CONTROL_POLICY" {
			t.Errorf("ListPoliciesForTarget filter %q: RCPs are not enabled", r.str("Filter"))
		}
		return denyMember(r, `{"Policies":[{"Id":"p-FullAWSAccess","Name":"FullAWSAccess","AwsManaged":true}]}`)
	})
	f.on("organizations:DescribePolicy", func(r fakeRequest) fakeResponse {
		return denyMember(r, `{"Policy":{"PolicySummary":{"Id":"p-FullAWSAccess"},"Content":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"}}`)
	})

	snap, sum := collectFake(t, f, Options{
		RoleARN:    "arn:aws:iam::999999999999:role/audit/keywarden-audit",
		AccountIDs: []string{member, refusing, mgmt, member},
	})

	roles := slices.Sorted(slices.Values(assumed))
	wantRoles := []string{
		"arn:aws:iam::" + mgmt + ":role/audit/keywarden-audit",
		"arn:aws:iam::" + member + ":role/audit/keywarden-audit",
		"arn:aws:iam::" + refusing + ":role/audit/keywarden-audit",
	}
	if diff := cmp.Diff(wantRoles, roles); diff != "" {
		t.Errorf("roles assumed (-want +got):\n%s", diff)
	}
	if want := "arn:aws:iam::" + fakeAccount + ":user/audit"; sum.Caller != want {
		t.Errorf("caller = %q, want %q", sum.Caller, want)
	}
	if diff := cmp.Diff([]string{mgmt, member, refusing}, sum.Accounts); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}
	for _, a := range snap.Accounts {
		t.Run(a.ID, func(t *testing.T) {
			if a.ID == refusing {
				in := &inventory.Incomplete{
					Reason: "AccessDenied: not authorized to perform: sts:AssumeRole on resource: " + wantRoles[2],
					Source: "sts:AssumeRole " + wantRoles[2],
				}
				want := &inventory.Account{ID: refusing, OrganizationIncomplete: in, IAMIncomplete: in, BucketsIncomplete: in,
					KMSRegions: []*inventory.KMSRegion{{Name: "us-east-1", KeysIncomplete: in, AliasesIncomplete: in}}}
				if diff := cmp.Diff(want, a); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
				return
			}
			if len(a.Roles) != 1 || a.Roles[0].Name != "app-"+a.ID {
				t.Errorf("roles = %v, want the account's own", a.Roles)
			}
			full := docAt(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, "organizations:DescribePolicy p-FullAWSAccess", "Policy.Content")
			fullSCP := []inventory.OrgPolicy{{ID: "p-FullAWSAccess", Name: "FullAWSAccess", AWSManaged: true, Document: full}}
			want := &inventory.Organization{
				ID: "o-abc", ManagementAccountID: mgmt, OUPath: "o-abc/r-root/",
				SCPs: []inventory.OrgLevel{{TargetID: "r-root", TargetName: "Root", Policies: fullSCP}, {TargetID: a.ID, Policies: fullSCP}},
			}
			if diff := cmp.Diff(want, a.Organization); diff != "" {
				t.Errorf("organization (-want +got):\n%s", diff)
			}
		})
	}
	if got := callsOf(sum, "organizations", "DescribePolicy").Calls; got != 1 {
		t.Errorf("DescribePolicy called %d times, want 1 (shared by the accounts of the organization)", got)
	}
	var wantNotes = []string{"account " + refusing + ": not read: AccessDenied: not authorized to perform: sts:AssumeRole on resource: " + wantRoles[2]}
	if diff := cmp.Diff(wantNotes, sum.Notes); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
}

// TestFatalErrors lists what stops a collection: nothing can be read.
func TestFatalErrors(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		setup   func(t *testing.T, f *fakeAWS)
		wantErr string
	}{
		{"no credentials", Options{}, func(t *testing.T, f *fakeAWS) {
			t.Setenv("AWS_ACCESS_KEY_ID", "")
			t.Setenv("AWS_SECRET_ACCESS_KEY", "")
		}, "no AWS credentials"},
		{"unknown profile", Options{Profile: "nonesuch"}, nil, "load AWS configuration"},
		{"sts refuses", Options{}, func(t *testing.T, f *fakeAWS) {
			f.on("sts:GetCallerIdentity", func(fakeRequest) fakeResponse {
				return queryError(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
			})
		}, "sts GetCallerIdentity: operation error STS: GetCallerIdentity"},
		{"the only role refuses", Options{RoleARN: "arn:aws:iam::222222222222:role/audit"}, func(t *testing.T, f *fakeAWS) {
			f.on("sts:AssumeRole", func(fakeRequest) fakeResponse { return queryError(403, "AccessDenied", "no") })
		}, "assume role arn:aws:iam::222222222222:role/audit"},
		{"account IDs without a role", Options{AccountIDs: []string{"222222222222"}}, nil, "account IDs need a role ARN"},
		{"bad account ID", Options{RoleARN: "arn:aws:iam::222222222222:role/audit", AccountIDs: []string{"2222"}}, nil, `account ID "2222": must be 12 digits`},
		{"not a role", Options{RoleARN: "arn:aws:iam::222222222222:user/audit"}, nil, "not an IAM role ARN"},
		{"negative concurrency", Options{MaxConcurrency: -1}, nil, "max concurrency -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAWS(t)
			if tt.setup != nil {
				tt.setup(t, f)
			}
			opts := tt.opts
			opts.EndpointURL, opts.maxBackoff, opts.Regions = f.URL, time.Millisecond, []string{"us-east-1"}
			snap, sum, err := Collect(context.Background(), opts)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Collect error = %v, want one containing %q", err, tt.wantErr)
			}
			if snap != nil || sum != nil {
				t.Errorf("Collect gave a snapshot or summary with its error")
			}
		})
	}
}

// TestSnapshotSurvivesSaveAndRead checks that what the collector builds is
// a snapshot inventory.Read accepts and gives back unchanged.
func TestSnapshotSurvivesSaveAndRead(t *testing.T) {
	f := newFakeAWS(t)
	f.fakeKeys(fakeAccount, "k1")
	f.on("iam:GetAccountAuthorizationDetails", func(fakeRequest) fakeResponse {
		return gaadPage(gaadRole(fakeAccount, "app"), "")
	})
	snap, _ := collectFake(t, f, Options{ToolVersion: "v0-test"})
	var b strings.Builder
	if err := snap.Save(&b); err != nil {
		t.Fatal(err)
	}
	back, err := inventory.Read("snapshot.json", strings.NewReader(b.String()))
	if err != nil {
		t.Fatalf("inventory.Read: %v\n%s", err, b.String())
	}
	if diff := cmp.Diff(snap, back); diff != "" {
		t.Errorf("after Save and Read (-saved +read):\n%s", diff)
	}
	var m struct{ Metadata inventory.Metadata }
	json.Unmarshal([]byte(b.String()), &m)
	if m.Metadata.Source != inventory.SourceCollector || m.Metadata.ToolVersion != "v0-test" {
		t.Errorf("metadata = %+v", m.Metadata)
	}
}

// TestKeyKinds checks which calls each kind of key gets: AWS managed keys
// answer GetKeyPolicy and GetKeyRotationStatus but cannot be tagged;
// rotation does not apply to asymmetric keys or keys in a custom key store;
// and a key KMS says cannot rotate has no rotation and no mark. moto
// cannot make AWS managed keys (it reports its aws/* keys as CUSTOMER).
func TestKeyKinds(t *testing.T) {
	tests := []struct {
		name         string
		metadata     string // fields added to DescribeKey's KeyMetadata
		rotation     fakeResponse
		wantRotation *inventory.Rotation
		wantCalls    map[string]int
	}{
		{"customer", `"KeyManager":"CUSTOMER","KeySpec":"SYMMETRIC_DEFAULT","Origin":"AWS_KMS"`,
			jsonOK(`{"KeyRotationEnabled":true,"RotationPeriodInDays":180,"NextRotationDate":1.8e9}`),
			&inventory.Rotation{Enabled: true, PeriodDays: 180, NextRotationDate: time.Unix(18e8, 0)},
			map[string]int{"kms:GetKeyPolicy": 1, "kms:GetKeyRotationStatus": 1, "kms:ListResourceTags": 1, "kms:ListGrants": 1}},
		{"aws managed", `"KeyManager":"AWS","KeySpec":"SYMMETRIC_DEFAULT","Origin":"AWS_KMS"`,
			jsonOK(`{"KeyRotationEnabled":true}`), &inventory.Rotation{Enabled: true},
			map[string]int{"kms:GetKeyPolicy": 1, "kms:GetKeyRotationStatus": 1, "kms:ListResourceTags": 0, "kms:ListGrants": 1}},
		{"asymmetric", `"KeyManager":"CUSTOMER","KeySpec":"RSA_2048","Origin":"AWS_KMS"`, fakeResponse{}, nil,
			map[string]int{"kms:GetKeyPolicy": 1, "kms:GetKeyRotationStatus": 0, "kms:ListResourceTags": 1}},
		{"custom key store", `"KeyManager":"CUSTOMER","KeySpec":"SYMMETRIC_DEFAULT","Origin":"AWS_CLOUDHSM"`, fakeResponse{}, nil,
			map[string]int{"kms:GetKeyRotationStatus": 0}},
		{"rotation unsupported", `"KeyManager":"CUSTOMER","KeySpec":"SYMMETRIC_DEFAULT","Origin":"EXTERNAL"`,
			jsonError(400, "UnsupportedOperationException", "not supported"), nil,
			map[string]int{"kms:GetKeyRotationStatus": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAWS(t)
			f.fakeKeys(fakeAccount, "k1")
			f.on("kms:DescribeKey", func(r fakeRequest) fakeResponse {
				return jsonOK(`{"KeyMetadata":{"KeyId":"k1","Arn":"` + fakeKeyARN("k1") + `","Enabled":true,"KeyState":"Enabled",` + tt.metadata + `}}`)
			})
			f.on("kms:GetKeyRotationStatus", func(fakeRequest) fakeResponse { return tt.rotation })
			snap, sum := collectFake(t, f, Options{})
			k := snap.Accounts[0].Keys[0]
			if diff := cmp.Diff(tt.wantRotation, k.Rotation); diff != "" {
				t.Errorf("rotation (-want +got):\n%s", diff)
			}
			if len(sum.NotRead) != 0 {
				t.Errorf("not read: %v", sum.NotRead)
			}
			for op, n := range tt.wantCalls {
				if got := f.count(op); got != n {
					t.Errorf("%s called %d times, want %d", op, got, n)
				}
			}
		})
	}
}
