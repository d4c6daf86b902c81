package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	secrets "github.com/helios-secrets/go-secrets"
)

// TestTourOnEmulator runs the whole quickstart as `go run ./examples/quickstart` does on a machine
// without credentials, and checks that every step happened and no value was printed.
func TestTourOnEmulator(t *testing.T) {
	// run points the ambient variables at its emulator; t.Setenv restores them afterwards.
	t.Setenv(secrets.EnvManagementToken, "")
	t.Setenv(secrets.EnvManagementBaseURL, "")
	t.Setenv(secrets.EnvManagementVersion, "")
	t.Setenv(secrets.EnvURL, "")
	// A stale organization from the user's shell must not break the tour.
	t.Setenv(secrets.EnvOrganization, "0b6f3c1e-8a4d-4c59-9d3e-1f2a3b4c5d6e")
	noCredentials := func(string) string { return "" }

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, noCredentials))

	text := out.String()
	for _, want := range []string{
		"in-process emulator",
		"1. Create secret",
		"org.GetSecret",
		"secrets.GetSecret",
		"Edit its value",
		"ada@example.com reads it: value of 31 bytes, as stored",
		"ada@example.com cannot edit it: ErrForbidden",
		`Make team "platform" a second Owner`,
		"team platform",
		"value is withheld",
		"ErrConflict, HTTP 409",
		"ErrInvalidName before any request",
		"ErrNotFound",
		"Done: every step behaved as the product describes.",
	} {
		assert.Contains(t, text, want)
	}
	assert.NotContains(t, text, firstValue)
	assert.NotContains(t, text, "correct-horse")
}

// TestMain fails the run when a test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
