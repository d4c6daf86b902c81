// Command quickstart walks through the whole go-secrets story: create a secret, read it the way the
// Python SDK does and the notebook way, edit it, share it, revoke, delete, and handle typed errors.
//
// With no SINGLESTOREDB_MANAGEMENT_TOKEN in the environment it starts the secretstest emulator in this
// process, so it runs on a fresh machine with no account:
//
//	go run ./examples/quickstart
//
// With a token it runs against the real Management API, on a secret name of its own that it deletes
// at the end. Steps that need a second user's credentials run only on the emulator; set
// QUICKSTART_SHARE_WITH to an e-mail address of your organization to try sharing on the real API.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// run picks the backend and takes the tour.
func run(ctx context.Context, out io.Writer, getenv func(string) string) error {
	env, err := newEnvironment(getenv)
	if err != nil {
		return err
	}
	defer env.close()
	fmt.Fprintf(out, "go-secrets quickstart, against %s\n\n", env.description)
	return tour(ctx, out, env)
}
