package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// TestBinaryAgainstEmulatorBinary builds the real `secrets` and `secrets-emulator` programs, starts
// the emulator as its own process, and runs `secrets` against it over TCP with nothing but the
// environment, as a user would: create (value on stdin), get (the exact bytes), list --json, share
// by e-mail, access, run (masked output, the command's exit code passed through) and delete. The
// emulator then stops on SIGTERM with status 0.
func TestBinaryAgainstEmulatorBinary(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("needs sh and SIGTERM")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH")
	}
	shell, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on PATH")
	}
	dir := t.TempDir()
	cliBin, emuBin := filepath.Join(dir, "secrets"), filepath.Join(dir, "secrets-emulator")
	for bin, pkg := range map[string]string{cliBin: ".", emuBin: "../secrets-emulator"} {
		out, err := exec.Command(goTool, "build", "-buildvcs=false", "-o", bin, pkg).CombinedOutput()
		require.NoError(t, err, "go build %s: %s", pkg, out)
	}

	// The emulator, with one member.
	emu := exec.Command(emuBin, "-user", "ada.lovelace@example.com")
	emuOut, err := emu.StdoutPipe()
	require.NoError(t, err)
	var emuErr bytes.Buffer
	emu.Stderr = &emuErr
	require.NoError(t, emu.Start())
	readyCh := make(chan string, 1)
	exited := make(chan error, 1)
	go func() {
		r := bufio.NewReader(emuOut)
		line, _ := r.ReadString('\n')
		readyCh <- line
		_, _ = io.Copy(io.Discard, r)
		exited <- emu.Wait()
	}()
	t.Cleanup(func() {
		if emu.ProcessState == nil {
			_ = emu.Process.Kill()
			<-exited
		}
	})
	var ready struct {
		BaseURL        string `json:"baseURL"`
		APIKey         string `json:"apiKey"`
		OrganizationID string `json:"organizationID"`
		Users          []struct {
			ID, Email, Token string
		} `json:"users"`
	}
	select {
	case line := <-readyCh:
		require.NoError(t, json.Unmarshal([]byte(line), &ready), "ready line %q", line)
	case <-time.After(30 * time.Second):
		t.Fatal("the emulator printed no ready line")
	}
	require.Len(t, ready.Users, 1)
	ada := ready.Users[0]

	// secrets runs the CLI with token; it returns stdout, stderr and the exit code.
	secretsCmd := func(token, stdin string, args ...string) (string, string, int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, cliBin, args...)
		cmd.Env = []string{
			"PATH=" + os.Getenv("PATH"),
			"HOME=" + dir,
			secrets.EnvManagementToken + "=" + token,
			secrets.EnvManagementBaseURL + "=" + ready.BaseURL,
		}
		cmd.Dir = dir
		if stdin != "" {
			cmd.Stdin = strings.NewReader(stdin)
		}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else {
			require.NoError(t, err, "secrets %v", args)
		}
		return stdout.String(), stderr.String(), code
	}
	key := ready.APIKey

	// create: the value from stdin, byte for byte; --json gives the new secret's metadata.
	const value = "p@ss w0rd\t\"quoted\" \\ ünïcødé 🔑\nsecond line\n"
	stdout, stderr, code := secretsCmd(key, value, "create", "--json", "DB_PASSWORD")
	require.Equal(t, 0, code, "create: %s", stderr)
	var created struct {
		Name, ID, CreatedBy string
		Readable            bool
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &created), stdout)
	assert.Equal(t, "DB_PASSWORD", created.Name)
	assert.True(t, created.Readable)
	assert.NotContains(t, stdout, "second line", "metadata only")
	_, stderr, code = secretsCmd(key, "sk-live-0123456789\n", "create", "--trim-newline", "API_KEY")
	require.Equal(t, 0, code, "create: %s", stderr)
	assert.Contains(t, stderr, "created secret API_KEY")
	_, stderr, code = secretsCmd(key, "again", "create", "API_KEY")
	assert.Equal(t, 5, code, "a taken name: %s", stderr)

	// get: exactly the stored bytes on stdout, nothing else.
	stdout, stderr, code = secretsCmd(key, "", "get", "DB_PASSWORD")
	require.Equal(t, 0, code, "get: %s", stderr)
	assert.Equal(t, value, stdout)
	stdout, _, code = secretsCmd(key, "", "get", "API_KEY")
	require.Equal(t, 0, code)
	assert.Equal(t, "sk-live-0123456789", stdout)

	// list --json: both secrets, sorted, readable, never a value.
	stdout, stderr, code = secretsCmd(key, "", "list", "--json")
	require.Equal(t, 0, code, "list: %s", stderr)
	var list struct {
		Secrets []struct {
			Name      string     `json:"name"`
			ID        string     `json:"id"`
			Readable  bool       `json:"readable"`
			CreatedBy string     `json:"createdBy"`
			UpdatedAt *time.Time `json:"updatedAt"`
		} `json:"secrets"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &list), stdout)
	require.Len(t, list.Secrets, 2)
	assert.Equal(t, "API_KEY", list.Secrets[0].Name)
	assert.Equal(t, "DB_PASSWORD", list.Secrets[1].Name)
	assert.Equal(t, created.ID, list.Secrets[1].ID)
	assert.Equal(t, created.CreatedBy, list.Secrets[1].CreatedBy)
	for _, s := range list.Secrets {
		assert.True(t, s.Readable, s.Name)
		assert.NotNil(t, s.UpdatedAt, s.Name)
	}
	assert.NotContains(t, stdout, "sk-live")

	// share by e-mail: ada, who could not read the value, now can; as a Reader she may not update.
	_, _, code = secretsCmd(ada.Token, "", "get", "DB_PASSWORD")
	assert.Equal(t, 4, code, "withheld before the share")
	_, stderr, code = secretsCmd(key, "", "share", "DB_PASSWORD", "--reader", ada.Email)
	require.Equal(t, 0, code, "share: %s", stderr)
	assert.Contains(t, stderr, "gave the Reader role on DB_PASSWORD to "+ada.Email)
	stdout, stderr, code = secretsCmd(ada.Token, "", "get", "DB_PASSWORD")
	require.Equal(t, 0, code, "get as ada: %s", stderr)
	assert.Equal(t, value, stdout)
	_, _, code = secretsCmd(ada.Token, "new value", "update", "DB_PASSWORD")
	assert.Equal(t, 4, code, "a Reader may not update")
	_, stderr, code = secretsCmd(key, "", "share", "DB_PASSWORD", "--reader", "nobody@example.com")
	assert.Equal(t, 3, code, "unknown e-mail: %s", stderr)

	// access: the inherited organization owner and ada's direct Reader grant.
	stdout, stderr, code = secretsCmd(key, "", "access", "DB_PASSWORD")
	require.Equal(t, 0, code, "access: %s", stderr)
	assert.Regexp(t, `(?m)^ROLE +TYPE +WHO +ID +VIA$`, stdout)
	assert.Regexp(t, `(?m)^Owner +user +api-key@\S+ +\S+ +Organization `+ready.OrganizationID+` \(Owner\)$`, stdout)
	assert.Regexp(t, `(?m)^Reader +user +`+strings.ReplaceAll(ada.Email, ".", `\.`)+` +`+ada.ID+` +direct$`, stdout)

	// run: the value in the command's environment, masked in its output; its exit code passes through.
	stdout, stderr, code = secretsCmd(key, "", "run", "--env", "API_KEY", "--", shell, "-c", `echo "$API_KEY"`)
	require.Equal(t, 0, code, "run: %s", stderr)
	assert.Equal(t, "*****\n", stdout)
	stdout, _, code = secretsCmd(key, "", "run", "--env", "DB_PASSWORD=PW", "--", shell, "-c", `printf '%s' "$PW"; echo "${#PW}" >&2`)
	require.Equal(t, 0, code)
	assert.Contains(t, stdout, "*****")
	for _, line := range strings.Split(strings.TrimSpace(value), "\n") {
		assert.NotContains(t, stdout, line)
	}
	_, _, code = secretsCmd(key, "", "run", "--env", "API_KEY", "--", shell, "-c", "exit 7")
	assert.Equal(t, 7, code)

	// delete --yes: gone for get and list.
	_, stderr, code = secretsCmd(key, "", "delete", "--yes", "DB_PASSWORD")
	require.Equal(t, 0, code, "delete: %s", stderr)
	assert.Contains(t, stderr, "deleted secret DB_PASSWORD")
	_, _, code = secretsCmd(key, "", "get", "DB_PASSWORD")
	assert.Equal(t, 3, code)
	stdout, _, code = secretsCmd(key, "", "list", "--json")
	require.Equal(t, 0, code)
	assert.NotContains(t, stdout, "DB_PASSWORD")
	assert.Contains(t, stdout, "API_KEY")

	require.NoError(t, emu.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-exited:
		require.NoError(t, err, "emulator stderr: %s", emuErr.String())
		assert.Equal(t, 0, emu.ProcessState.ExitCode())
	case <-time.After(10 * time.Second):
		t.Fatal("the emulator did not exit within 10s of SIGTERM")
	}
}
