//go:build unix

package inventory

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/keywarden/keywarden/internal/safefile"
)

// TestLoadRefuses: a snapshot path that names a named pipe, a device or a
// file over the cap is refused, without blocking and without reading it.
func TestLoadRefuses(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "snap.json")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(fifo); !errors.Is(err, safefile.ErrNotRegular) {
		t.Errorf("Load(fifo) = %v, want %v", err, safefile.ErrNotRegular)
	}
	if _, err := Load("/dev/zero"); !errors.Is(err, safefile.ErrNotRegular) {
		t.Errorf("Load(/dev/zero) = %v, want %v", err, safefile.ErrNotRegular)
	}
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, []byte(`{"version": 1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(safefile.EnvMaxSize, "8")
	if _, err := Load(big); !errors.Is(err, safefile.ErrTooLarge) {
		t.Errorf("Load(big) = %v, want %v", err, safefile.ErrTooLarge)
	}
	if _, err := Read("stdin", strings.NewReader(`{"version": 1}`)); err == nil || !strings.Contains(err.Error(), "over the 8 bytes cap") {
		t.Errorf("Read over the cap = %v", err)
	}
}
