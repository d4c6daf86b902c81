// Command database connects to a SingleStore workspace (or any MySQL-protocol server) with the
// password kept in a SingleStore Helios secret, and runs a query:
//
//	export SINGLESTOREDB_MANAGEMENT_TOKEN=<your SingleStore API key>
//	go run . -host svc-….svc.singlestore.com -user app -db mydb -query 'SELECT NOW()'
//	go run . -demo    # no account: the secrets emulator and a MySQL-protocol server, in this process
//
// The password is the value of the secret DB_PASSWORD (-password-secret names another), read through
// a go-secrets Cache by the connector in ./secretmysql for every new connection of the database/sql
// pool, so that a long-running service follows a rotated password without a restart. -every repeats
// the query, to watch a rotation happen. TLS is on, the server's certificate verified; -tls=false is
// accepted only for a server on this machine. See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode reports err on stderr and picks the exit status: 0 done, 1 failed, 2 bad command line,
// 130 interrupted.
func exitCode(err error, stderr io.Writer) int {
	var usage *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &usage):
		fmt.Fprintf(stderr, "database: %v\nRun with -h for the flags.\n", err)
		return 2
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "database: interrupted")
		return 130
	default:
		fmt.Fprintln(stderr, "database:", err)
		return 1
	}
}
