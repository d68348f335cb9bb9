package collect

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/keywarden/keywarden/internal/awscli"
)

const exportScript = "../../scripts/export-aws-cli.sh"

// TestExportAgrees seeds moto, exports the account with
// scripts/export-aws-cli.sh (the AWS CLI against moto), imports the export
// with package awscli, collects the same account with the SDK, and checks
// that the two snapshots agree on users, groups, roles, managed policies,
// keys (metadata, policies, grants, rotation, aliases, tags) and buckets.
//
// What legitimately differs, and is left out:
//   - Document.Source: the import names the export file and JSON path of
//     each document; the collector, which reads no file, leaves it empty.
//   - Metadata: the time, the source and the tool version.
//   - Below the millisecond, KMS dates (epoch seconds with a fraction in
//     the JSON protocol): the SDK keeps milliseconds, the AWS CLI all the
//     digits moto sends (AWS itself sends milliseconds).
func TestExportAgrees(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the export makes some 50 AWS CLI calls")
	}
	if _, err := os.Stat(exportScript); err != nil {
		t.Skipf("scripts/export-aws-cli.sh not found (%v): nothing to compare with", err)
	}
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI (aws) is not on PATH: cannot run scripts/export-aws-cli.sh")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not on PATH: cannot run scripts/export-aws-cli.sh")
	}
	url := motoURL(t)
	seed(t, sdkConfig(t, url), motoAccount, false)

	dir := t.TempDir()
	cmd := exec.Command("bash", exportScript, "--output", dir, "--regions", "us-east-1")
	cmd.Env = append(os.Environ(), "AWS_ENDPOINT_URL="+url, "AWS_PAGER=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("export-aws-cli.sh: %v\n%s", err, stderr.Bytes())
	}
	t.Logf("export-aws-cli.sh took %v", time.Since(start).Round(time.Millisecond))
	exported, warnings, err := awscli.Import(dir, awscli.Options{})
	if err != nil {
		t.Fatalf("awscli.Import: %v", err)
	}
	for _, w := range warnings {
		t.Logf("import warning: %s", w)
	}

	collected, _, err := Collect(context.Background(), Options{EndpointURL: url, Regions: []string{"us-east-1"}})
	if err != nil {
		t.Fatal(err)
	}

	if len(exported.Accounts) != 1 || len(collected.Accounts) != 1 {
		t.Fatalf("accounts: exported %d, collected %d; want 1 each", len(exported.Accounts), len(collected.Accounts))
	}
	ex, co := exported.Accounts[0], collected.Accounts[0]
	for _, c := range []struct {
		name         string
		export, coll any
	}{
		{"account ID", ex.ID, co.ID},
		{"users", ex.Users, co.Users},
		{"groups", ex.Groups, co.Groups},
		{"roles", ex.Roles, co.Roles},
		{"managed policies", ex.Policies, co.Policies},
		{"KMS regions", ex.KMSRegions, co.KMSRegions},
		{"keys", ex.Keys, co.Keys},
		{"buckets", ex.Buckets, co.Buckets},
	} {
		if diff := cmp.Diff(c.export, c.coll, sameJSON, cmpopts.EquateEmpty(), cmpopts.EquateApproxTime(time.Millisecond)); diff != "" {
			t.Errorf("%s (-export +collector):\n%s", c.name, diff)
		}
	}
	if len(co.Keys) != 4 || len(co.Roles) != 2 {
		t.Errorf("collected %d keys and %d roles, want the 4 and 2 seeded", len(co.Keys), len(co.Roles))
	}
}

// TestExportScriptFound keeps TestExportAgrees from skipping silently where
// it should run: the script ships with the repository.
func TestExportScriptFound(t *testing.T) {
	if _, err := os.Stat(filepath.FromSlash(exportScript)); err != nil {
		t.Errorf("%s: %v", exportScript, err)
	}
}
