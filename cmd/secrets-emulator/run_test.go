package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRun runs the command in-process with each row's flags and checks what it serves; startRun
// checks that run then returns 0, promptly, once its context ends.
func TestRun(t *testing.T) {
	t.Parallel()
	const badPattern = "/v1/teams?name=C%2B%2B+(eu)" // an invalid regular expression
	type call struct {
		asUser bool // as the first seeded user; else as the API key
		path   string
		status int
		body   string // the whole body, unless ""
	}
	tests := []struct {
		name   string
		args   []string
		apiKey string // unless ""
		users  int
		calls  []call
	}{
		{"seeded user and API key", []string{"-user", "alice@example.com", "-api-key", "run-key"}, "run-key", 1,
			[]call{{asUser: true, path: "/v1/users/current", status: http.StatusOK}}},
		{"default profile", []string{"-profile", ""}, "", 0, []call{
			{path: "/v1/secrets", status: http.StatusOK, body: `{"secrets":[]}`},
			{path: badPattern, status: http.StatusOK}, // a literal name: no pattern to be invalid
		}},
		{"spec profile", []string{"-profile", "spec"}, "", 0, []call{
			{path: "/v1/secrets", status: http.StatusOK, body: `[]`},
			{path: badPattern, status: http.StatusBadRequest}, // 400 only under regex-lookups
		}},
		// At 0.01 requests per second no token comes back during the test.
		{"rate limit: 429 once the burst is spent", []string{"-rate", "0.01", "-burst", "2"}, "", 0, []call{
			{path: "/v1/secrets", status: http.StatusOK}, {path: "/v1/secrets", status: http.StatusOK},
			{path: "/v1/secrets", status: http.StatusTooManyRequests},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			line := startRun(t, tt.args...)
			if tt.apiKey != "" {
				assert.Equal(t, tt.apiKey, line.APIKey)
			}
			require.Len(t, line.Users, tt.users)
			for i, c := range tt.calls {
				token := line.APIKey
				if c.asUser {
					token = line.Users[0].Token
				}
				status, body := send(t, line.BaseURL, token, http.MethodGet, c.path, "")
				assert.Equal(t, c.status, status, "call %d: %s", i, body)
				if c.body != "" {
					assert.Equal(t, c.body, strings.TrimSpace(body))
				}
			}
		})
	}
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
