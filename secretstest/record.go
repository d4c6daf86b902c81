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

// MaxRecordedRequests bounds the records Requests returns: a long-running emulator (the
// cmd/secrets-emulator server) keeps the most recent ones rather than growing without end.
const MaxRecordedRequests = 100_000

type recorder struct {
	mu       sync.Mutex
	count    int               // requests received since the last reset
	requests []RecordedRequest // the most recent of them, at most MaxRecordedRequests
}

func (r *recorder) add(rr RecordedRequest) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.count++
	if len(r.requests) == MaxRecordedRequests {
		// Drop the older half at once, so that recording stays amortized O(1).
		r.requests = append(r.requests[:0], r.requests[MaxRecordedRequests/2:]...)
	}
	r.requests = append(r.requests, rr)
}

// RequestCount returns how many requests the Server has received since it started or since the last
// ResetRequests, including those answered by injected faults.
func (s *Server) RequestCount() int {
	s.recorder.mu.Lock()
	defer s.recorder.mu.Unlock()
	return s.recorder.count
}

// Requests returns a copy of the requests received, in arrival order (see RequestCount): all of them,
// or, past MaxRecordedRequests, at least the most recent half of that many.
func (s *Server) Requests() []RecordedRequest {
	s.recorder.mu.Lock()
	defer s.recorder.mu.Unlock()
	return slices.Clone(s.recorder.requests)
}

// ResetRequests forgets the requests recorded so far.
func (s *Server) ResetRequests() {
	s.recorder.mu.Lock()
	defer s.recorder.mu.Unlock()
	s.recorder.requests, s.recorder.count = nil, 0
}
