package terraform

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/policy"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const allTypes = "testdata/all-types/plan.json"

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

func apply(t *testing.T, base *inventory.Snapshot, c *inventory.Change) (*inventory.Snapshot, []string) {
	t.Helper()
	s, warnings, err := inventory.Apply(base, c)
	if err != nil {
		t.Fatal(err)
	}
	return s, warnings
}

func save(t *testing.T, s *inventory.Snapshot) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := s.Save(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestPlanFixtures checks that every plan fixture of the repository follows
// Terraform's JSON plan format, as hashicorp/terraform-json reads and
// validates it.
func TestPlanFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/*/plan*.json")
	examples, _ := filepath.Glob("../../../examples/iac/terraform/*/plan*.json")
	files = append(files, examples...)
	if len(examples) == 0 || len(files) < 2 {
		t.Fatalf("plan fixtures not found: %v", files)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var p tfjson.Plan
		if err := json.Unmarshal(data, &p); err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if err := p.Validate(); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if p.PriorState != nil {
			if err := p.PriorState.Validate(); err != nil {
				t.Errorf("%s: prior_state: %v", f, err)
			}
		}
		if p.Config == nil || len(p.ResourceChanges) == 0 {
			t.Errorf("%s: no configuration or no resource_changes", f)
		}
		// Every change has actions, and after_unknown mirrors after.
		for _, rc := range p.ResourceChanges {
			if rc.Change == nil || len(rc.Change.Actions) == 0 {
				t.Errorf("%s: %s has no actions", f, rc.Address)
			}
		}
	}
}

// TestResourceTypes reads the plan of testdata/all-types without and with
// its sources and compares the accounts with the golden snapshots
// (-update rewrites them).
func TestResourceTypes(t *testing.T) {
	for _, tt := range []struct {
		name   string
		opts   Options
		golden string
	}{
		{"plan only", Options{}, "testdata/all-types/plan-only.golden"},
		{"with sources", Options{SourceDir: "testdata/all-types"}, "testdata/all-types/with-sources.golden"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, warnings, err := Read(allTypes, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			s, applied := apply(t, nil, c)
			all := append(slices.Clone(warnings), applied...)
			var b bytes.Buffer
			b.Write(save(t, s))
			b.WriteString("\n// warnings\n")
			for _, w := range all {
				b.WriteString(w + "\n")
			}
			goldenFile(t, tt.golden, b.Bytes())
		})
	}
}

// TestAccountAndRegion: the account comes from --account, the plan or the
// base; the region from the resource's provider, else --region.
func TestAccountAndRegion(t *testing.T) {
	c, _, err := Read(allTypes, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Account != "111122223333" {
		t.Errorf("account = %s, want the caller identity's", c.Account)
	}
	if want := []string{"us-east-1", "us-west-2"}; !slices.Equal(c.Regions, want) {
		t.Errorf("regions = %v, want %v", c.Regions, want)
	}
	if _, _, err := Read(allTypes, Options{Account: "999988887777"}); err == nil || !strings.Contains(err.Error(), "the plan is for account 111122223333 (data.aws_caller_identity.current.account_id), not 999988887777 (--account)") {
		t.Errorf("conflicting --account: %v", err)
	}
	if _, _, err := Read(allTypes, Options{Account: "1234"}); err == nil {
		t.Error("a bad --account is accepted")
	}
	// Without a caller identity, an ARN of the prior state tells.
	p := withoutCallerIdentity(t)
	c, _, err = Read(p, Options{})
	if err != nil || c.Account != "111122223333" {
		t.Errorf("account from ARNs = %v, %v", c, err)
	}
	if _, _, err := Read("../../../examples/iac/terraform/blog/plan-setting1.json", Options{Account: "123456789012"}); err != nil {
		t.Error(err)
	}
}

func withoutCallerIdentity(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(allTypes)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.ReplaceAll(data, []byte(`"type": "aws_caller_identity"`), []byte(`"type": "aws_region"`))
	f := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(f, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestUnknownValues pins what happens to each value the plan holds as
// known after apply.
func TestUnknownValues(t *testing.T) {
	read := func(opts Options) *inventory.Account {
		c, _, err := Read(allTypes, opts)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := apply(t, nil, c)
		return s.Accounts[0]
	}
	key := func(a *inventory.Account, arn string) *inventory.Key {
		for _, k := range a.Keys {
			if k.ARN == arn {
				return k
			}
		}
		t.Fatalf("no key %s", arn)
		return nil
	}
	mainKey := "arn:aws:kms:us-east-1:111122223333:key/{{tf:aws_kms_key.main}}"
	roleARN := "arn:aws:iam::111122223333:role/apps/app"

	plan := read(Options{})
	k := key(plan, mainKey)
	// The key policy names a role through a module output: unknown in the
	// plan, incomplete without the sources.
	if k.Policy != nil || k.PolicyIncomplete == nil || k.PolicyIncomplete.Reason != "known after apply (aws_kms_key_policy.main.policy); give --tf-dir to rebuild it from the sources" {
		t.Errorf("key policy without sources: %+v %+v", k.Policy, k.PolicyIncomplete)
	}
	// Identifiers follow references: the alias, the grant's key and
	// grantee, the bucket's encryption key, the replica's key ID.
	if !slices.Equal(k.Aliases, []string{"alias/main"}) || len(k.Grants) != 1 || k.Grants[0].GranteePrincipal != roleARN ||
		k.Grants[0].ID != "{{tf:aws_kms_grant.app}}" {
		t.Errorf("main key aliases %v grants %+v", k.Aliases, k.Grants)
	}
	replica := key(plan, "arn:aws:kms:us-west-2:111122223333:key/{{tf:aws_kms_key.main}}")
	if replica.Metadata.MultiRegionKeyType != "REPLICA" || replica.Rotation == nil || replica.Rotation.PeriodDays != 180 {
		t.Errorf("replica = %+v rotation %+v", replica.Metadata, replica.Rotation)
	}
	if b := bucket(t, plan, "data-111122223333"); b.Encryption == nil || b.Encryption.KMSKeyID != mainKey {
		t.Errorf("bucket encryption = %+v", b.Encryption)
	}
	// A role named by name_prefix has a placeholder name; its trust
	// policy comes from a data source read while planning.
	var prefixed *inventory.Role
	for _, r := range plan.Roles {
		if r.Name == "{{tf:aws_iam_role.prefixed}}" {
			prefixed = r
		}
	}
	if prefixed == nil || prefixed.ARN != "arn:aws:iam::111122223333:role/{{tf:aws_iam_role.prefixed}}" || prefixed.TrustPolicy == nil {
		t.Errorf("prefixed role = %+v", prefixed)
	}
	// A policy rendered from a data source whose statements are unknown
	// needs the sources.
	if p := plan.ManagedPolicy("arn:aws:iam::111122223333:policy/decrypt"); p == nil || p.Document != nil || p.Incomplete == nil {
		t.Errorf("decrypt policy without sources = %+v", p)
	}

	src := read(Options{SourceDir: "testdata/all-types"})
	k = key(src, mainKey)
	if k.Policy == nil || !strings.Contains(string(k.Policy.JSON), `"AWS":"`+roleARN+`"`) {
		t.Errorf("key policy with sources = %v %+v", k.Policy, k.PolicyIncomplete)
	}
	p := src.ManagedPolicy("arn:aws:iam::111122223333:policy/decrypt")
	want := `{"Version":"2012-10-17","Statement":[{"Sid":"Decrypt","Effect":"Allow","Action":"kms:Decrypt","Resource":["` + mainKey +
		`","arn:aws:kms:us-west-2:111122223333:key/{{tf:aws_kms_key.main}}"],"Condition":{"StringEquals":{"kms:EncryptionContext:app":"${aws:username}"}}}]}`
	if p == nil || p.Document == nil || string(p.Document.JSON) != want {
		t.Errorf("decrypt policy with sources:\n got %v\nwant %s", p.Document, want)
	}
}

func bucket(t *testing.T, a *inventory.Account, name string) *inventory.Bucket {
	t.Helper()
	for _, b := range a.Buckets {
		if b.Name == name {
			return b
		}
	}
	t.Fatalf("no bucket %s", name)
	return nil
}

// TestSourceLocations: with the sources, every entity the configuration
// declares names its .tf file and the line of its block, and every policy
// the line of its argument; without them, the plan and the address.
func TestSourceLocations(t *testing.T) {
	c, _, err := Read(allTypes, Options{SourceDir: "testdata/all-types"})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := apply(t, nil, c)
	a := s.Accounts[0]
	files := map[string][]string{}
	check := func(what string, l *inventory.Location, removed bool) {
		t.Helper()
		if l == nil {
			t.Errorf("%s has no source", what)
			return
		}
		if removed {
			// Resources no longer in the configuration are found in
			// the plan only.
			if l.File != allTypes || l.Line != 0 {
				t.Errorf("%s: source %+v, want the plan", what, l)
			}
			return
		}
		if _, ok := files[l.File]; !ok {
			data, err := os.ReadFile(l.File)
			if err != nil {
				t.Errorf("%s: source %+v: %v", what, l, err)
				return
			}
			files[l.File] = strings.Split(string(data), "\n")
		}
		lines := files[l.File]
		if l.Line < 1 || l.Line > len(lines) {
			t.Errorf("%s: line %d out of %s", what, l.Line, l.File)
			return
		}
		// A block's line names its type and name; an argument's line
		// starts with the argument.
		parts := strings.Split(l.Path, ".")
		last := parts[len(parts)-1]
		line := lines[l.Line-1]
		// An argument the configuration does not give (a data
		// source's computed policy) is at its block.
		declares := strings.HasPrefix(strings.TrimSpace(line), last)
		for _, p := range parts {
			declares = declares || strings.Contains(line, `"`+p+`"`)
		}
		if !declares {
			t.Errorf("%s: %s:%d %q does not declare %s", what, l.File, l.Line, line, l.Path)
		}
	}
	n := 0
	for _, r := range a.Roles {
		check("role "+r.Name, r.Source, false)
		check("trust policy of "+r.Name, &r.TrustPolicy.Source, false)
		n++
	}
	for _, u := range a.Users {
		if u.Source != nil {
			check("user "+u.Name, u.Source, u.Name == "former")
			n++
		}
	}
	for _, g := range a.Groups {
		check("group "+g.Name, g.Source, false)
		n++
	}
	for _, p := range a.Policies {
		check("policy "+p.ARN, p.Source, false)
		if p.Document != nil {
			check("document of "+p.ARN, &p.Document.Source, false)
		}
		n++
	}
	for _, k := range a.Keys {
		if k.Source == nil {
			continue // keys only the plan's edits name
		}
		removed := strings.Contains(k.ARN, "0ld00000")
		check("key "+k.ARN, k.Source, removed)
		n++
		for _, g := range k.Grants {
			check("grant "+g.ID, g.Source, false)
		}
	}
	for _, b := range a.Buckets {
		if b.Source != nil {
			check("bucket "+b.Name, b.Source, false)
			n++
		}
	}
	if n < 12 {
		t.Errorf("only %d entities checked", n)
	}
	// The role of the child module is in the module's file.
	for _, r := range a.Roles {
		if r.Name == "app" && r.Source.File != filepath.Join("testdata", "all-types", "modules", "iam", "main.tf") {
			t.Errorf("role app: %s", r.Source.File)
		}
	}
}

// TestOverBase lays the plan over an account that holds what its prior
// state describes (and more): deletes and replacements take effect, the
// rest is kept.
func TestOverBase(t *testing.T) {
	base, err := inventory.Load("testdata/base.snapshot.json")
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := Read(allTypes, Options{SourceDir: "testdata/all-types"})
	if err != nil {
		t.Fatal(err)
	}
	s, warnings := apply(t, base, c)
	if len(warnings) != 0 {
		t.Errorf("warnings: %q", warnings)
	}
	a := s.Accounts[0]
	// Deleted: role gone; the old key pending deletion after its 7-day
	// window; its alias gone.
	for _, r := range a.Roles {
		if r.Name == "gone" {
			t.Error("role gone is still there")
		}
	}
	old, err := s.Key("arn:aws:kms:us-east-1:111122223333:key/0ld00000-0000-4000-8000-000000000001")
	if err != nil {
		t.Fatal(err)
	}
	if old.Metadata.State != "PendingDeletion" || !old.Metadata.DeletionDate.Equal(time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)) || len(old.Aliases) != 0 {
		t.Errorf("old key = %+v aliases %v", old.Metadata, old.Aliases)
	}
	// Replaced: the old key of aws_kms_key.rotated is pending deletion,
	// the new one is there.
	if k, err := s.Key("arn:aws:kms:us-east-1:111122223333:key/2222aaaa-0000-4000-8000-000000000002"); err != nil || k.Metadata.State != "PendingDeletion" {
		t.Errorf("replaced key: %v %v", k, err)
	}
	if _, err := s.Key("arn:aws:kms:us-east-1:111122223333:key/{{tf:aws_kms_key.rotated}}"); err != nil {
		t.Error(err)
	}
	// A destroyed aws_kms_key_policy puts the default policy back.
	legacy, err := s.Key("3333bbbb-0000-4000-8000-000000000003")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(legacy.Policy.JSON), `"Id":"key-default-1"`) {
		t.Errorf("legacy key policy = %s", legacy.Policy.JSON)
	}
	// Detached: app loses the old policy, keeps what the base attached
	// outside Terraform only where the role's managed_policy_arns does not
	// say otherwise (it does: exclusive), gains decrypt and static.
	var app *inventory.Role
	for _, r := range a.Roles {
		if r.Name == "app" {
			app = r
		}
	}
	wantAttached := []string{"arn:aws:iam::111122223333:policy/decrypt", "arn:aws:iam::111122223333:policy/team/static", "arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser"}
	if app == nil || !slices.Equal(app.AttachedPolicies, wantAttached) {
		t.Errorf("app attached = %v, want %v", app.AttachedPolicies, wantAttached)
	}
	// Changed: the static policy's document is the new one.
	if p := a.ManagedPolicy("arn:aws:iam::111122223333:policy/team/static"); p == nil || !strings.Contains(string(p.Document.JSON), "kms:ListAliases") || p.AttachmentCount != 1 {
		t.Errorf("static policy = %+v", p)
	}
	// Kept: the base's unrelated key, and the user Terraform forgets.
	if _, err := s.Key("arn:aws:kms:us-east-1:111122223333:key/4444cccc-0000-4000-8000-000000000004"); err != nil {
		t.Error(err)
	}
	if p, err := s.Principal("former"); err != nil || p.User.Incomplete != nil {
		t.Errorf("former: %v %v", p, err)
	}
	// The SCP joined the OU of the base's organization chain.
	ou := a.Organization.SCPs[1]
	if len(ou.Policies) != 1 || ou.Policies[0].Name != "deny-key-deletion" {
		t.Errorf("OU level = %+v", ou)
	}
	// The deposed bucket went.
	for _, b := range a.Buckets {
		if b.Name == "data-old-111122223333" {
			t.Error("the deposed bucket is still there")
		}
	}
}

func TestPlanErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	tests := []struct {
		name, text, want string
	}{
		{"syntax", "{\n  \"format_version\": \"1.2\",\n  \"planned_values\": {,\n}", "syntax.json:3:22: invalid JSON: unexpected ',' in object, expected a quoted key"},
		{"not object", "[1]", "not object.json:1:1: a plan must be a JSON object, not array"},
		{"not a plan", `{"format_version": "1.0", "values": {}}`, `not a plan.json:1:1: neither "planned_values" nor "resource_changes": this is not a plan`},
		{"no version", `{"planned_values": {}}`, `no version.json:1:1: no "format_version": this is not the output of terraform show -json PLANFILE`},
		{"future version", `{"format_version": "2.0", "planned_values": {}}`, `future version.json:1:20: format_version: unsupported plan format version: "2.0.0" does not satisfy ">= 0.1, < 2.0"`},
		{"wrong type", `{"format_version": "1.2", "resource_changes": {"a": 1}}`, `wrong type.json:1:48: resource_changes: must be []*tfjson.ResourceChange, not object`},
		{"no account", `{"format_version": "1.2", "resource_changes": []}`, "the plan does not say which account it is for"},
		{"deep", `{"format_version": "1.2", "resource_changes": ` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + `}`, "JSON nested too deeply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := write(tt.name+".json", tt.text)
			_, _, err := Read(f, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Read = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if _, _, err := Read(filepath.Join(dir, "none.json"), Options{}); err == nil {
		t.Error("a missing plan is read")
	}
	if _, _, err := Read(allTypes, Options{SourceDir: filepath.Join(dir, "none")}); err == nil || !strings.Contains(err.Error(), "--tf-dir") {
		t.Errorf("a missing --tf-dir: %v", err)
	}
	var pe policy.Errors
	_, _, err := Read(write("x.json", "[1]"), Options{})
	if !errors.As(err, &pe) {
		t.Errorf("error %T is not policy.Errors", err)
	}
}

func TestPlaceholderDescriptions(t *testing.T) {
	// The placeholders of a plan read as what they are.
	for in, want := range map[string]string{
		"arn:aws:kms:us-east-1:111122223333:key/{{tf:aws_kms_key.main}}":        "the key that aws_kms_key.main will create",
		"arn:aws:iam::111122223333:role/{{tf:aws_iam_role.prefixed}}":           "the role that aws_iam_role.prefixed will create",
		"{{tf:aws_kms_grant.app}}":                                              "the grant that aws_kms_grant.app will create",
		"arn:aws:kms:us-west-2:111122223333:key/{{tf:aws_kms_key.main}} (west)": "the key that aws_kms_key.main will create (west)",
	} {
		if got := inventory.DescribePlanned(in, "en"); got != want {
			t.Errorf("DescribePlanned(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDefaultsFilled: what AWS fills in when the configuration leaves it
// out is written explicitly (house style): a key without policy has the
// default key policy, its spec, usage, origin and state; rotation is off;
// a new bucket without an encryption configuration is encrypted with
// SSE-S3.
func TestDefaultsFilled(t *testing.T) {
	c, _, err := Read(allTypes, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := apply(t, nil, c)
	k, err := s.Key("{{tf:aws_kms_key.nopolicy}}")
	if err != nil {
		t.Fatal(err)
	}
	wantMeta := inventory.KeyMetadata{State: "Enabled", Enabled: true, KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT", Origin: "AWS_KMS", Manager: "CUSTOMER", Description: "no policy given"}
	if diff := cmp.Diff(wantMeta, *k.Metadata); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
	if k.Rotation == nil || k.Rotation.Enabled {
		t.Errorf("rotation = %+v, want off", k.Rotation)
	}
	if want := `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`; string(k.Policy.JSON) != want {
		t.Errorf("policy = %s", k.Policy.JSON)
	}
	// The bucket created without encryption configuration of its own:
	// the edit fills SSE-S3 before the configuration resource changes it.
	c2 := &inventory.Change{Source: c.Source, Account: c.Account}
	for _, e := range c.Edits {
		if pb, ok := e.(*inventory.PutBucket); ok && pb.Bucket.Name == "data-111122223333" {
			c2.Edits = append(c2.Edits, e)
		}
	}
	s2, _ := apply(t, nil, c2)
	if b := s2.Accounts[0].Buckets[0]; b.Encryption == nil || b.Encryption.Algorithm != inventory.SSES3 {
		t.Errorf("new bucket encryption = %+v, want SSE-S3", b.Encryption)
	}
}
