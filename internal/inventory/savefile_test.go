package inventory

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSaveFile(t *testing.T) {
	snap := &Snapshot{
		Metadata: Metadata{Source: SourceCollector},
		Accounts: []*Account{{ID: "111122223333"}},
	}
	tests := []struct {
		name     string
		existing os.FileMode // 0: no file there before
	}{
		{"new file", 0},
		{"replacing a world-readable file", 0o644},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "snapshot.json")
			if tt.existing != 0 {
				if err := os.WriteFile(path, []byte("old"), tt.existing); err != nil {
					t.Fatal(err)
				}
			}
			if err := snap.SaveFile(path); err != nil {
				t.Fatal(err)
			}
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := info.Mode().Perm(); got != 0o600 {
				t.Errorf("mode = %v, want 0600", got)
			}
			back, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(snap, back); diff != "" {
				t.Errorf("read back (-written +read):\n%s", diff)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("directory holds %d files, want 1 (no temporary file left)", len(entries))
			}
		})
	}
	t.Run("missing directory", func(t *testing.T) {
		err := snap.SaveFile(filepath.Join(t.TempDir(), "no", "snapshot.json"))
		if err == nil || !strings.HasPrefix(err.Error(), "write ") || strings.Count(err.Error(), "write") != 1 {
			t.Errorf("error = %v, want one starting \"write \" once", err)
		}
	})
}
