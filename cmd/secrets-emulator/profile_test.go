package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/secretstest"
)

func TestParseProfile(t *testing.T) {
	t.Parallel()
	all := secretstest.Profile{BareLists: true, ValuesOnlyByName: true, RegexLookups: true}
	tests := []struct {
		flag    string
		want    secretstest.Profile
		wantErr bool
	}{
		{"", secretstest.Profile{}, false},
		{"default", secretstest.Profile{}, false},
		{"spec", all, false},
		{"SPEC", all, false},
		{"bare-lists", secretstest.Profile{BareLists: true}, false},
		{"values-only-by-name", secretstest.Profile{ValuesOnlyByName: true}, false},
		{"regex-lookups", secretstest.Profile{RegexLookups: true}, false},
		{"bare-lists, regex-lookups", secretstest.Profile{BareLists: true, RegexLookups: true}, false},
		{"bare-lists,values-only-by-name,regex-lookups", all, false},
		{"regex-lookups,spec", all, false},
		{"bare-list", secretstest.Profile{}, true},
		{"bare-lists,nope", secretstest.Profile{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.flag, func(t *testing.T) {
			t.Parallel()
			cfg, err := parseArgs([]string{"-profile", tt.flag}, io.Discard)
			if tt.wantErr {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "bare-lists, values-only-by-name, regex-lookups", "the error lists the names")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg.profile)
		})
	}
}

// startRun runs the command in-process with args until the test ends and returns its ready line.
func startRun(t *testing.T, args ...string) readyLine {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, outW := io.Pipe()
	var stderr bytes.Buffer
	code := make(chan int, 1)
	go func() {
		defer outW.Close()
		code <- run(ctx, args, outW, &stderr)
	}()
	t.Cleanup(func() {
		cancel()
		go io.Copy(io.Discard, out) //nolint:errcheck // drain anything left so the writer never blocks
		select {
		case c := <-code:
			assert.Equal(t, 0, c, "stderr: %s", stderr.String())
		case <-time.After(10 * time.Second):
			t.Error("run did not return after its context ended")
		}
	})
	lineText, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	var line readyLine
	require.NoError(t, json.Unmarshal([]byte(lineText), &line))
	return line
}

// get sends an authenticated GET to the emulator and returns the status and body.
func get(t *testing.T, baseURL, token, path string) (int, string) {
	t.Helper()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequest(http.MethodGet, baseURL+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(data)
}

func TestRunWithProfile(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		profile, list string
		teamStatus    int
	}{
		{"", `{"secrets":[]}`, http.StatusOK},
		{"spec", `[]`, http.StatusBadRequest},
	} {
		t.Run("profile="+tt.profile, func(t *testing.T) {
			t.Parallel()
			line := startRun(t, "-profile", tt.profile)
			status, body := get(t, line.BaseURL, line.APIKey, "/v1/secrets")
			assert.Equal(t, http.StatusOK, status)
			assert.Equal(t, tt.list, strings.TrimSpace(body))
			status, _ = get(t, line.BaseURL, line.APIKey, "/v1/teams?name=C%2B%2B+(eu)")
			assert.Equal(t, tt.teamStatus, status, "an invalid pattern is 400 only under regex-lookups")
		})
	}
}

func TestParseRate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args        []string
		rate        float64
		burst       int
		wantErr     bool
		description string
	}{
		{nil, 0, 0, false, "unlimited by default"},
		{[]string{"-rate", "10"}, 10, 10, false, "burst defaults to the rate"},
		{[]string{"-rate", "0.5"}, 0.5, 1, false, "and to at least 1"},
		{[]string{"-rate", "2.5"}, 2.5, 3, false, "rounded up"},
		{[]string{"-rate", "5", "-burst", "50"}, 5, 50, false, "burst given"},
		{[]string{"-rate", "-1"}, 0, 0, true, "negative rate"},
		{[]string{"-rate", "NaN"}, 0, 0, true, "NaN"},
		{[]string{"-rate", "Inf"}, 0, 0, true, "infinite"},
		{[]string{"-burst", "5"}, 0, 0, true, "burst without rate"},
		{[]string{"-rate", "5", "-burst", "-1"}, 0, 0, true, "negative burst"},
	}
	for _, tt := range tests {
		t.Run(tt.description, func(t *testing.T) {
			t.Parallel()
			cfg, err := parseArgs(tt.args, io.Discard)
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.rate, cfg.rate)
			assert.Equal(t, tt.burst, cfg.burst)
		})
	}
}

// The command's limiter answers 429 with Retry-After once the burst is spent (at 0.01 requests per
// second, no token comes back during the test).
func TestRunWithRateLimit(t *testing.T) {
	t.Parallel()
	line := startRun(t, "-rate", "0.01", "-burst", "2")
	for i, want := range []int{http.StatusOK, http.StatusOK, http.StatusTooManyRequests} {
		status, body := get(t, line.BaseURL, line.APIKey, "/v1/secrets")
		assert.Equal(t, want, status, "request %d: %s", i, body)
	}
}
