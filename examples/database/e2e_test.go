package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/examples/database/internal/mysqlserver"
)

const appPassword = "s3cret-Pa55word"

// world is a MySQL-protocol server (TLS, or plain text on the same port) with the user app, and a
// secrets emulator; caFile is a PEM file of the server's certificate.
type world struct {
	db     *mysqlserver.Server
	host   string
	port   string
	caFile string
	emu    *secretstest.Server
}

func newWorld(t *testing.T, secretValue string) *world {
	t.Helper()
	serverTLS, clientTLS, err := mysqlserver.SelfSignedTLS()
	require.NoError(t, err)
	db, err := mysqlserver.Start(mysqlserver.Options{TLS: serverTLS, ClientTLS: clientTLS})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, db.Close()) })
	require.NoError(t, db.CreateUser(context.Background(), "app", appPassword))
	host, port, err := net.SplitHostPort(db.Addr())
	require.NoError(t, err)

	caFile := filepath.Join(t.TempDir(), "ca.pem")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: serverTLS.Certificates[0].Certificate[0]})
	require.NoError(t, os.WriteFile(caFile, certPEM, 0o600))

	emu := secretstest.NewServer()
	t.Cleanup(emu.Close)
	if secretValue != "" {
		admin, err := secrets.NewClient(secrets.WithAPIKey(emu.APIKey()), secrets.WithBaseURL(emu.URL))
		require.NoError(t, err)
		_, err = admin.Secrets.Create(context.Background(), "DB_PASSWORD", secretValue)
		require.NoError(t, err)
	}
	return &world{db: db, host: host, port: port, caFile: caFile, emu: emu}
}

// env is the program's environment: the emulator's address and API key.
func (w *world) env(key string) string {
	return map[string]string{
		secrets.EnvManagementToken:   w.emu.APIKey(),
		secrets.EnvManagementBaseURL: w.emu.URL,
	}[key]
}

// run runs the program with args after the server's address, and returns its exit status, stdout
// and stderr.
func (w *world) run(ctx context.Context, t *testing.T, stdout io.Writer, args ...string) (int, string) {
	t.Helper()
	all := append([]string{"-host", w.host, "-port", w.port, "-user", "app", "-db", w.db.Database()}, args...)
	var stderr bytes.Buffer
	code := exitCode(run(ctx, all, stdout, &stderr, w.env), &stderr)
	return code, stderr.String()
}

// TestQueryWithThePasswordFromTheSecret: over TLS verified with -ca-file, and in plain text to
// loopback with -tls=false.
func TestQueryWithThePasswordFromTheSecret(t *testing.T) {
	t.Parallel()
	w := newWorld(t, appPassword)
	for _, args := range [][]string{
		{"-ca-file", w.caFile},
		{"-tls=false"},
		{"-ca-file", w.caFile, "-query", "SELECT 1, NULL, 'two words'"},
	} {
		var out bytes.Buffer
		code, stderr := w.run(context.Background(), t, &out, args...)
		require.Equal(t, 0, code, "%v: %s", args, stderr)
		want := "app@%\n"
		if len(args) > 2 {
			want = "1\tNULL\ttwo words\n"
		}
		assert.Equal(t, want, out.String(), "%v", args)
		assert.Empty(t, stderr)
	}
}

// TestProblemsExitWithStatus1: exit status 1 and a message that names the secret and says what to
// do, and never holds the password. Without -ca-file the server's certificate must chain to the
// system's roots, which the test CA is not among.
func TestProblemsExitWithStatus1(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, value string
		args        []string // after -ca-file, unless noCAFile
		noCAFile    bool
		want        string
	}{
		{"TLS is on by default", appPassword, nil, true, "certificate"},
		{"wrong password", "not-" + appPassword, nil, false, "refused the password of database user app from secret DB_PASSWORD, also after reading the secret again"},
		{"missing secret", "", nil, false, "secret DB_PASSWORD: not found"},
		{"another secret", appPassword, []string{"-password-secret", "NOPE"}, false, "secret NOPE: not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, tc.value)
			args := tc.args
			if !tc.noCAFile {
				args = append([]string{"-ca-file", w.caFile}, args...)
			}
			code, stderr := w.run(context.Background(), t, io.Discard, args...)
			assert.Equal(t, 1, code)
			assert.Contains(t, stderr, tc.want)
			assert.NotContains(t, stderr, appPassword)
		})
	}
}

// cancelAfter is stdout that ends the run once it has seen n lines.
type cancelAfter struct {
	mu     sync.Mutex
	n      int
	lines  []string
	cancel context.CancelFunc
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lines = append(c.lines, strings.TrimSuffix(string(p), "\n"))
	if len(c.lines) == c.n {
		c.cancel()
	}
	return len(p), nil
}

// TestEveryRepeatsUntilInterrupted: -every runs the query again until the context ends (exit 130).
func TestEveryRepeatsUntilInterrupted(t *testing.T) {
	t.Parallel()
	w := newWorld(t, appPassword)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &cancelAfter{n: 3, cancel: cancel}
	code, stderr := w.run(ctx, t, out, "-ca-file", w.caFile, "-every", "1ms")
	assert.Equal(t, 130, code, stderr)
	assert.Equal(t, []string{"app@%", "app@%", "app@%"}, out.lines)
}

// TestDemo runs the tour and checks each step, and that no password is printed (the demo's are 32
// hexadecimal digits).
func TestDemo(t *testing.T) {
	t.Parallel()
	var out, stderr bytes.Buffer
	require.Equal(t, 0, exitCode(run(context.Background(), []string{"-demo"}, &out, &stderr, func(string) string { return "" }), &stderr), stderr.String())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		`^secrets emulator at http://127\.0\.0\.1:\d+; MySQL-protocol server \(go-mysql-server, TLS\) at 127\.0\.0\.1:\d+$`,
		`^1\. user app created with a random password, stored in secret DB_PASSWORD$`,
		`^2\. connected as app@% \(connection (\d+)\); the secret was read with 1 request$`,
		`^3\. rotated: `,
		`^4\. the connection opened before the rotation still works: app@% \(connection (\d+)\)$`,
		`^5\. a new connection from the same pool: the server refused the cached password \(MySQL error 1045\), the connector read the secret again \(1 request\) and connected as app@% \(connection (\d+)\)$`,
		`^6\. with a wrong password in the secret, a new connection fails after one more read of the secret \(2 requests in all\) and one more try:$`,
		`^   secretmysql: 127\.0\.0\.1:\d+ refused the password of database user app from secret DB_PASSWORD, also after reading the secret again .*Error 1045`,
	}
	require.Len(t, lines, len(want), out.String())
	ids := map[int]int{}
	for i, pattern := range want {
		m := regexp.MustCompile(pattern).FindStringSubmatch(lines[i])
		require.NotNil(t, m, "line %d: %q does not match %s", i, lines[i], pattern)
		if len(m) > 1 {
			ids[i], _ = strconv.Atoi(m[1])
		}
	}
	assert.Equal(t, ids[2], ids[4], "step 4 ran on the connection of step 2")
	assert.NotEqual(t, ids[2], ids[5], "step 5 ran on a new connection")
	assert.NotRegexp(t, `[0-9a-f]{32}`, out.String(), "a password was printed")
}

// TestCommandLine: bad command lines exit with status 2 before any request or connection.
func TestCommandLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-user", "app"}, "-host is required"},
		{[]string{"-host", "h"}, "-user is required"},
		{[]string{"-host", "db.example.com", "-user", "app", "-tls=false"}, "TLS may be turned off only for a server on this machine"},
		{[]string{"-host", "10.0.0.1", "-user", "app", "-tls=false"}, "not 10.0.0.1"},
		{[]string{"-host", "h", "-user", "app", "-port", "70000"}, "port 70000 out of range"},
		{[]string{"-host", "h", "-user", "app", "-ttl", "0s"}, "-ttl must be positive"},
		{[]string{"-host", "h", "-user", "app", "-every", "-1s"}, "-every must not be negative"},
		{[]string{"-host", "h", "-user", "app", "-query", " "}, "-query must not be empty"},
		{[]string{"-host", "h", "-user", "app", "-password-secret", "DB-PASSWORD"}, `invalid secret name "DB-PASSWORD"`},
		{[]string{"-host", "127.0.0.1", "-user", "app", "-tls=false", "-ca-file", "x.pem"}, "-ca-file needs TLS"},
		{[]string{"-demo", "-host", "h"}, "-demo takes no other flag"},
		{[]string{"-host", "h", "-user", "app", "extra"}, `unexpected argument "extra"`},
		{[]string{"-nope"}, "flag provided but not defined: -nope"},
	} {
		var stderr bytes.Buffer
		env := func(key string) string {
			return map[string]string{secrets.EnvManagementToken: "k", secrets.EnvManagementBaseURL: "http://127.0.0.1:1"}[key]
		}
		code := exitCode(run(context.Background(), tc.args, io.Discard, &stderr, env), &stderr)
		assert.Equal(t, 2, code, "%v: %s", tc.args, stderr.String())
		assert.Contains(t, stderr.String(), tc.want, "%v", tc.args)
	}
	var stderr bytes.Buffer
	assert.Equal(t, 0, exitCode(run(context.Background(), []string{"-h"}, io.Discard, &stderr, func(string) string { return "" }), &stderr))
	assert.Contains(t, stderr.String(), "go run . -demo")
}

// TestBadCAFile: a CA file that is missing or holds no certificate is reported as such.
func TestBadCAFile(t *testing.T) {
	t.Parallel()
	empty := filepath.Join(t.TempDir(), "empty.pem")
	require.NoError(t, os.WriteFile(empty, []byte("not PEM"), 0o600))
	for file, want := range map[string]string{empty: "no PEM certificate", filepath.Join(t.TempDir(), "missing.pem"): "no such file"} {
		var stderr bytes.Buffer
		code := exitCode(run(context.Background(), []string{"-host", "h", "-user", "app", "-ca-file", file}, io.Discard, &stderr, func(string) string { return "" }), &stderr)
		assert.Equal(t, 1, code)
		assert.Contains(t, stderr.String(), want)
	}
}
