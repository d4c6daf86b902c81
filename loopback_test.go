package secrets_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// secretServer is an API stand-in answering every request with the secret of the fixtures.
func secretServer(t *testing.T, opts ...rawOption) *rawServer {
	t.Helper()
	body := readTestdata(t, "responses/secret.json")
	return newRawServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(body) }, opts...)
}

// hosts returns the Host header of each request srv received.
func hosts(srv *rawServer) []string {
	var out []string
	for _, h := range srv.recorded() {
		out = append(out, h.Host)
	}
	return out
}

// dialRecorder is an *http.Transport that records the addresses it dials.
func dialRecorder(t *testing.T) (*http.Transport, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var addrs []string
	var d net.Dialer
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		mu.Lock()
		addrs = append(addrs, addr)
		mu.Unlock()
		return d.DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	return tr, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), addrs...)
	}
}

// TestLoopback_NamesArePinned (issue 11 §6): a plain-http base URL naming localhost or *.localhost is
// dialled at 127.0.0.1, never looked up (Go's resolver would ask DNS about *.localhost), and the
// server still sees the name in the Host header. Both on the SDK's transport and on a caller's.
func TestLoopback_NamesArePinned(t *testing.T) {
	t.Parallel()
	srv := secretServer(t)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	for _, name := range []string{"localhost", "emulator.localhost", "a.b.localhost"} {
		base := "http://" + name + ":" + port
		c, err := secrets.NewClient(secrets.WithAPIKey(testToken), secrets.WithBaseURL(base))
		require.NoError(t, err)
		_, err = c.Secrets.Get(t.Context(), secretID)
		require.NoError(t, err, name)

		tr, dialled := dialRecorder(t)
		c, err = secrets.NewClient(secrets.WithAPIKey(testToken), secrets.WithBaseURL(base), secrets.WithHTTPClient(&http.Client{Transport: tr}))
		require.NoError(t, err)
		_, err = c.Secrets.Get(t.Context(), secretID)
		require.NoError(t, err, name)
		assert.Equal(t, []string{"127.0.0.1:" + port}, dialled(), "%s is dialled at the loopback address, not looked up", name)
	}
	assert.Equal(t, []string{"localhost:" + port, "localhost:" + port, "emulator.localhost:" + port, "emulator.localhost:" + port,
		"a.b.localhost:" + port, "a.b.localhost:" + port}, hosts(srv))
}

// proxyStandIn is a proxy that answers every request itself, as a hostile or logging proxy would.
func proxyStandIn(t *testing.T) (*rawServer, *url.URL) {
	t.Helper()
	srv := newRawServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"secretID":"3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f4a5b","name":"FROM_THE_PROXY","value":"x"}`))
	})
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	return srv, u
}

// TestLoopback_NeverThroughAProxy (issue 11 §6): with a proxy configured the way HTTP_PROXY
// configures one (every host but localhost and loopback IPs, so *.localhost included), a plain-http
// loopback base URL still goes straight to the server; a transport whose proxy would take even the
// loopback address is refused before anything is sent, and not retried.
func TestLoopback_NeverThroughAProxy(t *testing.T) {
	t.Parallel()
	srv := secretServer(t)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	proxy, proxyURL := proxyStandIn(t)
	envLike := func(r *http.Request) (*url.URL, error) { // http.ProxyFromEnvironment with HTTP_PROXY set
		if h := r.URL.Hostname(); h == "localhost" || net.ParseIP(h) != nil && net.ParseIP(h).IsLoopback() {
			return nil, nil
		}
		return proxyURL, nil
	}
	for _, name := range []string{"emulator.localhost", "localhost", "127.0.0.1"} {
		tr := &http.Transport{Proxy: envLike}
		t.Cleanup(tr.CloseIdleConnections)
		c, err := secrets.NewClient(secrets.WithAPIKey(testToken), secrets.WithBaseURL("http://"+name+":"+port),
			secrets.WithHTTPClient(&http.Client{Transport: tr}))
		require.NoError(t, err)
		s, err := c.Secrets.Get(t.Context(), secretID)
		require.NoError(t, err, name)
		assert.Equal(t, "DB_PASSWORD", s.Name, "%s: the server's answer, not the proxy's", name)
	}
	assert.Zero(t, proxy.requests(), "nothing went through the proxy")
	assert.Len(t, srv.recorded(), 3)

	for _, name := range []string{"emulator.localhost", "localhost", "127.0.0.1", "[::1]"} {
		tr := &http.Transport{Proxy: http.ProxyURL(proxyURL)} // proxies everything
		t.Cleanup(tr.CloseIdleConnections)
		c, err := secrets.NewClient(secrets.WithAPIKey(testToken), secrets.WithBaseURL("http://"+name+":"+port),
			secrets.WithHTTPClient(&http.Client{Transport: tr}), secrets.WithRetryMax(3), fastRetries())
		require.NoError(t, err)
		_, err = c.Secrets.Create(t.Context(), "DB_PASSWORD", "hunter2-proxied")
		var reqErr *secrets.RequestError
		require.ErrorAs(t, err, &reqErr, name)
		assert.Equal(t, 1, reqErr.Attempts, "%s: not retried", name)
		assert.Contains(t, err.Error(), "through a proxy", name)
		assert.NotContains(t, err.Error(), "hunter2")
		assert.NotContains(t, err.Error(), proxyURL.Host, "the proxy's address (which may carry credentials) is not quoted")
	}
	assert.Zero(t, proxy.requests(), "nothing went through the proxy")
	assert.Len(t, srv.recorded(), 3, "nor to the server")
}

// TestLoopback_IPv6Fallback: a localhost name whose server listens on ::1 only is reached there
// when 127.0.0.1 refuses.
func TestLoopback_IPv6Fallback(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback on this machine: %v", err)
	}
	secretServer(t, rawOn(ln))
	_, port, err := net.SplitHostPort(ln.Addr().String())
	require.NoError(t, err)
	if probe, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
		_ = probe.Close()
		t.Skip("something else listens on 127.0.0.1 at the same port")
	}
	for _, rc := range []retryCall{callGet, callUpdate} { // without a body, and with one
		c, err := secrets.NewClient(secrets.WithAPIKey(testToken), secrets.WithBaseURL("http://localhost:"+port))
		require.NoError(t, err)
		require.NoError(t, rc.call(t.Context(), c), rc.name)
	}
}

// TestLoopback_HTTPProxyEnvironment runs itself again in a child process with HTTP_PROXY set (and no
// NO_PROXY; net/http reads them once per process): a Client on the SDK's own transport and a
// plain-http *.localhost or localhost base URL reaches the server directly, and the proxy sees nothing.
func TestLoopback_HTTPProxyEnvironment(t *testing.T) {
	if base := os.Getenv("GO_SECRETS_TEST_PROXY_CHILD_BASE"); base != "" {
		c, err := secrets.NewClient(secrets.WithAPIKey(testToken), secrets.WithBaseURL(base), secrets.WithRetryMax(0))
		require.NoError(t, err)
		s, err := c.Secrets.Get(t.Context(), secretID)
		require.NoError(t, err)
		require.Equal(t, "DB_PASSWORD", s.Name)
		return
	}
	t.Parallel()
	srv := secretServer(t)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	proxy, proxyURL := proxyStandIn(t)
	for _, name := range []string{"emulator.localhost", "localhost"} {
		cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestLoopback_HTTPProxyEnvironment$", "-test.count=1")
		cmd.Env = append(os.Environ(), "HTTP_PROXY="+proxyURL.String(), "http_proxy="+proxyURL.String(), "NO_PROXY=", "no_proxy=",
			"GO_SECRETS_TEST_PROXY_CHILD_BASE=http://"+name+":"+port)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s: %s", name, out)
	}
	assert.Zero(t, proxy.requests(), "nothing went through the proxy")
	assert.Equal(t, []string{"emulator.localhost:" + port, "localhost:" + port}, hosts(srv))
}

// TestLoopback_PlainHTTPOnlyToLoopback: http is accepted only for loopback hosts (emulators); the token
// never travels in the clear over a network. https is accepted for every host.
func TestLoopback_PlainHTTPOnlyToLoopback(t *testing.T) {
	t.Parallel()
	loopback := []string{"localhost", "localhost:8080", "emulator.localhost:9000", "127.0.0.1", "127.0.0.1:41234", "127.10.20.30",
		"[::1]", "[::1]:8080"}
	network := []string{"example.com", "example.com:80", "10.0.0.1", "192.168.1.10:8080", "0.0.0.0", "[::]", "[2001:db8::1]",
		"localhost.example.com", "127.0.0.1.nip.io"}
	for _, host := range append(append([]string(nil), loopback...), network...) {
		t.Run(host, func(t *testing.T) {
			t.Parallel()
			api := newFakeAPI(t)
			api.on(http.MethodGet, getPath, fixture(t, 200, "secret.json"))
			for _, scheme := range []string{"http", "https"} {
				c, err := secrets.NewClient(secrets.WithAPIKey(testToken), secrets.WithBaseURL(scheme+"://"+host),
					secrets.WithHTTPClient(api.httpClient()))
				if scheme == "http" && !slices.Contains(loopback, host) {
					assert.Nil(t, c)
					assertSentinels(t, err, secrets.ErrInvalidArgument)
					assert.Contains(t, err.Error(), "plain http")
					assert.Contains(t, err.Error(), "WithBaseURL")
					continue
				}
				require.NoError(t, err, scheme)
				_, err = c.Secrets.Get(t.Context(), secretID)
				require.NoError(t, err)
			}
			for _, r := range api.requests() {
				want := host
				if r.URL.Scheme == "http" && strings.Contains(host, "localhost") {
					// A localhost name over plain http is dialled at 127.0.0.1 (TestLoopback_NamesArePinned).
					want = "127.0.0.1:80"
					if _, port, err := net.SplitHostPort(host); err == nil {
						want = "127.0.0.1:" + port
					}
				}
				assert.Equal(t, want, r.URL.Host)
				assert.Equal(t, getPath, r.URL.Path)
			}
		})
	}
}
