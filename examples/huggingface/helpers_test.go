package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/examples/huggingface/internal/hubtest"
	"github.com/helios-secrets/go-secrets/secretstest"
)

const (
	hfToken = "hf_TestToken0123456789abcdefghijklmnop" // what the stand-in Hub accepts
	repoID  = "acme/tiny-llama"
	weights = "model.safetensors"
)

// tinyModel is the repository most tests download: two small files the Hub serves itself and two
// files in LFS (1 MB and 3 MB of deterministic pseudo-random bytes) that it redirects to its CDN.
var tinyModel = sync.OnceValue(func() hubtest.Repo { return hubtest.TinyModel(repoID, 3<<20+12345) })

// fileData returns the content of a file of tinyModel.
func fileData(t *testing.T, name string) []byte {
	t.Helper()
	for _, f := range tinyModel().Files {
		if f.Name == name {
			return f.Data
		}
	}
	t.Fatalf("tinyModel has no %s", name)
	return nil
}

// fixture is one test's world: a stand-in Hub, a secrets emulator holding the token in HF_TOKEN,
// and an output directory. Its run calls runWith with a secret reader bound to the emulator through
// a go-secrets Client, so that tests need not set the process environment and can run in parallel.
type fixture struct {
	t        *testing.T
	hub      *hubtest.Server
	admin    *secrets.Client
	dir      string
	env      map[string]string
	stdout   bytes.Buffer
	stderr   bytes.Buffer
	sys      system
	wrongKey bool // the test sends a token the Hub refuses: skip the check that every Hub request had the token
}

// newFixture starts the servers; edit adjusts the Hub's configuration first.
func newFixture(t *testing.T, edit ...func(*hubtest.Config)) *fixture {
	t.Helper()
	cfg := hubtest.Config{Token: hfToken, Repos: []hubtest.Repo{tinyModel()}}
	for _, e := range edit {
		e(&cfg)
	}
	hub, err := hubtest.Start(cfg)
	require.NoError(t, err)
	t.Cleanup(hub.Close)

	emu := secretstest.NewServer()
	t.Cleanup(emu.Close)
	admin, err := secrets.NewClient(secrets.WithAPIKey(emu.APIKey()), secrets.WithBaseURL(emu.URL))
	require.NoError(t, err)

	transport := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(transport.CloseIdleConnections)

	f := &fixture{
		t:     t,
		hub:   hub,
		admin: admin,
		dir:   filepath.Join(t.TempDir(), "models", "acme", "tiny-llama"),
		env:   map[string]string{"HF_ENDPOINT": hub.URL},
	}
	f.sys = system{
		getenv:       func(k string) string { return f.env[k] },
		readSecret:   f.readSecret,
		transport:    transport,
		now:          time.Now,
		retryWait:    time.Millisecond,
		stallTimeout: 10 * time.Second,
	}
	f.setSecret("HF_TOKEN", hfToken)
	t.Cleanup(f.checkAuthorization)
	return f
}

func (f *fixture) setSecret(name, value string) {
	f.t.Helper()
	_, err := f.admin.Secrets.Create(context.Background(), name, value)
	require.NoError(f.t, err)
}

// readSecret reads through the SDK what secrets.GetSecret would read with the emulator's variables.
func (f *fixture) readSecret(ctx context.Context, name string) (string, error) {
	s, err := f.admin.Secrets.GetByName(ctx, name)
	if err != nil {
		return "", err
	}
	if s.Value == nil {
		return "", secrets.ErrValueWithheld
	}
	return *s.Value, nil
}

// run runs the program on repoID into f.dir, then the extra flags.
func (f *fixture) run(args ...string) error {
	return f.runCtx(context.Background(), args...)
}

func (f *fixture) runCtx(ctx context.Context, args ...string) error {
	f.stdout.Reset()
	f.stderr.Reset()
	sys := f.sys
	sys.stdout, sys.stderr = &f.stdout, &f.stderr
	return runWith(ctx, append([]string{"-repo", repoID, "-dir", f.dir}, args...), &sys)
}

func (f *fixture) path(name string) string { return filepath.Join(f.dir, filepath.FromSlash(name)) }

// assertFile checks that name is in place, byte for byte, with no partial file left.
func (f *fixture) assertFile(name string) {
	f.t.Helper()
	got, err := os.ReadFile(f.path(name))
	if assert.NoError(f.t, err) {
		want := fileData(f.t, name)
		assert.True(f.t, bytes.Equal(want, got), "%s: %d bytes on disk differ from the %d served", name, len(got), len(want))
	}
	assert.NoFileExists(f.t, f.path(name)+partSuffix)
}

// requests returns the requests of one server ("hub" or "cdn"), of one method when given.
func (f *fixture) requests(server string, method ...string) []hubtest.Request {
	var out []hubtest.Request
	for _, r := range f.hub.Requests() {
		if r.Server == server && (len(method) == 0 || r.Method == method[0]) {
			out = append(out, r)
		}
	}
	return out
}

// ranges returns the Range headers the server received, in order, "" for requests without one.
func (f *fixture) ranges(server string) []string {
	var out []string
	for _, r := range f.requests(server) {
		out = append(out, r.Range)
	}
	return out
}

// checkAuthorization runs after every test: the token reached the Hub on every request and the CDN
// on none, and no output holds it.
func (f *fixture) checkAuthorization() {
	for _, r := range f.hub.Requests() {
		switch {
		case r.Server == "cdn":
			assert.Empty(f.t, r.Authorization, "the CDN received an Authorization header: %s %s", r.Method, r.Path)
		case !f.wrongKey:
			assert.Equal(f.t, "Bearer "+hfToken, r.Authorization, "a Hub request without the token: %s %s", r.Method, r.Path)
		}
	}
	assert.NotContains(f.t, f.stdout.String(), hfToken)
	assert.NotContains(f.t, f.stderr.String(), hfToken)
}

// lines splits output into its lines.
func lines(s string) []string {
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// TestMain fails the run when a test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
