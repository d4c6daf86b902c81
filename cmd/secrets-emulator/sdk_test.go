package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// emulatorProcess is a built secrets-emulator running as a child process.
type emulatorProcess struct {
	cmd    *exec.Cmd
	line   readyLine
	stderr *syncBuffer
	exited chan error // receives cmd.Wait's result once the process has exited
}

// startEmulatorBinary builds the command into a temporary directory, starts it with args, and
// returns once it has printed its ready line. The process is killed at cleanup if still running.
func startEmulatorBinary(t *testing.T, args ...string) *emulatorProcess {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGTERM")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH")
	}
	bin := filepath.Join(t.TempDir(), "secrets-emulator")
	out, err := exec.Command(goTool, "build", "-buildvcs=false", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	p := &emulatorProcess{cmd: exec.Command(bin, args...), stderr: &syncBuffer{}, exited: make(chan error, 1)}
	stdout, err := p.cmd.StdoutPipe()
	require.NoError(t, err)
	p.cmd.Stderr = p.stderr
	require.NoError(t, p.cmd.Start())
	ready := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		ready <- line
		_, _ = io.Copy(io.Discard, r)
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

// stop sends SIGTERM and checks that the process exits 0 promptly.
func (p *emulatorProcess) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-p.exited:
		require.NoError(t, err, "stderr: %s", p.stderr.String())
		assert.Equal(t, 0, p.cmd.ProcessState.ExitCode())
		assert.Contains(t, p.stderr.String(), "shutting down")
	case <-time.After(10 * time.Second):
		t.Fatalf("no exit within 10s of SIGTERM; stderr: %s", p.stderr.String())
	}
}

// TestBinaryWithSDK: the SDK works against the standalone emulator over TCP. The organization API
// key creates a secret and shares it with a seeded member by e-mail; the member reads it, as a
// Reader may, and is refused an update; a member seeded only through -team gets the team's role.
// SIGTERM then ends the process cleanly, with exit status 0.
func TestBinaryWithSDK(t *testing.T) {
	t.Parallel()
	p := startEmulatorBinary(t,
		"-user", "ada@example.com",
		"-team", "platform=bob@example.com",
		"-org", "SDK Test Org",
	)
	require.Len(t, p.line.Users, 2)
	require.Len(t, p.line.Teams, 1)
	ada, bob := p.line.Users[0], p.line.Users[1]
	require.Equal(t, "ada@example.com", ada.Email)
	require.Equal(t, "bob@example.com", bob.Email)

	// A transport of the test's own, so that its idle connections can be closed before goleak looks.
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	newClient := func(token string) *secrets.Client {
		c, err := secrets.NewClient(
			secrets.WithAPIKey(token),
			secrets.WithBaseURL(p.line.BaseURL),
			secrets.WithHTTPClient(&http.Client{Transport: tr}),
			secrets.WithRetryWait(time.Millisecond, 10*time.Millisecond),
		)
		require.NoError(t, err)
		return c
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, adaC, bobC := newClient(p.line.APIKey), newClient(ada.Token), newClient(bob.Token)

	org, err := admin.Organizations.Current(ctx)
	require.NoError(t, err)
	assert.Equal(t, p.line.OrganizationID, org.ID)
	assert.Equal(t, "SDK Test Org", org.Name)

	s, err := admin.Secrets.Create(ctx, "DB_PASSWORD", "hunter2")
	require.NoError(t, err)
	got, err := adaC.Secrets.GetByName(ctx, "DB_PASSWORD")
	require.NoError(t, err)
	assert.Nil(t, got.Value, "not shared yet")

	require.NoError(t, admin.Secrets.ShareByName(ctx, s.ID, &secrets.ShareByNameRequest{
		Grants: []secrets.NamedAccessChange{{Role: secrets.RoleReader, UserEmails: []string{"ADA@example.com"}}},
	}))
	got, err = adaC.Secrets.GetByName(ctx, "DB_PASSWORD")
	require.NoError(t, err)
	require.NotNil(t, got.Value)
	assert.Equal(t, "hunter2", *got.Value)
	orgAsAda, err := adaC.Organizations.Current(ctx)
	require.NoError(t, err)
	got, err = orgAsAda.GetSecret(ctx, "DB_PASSWORD")
	require.NoError(t, err)
	require.NotNil(t, got.Value)
	assert.Equal(t, "hunter2", *got.Value)

	_, err = adaC.Secrets.Update(ctx, s.ID, "ada was here")
	assert.ErrorIs(t, err, secrets.ErrForbidden, "a Reader may not update")
	assert.ErrorIs(t, adaC.Secrets.Delete(ctx, s.ID), secrets.ErrForbidden, "a Reader may not delete")

	// The -team seed: bob gets what the team is given.
	team, err := adaC.Organizations.TeamByName(ctx, "platform")
	require.NoError(t, err)
	assert.Equal(t, p.line.Teams[0].ID, team.ID)
	require.NoError(t, admin.Secrets.ShareByName(ctx, s.ID, &secrets.ShareByNameRequest{
		Grants: []secrets.NamedAccessChange{{Role: secrets.RoleOwner, TeamNames: []string{"platform"}}},
	}))
	upd, err := bobC.Secrets.Update(ctx, s.ID, "hunter3")
	require.NoError(t, err)
	assert.Equal(t, bob.ID, upd.LastUpdatedBy)
	got, err = admin.Secrets.Get(ctx, s.ID)
	require.NoError(t, err)
	require.NotNil(t, got.Value)
	assert.Equal(t, "hunter3", *got.Value)

	// Unknown tokens are refused.
	_, err = newClient("not-a-token").Secrets.List(ctx, nil)
	assert.ErrorIs(t, err, secrets.ErrUnauthorized)

	tr.CloseIdleConnections()
	p.stop(t)
}
