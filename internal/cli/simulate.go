package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"

	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/scenario"
	"github.com/spf13/cobra"
)

const simulateLong = `Simulate decides every scenario found in the given paths and, for each one
that states an expected decision, checks that the decision is the expected one.

A path is a .json file (one scenario), a .jsonl file (one scenario per line),
a directory (searched recursively for both), or "-" for JSON Lines on the
standard input. The scenario format is described in README.md.

For each scenario it prints PASS, FAIL or ---- (no expectation), the name and
the decision, then the explanation: a summary and the policy statements and
grants that decided. A last line counts the results. With --format json it
prints one JSON object per scenario instead (docs/simulate-json.md).

Exit status: 0 when every expectation holds, 1 when one does not, 2 when the
input cannot be read or is invalid (each error names the file, the line, the
column and the JSON path) or the command line is wrong.`

const simulateExample = `  keywarden simulate examples/scenarios
  keywarden simulate --quiet scenarios/ batch.jsonl
  keywarden simulate --format json scenarios/ | jq 'select(.match == false)'`

// simulateOptions are the inputs of runSimulate.
type simulateOptions struct {
	streams
	Paths []string
	// Format is "text" or "json".
	Format string
	// Quiet prints only the scenarios whose expectation fails (and, as
	// text, the summary line).
	Quiet bool
}

func newSimulateCmd(s streams, runF func(context.Context, *simulateOptions) error) *cobra.Command {
	opts := &simulateOptions{streams: s}
	cmd := &cobra.Command{
		Use:     "simulate PATH...",
		Short:   "Decide scenarios and check their expected decisions",
		Long:    simulateLong,
		Example: simulateExample,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &UsageError{Command: cmd.CommandPath(), Err: errors.New("simulate needs at least one scenario file or directory")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if opts.Format != "text" && opts.Format != "json" {
				return &UsageError{Command: cmd.CommandPath(), Err: fmt.Errorf("invalid --format %q (want text or json)", opts.Format)}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runSimulate(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "text", "output format: text or json (JSON Lines, one object per scenario)")
	cmd.Flags().BoolVarP(&opts.Quiet, "quiet", "q", false, "print only failed scenarios and the summary")
	return cmd
}

// A verdict is one scenario with the engine's answer.
type verdict struct {
	Scenario *scenario.Scenario
	Result   engine.Result
}

// Status says how the decision compares with the expectation.
func (v *verdict) Status() status {
	switch {
	case v.Scenario.Expect == nil:
		return noExpectation
	case *v.Scenario.Expect == v.Result.Decision:
		return passed
	}
	return failed
}

type status uint8

const (
	noExpectation status = iota
	passed
	failed
)

func runSimulate(ctx context.Context, opts *simulateOptions) error {
	scenarios, err := loadScenarios(opts)
	if err != nil {
		return &InputError{Err: err}
	}
	if len(scenarios) == 0 {
		return &InputError{Err: errors.New("no scenarios found in the given paths")}
	}
	verdicts := make([]verdict, len(scenarios))
	for i := range scenarios {
		if err := ctx.Err(); err != nil {
			return err
		}
		s := &scenarios[i]
		verdicts[i] = verdict{Scenario: s, Result: engine.Decide(s.Request, &s.Policies)}
	}

	w := bufio.NewWriter(opts.Out)
	if opts.Format == "json" {
		err = writeJSON(w, verdicts, opts.Quiet)
	} else {
		err = writeText(w, verdicts, opts.Quiet)
	}
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	if n := count(verdicts)[failed]; n > 0 {
		return &failedError{failed: n}
	}
	return nil
}

// loadScenarios reads every path; "-" is JSON Lines on standard input. It
// collects the located errors of every path before returning them.
func loadScenarios(opts *simulateOptions) ([]scenario.Scenario, error) {
	var (
		out  []scenario.Scenario
		errs policy.Errors
	)
	add := func(ss []scenario.Scenario, err error) error {
		var pe policy.Errors
		if errors.As(err, &pe) {
			errs = append(errs, pe...)
			return nil
		}
		out = append(out, ss...)
		return err
	}
	for _, p := range opts.Paths {
		var err error
		if p == "-" {
			err = add(readStdin(opts))
		} else {
			err = add(scenario.Load(p))
		}
		if err != nil {
			return nil, err
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

func readStdin(opts *simulateOptions) ([]scenario.Scenario, error) {
	var (
		out  []scenario.Scenario
		errs policy.Errors
	)
	for s, err := range scenario.ReadLines("<stdin>", opts.In) {
		var pe policy.Errors
		switch {
		case errors.As(err, &pe):
			errs = append(errs, pe...)
		case err != nil:
			return nil, err
		default:
			out = append(out, s)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

func count(vs []verdict) map[status]int {
	n := make(map[status]int, 3)
	for i := range vs {
		n[vs[i].Status()]++
	}
	return n
}
