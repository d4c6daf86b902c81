package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"
)

// TestRunLeavesNoGoroutines stands in for goleak.VerifyTestMain, which this package cannot use
// (testscript.Main owns TestMain and exits through os.Exit): it runs every command in-process
// against an emulator, the failures included, closes the emulator, and then checks that nothing
// the commands started is still running. It is not parallel, so it runs alone: the parallel tests
// start only after every sequential one has ended (their goroutines would be counted otherwise).
func TestRunLeavesNoGoroutines(t *testing.T) {
	srv, environ := newEmulator(t)
	alice := srv.AddUser("alice@example.com")
	srv.AddSecret("API_KEY", "sk-live-0123456789", "")
	steps := []struct {
		stdin string
		args  []string
		code  int
	}{
		{args: []string{"whoami"}},
		{args: []string{"doctor"}},
		{args: []string{"list"}},
		{args: []string{"get", "API_KEY"}},
		{args: []string{"get", "NOPE"}, code: exitNotFound},
		{stdin: "v1-value", args: []string{"create", "NEW_ONE"}},
		{stdin: "v2-value", args: []string{"update", "NEW_ONE"}},
		{args: []string{"share", "NEW_ONE", "--reader", alice.Email}},
		{args: []string{"access", "NEW_ONE", "--json"}},
		{args: []string{"run", "--env", "API_KEY", "--", "testchild", "print-env", "API_KEY"}},
		{args: []string{"run", "--env", "API_KEY", "testchild", "exit", "3"}, code: 3},
		{args: []string{"delete", "--yes", "NEW_ONE"}},
		{args: []string{"get", "--nope"}, code: exitUsage},
	}
	for _, s := range steps {
		got := invoke(t, environ, s.stdin, s.args...)
		assert.Equal(t, s.code, got.code, "%v: %s", s.args, got.stderr)
	}
	// Failures end within --timeout: the SDK's backoff (500ms, doubling) would take seconds.
	srv.FailNext(100, 503, 0)
	got := invoke(t, environ, "", "list", "--timeout", "50ms")
	assert.NotEqual(t, 0, got.code, "list against a failing server")
	srv.FailNext(1, 403, 0)
	got = invoke(t, environ, "", "get", "API_KEY")
	assert.Equal(t, exitAuth, got.code, "get refused: %s", got.stderr)
	srv.Close()
	got = invoke(t, environ, "", "list", "--timeout", "50ms")
	assert.NotEqual(t, 0, got.code, "list against a closed server")

	goleak.VerifyNone(t)
}
