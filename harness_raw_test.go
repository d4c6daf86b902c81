package secrets_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// The broken-wire layer's one harness: a loopback server for what a well-behaved server cannot do
// (cut bodies, lying lengths, resets, hangs, refusals, redirects elsewhere), and the pieces that break
// the wire. Everything a well-behaved server can do goes through setup(t) (harness_mock_test.go) or
// the emulator (harness_emulator_test.go).

// rawHit is one request a rawServer received.
type rawHit struct {
	Method, Path, Query, Host, Auth string
	Body                            []byte
}

// rawHandler answers the nth request (from 1) a rawServer received.
type rawHandler func(n int, w http.ResponseWriter, r *http.Request)

// rawServer is an httptest server on a loopback address that records every request (its body read
// in full before the handler runs, which reads it again from the start) and counts the connections
// made to it.
type rawServer struct {
	*httptest.Server
	conns atomic.Int32
	mu    sync.Mutex
	hits  []rawHit
}

// rawOption configures a rawServer's httptest server before it starts.
type rawOption func(*httptest.Server)

// rawTLS serves https, with httptest's certificate (which rawServer.client trusts).
func rawTLS(s *httptest.Server) { s.TLS = &tls.Config{} }

// rawOn serves on ln instead of a fresh 127.0.0.1 port.
func rawOn(ln net.Listener) rawOption {
	return func(s *httptest.Server) { _ = s.Listener.Close(); s.Listener = ln }
}

// newRawServer starts a rawServer running h, closed when the test ends.
func newRawServer(t *testing.T, h rawHandler, opts ...rawOption) *rawServer {
	t.Helper()
	s := &rawServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.mu.Lock()
		s.hits = append(s.hits, rawHit{r.Method, r.URL.Path, r.URL.RawQuery, r.Host, r.Header.Get("Authorization"), body})
		n := len(s.hits)
		s.mu.Unlock()
		h(n, w, r)
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	for _, o := range opts {
		o(s.Server)
	}
	if s.TLS != nil {
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return s
}

// recorded returns the requests received so far.
func (s *rawServer) recorded() []rawHit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]rawHit(nil), s.hits...)
}

// requests returns how many requests the server received.
func (s *rawServer) requests() int { return len(s.recorded()) }

// client returns an http.Client that trusts the server's certificate and dials loopback addresses
// only: should a redirect be followed where it must not, nothing leaves the machine.
func (s *rawServer) client(t *testing.T) *http.Client {
	t.Helper()
	tr := s.Client().Transport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if ip := net.ParseIP(host); host != "localhost" && (err != nil || ip == nil || !ip.IsLoopback()) {
			return nil, fmt.Errorf("test guard: refused to dial %s", addr)
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// newClient returns a Client on the server through client(t), with token testToken and fast
// retries; opts come last and win.
func (s *rawServer) newClient(t *testing.T, opts ...secrets.Option) *secrets.Client {
	t.Helper()
	c, err := secrets.NewClient(append([]secrets.Option{secrets.WithAPIKey(testToken), secrets.WithBaseURL(s.URL),
		secrets.WithHTTPClient(s.client(t)), fastRetries()}, opts...)...)
	require.NoError(t, err)
	return c
}

// breakConn takes the connection over, writes raw (a response as no net/http server would send it,
// or nothing) and closes it: with a reset (RST) when reset is set, else with a plain close.
func breakConn(w http.ResponseWriter, raw string, reset bool) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	_, _ = buf.WriteString(raw)
	_ = buf.Flush()
	if tcp, ok := conn.(*net.TCPConn); ok && reset {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// resetMidBody sends a 200 declaring body's length and half of body, then resets the connection.
func resetMidBody(w http.ResponseWriter, body string) {
	breakConn(w, fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		len(body), body[:len(body)/2]), true)
}

// endlessChunks sends a 200 whose chunked body never ends, until the client hangs up.
func endlessChunks(w http.ResponseWriter, chunk string) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	raw := fmt.Sprintf("%x\r\n%s\r\n", len(chunk), chunk)
	_, err = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
	for err == nil {
		_, err = buf.WriteString(raw)
	}
}

// hang never answers: it returns when the client goes away (which the server sees only once the body
// is read: rawServer reads it first).
func hang(_ int, _ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

// closedLoopbackPort returns host:port of a loopback port where nothing listens.
func closedLoopbackPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}
