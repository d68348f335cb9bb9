package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keywarden/keywarden/internal/motoserver"
)

// TestMotoEndToEnd seeds moto_server with known misconfigurations through
// the AWS CLI, then reads the account twice — keywarden collect (the live
// collector) and scripts/export-aws-cli.sh (an AWS CLI export) — scans both
// and requires the same findings from each, including the seeded ones.
func TestMotoEndToEnd(t *testing.T) {
	needAWSCLI(t)
	url := motoserver.Dedicated(t)
	seed := exec.Command("bash", "testdata/moto/seed.sh", url)
	out, err := seed.CombinedOutput()
	if err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	dir := t.TempDir()
	snap := filepath.Join(dir, "snapshot.json")
	run := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		code := Main(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
		if code != ExitOK {
			t.Fatalf("keywarden %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
		}
		return stdout.String()
	}
	run("collect", "--endpoint-url", url, "--region", "us-east-1", "--quiet", "--output", snap)
	if fi, err := os.Stat(snap); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("snapshot %s: %v, mode %v; want mode 0600", snap, err, fi.Mode().Perm())
	}
	export := filepath.Join(dir, "export")
	script, _ := filepath.Abs("../../scripts/export-aws-cli.sh")
	exp := exec.Command("bash", script, "--regions", "us-east-1", "--output", export)
	exp.Env = append(os.Environ(), "AWS_ENDPOINT_URL="+url)
	if out, err := exp.CombinedOutput(); err != nil {
		t.Fatalf("export-aws-cli.sh: %v\n%s", err, out)
	}

	fromSnapshot := failing(t, run("scan", "--snapshot", snap, "--format", "json"))
	fromExport := failing(t, run("scan", "--input", export, "--format", "json"))
	if diff := cmp.Diff(fromSnapshot, fromExport); diff != "" {
		t.Errorf("findings of --snapshot (collector) and --input (export) differ (-snapshot +export):\n%s", diff)
	}
	for _, want := range []string{
		"FAIL iam-inline-policy-decrypt-all-keys arn:aws:iam::123456789012:role/app",
		"FAIL iam-customer-policy-decrypt-all-keys arn:aws:iam::123456789012:policy/kms-admin-all",
		"FAIL iam-policy-kms-full-access arn:aws:iam::123456789012:policy/kms-admin-all",
	} {
		if !contains(fromSnapshot, want) {
			t.Errorf("missing seeded finding %q in:\n%s", want, strings.Join(fromSnapshot, "\n"))
		}
	}
	for _, check := range []string{"key-pending-deletion", "key-rotation-disabled", "key-public", "grant-broad"} {
		found := false
		for _, f := range fromSnapshot {
			found = found || strings.HasPrefix(f, "FAIL "+check+" ")
		}
		if !found {
			t.Errorf("no %s finding for the seeded key in:\n%s", check, strings.Join(fromSnapshot, "\n"))
		}
	}
}

// failing reads the scan's JSON report and returns "STATUS check resource"
// for every failing or unknown finding, sorted.
func failing(t *testing.T, report string) []string {
	t.Helper()
	var r struct {
		Findings []struct {
			Check, Status, Resource string
		}
	}
	if err := json.Unmarshal([]byte(report), &r); err != nil {
		t.Fatalf("scan JSON: %v\n%s", err, report)
	}
	var out []string
	for _, f := range r.Findings {
		if f.Status != "pass" {
			out = append(out, strings.ToUpper(f.Status)+" "+f.Check+" "+f.Resource)
		}
	}
	sort.Strings(out)
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// needAWSCLI skips an integration test in -short mode, or when the AWS
// CLI is not on PATH (a failure when the moto tests are required, as in
// CI).
func needAWSCLI(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test")
	}
	if _, err := exec.LookPath("aws"); err != nil {
		if os.Getenv(motoserver.RequireEnv) == "1" {
			t.Fatal("the AWS CLI (aws) is not on PATH; the integration tests need it (it ships in the machine image)")
		}
		t.Skip("the AWS CLI (aws) is not on PATH")
	}
}
