package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"runtime"
	"sync"
	"sync/atomic"

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

Scenarios are read one at a time and decided on every processor, so a batch
of any size runs in constant memory. The results are printed in input order
once the last scenario has been read, since an invalid scenario anywhere
means that nothing is printed; beyond 4 MB they wait in a temporary file.

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

// counts are the number of verdicts of each status.
type counts [failed + 1]int

func runSimulate(ctx context.Context, opts *simulateOptions) error {
	records, err := simulateRecords(opts)
	if err != nil {
		return &InputError{Err: err}
	}
	out := newSpool()
	defer out.Close()
	format := verdictFormat{json: opts.Format == "json", quiet: opts.Quiet}
	t, err := decideAll(ctx, records, format, out, runtime.GOMAXPROCS(0))
	switch {
	case err != nil:
		return err
	case len(t.errs) > 0:
		return &InputError{Err: t.errs, More: t.more}
	case t.decided == 0:
		return &InputError{Err: errors.New("no scenarios found in the given paths")}
	}
	if err := format.summary(out, t.n); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	if err := out.copyTo(opts.Out); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	if t.n[failed] > 0 {
		return &failedError{failed: t.n[failed]}
	}
	return nil
}

// simulateRecords streams the scenario records of every path, in order;
// "-" is JSON Lines on standard input. Every path is expanded (and checked)
// before the first is read, so that a mistyped last path fails at once.
func simulateRecords(opts *simulateOptions) (iter.Seq2[scenario.Record, error], error) {
	type input struct {
		file  string
		stdin bool
	}
	var inputs []input
	for _, p := range opts.Paths {
		if p == "-" {
			inputs = append(inputs, input{stdin: true})
			continue
		}
		files, err := scenario.Files(p)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			inputs = append(inputs, input{file: f})
		}
	}
	return func(yield func(scenario.Record, error) bool) {
		for _, in := range inputs {
			seq := scenario.ReadFile(in.file)
			if in.stdin {
				seq = scenario.ReadRecords("<stdin>", opts.In)
			}
			for rec, err := range seq {
				if !yield(rec, err) {
					return
				}
			}
		}
	}, nil
}

// A tally is what decideAll found.
type tally struct {
	// n counts the verdicts by status; decided is their total.
	n       counts
	decided int
	// errs are the first maxInputErrors input errors, in input order;
	// more counts the others.
	errs policy.Errors
	more int
}

func (t *tally) addErrors(errs policy.Errors) {
	keep := min(len(errs), max(maxInputErrors-len(t.errs), 0))
	t.errs = append(t.errs, errs[:keep]...)
	t.more += len(errs) - keep
}

// A job is one scenario on its way through decideAll.
type job struct {
	// rec is the record, its Data in data: the reader's buffer is reused
	// for the next record, and data for the job's next scenario.
	rec  scenario.Record
	data []byte
	// done receives a value when a worker has handled the job.
	done chan struct{}
	// What the worker found: the scenario's input errors (policy.Errors)
	// or another error, else the verdict's status and output.
	err error
	st  status
	out bytes.Buffer
}

// jobsPerWorker bounds how far reading may run ahead of printing: at most
// that many scenarios per worker are held at once, read, decided or
// waiting for their turn to be printed.
const jobsPerWorker = 16

// maxJobBuffer bounds the buffers a job keeps for the next scenario: one
// huge scenario must not leave a huge job behind.
const maxJobBuffer = 1 << 20

// decideAll reads every record, parses and decides each with a pool of
// workers, and writes the verdicts to w as they are ready, in input order,
// whatever order the workers finish in. A fixed set of jobs goes round from
// the reader to the workers and, in order, to the printer (this goroutine)
// and back, so memory does not grow with the input.
//
// An invalid scenario does not stop the run: its errors are tallied and
// reading goes on, so that every error is reported; from then on the
// workers only parse, since nothing will be printed. An error reading the
// input (an *InputError), writing w or a cancelled ctx ends the run with
// that error.
func decideAll(ctx context.Context, records iter.Seq2[scenario.Record, error], format verdictFormat, w io.Writer, workers int) (tally, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	size := workers * jobsPerWorker
	var (
		free  = make(chan *job, size)
		work  = make(chan *job, size)
		order = make(chan *job, size)
		// invalid is set by the printer at the first input error.
		invalid atomic.Bool
		readErr error
	)
	for range size {
		free <- &job{done: make(chan struct{}, 1)}
	}

	go func() {
		defer close(order)
		defer close(work)
		for rec, err := range records {
			if err != nil {
				readErr = err
				return
			}
			var j *job
			select {
			case j = <-free:
			case <-ctx.Done():
				return
			}
			j.data = append(j.data[:0], rec.Data...)
			j.rec, j.rec.Data = rec, j.data
			work <- j
			order <- j
		}
	}()

	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range work {
				if ctx.Err() == nil {
					decideJob(j, format, invalid.Load())
				}
				j.done <- struct{}{}
			}
		})
	}

	var (
		t    tally
		werr error
	)
	for j := range order {
		<-j.done
		var pe policy.Errors
		switch {
		case werr != nil:
		case errors.As(j.err, &pe):
			invalid.Store(true)
			t.addErrors(pe)
		case j.err != nil:
			werr = j.err
		case invalid.Load():
		default:
			t.n[j.st]++
			t.decided++
			if _, err := w.Write(j.out.Bytes()); err != nil {
				werr = fmt.Errorf("write results: %w", err)
			}
		}
		if werr != nil {
			cancel()
		}
		j.rec, j.err = scenario.Record{}, nil
		j.out.Reset()
		if cap(j.data) > maxJobBuffer {
			j.data = nil
		}
		if j.out.Cap() > maxJobBuffer {
			j.out = bytes.Buffer{}
		}
		free <- j
	}
	wg.Wait()
	if werr != nil {
		return t, werr
	}
	// The reader has returned: order is closed.
	if readErr != nil {
		return t, &InputError{Err: readErr}
	}
	return t, ctx.Err()
}

// decideJob parses j's record and, unless parseOnly, decides the scenario
// and formats the verdict into j.out.
func decideJob(j *job, format verdictFormat, parseOnly bool) {
	s, err := j.rec.Parse()
	if err != nil || parseOnly {
		j.err = err
		return
	}
	v := verdict{Scenario: &s, Result: engine.Decide(s.Request, &s.Policies)}
	j.st = v.Status()
	j.err = format.verdict(&j.out, &v)
}
