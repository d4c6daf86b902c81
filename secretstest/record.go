package secretstest

import (
	"slices"
	"sync"
)

// RecordedRequest describes one request the Server received. It never holds tokens or bodies.
type RecordedRequest struct {
	Method     string
	Path       string // URL path, such as "/v1/secrets"
	RawQuery   string // encoded query without '?', such as "name=DB_PASSWORD"
	IdentityID string // user ID of the caller (APIKeyUser().ID for the API key); "" if unauthenticated
	RequestID  string // the X-Request-Id the Server answered with (also set for dropped requests)
}

type recorder struct {
	mu       sync.Mutex
	requests []RecordedRequest
}

func (r *recorder) add(rr RecordedRequest) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = append(r.requests, rr)
}

// RequestCount returns how many requests the Server has received since it started or since the last
// ResetRequests, including those answered by injected faults.
func (s *Server) RequestCount() int {
	s.recorder.mu.Lock()
	defer s.recorder.mu.Unlock()
	return len(s.recorder.requests)
}

// Requests returns a copy of the requests received, in arrival order (see RequestCount). Records are
// kept until ResetRequests, so long benchmarks may want to call it now and then.
func (s *Server) Requests() []RecordedRequest {
	s.recorder.mu.Lock()
	defer s.recorder.mu.Unlock()
	return slices.Clone(s.recorder.requests)
}

// ResetRequests forgets the requests recorded so far.
func (s *Server) ResetRequests() {
	s.recorder.mu.Lock()
	defer s.recorder.mu.Unlock()
	s.recorder.requests = nil
}
