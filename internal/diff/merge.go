package diff

import (
	"context"
	"runtime"
	"slices"
	"sort"
	"sync"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/verify"
)

// keyCells are one key's cells of one input's matrix.
type keyCells struct {
	key   string
	cells []access.Cell
}

// stream computes an input's matrix and hands it over key by key, in key
// order. Keys nobody can use do not appear.
func stream(ctx context.Context, ix *access.Index, mo access.MatrixOptions, out chan<- keyCells) error {
	defer close(out)
	var cur keyCells
	flush := func() error {
		if cur.key == "" {
			return nil
		}
		select {
		case out <- cur:
		case <-ctx.Done():
			return ctx.Err()
		}
		cur = keyCells{}
		return nil
	}
	err := ix.EachCell(ctx, mo, func(c access.Cell) error {
		if c.Key != cur.key {
			if err := flush(); err != nil {
				return err
			}
			cur.key = c.Key
		}
		cur.cells = append(cur.cells, c)
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// mergeStreams streams both matrices at once and calls each with the
// cells of one key from both (nil for an input where nobody can use it),
// in key order.
func mergeStreams(ctx context.Context, old, cur *access.Index, mo access.MatrixOptions, each func(key string, a, b []access.Cell)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ca, cb := make(chan keyCells, 2), make(chan keyCells, 2)
	errs := make(chan error, 2)
	go func() { errs <- stream(ctx, old, mo, ca) }()
	go func() { errs <- stream(ctx, cur, mo, cb) }()
	a, okA := <-ca
	b, okB := <-cb
	for okA || okB {
		switch {
		case !okB || okA && a.key < b.key:
			each(a.key, a.cells, nil)
			a, okA = <-ca
		case !okA || b.key < a.key:
			each(b.key, nil, b.cells)
			b, okB = <-cb
		default:
			each(a.key, a.cells, b.cells)
			a, okA = <-ca
			b, okB = <-cb
		}
	}
	var first error
	for range 2 {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// mergeSelected compares only what the plan says can differ, in key
// order, and calls each with the cells of each key from both inputs:
//
//   - a key whose own data differs, or that only one input holds, is
//     computed whole in both inputs;
//   - on a key whose data is the same, only the principals whose data
//     changed can have other answers: they are computed in indexes of
//     the inputs that hold only them (sub), and only on keys one of them
//     can reach;
//   - every other key is the same in both inputs, and is not computed.
//
// Keys are computed in parallel; memory holds the keys in flight.
func mergeSelected(ctx context.Context, old, cur *access.Index, mo access.MatrixOptions, pl *plan) ([]Change, error) {
	var subOld, subCur *access.Index
	changed := map[string]bool{}
	if len(pl.changed) > 0 {
		for _, cp := range pl.changed {
			changed[cp.arn] = true
		}
		var err error
		if subOld, err = subIndex(old.Snapshot, changed); err != nil {
			return nil, err
		}
		if subCur, err = subIndex(cur.Snapshot, changed); err != nil {
			return nil, err
		}
	}
	type job struct {
		key      string
		old, cur *access.Index // nil: the input does not hold the key
		keep     map[string]bool
		changes  []Change
		done     chan struct{}
	}
	// run computes a key's cells in both inputs and compares them; the
	// explanations come from the same KeyAccess, whose answers are kept.
	run := func(j *job) []Change {
		side := func(ix *access.Index) (*access.KeyAccess, []access.Cell) {
			if ix == nil {
				return nil, nil
			}
			k, err := ix.Key(j.key)
			if err != nil {
				return nil, nil
			}
			ka := ix.Access(k)
			all := ix.KeyCells(ka)
			if j.keep == nil {
				return ka, all
			}
			var out []access.Cell
			for _, c := range all {
				if j.keep[c.Principal] {
					out = append(out, c)
				}
			}
			return ka, out
		}
		kaOld, a := side(j.old)
		kaCur, b := side(j.cur)
		if len(a) == 0 && len(b) == 0 {
			return nil
		}
		ixOld, ixCur := j.old, j.cur
		if ixOld == nil {
			ixOld = old
		}
		if ixCur == nil {
			ixCur = cur
		}
		x := newExplainer(j.key, ixOld, ixCur, a, b)
		x.kaOld, x.kaCur, x.prepared = kaOld, kaCur, [2]bool{true, true}
		return compareKey(x, a, b)
	}
	var jobs []*job
	ka, kb := old.MatrixKeys(mo), cur.MatrixKeys(mo)
	add := func(arn string, inOld, inCur bool) {
		j := &job{key: arn, done: make(chan struct{})}
		switch {
		case pl.all || pl.keys[arn] || !inOld || !inCur:
			if inOld {
				j.old = old
			}
			if inCur {
				j.cur = cur
			}
		case len(changed) > 0 && reachable(pl, old, cur, arn):
			j.old, j.cur, j.keep = subOld, subCur, changed
		default:
			return
		}
		jobs = append(jobs, j)
	}
	for i, j := 0, 0; i < len(ka) || j < len(kb); {
		switch {
		case j == len(kb) || i < len(ka) && ka[i] < kb[j]:
			add(ka[i], true, false)
			i++
		case i == len(ka) || kb[j] < ka[i]:
			add(kb[j], false, true)
			j++
		default:
			add(ka[i], true, true)
			i++
			j++
		}
	}
	workers := runtime.GOMAXPROCS(0)
	window := make(chan struct{}, 2*workers)
	next := make(chan *job)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				j.changes = run(j)
				close(j.done)
			}
		}()
	}
	go func() {
		defer close(next)
		for _, j := range jobs {
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case next <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	var out []Change
	var err error
	for _, j := range jobs {
		select {
		case <-j.done:
		case <-ctx.Done():
			err = ctx.Err()
		}
		if err != nil {
			break
		}
		out = append(out, j.changes...)
		j.changes = nil
		<-window
	}
	cancel()
	wg.Wait()
	return out, err
}

// reachable reports whether a principal whose data changed may reach the
// key, in either input.
func reachable(pl *plan, old, cur *access.Index, arn string) bool {
	for _, ix := range []*access.Index{old, cur} {
		if k, err := ix.Key(arn); err == nil && pl.reaches(k) {
			return true
		}
	}
	return false
}

// subIndex indexes a copy of the snapshot that holds, of the users and
// roles, only the given ones; accounts, groups, managed policies and keys
// are shared (their parsed policies too).
func subIndex(s *inventory.Snapshot, keep map[string]bool) (*access.Index, error) {
	cp := *s
	cp.Accounts = make([]*inventory.Account, len(s.Accounts))
	for i, a := range s.Accounts {
		ac := *a
		ac.Users, ac.Roles = nil, nil
		for _, u := range a.Users {
			if keep[u.ARN] {
				ac.Users = append(ac.Users, u)
			}
		}
		for _, r := range a.Roles {
			if keep[r.ARN] {
				ac.Roles = append(ac.Roles, r)
			}
		}
		cp.Accounts[i] = &ac
	}
	return access.New(&cp)
}

// listed reports whether a kind is that of a principal an input lists.
func listed(k access.Kind) bool {
	return k == access.KindUser || k == access.KindRole || k == access.KindRoot
}

// actionRank orders actions as the matrix does: use, then administer.
var actionRank = func() map[string]int {
	m := map[string]int{}
	for _, a := range append(append([]string(nil), awsfacts.KeyUse...), awsfacts.KeyAdmin...) {
		m[a] = len(m)
	}
	return m
}()

func newExplainer(key string, old, cur *access.Index, a, b []access.Cell) *explainer {
	return &explainer{key: key, old: old, cur: cur, unreadOld: unreadActions(a), unreadCur: unreadActions(b)}
}

// compareKey turns one key's cells in both inputs into changes.
func compareKey(x *explainer, a, b []access.Cell) []Change {
	var out []Change
	// Cells of principals come first in both lists, sorted by ARN: they
	// are merged in step. The classes after them are few and are matched
	// by what they stand for (their descriptions may change).
	i, j := 0, 0
	for i < len(a) && a[i].Principal != "" || j < len(b) && b[j].Principal != "" {
		pa := i < len(a) && a[i].Principal != ""
		pb := j < len(b) && b[j].Principal != ""
		switch {
		case pa && (!pb || a[i].Principal < b[j].Principal):
			out = compare(out, x, "p|"+a[i].Principal, &a[i], nil)
			i++
		case pb && (!pa || b[j].Principal < a[i].Principal):
			out = compare(out, x, "p|"+b[j].Principal, nil, &b[j])
			j++
		default:
			if !sameCell(&a[i], &b[j]) {
				out = compare(out, x, "p|"+a[i].Principal, &a[i], &b[j])
			}
			i++
			j++
		}
	}
	olds := map[string]*access.Cell{}
	var oldIDs []string
	for ; i < len(a); i++ {
		id := cellID(a[i].Principal, a[i].Symbol, a[i].Kind, a[i].Description)
		olds[id] = &a[i]
		oldIDs = append(oldIDs, id)
	}
	seen := map[string]bool{}
	for ; j < len(b); j++ {
		id := cellID(b[j].Principal, b[j].Symbol, b[j].Kind, b[j].Description)
		seen[id] = true
		if o := olds[id]; o == nil || !sameCell(o, &b[j]) {
			out = compare(out, x, id, o, &b[j])
		}
	}
	for _, id := range oldIDs {
		if !seen[id] {
			out = compare(out, x, id, olds[id], nil)
		}
	}
	return out
}

// sameCell reports whether two cells give the same answers.
func sameCell(a, b *access.Cell) bool {
	if !slices.Equal(a.Use, b.Use) || !slices.Equal(a.Admin, b.Admin) || !slices.Equal(a.Unknown, b.Unknown) || len(a.Conditions) != len(b.Conditions) {
		return false
	}
	for k, v := range a.Conditions {
		if !slices.Equal(v, b.Conditions[k]) {
			return false
		}
	}
	return true
}

// unreadActions are the actions a key's cells leave undecided for
// everyone because its key policy was not read (the access layer then
// lists one class, "any other principal", instead of the principals).
func unreadActions(cells []access.Cell) map[string]State {
	for i := len(cells) - 1; i >= 0; i-- {
		c := &cells[i]
		if c.Principal == "" && c.Symbol == nil && c.Kind == access.KindAnyone && len(c.Unknown) > 0 {
			return states(c)
		}
	}
	return nil
}

// compare adds what changed in one principal's cell of one key. A
// principal missing from one input's cells of a key whose policy that
// input could not read is undecided there, not denied.
func compare(out []Change, x *explainer, id string, a, b *access.Cell) []Change {
	sa, sb := x.unreadOld, x.unreadCur
	if a != nil {
		sa = states(a)
	}
	if b != nil {
		sb = states(b)
	}
	byKind := map[Kind]*Change{}
	var order []Kind
	actions := make([]string, 0, len(sa)+len(sb))
	for act := range sa {
		actions = append(actions, act)
	}
	for act := range sb {
		if _, ok := sa[act]; !ok {
			actions = append(actions, act)
		}
	}
	sort.Slice(actions, func(i, j int) bool { return actionRank[actions[i]] < actionRank[actions[j]] })
	for _, act := range actions {
		os, ok := sa[act]
		if !ok {
			os = State{Access: None}
		}
		ns, ok := sb[act]
		if !ok {
			ns = State{Access: None}
		}
		k := classify(os, ns)
		if k == "" {
			continue
		}
		c := byKind[k]
		if c == nil {
			cell := b
			if cell == nil {
				cell = a
			}
			c = &Change{Kind: k, Principal: cell.Principal, PrincipalOf: cell.Kind, Description: cell.Description, Key: x.key}
			if cell.Symbol != nil {
				sym := *cell.Symbol
				c.Symbol = &sym
			}
			byKind[k] = c
			order = append(order, k)
		}
		c.Actions = append(c.Actions, act)
		c.Old = append(c.Old, os)
		c.New = append(c.New, ns)
	}
	for _, k := range order {
		c := byKind[k]
		c.KeyName = x.keyName()
		c.Source = x.keySource()
		if c.Description == "" {
			c.Description = x.describe(c.Principal)
		}
		if k != Gained {
			c.Was = x.explain(true, id, c)
		}
		c.Now = x.explain(false, id, c)
		out = append(out, *c)
	}
	return out
}

// explainer finds the engine's explanations of one key's answers in
// either input, preparing each input's KeyAccess only when a change
// needs it.
type explainer struct {
	key          string
	old, cur     *access.Index
	kaOld, kaCur *access.KeyAccess
	prepared     [2]bool
	name         string
	// unreadOld and unreadCur are the states of everyone on a key whose
	// policy an input could not read (nil when it could).
	unreadOld, unreadCur map[string]State
}

func (x *explainer) access(old bool) *access.KeyAccess {
	i, ix, ka := 1, x.cur, &x.kaCur
	if old {
		i, ix, ka = 0, x.old, &x.kaOld
	}
	if !x.prepared[i] {
		x.prepared[i] = true
		if k, err := ix.Key(x.key); err == nil {
			*ka = ix.Access(k)
		}
	}
	return *ka
}

func (x *explainer) keyName() string {
	if x.name != "" {
		return x.name
	}
	for _, ix := range []*access.Index{x.cur, x.old} {
		if k, err := ix.Key(x.key); err == nil {
			x.name = keyName(k)
			return x.name
		}
	}
	x.name = x.key
	return x.name
}

// keySource is where the key's policy was read: in the new input, else
// in the old.
func (x *explainer) keySource() *inventory.Location {
	for _, ix := range []*access.Index{x.cur, x.old} {
		if k, err := ix.Key(x.key); err == nil {
			if d := k.Inv.Policy; d != nil && d.Source.File != "" {
				src := d.Source
				return &src
			}
			return nil
		}
	}
	return nil
}

// describe names a principal of the input for a person.
func (x *explainer) describe(arn string) string {
	for _, ix := range []*access.Index{x.cur, x.old} {
		if p, err := ix.Principal(arn); err == nil && p.ARN == arn {
			switch p.Kind {
			case access.KindRoot:
				return "the root user of account " + p.Account
			case access.KindUser:
				return "IAM user " + p.Name
			}
			return "IAM role " + p.Name
		}
	}
	return ""
}

// explain gives the engine's explanation of the change's actions in one
// input: what allows them, or why they are denied.
func (x *explainer) explain(old bool, id string, c *Change) []verify.Explanation {
	ix := x.cur
	if old {
		ix = x.old
	}
	ka := x.access(old)
	results := make([]engine.Result, len(c.Actions))
	for i, act := range c.Actions {
		results[i] = x.result(ix, ka, id, c, act)
	}
	return verify.Explain(c.Actions, results)
}

func (x *explainer) result(ix *access.Index, ka *access.KeyAccess, id string, c *Change, action string) engine.Result {
	if ka == nil {
		return engine.Result{Decision: engine.ImplicitDeny, Summary: "the key is not in this input"}
	}
	aa := ka.Action(action)
	if c.Principal != "" {
		for _, g := range aa.Groups {
			ms := g.Members()
			i := sort.Search(len(ms), func(i int) bool { return ms[i].ARN >= c.Principal })
			if i < len(ms) && ms[i].ARN == c.Principal {
				return g.Result
			}
		}
	}
	for _, e := range aa.Symbols {
		if cellID(e.Principal, e.Symbol, e.Kind, e.Description) == id {
			return e.Result
		}
	}
	// Not listed: ask the engine why, for a principal of the input.
	if c.Principal != "" {
		if p, err := ix.Principal(c.Principal); err == nil && p.ARN == c.Principal {
			if ans, err := ix.Can(access.Question{Principal: c.Principal, Action: action, Resource: x.key}); err == nil && len(ans.Steps) == 1 {
				return ans.Steps[0].Result
			}
		}
		if listed(c.PrincipalOf) {
			return engine.Result{Decision: engine.ImplicitDeny, Summary: c.Principal + " is not in this input (deleted, or not read)"}
		}
	}
	for _, e := range aa.Symbols {
		if e.Principal == "" && e.Symbol == nil && e.Kind == access.KindAnyone {
			// The key policy was not read: its answer stands for everyone.
			return e.Result
		}
	}
	return engine.Result{Decision: engine.ImplicitDeny, Summary: "no statement or grant of this input reaches " + c.Name()}
}
