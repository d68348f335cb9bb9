package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestHelpExamples runs every example of every command's help that reads
// the bundled examples: an example a user copies from --help must work
// (exit 0, or 1 for findings and denials), never fail as bad input.
// Examples that need a live account or a file of the user's are skipped.
func TestHelpExamples(t *testing.T) {
	root := newRootCmd(streams{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard})
	var cmds []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		cmds = append(cmds, c)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	t.Chdir(filepath.Join("..", ".."))
	ran := 0
	for _, c := range cmds {
		for _, line := range strings.Split(c.Example, "\n") {
			args := strings.Fields(strings.TrimSpace(line))
			if len(args) < 2 || args[0] != "keywarden" || !runnable(args[1:]) {
				continue
			}
			ran++
			var stderr bytes.Buffer
			if code := Main(context.Background(), args[1:], strings.NewReader(""), io.Discard, &stderr); code != 0 && code != 1 {
				t.Errorf("%s: the example %q exits %d:\n%s", c.CommandPath(), line, code, stderr.String())
			}
		}
	}
	if ran < 5 {
		t.Errorf("ran %d examples; the help has more that read the bundled examples", ran)
	}
}

// runnable reports whether an example runs offline on the repository: it
// reads no live account, and every file it names exists.
func runnable(args []string) bool {
	if args[0] == "collect" {
		return false
	}
	for i, a := range args {
		if strings.ContainsAny(a, `"'`) || a == "--profile" || a == "--role-arn" || a == "--accounts" {
			return false
		}
		if i > 0 && strings.HasPrefix(args[i-1], "--") && !strings.Contains(args[i-1], "=") && (args[i-1] == "--output" || args[i-1] == "--out") {
			continue // written, not read
		}
		if strings.Contains(a, "/") && !strings.Contains(a, ":") && !strings.HasPrefix(a, "alias/") {
			if _, err := os.Stat(a); err != nil {
				return false
			}
		}
		if ext := filepath.Ext(a); (ext == ".json" || ext == ".yaml" || ext == ".tf") && !strings.Contains(a, "/") {
			if _, err := os.Stat(a); err != nil {
				return false
			}
		}
	}
	return true
}
