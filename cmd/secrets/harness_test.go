package main

import (
	"context"
	"strings"
	"testing"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
)

// The Go tests that run the command call run in-process, with an environment of their own, against
// an emulator (newEmulator); the scripts (main_test.go) are the command's behaviour tests.

type invocation struct {
	code           int
	stdout, stderr string
}

// newEmulator starts an emulator for one test and returns it with the environment that points the
// command at it with the organization's API key.
func newEmulator(t *testing.T, opts ...secretstest.Option) (*secretstest.Server, []string) {
	t.Helper()
	srv := secretstest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv, []string{
		secrets.EnvManagementToken + "=" + srv.APIKey(),
		secrets.EnvManagementBaseURL + "=" + srv.URL,
	}
}

// invoke runs the command with args, stdin and environ, and returns its exit code and output.
func invoke(t *testing.T, environ []string, stdin string, args ...string) invocation {
	t.Helper()
	return invokeContext(t.Context(), environ, stdin, args...)
}

func invokeContext(ctx context.Context, environ []string, stdin string, args ...string) invocation {
	var stdout, stderr strings.Builder
	code := run(ctx, args, strings.NewReader(stdin), &stdout, &stderr, environ)
	return invocation{code, stdout.String(), stderr.String()}
}
