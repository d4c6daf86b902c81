package secretstest_test

import (
	"context"
	"io"
	"net/http"
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
	e := newEnv(t)
	client := fresh(t)
	e.srv.DropNext(2)
	post := func() (*http.Response, error) {
		req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/v1/secrets", bodyReader(t, map[string]string{"name": "DROPPED", "value": "v"}))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+e.key)
		req.Header.Set("Content-Type", "application/json")
		return client.Do(req)
	}
	for range 2 {
		resp, err := post()
		if resp != nil {
			resp.Body.Close()
		}
		require.Error(t, err, "the connection is closed without a response")
	}
	_, ok := e.srv.SecretValue("DROPPED")
	assert.False(t, ok, "a dropped request is not processed")

	resp, err := post()
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, 3, e.srv.RequestCount())
}

func TestTruncateNext(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	client := fresh(t)
	e.srv.TruncateNext(1)

	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/v1/secrets", bodyReader(t, map[string]string{"name": "TRUNCATED", "value": "v"}))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+e.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	require.NoError(t, err, "headers arrive in full")
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.Regexp(t, uuidPattern, resp.Header.Get("X-Request-Id"))
	require.Positive(t, resp.ContentLength)
	body, err := io.ReadAll(resp.Body)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Len(t, body, int(resp.ContentLength)/2)

	value, ok := e.srv.SecretValue("TRUNCATED")
	assert.True(t, ok, "a truncated request was processed")
	assert.Equal(t, "v", value)
	assert.Equal(t, http.StatusOK, e.do(e.key, http.MethodGet, "/v1/secrets", nil).status, "only the next request is truncated")
}

func TestFaultPrecedence(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	client := fresh(t)
	e.srv.TruncateNext(1)
	e.srv.DropNext(1)
	e.srv.FailNext(1, http.StatusServiceUnavailable, 0)

	get := func() (*http.Response, error) {
		req, err := http.NewRequest(http.MethodGet, e.srv.URL+"/v1/secrets", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+e.key)
		return client.Do(req)
	}
	resp, err := get() // failure first
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)

	_, err = get() // then the drop
	require.Error(t, err)

	resp, err = get() // then the truncation
	require.NoError(t, err)
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)

	resp, err = get() // then normal service
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
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
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.srv.URL+"/v1/secrets", bodyReader(t, map[string]string{"name": "LATE", "value": "v"}))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+e.key)
	req.Header.Set("Content-Type", "application/json")
	done := make(chan error, 1)
	go func() {
		resp, err := e.client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()

	// Once the request waits out the latency, the client gives up.
	require.Eventually(t, func() bool { return e.srv.RequestCount() == 1 && e.srv.InFlight() == 1 }, 10*time.Second, time.Millisecond)
	cancel()
	err = <-done
	assert.ErrorIs(t, err, context.Canceled)

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
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/v1/secrets", nil)
		req.Header.Set("Authorization", "Bearer "+e.key)
		resp, err := e.client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	require.Eventually(t, func() bool { return e.srv.RequestCount() == 1 }, 10*time.Second, time.Millisecond)
	e.srv.Close() // must not wait an hour
	assert.Error(t, <-done)
}
