package access

import "container/heap"

// mergeRuns visits the principals of runs, each in answer order (by rank),
// in answer order overall, with the index of the run each comes from: the
// answers of a key's groups listed without sorting everyone again.
func mergeRuns(runs [][]*Principal, visit func(run int, p *Principal)) {
	mergeBy(runs, func(p *Principal) int { return p.rank }, visit)
}

// mergeBy is mergeRuns for runs ordered by another place of principals
// (rank, byARN).
func mergeBy(runs [][]*Principal, place func(*Principal) int, visit func(run int, p *Principal)) {
	h := runHeap{place: place, heads: make([]runHead, 0, len(runs))}
	for i, r := range runs {
		if len(r) > 0 {
			h.heads = append(h.heads, runHead{run: i, rest: r})
		}
	}
	if len(h.heads) == 1 {
		for _, p := range h.heads[0].rest {
			visit(h.heads[0].run, p)
		}
		return
	}
	heap.Init(&h)
	for len(h.heads) > 0 {
		top := &h.heads[0]
		visit(top.run, top.rest[0])
		if top.rest = top.rest[1:]; len(top.rest) == 0 {
			heap.Pop(&h)
		} else {
			heap.Fix(&h, 0)
		}
	}
}

// runLen is the number of principals in runs.
func runLen(runs [][]*Principal) int {
	n := 0
	for _, r := range runs {
		n += len(r)
	}
	return n
}

type runHead struct {
	run  int
	rest []*Principal
}

type runHeap struct {
	place func(*Principal) int
	heads []runHead
}

func (h *runHeap) Len() int { return len(h.heads) }
func (h *runHeap) Less(i, j int) bool {
	return h.place(h.heads[i].rest[0]) < h.place(h.heads[j].rest[0])
}
func (h *runHeap) Swap(i, j int) { h.heads[i], h.heads[j] = h.heads[j], h.heads[i] }
func (h *runHeap) Push(x any)    { h.heads = append(h.heads, x.(runHead)) }
func (h *runHeap) Pop() any {
	x := h.heads[len(h.heads)-1]
	h.heads = h.heads[:len(h.heads)-1]
	return x
}
