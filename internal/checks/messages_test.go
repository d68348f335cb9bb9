package checks

import (
	"testing"

	"github.com/keywarden/keywarden/internal/remedy"
)

// TestMessages holds the catalogues of the checks and of their fixes to
// what a catalogue promises: every message in English and Japanese, with
// the same arguments.
func TestMessages(t *testing.T) {
	for _, p := range catalog.Check() {
		t.Error("checks: " + p)
	}
	for _, p := range remedy.Catalog().Check() {
		t.Error("remedy: " + p)
	}
}
