package accountgen

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/keywarden/keywarden/internal/awscli"
	"github.com/keywarden/keywarden/internal/inventory"
)

// sameAccount compares snapshots as an import gives them back: the
// metadata and where each document was read are the import's own.
var sameAccount = cmp.Options{
	cmpopts.IgnoreFields(inventory.Snapshot{}, "Metadata"),
	cmp.Comparer(func(a, b *inventory.Document) bool {
		if a == nil || b == nil {
			return a == b
		}
		return bytes.Equal(a.JSON, b.JSON)
	}),
	cmpopts.EquateEmpty(),
}

func importDir(t *testing.T, dir string) *inventory.Snapshot {
	t.Helper()
	s, warnings, err := awscli.Import(dir, awscli.Options{})
	if err != nil {
		t.Fatalf("Import(%s): %v", dir, err)
	}
	for _, w := range warnings {
		t.Errorf("Import(%s): warning: %s", dir, w)
	}
	return s
}

// TestExportImport: what WriteExport writes, awscli.Import reads back as
// the same snapshot, without a warning (every policy parses).
func TestExportImport(t *testing.T) {
	tests := []struct {
		principals, keys int
		seed             uint64
	}{
		{FixedPrincipals, 1, 1},
		{204, 20, 1},
		{204, 20, 2},
		{1004, 100, 3},
	}
	for _, tt := range tests {
		want := generate(t, tt.principals, tt.keys, tt.seed)
		dir := filepath.Join(t.TempDir(), "export")
		if err := WriteExport(dir, want); err != nil {
			t.Fatalf("WriteExport: %v", err)
		}
		got := importDir(t, dir)
		if diff := cmp.Diff(want, got, sameAccount); diff != "" {
			t.Errorf("Import(WriteExport(Generate(%d, %d, %d))) differs (-generated +imported):\n%s", tt.principals, tt.keys, tt.seed, diff)
		}
	}
}

// TestExportMarks: marks come back as marks with their reasons, and the
// answers that are errors (no rotation, no bucket policy, no organization)
// come back as answers.
func TestExportMarks(t *testing.T) {
	s := generate(t, FixedPrincipals, 1, 1)
	a := s.Accounts[0]
	k := a.Keys[0]
	denied := func(op string) *inventory.Incomplete {
		return &inventory.Incomplete{Reason: "An error occurred (AccessDeniedException) when calling the " + op + " operation: not authorized"}
	}
	k.Policy, k.PolicyIncomplete = nil, denied("GetKeyPolicy")
	k.Grants, k.GrantsIncomplete = nil, denied("ListGrants")
	k.Tags, k.TagsIncomplete = nil, denied("ListResourceTags")
	k.Rotation = nil
	a.KMSRegions[0].AliasesIncomplete = denied("ListAliases")
	k.Aliases = nil
	a.Buckets[0].Policy, a.Buckets[0].Encryption = nil, nil
	a.Buckets[0].RegionIncomplete, a.Buckets[0].Region = denied("GetBucketLocation"), ""
	a.Organization = nil

	dir := filepath.Join(t.TempDir(), "export")
	if err := WriteExport(dir, s); err != nil {
		t.Fatalf("WriteExport: %v", err)
	}
	got, _, err := awscli.Import(dir, awscli.Options{})
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	reasons := func(s *inventory.Snapshot) []string {
		var out []string
		for _, g := range s.Gaps() {
			out = append(out, g.Item+": "+g.Reason)
		}
		return out
	}
	ignoreSources := cmp.Options{sameAccount, cmpopts.IgnoreFields(inventory.Incomplete{}, "Source")}
	if diff := cmp.Diff(reasons(s), reasons(got)); diff != "" {
		t.Errorf("marks (-written +imported):\n%s", diff)
	}
	if diff := cmp.Diff(s, got, ignoreSources); diff != "" {
		t.Errorf("Import(WriteExport(s)) differs (-written +imported):\n%s", diff)
	}
}

func TestExportRefuses(t *testing.T) {
	notEmpty := t.TempDir()
	if err := os.WriteFile(filepath.Join(notEmpty, "old"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	marked := generate(t, FixedPrincipals, 1, 1)
	marked.Accounts[0].Roles[0].Incomplete = &inventory.Incomplete{Reason: "denied"}
	two := generate(t, FixedPrincipals, 1, 1)
	two.Accounts = append(two.Accounts, &inventory.Account{ID: "444455556666"})

	tests := []struct {
		name string
		dir  string
		s    *inventory.Snapshot
		want string
	}{
		{"directory not empty", notEmpty, generate(t, FixedPrincipals, 1, 1), "is not empty"},
		{"IAM mark", filepath.Join(t.TempDir(), "x"), marked, "role arn:aws:iam::111122223333:role/KMSAdminRole is marked incomplete"},
		{"two accounts", filepath.Join(t.TempDir(), "x"), two, "an export holds one account"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := WriteExport(tt.dir, tt.s)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("WriteExport = %v, want an error saying %q", err, tt.want)
			}
		})
	}
}
