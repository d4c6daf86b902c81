package secretstest

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

// InFlight reports how many handlers are running, for tests that must see a request abandoned.
func (s *Server) InFlight() int64 { return s.inflight.Load() }

// TestRecorderIsBounded: a long-running emulator keeps the most recent records, not all of them,
// while the count stays exact.
func TestRecorderIsBounded(t *testing.T) {
	t.Parallel()
	var s Server
	total := MaxRecordedRequests + MaxRecordedRequests/2 + 7
	for i := range total {
		s.recorder.add(RecordedRequest{RequestID: strconv.Itoa(i)})
	}
	assert.Equal(t, total, s.RequestCount())
	got := s.Requests()
	assert.LessOrEqual(t, len(got), MaxRecordedRequests)
	assert.GreaterOrEqual(t, len(got), MaxRecordedRequests/2)
	assert.Equal(t, strconv.Itoa(total-1), got[len(got)-1].RequestID, "the newest is kept")
	for i := 1; i < len(got); i++ {
		prev, _ := strconv.Atoi(got[i-1].RequestID)
		cur, _ := strconv.Atoi(got[i].RequestID)
		if !assert.Equal(t, prev+1, cur, "in arrival order, without gaps") {
			break
		}
	}
	s.ResetRequests()
	assert.Zero(t, s.RequestCount())
	assert.Empty(t, s.Requests())
}

// The TCP server's limits, which slow clients would otherwise hold forever when -addr is not
// loopback: headers within a deadline and bounded, idle connections closed. No whole-request or
// write deadline, which would cut requests held by SetLatency.
func TestServerConnectionLimits(t *testing.T) {
	t.Parallel()
	s := NewServer()
	defer s.Close()
	assert.Positive(t, s.http.ReadHeaderTimeout)
	assert.LessOrEqual(t, s.http.ReadHeaderTimeout, readHeaderTimeout)
	assert.Positive(t, s.http.IdleTimeout)
	assert.Equal(t, maxHeaderBytes, s.http.MaxHeaderBytes)
	assert.Zero(t, s.http.ReadTimeout)
	assert.Zero(t, s.http.WriteTimeout)
}
