// Command huggingface downloads a model's files from the Hugging Face Hub with an access token kept
// in a SingleStore Helios secret, read with go-secrets instead of a token in a file or a variable:
//
//	export SINGLESTOREDB_MANAGEMENT_TOKEN=<your SingleStore API key>
//	go run ./examples/huggingface -repo meta-llama/Llama-3.2-1B
//
// It reads the token with secrets.GetSecret(ctx, "HF_TOKEN") (-secret names another secret) and fetches
// config.json, the tokenizer files and model.safetensors (-files) into ./models/<repo> (-dir), from
// {HF_ENDPOINT}/{repo}/resolve/{revision}/{file} as the official clients do: following the Hub's
// redirects to its CDN, with the token sent to the Hub's own host only. Downloads go to
// <file>.incomplete first and resume from there after an interruption (Ctrl-C included); a file is
// renamed into place once its size, and its sha256 when the Hub announces one, are verified.
//
// See README.md for a run with no account at all: the secrets emulator and a local Hub stand-in.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(exitCode(err))
}

// exitCode reports err on stderr and picks the exit status: 0 done, 1 failed, 2 bad command line,
// 130 interrupted (the partial files stay, for the next run to resume).
func exitCode(err error) int {
	var usage *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &usage):
		if !usage.printed {
			fmt.Fprintf(os.Stderr, "huggingface: %v\nRun with -h for the flags.\n", err)
		}
		return 2
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(os.Stderr, "huggingface:", err)
		return 130
	default:
		fmt.Fprintln(os.Stderr, "huggingface:", err)
		return 1
	}
}
