package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/helios-secrets/go-secrets/secretstest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestParseArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		want    config
		wantErr bool
	}{
		{"defaults", nil, config{addr: "127.0.0.1:0", org: secretstest.DefaultOrganizationName}, false},
		{
			"everything",
			[]string{"-addr", "127.0.0.1:9999", "-org", "Acme", "-api-key", "k", "-user", "a@x.com", "-user", " b@x.com ", "-team", "Ops=a@x.com, c@x.com", "-team", "Empty="},
			config{
				addr: "127.0.0.1:9999", org: "Acme", apiKey: "k", users: []string{"a@x.com", "b@x.com"},
				teams: []teamSpec{{name: "Ops", emails: []string{"a@x.com", "c@x.com"}}, {name: "Empty"}},
			},
			false,
		},
		{"team without '='", []string{"-team", "Solo"}, config{addr: "127.0.0.1:0", org: secretstest.DefaultOrganizationName, teams: []teamSpec{{name: "Solo"}}}, false},
		{"team without name", []string{"-team", "=a@x.com"}, config{}, true},
		{"empty user", []string{"-user", ""}, config{}, true},
		{"api key with space", []string{"-api-key", "a b"}, config{}, true},
		{"unknown flag", []string{"-nope"}, config{}, true},
		{"positional argument", []string{"extra"}, config{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseArgs(tt.args, io.Discard)
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestSeed(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer(secretstest.WithAPIKey("seed-key"))
	defer srv.Close()
	line := seed(srv, config{
		users: []string{"a@x.com", "b@x.com", "A@X.com"},
		teams: []teamSpec{{name: "Ops", emails: []string{"b@x.com", "c@x.com"}}, {name: "Empty"}},
	})
	assert.Equal(t, srv.URL, line.BaseURL)
	assert.Equal(t, "seed-key", line.APIKey)
	assert.Equal(t, srv.OrganizationID(), line.OrganizationID)
	emails := make([]string, 0, len(line.Users))
	for _, u := range line.Users {
		emails = append(emails, u.Email)
		assert.NotEmpty(t, u.ID)
		assert.NotEmpty(t, u.Token)
	}
	assert.Equal(t, []string{"a@x.com", "b@x.com", "c@x.com"}, emails)
	require.Len(t, line.Teams, 2)
	assert.Equal(t, "Ops", line.Teams[0].Name)
	assert.Equal(t, "Empty", line.Teams[1].Name)

	data, err := json.Marshal(seed(srv, config{}))
	require.NoError(t, err)
	assert.Contains(t, string(data), `"users":[]`)
	assert.Contains(t, string(data), `"teams":[]`)
}

func TestRunServesUntilCancelled(t *testing.T) {
	t.Parallel()
	// startRun ends run's context when the test ends, and checks that run then returns 0, promptly.
	line := startRun(t, "-user", "alice@example.com", "-api-key", "run-key")
	assert.Equal(t, "run-key", line.APIKey)
	require.Len(t, line.Users, 1)
	status, _ := get(t, line.BaseURL, line.Users[0].Token, "/v1/users/current")
	assert.Equal(t, http.StatusOK, status)
}

func TestRunExitCodes(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { busy.Close() }) // not defer: the parallel subtests run after this function returns

	tests := []struct {
		name string
		args []string
		code int
	}{
		{"help", []string{"-h"}, 0},
		{"bad flag", []string{"-nope"}, 2},
		{"address in use", []string{"-addr", busy.Addr().String()}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			assert.Equal(t, tt.code, run(context.Background(), tt.args, &stdout, &stderr))
			assert.Empty(t, stdout.String(), "nothing but the ready line goes to stdout")
		})
	}
}
