package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/policy"
)

// A Scenario is one authorization question: a request, the policies in
// force, and optionally the decision it should get.
type Scenario struct {
	Name        string
	Description string
	// Source is where the scenario starts: its line in a .jsonl file, the
	// line of its opening brace in a .json file.
	Source   Source
	Request  engine.Request
	Policies engine.Policies
	// Expect is the expected decision; nil when the scenario asks without
	// expecting an answer.
	Expect *engine.Decision
}

// Source locates a scenario in its file.
type Source struct {
	File string
	Line int
}

// String returns "file:line".
func (s Source) String() string { return s.File + ":" + strconv.Itoa(s.Line) }

// Load reads the scenarios of every path, in order: a file as described in
// the package documentation, a directory walked recursively for .json and
// .jsonl files (hidden entries skipped, lexical order). It collects every
// input error it finds before returning; the error is then policy.Errors,
// file after file, each file's sorted by position, and no scenario is
// returned. A path that cannot be read stops the load with that error.
//
// Load holds every scenario; to decide a batch of any size, read it with
// Files and ReadFile and parse each Record on its own.
func Load(paths ...string) ([]Scenario, error) {
	names, err := Files(paths...)
	if err != nil {
		return nil, err
	}
	var (
		out  []Scenario
		errs policy.Errors
	)
	for _, name := range names {
		ss, err := collect(parseRecords(ReadFile(name)))
		var pe policy.Errors
		switch {
		case errors.As(err, &pe):
			errs = append(errs, pe...)
		case err != nil:
			return nil, err
		}
		if len(errs) == 0 {
			out = append(out, ss...)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// parseRecords parses each record of seq.
func parseRecords(seq iter.Seq2[Record, error]) iter.Seq2[Scenario, error] {
	return func(yield func(Scenario, error) bool) {
		for rec, err := range seq {
			if err != nil {
				yield(Scenario{}, err)
				return
			}
			if !yield(rec.Parse()) {
				return
			}
		}
	}
}

// collect drains a sequence of scenarios: every scenario, or every input
// error.
func collect(seq iter.Seq2[Scenario, error]) ([]Scenario, error) {
	var (
		out  []Scenario
		errs policy.Errors
	)
	for s, err := range seq {
		var pe policy.Errors
		switch {
		case errors.As(err, &pe):
			errs = append(errs, pe...)
		case err != nil:
			return nil, err
		case len(errs) == 0:
			out = append(out, s)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// Files expands paths into the scenario files they name: a file as given,
// a directory into its .json and .jsonl files, recursively, skipping
// entries whose names start with a dot, in lexical order. A directory
// without scenario files is an error, so that a mistyped path does not
// pass as an empty, successful run.
func Files(paths ...string) ([]string, error) {
	var out []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			out = append(out, p)
			continue
		}
		n := len(out)
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if path != p && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() && isScenarioFile(path) {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(out) == n {
			return nil, fmt.Errorf("%s: no .json or .jsonl scenario files in this directory", p)
		}
	}
	return out, nil
}

func isScenarioFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json", ".jsonl":
		return true
	}
	return false
}

// isLines reports whether a file holds one scenario per line.
func isLines(name string) bool { return strings.EqualFold(filepath.Ext(name), ".jsonl") }

// Parse reads the scenarios in data. file names the input in errors and
// chooses the format: a name ending in .jsonl holds one scenario per line,
// any other name one scenario. On error no scenario is returned.
func Parse(file string, data []byte) ([]Scenario, error) {
	if isLines(file) {
		return collect(ReadLines(file, bytes.NewReader(data)))
	}
	s, err := parseOne(file, data, 1)
	if err != nil {
		return nil, err
	}
	return []Scenario{s}, nil
}

// ReadLines streams the scenarios of r, one JSON object per line (blank
// lines skipped); name is the input's name in errors and sources. It reads
// as ReadRecords does, so a batch of any size is never held in memory at
// once. Each step yields a scenario, or the errors of one line as
// policy.Errors (reading goes on with the next line), or an error reading r
// (the last step).
func ReadLines(name string, r io.Reader) iter.Seq2[Scenario, error] {
	return parseRecords(ReadRecords(name, r))
}
