package secrets_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// The fixtures every test layer of the package shares: a fake clock, a JWT builder, an environment
// setter, a string pointer and a debug logger into a buffer. Each exists once; add new shared fixtures here.

// fakeClock is a clock tests move by hand instead of sleeping. It is safe from any goroutine: the
// emulator calls it with its lock held, the cache from its refresh goroutines.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock(start time.Time) *fakeClock { return &fakeClock{now: start} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock by d and returns the new time.
func (c *fakeClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// makeJWT builds an unsigned-looking JWT (base64url header.payload.signature) with claims.
func makeJWT(t testing.TB, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	require.NoError(t, err)
	return jwtWithPayload(string(payload))
}

// jwtWithPayload builds a JWT around a raw payload, for exp spellings map[string]any cannot make.
func jwtWithPayload(payload string) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString([]byte(payload)) + "." +
		enc.EncodeToString([]byte("not-a-real-signature"))
}

// envVars are the variables the SDK reads.
var envVars = []string{
	secrets.EnvManagementToken, secrets.EnvManagementBaseURL, secrets.EnvManagementVersion,
	secrets.EnvOrganization, secrets.EnvHost, secrets.EnvURL,
}

// setEnv clears every variable the SDK reads ("" reads as unset), then sets vars, for the duration
// of the test, so that the machine's own environment cannot leak into it. A test that calls it
// cannot be parallel.
func setEnv(t testing.TB, vars map[string]string) {
	t.Helper()
	for _, k := range envVars {
		t.Setenv(k, "")
	}
	for k, v := range vars {
		t.Setenv(k, v)
	}
}

func strp(s string) *string { return &s }

// logBuffer is a bytes.Buffer that a logger may write to from several goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func newBufferLogger() (*slog.Logger, *logBuffer) {
	buf := &logBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// requireAPIError requires err to be an *APIError with the status and returns it.
func requireAPIError(t *testing.T, err error, status int) *secrets.APIError {
	t.Helper()
	var ae *secrets.APIError
	require.ErrorAs(t, err, &ae, "want an *APIError %d", status)
	assert.Equal(t, status, ae.StatusCode, "status of %v", err)
	return ae
}
