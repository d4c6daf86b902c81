package secretstest

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// faultKind is what happens to one request instead of (or on top of) normal service.
type faultKind uint8

const (
	faultNone     faultKind = iota
	faultFail               // answer with the injected status, state untouched
	faultDrop               // close the connection without any response, state untouched
	faultTruncate           // serve normally, then send only half of the body
)

// faults holds the pending fault counts; take consumes them one request at a time.
type faults struct {
	mu         sync.Mutex
	fail       int
	status     int
	retryAfter time.Duration
	drop       int
	truncate   int
}

// take picks the fault for one request: failures first, then drops, then truncations.
func (f *faults) take() (kind faultKind, status int, retryAfter time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case f.fail > 0:
		f.fail--
		return faultFail, f.status, f.retryAfter
	case f.drop > 0:
		f.drop--
		return faultDrop, 0, 0
	case f.truncate > 0:
		f.truncate--
		return faultTruncate, 0, 0
	}
	return faultNone, 0, 0
}

// FailNext answers the next n requests, whatever they are and before authentication, with status
// (400–599) and a JSON {"message":…} body, without touching the state. When retryAfter > 0 the
// responses carry a Retry-After header in whole seconds, rounded up. Each call replaces the pending
// failures; n <= 0 cancels them. Pending failures take precedence over DropNext and TruncateNext, and
// concurrent requests consume them one each. It panics on a status outside 400–599.
func (s *Server) FailNext(n, status int, retryAfter time.Duration) {
	if status < 400 || status > 599 {
		panic(fmt.Sprintf("secretstest: FailNext status %d is not an error status (400-599)", status))
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.fail, s.faults.status, s.faults.retryAfter = max(n, 0), status, retryAfter
}

// DropNext makes the next n requests end with the connection closed before any response byte is
// sent, as when a server or proxy crashes; the requests are not processed. Each call replaces the
// pending count; n <= 0 cancels it. Note that Go's http.Transport silently retries an idempotent
// request whose reused keep-alive connection was dropped, and that retry is the next request.
func (s *Server) DropNext(n int) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.drop = max(n, 0)
}

// TruncateNext makes the next n requests be processed normally (writes do happen) but answered with
// the full headers, the true Content-Length and only the first half of the body, after which the
// connection is closed: the client sees an unexpected EOF while reading the body. Each call replaces
// the pending count; n <= 0 cancels it.
func (s *Server) TruncateNext(n int) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.truncate = max(n, 0)
}

// SetLatency delays every later request by d, once its body has been received and before anything
// else happens to it (fault injection, authentication, processing). A request whose client gives up
// during the delay (its context ends) is abandoned without being processed, and so is one in flight
// when the Server is closed. d <= 0 removes the delay.
func (s *Server) SetLatency(d time.Duration) { s.latency.Store(int64(max(d, 0))) }

// wait sleeps for the configured latency; it reports false when the request must be abandoned.
func (s *Server) wait(r *http.Request) bool {
	d := time.Duration(s.latency.Load())
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.done:
		return false
	}
}

func injectedFailure(status int, retryAfter time.Duration) reply {
	rep := fail(status, "injected failure: "+strconv.Itoa(status)+" "+http.StatusText(status))
	if retryAfter > 0 {
		secs := (retryAfter + time.Second - 1) / time.Second
		rep = rep.with("Retry-After", strconv.FormatInt(int64(secs), 10))
	}
	return rep
}

// drop closes the request's connection without writing anything.
func (s *Server) drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // not hijackable: make net/http abort the connection instead
	}
	_ = conn.Close()
	s.conns.Done() // a hijacked connection never reports StateClosed
}

// truncate writes the status line, headers and the true Content-Length, then half of body, and
// closes the connection.
func (s *Server) truncate(w http.ResponseWriter, status int, header http.Header, body []byte) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	defer s.conns.Done()
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 %03d %s\r\n", status, http.StatusText(status))
	header.Set("Content-Length", strconv.Itoa(len(body)))
	header.Set("Connection", "close")
	_ = header.Write(buf)
	_, _ = buf.WriteString("\r\n")
	_, _ = buf.Write(body[:len(body)/2])
	_ = buf.Flush()
}
