package main

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAPICommandsCheckArgumentsFirst: every command that calls the API refuses a bad command line
// (exit 2) before it looks for credentials, so a mistyped command never gets an answer about the
// environment instead. The environment holds no credentials: the last row shows what a good command
// line gets from it.
func TestAPICommandsCheckArgumentsFirst(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want int
	}{
		{[]string{"get"}, exitUsage},
		{[]string{"get", "A", "B"}, exitUsage},
		{[]string{"list", "A"}, exitUsage},
		{[]string{"whoami", "A"}, exitUsage},
		{[]string{"access"}, exitUsage},
		{[]string{"create", "A", "value"}, exitUsage},
		{[]string{"update"}, exitUsage},
		{[]string{"delete", "A"}, exitUsage}, // no --yes and no terminal to ask on
		{[]string{"delete", "A", "B", "--yes"}, exitUsage},
		{[]string{"share", "A"}, exitUsage}, // nothing to share
		{[]string{"share", "--reader", "a@example.com"}, exitUsage},
		{[]string{"get", "A"}, exitAuth},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			got := invoke(t, nil, "", tc.args...)
			assert.Equal(t, tc.want, got.code, "stderr: %s", got.stderr)
			assert.Empty(t, got.stdout)
			if tc.want == exitUsage {
				assert.NotContains(t, got.stderr, "credentials")
			}
		})
	}
}

// TestRunInterrupted: a command whose context ends (SIGINT, SIGTERM) exits with exitInterrupted.
func TestRunInterrupted(t *testing.T) {
	t.Parallel()
	_, environ := newEmulator(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got := invokeContext(ctx, environ, "", "list")
	assert.Equal(t, exitInterrupted, got.code, got.stderr)
}

// TestJSONShapes: the JSON outputs are a contract for scripts: the keys of each object, found by its
// path (keys and array indexes, dot-separated), and never a value or the token.
func TestJSONShapes(t *testing.T) {
	t.Parallel()
	srv, environ := newEmulator(t)
	alice := srv.AddUser("alice@example.com")
	srv.AddSecret("API_KEY", "sk-live-0123456789", alice.ID)
	secretKeys := []string{"createdAt", "createdBy", "id", "name", "readable", "updatedAt", "updatedBy"}
	tests := []struct {
		stdin  string
		args   []string
		keys   map[string][]string // path → the object's keys
		hidden string
	}{
		{"", []string{"list", "--json"}, map[string][]string{"": {"secrets"}, "secrets.0": secretKeys}, "sk-live"},
		{"", []string{"access", "API_KEY", "--json"}, map[string][]string{
			"":                 {"roles", "secret"},
			"roles.0":          {"description", "grants", "role"},
			"roles.0.grants.0": {"createdAt", "email", "id", "inheritedFrom", "name", "type"},
		}, "sk-live"},
		{"", []string{"whoami", "--json"}, map[string][]string{
			"": {"baseURL", "organization", "organizationID", "tokenExpired", "tokenExpiresAt", "tokenKind", "tokenSource", "user"},
		}, srv.APIKey()},
		{"", []string{"doctor", "--json"}, map[string][]string{"": {"checks", "ok"}, "checks.0": {"detail", "name", "status"}}, srv.APIKey()},
		{"value-1234", []string{"create", "MADE", "--json"}, map[string][]string{"": secretKeys}, "value-1234"},
	}
	for _, tt := range tests {
		t.Run(tt.args[0], func(t *testing.T) {
			t.Parallel()
			got := invoke(t, environ, tt.stdin, tt.args...)
			require.Zero(t, got.code, got.stderr)
			var doc any
			require.NoError(t, json.Unmarshal([]byte(got.stdout), &doc), got.stdout)
			for path, want := range tt.keys {
				assert.Equal(t, want, slices.Sorted(maps.Keys(jsonObject(t, doc, path))), "keys of %q", path)
			}
			assert.NotContains(t, got.stdout, tt.hidden)
		})
	}
}

// TestCreateAndListJSONAgree: the secret create --json prints is the one list --json shows: the same
// id, and the same times, which are RFC 3339 strings, never null.
func TestCreateAndListJSONAgree(t *testing.T) {
	t.Parallel()
	_, environ := newEmulator(t)
	created := invoke(t, environ, "value-1234", "create", "MADE", "--json")
	require.Zero(t, created.code, created.stderr)
	listed := invoke(t, environ, "", "list", "--json")
	require.Zero(t, listed.code, listed.stderr)
	var doc any
	require.NoError(t, json.Unmarshal([]byte(created.stdout), &doc))
	made := jsonObject(t, doc, "")
	require.NoError(t, json.Unmarshal([]byte(listed.stdout), &doc))
	inList := jsonObject(t, doc, "secrets.0")
	for _, key := range []string{"id", "name", "createdAt", "updatedAt"} {
		assert.Equal(t, made[key], inList[key], key)
	}
	for _, key := range []string{"createdAt", "updatedAt"} {
		at, ok := inList[key].(string)
		require.True(t, ok, "%s is %v", key, inList[key])
		_, err := time.Parse(time.RFC3339, at)
		assert.NoError(t, err, key)
	}
}

// jsonObject is the object at path in doc: keys and array indexes, separated by dots.
func jsonObject(t *testing.T, doc any, path string) map[string]any {
	t.Helper()
	for step := range strings.SplitSeq(path, ".") {
		switch v := doc.(type) {
		case map[string]any:
			if step != "" {
				doc = v[step]
			}
		case []any:
			i, err := strconv.Atoi(step)
			require.NoError(t, err, path)
			require.Less(t, i, len(v), path)
			doc = v[i]
		}
	}
	m, ok := doc.(map[string]any)
	require.True(t, ok, "%q is not an object", path)
	return m
}
