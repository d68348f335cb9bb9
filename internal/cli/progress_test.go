package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestKeyProgress: nothing for a short run; then one line rewritten in
// place, with an estimate, and erased at the end.
func TestKeyProgress(t *testing.T) {
	var b bytes.Buffer
	clock := time.Unix(0, 0)
	p := &keyProgress{w: &b, what: "scan", start: clock, now: func() time.Time { return clock }, minWait: time.Second}
	clock = clock.Add(500 * time.Millisecond)
	p.Report(1, 10)
	if b.Len() != 0 {
		t.Fatalf("a run under a second drew %q", b.String())
	}
	clock = clock.Add(1500 * time.Millisecond)
	p.Report(4, 10)
	if got := b.String(); got != "\rscan: 4/10 keys (40%), about 3s left\x1b[K" {
		t.Errorf("line = %q", got)
	}
	clock = clock.Add(10 * time.Millisecond)
	p.Report(5, 10)
	if strings.Contains(b.String(), "5/10") {
		t.Errorf("redrawn within 100ms: %q", b.String())
	}
	p.Report(10, 10)
	p.Done()
	if !strings.HasSuffix(b.String(), "\rscan: 10/10 keys (100%)\x1b[K\r\x1b[K") {
		t.Errorf("end = %q", b.String())
	}
}
