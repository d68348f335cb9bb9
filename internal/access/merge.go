package access

import "container/heap"

// mergeRuns visits the principals of runs, each in answer order (by rank),
// in answer order overall, with the index of the run each comes from: the
// answers of a key's groups listed without sorting everyone again.
func mergeRuns(runs [][]*Principal, visit func(run int, p *Principal)) {
	h := make(runHeap, 0, len(runs))
	for i, r := range runs {
		if len(r) > 0 {
			h = append(h, runHead{run: i, rest: r})
		}
	}
	if len(h) == 1 {
		for _, p := range h[0].rest {
			visit(h[0].run, p)
		}
		return
	}
	heap.Init(&h)
	for len(h) > 0 {
		top := &h[0]
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

type runHeap []runHead

func (h runHeap) Len() int           { return len(h) }
func (h runHeap) Less(i, j int) bool { return h[i].rest[0].rank < h[j].rest[0].rank }
func (h runHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)        { *h = append(*h, x.(runHead)) }
func (h *runHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
