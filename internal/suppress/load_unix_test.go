//go:build unix

package suppress

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/keywarden/keywarden/internal/safefile"
)

// TestLoadRefusesPipe: a suppression file that is a named pipe is refused
// rather than waited on.
func TestLoadRefusesPipe(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "suppressions.json")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(fifo, Options{}); !errors.Is(err, safefile.ErrNotRegular) {
		t.Errorf("Load(fifo) = %v, want %v", err, safefile.ErrNotRegular)
	}
}
