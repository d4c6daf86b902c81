package secrets_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// TestSafety_PlainHTTPOnlyToLoopback: http is accepted only for loopback hosts (emulators); the token
// never travels in the clear over a network. https is accepted for every host.
func TestSafety_PlainHTTPOnlyToLoopback(t *testing.T) {
	t.Parallel()
	cases := []struct {
		host     string
		loopback bool
	}{
		{"localhost", true},
		{"localhost:8080", true},
		{"emulator.localhost:9000", true},
		{"127.0.0.1", true},
		{"127.0.0.1:41234", true},
		{"127.10.20.30", true},
		{"[::1]", true},
		{"[::1]:8080", true},
		{"example.com", false},
		{"example.com:80", false},
		{"10.0.0.1", false},
		{"192.168.1.10:8080", false},
		{"0.0.0.0", false},
		{"[::]", false},
		{"[2001:db8::1]", false},
		{"localhost.example.com", false},
		{"127.0.0.1.nip.io", false},
	}
	for _, tc := range cases {
		t.Run(tc.host, func(t *testing.T) {
			t.Parallel()
			api := newFakeAPI(t)
			api.on(http.MethodGet, getPath, fixture(t, 200, "secret.json"))
			for _, scheme := range []string{"http", "https"} {
				c, err := secrets.NewClient(secrets.WithAPIKey(testToken), secrets.WithBaseURL(scheme+"://"+tc.host),
					secrets.WithHTTPClient(api.httpClient()))
				if scheme == "http" && !tc.loopback {
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
				want := tc.host
				if r.URL.Scheme == "http" && strings.Contains(tc.host, "localhost") {
					// A localhost name over plain http is dialled at 127.0.0.1 (TestLoopback_NamesArePinned).
					want = "127.0.0.1:80"
					if _, port, err := net.SplitHostPort(tc.host); err == nil {
						want = "127.0.0.1:" + port
					}
				}
				assert.Equal(t, want, r.URL.Host)
				assert.Equal(t, getPath, r.URL.Path)
			}
		})
	}
}

// redirectTarget is a server that records the Authorization header it receives.
type redirectTarget struct {
	*httptest.Server
	mu    sync.Mutex
	auths []string
}

func newRedirectTarget(t *testing.T, body []byte) *redirectTarget {
	rt := &redirectTarget{}
	rt.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt.mu.Lock()
		rt.auths = append(rt.auths, r.Header.Get("Authorization"))
		rt.mu.Unlock()
		_, _ = w.Write(body)
	}))
	t.Cleanup(rt.Close)
	return rt
}

func (rt *redirectTarget) seen() []string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return append([]string(nil), rt.auths...)
}

// TestSafety_RedirectsKeepTheTokenOnItsHost: a redirect within the host keeps Authorization, and the
// caller's own redirect policy still runs; a redirect to another host (another name, or the same name
// on another port) is refused before anything is sent there (TestRedirect_ToAnotherOriginIsRefused).
func TestSafety_RedirectsKeepTheTokenOnItsHost(t *testing.T) {
	t.Parallel()
	body := readTestdata(t, "responses/secret.json")
	cases := []struct {
		name     string
		location func(origin, target *redirectTarget) string
		wantAuth string
		viaUser  bool // the caller's http.Client has its own CheckRedirect
	}{
		{name: "same host", location: func(o, _ *redirectTarget) string { return o.URL + "/moved" + getPath }, wantAuth: "Bearer " + testToken},
		{name: "same host, caller's redirect policy", viaUser: true, wantAuth: "Bearer " + testToken,
			location: func(o, _ *redirectTarget) string { return o.URL + "/moved" + getPath }},
		{name: "other host name: refused", location: func(_, tg *redirectTarget) string {
			return strings.Replace(tg.URL, "127.0.0.1", "localhost", 1) + getPath
		}},
		{name: "same host name, other port: refused", location: func(_, tg *redirectTarget) string { return tg.URL + getPath }},
		{name: "other host, caller's redirect policy: refused first", viaUser: true, location: func(_, tg *redirectTarget) string {
			return strings.Replace(tg.URL, "127.0.0.1", "localhost", 1) + getPath
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			target := newRedirectTarget(t, body)
			origin := &redirectTarget{}
			origin.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, "/moved") {
					origin.mu.Lock()
					origin.auths = append(origin.auths, r.Header.Get("Authorization"))
					origin.mu.Unlock()
					_, _ = w.Write(body)
					return
				}
				http.Redirect(w, r, tc.location(origin, target), http.StatusTemporaryRedirect)
			}))
			t.Cleanup(origin.Close)

			opts := []secrets.Option{secrets.WithAPIKey(testToken), secrets.WithBaseURL(origin.URL), fastRetries()}
			var userPolicyCalls atomic.Int32
			if tc.viaUser {
				tr := &http.Transport{}
				t.Cleanup(tr.CloseIdleConnections)
				opts = append(opts, secrets.WithHTTPClient(&http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
					userPolicyCalls.Add(1)
					return nil
				}}))
			}
			c, err := secrets.NewClient(opts...)
			require.NoError(t, err)

			s, err := c.Secrets.Get(t.Context(), secretID)
			if tc.wantAuth == "" { // another host
				require.ErrorIs(t, err, secrets.ErrRedirectRefused)
				assert.Empty(t, target.seen(), "nothing sent to the other host")
				assert.Zero(t, userPolicyCalls.Load(), "refused before the caller's policy is asked")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "DB_PASSWORD", s.Name)
			got := append(origin.seen(), target.seen()...)
			assert.Equal(t, []string{tc.wantAuth}, got)
			if tc.viaUser {
				assert.Equal(t, int32(1), userPolicyCalls.Load(), "the caller's policy still runs")
			}
		})
	}
}

// TestSafety_RedirectRefused: a redirect from https down to plain http is refused before anything is
// sent there, and not retried; so is a redirect loop.
func TestSafety_RedirectRefused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		tls       bool
		location  func(self string) string
		wantHits  int32
		errSubstr string
	}{
		{name: "https to http", tls: true, location: func(string) string { return "http://example.com" + getPath },
			wantHits: 1, errSubstr: "to http://example.com: the client follows redirects within the base URL's host only"},
		{name: "loop", location: func(self string) string { return self + getPath },
			wantHits: 10, errSubstr: "stopped after 10 redirects"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int32
			var self string
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				http.Redirect(w, r, tc.location(self), http.StatusFound)
			})
			var srv *httptest.Server
			if tc.tls {
				srv = httptest.NewTLSServer(h)
			} else {
				srv = httptest.NewServer(h)
			}
			t.Cleanup(srv.Close)
			self = srv.URL

			c, err := secrets.NewClient(secrets.WithAPIKey(testToken), secrets.WithBaseURL(srv.URL),
				secrets.WithHTTPClient(srv.Client()), secrets.WithRetryMax(3), fastRetries())
			require.NoError(t, err)
			_, err = c.Secrets.Get(t.Context(), secretID)

			var reqErr *secrets.RequestError
			require.ErrorAs(t, err, &reqErr)
			assert.Equal(t, 1, reqErr.Attempts, "not retried")
			assert.Equal(t, tc.wantHits, hits.Load())
			assert.Contains(t, err.Error(), tc.errSubstr)
			assert.NotContains(t, err.Error(), testToken)
		})
	}
}

// countingBody is an endless (or long) body that counts what is read from it.
type countingBody struct {
	left int64 // -1: endless
	read atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	if b.left == 0 {
		return 0, io.EOF
	}
	n := len(p)
	if b.left > 0 && int64(n) > b.left {
		n = int(b.left)
	}
	for filled := 0; filled < n; {
		filled += copy(p[filled:n], xBlock[:])
	}
	if b.left > 0 {
		b.left -= int64(n)
	}
	b.read.Add(int64(n))
	return n, nil
}

func (b *countingBody) Close() error { return nil }

var xBlock = [4096]byte(bytes.Repeat([]byte("x"), 4096))

// TestSafety_LargeSuccessBody: a 2xx body over the limit is ErrInvalidResponse, found from
// Content-Length without reading the body, or after reading just past the limit; never retried.
func TestSafety_LargeSuccessBody(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name          string
		contentLength int64
		body          *countingBody
		maxRead       int64
	}{
		{"Content-Length over the limit", secrets.MaxObjectBody + 1, &countingBody{left: -1}, 0},
		{"endless chunked body", -1, &countingBody{left: -1}, secrets.MaxObjectBody + 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, api := setup(t)
			api.on(http.MethodGet, getPath, func(req *http.Request) (*http.Response, error) {
				return &http.Response{StatusCode: 200, Status: "200 OK", Header: http.Header{}, Body: tc.body,
					ContentLength: tc.contentLength, Request: req}, nil
			})
			_, err := c.Secrets.Get(t.Context(), secretID)
			assertSentinels(t, err, secrets.ErrInvalidResponse)
			var reqErr *secrets.RequestError
			require.ErrorAs(t, err, &reqErr)
			assert.Equal(t, 1, reqErr.Attempts)
			assert.Equal(t, 1, api.GetTotalCallCount())
			assert.LessOrEqual(t, tc.body.read.Load(), tc.maxRead)
			assert.Contains(t, err.Error(), "invalid response: response body is larger than any valid response")
		})
	}
	t.Run("a body at the largest valid size is read", func(t *testing.T) {
		t.Parallel()
		value := strings.Repeat("v", secrets.MaxValueBytes)
		c, api := setup(t)
		api.on(http.MethodGet, getPath, jsonResponder(200, `{"secretID":"`+secretID+`","name":"BIG","value":"`+value+`"}`))
		s, err := c.Secrets.Get(t.Context(), secretID)
		require.NoError(t, err)
		assert.Len(t, *s.Value, secrets.MaxValueBytes)
	})
}

// TestSafety_ErrorBodiesAreCut: an error body is read up to MaxErrorBody bytes, even an endless one.
func TestSafety_ErrorBodiesAreCut(t *testing.T) {
	t.Parallel()
	for _, retries := range []int{0, 2} {
		t.Run(fmt.Sprint("retries ", retries), func(t *testing.T) {
			t.Parallel()
			c, api := setup(t, secrets.WithRetryMax(retries))
			var bodies []*countingBody
			var mu sync.Mutex
			api.on(http.MethodGet, getPath, func(req *http.Request) (*http.Response, error) {
				b := &countingBody{left: -1}
				mu.Lock()
				bodies = append(bodies, b)
				mu.Unlock()
				return &http.Response{StatusCode: 503, Status: "503 Service Unavailable", Header: http.Header{}, Body: b,
					ContentLength: -1, Request: req}, nil
			})
			_, err := c.Secrets.Get(t.Context(), secretID)
			var apiErr *secrets.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, retries+1, apiErr.Attempts)
			// Cut to MaxErrorBody, less the bytes that could hold the start of the token.
			assert.LessOrEqual(t, len(apiErr.Body), secrets.MaxErrorBody)
			assert.GreaterOrEqual(t, len(apiErr.Body), secrets.MaxErrorBody-len(testToken))
			assert.LessOrEqual(t, len(apiErr.Message), 520)
			for _, b := range bodies {
				assert.LessOrEqual(t, b.read.Load(), int64(secrets.MaxErrorBody))
			}
		})
	}
}
