// Command s3 lists, uploads and downloads objects in Amazon S3 (or any S3-compatible store) with an
// AWS key pair kept in SingleStore Helios secrets, read with go-secrets instead of ~/.aws or
// environment variables:
//
//	export SINGLESTOREDB_MANAGEMENT_TOKEN=<your SingleStore API key>
//	go run . -bucket my-bucket                              # list
//	go run . -bucket my-bucket -put notes.txt -file ./notes.txt
//	go run . -bucket my-bucket -get notes.txt -out ./copy.txt
//
// The access key ID and the secret access key are the values of the secrets AWS_ACCESS_KEY_ID and
// AWS_SECRET_KEY (-access-key-id-secret and -secret-key-secret name others; -session-token-secret adds
// a session token). They are read through a go-secrets Cache by the credentials provider in
// ./secretcreds, which the AWS SDK asks again when the cache's TTL (-ttl) has passed: a long-running
// program built this way picks up a rotated key without a restart.
//
// -endpoint points the client at an S3-compatible store (MinIO, a local fake…) with path-style
// addressing. See README.md for a run with no cloud account at all.
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
		fmt.Fprintf(stderr, "s3: %v\nRun with -h for the flags.\n", err)
		return 2
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "s3: interrupted")
		return 130
	default:
		fmt.Fprintln(stderr, "s3:", err)
		return 1
	}
}
