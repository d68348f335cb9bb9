package access

import (
	"slices"
	"testing"
)

func TestMergeRuns(t *testing.T) {
	t.Parallel()
	ps := make([]*Principal, 8)
	for i := range ps {
		ps[i] = &Principal{rank: i}
	}
	runsOf := func(ranks ...[]int) [][]*Principal {
		var out [][]*Principal
		for _, r := range ranks {
			var run []*Principal
			for _, i := range r {
				run = append(run, ps[i])
			}
			out = append(out, run)
		}
		return out
	}
	tests := []struct {
		name     string
		runs     [][]*Principal
		want     []int // ranks, in order
		wantRuns []int // the run each came from
	}{
		{"none", nil, nil, nil},
		{"empty runs", runsOf(nil, nil), nil, nil},
		{"one run", runsOf([]int{1, 4, 6}), []int{1, 4, 6}, []int{0, 0, 0}},
		{"interleaved", runsOf([]int{0, 3, 7}, []int{1, 2}, nil, []int{4, 5, 6}), []int{0, 1, 2, 3, 4, 5, 6, 7}, []int{0, 1, 1, 0, 3, 3, 3, 0}},
		{"one empty among others", runsOf(nil, []int{2}, []int{1}), []int{1, 2}, []int{2, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got, gotRuns []int
			mergeRuns(tt.runs, func(run int, p *Principal) {
				got = append(got, p.rank)
				gotRuns = append(gotRuns, run)
			})
			if !slices.Equal(got, tt.want) || !slices.Equal(gotRuns, tt.wantRuns) {
				t.Errorf("mergeRuns = %v from runs %v, want %v from %v", got, gotRuns, tt.want, tt.wantRuns)
			}
			if n := runLen(tt.runs); n != len(tt.want) {
				t.Errorf("runLen = %d, want %d", n, len(tt.want))
			}
		})
	}
}
