package cli

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the scripts run "keywarden": testscript re-executes this
// test binary under that name, and the binary then runs Main.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"keywarden": func() {
			os.Exit(Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

// TestScripts runs testdata/script/*.txtar: end-to-end runs of keywarden
// on the files each script carries, checking exit codes and output.
func TestScripts(t *testing.T) {
	examples, err := filepath.Abs("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			// Scripts reach the bundled examples as $EXAMPLES.
			env.Setenv("EXAMPLES", examples)
			// A command without --input or --snapshot reads the live
			// account; in tests it must fail fast, never reach the
			// instance metadata service or AWS.
			env.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			env.Setenv("AWS_CONFIG_FILE", filepath.Join(env.WorkDir, "no-aws-config"))
			env.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(env.WorkDir, "no-aws-credentials"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": exitcodeCmd,
			"perm":     permCmd,
		},
	})
}

// exitcodeCmd implements "exitcode N program args...": it runs the program
// like exec and fails unless it exits with status N. Plain exec only tells
// success from failure, and keywarden's 1 and 2 mean different things.
func exitcodeCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exitcode")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exitcode N program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: bad status %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exitcode: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// permCmd implements "perm FILE MODE": FILE is a regular file (not a
// link) whose permission bits are MODE, in octal.
func permCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: perm FILE MODE")
	}
	want, err := strconv.ParseUint(args[1], 8, 32)
	if err != nil {
		ts.Fatalf("perm: bad mode %q", args[1])
	}
	fi, err := os.Lstat(ts.MkAbs(args[0]))
	if err != nil {
		ts.Fatalf("perm: %v", err)
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm() != os.FileMode(want) {
		ts.Fatalf("%s has mode %v, want a regular file with %#o", args[0], fi.Mode(), want)
	}
}
