package secretstest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Connection limits, so that a Server listening beyond loopback (WithAddr) cannot be held by clients
// that connect and then send slowly or not at all: headers must arrive within readHeaderTimeout, and
// the body of a request without a valid token is never read (see serveHTTP). There is no whole-request
// or write deadline: net/http would cancel a request held by SetLatency when it expired.
const (
	readHeaderTimeout = 10 * time.Second // request line and headers
	idleTimeout       = 2 * time.Minute  // a keep-alive connection between requests
	maxHeaderBytes    = 64 << 10
)

// Server is a running emulator of the Management API secrets endpoints. All its methods are safe for
// concurrent use, including while requests are being served.
type Server struct {
	// URL is the base URL of the emulator, such as "http://127.0.0.1:41234", with no trailing slash
	// and no version path: pass it to a client as its base URL.
	URL string

	clock    func() time.Time
	profile  Profile
	apiKey   string
	listener net.Listener
	http     *http.Server
	client   *http.Client

	serveDone chan struct{}  // closed when http.Server.Serve has returned
	done      chan struct{}  // closed by Close: wakes requests waiting out latency
	conns     sync.WaitGroup // connections not yet closed (see connState)
	closeOnce sync.Once
	inflight  atomic.Int64 // handlers running, for tests

	mu sync.Mutex // guards st
	st state

	faults   faults
	limiter  *rateLimiter // nil: no limit
	latency  atomic.Int64 // time.Duration
	recorder recorder
}

// NewServer starts an emulator listening on a random loopback port (or on WithAddr's address) and
// returns it; call Close when done. It panics when it cannot listen, as httptest.NewServer does; use
// Start to get the error instead.
func NewServer(opts ...Option) *Server {
	s, err := Start(opts...)
	if err != nil {
		panic(err.Error())
	}
	return s
}

// Start is NewServer returning an error, instead of panicking, when the address cannot be listened on.
func Start(opts ...Option) (*Server, error) {
	cfg := newConfig(opts)
	ln, err := listen(cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("secretstest: cannot listen on %s: %w", describeAddr(cfg.addr), err)
	}
	apiKey := cfg.apiKey
	if apiKey == "" {
		apiKey = newToken("emu_key_")
	}
	s := &Server{
		URL:       baseURL(ln.Addr()),
		clock:     cfg.clock,
		profile:   cfg.profile,
		limiter:   newRateLimiter(cfg),
		apiKey:    apiKey,
		listener:  ln,
		client:    &http.Client{Transport: &http.Transport{}},
		serveDone: make(chan struct{}),
		done:      make(chan struct{}),
	}
	s.st = newState(cfg.orgName, apiKey, s.now())
	s.http = &http.Server{
		Handler:           http.HandlerFunc(s.serveHTTP),
		ConnState:         s.connState,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
	go func() {
		defer close(s.serveDone)
		_ = s.http.Serve(ln) // returns http.ErrServerClosed after Close or Shutdown
	}()
	return s, nil
}

func listen(addr string) (net.Listener, error) {
	if addr != "" {
		return net.Listen("tcp", addr)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		if ln6, err6 := net.Listen("tcp", "[::1]:0"); err6 == nil {
			return ln6, nil
		}
	}
	return ln, err
}

func describeAddr(addr string) string {
	if addr == "" {
		return "a loopback address"
	}
	return strconv.Quote(addr)
}

// baseURL names the listener's address; an unspecified IP (listening on all interfaces) is reached
// through the loopback address of the same family.
func baseURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String()
	}
	ip := tcp.IP
	if ip.IsUnspecified() {
		if ip.To4() != nil {
			ip = net.IPv4(127, 0, 0, 1)
		} else {
			ip = net.IPv6loopback
		}
	}
	return "http://" + net.JoinHostPort(ip.String(), strconv.Itoa(tcp.Port))
}

// connState counts connections so that Close can wait for all of them. StateNew is reported by the
// Serve goroutine before Serve can return, so every Add happens before Close's Wait. Hijacked
// connections are released by the handler that hijacked them, once it has closed them.
func (s *Server) connState(_ net.Conn, cs http.ConnState) {
	switch cs {
	case http.StateNew:
		s.conns.Add(1)
	case http.StateClosed:
		s.conns.Done()
	}
}

// Close stops the server at once: it closes the listener and every connection, abandons requests
// waiting out latency, waits until every handler has returned, and closes the idle connections of
// Client. The state stays readable through the inspection methods. Close may be called more than
// once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		_ = s.http.Close()
		close(s.done)
	})
	<-s.serveDone
	s.conns.Wait()
	s.client.CloseIdleConnections()
}

// Shutdown stops the server gracefully, like http.Server.Shutdown: it stops accepting connections and
// waits for active requests to finish until ctx ends, then closes everything as Close does. It
// returns ctx's error when it had to cut requests short.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.http.Shutdown(ctx)
	s.Close()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Client returns an HTTP client for the Server, like httptest.Server.Client: it uses no proxy, and
// Close closes its idle connections, so that tests checking for leaked goroutines stay clean.
func (s *Server) Client() *http.Client { return s.client }

// APIKey returns the organization API key: a bearer token that acts as an organization owner.
func (s *Server) APIKey() string { return s.apiKey }

// OrganizationID returns the emulated organization's ID (a UUID), as GET /v1/organizations/current
// reports it and as the organizationID query parameter must give it.
func (s *Server) OrganizationID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.orgID
}

// now reads the clock in UTC.
func (s *Server) now() time.Time { return s.clock().UTC() }
