package access

import (
	"context"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/engine"
)

// A Cell is what one principal (or class of principals outside the
// inventory's list) may do with one key.
type Cell struct {
	Principal string         `json:"principal,omitempty"`
	Symbol    *engine.Symbol `json:"symbol,omitempty"`
	// Description names a symbolic principal ("anyone outside
	// organization o-…").
	Description string `json:"description,omitempty"`
	Kind        Kind   `json:"kind"`
	Key         string `json:"key"`
	// Use and Admin list the actions allowed, from awsfacts.KeyUse and
	// awsfacts.KeyAdmin; an action whose allow depends on the request is
	// marked with a trailing "*" and its conditions are in Conditions.
	Use        []string            `json:"use,omitempty"`
	Admin      []string            `json:"admin,omitempty"`
	Conditions map[string][]string `json:"conditions,omitempty"`
	// Unknown lists actions that could not be decided, with Missing saying
	// why.
	Unknown []string `json:"unknown,omitempty"`
	Missing []string `json:"missing,omitempty"`
}

// Name is how the matrix names the cell's principal.
func (c *Cell) Name() string {
	if c.Principal != "" {
		return c.Principal
	}
	return c.Description
}

// Matrix is the access matrix of the inventory: one cell per principal and
// key with any access (or an unknown answer), sorted by key and principal.
type Matrix struct {
	Cells []Cell `json:"cells"`
	// Keys and Principals are the axes.
	Keys       []string `json:"keys"`
	Principals []string `json:"principals"`
}

// MatrixOptions choose what the matrix covers.
type MatrixOptions struct {
	// AWSManaged includes AWS managed keys, which every principal of the
	// account may use through their service.
	AWSManaged bool
	// Progress, when set, is called after each key with the number of
	// keys done and the total.
	Progress func(done, total int)
}

// Matrix computes the whole matrix in memory; EachCell streams it.
func (ix *Index) Matrix(o MatrixOptions) *Matrix {
	m := &Matrix{Keys: ix.MatrixKeys(o), Principals: ix.principalARNs()}
	_ = ix.EachCell(context.Background(), o, func(c Cell) error {
		m.Cells = append(m.Cells, c)
		return nil
	})
	return m
}

// MatrixKeys are the keys the matrix covers, sorted by ARN.
func (ix *Index) MatrixKeys(o MatrixOptions) []string {
	var out []string
	for _, k := range ix.matrixKeys(o) {
		out = append(out, k.ARN)
	}
	return out
}

func (ix *Index) matrixKeys(o MatrixOptions) []*Key {
	var out []*Key
	for _, k := range ix.keys {
		if o.AWSManaged || !k.Inv.AWSManaged() {
			out = append(out, k)
		}
	}
	return out
}

func (ix *Index) principalARNs() []string {
	out := make([]string, len(ix.principals))
	for i, p := range ix.principals {
		out[i] = p.ARN
	}
	return out
}

// EachCell computes the matrix key by key and passes every cell to emit,
// in order (by key ARN, then principal), as soon as its key is done: keys
// are computed in parallel, and memory holds only the keys in flight.
// emit's first error stops the computation and is returned.
func (ix *Index) EachCell(ctx context.Context, o MatrixOptions, emit func(Cell) error) error {
	keys := ix.matrixKeys(o)
	workers := runtime.GOMAXPROCS(0)
	type result struct {
		cells []Cell
		done  chan struct{}
	}
	results := make([]*result, len(keys))
	for i := range results {
		results[i] = &result{done: make(chan struct{})}
	}
	// A window of keys in flight bounds memory; each worker takes the
	// next key whose window slot is free.
	window := make(chan struct{}, 2*workers)
	next := make(chan int)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i].cells = ix.KeyCells(ix.Access(keys[i]))
				close(results[i].done)
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range keys {
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	var err error
	for i := range keys {
		select {
		case <-results[i].done:
		case <-ctx.Done():
			err = ctx.Err()
		}
		if err != nil {
			break
		}
		for _, c := range results[i].cells {
			if err = emit(c); err != nil {
				break
			}
		}
		results[i] = nil
		<-window
		if err != nil {
			break
		}
		if o.Progress != nil {
			o.Progress(i+1, len(keys))
		}
	}
	// On an error the producer sees the cancellation and stops handing
	// out keys; workers finish the key they hold.
	cancel()
	wg.Wait()
	return err
}

// KeyCells is one key's part of the matrix: what each principal may do
// with it, sorted by principal. The members of a group share one cell's
// answers (its slices and map are shared, read-only): the cells are built
// once per group and copied per member, in ARN order.
func (ix *Index) KeyCells(ka *KeyAccess) []Cell {
	// One cell per group with any access, and per symbolic entry.
	type draft struct {
		cell    Cell
		missing map[string]bool
	}
	byGroup := map[*group]*draft{}
	var groups []*group
	bySymbol := map[string]*draft{}
	var symbols []*draft
	record := func(d *draft, a string, r engine.Result, admin bool) {
		c := &d.cell
		name := strings.TrimPrefix(a, "kms:")
		switch {
		case r.Decision == engine.Unknown:
			c.Unknown = append(c.Unknown, name)
			if d.missing == nil {
				d.missing = map[string]bool{}
			}
			for _, m := range r.Missing {
				d.missing[m] = true
			}
			return
		case r.Conditional:
			if c.Conditions == nil {
				c.Conditions = map[string][]string{}
			}
			c.Conditions[name] = r.Conditions
			name += "*"
		}
		if admin {
			c.Admin = append(c.Admin, name)
		} else {
			c.Use = append(c.Use, name)
		}
	}
	actions := func(list []string, admin bool) {
		for _, a := range list {
			aa := ka.Action(a)
			for i := range aa.Groups {
				gr := &aa.Groups[i]
				d := byGroup[gr.group]
				if d == nil {
					d = &draft{cell: Cell{Key: ka.Key.ARN}}
					byGroup[gr.group] = d
					groups = append(groups, gr.group)
				}
				record(d, a, gr.Result, admin)
			}
			for _, e := range aa.Symbols {
				d := bySymbol[e.Name()]
				if d == nil {
					d = &draft{cell: Cell{Principal: e.Principal, Symbol: e.Symbol, Description: symbolicDescription(e), Kind: e.Kind, Key: ka.Key.ARN}}
					bySymbol[e.Name()] = d
					symbols = append(symbols, d)
				}
				record(d, a, e.Result, admin)
			}
		}
	}
	actions(useActionsOf(ka.Key), false)
	actions(awsfacts.KeyAdmin, true)
	finish := func(d *draft) {
		for m := range d.missing {
			d.cell.Missing = append(d.cell.Missing, m)
		}
		sort.Strings(d.cell.Missing)
	}
	runs := make([][]*Principal, len(groups))
	n := 0
	for i, g := range groups {
		finish(byGroup[g])
		runs[i] = g.members()
		n += len(runs[i])
	}
	out := make([]Cell, 0, n+len(symbols))
	mergeBy(runs, func(p *Principal) int { return p.byARN }, func(i int, p *Principal) {
		c := byGroup[groups[i]].cell
		c.Principal, c.Kind = p.ARN, p.Kind
		out = append(out, c)
	})
	// Symbolic entries (never a principal of the inventory: symbolsOf):
	// principals outside the inventory by ARN among the others, then the
	// classes by kind and name.
	var extra []Cell
	for _, d := range symbols {
		finish(d)
		extra = append(extra, d.cell)
	}
	less := func(a, b *Cell) bool {
		if (a.Principal == "") != (b.Principal == "") {
			return a.Principal != ""
		}
		if a.Principal == "" && a.Kind != b.Kind {
			return kindOrder(a.Kind) < kindOrder(b.Kind)
		}
		return a.Name() < b.Name()
	}
	sort.SliceStable(extra, func(i, j int) bool { return less(&extra[i], &extra[j]) })
	if len(extra) == 0 {
		return out
	}
	merged := make([]Cell, 0, len(out)+len(extra))
	i, j := 0, 0
	for i < len(out) || j < len(extra) {
		switch {
		case j == len(extra) || (i < len(out) && !less(&extra[j], &out[i])):
			merged = append(merged, out[i])
			i++
		default:
			merged = append(merged, extra[j])
			j++
		}
	}
	return merged
}

// symbolicDescription is the description a cell keeps: only symbolic
// entries and principals outside the inventory need one.
func symbolicDescription(e Entry) string {
	if e.Symbol != nil || e.Kind == KindNamed || e.Kind == KindGrantee || e.Kind == KindService || e.Principal == "" {
		return e.Description
	}
	return ""
}

// useActionsOf is the use actions that the key's type supports.
func useActionsOf(k *Key) []string {
	if md := k.Inv.Metadata; md != nil {
		return awsfacts.KeyUseFor(md.KeyUsage)
	}
	return awsfacts.KeyUse
}
