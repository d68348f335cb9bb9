package main

import (
	"context"
	"os"

	"github.com/keywarden/keywarden/internal/cli"
)

func main() {
	// No signal handling: nothing keywarden does yet needs cleaning up, so
	// an interrupt may end the process at once.
	os.Exit(cli.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
