package secretstest_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
)

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
