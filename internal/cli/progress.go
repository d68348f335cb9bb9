package cli

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// keyProgress shows how far a long computation over the keys has come, on
// one status line of a terminal rewritten in place: "scan: 120/2000 keys
// (6%), about 12s left". It stays silent for runs shorter than a second,
// and draws at most ten times a second.
type keyProgress struct {
	w       io.Writer
	what    string
	start   time.Time
	now     func() time.Time
	mu      sync.Mutex
	last    time.Time
	drawn   bool
	minWait time.Duration
}

func newKeyProgress(w io.Writer, what string) *keyProgress {
	return &keyProgress{w: w, what: what, start: time.Now(), now: time.Now, minWait: time.Second}
}

// Report records that done of total keys are done.
func (p *keyProgress) Report(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if now.Sub(p.start) < p.minWait || (now.Sub(p.last) < 100*time.Millisecond && done < total) {
		return
	}
	p.last = now
	p.drawn = true
	line := fmt.Sprintf("%s: %d/%d keys (%d%%)", p.what, done, total, done*100/max(total, 1))
	if done > 0 && done < total {
		left := time.Duration(float64(now.Sub(p.start)) / float64(done) * float64(total-done))
		line += fmt.Sprintf(", about %s left", left.Round(time.Second))
	}
	// \r and erase to the end of the line: the line is rewritten in place.
	fmt.Fprintf(p.w, "\r%s\x1b[K", line)
}

// Done ends the status line, if one was drawn.
func (p *keyProgress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintf(p.w, "\r\x1b[K")
	}
}
