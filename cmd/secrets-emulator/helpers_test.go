package main

import (
	"bufio"
	"bytes"
	"context"
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
	"go.uber.org/goleak"
)

// The one harness of this package: the command run in-process (startRun) or built and run as a
// child process (startEmulatorBinary), and send, one request to either.

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// goBuild builds the command in pkg (a directory relative to this one) into a temporary directory.
func goBuild(t *testing.T, pkg, name string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	require.NoError(t, err, "the go tool builds %s", pkg)
	bin := filepath.Join(t.TempDir(), name)
	out, err := exec.Command(goTool, "build", "-buildvcs=false", "-o", bin, pkg).CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// startRun runs the command in-process with args until the test ends and returns its ready line;
// when the test ends it checks that run returns 0, promptly.
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

// emulatorProcess is a built secrets-emulator running as a child process.
type emulatorProcess struct {
	cmd          *exec.Cmd
	line         readyLine
	stderr, rest *syncBuffer // rest: stdout after the ready line, which must stay empty
	exited       chan error  // receives cmd.Wait's result once the process has exited
}

// startEmulatorBinary builds the command, starts it with args, and returns once it has printed its
// ready line. The process is killed at cleanup if still running.
func startEmulatorBinary(t *testing.T, args ...string) *emulatorProcess {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGTERM")
	}
	p := &emulatorProcess{cmd: exec.Command(goBuild(t, ".", "secrets-emulator"), args...),
		stderr: &syncBuffer{}, rest: &syncBuffer{}, exited: make(chan error, 1)}
	stdout, err := p.cmd.StdoutPipe()
	require.NoError(t, err)
	p.cmd.Stderr = p.stderr
	require.NoError(t, p.cmd.Start())
	ready := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		ready <- line
		_, _ = io.Copy(p.rest, r)
		p.exited <- p.cmd.Wait() // after the last read from the pipe, as os/exec requires
	}()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	select {
	case text := <-ready:
		require.NoError(t, json.Unmarshal([]byte(text), &p.line), "ready line %q; stderr: %s", text, p.stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("no ready line; stderr: %s", p.stderr.String())
	}
	return p
}

// stop sends SIGTERM and checks that the process exits 0 promptly, having printed nothing on stdout
// but its ready line.
func (p *emulatorProcess) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-p.exited:
		require.NoError(t, err, "stderr: %s", p.stderr.String())
		assert.Equal(t, 0, p.cmd.ProcessState.ExitCode())
		assert.Contains(t, p.stderr.String(), "shutting down")
		assert.Empty(t, p.rest.String(), "exactly one line on stdout")
	case <-time.After(10 * time.Second):
		t.Fatalf("no exit within 10s of SIGTERM; stderr: %s", p.stderr.String())
	}
}

// send sends one request with token (a JSON body unless body is "") on a transport of its own and
// returns the status and body.
func send(t *testing.T, baseURL, token, method, path, body string) (int, string) {
	t.Helper()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequest(method, baseURL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(data)
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
