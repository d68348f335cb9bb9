package cloudformation

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/keywarden/keywarden/internal/inventory"
)

// applied lays a change over an empty account and returns the snapshot.
func applied(t *testing.T, c *inventory.Change) *inventory.Snapshot {
	t.Helper()
	c.GeneratedAt = time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)
	s, _, err := inventory.Apply(nil, c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var sourceRE = regexp.MustCompile(`"source":\s*\{[^{}]*\}`)

// editStrings renders the account a change makes as JSON lines, without
// source locations (which name the file read).
func editStrings(t *testing.T, c *inventory.Change) []string {
	t.Helper()
	var b bytes.Buffer
	if err := applied(t, c).Save(&b); err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	for _, line := range strings.Split(b.String(), "\n") {
		compact.WriteString(strings.TrimSpace(line))
	}
	return []string{sourceRE.ReplaceAllString(compact.String(), "")}
}

// TestResourceTypes reads testdata/all-types.yaml, which declares every
// resource type read, and compares the account it makes with
// testdata/all-types.golden.json (-update rewrites it).
func TestResourceTypes(t *testing.T) {
	c, warnings, err := Read([]string{"testdata/all-types.yaml"}, Options{Account: "111122223333", Region: "eu-west-1", Parameters: map[string]string{"Tier": "prod"}})
	if err != nil {
		t.Fatal(err)
	}
	wantWarnings := []string{
		"testdata/all-types.yaml:105:3: Resources.MaybeBucket: condition FromSSMIsSet is not known before deployment: the resource is read as if it were created",
	}
	if diff := cmp.Diff(wantWarnings, warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	var got bytes.Buffer
	if err := applied(t, c).Save(&got); err != nil {
		t.Fatal(err)
	}
	goldenFile(t, "testdata/all-types.golden.json", got.Bytes())
}

// TestSourceLocations: every entity and every policy document of
// all-types.yaml names the template, its path and the line of its key.
func TestSourceLocations(t *testing.T) {
	c, _, err := Read([]string{"testdata/all-types.yaml"}, Options{Account: "111122223333", Region: "eu-west-1", Parameters: map[string]string{"Tier": "prod"}})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(readFile(t, "testdata/all-types.yaml"), "\n")
	check := func(what string, l *inventory.Location) {
		t.Helper()
		if l == nil {
			t.Errorf("%s has no source", what)
			return
		}
		if l.File != "testdata/all-types.yaml" || l.Line < 1 || l.Line > len(lines) || l.Col < 1 {
			t.Errorf("%s: source %+v", what, l)
			return
		}
		// The line holds the last element of the path (the logical ID,
		// the property), or, for a YAML block value, follows it.
		last := l.Path[strings.LastIndexAny(l.Path, ".")+1:]
		last, _, _ = strings.Cut(last, "[")
		// A default (a key's policy when none is given) is at the
		// resource.
		logical := strings.Split(l.Path, ".")[1]
		if !strings.Contains(lines[l.Line-1], last) && (l.Line < 2 || !strings.Contains(lines[l.Line-2], last)) &&
			!strings.Contains(lines[l.Line-1], logical+":") {
			t.Errorf("%s: line %d %q does not hold %q", what, l.Line, lines[l.Line-1], last)
		}
	}
	s := applied(t, c)
	a := s.Accounts[0]
	n := 0
	for _, r := range a.Roles {
		check("role "+r.Name, r.Source)
		if r.TrustPolicy != nil {
			check("trust policy of "+r.Name, &r.TrustPolicy.Source)
		}
		for _, p := range r.InlinePolicies {
			if p.Document != nil {
				check("inline policy "+p.Name, &p.Document.Source)
			}
		}
		n++
	}
	for _, u := range a.Users {
		check("user "+u.Name, u.Source)
		n++
	}
	for _, g := range a.Groups {
		check("group "+g.Name, g.Source)
		n++
	}
	for _, p := range a.Policies {
		check("policy "+p.Name, p.Source)
		if p.Document != nil {
			check("document of "+p.Name, &p.Document.Source)
		}
		n++
	}
	for _, k := range a.Keys {
		check("key "+k.ARN, k.Source)
		if k.Policy != nil {
			check("policy of key "+k.ARN, &k.Policy.Source)
		}
		n++
	}
	for _, b := range a.Buckets {
		check("bucket "+b.Name, b.Source)
		n++
	}
	if n < 10 {
		t.Errorf("only %d entities checked", n)
	}
}

// TestDefaultsFilled: what AWS fills in when a template leaves it out is
// written explicitly (house style): a key's spec, usage, origin, state,
// rotation (off) and default policy; a bucket's SSE-S3 encryption.
func TestDefaultsFilled(t *testing.T) {
	f := filepath.Join(t.TempDir(), "t.yaml")
	if err := os.WriteFile(f, []byte("Resources:\n  K: {Type: AWS::KMS::Key}\n  B: {Type: AWS::S3::Bucket}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, _, err := Read([]string{f}, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	a := applied(t, c).Accounts[0]
	k := a.Keys[0]
	wantMeta := inventory.KeyMetadata{State: "Enabled", Enabled: true, KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT", Origin: "AWS_KMS", Manager: "CUSTOMER"}
	if diff := cmp.Diff(wantMeta, *k.Metadata); diff != "" {
		t.Errorf("key metadata (-want +got):\n%s", diff)
	}
	if k.Rotation == nil || k.Rotation.Enabled {
		t.Errorf("rotation = %+v, want off", k.Rotation)
	}
	if want := `{"Version":"2012-10-17","Id":"key-default","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`; string(k.Policy.JSON) != want {
		t.Errorf("default key policy = %s", k.Policy.JSON)
	}
	if k.ID != "{{cfn:K}}" || k.ARN != "arn:aws:kms:us-east-1:111122223333:key/{{cfn:K}}" {
		t.Errorf("key %s %s", k.ID, k.ARN)
	}
	b := a.Buckets[0]
	if b.Name != "{{cfn:B}}" || b.Region != "us-east-1" || b.Encryption == nil || b.Encryption.Algorithm != inventory.SSES3 {
		t.Errorf("bucket = %+v", b)
	}
}

// TestStacksWithSameLogicalIDs: two templates declaring AppRole without a
// name are two roles.
func TestStacksWithSameLogicalIDs(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"network.yaml", "app.template.json"} {
		text := "Resources:\n  AppRole:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {Statement: []}\n"
		if err := os.WriteFile(filepath.Join(dir, n), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, _, err := Read([]string{dir}, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range applied(t, c).Accounts[0].Roles {
		names = append(names, r.Name)
	}
	if diff := cmp.Diff([]string{"{{cfn:app/AppRole}}", "{{cfn:network/AppRole}}"}, names); diff != "" {
		t.Errorf("role names (-want +got):\n%s", diff)
	}
}

// TestCfnLint validates the templates of examples/ and testdata with
// cfn-lint when it is on PATH (the machine image ships it); with
// KEYWARDEN_REQUIRE_CFNLINT=1 its absence fails the test.
func TestCfnLint(t *testing.T) {
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		if os.Getenv("KEYWARDEN_REQUIRE_CFNLINT") == "1" {
			t.Fatal("cfn-lint is not on PATH and KEYWARDEN_REQUIRE_CFNLINT=1")
		}
		t.Skip("cfn-lint is not on PATH")
	}
	files := []string{"testdata/all-types.yaml", "testdata/intrinsics.yaml", "testdata/exports.json"}
	examples, _ := filepath.Glob("../../../examples/iac/cloudformation/*.yaml")
	files = append(files, examples...)
	if len(examples) == 0 {
		t.Error("no example templates found")
	}
	out, err := exec.Command(bin, append([]string{"--non-zero-exit-code", "error"}, files...)...).CombinedOutput()
	if err != nil {
		t.Errorf("cfn-lint %s: %v\n%s", strings.Join(files, " "), err, out)
	}
}

func readFile(t *testing.T, f string) string {
	t.Helper()
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func goldenFile(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update)", err, t.Name())
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got); if intended, run go test -run %s -update:\n%s", path, t.Name(), diff)
	}
}
