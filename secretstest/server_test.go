package secretstest_test

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/secretstest"
)

func TestNewServerListensOnLoopback(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$|^http://\[::1\]:\d+$`, e.srv.URL)
	assert.NotEmpty(t, e.srv.APIKey())
	assert.Regexp(t, uuidPattern, e.srv.OrganizationID())
	assert.Regexp(t, uuidPattern, e.srv.APIKeyUser().ID)
	assert.Equal(t, e.srv.APIKey(), e.srv.APIKeyUser().Token)
}

func TestStartReportsListenError(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()

	srv, err := secretstest.Start(secretstest.WithAddr(busy.Addr().String()))
	assert.Nil(t, srv)
	require.Error(t, err)
	assert.Contains(t, err.Error(), busy.Addr().String())
	assert.Panics(t, func() { secretstest.NewServer(secretstest.WithAddr(busy.Addr().String())) })
}

func TestWithAddrAndOptions(t *testing.T) {
	t.Parallel()
	probe, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := probe.Addr().String()
	require.NoError(t, probe.Close())

	srv, err := secretstest.Start(
		secretstest.WithAddr(addr),
		secretstest.WithAPIKey("fixed-key"),
		secretstest.WithOrganizationName("Acme Corp"),
		nil, // ignored
	)
	if err != nil {
		t.Skipf("port %s was taken again before the test could use it: %v", addr, err)
	}
	defer srv.Close()
	assert.Equal(t, "http://"+addr, srv.URL)
	assert.Equal(t, "fixed-key", srv.APIKey())
	assert.Equal(t, "api-key@acme-corp", srv.APIKeyUser().Email)
}

func TestInvalidOptionsAreIgnored(t *testing.T) {
	t.Parallel()
	e := newEnv(t,
		secretstest.WithAPIKey(""),
		secretstest.WithAPIKey("has space"),
		secretstest.WithOrganizationName("  "),
		secretstest.WithClock(nil),
		secretstest.WithAddr(""),
	)
	assert.NotEmpty(t, e.srv.APIKey())
	assert.NotEqual(t, "has space", e.srv.APIKey())
	org := decode[map[string]any](t, e.do(e.key, http.MethodGet, "/v1/organizations/current", nil), http.StatusOK)
	assert.Equal(t, secretstest.DefaultOrganizationName, org["name"])
	sec := e.create(e.key, "NOW", "v")
	created, err := time.Parse(time.RFC3339Nano, sec.CreatedAt)
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now(), created, time.Minute)
}

func TestCloseIsIdempotentAndKeepsState(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer()
	srv.AddSecret("KEPT", "v", "")
	srv.Close()
	srv.Close()
	v, ok := srv.SecretValue("KEPT")
	assert.True(t, ok)
	assert.Equal(t, "v", v)
	_, err := http.Get(srv.URL + "/v1/secrets")
	assert.Error(t, err)
}

func TestShutdownWaitsForRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.srv.SetLatency(20 * time.Millisecond)
	done := e.start(context.Background(), http.MethodGet, "/v1/secrets", nil)
	require.Eventually(t, func() bool { return e.srv.RequestCount() == 1 }, 5*time.Second, time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, e.srv.Shutdown(ctx))
	res := <-done
	require.NoError(t, res.err)
	assert.Equal(t, http.StatusOK, res.r.status)
}

func TestClient(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer()
	defer srv.Close()
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/v1/users/current", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.APIKey())
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Same(t, srv.Client(), srv.Client())
}

func TestRequestsAreRecordedWithoutSecrets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.srv.AddUser("alice@example.com")
	r1 := e.do(alice.Token, http.MethodPost, "/v1/secrets", map[string]string{"name": "RECORDED", "value": "hidden-value"})
	r2 := e.do(e.key, http.MethodGet, "/v1/secrets?name=RECORDED", nil)
	r3 := e.do("bad-token", http.MethodGet, "/v1/users", nil)

	got := e.srv.Requests()
	want := []secretstest.RecordedRequest{
		{Method: http.MethodPost, Path: "/v1/secrets", IdentityID: alice.ID, RequestID: r1.header.Get("X-Request-Id")},
		{Method: http.MethodGet, Path: "/v1/secrets", RawQuery: "name=RECORDED", IdentityID: e.srv.APIKeyUser().ID, RequestID: r2.header.Get("X-Request-Id")},
		{Method: http.MethodGet, Path: "/v1/users", RequestID: r3.header.Get("X-Request-Id")},
	}
	assert.Equal(t, want, got)
	assert.Equal(t, 3, e.srv.RequestCount())

	got[0].Method = "CHANGED"
	assert.Equal(t, http.MethodPost, e.srv.Requests()[0].Method, "Requests returns a copy")

	e.srv.ResetRequests()
	assert.Zero(t, e.srv.RequestCount())
	assert.Empty(t, e.srv.Requests())
}
