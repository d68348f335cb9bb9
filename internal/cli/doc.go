// Package cli is keywarden's command line: the Cobra command tree, flags,
// and the mapping of errors to exit codes. It is the only package that
// imports Cobra, and nothing imports it but cmd/keywarden.
//
// Each command is an options struct, a constructor newXCmd(streams, runF)
// that turns flags into options, and a runX(ctx, opts) function that does
// the work by calling the packages below (scenario, engine) and writing to
// the streams in the options, never to os.Stdout. Main is the program:
// tests run it in-process (testdata/script/*.txtar through testscript).
//
// Exit codes: 0 when everything asked for holds, 1 when a scenario's
// expectation does not, 2 for a usage error or unreadable or invalid input.
// Only Main turns errors into exit codes, and the code never depends on
// the output format.
package cli
