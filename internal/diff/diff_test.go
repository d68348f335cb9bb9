package diff

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/awscli"
	"github.com/keywarden/keywarden/internal/checks"
	"github.com/keywarden/keywarden/internal/inventory"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

var now = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

func load(t testing.TB, path string) *inventory.Snapshot {
	t.Helper()
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		snap, _, err := awscli.Import(path, awscli.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return snap
	}
	snap, err := inventory.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func indexOf(t testing.TB, s *inventory.Snapshot) *access.Index {
	t.Helper()
	ix, err := access.New(s)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// clone copies a snapshot through its file format, so that a test can
// change the copy.
func clone(t testing.TB, s *inventory.Snapshot) *inventory.Snapshot {
	t.Helper()
	var b bytes.Buffer
	if err := s.Save(&b); err != nil {
		t.Fatal(err)
	}
	c, err := inventory.Read("clone", &b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func policyDoc(t testing.TB, s string) *inventory.Document { return doc(t, s) }

// dump is the canonical text of a result: keys added and removed, each
// change with its states and the first line of each explanation, the S3
// changes, the findings.
func dump(r *Result) string {
	var b strings.Builder
	for _, k := range r.KeysAdded {
		fmt.Fprintf(&b, "KEY+ %s %s\n", k.Name, k.ARN)
	}
	for _, k := range r.KeysRemoved {
		fmt.Fprintf(&b, "KEY- %s %s\n", k.Name, k.ARN)
	}
	for _, c := range r.Changes {
		var states []string
		for i := range c.Actions {
			states = append(states, fmt.Sprintf("%s %s→%s", strings.TrimPrefix(c.Actions[i], "kms:"), c.Old[i].Access, c.New[i].Access))
		}
		fmt.Fprintf(&b, "%s %s (%s) | %s | %s\n", strings.ToUpper(string(c.Kind)), c.Name(), c.PrincipalOf, c.KeyName, strings.Join(states, ", "))
		for _, e := range c.Was {
			fmt.Fprintf(&b, "    was %s: %s\n", e.Decision, e.Summary)
		}
		for _, e := range c.Now {
			fmt.Fprintf(&b, "    now %s: %s\n", e.Decision, e.Summary)
		}
	}
	for _, c := range r.S3 {
		fmt.Fprintf(&b, "S3 %s %s %s: %s→%s\n", c.Principal, c.Operation, c.Bucket, c.Old.Decision, c.New.Decision)
	}
	if f := r.Findings; f != nil {
		for _, list := range []struct {
			label string
			fs    []checksFinding
		}{{"NEW", findings(f.New)}, {"RESOLVED", findings(f.Resolved)}} {
			for _, x := range list.fs {
				fmt.Fprintf(&b, "%s %s %s %s\n", list.label, x.check, x.resource, x.principal)
			}
		}
		fmt.Fprintf(&b, "UNCHANGED %d\n", len(f.Unchanged))
	}
	return b.String()
}

// TestExperiment: between the settings of the S3 experiment, diff names
// exactly the access that changed: the role's kms:Decrypt and
// kms:GenerateDataKey on the key (lost from 1 to 2 when its IAM policy
// loses them; gained from 2 to 3, with every other use, when the key
// policy names it), and the S3 upload and download behind them.
func TestExperiment(t *testing.T) {
	dir := "../../examples/account"
	var b strings.Builder
	for _, pair := range [][2]string{{"setting1", "setting2"}, {"setting2", "setting3"}, {"setting1", "setting3"}, {"setting3", "setting1"}} {
		old, cur := indexOf(t, load(t, filepath.Join(dir, pair[0]))), indexOf(t, load(t, filepath.Join(dir, pair[1])))
		res, err := Diff(context.Background(), old, cur, Options{Findings: true, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "== %s → %s\n%s", pair[0], pair[1], dump(res))
	}
	golden(t, "testdata/experiment.golden", b.String())
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

// mutations change the test account of internal/verify in the ways that
// matter to access: key policies, managed and inline policies, principals
// added and deleted, groups, grants, tags, the organization. Each is a
// case of TestMutations and of TestIncrementalMatchesFull.
var mutations = []struct {
	name   string
	change func(t testing.TB, a *inventory.Account)
}{
	{"partner removed, key open to anyone", func(t testing.TB, a *inventory.Account) {
		a.Keys[0].Policy = policyDoc(t, strings.Replace(string(a.Keys[0].Policy.JSON), `"arn:aws:iam::444455556666:root"`, `"arn:aws:iam::777788889999:root"`, 1))
		a.Keys[3].Policy = policyDoc(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},{"Sid":"Open","Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]}`)
	}},
	{"managed policy narrowed", func(t testing.TB, a *inventory.Account) {
		a.Policies[0].Document = policyDoc(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}}`)
	}},
	{"user deleted, role recreated", func(t testing.TB, a *inventory.Account) {
		a.Users = nil
		for _, r := range a.Roles {
			if r.Name == "KMSAdmin" {
				r.ID = "AROANEWKMSADMIN00000"
			}
		}
	}},
	{"role added with a group-like policy and a tag", func(t testing.TB, a *inventory.Account) {
		a.Roles = append(a.Roles, &inventory.Role{ARN: "arn:aws:iam::111122223333:role/new", Name: "new", Path: "/", ID: "AROANEW0000000000000",
			Tags: []inventory.Tag{{Key: "team", Value: "payments"}}, AttachedPolicies: []string{a.Policies[0].ARN}})
	}},
	{"inline condition changed", func(t testing.TB, a *inventory.Account) {
		for _, r := range a.Roles {
			if r.Name == "ci" {
				r.InlinePolicies[0].Document = policyDoc(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}}`)
			}
		}
	}},
	{"grant revoked, key policy unread, key deleted", func(t testing.TB, a *inventory.Account) {
		a.Keys[0].Grants = a.Keys[0].Grants[:1]
		a.Keys[1].Policy, a.Keys[1].PolicyIncomplete = nil, &inventory.Incomplete{Reason: "AccessDeniedException"}
		a.Keys = append(a.Keys[:3], a.Keys[4:]...)
	}},
	{"SCP denies decrypt", func(t testing.TB, a *inventory.Account) {
		a.Organization.SCPs[1].Policies = append(a.Organization.SCPs[1].Policies, inventory.OrgPolicy{ID: "p-deny", Name: "deny-decrypt",
			Document: policyDoc(t, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"kms:Decrypt","Resource":"*","Condition":{"StringNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/app/*"}}}}`)})
	}},
}

// TestMutations pins what diff says of each mutation of the test account
// (testdata/mutations.golden).
func TestMutations(t *testing.T) {
	base := load(t, "../verify/testdata/account.json")
	var b strings.Builder
	for _, m := range mutations {
		c := clone(t, base)
		m.change(t, c.Accounts[0])
		res, err := Diff(context.Background(), indexOf(t, base), indexOf(t, c), Options{Findings: true, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "== %s\n%s", m.name, dump(res))
	}
	golden(t, "testdata/mutations.golden", b.String())
}

// TestIncrementalMatchesFull: comparing only what the plan says can
// differ gives the result of comparing both matrices whole, for every
// mutation (both ways) and for generated accounts.
func TestIncrementalMatchesFull(t *testing.T) {
	base := load(t, "../verify/testdata/account.json")
	type pair struct {
		name     string
		old, cur *inventory.Snapshot
	}
	var pairs []pair
	for _, m := range mutations {
		c := clone(t, base)
		m.change(t, c.Accounts[0])
		pairs = append(pairs, pair{m.name, base, c}, pair{m.name + " (reversed)", c, base})
	}
	g0, g1 := generated(t, 600, 120, false), generated(t, 600, 120, true)
	pairs = append(pairs, pair{"generated", g0, g1}, pair{"generated (reversed)", g1, g0})
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			old, cur := indexOf(t, p.old), indexOf(t, p.cur)
			full, err := Diff(context.Background(), old, cur, Options{Full: true})
			if err != nil {
				t.Fatal(err)
			}
			inc, err := Diff(context.Background(), old, cur, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(dump(full), dump(inc)); diff != "" {
				t.Errorf("incremental differs from full (-full +incremental):\n%s", diff)
			}
			if len(full.Changes) == 0 && len(full.KeysAdded)+len(full.KeysRemoved) == 0 {
				t.Errorf("the mutation changes nothing: the case proves nothing")
			}
		})
	}
}

// TestNoChange: an input compared with itself, or with a copy read from
// another file, has no change, and the plan computes no key.
func TestNoChange(t *testing.T) {
	base := load(t, "../verify/testdata/account.json")
	old, cur := indexOf(t, base), indexOf(t, clone(t, base))
	res, err := Diff(context.Background(), old, cur, Options{Findings: true, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if got := dump(res); got != "UNCHANGED 12\n" {
		t.Errorf("diff of an input with itself:\n%s", got)
	}
	pl := makePlan(old, cur)
	if pl.all || len(pl.keys) > 0 || len(pl.changed) > 0 {
		t.Errorf("plan of an input with itself: all=%v keys=%v changed=%v", pl.all, pl.keys, pl.changed)
	}
}

type checksFinding struct{ check, resource, principal string }

func findings(fs []checks.Finding) []checksFinding {
	var out []checksFinding
	for _, f := range fs {
		out = append(out, checksFinding{f.Check, f.Resource, f.Principal})
	}
	return out
}
