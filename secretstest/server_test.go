package secretstest_test

import (
	"context"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/secretstest"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNewServerListensOnLoopback(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$|^http://\[::1\]:\d+$`, e.srv.URL)
	assert.NotEmpty(t, e.srv.APIKey())
	assert.Regexp(t, uuidPattern, e.srv.OrganizationID())
	assert.Regexp(t, uuidPattern, e.srv.APIKeyUser().ID)
	assert.Equal(t, e.srv.APIKey(), e.srv.APIKeyUser().Token)
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	gone := e.srv.AddUser("gone@example.com")
	e.srv.RemoveUser(gone.ID)

	tests := []struct {
		name   string
		header string
		status int
	}{
		{"no header", "", http.StatusUnauthorized},
		{"unknown token", "Bearer nope", http.StatusUnauthorized},
		{"basic scheme", "Basic " + e.key, http.StatusUnauthorized},
		{"empty bearer", "Bearer ", http.StatusUnauthorized},
		{"removed user", "Bearer " + gone.Token, http.StatusUnauthorized},
		{"api key", "Bearer " + e.key, http.StatusOK},
		{"lowercase scheme", "bearer " + e.key, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequest(http.MethodGet, e.srv.URL+"/v1/secrets", nil)
			require.NoError(t, err)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, err := e.client.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, tt.status, resp.StatusCode)
			assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			if tt.status == http.StatusUnauthorized {
				assert.Equal(t, "Bearer", resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
}

func TestUnauthorizedBodyNeverEchoesToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.do("very-secret-token-value", http.MethodGet, "/v1/secrets", nil)
	got := decode[wireError](t, r, http.StatusUnauthorized)
	assert.NotEmpty(t, got.Message)
	assert.NotContains(t, string(r.body), "very-secret-token-value")
}

func TestOrganizationIDParameter(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tests := []struct {
		name   string
		query  string
		status int
	}{
		{"absent", "", http.StatusOK},
		{"this organization", "?organizationID=" + e.srv.OrganizationID(), http.StatusOK},
		{"merged with name", "?name=X&organizationID=" + e.srv.OrganizationID(), http.StatusOK},
		{"another organization", "?organizationID=6f1c8e0e-5b0c-4a53-8f5e-3f1d2c3b4a59", http.StatusForbidden},
		{"empty", "?organizationID=", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := e.do(e.key, http.MethodGet, "/v1/secrets"+tt.query, nil)
			assert.Equal(t, tt.status, r.status, "body: %s", r.body)
		})
	}
}

func TestRouting(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sec := e.create(e.key, "ROUTED", "v")
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{http.MethodGet, "/", http.StatusNotFound, ""},
		{http.MethodGet, "/v1", http.StatusNotFound, ""},
		{http.MethodGet, "/v2/secrets", http.StatusNotFound, ""},
		{http.MethodGet, "/v1/nothing", http.StatusNotFound, ""},
		{http.MethodGet, "/v1/secrets/", http.StatusNotFound, ""},
		{http.MethodDelete, "/v1/secrets/", http.StatusNotFound, ""},
		{http.MethodGet, "/v1/secrets/" + sec.SecretID + "/", http.StatusNotFound, ""},
		{http.MethodGet, "/v1/secrets/" + sec.SecretID + "/other", http.StatusNotFound, ""},
		{http.MethodGet, "/v1/organizations/other", http.StatusNotFound, ""},
		{http.MethodPut, "/v1/secrets", http.StatusMethodNotAllowed, "GET, POST"},
		{http.MethodDelete, "/v1/secrets", http.StatusMethodNotAllowed, "GET, POST"},
		{http.MethodPost, "/v1/secrets/" + sec.SecretID, http.StatusMethodNotAllowed, "GET, PATCH, DELETE"},
		{http.MethodDelete, "/v1/secrets/" + sec.SecretID + "/accessControls", http.StatusMethodNotAllowed, "GET, PATCH"},
		{http.MethodPost, "/v1/organizations/current", http.StatusMethodNotAllowed, "GET"},
		{http.MethodPost, "/v1/users", http.StatusMethodNotAllowed, "GET"},
		{http.MethodHead, "/v1/users/current", http.StatusMethodNotAllowed, "GET"},
		{http.MethodPost, "/v1/teams", http.StatusMethodNotAllowed, "GET"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			t.Parallel()
			r := e.do(e.key, tt.method, tt.path, nil)
			assert.Equal(t, tt.status, r.status)
			assert.Equal(t, tt.allow, r.header.Get("Allow"))
			assert.Equal(t, "application/json", r.header.Get("Content-Type"))
			if tt.method != http.MethodHead {
				assert.NotEmpty(t, decode[wireError](t, r, tt.status).Message)
			}
		})
	}
}

func TestEveryResponseHasRequestID(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seen := map[string]bool{}
	for _, r := range []response{
		e.do(e.key, http.MethodGet, "/v1/secrets", nil),
		e.do("", http.MethodGet, "/v1/secrets", nil),
		e.do(e.key, http.MethodGet, "/v1/nowhere", nil),
		e.do(e.key, http.MethodPost, "/v1/secrets", "{"),
	} {
		id := r.header.Get("X-Request-Id")
		assert.Regexp(t, uuidPattern, id)
		assert.False(t, seen[id], "request IDs are unique")
		seen[id] = true
		assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	}
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
	srv := secretstest.NewServer()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	srv.SetLatency(20 * time.Millisecond)

	type result struct {
		status int
		err    error
	}
	done := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/secrets", nil)
		req.Header.Set("Authorization", "Bearer "+srv.APIKey())
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		resp.Body.Close()
		done <- result{status: resp.StatusCode}
	}()
	require.Eventually(t, func() bool { return srv.RequestCount() == 1 }, 5*time.Second, time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, srv.Shutdown(ctx))
	res := <-done
	require.NoError(t, res.err)
	assert.Equal(t, http.StatusOK, res.status)
}

func TestErrorMessagesAreFixedTexts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const value = "value-that-must-not-leak"
	for _, r := range []response{
		e.do(e.key, http.MethodPost, "/v1/secrets", map[string]string{"name": "bad name", "value": value}),
		e.do(e.key, http.MethodPost, "/v1/secrets", `{"name":"X","value":"`+value+`",}`),
		e.do(e.key, http.MethodPatch, "/v1/secrets/nope", map[string]string{"value": value}),
	} {
		assert.GreaterOrEqual(t, r.status, 400)
		assert.False(t, strings.Contains(string(r.body), value), "body: %s", r.body)
		assert.False(t, strings.Contains(string(r.body), "bad name"), "body: %s", r.body)
	}
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
