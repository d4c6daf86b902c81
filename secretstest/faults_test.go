package secretstest_test

// What a test can make the emulator do wrong: fail (FailNext), drop (DropNext), cut (TruncateNext),
// delay (SetLatency) and limit the rate (WithRateLimit).

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
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

// The bucket, step by step on the fake clock: burst at once, then one per 1/perSecond; Retry-After is
// the wait for the next token in whole seconds, rounded up, at least 1.
func TestRateLimitTokenBucket(t *testing.T) {
	t.Parallel()
	type step struct {
		advance time.Duration
		want    string // "" passes; otherwise the Retry-After of a 429
	}
	unlimited := []step{{0, ""}, {0, ""}, {0, ""}, {0, ""}, {0, ""}}
	tests := []struct {
		name      string
		perSecond float64
		burst     int
		steps     []step
	}{
		{"burst then one per second", 1, 3, []step{
			{0, ""}, {0, ""}, {0, ""}, {0, "1"}, {0, "1"},
			{500 * time.Millisecond, "1"}, // half a token: rounded up
			{500 * time.Millisecond, ""}, {0, "1"},
		}},
		{"one every four seconds", 0.25, 1, []step{
			{0, ""}, {0, "4"}, {time.Second, "3"}, {2500 * time.Millisecond, "1"}, {500 * time.Millisecond, ""}, {0, "4"},
		}},
		{"fast rate: Retry-After is at least 1", 100, 2, []step{
			{0, ""}, {0, ""}, {0, "1"}, {10 * time.Millisecond, ""}, {0, "1"},
		}},
		{"ten per second in 100 ms steps", 10, 1, []step{
			{0, ""}, {0, "1"}, {100 * time.Millisecond, ""}, {100 * time.Millisecond, ""}, {100 * time.Millisecond, ""}, {0, "1"},
		}},
		{"refill stops at burst", 1, 2, []step{
			{0, ""}, {0, ""}, {0, "1"}, {time.Hour, ""}, {0, ""}, {0, "1"},
		}},
		{"burst below 1 is 1", 1, 0, []step{{0, ""}, {0, "1"}, {time.Second, ""}}},
		{"negative burst is 1", 1, -5, []step{{0, ""}, {0, "1"}}},
		{"one a day", 1.0 / 86400, 1, []step{{0, ""}, {0, "86400"}, {time.Hour, "82800"}}},
		{"so slow the wait overflows a Duration: the longest one, never a short one", 1e-12, 1, []step{
			{0, ""}, {0, "9223372037"}, {1000 * time.Hour, "9223372037"},
		}},
		{"a clock going back refills nothing, and the bucket works on when it moves on", 1, 1, []step{
			{0, ""}, {-time.Hour, "1"},
			{time.Hour, "1"}, // no token for the time spent going back and forth
			{time.Second, ""},
		}},
		// Rates that are not a positive finite number leave the Server unlimited.
		{"rate 0 is unlimited", 0, 1, unlimited},
		{"a negative rate is unlimited", -1, 1, unlimited},
		{"a NaN rate is unlimited", math.NaN(), 1, unlimited},
		{"an infinite rate is unlimited", math.Inf(1), 1, unlimited},
		{"a negative infinite rate is unlimited", math.Inf(-1), 1, unlimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, clock := limitedEnv(t, tt.perSecond, tt.burst)
			for i, st := range tt.steps {
				clock.Advance(st.advance)
				assert.Equal(t, st.want, e.retryAfter(), "step %d", i)
			}
		})
	}
}

// Every request counts, whatever its endpoint, identity or outcome; a refused request takes no token
// and changes nothing, and consumes no injected fault.
func TestRateLimitEveryRequestCounts(t *testing.T) {
	t.Parallel()
	e, clock := limitedEnv(t, 1, 3)
	assert.Equal(t, http.StatusUnauthorized, e.do("", http.MethodGet, "/v1/secrets", nil).status)
	assert.Equal(t, http.StatusNotFound, e.do(e.key, http.MethodGet, "/v1/nowhere", nil).status)
	assert.Equal(t, http.StatusOK, e.do(e.key, http.MethodGet, "/v1/users/current", nil).status)

	e.srv.FailNext(1, http.StatusServiceUnavailable, 0)
	r := e.do(e.key, http.MethodPost, "/v1/secrets", map[string]string{"name": "LIMITED", "value": "v"})
	require.Equal(t, http.StatusTooManyRequests, r.status)
	_, created := e.srv.SecretValue("LIMITED")
	assert.False(t, created, "a refused write changes nothing")
	assert.Equal(t, 4, e.srv.RequestCount(), "refused requests are recorded")

	clock.Advance(time.Second)
	assert.Equal(t, http.StatusServiceUnavailable, e.do(e.key, http.MethodGet, "/v1/secrets", nil).status,
		"the injected fault was not consumed by the refused request")
	clock.Advance(time.Second)
	r = e.do(e.key, http.MethodPost, "/v1/secrets", map[string]string{"name": "LIMITED", "value": "v"})
	assert.Equal(t, http.StatusOK, r.status, "body: %s", r.body)
}

// Concurrent requests at one instant: exactly burst of them pass.
func TestRateLimitConcurrent(t *testing.T) {
	t.Parallel()
	const burst = 8
	e, _ := limitedEnv(t, 1, burst)
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := map[int]int{}
	for range 4 * burst {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := e.try(context.Background(), e.key, http.MethodGet, "/v1/secrets", nil)
			if err == nil {
				mu.Lock()
				counts[r.status]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, map[int]int{http.StatusOK: burst, http.StatusTooManyRequests: 3 * burst}, counts)
}

// Each Server has its own bucket, even when two share the Option.
func TestRateLimitOptions(t *testing.T) {
	t.Parallel()
	shared := secretstest.WithRateLimit(1, 1)
	clock := newFakeClock(0)
	a := newEnv(t, secretstest.WithClock(clock.Now), shared)
	b := newEnv(t, secretstest.WithClock(clock.Now), shared)
	assert.Equal(t, "", a.retryAfter())
	assert.Equal(t, "", b.retryAfter(), "b's bucket is its own")
	assert.Equal(t, "1", a.retryAfter())
}

// The SDK sees a limited emulator as it would see the service: ErrRateLimited with RetryAfter.
func TestRateLimitThroughTheSDK(t *testing.T) {
	t.Parallel()
	e, _ := limitedEnv(t, 0.5, 1)
	c, err := secrets.NewClient(secrets.WithAPIKey(e.key), secrets.WithBaseURL(e.srv.URL),
		secrets.WithHTTPClient(e.client), secrets.WithRetryMax(0))
	require.NoError(t, err)
	_, err = c.Secrets.List(context.Background(), nil)
	require.NoError(t, err)
	_, err = c.Secrets.List(context.Background(), nil)
	require.ErrorIs(t, err, secrets.ErrRateLimited)
	var apiErr *secrets.APIError
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, 2*time.Second, apiErr.RetryAfter)
}
