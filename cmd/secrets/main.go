// Command secrets manages SingleStore Helios secrets from the command line, and runs programs with
// secrets in their environment, masked in their output. See README.md, or run `secrets help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() { os.Exit(realMain()) }

// realMain is main without os.Exit; the tests run it as the "secrets" command.
func realMain() int {
	// SIGINT and SIGTERM cancel the API calls in flight (exit 130); `run` forwards them to its
	// command instead, through signal handlers of its own.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ())
}
