// Command genaccount writes a generated AWS account (package accountgen)
// as an AWS CLI export directory or as a snapshot file, for benchmarks:
//
//	go run ./internal/accountgen/genaccount -principals 2004 -keys 200 -seed 1 -export DIR
//	go run ./internal/accountgen/genaccount -principals 2004 -keys 200 -snapshot FILE.json
//
// It prints what it wrote, with a key that delegates to the account (for
// who-can), on standard error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/keywarden/keywarden/internal/accountgen"
	"github.com/keywarden/keywarden/internal/inventory"
)

// The exit codes: 2 for a usage error, 1 when writing failed.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("genaccount", flag.ContinueOnError)
	fs.SetOutput(stderr)
	principals := fs.Int("principals", 204, fmt.Sprintf("IAM users and roles (at least %d)", accountgen.FixedPrincipals))
	keys := fs.Int("keys", 20, "KMS keys, AWS managed keys included (at least 1)")
	seed := fs.Uint64("seed", 1, "seed: the same options write the same account")
	export := fs.String("export", "", "write an AWS CLI export to this directory (new or empty)")
	snapshot := fs.String("snapshot", "", "write a keywarden snapshot to this file")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: genaccount [-principals N] [-keys N] [-seed N] (-export DIR | -snapshot FILE)\n\n"+
			"Generate a realistic AWS account for benchmarks (package internal/accountgen).\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "genaccount: "+format+"\n", a...)
		fs.Usage()
		return exitUsage
	}
	switch {
	case fs.NArg() > 0:
		return usage("unexpected argument %q", fs.Arg(0))
	case *export == "" && *snapshot == "":
		return usage("give -export DIR or -snapshot FILE")
	case *principals < accountgen.FixedPrincipals:
		return usage("-principals must be at least %d, not %d", accountgen.FixedPrincipals, *principals)
	case *keys < 1:
		return usage("-keys must be at least 1, not %d", *keys)
	}

	s, err := accountgen.Generate(accountgen.Options{Principals: *principals, Keys: *keys, Seed: *seed})
	if err != nil {
		return usage("%v", err)
	}
	if *export != "" {
		if err := accountgen.WriteExport(*export, s); err != nil {
			fmt.Fprintf(stderr, "genaccount: %v\n", err)
			return exitError
		}
		fmt.Fprintf(stderr, "genaccount: wrote the export %s\n", *export)
	}
	if *snapshot != "" {
		if err := save(*snapshot, s); err != nil {
			fmt.Fprintf(stderr, "genaccount: %v\n", err)
			return exitError
		}
		fmt.Fprintf(stderr, "genaccount: wrote the snapshot %s\n", *snapshot)
	}
	a := s.Accounts[0]
	fmt.Fprintf(stderr, "genaccount: account %s: %d users, %d roles, %d groups, %d managed policies, %d keys, %d buckets\n",
		a.ID, len(a.Users), len(a.Roles), len(a.Groups), len(a.Policies), len(a.Keys), len(a.Buckets))
	if k, err := accountgen.DelegatingKey(s); err == nil {
		fmt.Fprintf(stderr, "genaccount: a key that delegates to the account: %s\n", k.ARN)
	}
	return exitOK
}

func save(path string, s *inventory.Snapshot) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := s.Save(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
