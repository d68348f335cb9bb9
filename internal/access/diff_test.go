package access

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/policy"
)

// plainChanges decides every principal of the inventory on both versions
// of a key: what KeyDiff must find without deciding everyone.
func plainChanges(ix *Index, before, after *Key, actions []string) map[string]string {
	out := map[string]string{}
	for _, a := range actions {
		for _, p := range ix.principals {
			rb := ix.askPrincipal(p.ARN, p, before, before.ARN, askOptions{listing: true}).decide(a)
			ra := ix.askPrincipal(p.ARN, p, after, after.ARN, askOptions{listing: true}).decide(a)
			if !same(rb, ra) {
				out[p.ARN+" "+a] = rb.Decision.String() + "->" + ra.Decision.String()
			}
		}
	}
	return out
}

func changesOf(cs []Change) map[string]string {
	out := map[string]string{}
	for _, c := range cs {
		if c.Principal != "" && c.Symbol == nil && c.Kind != KindNamed && c.Kind != KindGrantee && c.Kind != KindService {
			out[c.Principal+" "+c.Action] = c.Before.Decision.String() + "->" + c.After.Decision.String()
		}
	}
	return out
}

// TestKeyDiffMatchesPlainEvaluation: the access KeyDiff finds after an edit
// of a key policy or of grants, over the index or from a key's shared
// answers (KeyAccess.Diff, as a scan asks), is exactly what deciding every
// principal on both versions finds.
func TestKeyDiffMatchesPlainEvaluation(t *testing.T) {
	t.Parallel()
	actions := []string{"kms:Decrypt", "kms:Encrypt", "kms:PutKeyPolicy", "kms:CreateGrant", "kms:RetireGrant", "kms:ScheduleKeyDeletion"}
	for seed := uint64(1); seed <= 10; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(seed, 99))
			ix := index(t, randomAccount(t, seed))
			total := 0
			for _, k := range ix.keys {
				if k.Policy == nil {
					continue
				}
				for _, after := range edits(t, rng, ix, k) {
					keyed := ix.KeyDiff(k, after, actions)
					got := changesOf(keyed)
					want := plainChanges(ix, k, after, actions)
					total += len(want)
					if d := cmp.Diff(want, got); d != "" {
						t.Errorf("%s: KeyDiff differs from plain evaluation (-plain +diff):\n%s", k.ARN, d)
					}
					// KeyAccess.Diff, from the key's shared answers with
					// some held already and a principal's group found
					// (For indexes them), must not depend on what was
					// asked before.
					ka := ix.Access(k)
					ka.Action("kms:Decrypt")
					ka.For("kms:Decrypt", ix.principals[0])
					full := ka.Diff(after, actions)
					if d := cmp.Diff(symbolsOf(keyed), symbolsOf(full)); d != "" {
						t.Errorf("%s: symbolic changes of KeyAccess.Diff differ from KeyDiff's (-KeyDiff +KeyAccess.Diff):\n%s", k.ARN, d)
					}
					if d := cmp.Diff(want, changesOf(full)); d != "" {
						t.Errorf("%s: KeyAccess.Diff differs from plain evaluation (-plain +diff):\n%s", k.ARN, d)
					}
				}
			}
			if total == 0 {
				t.Error("no edit changed any access: the comparison proves nothing")
			}
		})
	}
}

// edits makes variants of a key: a statement removed, a role added to a
// statement, the account statement narrowed, grants dropped.
func edits(t *testing.T, rng *rand.Rand, ix *Index, k *Key) []*Key {
	t.Helper()
	var out []*Key
	stmts := k.Policy.Statements
	if len(stmts) > 1 {
		i := rng.IntN(len(stmts))
		d := *k.Policy
		d.Statements = append(append([]*policy.Statement(nil), stmts[:i]...), stmts[i+1:]...)
		out = append(out, k.WithPolicy(&d))
	}
	role := ix.principals[rng.IntN(len(ix.principals))].ARN
	extra := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":%q},"Action":["kms:Decrypt","kms:CreateGrant"],"Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"kms:ScheduleKeyDeletion","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalTag/team":"red"}}}]}`, role)
	d, err := policy.Parse("extra", []byte(extra), policy.Resource)
	if err != nil {
		t.Fatal(err)
	}
	grown := *k.Policy
	grown.Statements = append(append([]*policy.Statement(nil), stmts...), d.Statements...)
	out = append(out, k.WithPolicy(&grown))
	// A tag no policy of the account tests: principals of one profile
	// no longer decide alike.
	tagged, err := policy.Parse("tagged", []byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/costcenter":"cc1"}}}}`), policy.Resource)
	if err != nil {
		t.Fatal(err)
	}
	withTag := *k.Policy
	withTag.Statements = append(append([]*policy.Statement(nil), stmts...), tagged.Statements...)
	out = append(out, k.WithPolicy(&withTag))
	narrow := *k.Policy
	narrow.Statements = nil
	for _, s := range stmts {
		if s.Principal != nil && !s.Principal.Wildcard && len(s.Principal.AWS) > 0 && strings.HasSuffix(s.Principal.AWS[0], ":root") {
			c := *s
			c.Action = []string{"kms:Describe*", "kms:Get*", "kms:List*"}
			c2, err := policy.Parse("n", []byte(fmt.Sprintf(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":%q},"Action":["kms:Describe*","kms:Get*","kms:List*"],"Resource":"*"}}`, s.Principal.AWS[0])), policy.Resource)
			if err != nil {
				t.Fatal(err)
			}
			narrow.Statements = append(narrow.Statements, c2.Statements[0])
			continue
		}
		narrow.Statements = append(narrow.Statements, s)
	}
	out = append(out, k.WithPolicy(&narrow))
	if len(k.Grants) > 0 {
		out = append(out, k.WithGrants(k.Grants[1:]))
	}
	return out
}

// TestIdentityDiffMatchesPlainEvaluation: the access IdentityDiff finds
// after a managed policy changes is what deciding every holder of it on
// every key finds.
func TestIdentityDiffMatchesPlainEvaluation(t *testing.T) {
	t.Parallel()
	actions := []string{"kms:Decrypt", "kms:Encrypt", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"}
	narrowed := []string{
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:us-east-1:111111111111:key/00000000-0000-0000-0000-000000000001"}}`,
		// A tag no policy of the account tests: the holders of the
		// policy no longer decide alike.
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/costcenter":"cc1"}}}}`,
	}
	for seed := uint64(1); seed <= 10; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			ix := index(t, randomAccount(t, seed))
			total := 0
			defer func() {
				if total == 0 {
					t.Error("no edit changed any access: the comparison proves nothing")
				}
			}()
			for i, mp := range ix.Snapshot.Accounts[0].Policies[:4] {
				old, err := mp.ParseDocument()
				if err != nil {
					t.Fatal(err)
				}
				nd, err := policy.Parse("narrowed", []byte(narrowed[i%len(narrowed)]), policy.Identity)
				if err != nil {
					t.Fatal(err)
				}
				nd.Name = old.Name
				want := map[string]string{}
				for _, k := range ix.keys {
					for _, p := range ix.principals {
						if !holds(p, old) {
							continue
						}
						edited := *p
						edited.Identity = replaceDoc(p.Identity, old, nd)
						for _, a := range actions {
							rb := ix.askPrincipal(p.ARN, p, k, k.ARN, askOptions{listing: true}).decide(a)
							ra := ix.askPrincipal(p.ARN, &edited, k, k.ARN, askOptions{listing: true}).decide(a)
							if !same(rb, ra) {
								want[p.ARN+" "+a+" "+k.ARN] = rb.Decision.String() + "->" + ra.Decision.String()
							}
						}
					}
				}
				total += len(want)
				gotKeyed := map[string]string{}
				for _, c := range ix.IdentityDiff(old, nd, actions) {
					gotKeyed[c.Principal+" "+c.Action+" "+c.Key] = c.Before.Decision.String() + "->" + c.After.Decision.String()
				}
				if d := cmp.Diff(want, gotKeyed); d != "" {
					t.Errorf("%s: IdentityDiff differs from plain evaluation (-plain +diff):\n%s", mp.ARN, d)
				}
			}
		})
	}
}

var _ = engine.Allow
