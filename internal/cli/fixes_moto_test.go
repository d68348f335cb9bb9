package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/awscli"
	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/checks"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/motoserver"
	"github.com/keywarden/keywarden/internal/remedy"
)

// TestFixesOnMoto is the done-means of the fixes (issue 10): on the
// account of the end-to-end test and on the example account, each loaded
// into moto_server, every main fix that keywarden offers is applied with
// its AWS CLI commands, which moto must accept; a rescan must then show
// the findings the fix covers gone, and the access matrix must differ
// from the one before exactly by the access diff the fix announced.
//
// Fixes are made from the account as it is, and two of them can reach
// the same access (an inline and a managed policy that both allow
// kms:Decrypt): the test applies one fix, collects and scans again, and
// takes the next fix from that scan, until every fix was applied once.
// Placeholders get a value a user would choose: the first candidate key,
// an encryption context.
func TestFixesOnMoto(t *testing.T) {
	needAWSCLI(t)
	cap := remedy.DiffCap
	remedy.DiffCap = 1 << 20 // every change of a fix is compared
	t.Cleanup(func() { remedy.DiffCap = cap })
	t.Run("seeded", func(t *testing.T) {
		url := motoserver.Dedicated(t)
		if out, err := exec.Command("bash", "testdata/moto/seed.sh", url).CombinedOutput(); err != nil {
			t.Fatalf("seed: %v\n%s", err, out)
		}
		applyAllFixes(t, url, "us-east-1")
	})
	t.Run("example", func(t *testing.T) {
		snap, _, err := awscli.Import("../../examples/scan-account", awscli.Options{})
		if err != nil {
			t.Fatal(err)
		}
		url := motoserver.DedicatedAccount(t, snap.Accounts[0].ID)
		seedFromSnapshot(t, url, snap)
		applyAllFixes(t, url, "ap-northeast-1")
	})
}

// scanned is one scan of the moto account.
type scanned struct {
	findings []checks.Finding
	matrix   map[cellID]string
	// actions are the actions the matrix shows, by key.
	actions map[string]map[string]bool
}

type cellID struct{ principal, key, action string }

func scanMoto(t *testing.T, url, region, dir string, round int) scanned {
	t.Helper()
	snapPath := filepath.Join(dir, fmt.Sprintf("round%d.json", round))
	var stdout, stderr bytes.Buffer
	if code := Main(context.Background(), []string{"collect", "--endpoint-url", url, "--region", region, "--quiet", "--output", snapPath},
		strings.NewReader(""), &stdout, &stderr); code != ExitOK {
		t.Fatalf("collect: exit %d\n%s", code, stderr.String())
	}
	snap, err := inventory.Load(snapPath)
	if err != nil {
		t.Fatal(err)
	}
	env, err := checks.NewEnv(snap, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s := scanned{findings: checks.Run(env, nil), matrix: map[cellID]string{}, actions: map[string]map[string]bool{}}
	for _, k := range env.Index.Keys() {
		usage := ""
		if k.Inv.Metadata != nil {
			usage = k.Inv.Metadata.KeyUsage
		}
		set := map[string]bool{}
		for _, a := range append(awsfacts.KeyUseFor(usage), awsfacts.KeyAdmin...) {
			set[a] = true
		}
		s.actions[k.ARN] = set
	}
	m := env.Index.Matrix(access.MatrixOptions{})
	for _, c := range m.Cells {
		for _, list := range [][]string{c.Use, c.Admin} {
			for _, a := range list {
				status := "allow"
				if strings.HasSuffix(a, "*") {
					status, a = "conditional", strings.TrimSuffix(a, "*")
				}
				s.matrix[cellID{c.Name(), c.Key, "kms:" + a}] = status
			}
		}
		for _, a := range c.Unknown {
			s.matrix[cellID{c.Name(), c.Key, "kms:" + a}] = "unknown"
		}
	}
	return s
}

// matrixStatus is how the matrix shows a decision of a diff.
func matrixStatus(decision string) string {
	switch {
	case decision == "Allow":
		return "allow"
	case strings.HasPrefix(decision, "Allow ("):
		return "conditional"
	case decision == "Unknown":
		return "unknown"
	}
	return ""
}

// applyAllFixes applies the fixes one at a time, checking each.
func applyAllFixes(t *testing.T, url, region string) {
	dir := t.TempDir()
	current := scanMoto(t, url, region, dir, 0)
	applied := map[string]bool{}
	for round := 1; ; round++ {
		var fix *checks.Remediation
		for i := range current.findings {
			f := &current.findings[i]
			r := f.Remediation
			if f.Status != checks.Fail || r == nil || applied[r.ID] || len(r.Edits) == 0 || r.Proof == nil || !r.Proof.Valid.Holds || needsRegion(r) {
				continue
			}
			if fix == nil || r.ID < fix.ID {
				fix = r
			}
		}
		if fix == nil {
			break
		}
		if round > 60 {
			t.Fatal("more than 60 fixes: the fixes do not converge")
		}
		applied[fix.ID] = true
		var covered []string
		for _, f := range current.findings {
			if f.Remediation == fix {
				covered = append(covered, f.Check+" "+f.Resource+" "+f.Principal)
			}
		}
		chosen := applyFix(t, url, region, fix)
		expected := map[cellID]string{}
		for id, s := range current.matrix {
			expected[id] = s
		}
		if fix.DiffTotal > len(fix.Diff) {
			t.Fatalf("%s announces %d changes, lists %d", fix.ID, fix.DiffTotal, len(fix.Diff))
		}
		for _, c := range fix.Diff {
			if !current.actions[c.Key][c.Action] || chosen[c.Key] {
				continue // not in the matrix, or a key the user kept
			}
			id := cellID{c.Principal, c.Key, c.Action}
			if got, want := expected[id], matrixStatus(c.Before); got != want {
				t.Errorf("%s announces %s %s %s: %s -> %s, but the matrix had %q", fix.ID, c.Principal, c.Key, c.Action, c.Before, c.After, got)
			}
			if s := matrixStatus(c.After); s == "" {
				delete(expected, id)
			} else {
				expected[id] = s
			}
		}
		next := scanMoto(t, url, region, dir, round)
		for _, f := range next.findings {
			if f.Status != checks.Fail {
				continue
			}
			for _, c := range covered {
				if c == f.Check+" "+f.Resource+" "+f.Principal {
					t.Errorf("after fix %s the finding remains: %s: %s", fix.ID, c, f.Message.EN)
				}
			}
		}
		var diffs []string
		for id, want := range expected {
			if got := next.matrix[id]; got != want {
				diffs = append(diffs, fmt.Sprintf("%s %s %s: matrix %q, announced %q", id.principal, id.key, id.action, got, want))
			}
		}
		for id, got := range next.matrix {
			if _, ok := expected[id]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s %s %s: matrix %q, announced nothing", id.principal, id.key, id.action, got))
			}
		}
		sort.Strings(diffs)
		for _, d := range diffs {
			t.Errorf("after fix %s: %s", fix.ID, d)
		}
		current = next
	}
	if len(applied) == 0 {
		t.Fatal("no fix was applied: the test proves nothing")
	}
	var ids []string
	for id := range applied {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	t.Logf("%d fixes applied:\n%s", len(ids), strings.Join(ids, "\n"))
}

// needsRegion reports whether a fix waits for a Region only the user
// knows (a replica's primary key outside the input).
func needsRegion(r *checks.Remediation) bool {
	for _, p := range r.Placeholders {
		if p.Name == "<PRIMARY_REGION>" {
			return true
		}
	}
	return false
}

// applyFix runs a fix's commands against moto, its placeholders filled in
// as a user would, and returns the keys chosen for a placeholder.
func applyFix(t *testing.T, url, region string, r *checks.Remediation) map[string]bool {
	t.Helper()
	script := r.CLI
	chosen := map[string]bool{}
	for _, p := range r.Placeholders {
		value := "app"
		switch {
		case strings.HasPrefix(p.Name, "<KEYS_"):
			if len(p.Candidates) == 0 {
				t.Fatalf("%s: placeholder %s has no candidate", r.ID, p.Name)
			}
			value = strings.Fields(p.Candidates[0])[0]
			chosen[value] = true
		case p.Name == "<CONTEXT_VALUE>":
			value = "reports"
		}
		script = strings.ReplaceAll(script, p.Name, value)
	}
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
	cmd.Env = append(os.Environ(), "AWS_ENDPOINT_URL="+url, "AWS_DEFAULT_REGION="+region)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("fix %s was not accepted: %v\n%s\n%s", r.ID, err, out, script)
	}
	return chosen
}

// seedFromSnapshot loads an account into moto with the AWS CLI: its
// customer managed policies, groups, users and roles with their inline
// and attached policies, and its customer managed keys with their
// policies, aliases, rotation, grants and scheduled deletions. AWS
// managed policies and keys are left out: moto does not hold the same.
func seedFromSnapshot(t *testing.T, url string, snap *inventory.Snapshot) {
	t.Helper()
	q := remedy.ShellQuote
	var b strings.Builder
	b.WriteString("set -euo pipefail\naws() { command aws --output json \"$@\"; }\n")
	a := snap.Accounts[0]
	managed := map[string]bool{}
	for _, p := range a.Policies {
		if p.AWSManaged || p.Document == nil {
			continue
		}
		managed[p.ARN] = true
		fmt.Fprintf(&b, "aws iam create-policy --policy-name %s --path %s --policy-document %s >/dev/null\n", q(p.Name), q(pathOr(p.Path)), q(string(p.Document.JSON)))
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	for _, g := range a.Groups {
		fmt.Fprintf(&b, "aws iam create-group --group-name %s --path %s >/dev/null\n", q(g.Name), q(pathOr(g.Path)))
		for _, ip := range g.InlinePolicies {
			fmt.Fprintf(&b, "aws iam put-group-policy --group-name %s --policy-name %s --policy-document %s\n", q(g.Name), q(ip.Name), q(string(ip.Document.JSON)))
		}
		for _, p := range g.AttachedPolicies {
			if managed[p] {
				fmt.Fprintf(&b, "aws iam attach-group-policy --group-name %s --policy-arn %s\n", q(g.Name), q(p))
			}
		}
	}
	for _, u := range a.Users {
		fmt.Fprintf(&b, "aws iam create-user --user-name %s --path %s >/dev/null\n", q(u.Name), q(pathOr(u.Path)))
		for _, ip := range u.InlinePolicies {
			fmt.Fprintf(&b, "aws iam put-user-policy --user-name %s --policy-name %s --policy-document %s\n", q(u.Name), q(ip.Name), q(string(ip.Document.JSON)))
		}
		for _, p := range u.AttachedPolicies {
			if managed[p] {
				fmt.Fprintf(&b, "aws iam attach-user-policy --user-name %s --policy-arn %s\n", q(u.Name), q(p))
			}
		}
		for _, g := range u.Groups {
			fmt.Fprintf(&b, "aws iam add-user-to-group --user-name %s --group-name %s\n", q(u.Name), q(g))
		}
	}
	for _, r := range a.Roles {
		if r.ServiceLinked {
			continue
		}
		tp := trust
		if r.TrustPolicy != nil {
			tp = string(r.TrustPolicy.JSON)
		}
		fmt.Fprintf(&b, "aws iam create-role --role-name %s --path %s --assume-role-policy-document %s >/dev/null\n", q(r.Name), q(pathOr(r.Path)), q(tp))
		for _, ip := range r.InlinePolicies {
			fmt.Fprintf(&b, "aws iam put-role-policy --role-name %s --policy-name %s --policy-document %s\n", q(r.Name), q(ip.Name), q(string(ip.Document.JSON)))
		}
		for _, p := range r.AttachedPolicies {
			if managed[p] {
				fmt.Fprintf(&b, "aws iam attach-role-policy --role-name %s --policy-arn %s\n", q(r.Name), q(p))
			}
		}
	}
	for _, k := range a.Keys {
		if k.AWSManaged() || k.Metadata == nil {
			continue
		}
		md := k.Metadata
		args := []string{"--region", q(k.Region), "--description", q(md.Description + " "), "--key-spec", q(md.KeySpec), "--key-usage", q(md.KeyUsage)}
		if k.Policy != nil {
			args = append(args, "--policy", q(string(k.Policy.JSON)), "--bypass-policy-lockout-safety-check")
		}
		fmt.Fprintf(&b, "id=$(aws kms create-key %s --query KeyMetadata.KeyId --output text)\n", strings.Join(args, " "))
		for _, al := range k.Aliases {
			fmt.Fprintf(&b, "aws kms create-alias --region %s --alias-name %s --target-key-id \"$id\"\n", q(k.Region), q(al))
		}
		if k.Rotation != nil && k.Rotation.Enabled {
			fmt.Fprintf(&b, "aws kms enable-key-rotation --region %s --key-id \"$id\"\n", q(k.Region))
		}
		for _, g := range k.Grants {
			ga := []string{"--region", q(k.Region), "--key-id", "\"$id\"", "--grantee-principal", q(g.GranteePrincipal), "--operations"}
			for _, op := range g.Operations {
				ga = append(ga, q(op))
			}
			if g.RetiringPrincipal != "" {
				ga = append(ga, "--retiring-principal", q(g.RetiringPrincipal))
			}
			if g.Name != "" {
				ga = append(ga, "--name", q(g.Name))
			}
			var cs []string
			for _, c := range []struct {
				name string
				m    map[string]string
			}{{"EncryptionContextEquals", g.EncryptionContextEquals}, {"EncryptionContextSubset", g.EncryptionContextSubset}} {
				if len(c.m) == 0 {
					continue
				}
				var kv []string
				for k, v := range c.m {
					kv = append(kv, fmt.Sprintf("%q:%q", k, v))
				}
				sort.Strings(kv)
				cs = append(cs, fmt.Sprintf("%q:{%s}", c.name, strings.Join(kv, ",")))
			}
			if len(cs) > 0 {
				ga = append(ga, "--constraints", q("{"+strings.Join(cs, ",")+"}"))
			}
			fmt.Fprintf(&b, "aws kms create-grant %s >/dev/null\n", strings.Join(ga, " "))
		}
		if md.State == "PendingDeletion" {
			fmt.Fprintf(&b, "aws kms schedule-key-deletion --region %s --key-id \"$id\" --pending-window-in-days 7 >/dev/null\n", q(k.Region))
		}
	}
	cmd := exec.Command("bash", "-c", b.String())
	cmd.Env = append(os.Environ(), "AWS_ENDPOINT_URL="+url, "AWS_DEFAULT_REGION=us-east-1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
}

func pathOr(p string) string {
	if p == "" {
		return "/"
	}
	return p
}
