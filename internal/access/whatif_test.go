package access

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/policy"
)

// TestKeyAccessIdentityDiff: IdentityDiff key by key from the keys'
// shared answers finds, for a narrowing edit, what IdentityDiff over the
// index finds.
func TestKeyAccessIdentityDiff(t *testing.T) {
	t.Parallel()
	actions := []string{"kms:Decrypt", "kms:Encrypt", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"}
	// Some random accounts hold no policy whose first Allow decides
	// anything on a key: the edits must change some access over all.
	total := 0
	for seed := uint64(1); seed <= 10; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			ix := index(t, randomAccount(t, seed))
			for _, mp := range ix.Snapshot.Accounts[0].Policies[:3] {
				old, err := mp.ParseDocument()
				if err != nil {
					t.Fatal(err)
				}
				// The narrowing: every statement but the first Allow.
				nd := *old
				nd.Statements = []*policy.Statement{}
				dropped := false
				for _, s := range old.Statements {
					if s.Effect == policy.Allow && !dropped {
						dropped = true
						continue
					}
					nd.Statements = append(nd.Statements, s)
				}
				// And the policy taken away (nil), a narrowing when it
				// denies nothing.
				edits := []*policy.Document{&nd}
				if !slices.ContainsFunc(old.Statements, func(s *policy.Statement) bool { return s.Effect == policy.Deny }) {
					edits = append(edits, nil)
				}
				for _, nw := range edits {
					got := map[string]string{}
					for _, k := range ix.keys {
						ka := ix.Access(k)
						ka.Action("kms:Encrypt")
						for _, c := range ka.IdentityDiff(old, nw, actions) {
							got[c.Principal+" "+c.Action+" "+c.Key] = c.Before.Decision.String() + "->" + c.After.Decision.String()
						}
					}
					wantKeyed := map[string]string{}
					for _, c := range ix.IdentityDiff(old, nw, actions) {
						wantKeyed[c.Principal+" "+c.Action+" "+c.Key] = c.Before.Decision.String() + "->" + c.After.Decision.String()
					}
					total += len(wantKeyed)
					if d := cmp.Diff(wantKeyed, got); d != "" {
						t.Errorf("%s (new %v): KeyAccess.IdentityDiff differs from IdentityDiff (-index +keys):\n%s", mp.ARN, nw != nil, d)
					}
				}
			}
		})
	}
	if total == 0 {
		t.Error("no edit changed any access: the comparison proves nothing")
	}
}

// symbolsOf lists the changes of principals outside the inventory.
func symbolsOf(cs []Change) map[string]string {
	out := map[string]string{}
	for _, c := range cs {
		if c.Symbol != nil || c.Kind == KindNamed || c.Kind == KindGrantee || c.Kind == KindService || c.Principal == "" {
			out[c.Name()+" "+c.Action] = decisionText(c.Before) + "->" + decisionText(c.After)
		}
	}
	return out
}

func decisionText(r engine.Result) string {
	s := r.Decision.String()
	if r.OnRequest() {
		s += " if " + strings.Join(r.Conditions, " and ")
	}
	return s
}
