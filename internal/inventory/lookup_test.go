package inventory

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keywarden/keywarden/internal/policy"
)

func TestPrincipal(t *testing.T) {
	s := sampleSnapshot()
	tests := []struct {
		ref      string
		want     string // ARN found
		wantErr  string
		notFound bool
	}{
		{ref: "alice", want: "arn:aws:iam::111122223333:user/alice"},
		{ref: "arn:aws:iam::111122223333:role/app", want: "arn:aws:iam::111122223333:role/app"},
		{ref: "arn:aws:iam::444455556666:role/app", want: "arn:aws:iam::444455556666:role/app"},
		{ref: "AWSServiceRoleForOrganizations", want: "arn:aws:iam::111122223333:role/aws-service-role/organizations.amazonaws.com/AWSServiceRoleForOrganizations"},
		{ref: "app", wantErr: `name "app" is ambiguous, give one of these ARNs: arn:aws:iam::444455556666:role/app, arn:aws:iam::111122223333:role/app`},
		{ref: "carol", wantErr: `user or role "carol": not in the snapshot`, notFound: true},
		{ref: "arn:aws:iam::111122223333:user/Alice", wantErr: `user or role "arn:aws:iam::111122223333:user/Alice": not in the snapshot`, notFound: true},
		{ref: "arn:aws:iam::111122223333:group/developers", wantErr: `user or role "arn:aws:iam::111122223333:group/developers": not in the snapshot`, notFound: true},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			p, err := s.Principal(tt.ref)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Principal(%q) error = %v, want %q", tt.ref, err, tt.wantErr)
				}
				if got := errors.Is(err, ErrNotFound); got != tt.notFound {
					t.Errorf("errors.Is(err, ErrNotFound) = %v, want %v", got, tt.notFound)
				}
				return
			}
			if err != nil {
				t.Fatalf("Principal(%q): %v", tt.ref, err)
			}
			if p.ARN() != tt.want {
				t.Errorf("Principal(%q) = %s, want %s", tt.ref, p.ARN(), tt.want)
			}
			if p.Account == nil || !strings.Contains(p.ARN(), "::"+p.Account.ID+":") {
				t.Errorf("Principal(%q).Account = %v, want the principal's account", tt.ref, p.Account)
			}
		})
	}
}

func names(ds []*policy.Document) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Name)
	}
	return out
}

func TestIdentityPolicies(t *testing.T) {
	s := sampleSnapshot()
	s.Normalize()
	tests := []struct {
		ref        string
		want       []string
		wantErr    []string // lines of the error
		boundary   string
		incomplete bool
	}{
		{
			// A user: own inline and attached policies, then each
			// group's (by name); a policy reached twice once; the
			// missing group is a gap.
			ref: "alice",
			want: []string{
				"managed policy " + appData + " (v2)",
				`inline policy "kms-decrypt-app-data" of group developers`,
			},
			wantErr:    []string{"group ghosts of user alice: not read: the snapshot does not hold it"},
			incomplete: true,
		},
		{
			ref: "bob",
			want: []string{
				`inline policy "kms-list" of user bob`,
				"managed policy " + awsKMSPU + " (v2)",
				`inline policy "kms-decrypt-app-data" of group developers`,
				"managed policy " + appData + " (v2)",
			},
			boundary: "managed policy " + boundary + " (v1)",
		},
		{
			ref: "arn:aws:iam::111122223333:role/app",
			want: []string{
				`inline policy "kms-use" of role app`,
				"managed policy " + appData + " (v2)",
			},
			boundary: "managed policy " + boundary + " (v1)",
		},
		{
			ref:  "AWSServiceRoleForOrganizations",
			want: nil,
		},
		{
			// An unreadable inline policy is a gap; a document with
			// a policy error is reported at its place.
			ref:  "broken",
			want: nil,
			wantErr: []string{
				gaadFile + ":131:31: RoleDetailList[2].RolePolicyList[1].PolicyDocument.Statement[0].Effect: Effect must be \"Allow\" or \"Deny\", not \"Alow\"",
				`inline policy "unreadable" of role broken: not read: RolePolicyList[0].PolicyDocument: policy document is not valid JSON: 1:2: unexpected end of input in object (` + gaadFile + ":130:31)",
				`role arn:aws:iam::111122223333:role/broken: not read: RolePolicyList[0].PolicyDocument: policy document is not valid JSON: 1:2: unexpected end of input in object (` + gaadFile + ":130:31)",
			},
			incomplete: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			p, err := s.Principal(tt.ref)
			if err != nil {
				t.Fatal(err)
			}
			docs, err := p.IdentityPolicies()
			if diff := cmp.Diff(tt.want, names(docs)); diff != "" {
				t.Errorf("IdentityPolicies() names (-want +got):\n%s", diff)
			}
			var gotErr []string
			if err != nil {
				gotErr = strings.Split(err.Error(), "\n")
			}
			if diff := cmp.Diff(tt.wantErr, gotErr); diff != "" {
				t.Errorf("IdentityPolicies() error (-want +got):\n%s", diff)
			}
			if got := errors.Is(err, ErrIncomplete); got != tt.incomplete {
				t.Errorf("errors.Is(err, ErrIncomplete) = %v, want %v", got, tt.incomplete)
			}
			b, err := p.Boundary()
			if err != nil {
				t.Fatalf("Boundary(): %v", err)
			}
			got := ""
			if b != nil {
				got = b.Name
			}
			if got != tt.boundary {
				t.Errorf("Boundary() = %q, want %q", got, tt.boundary)
			}
		})
	}
}

func TestBoundaryNotHeld(t *testing.T) {
	s := sampleSnapshot()
	a := s.Account(acct)
	a.Policies = a.Policies[:1] // drop the boundary policy
	p, err := s.Principal("bob")
	if err != nil {
		t.Fatal(err)
	}
	d, err := p.Boundary()
	want := "permissions boundary " + boundary + " of user bob: not read: the snapshot does not hold it"
	if d != nil || err == nil || err.Error() != want || !errors.Is(err, ErrIncomplete) {
		t.Errorf("Boundary() = %v, %v; want nil, %q matching ErrIncomplete", d, err, want)
	}
}

func TestKey(t *testing.T) {
	s := sampleSnapshot()
	s.Normalize()
	tests := []struct {
		ref        string
		want       string
		wantErr    string
		incomplete bool
		notFound   bool
	}{
		{ref: keyTokyo, want: keyTokyo},
		{ref: "1234abcd-12ab-34cd-56ef-1234567890ab", want: keyTokyo},
		{ref: "alias/app-data", want: keyTokyo},
		{ref: "arn:aws:kms:ap-northeast-1:111122223333:alias/app-data", want: keyTokyo},
		{ref: "arn:aws:kms:ap-northeast-1:111122223333:alias/shared", want: keyMRKap},
		{ref: keyMRKus, want: keyMRKus},
		{
			ref:     "mrk-0123456789abcdef0123456789abcdef",
			wantErr: `key "mrk-0123456789abcdef0123456789abcdef" is ambiguous, give one of these ARNs: ` + keyMRKap + ", " + keyMRKus,
		},
		{
			ref:     "alias/shared",
			wantErr: `key "alias/shared" is ambiguous, give one of these ARNs: ` + keyMRKap + ", " + keyMRKus,
		},
		{
			ref:        "alias/nothing",
			wantErr:    "key alias/nothing: not read: not found, and KMS aliases of account 111122223333 in us-east-1: not read: the file is missing from the export (export/kms/us-east-1/list-aliases.json)",
			incomplete: true,
		},
		{
			ref:      "arn:aws:kms:ap-northeast-1:111122223333:alias/nothing",
			wantErr:  "key arn:aws:kms:ap-northeast-1:111122223333:alias/nothing: not in the snapshot",
			notFound: true,
		},
		{
			ref:        "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			wantErr:    "key arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab: not read: not found, and KMS keys of account 111122223333 in eu-west-1: not read: the region was not read",
			incomplete: true,
		},
		{
			ref:      "arn:aws:kms:ap-northeast-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			wantErr:  "key arn:aws:kms:ap-northeast-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab: account 999999999999: not in the snapshot",
			notFound: true,
		},
		{ref: "arn:aws:s3:::app-data", wantErr: `"arn:aws:s3:::app-data" is not a KMS key or alias ARN`},
		{ref: "arn:aws:kms:ap-northeast-1:111122223333:grant/x", wantErr: `"arn:aws:kms:ap-northeast-1:111122223333:grant/x" is not a KMS key or alias ARN`},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			k, err := s.Key(tt.ref)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Key(%q) error = %v, want %q", tt.ref, err, tt.wantErr)
				}
				if got := errors.Is(err, ErrIncomplete); got != tt.incomplete {
					t.Errorf("errors.Is(err, ErrIncomplete) = %v, want %v", got, tt.incomplete)
				}
				if got := errors.Is(err, ErrNotFound); got != tt.notFound {
					t.Errorf("errors.Is(err, ErrNotFound) = %v, want %v", got, tt.notFound)
				}
				return
			}
			if err != nil {
				t.Fatalf("Key(%q): %v", tt.ref, err)
			}
			if k.ARN != tt.want {
				t.Errorf("Key(%q) = %s, want %s", tt.ref, k.ARN, tt.want)
			}
		})
	}
}

func TestBucketKey(t *testing.T) {
	s := sampleSnapshot()
	tests := []struct {
		bucket     string
		want       string
		wantErr    string
		incomplete bool
	}{
		{bucket: "app-data", want: keyTokyo},
		{bucket: "managed-key-bucket", want: keyS3},
		{bucket: "logs"}, // SSE-S3: no key
		{bucket: "unknown-region", wantErr: "region of bucket unknown-region: not read: the file is missing from the export", incomplete: true},
		{bucket: "unread", wantErr: "default encryption of bucket unread: not read: AccessDenied: Access Denied", incomplete: true},
		{bucket: "nope", wantErr: "bucket nope: not in the snapshot"},
	}
	for _, tt := range tests {
		t.Run(tt.bucket, func(t *testing.T) {
			k, err := s.BucketKey(tt.bucket)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("BucketKey(%q) error = %v, want %q", tt.bucket, err, tt.wantErr)
				}
				if got := errors.Is(err, ErrIncomplete); got != tt.incomplete {
					t.Errorf("errors.Is(err, ErrIncomplete) = %v, want %v", got, tt.incomplete)
				}
				return
			}
			if err != nil {
				t.Fatalf("BucketKey(%q): %v", tt.bucket, err)
			}
			got := ""
			if k != nil {
				got = k.ARN
			}
			if got != tt.want {
				t.Errorf("BucketKey(%q) = %q, want %q", tt.bucket, got, tt.want)
			}
		})
	}
}

func TestParseNamesAndCache(t *testing.T) {
	s := sampleSnapshot()
	s.Normalize()
	a := s.Account(acct)
	k, err := s.Key(keyTokyo)
	if err != nil {
		t.Fatal(err)
	}
	d1, err := k.ParsePolicy()
	if err != nil {
		t.Fatal(err)
	}
	d2, _ := k.ParsePolicy()
	if d1 != d2 {
		t.Error("ParsePolicy twice gave two documents, want the cached one")
	}
	if d1.Name != "key policy of "+keyTokyo || d1.Kind != policy.Resource || len(d1.Statements) != 1 {
		t.Errorf("ParsePolicy() = %q kind %v with %d statements", d1.Name, d1.Kind, len(d1.Statements))
	}
	if d1.Source != "export/kms/ap-northeast-1/1234abcd-12ab-34cd-56ef-1234567890ab/get-key-policy.json" {
		t.Errorf("ParsePolicy().Source = %q", d1.Source)
	}

	r, _ := s.Principal("arn:aws:iam::111122223333:role/app")
	tp, err := r.Role.ParseTrustPolicy()
	if err != nil || tp.Name != "trust policy of role app" {
		t.Errorf("ParseTrustPolicy() = %v, %v", tp, err)
	}

	b, _ := s.Bucket("app-data")
	bp, err := b.ParsePolicy()
	if err != nil || bp.Name != "bucket policy of app-data" {
		t.Errorf("Bucket.ParsePolicy() = %v, %v", bp, err)
	}
	b, _ = s.Bucket("logs")
	if bp, err := b.ParsePolicy(); bp != nil || err != nil {
		t.Errorf("ParsePolicy() of a bucket without policy = %v, %v; want nil, nil", bp, err)
	}
	b, _ = s.Bucket("unread")
	if _, err := b.ParsePolicy(); !errors.Is(err, ErrIncomplete) {
		t.Errorf("ParsePolicy() of an unread bucket policy: error %v, want a gap", err)
	}

	scps, err := a.Organization.ParseSCPs()
	if err != nil {
		t.Fatal(err)
	}
	var got [][]string
	for _, l := range scps {
		got = append(got, names(l))
	}
	want := [][]string{
		{`SCP p-FullAWSAccess "FullAWSAccess" at r-ab12 (Root)`},
		{`SCP p-examplescp1 "DenyKeyDeletion" at ou-ab12-11111111 (Workloads)`},
		nil,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseSCPs() names (-want +got):\n%s", diff)
	}
	if scps[0][0].Kind != policy.SCP {
		t.Errorf("SCP kind = %v", scps[0][0].Kind)
	}
	if _, err := a.Organization.ParseRCPs(); !errors.Is(err, ErrIncomplete) || err.Error() != "RCPs: not read: AccessDeniedException: You don't have permissions to access this resource. (export/organizations/rcps.error)" {
		t.Errorf("ParseRCPs() error = %v, want the RCP gap", err)
	}
}

func TestKeyPolicyNotRead(t *testing.T) {
	s := sampleSnapshot()
	k, err := s.Key(keyNoPol)
	if err != nil {
		t.Fatal(err)
	}
	d, err := k.ParsePolicy()
	want := "key policy of " + keyNoPol + ": not read: AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/auditor/s is not authorized to perform: kms:GetKeyPolicy (export/kms/ap-northeast-1/77778888-9999-0000-1111-222233334444/get-key-policy.error)"
	if d != nil || err == nil || err.Error() != want {
		t.Fatalf("ParsePolicy() = %v, %v; want nil, %q", d, err, want)
	}
	var g *Gap
	if !errors.As(err, &g) || !errors.Is(err, ErrIncomplete) {
		t.Errorf("error %T does not match *Gap and ErrIncomplete", err)
	}
}

func TestGaps(t *testing.T) {
	s := sampleSnapshot()
	s.Normalize()
	var got []string
	for _, g := range s.Gaps() {
		got = append(got, g.Item)
	}
	want := []string{
		"RCPs of account 111122223333",
		"role arn:aws:iam::111122223333:role/broken",
		"KMS aliases of account 111122223333 in us-east-1",
		"key policy of " + keyNoPol,
		"tags of key " + keyMRKap,
		"grants of key " + keyMRKus,
		"region of bucket unknown-region",
		"bucket policy of unread",
		"default encryption of bucket unread",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Gaps() items (-want +got):\n%s", diff)
	}
}

func TestIsManagementAccount(t *testing.T) {
	tests := []struct {
		name string
		a    Account
		want bool
	}{
		{"member", Account{ID: acct, Organization: &Organization{ID: "o-x", ManagementAccountID: "999988887777"}}, false},
		{"management", Account{ID: "999988887777", Organization: &Organization{ID: "o-x", ManagementAccountID: "999988887777"}}, true},
		{"standalone", Account{ID: acct}, false},
		{"unknown management", Account{ID: acct, Organization: &Organization{ID: "o-x"}}, false},
	}
	for _, tt := range tests {
		if got := tt.a.IsManagementAccount(); got != tt.want {
			t.Errorf("%s: IsManagementAccount() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestPredicates(t *testing.T) {
	s := sampleSnapshot()
	a := s.Account(acct)
	tests := []struct {
		name      string
		got, want bool
	}{
		{"service-linked path", IsServiceLinkedPath("/aws-service-role/organizations.amazonaws.com/"), true},
		{"service-role path is not service-linked", IsServiceLinkedPath("/service-role/"), false},
		{"root path", IsServiceLinkedPath("/"), false},
		{"boundary in use", a.ManagedPolicy(boundary).UsedAsBoundary(), true},
		{"attached policy", a.ManagedPolicy(appData).UsedAsBoundary(), false},
		{"AWS managed key", mustKey(t, s, keyS3).AWSManaged(), true},
		{"customer key", mustKey(t, s, keyTokyo).AWSManaged(), false},
		{"key without metadata", (&Key{}).AWSManaged(), false},
		{"SSE-KMS", (&BucketEncryption{Algorithm: SSEKMS}).UsesKMS(), true},
		{"DSSE-KMS", (&BucketEncryption{Algorithm: SSEKMSDSSE}).UsesKMS(), true},
		{"SSE-S3", (&BucketEncryption{Algorithm: SSES3}).UsesKMS(), false},
		{"no encryption", (*BucketEncryption)(nil).UsesKMS(), false},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func mustKey(t *testing.T, s *Snapshot, ref string) *Key {
	t.Helper()
	k, err := s.Key(ref)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestParseInlinePolicies: each owner names its inline policies; an
// unreadable one is a gap, the others are still returned.
func TestParseInlinePolicies(t *testing.T) {
	s := sampleSnapshot()
	a := s.Account(acct)
	bob, _ := s.Principal("bob")
	app, _ := s.Principal("arn:aws:iam::111122223333:role/app")
	broken, _ := s.Principal("broken")
	parse := map[string]func() ([]*policy.Document, error){
		"user":        bob.User.ParseInlinePolicies,
		"group":       a.Group("developers").ParseInlinePolicies,
		"role":        app.Role.ParseInlinePolicies,
		"broken role": broken.Role.ParseInlinePolicies,
	}
	tests := []struct {
		owner      string
		want       []string
		incomplete bool
	}{
		{"user", []string{`inline policy "kms-list" of user bob`}, false},
		{"group", []string{`inline policy "kms-decrypt-app-data" of group developers`}, false},
		{"role", []string{`inline policy "kms-use" of role app`}, false},
		{"broken role", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.owner, func(t *testing.T) {
			docs, err := parse[tt.owner]()
			if diff := cmp.Diff(tt.want, names(docs)); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
			if got := errors.Is(err, ErrIncomplete); got != tt.incomplete || (err != nil) != tt.incomplete {
				t.Errorf("error %v, want incomplete %v", err, tt.incomplete)
			}
		})
	}
}

// TestConcurrentParse: the parse cache is safe for concurrent use, and all
// callers get the same document.
func TestConcurrentParse(t *testing.T) {
	s := sampleSnapshot()
	k := mustKey(t, s, keyTokyo)
	got := make(chan *policy.Document, 8)
	for range 8 {
		go func() {
			d, err := k.ParsePolicy()
			if err != nil {
				t.Error(err)
			}
			got <- d
		}()
	}
	first := <-got
	for range 7 {
		if d := <-got; d != first {
			t.Fatal("concurrent ParsePolicy calls returned different documents")
		}
	}
}
