package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/inventory"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "full")
	if err := os.Mkdir(full, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(full, "old"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no output", []string{"-principals", "10"}, exitUsage, "give -export DIR or -snapshot FILE"},
		{"too few principals", []string{"-principals", "3", "-snapshot", "x"}, exitUsage, "-principals must be at least 4, not 3"},
		{"no keys", []string{"-keys", "0", "-snapshot", "x"}, exitUsage, "-keys must be at least 1, not 0"},
		{"argument", []string{"-snapshot", "x", "extra"}, exitUsage, `unexpected argument "extra"`},
		{"unknown flag", []string{"-size", "3"}, exitUsage, "flag provided but not defined: -size"},
		{"bad number", []string{"-keys", "many"}, exitUsage, `invalid value "many" for flag -keys`},
		{"help", []string{"-h"}, exitOK, "usage: genaccount"},
		{"export not empty", []string{"-export", full}, exitError, "is not empty"},
		{"snapshot", []string{"-principals", "20", "-keys", "5", "-snapshot", filepath.Join(dir, "s.json")}, exitOK, "a key that delegates to the account: arn:aws:kms:"},
		{"export", []string{"-principals", "20", "-keys", "5", "-export", filepath.Join(dir, "export")}, exitOK, "3 users, 17 roles"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := run(tt.args, &stderr)
			if code != tt.code || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("run(%q) = %d, stderr:\n%s\nwant %d and a stderr saying %q", tt.args, code, stderr.String(), tt.code, tt.stderr)
			}
		})
	}
	s, err := inventory.Load(filepath.Join(dir, "s.json"))
	if err != nil {
		t.Fatalf("the snapshot written does not load: %v", err)
	}
	if a := s.Accounts[0]; len(a.Users)+len(a.Roles) != 20 || len(a.Keys) != 5 {
		t.Errorf("the snapshot has %d users and roles and %d keys, want 20 and 5", len(a.Users)+len(a.Roles), len(a.Keys))
	}
	if _, err := os.Stat(filepath.Join(dir, "export", "account-authorization-details.json")); err != nil {
		t.Errorf("the export has no IAM listing: %v", err)
	}
}
