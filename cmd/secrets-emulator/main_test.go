package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBinary builds the command, starts it with seed flags, talks to it over HTTP and stops it with
// SIGTERM.
func TestBinary(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGTERM")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH")
	}
	bin := filepath.Join(t.TempDir(), "secrets-emulator")
	build := exec.Command(goTool, "build", "-buildvcs=false", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	cmd := exec.Command(bin,
		"-user", "alice@example.com",
		"-user", "bob@example.com",
		"-team", "Ops=bob@example.com,carol@example.com",
		"-org", "Acme Corp",
		"-api-key", "binary-key",
	)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr syncBuffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())

	type result struct {
		line string
		err  error
	}
	ready := make(chan result, 1)
	var rest bytes.Buffer // anything after the ready line: there must be nothing
	exited := make(chan error, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, err := r.ReadString('\n')
		ready <- result{line, err}
		_, _ = io.Copy(&rest, r) // until the process exits
		exited <- cmd.Wait()     // only after every read from the pipe, as os/exec requires
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-exited
		}
	})

	var lineText string
	select {
	case res := <-ready:
		require.NoError(t, res.err, "stderr: %s", stderr.String())
		lineText = res.line
	case <-time.After(30 * time.Second):
		t.Fatalf("no ready line; stderr: %s", stderr.String())
	}
	var line struct {
		BaseURL        string `json:"baseURL"`
		APIKey         string `json:"apiKey"`
		OrganizationID string `json:"organizationID"`
		Users          []struct {
			ID, Email, Token string
		} `json:"users"`
		Teams []struct {
			ID, Name string
		} `json:"teams"`
	}
	require.NoError(t, json.Unmarshal([]byte(lineText), &line), "line: %s", lineText)
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, line.BaseURL)
	assert.Equal(t, "binary-key", line.APIKey)
	require.Len(t, line.Users, 3)
	assert.Equal(t, []string{"alice@example.com", "bob@example.com", "carol@example.com"},
		[]string{line.Users[0].Email, line.Users[1].Email, line.Users[2].Email})
	require.Len(t, line.Teams, 1)
	assert.Equal(t, "Ops", line.Teams[0].Name)

	// Raw HTTP with the API key and with a user token.
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	send := func(token, method, path, body string) (int, string) {
		req, err := http.NewRequest(method, line.BaseURL+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(data)
	}
	status, body := send(line.APIKey, http.MethodGet, "/v1/organizations/current", "")
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"orgID":"`+line.OrganizationID+`","name":"Acme Corp","firewallRanges":[]}`, body)
	status, body = send(line.Users[0].Token, http.MethodPost, "/v1/secrets", `{"name":"FROM_BINARY","value":"v"}`)
	assert.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `"createdBy":"`+line.Users[0].ID+`"`)
	status, body = send(line.Users[1].Token, http.MethodGet, "/v1/teams?name=Ops", "")
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, line.Teams[0].ID)

	// SIGTERM: graceful exit with status 0, promptly.
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-exited:
		require.NoError(t, err, "stderr: %s", stderr.String())
		assert.Equal(t, 0, cmd.ProcessState.ExitCode())
		assert.Empty(t, rest.String(), "exactly one line on stdout")
		assert.Contains(t, stderr.String(), "shutting down")
	case <-time.After(10 * time.Second):
		t.Fatalf("no exit within 10s of SIGTERM; stderr: %s", stderr.String())
	}
}

// syncBuffer is a bytes.Buffer safe for the process's writes and the test's reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
