package verify

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/awscli"
	"github.com/keywarden/keywarden/internal/expect"
)

// TestLock pins the lock of the test account (testdata/lock.golden.yaml,
// -update rewrites it) and checks that it parses back to the same rules.
func TestLock(t *testing.T) {
	ix := index(t, "testdata/account.json")
	f, err := Lock(context.Background(), ix, LockOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := expect.Encode(&b, f, "the lock of testdata/account.json"); err != nil {
		t.Fatal(err)
	}
	golden := "testdata/lock.golden.yaml"
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), b.String()); diff != "" {
		t.Errorf("lock (-want +got):\n%s", diff)
	}
	if _, err := expect.Parse(golden, b.Bytes()); err != nil {
		t.Errorf("the lock does not parse: %v", err)
	}
}

// TestLockHolds: verify accepts the lock on the input it was written
// from (undecided answers aside), for the test account and every bundled
// example.
func TestLockHolds(t *testing.T) {
	inputs := map[string]*access.Index{"account.json": index(t, "testdata/account.json")}
	for _, dir := range []string{"scan-account", "account/setting1", "account/setting2", "account/setting3"} {
		snap, _, err := awscli.Import(filepath.Join("../../examples", dir), awscli.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ix, err := access.New(snap)
		if err != nil {
			t.Fatal(err)
		}
		inputs[dir] = ix
	}
	for name, ix := range inputs {
		t.Run(name, func(t *testing.T) {
			f, err := Lock(context.Background(), ix, LockOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := expect.Encode(&b, f, ""); err != nil {
				t.Fatal(err)
			}
			parsed, err := expect.Parse("lock.yaml", b.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			res, err := Verify(context.Background(), ix, parsed, Options{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			for _, rr := range res.Rules {
				if rr.Status == Violated {
					t.Errorf("rule %s is violated on its own input:\n%s", rr.Rule.ID, dump(&Result{Rules: []RuleResult{rr}}))
				}
			}
		})
	}
}

// TestLockCatchesChange: the lock of one setting of the S3 experiment is
// violated by the next, in both directions: access lost (setting 2) and
// gained (setting 3).
func TestLockCatchesChange(t *testing.T) {
	load := func(dir string) *access.Index {
		snap, _, err := awscli.Import(filepath.Join("../../examples/account", dir), awscli.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ix, err := access.New(snap)
		if err != nil {
			t.Fatal(err)
		}
		return ix
	}
	s1, s2, s3 := load("setting1"), load("setting2"), load("setting3")
	for _, tt := range []struct {
		name     string
		from, to *access.Index
		problem  Problem
	}{{"1→2 lost", s1, s2, Cannot}, {"2→3 gained", s2, s3, NotListed}} {
		f, err := Lock(context.Background(), tt.from, LockOptions{})
		if err != nil {
			t.Fatal(err)
		}
		res, err := Verify(context.Background(), tt.to, f, Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, rr := range res.Rules {
			for _, c := range rr.Violations {
				if c.Problem == tt.problem && c.Principal == "arn:aws:iam::123456789012:role/dev-sample-ec2-role1" {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("%s: no %s violation for the role:\n%s", tt.name, tt.problem, dump(res))
		}
	}
}
