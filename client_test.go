package secrets_test

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// TestClient_JWTExpiry: a JWT's exp is read (no signature check); a JWT past its exp is refused by
// NewClient, and a Client whose token expires later refuses calls from then on, before any request.
func TestClient_JWTExpiry(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	var now atomic.Int64
	now.Store(t0.UnixNano())
	clock := secrets.WithClock(func() time.Time { return time.Unix(0, now.Load()).UTC() })

	jwt := makeJWT(t, map[string]any{"sub": "u1", "exp": t0.Add(time.Hour).Unix()})
	c, api := setup(t, secrets.WithAPIKey(jwt), clock)
	api.on(http.MethodGet, getPath, fixture(t, 200, "secret.json"))
	info := c.Info()
	assert.True(t, info.TokenIsJWT)
	assert.Equal(t, t0.Add(time.Hour), info.TokenExpiry)

	_, err := c.Secrets.Get(t.Context(), secretID)
	require.NoError(t, err)
	assert.Equal(t, "Bearer "+jwt, api.only().Header.Get("Authorization"))

	now.Store(t0.Add(time.Hour).UnixNano()) // exp is the first instant the token is invalid
	_, err = c.Secrets.Get(t.Context(), secretID)
	assertSentinels(t, err, secrets.ErrTokenExpired, secrets.ErrUnauthorized)
	assert.Equal(t, "secrets: the token from WithAPIKey expired at 2030-01-02T04:04:05Z; get a new one", err.Error())
	assert.Equal(t, 1, api.GetTotalCallCount(), "no request with an expired token")

	_, err = secrets.NewClient(secrets.WithAPIKey(jwt), clock)
	assertSentinels(t, err, secrets.ErrTokenExpired, secrets.ErrUnauthorized)
}

// TestClient_TokenKinds: what Info says about each kind of token.
func TestClient_TokenKinds(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		token string
		isJWT bool
	}{
		{"API key", "9f8e7d6c5b4a39281706f5e4d3c2b1a0", false},
		{"JWT without exp", makeJWT(t, map[string]any{"sub": "u1"}), true},
		{"JWT far in the future", makeJWT(t, map[string]any{"exp": 4102444800}), true},
		{"dotted key that is not a JWT", "abc.def.ghi", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := secrets.NewClient(secrets.WithAPIKey(tc.token))
			require.NoError(t, err)
			assert.Equal(t, tc.isJWT, c.Info().TokenIsJWT)
			assert.Equal(t, "WithAPIKey", c.Info().TokenSource)
			assert.Equal(t, secrets.DefaultBaseURL+"/v1", c.Info().BaseURL)
		})
	}
}

// TestClient_ConcurrentUse: one Client serves many goroutines (run with -race).
func TestClient_ConcurrentUse(t *testing.T) {
	t.Parallel()
	c, api := setup(t)
	api.on(http.MethodGet, getPath, fixture(t, 200, "secret.json"))
	api.on(http.MethodGet, "/v1/secrets", fixture(t, 200, "list_wrapped.json"))
	calls := []func() (*secrets.Secret, error){
		func() (*secrets.Secret, error) { return c.Secrets.Get(t.Context(), secretID) },
		func() (*secrets.Secret, error) { return c.Secrets.GetByName(t.Context(), "DB_PASSWORD") },
	}
	const n = 80
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := calls[i%2]()
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	assert.Equal(t, n, api.GetTotalCallCount())
}

// TestClient_CallerHTTPClientUntouched: WithHTTPClient copies the client; the caller's is not modified.
func TestClient_CallerHTTPClientUntouched(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t)
	hc := &http.Client{Transport: api.MockTransport, Timeout: 7 * time.Second}
	c, _ := setup(t, secrets.WithHTTPClient(hc), secrets.WithTimeout(time.Second))
	api.on(http.MethodGet, getPath, fixture(t, 200, "secret.json"))
	_, err := c.Secrets.Get(t.Context(), secretID)
	require.NoError(t, err)
	assert.Nil(t, hc.CheckRedirect)
	assert.Equal(t, 7*time.Second, hc.Timeout)
	assert.Same(t, api.MockTransport, hc.Transport)
}
