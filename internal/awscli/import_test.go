package awscli

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/posjson"
	"github.com/rogpeppe/go-internal/txtar"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

var fixed = Options{ToolVersion: "test", GeneratedAt: time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)}

const (
	acct  = "111122223333"
	tokyo = "ap-northeast-1"
	k1    = "arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	k5    = "arn:aws:kms:ap-northeast-1:111122223333:key/33334444-5555-6666-7777-888899990000"
	k7    = "arn:aws:kms:ap-northeast-1:111122223333:key/55556666-7777-8888-9999-000011112222"
	k9    = "arn:aws:kms:ap-northeast-1:111122223333:key/77778888-9999-0000-1111-222233334444"
	k10   = "arn:aws:kms:us-east-1:111122223333:key/88889999-0000-1111-2222-333344445555"
	kx    = "arn:aws:kms:ap-northeast-1:111122223333:key/99990000-1111-2222-3333-444455556666"
)

func lines(ws []Warning) string {
	var b strings.Builder
	for _, w := range ws {
		b.WriteString(w.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func gapLines(s *inventory.Snapshot) string {
	var b strings.Builder
	for _, g := range s.Gaps() {
		b.WriteString(g.Error())
		b.WriteByte('\n')
	}
	return b.String()
}

// golden compares got with the file, or rewrites it under -update.
func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", file, diff)
	}
}

func importExport(t *testing.T) (*inventory.Snapshot, []Warning) {
	t.Helper()
	s, ws, err := Import("testdata/export", fixed)
	if err != nil {
		t.Fatalf("Import(testdata/export): %v", err)
	}
	return s, ws
}

// TestImportGolden pins the whole import of testdata/export: the snapshot
// (with every source location and incomplete mark) and the warnings.
func TestImportGolden(t *testing.T) {
	s, ws := importExport(t)
	var buf bytes.Buffer
	if err := s.Save(&buf); err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/export.snapshot.json", buf.Bytes())
	golden(t, "testdata/export.warnings", []byte(lines(ws)))
	// The snapshot is valid: it reads back the same.
	again, err := inventory.Read("export.snapshot.json", &buf)
	if err != nil {
		t.Fatalf("Read of the imported snapshot: %v", err)
	}
	if diff := cmp.Diff(s, again, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("imported snapshot does not round-trip (-import +read):\n%s", diff)
	}
}

// TestImportFacts states what the fixtures were written to show, one fact
// per case, so that a wrong golden file cannot hide a wrong import.
func TestImportFacts(t *testing.T) {
	s, _ := importExport(t)
	a := s.Account(acct)
	if a == nil {
		t.Fatalf("no account %s; accounts: %v", acct, s.Accounts)
	}
	key := func(arn string) *inventory.Key {
		t.Helper()
		k, err := s.Key(arn)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"metadata", s.Metadata, inventory.Metadata{GeneratedAt: fixed.GeneratedAt, Source: inventory.SourceAWSCLI, ToolVersion: "test"}},
		{"organization", [3]string{a.Organization.ID, a.Organization.ManagementAccountID, a.Organization.OUPath},
			[3]string{"o-a1b2c3d4e5", "999988887777", "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/"}},
		{"management account", a.IsManagementAccount(), false},
		{"SCP levels", levelIDs(a.Organization.SCPs), []string{
			"r-ab12: p-FullAWSAccess",
			"ou-ab12-11111111: p-FullAWSAccess p-a1b2c3d4",
			"ou-ab12-22222222: p-FullAWSAccess p-e5f6a7b8",
			"111122223333: p-FullAWSAccess"}},
		{"RCP levels", levelIDs(a.Organization.RCPs), []string{
			"r-ab12: p-RCPFullAWSAccess p-r9s8t7u6",
			"ou-ab12-11111111: p-RCPFullAWSAccess",
			"ou-ab12-22222222: p-RCPFullAWSAccess",
			"111122223333: p-RCPFullAWSAccess"}},
		{"both pages read", count(a), "3 users, 2 groups, 4 roles, 5 policies"},
		{"service-linked role", role(t, s, "AWSServiceRoleForOrganizations").ServiceLinked, true},
		{"ordinary role", role(t, s, "app").ServiceLinked, false},
		{"role boundary", role(t, s, "app").PermissionsBoundary, "arn:aws:iam::111122223333:policy/developer-boundary"},
		{"user groups", user(t, s, "bob").Groups, []string{"admins", "developers"}},
		{"only the default version counts", policyActions(t, a.ManagedPolicy("arn:aws:iam::111122223333:policy/app-data-access")),
			"v2: s3:GetObject s3:PutObject s3:ListBucket"},
		{"all versions kept", versionIDs(a.ManagedPolicy("arn:aws:iam::111122223333:policy/app-data-access")), []string{"v1", "v2", "v3"}},
		{"AWS managed policy", a.ManagedPolicy("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess").AWSManaged, true},
		{"customer managed policy", a.ManagedPolicy("arn:aws:iam::111122223333:policy/developer-boundary").AWSManaged, false},
		{"used as boundary", a.ManagedPolicy("arn:aws:iam::111122223333:policy/developer-boundary").UsedAsBoundary(), true},
		{"bob's identity policies", identityNames(t, s, "bob"), []string{
			`inline policy "kms-list" of user bob`,
			"managed policy arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser (v2)",
			`inline policy "kms-decrypt-app-data" of group developers`,
			"managed policy arn:aws:iam::111122223333:policy/app-data-access (v2)"}},
		{"regions", regionNames(a), []string{"ap-northeast-1", "us-east-1"}},
		{"default key policy", statementSids(t, key(k1)), []string{"Enable IAM User Permissions"}},
		{"console key policy", statementSids(t, key("alias/console-key")), []string{
			"Enable IAM User Permissions", "Allow access for Key Administrators", "Allow use of the key", "Allow attachment of persistent resources"}},
		{"key policy names the role", statementSids(t, key("alias/blog-setting3")), []string{"Enable IAM User Permissions", "Allow use of the key by app"}},
		{"cross-account key", key("alias/shared-with-partner").Tags, []inventory.Tag{{Key: "shared-with", Value: "444455556666"}}},
		{"grants", key(k5).Grants, []inventory.Grant{
			{ID: "0c237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d6a60", Name: "app-it-data",
				GranteePrincipal: "arn:aws:iam::111122223333:role/app", RetiringPrincipal: "arn:aws:iam::111122223333:role/app",
				Operations:              []string{"Decrypt", "Encrypt", "GenerateDataKey"},
				EncryptionContextSubset: map[string]string{"Department": "IT"},
				IssuingAccount:          "arn:aws:iam::111122223333:root", CreationDate: time.Date(2024, 3, 6, 2, 2, 13, 0, time.UTC)},
			{ID: "6f3d2c1b0a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29180716253443526170",
				GranteePrincipal:        "arn:aws:sts::111122223333:assumed-role/aws:ec2-infrastructure/i-0123456789abcdef0",
				Operations:              []string{"Decrypt"},
				EncryptionContextEquals: map[string]string{"aws:ebs:id": "vol-0abcdef1234567890"},
				IssuingAccount:          "arn:aws:iam::111122223333:root", CreationDate: time.Date(2024, 3, 6, 23, 15, 0, 0, time.UTC)},
			{ID: "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90", Name: "partner-reader",
				GranteePrincipal: "arn:aws:iam::444455556666:role/partner-reader", Operations: []string{"Decrypt", "DescribeKey"},
				IssuingAccount: "arn:aws:iam::111122223333:root", CreationDate: time.Date(2024, 5, 21, 0, 0, 0, 0, time.UTC)},
		}},
		{"AWS managed key", [2]any{key("alias/aws/s3").AWSManaged(), key("alias/aws/s3").Metadata.Manager}, [2]any{true, "AWS"}},
		{"asymmetric key: rotation does not apply", [3]any{key(k7).Metadata.KeySpec, key(k7).Rotation, key(k7).RotationIncomplete},
			[3]any{"RSA_2048", (*inventory.Rotation)(nil), (*inventory.Incomplete)(nil)}},
		{"pending deletion", [3]any{key("66667777-8888-9999-0000-111122223333").Metadata.State, key("66667777-8888-9999-0000-111122223333").Metadata.Enabled,
			key("66667777-8888-9999-0000-111122223333").Metadata.DeletionDate}, [3]any{"PendingDeletion", false, time.Date(2026, 12, 20, 1, 0, 0, 0, time.UTC)}},
		{"policy file missing", key(k9).PolicyIncomplete, &inventory.Incomplete{Reason: "the file is missing from the export",
			Source: "testdata/export/kms/ap-northeast-1/77778888-9999-0000-1111-222233334444/get-key-policy.json"}},
		{"policy access denied", key(k10).PolicyIncomplete.Source, "testdata/export/kms/us-east-1/88889999-0000-1111-2222-333344445555/get-key-policy.error"},
		{"the rest of that key is read", [2]any{key(k10).Metadata.Description, key(k10).Aliases}, [2]any{"legacy reports", []string{"alias/legacy-reports"}}},
		{"listed key without directory is kept", key(kx).PolicyIncomplete != nil && key(kx).MetadataIncomplete != nil, true},
		{"rotation period", *key("alias/blog-setting3").Rotation, inventory.Rotation{Enabled: true, PeriodDays: 180, NextRotationDate: time.Date(2024, 7, 30, 1, 0, 0, 0, time.UTC)}},
		{"bucket SSE-KMS", bucketOf(t, s, "app-data-111122223333").Encryption, &inventory.BucketEncryption{Algorithm: "aws:kms", KMSKeyID: k1, BucketKeyEnabled: true}},
		{"bucket key", bucketKey(t, s, "app-data-111122223333"), k1},
		{"bucket in us-east-1", bucketOf(t, s, "legacy-logs-111122223333").Region, "us-east-1"},
		{"no bucket policy", [2]any{bucketOf(t, s, "legacy-logs-111122223333").Policy, bucketOf(t, s, "legacy-logs-111122223333").PolicyIncomplete},
			[2]any{(*inventory.Document)(nil), (*inventory.Incomplete)(nil)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestLocations: every document points at its place in the export, so a
// policy error found later names the file, the line and the JSON path.
func TestLocations(t *testing.T) {
	s, _ := importExport(t)
	a := s.Account(acct)
	const gaad = "testdata/export/account-authorization-details.json"
	k, _ := s.Key(k1)
	tests := []struct {
		name string
		doc  *inventory.Document
		want inventory.Location
	}{
		{"key policy", k.Policy, inventory.Location{File: "testdata/export/kms/ap-northeast-1/1234abcd-12ab-34cd-56ef-1234567890ab/get-key-policy.json", Path: "Policy", Line: 2, Col: 15}},
		{"trust policy", role(t, s, "app").TrustPolicy, inventory.Location{File: gaad, Path: "RoleDetailList[0].AssumeRolePolicyDocument", Line: 152, Col: 41}},
		{"inline policy of the second page", role(t, s, "partner-access").InlinePolicies[0].Document, inventory.Location{File: gaad, Path: "RoleDetailList[1].RolePolicyList[0].PolicyDocument", Line: 473, Col: 39}},
		{"managed policy version", a.ManagedPolicy("arn:aws:iam::111122223333:policy/app-data-access").Document, inventory.Location{File: gaad, Path: "Policies[0].PolicyVersionList[1].Document", Line: 324, Col: 33}},
		{"SCP", a.Organization.SCPs[2].Policies[1].Document, inventory.Location{File: "testdata/export/organizations/scps.json", Path: "Levels[2].Policies[1].Policy.Content", Line: 84, Col: 36}},
		{"bucket policy", bucketOf(t, s, "app-data-111122223333").Policy, inventory.Location{File: "testdata/export/s3/app-data-111122223333/get-bucket-policy.json", Path: "Policy", Line: 2, Col: 15}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.doc == nil {
				t.Fatal("no document")
			}
			if diff := cmp.Diff(tt.want, tt.doc.Source); diff != "" {
				t.Errorf("Source (-want +got):\n%s", diff)
			}
			// The line is that of the document's value in the file.
			data, err := os.ReadFile(tt.want.File)
			if err != nil {
				t.Fatal(err)
			}
			line := strings.Split(string(data), "\n")[tt.want.Line-1]
			if key := tt.want.Path[strings.LastIndex(tt.want.Path, ".")+1:]; !strings.Contains(line, `"`+key+`"`) {
				t.Errorf("line %d of %s is %q, which is not the member %s", tt.want.Line, tt.want.File, line, key)
			}
		})
	}
}

// TestGAADForms: the three shapes of the IAM listing give the same IAM
// model: pages one after another (testdata/export), one merged object, and
// a list of API pages whose documents are URL-encoded.
func TestGAADForms(t *testing.T) {
	want := iamOf(t, "testdata/export/account-authorization-details.json")
	for _, file := range []string{"testdata/gaad/merged.json", "testdata/gaad/api-pages.json"} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			got := iamOf(t, file)
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("IAM of %s differs from the paged export (-want +got):\n%s", file, diff)
			}
		})
	}
}

// iamOf imports a GAAD file alone and returns its IAM part with the
// documents' sources cleared, since the files differ in layout.
func iamOf(t *testing.T, file string) *inventory.Account {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := importFS(fstest.MapFS{gaadFile: {Data: data}}, "export", fixed)
	if err != nil {
		t.Fatalf("import of %s: %v", file, err)
	}
	a := s.Accounts[0]
	clear := func(d *inventory.Document) {
		if d != nil {
			d.Source = inventory.Location{}
		}
	}
	for _, u := range a.Users {
		for _, p := range u.InlinePolicies {
			clear(p.Document)
		}
	}
	for _, g := range a.Groups {
		for _, p := range g.InlinePolicies {
			clear(p.Document)
		}
	}
	for _, r := range a.Roles {
		clear(r.TrustPolicy)
		for _, p := range r.InlinePolicies {
			clear(p.Document)
		}
	}
	for _, p := range a.Policies {
		clear(p.Document)
		for _, v := range p.Versions {
			clear(v.Document)
		}
	}
	return &inventory.Account{ID: a.ID, IAMIncomplete: a.IAMIncomplete, Users: a.Users, Groups: a.Groups, Roles: a.Roles, Policies: a.Policies}
}

// TestBroken runs testdata/broken/*.txtar. Each archive is an export (its
// files) plus what the import must say: "error" for an import that stops,
// or "warnings" and "gaps" (the snapshot's incomplete marks), one per
// line. -update rewrites those sections.
func TestBroken(t *testing.T) {
	files, err := filepath.Glob("testdata/broken/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/broken/*.txtar")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			fsys := fstest.MapFS{}
			want := map[string]*txtar.File{}
			for i := range ar.Files {
				f := &ar.Files[i]
				switch f.Name {
				case "error", "warnings", "gaps":
					want[f.Name] = f
				default:
					fsys[f.Name] = &fstest.MapFile{Data: f.Data}
				}
			}
			s, ws, err := importFS(fsys, "export", fixed)
			got := map[string]string{}
			if err != nil {
				if s != nil || ws != nil {
					t.Errorf("import returned a snapshot or warnings with its error")
				}
				got["error"] = err.Error() + "\n"
			} else {
				got["warnings"] = lines(ws)
				got["gaps"] = gapLines(s)
			}
			if _, ok := want["error"]; ok != (err != nil) {
				t.Fatalf("import error = %v; the archive expects an error: %v", err, ok)
			}
			for name, f := range want {
				if *update {
					f.Data = []byte(got[name])
					continue
				}
				if diff := cmp.Diff(string(f.Data), got[name]); diff != "" {
					t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
				}
			}
			if *update {
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestImportErrors(t *testing.T) {
	tests := []struct {
		name, dir string
		want      string
		notExist  bool
	}{
		{"missing directory", "testdata/no-such-export", "export directory testdata/no-such-export: no such file or directory", true},
		{"a file", "testdata/export/sts-get-caller-identity.json", "export directory testdata/export/sts-get-caller-identity.json: not a directory", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ws, err := Import(tt.dir, fixed)
			if err == nil || err.Error() != tt.want || s != nil || ws != nil {
				t.Fatalf("Import(%s) = %v, %v, %v; want nil, nil, %q", tt.dir, s, ws, err, tt.want)
			}
			if got := errors.Is(err, os.ErrNotExist); got != tt.notExist {
				t.Errorf("errors.Is(err, os.ErrNotExist) = %v, want %v", got, tt.notExist)
			}
		})
	}
	// An error located in a file is a policy.Errors.
	_, _, err := importFS(fstest.MapFS{gaadFile: {Data: []byte("{\n  \"UserDetailList\": [}\n")}}, "x", fixed)
	var pe policy.Errors
	if !errors.As(err, &pe) || pe[0].Line != 2 || pe[0].Source != "x/account-authorization-details.json" {
		t.Errorf("malformed GAAD error = %#v, want policy.Errors at x/account-authorization-details.json line 2", err)
	}
}

func TestTimestamps(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		bad  bool
	}{
		{in: `"2024-01-10T09:12:31.402000+09:00"`, want: time.Date(2024, 1, 10, 0, 12, 31, 402000000, time.UTC)},
		{in: `"2024-01-15T02:11:09Z"`, want: time.Date(2024, 1, 15, 2, 11, 9, 0, time.UTC)},
		{in: `"2024-01-15T02:11:09+0000"`, want: time.Date(2024, 1, 15, 2, 11, 9, 0, time.UTC)},
		{in: `1704844351.402`, want: time.Date(2024, 1, 9, 23, 52, 31, 402000000, time.UTC)},
		{in: `1704844351`, want: time.Date(2024, 1, 9, 23, 52, 31, 0, time.UTC)},
		{in: `"last tuesday"`, bad: true},
		{in: `-5`, bad: true},
		{in: `true`, bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			f := &file{name: "f.json", data: []byte(`{"T": ` + tt.in + `}`)}
			vs, err := parseValues(f.data)
			if err != nil {
				t.Fatal(err)
			}
			s := &shape{f: f}
			got := s.timestamp(vs[0], "T", "")
			if tt.bad != (len(s.errs) > 0) {
				t.Fatalf("timestamp(%s): errors %v, want error %v", tt.in, s.errs, tt.bad)
			}
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("timestamp(%s) = %v, want %v in UTC", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseValues(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    int
		wantErr string
		offset  int
	}{
		{name: "one", in: `{"a": 1}`, want: 1},
		{name: "two", in: "{\"a\": 1}\n{\"b\": 2}\n", want: 2},
		{name: "two adjacent", in: `{}{}`, want: 2},
		{name: "empty", in: "  \n", wantErr: "no JSON value"},
		{name: "second broken", in: "{\"a\": 1}\n{\"b\": }\n", wantErr: "unexpected '}', expected a JSON value", offset: 15},
		{name: "trailing junk", in: "{} x", wantErr: "unexpected 'x', expected a JSON value", offset: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, err := parseValues([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("parseValues(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				var se *posjson.SyntaxError
				if !errors.As(err, &se) || se.Offset != tt.offset {
					t.Errorf("error %#v, want a *posjson.SyntaxError at offset %d", err, tt.offset)
				}
				return
			}
			if err != nil || len(vs) != tt.want {
				t.Fatalf("parseValues(%q) = %d values, %v; want %d", tt.in, len(vs), err, tt.want)
			}
			// Offsets are into the whole input.
			last := vs[len(vs)-1]
			if tt.in[last.Offset] != '{' {
				t.Errorf("last value's offset %d points at %q", last.Offset, tt.in[last.Offset])
			}
		})
	}
}

// TestExamples checks examples/account: three exports of one account that
// differ only where the classic S3 + SSE-KMS experiment differs.
func TestExamples(t *testing.T) {
	const (
		role   = "dev-sample-ec2-role1"
		bucket = "sample-dev-blog-bucket"
	)
	tests := []struct {
		setting      string
		iamKMS       bool // the role's IAM policy allows KMS
		keyNamesRole bool // the key policy names the role
	}{
		{"setting1", true, false},
		{"setting2", false, false},
		{"setting3", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.setting, func(t *testing.T) {
			s, ws, err := Import(filepath.Join("..", "..", "examples", "account", tt.setting), fixed)
			if err != nil {
				t.Fatal(err)
			}
			if len(ws) > 0 {
				t.Errorf("warnings:\n%s", lines(ws))
			}
			if gaps := s.Gaps(); len(gaps) > 0 {
				t.Errorf("incomplete:\n%s", gapLines(s))
			}
			p, err := s.Principal(role)
			if err != nil {
				t.Fatal(err)
			}
			if p.Account.ID != "123456789012" {
				t.Errorf("account = %s, want 123456789012", p.Account.ID)
			}
			trust, err := p.Role.ParseTrustPolicy()
			if err != nil || len(trust.Statements) != 1 || trust.Statements[0].Principal.String() != "Service:ec2.amazonaws.com" {
				t.Errorf("trust policy = %v, %v; want EC2", trust, err)
			}
			docs, err := p.IdentityPolicies()
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, d := range docs {
				for _, st := range d.Statements {
					actions = append(actions, st.Action...)
				}
			}
			hasKMS := strings.Contains(strings.Join(actions, " "), "kms:GenerateDataKey")
			if hasKMS != tt.iamKMS || !strings.Contains(strings.Join(actions, " "), "s3:PutObject") {
				t.Errorf("IAM actions %v: KMS %v, want %v, and s3:PutObject", actions, hasKMS, tt.iamKMS)
			}
			k, err := s.BucketKey(bucket)
			if err != nil || k == nil {
				t.Fatalf("BucketKey(%s) = %v, %v", bucket, k, err)
			}
			if k.Region != "ap-northeast-1" || k.AWSManaged() {
				t.Errorf("bucket key %s: region %s, AWS managed %v", k.ARN, k.Region, k.AWSManaged())
			}
			kp, err := k.ParsePolicy()
			if err != nil {
				t.Fatal(err)
			}
			names := false
			for _, st := range kp.Statements {
				if st.Principal != nil && strings.Contains(st.Principal.String(), ":role/"+role) {
					names = true
				}
			}
			if names != tt.keyNamesRole {
				t.Errorf("key policy names the role: %v, want %v", names, tt.keyNamesRole)
			}
		})
	}
}

// Helpers of the fact table.

func levelIDs(levels []inventory.OrgLevel) []string {
	var out []string
	for _, l := range levels {
		ids := []string{}
		for _, p := range l.Policies {
			ids = append(ids, p.ID)
		}
		out = append(out, l.TargetID+": "+strings.Join(ids, " "))
	}
	return out
}

func count(a *inventory.Account) string {
	return strings.Join([]string{
		strconv.Itoa(len(a.Users)) + " users", strconv.Itoa(len(a.Groups)) + " groups", strconv.Itoa(len(a.Roles)) + " roles", strconv.Itoa(len(a.Policies)) + " policies",
	}, ", ")
}

func role(t *testing.T, s *inventory.Snapshot, name string) *inventory.Role {
	t.Helper()
	p, err := s.Principal(name)
	if err != nil || p.Role == nil {
		t.Fatalf("role %s: %v", name, err)
	}
	return p.Role
}

func user(t *testing.T, s *inventory.Snapshot, name string) *inventory.User {
	t.Helper()
	p, err := s.Principal(name)
	if err != nil || p.User == nil {
		t.Fatalf("user %s: %v", name, err)
	}
	return p.User
}

func policyActions(t *testing.T, mp *inventory.ManagedPolicy) string {
	t.Helper()
	d, err := mp.ParseDocument()
	if err != nil {
		t.Fatal(err)
	}
	var acts []string
	for _, st := range d.Statements {
		acts = append(acts, st.Action...)
	}
	return mp.DefaultVersionID + ": " + strings.Join(acts, " ")
}

func versionIDs(mp *inventory.ManagedPolicy) []string {
	var out []string
	for _, v := range mp.Versions {
		out = append(out, v.ID)
	}
	return out
}

func identityNames(t *testing.T, s *inventory.Snapshot, name string) []string {
	t.Helper()
	p, err := s.Principal(name)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := p.IdentityPolicies()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range docs {
		out = append(out, d.Name)
	}
	return out
}

func regionNames(a *inventory.Account) []string {
	var out []string
	for _, r := range a.KMSRegions {
		out = append(out, r.Name)
	}
	return out
}

func statementSids(t *testing.T, k *inventory.Key) []string {
	t.Helper()
	d, err := k.ParsePolicy()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, st := range d.Statements {
		out = append(out, st.Sid)
	}
	return out
}

func bucketOf(t *testing.T, s *inventory.Snapshot, name string) *inventory.Bucket {
	t.Helper()
	b, err := s.Bucket(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func bucketKey(t *testing.T, s *inventory.Snapshot, name string) string {
	t.Helper()
	k, err := s.BucketKey(name)
	if err != nil || k == nil {
		t.Fatalf("BucketKey(%s) = %v, %v", name, k, err)
	}
	return k.ARN
}

// TestLineCol: the indexed lookup agrees with posjson.LineCol everywhere,
// multi-byte characters and the end of the input included.
func TestLineCol(t *testing.T) {
	data := []byte("{\n  \"a\": \"日本語\",\n\n  \"b\": [1,\n 2]\n}")
	f := &file{data: data}
	for off := 0; off <= len(data)+1; off++ {
		wl, wc := posjson.LineCol(data, off)
		gl, gc := f.lineCol(off)
		if gl != wl || gc != wc {
			t.Errorf("lineCol(%d) = %d:%d, want %d:%d", off, gl, gc, wl, wc)
		}
	}
}
