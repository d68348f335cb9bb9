package cli

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/awscli"
	"github.com/keywarden/keywarden/internal/checks"
	"github.com/keywarden/keywarden/internal/engine"
)

// copyTree copies a directory tree of regular files.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// memberExports writes the bundled example account twice: as an auditor
// in a member account exports it (no organizations/scps.json or rcps.json:
// only the management account can read them), and with SCPs and RCPs
// marked not enabled in the organization.
func memberExports(t *testing.T) (unread, notEnabled string) {
	t.Helper()
	unread, notEnabled = filepath.Join(t.TempDir(), "unread"), filepath.Join(t.TempDir(), "not-enabled")
	for _, dir := range []string{unread, notEnabled} {
		copyTree(t, "../../examples/scan-account", dir)
		for _, f := range []string{"scps", "rcps"} {
			if err := os.Remove(filepath.Join(dir, "organizations", f+".json")); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range []string{"scps", "rcps"} {
		msg := "\nAn error occurred (PolicyTypeNotEnabledException) when calling the ListPoliciesForTarget operation: This operation can be performed only for enabled policy types.\n"
		if err := os.WriteFile(filepath.Join(notEnabled, "organizations", f+".error"), []byte(msg), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return unread, notEnabled
}

// TestMemberAccountWithoutGuardrails: on a member account's export
// without its SCPs and RCPs, who-can and scan give the same allowed
// principals and the same failed findings as when SCPs and RCPs are not
// enabled, each answer carrying the unread guardrails as its condition
// (shared/kms-authorization.md §14; SCPs and RCPs only take access away).
func TestMemberAccountWithoutGuardrails(t *testing.T) {
	t.Parallel()
	unreadDir, enabledDir := memberExports(t)
	load := func(dir string) *access.Index {
		snap, _, err := awscli.Import(dir, awscli.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ix, err := access.New(snap)
		if err != nil {
			t.Fatal(err)
		}
		return ix
	}
	unread, notEnabled := load(unreadDir), load(enabledDir)
	actions := []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:CreateGrant"}
	allowed := func(ix *access.Index, k *access.Key, a string, wantUnless bool) []string {
		res, err := ix.WhoCanKey(a, k)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range res.Entries {
			if e.Decision != engine.Allow {
				continue
			}
			out = append(out, e.Name())
			if e.Kind != access.KindRoot && e.Kind != access.KindUser && e.Kind != access.KindRole {
				continue
			}
			if hasUnless := len(e.Result.Unless) > 0; hasUnless != wantUnless {
				t.Errorf("%s %s on %s: unless %q, want them: %v", e.Name(), a, k.ARN, e.Result.Unless, wantUnless)
			}
			for _, u := range e.Result.Unless {
				if !strings.Contains(u, "service control polic") && !strings.Contains(u, "resource control polic") {
					t.Errorf("%s: unexpected unless %q", e.Name(), u)
				}
			}
		}
		return out
	}
	compared := 0
	for _, k := range notEnabled.Keys() {
		ku, err := unread.Key(k.ARN)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range actions {
			want := allowed(notEnabled, k, a, false)
			got := allowed(unread, ku, a, true)
			compared += len(want)
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("who-can %s %s (-not enabled +not read):\n%s", a, k.ARN, d)
			}
		}
	}
	if compared == 0 {
		t.Fatal("nobody is allowed anything: the comparison proves nothing")
	}
	failed := func(dir string) []string {
		ix := load(dir)
		env, err := checks.NewEnv(ix.Snapshot, nil, time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range checks.Run(env, nil) {
			if f.Status == checks.Fail {
				out = append(out, f.Check+" "+f.Resource+" "+f.Principal)
			}
		}
		sort.Strings(out)
		return out
	}
	want, got := failed(enabledDir), failed(unreadDir)
	if len(want) == 0 {
		t.Fatal("no failed finding: the comparison proves nothing")
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("failed findings (-not enabled +not read):\n%s", d)
	}
}
