package collect

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"

	"github.com/keywarden/keywarden/internal/inventory"
)

// WriteSnapshotFile saves the snapshot to path with file mode 0600: a
// snapshot names every principal, key and policy of the accounts, so only
// its owner may read it. The file is written beside path and renamed over
// it, so a reader never sees half a snapshot and an existing file's looser
// mode is not kept.
func WriteSnapshotFile(path string, snap *inventory.Snapshot) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	// CreateTemp makes the file 0600 already; the Chmod says so where a
	// reader can see it, and holds on systems whose default differs.
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("write snapshot %s: %w", path, err)
	}
	w := bufio.NewWriter(f)
	if err := snap.Save(w); err != nil {
		return fmt.Errorf("write snapshot %s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write snapshot %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write snapshot %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write snapshot %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write snapshot %s: %w", path, err)
	}
	return nil
}
