package collect

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/keywarden/keywarden/internal/escape"
)

// A progressSink serializes the calls of Options.Progress.
type progressSink struct {
	mu sync.Mutex
	f  func(Progress)
}

func newProgressSink(f func(Progress)) *progressSink { return &progressSink{f: f} }

func (p *progressSink) report(ev Progress) {
	if p.f == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.f(ev)
}

// A ProgressWriter shows the progress of a collection as one status line,
// rewritten in place ("\r" and erase to end of line), so it is meant for a
// terminal: the CLI gives it stderr when that is one. Use Report as
// Options.Progress and call Done when Collect returns.
type ProgressWriter struct {
	w        io.Writer
	interval time.Duration
	mu       sync.Mutex
	steps    map[[3]string]Progress
	last     time.Time
}

// NewProgressWriter returns a ProgressWriter writing to w at most ten
// times a second.
func NewProgressWriter(w io.Writer) *ProgressWriter {
	return &ProgressWriter{w: w, interval: 100 * time.Millisecond, steps: map[[3]string]Progress{}}
}

// Report records a step's progress and redraws the line when it is due.
func (p *ProgressWriter) Report(ev Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.steps[[3]string{ev.Account, ev.Service, ev.Region}] = ev
	if now := time.Now(); ev.Finished || now.Sub(p.last) >= p.interval {
		p.last = now
		p.draw()
	}
}

// Done draws the final state and ends the line.
func (p *ProgressWriter) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.steps) == 0 {
		return
	}
	p.draw()
	fmt.Fprintln(p.w)
}

// draw writes "collecting 2 accounts: iam 1/2, organizations 2/2, kms 17/34
// regions 120/130 keys, s3 3/12 buckets".
func (p *ProgressWriter) draw() {
	type tally struct{ steps, finished, done, total int }
	by := map[string]*tally{}
	accounts := map[string]bool{}
	for _, ev := range p.steps {
		accounts[ev.Account] = true
		t := by[ev.Service]
		if t == nil {
			t = &tally{}
			by[ev.Service] = t
		}
		t.steps++
		if ev.Finished {
			t.finished++
		}
		t.done += ev.Done
		t.total += ev.Total
	}
	var parts []string
	for _, svc := range []string{"iam", "organizations", "kms", "s3"} {
		t := by[svc]
		if t == nil {
			continue
		}
		switch svc {
		case "kms":
			parts = append(parts, fmt.Sprintf("kms %d/%d regions %d/%d keys", t.finished, t.steps, t.done, t.total))
		case "s3":
			parts = append(parts, fmt.Sprintf("s3 %d/%d buckets", t.done, t.total))
		case "iam":
			parts = append(parts, fmt.Sprintf("iam %d/%d accounts (%d entities)", t.finished, t.steps, t.done))
		default:
			parts = append(parts, fmt.Sprintf("%s %d/%d accounts", svc, t.finished, t.steps))
		}
	}
	ids := make([]string, 0, len(accounts))
	for id := range accounts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	head := "collecting " + strings.Join(ids, ", ")
	if len(ids) > 3 {
		head = fmt.Sprintf("collecting %d accounts", len(ids))
	}
	// The account IDs come from the endpoint, which may not be AWS: the
	// line is escaped, and only the redraw is keywarden's own control.
	line := escape.Text(head + ": " + strings.Join(parts, ", "))
	fmt.Fprintf(p.w, "\r\x1b[K%s", line)
}
