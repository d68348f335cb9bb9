package cli

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestSpool(t *testing.T) {
	tests := []struct {
		name   string
		limit  int
		writes []string
		spills bool
	}{
		{"in memory", 100, []string{"abc", "", "def"}, false},
		{"up to the limit", 6, []string{"abc", "def"}, false},
		{"past the limit", 6, []string{"abc", "def", "g", "hij"}, true},
		{"one write past the limit", 2, []string{"abcdef"}, true},
		{"blocks", 4 * spoolBlock, []string{strings.Repeat("a", spoolBlock-1), strings.Repeat("b", spoolBlock+2), "c"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &spool{limit: tt.limit}
			for _, w := range tt.writes {
				if n, err := s.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write(%.10q) = %d, %v", w, n, err)
				}
			}
			if (s.file != nil) != tt.spills {
				t.Errorf("spilled to a file: %v, want %v", s.file != nil, tt.spills)
			}
			var name string
			if s.file != nil {
				name = s.file.Name()
			}
			var got bytes.Buffer
			if err := s.copyTo(&got); err != nil {
				t.Fatal(err)
			}
			if want := strings.Join(tt.writes, ""); got.String() != want {
				t.Errorf("copyTo wrote %.40q..., want %.40q...", got.String(), want)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if name != "" {
				if _, err := os.Stat(name); !os.IsNotExist(err) {
					t.Errorf("temporary file %s still exists after Close: %v", name, err)
				}
			}
		})
	}
}
