package remedy

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/engine"
)

// TestTallySetsMatchOneByOne: a change that several principals share,
// tallied as one (addSet), counts, keeps and judges exactly what the same
// changes tallied principal by principal do — with intents that look at
// the principal and with uniform ones, and with few changes kept.
func TestTallySetsMatchOneByOne(t *testing.T) {
	saved := DiffCap
	DiffCap = 4
	defer func() { DiffCap = saved }()

	allow := engine.Result{Decision: engine.Allow}
	deny := engine.Result{Decision: engine.ImplicitDeny}
	var members [][]*access.Principal
	for size := 1; size <= 9; size += 4 {
		var ms []*access.Principal
		for i := 0; i < size; i++ {
			arn := fmt.Sprintf("arn:aws:iam::111122223333:role/r%d-%02d", size, i)
			ms = append(ms, &access.Principal{ARN: arn, Name: arn[strings.LastIndex(arn, "/")+1:], Kind: access.KindRole, Account: "111122223333"})
		}
		members = append(members, ms)
	}
	type set struct {
		c       access.Change
		members []*access.Principal
	}
	var sets []set
	for k := 2; k >= 1; k-- { // keys out of order: the tally sorts
		key := fmt.Sprintf("arn:aws:kms:us-east-1:111122223333:key/k%d", k)
		for _, a := range []string{"kms:PutKeyPolicy", "kms:Decrypt", "kms:Encrypt"} {
			for i, ms := range members {
				c := access.Change{Key: key, Action: a, Before: allow, After: deny}
				if i == 1 {
					c.Before, c.After = deny, allow // a gain
				}
				sets = append(sets, set{c, ms})
			}
		}
	}
	intents := map[string][]Intent{
		"uniform": {{Lose: func(c *access.Change) bool { return c.Action == "kms:Decrypt" }, Uniform: true}},
		"by principal": {
			{Lose: func(c *access.Change) bool { return strings.HasSuffix(c.Principal, "0") }},
			{Gain: func(c *access.Change) bool { return strings.HasSuffix(c.Principal, "1") }, Uniform: true},
		},
	}
	type summary struct {
		Total, Other, Gained int
		Used                 []bool
		First                []access.Change
		OtherEx, GainEx      *access.Change
		Lost                 map[string]map[string]bool
	}
	sum := func(t *tally) summary {
		sortChanges(t.first)
		if len(t.first) > DiffCap {
			t.first = t.first[:DiffCap]
		}
		return summary{t.total, t.other, t.gained, t.used, t.first, t.otherEx, t.gainEx, t.lost}
	}
	for name, in := range intents {
		bySet, oneByOne := newTally(in), newTally(in)
		for _, s := range sets {
			c := s.c
			bySet.addSet(&c, s.members, nil)
			for _, p := range s.members {
				oneByOne.add(c.Member(p))
			}
		}
		want, got := sum(oneByOne), sum(bySet)
		if want.Total == 0 || want.Other == 0 || want.Gained == 0 || len(want.Lost) == 0 {
			t.Fatalf("%s: the case proves too little: %+v", name, want)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s: tallied by set differs from one by one (-one by one +by set):\n%s", name, d)
		}
	}
}
