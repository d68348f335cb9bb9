package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/keywarden/keywarden/internal/escape"
	"github.com/keywarden/keywarden/internal/policy"
)

// Exit codes of Main.
const (
	// ExitOK: everything asked for holds.
	ExitOK = 0
	// ExitFailed: the command ran and found a failure (a scenario whose
	// decision is not the expected one).
	ExitFailed = 1
	// ExitError: a usage error, or input that could not be read or is
	// invalid; nothing was decided.
	ExitError = 2
)

// maxInputErrors bounds how many input errors Main prints; a batch with a
// systematic mistake would otherwise print one per line.
const maxInputErrors = 50

// version is set at build time:
//
//	go build -ldflags "-X github.com/keywarden/keywarden/internal/cli.version=v1.2.3" ./cmd/keywarden
var version string

// Version returns the version set at build time, else the module version
// recorded by "go install module@version", else "dev".
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// A UsageError is a command line that keywarden cannot run: an unknown
// command or flag, a missing argument, a bad flag value. Exit code 2.
type UsageError struct {
	// Command is the command path whose help explains the usage
	// ("keywarden simulate").
	Command string
	Err     error
}

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// An InputError is input that could not be read or is invalid. When the
// input was read, Err holds policy.Errors, each naming the file, the line,
// the column and the JSON path. Exit code 2.
type InputError struct {
	Err error
	// More counts errors found but not kept in Err: a command reading a
	// batch of any size keeps the first ones only.
	More int
}

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// failedError reports that a command ran to the end and found failures; its
// output already says which, so Main prints nothing more.
type failedError struct{ failed int }

func (e *failedError) Error() string { return fmt.Sprintf("%d failed", e.failed) }

// streams are where a command reads and writes.
type streams struct {
	In       io.Reader
	Out, Err io.Writer
}

// Main runs keywarden with args (without the program name) and returns the
// exit code. It is the whole program: cmd/keywarden only calls it with the
// process's streams, and tests call it with buffers.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd(streams{In: stdin, Out: stdout, Err: stderr})
	root.SetArgs(args)
	return exitCode(root.ExecuteContext(ctx), stderr)
}

// exitCode reports err on w and maps it to an exit code; it is the only
// place where errors become exit codes. Every message is shown through
// escape.Text: errors quote file names, key names and flag values that
// keywarden did not choose.
func exitCode(err error, w io.Writer) int {
	var (
		failed *failedError
		usage  *UsageError
		input  *InputError
		list   policy.Errors
	)
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &failed):
		return ExitFailed
	case errors.As(err, &usage):
		fmt.Fprintf(w, "keywarden: %s\nRun '%s --help' for usage.\n", escape.Text(usage.Err.Error()), usage.Command)
		return ExitError
	case errors.As(err, &list):
		// Located errors are printed as compilers print them, one per
		// line, so that editors and CI annotate the right place. They
		// come ordered: file after file, by position in each.
		shown := min(len(list), maxInputErrors)
		for _, e := range list[:shown] {
			fmt.Fprintln(w, escape.Text(e.Error()))
		}
		more := len(list) - shown
		if errors.As(err, &input) {
			more += input.More
		}
		if more > 0 {
			fmt.Fprintf(w, "keywarden: %d more errors not shown\n", more)
		}
		return ExitError
	}
	fmt.Fprintf(w, "keywarden: %s\n", escape.Text(err.Error()))
	return ExitError
}
