package secretstest

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

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
