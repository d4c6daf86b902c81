package secretstest_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFailNext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     int
		retryAfter time.Duration
		header     string
	}{
		{"503 with fractional Retry-After rounds up", http.StatusServiceUnavailable, 1500 * time.Millisecond, "2"},
		{"429 with whole seconds", http.StatusTooManyRequests, 3 * time.Second, "3"},
		{"429 with under a second", http.StatusTooManyRequests, time.Millisecond, "1"},
		{"500 without Retry-After", http.StatusInternalServerError, 0, ""},
		{"404 is injectable too", http.StatusNotFound, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.srv.FailNext(2, tt.status, tt.retryAfter)
			for range 2 {
				// Injected failures come before authentication and leave the state untouched.
				r := e.do("", http.MethodPost, "/v1/secrets", map[string]string{"name": "FAILED", "value": "v"})
				require.Equal(t, tt.status, r.status)
				assert.Equal(t, tt.header, r.header.Get("Retry-After"))
				assert.Equal(t, "application/json", r.header.Get("Content-Type"))
				assert.Regexp(t, uuidPattern, r.header.Get("X-Request-Id"))
				assert.NotEmpty(t, decode[wireError](t, r, tt.status).Message)
			}
			_, ok := e.srv.SecretValue("FAILED")
			assert.False(t, ok)
			e.create(e.key, "FAILED", "v")
			assert.Equal(t, 3, e.srv.RequestCount())
		})
	}
}

func TestFailNextReplacesAndCancels(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.srv.FailNext(5, http.StatusBadGateway, 0)
	e.srv.FailNext(1, http.StatusServiceUnavailable, 0)
	assert.Equal(t, http.StatusServiceUnavailable, e.do(e.key, http.MethodGet, "/v1/secrets", nil).status)
	assert.Equal(t, http.StatusOK, e.do(e.key, http.MethodGet, "/v1/secrets", nil).status)
	e.srv.FailNext(3, http.StatusBadGateway, 0)
	e.srv.FailNext(0, http.StatusBadGateway, 0)
	assert.Equal(t, http.StatusOK, e.do(e.key, http.MethodGet, "/v1/secrets", nil).status)
	assert.Panics(t, func() { e.srv.FailNext(1, http.StatusOK, 0) })
	assert.Panics(t, func() { e.srv.FailNext(1, 600, 0) })
}

func TestFailNextCountsDownAcrossConcurrentRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const requests, failures = 40, 13
	e.srv.FailNext(failures, http.StatusServiceUnavailable, 0)
	var failed atomic.Int64
	var wg sync.WaitGroup
	for range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if e.do(e.key, http.MethodGet, "/v1/secrets", nil).status == http.StatusServiceUnavailable {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int64(failures), failed.Load())
	assert.Equal(t, requests, e.srv.RequestCount())
}

func TestDropNext(t *testing.T) {
	t.Parallel()
	e := newEnv(t).fresh()
	e.srv.DropNext(2)
	post := func() (response, error) {
		return e.try(context.Background(), e.key, http.MethodPost, "/v1/secrets", map[string]string{"name": "DROPPED", "value": "v"})
	}
	for range 2 {
		_, err := post()
		require.Error(t, err, "the connection is closed without a response")
	}
	_, ok := e.srv.SecretValue("DROPPED")
	assert.False(t, ok, "a dropped request is not processed")

	r, err := post()
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, 3, e.srv.RequestCount())
}

func TestTruncateNext(t *testing.T) {
	t.Parallel()
	e := newEnv(t).fresh()
	e.srv.TruncateNext(1)

	r, err := e.try(context.Background(), e.key, http.MethodPost, "/v1/secrets", map[string]string{"name": "TRUNCATED", "value": "v"})
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, http.StatusOK, r.status, "headers arrive in full")
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	assert.Regexp(t, uuidPattern, r.header.Get("X-Request-Id"))
	length, err := strconv.Atoi(r.header.Get("Content-Length"))
	require.NoError(t, err)
	require.Positive(t, length)
	assert.Len(t, r.body, length/2)

	value, ok := e.srv.SecretValue("TRUNCATED")
	assert.True(t, ok, "a truncated request was processed")
	assert.Equal(t, "v", value)
	assert.Equal(t, http.StatusOK, e.do(e.key, http.MethodGet, "/v1/secrets", nil).status, "only the next request is truncated")
}

func TestFaultPrecedence(t *testing.T) {
	t.Parallel()
	e := newEnv(t).fresh()
	e.srv.TruncateNext(1)
	e.srv.DropNext(1)
	e.srv.FailNext(1, http.StatusServiceUnavailable, 0)
	get := func() (response, error) {
		return e.try(context.Background(), e.key, http.MethodGet, "/v1/secrets", nil)
	}
	r, err := get() // failure first
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	_, err = get() // then the drop
	require.Error(t, err)
	r, err = get() // then the truncation
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, http.StatusOK, r.status)
	r, err = get() // then normal service
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, r.status)
}

func TestSetLatency(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.srv.SetLatency(5 * time.Millisecond)
	start := time.Now()
	assert.Equal(t, http.StatusOK, e.do(e.key, http.MethodGet, "/v1/secrets", nil).status)
	assert.GreaterOrEqual(t, time.Since(start), 5*time.Millisecond)
	e.srv.SetLatency(0)
}

func TestSetLatencyAbandonsCancelledRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.srv.SetLatency(time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := e.start(ctx, http.MethodPost, "/v1/secrets", map[string]string{"name": "LATE", "value": "v"})

	// Once the request waits out the latency, the client gives up.
	require.Eventually(t, func() bool { return e.srv.RequestCount() == 1 && e.srv.InFlight() == 1 }, 10*time.Second, time.Millisecond)
	cancel()
	assert.ErrorIs(t, (<-done).err, context.Canceled)

	// The server notices and abandons the request without processing it.
	require.Eventually(t, func() bool { return e.srv.InFlight() == 0 }, 10*time.Second, time.Millisecond)
	e.srv.SetLatency(0)
	_, ok := e.srv.SecretValue("LATE")
	assert.False(t, ok)
	assert.Equal(t, http.StatusOK, e.do(e.key, http.MethodGet, "/v1/secrets", nil).status)
}

func TestCloseAbandonsRequestsWaitingOutLatency(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.srv.SetLatency(time.Hour)
	done := e.start(context.Background(), http.MethodGet, "/v1/secrets", nil)
	require.Eventually(t, func() bool { return e.srv.RequestCount() == 1 }, 10*time.Second, time.Millisecond)
	e.srv.Close() // must not wait an hour
	assert.Error(t, (<-done).err)
}
