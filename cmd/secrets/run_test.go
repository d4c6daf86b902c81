package main

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
)

// These tests call run in-process, with an environment of their own, against an emulator.

type invocation struct {
	code           int
	stdout, stderr string
}

func newEmulator(t *testing.T) (*secretstest.Server, []string) {
	t.Helper()
	srv := secretstest.NewServer()
	t.Cleanup(srv.Close)
	return srv, []string{
		secrets.EnvManagementToken + "=" + srv.APIKey(),
		secrets.EnvManagementBaseURL + "=" + srv.URL,
	}
}

func invoke(t *testing.T, environ []string, stdin string, args ...string) invocation {
	t.Helper()
	var stdout, stderr strings.Builder
	code := run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr, environ)
	return invocation{code, stdout.String(), stderr.String()}
}

func TestRunInProcess(t *testing.T) {
	t.Parallel()
	srv, environ := newEmulator(t)
	srv.AddSecret("API_KEY", "sk-live-0123456789", "")

	tests := []struct {
		name       string
		stdin      string
		args       []string
		wantCode   int
		wantStdout string // exact, when not ""
		wantStderr string // substring, when not ""
	}{
		{name: "get", args: []string{"get", "API_KEY"}, wantStdout: "sk-live-0123456789"},
		{name: "get missing", args: []string{"get", "NOPE"}, wantCode: exitNotFound, wantStderr: `no secret named "NOPE"`},
		{name: "create", stdin: "v1-value", args: []string{"create", "NEW_ONE"}, wantStderr: "created secret NEW_ONE"},
		{name: "create taken", stdin: "x", args: []string{"create", "API_KEY"}, wantCode: exitConflict},
		{name: "delete needs a terminal or --yes", args: []string{"delete", "API_KEY"}, wantCode: exitUsage, wantStderr: "pass --yes"},
		{name: "run masks", args: []string{"run", "--env", "API_KEY", "--", "testchild", "print-env", "API_KEY"},
			wantStdout: "API_KEY=*****\n"},
		{name: "run exit code", args: []string{"run", "--env", "API_KEY", "testchild", "exit", "3"}, wantCode: 3},
		{name: "bad flag", args: []string{"get", "--nope", "API_KEY"}, wantCode: exitUsage},
		{name: "help", args: []string{"help", "run"}, wantStderr: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := invoke(t, environ, tt.stdin, tt.args...)
			assert.Equal(t, tt.wantCode, got.code, "stderr: %s", got.stderr)
			if tt.wantStdout != "" {
				assert.Equal(t, tt.wantStdout, got.stdout)
			}
			assert.Contains(t, got.stderr, tt.wantStderr)
			assert.NotContains(t, got.stderr, "sk-live", "no value on stderr")
		})
	}
	t.Cleanup(func() { // after the parallel subtests
		value, ok := srv.SecretValue("NEW_ONE")
		assert.True(t, ok)
		assert.Equal(t, "v1-value", value)
	})
}

func TestRunInProcessNoCredentials(t *testing.T) {
	t.Parallel()
	got := invoke(t, []string{"PATH=/bin"}, "", "list")
	assert.Equal(t, exitAuth, got.code)
	assert.Contains(t, got.stderr, "no credentials: set SINGLESTOREDB_MANAGEMENT_TOKEN")
}

func TestRunInProcessInterrupted(t *testing.T) {
	t.Parallel()
	_, environ := newEmulator(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stderr strings.Builder
	code := run(ctx, []string{"list"}, nil, io.Discard, &stderr, environ)
	assert.Equal(t, exitInterrupted, code, stderr.String())
}

// The JSON outputs are a contract for scripts: these tests pin their keys.
func TestJSONShapes(t *testing.T) {
	t.Parallel()
	srv, environ := newEmulator(t)
	alice := srv.AddUser("alice@example.com")
	srv.AddSecret("API_KEY", "sk-live-0123456789", alice.ID)

	keys := func(t *testing.T, raw string) map[string]any {
		t.Helper()
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(raw), &m), raw)
		return m
	}
	sorted := func(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

	t.Run("list", func(t *testing.T) {
		t.Parallel()
		got := invoke(t, environ, "", "list", "--json")
		require.Zero(t, got.code, got.stderr)
		m := keys(t, got.stdout)
		assert.Equal(t, []string{"secrets"}, sorted(m))
		item := m["secrets"].([]any)[0].(map[string]any)
		assert.Equal(t, []string{"createdAt", "createdBy", "id", "name", "readable", "updatedAt", "updatedBy"}, sorted(item))
		assert.NotContains(t, got.stdout, "sk-live")
	})
	t.Run("access", func(t *testing.T) {
		t.Parallel()
		got := invoke(t, environ, "", "access", "API_KEY", "--json")
		require.Zero(t, got.code, got.stderr)
		m := keys(t, got.stdout)
		assert.Equal(t, []string{"roles", "secret"}, sorted(m))
		role := m["roles"].([]any)[0].(map[string]any)
		assert.Equal(t, []string{"description", "grants", "role"}, sorted(role))
		grant := role["grants"].([]any)[0].(map[string]any)
		assert.Equal(t, []string{"createdAt", "email", "id", "inheritedFrom", "name", "type"}, sorted(grant))
	})
	t.Run("whoami", func(t *testing.T) {
		t.Parallel()
		got := invoke(t, environ, "", "whoami", "--json")
		require.Zero(t, got.code, got.stderr)
		m := keys(t, got.stdout)
		assert.Equal(t, []string{"baseURL", "organization", "organizationID", "tokenExpired", "tokenExpiresAt", "tokenKind", "tokenSource", "user"}, sorted(m))
		assert.NotContains(t, got.stdout, srv.APIKey())
	})
	t.Run("doctor", func(t *testing.T) {
		t.Parallel()
		got := invoke(t, environ, "", "doctor", "--json")
		require.Zero(t, got.code, got.stderr)
		m := keys(t, got.stdout)
		assert.Equal(t, []string{"checks", "ok"}, sorted(m))
		check := m["checks"].([]any)[0].(map[string]any)
		assert.Equal(t, []string{"detail", "name", "status"}, sorted(check))
	})
	t.Run("create", func(t *testing.T) {
		t.Parallel()
		got := invoke(t, environ, "value-1234", "create", "MADE", "--json")
		require.Zero(t, got.code, got.stderr)
		assert.Equal(t, []string{"createdAt", "createdBy", "id", "name", "readable", "updatedAt", "updatedBy"}, sorted(keys(t, got.stdout)))
		assert.NotContains(t, got.stdout, "value-1234")
	})
}
