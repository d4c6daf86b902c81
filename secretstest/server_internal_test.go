package secretstest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

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
