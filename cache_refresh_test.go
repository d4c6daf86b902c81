package secrets_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
)

// refreshWindow is the refresh-ahead window of these tests: with the one-minute TTL of
// newTestCache, a value fetched at 0 is refreshed by the first Get from 50s on.
const refreshWindow = 10 * time.Second

// getNow reads name and fails the test unless the Get returns want at once.
func getNow(t *testing.T, cache *secrets.Cache, name, want string) {
	t.Helper()
	done := make(chan struct{})
	var got string
	var err error
	go func() {
		defer close(done)
		got, err = cache.Get(context.Background(), name)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("Get(%s) waited for the server", name)
	}
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func TestCacheRefreshAheadServesFromMemoryAndReplacesTheValue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	stub := newAPIStub(t)
	stub.set("DB_PASSWORD", "first")
	clock := newFakeClock(cacheStart)
	cache := newTestCache(t, stub, clock, secrets.WithRefreshAhead(refreshWindow))

	getNow(t, cache, "DB_PASSWORD", "first")
	clock.Advance(cacheTTL - refreshWindow - time.Nanosecond)
	getNow(t, cache, "DB_PASSWORD", "first")
	secrets.WaitForRefreshes(cache)
	assert.Equal(t, 1, stub.count(), "no refresh before the window")

	// In the window, with the server holding every request: Gets return the value they hold, and
	// only one refresh is sent, however many Gets see the value due.
	release := stub.hold()
	t.Cleanup(release)
	stub.set("DB_PASSWORD", "second")
	clock.Advance(time.Nanosecond)
	getNow(t, cache, "DB_PASSWORD", "first")
	stub.waitArrival(t)
	for range 50 {
		getNow(t, cache, "DB_PASSWORD", "first")
	}
	clock.Advance(refreshWindow - time.Nanosecond) // the last instant the old value is fresh
	getNow(t, cache, "DB_PASSWORD", "first")
	assert.Equal(t, 2, stub.count())

	release()
	secrets.WaitForRefreshes(cache)
	getNow(t, cache, "DB_PASSWORD", "second")
	entry, err := cache.Lookup(ctx, "DB_PASSWORD")
	require.NoError(t, err)
	assert.Equal(t, clock.Now(), entry.FetchedAt, "the refreshed value's TTL runs from its fetch")
	assert.Equal(t, clock.Now().Add(cacheTTL), entry.ExpiresAt)
	assert.Equal(t, 2, stub.count())

	// The next window is relative to the new value.
	clock.Advance(cacheTTL - refreshWindow - time.Nanosecond)
	getNow(t, cache, "DB_PASSWORD", "second")
	secrets.WaitForRefreshes(cache)
	assert.Equal(t, 2, stub.count())
	clock.Advance(time.Nanosecond)
	getNow(t, cache, "DB_PASSWORD", "second")
	secrets.WaitForRefreshes(cache)
	assert.Equal(t, 3, stub.count())
}

func TestCacheRefreshAheadIsSharedWithAMiss(t *testing.T) {
	t.Parallel()
	stub := newAPIStub(t)
	stub.set("DB_PASSWORD", "first")
	clock := newFakeClock(cacheStart)
	cache := newTestCache(t, stub, clock, secrets.WithRefreshAhead(refreshWindow))
	getNow(t, cache, "DB_PASSWORD", "first")

	release := stub.hold()
	t.Cleanup(release)
	clock.Advance(cacheTTL - refreshWindow)
	getNow(t, cache, "DB_PASSWORD", "first") // starts the refresh, held at the server
	stub.waitArrival(t)
	stub.set("DB_PASSWORD", "second") // the held request has read "first" already
	clock.Advance(refreshWindow)      // the value expires while its refresh is under way

	missed := make(chan string, 3)
	for range cap(missed) {
		go func() {
			v, err := cache.Get(context.Background(), "DB_PASSWORD")
			assert.NoError(t, err)
			missed <- v
		}()
	}
	release()
	for range cap(missed) {
		assert.Equal(t, "first", <-missed, "the misses waited for the refresh under way")
	}
	secrets.WaitForRefreshes(cache)
	assert.Equal(t, 2, stub.count(), "the misses made no request of their own")
}

func TestCacheRefreshAheadFailureNeverSurfacesWhileFresh(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		break_  func(*apiStub)
		wantErr error // what the first Get after expiry returns (without WithStaleIfError)
	}{
		{name: "503", break_: func(s *apiStub) { s.fail(http.StatusServiceUnavailable) }, wantErr: &secrets.APIError{}},
		{name: "429", break_: func(s *apiStub) { s.fail(http.StatusTooManyRequests) }, wantErr: secrets.ErrRateLimited},
		{name: "connection dropped", break_: func(s *apiStub) { s.fail(dropConnection) }, wantErr: &secrets.RequestError{}},
		{name: "deleted", break_: func(s *apiStub) { s.remove("DB_PASSWORD") }, wantErr: secrets.ErrNotFound},
		{name: "withheld", break_: func(s *apiStub) { s.withhold("DB_PASSWORD") }, wantErr: secrets.ErrValueWithheld},
		{name: "403", break_: func(s *apiStub) { s.fail(http.StatusForbidden) }, wantErr: secrets.ErrForbidden},
		{name: "401", break_: func(s *apiStub) { s.fail(http.StatusUnauthorized) }, wantErr: secrets.ErrUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stub := newAPIStub(t)
			stub.set("DB_PASSWORD", "fresh-value-123")
			clock := newFakeClock(cacheStart)
			logger, logs := newBufferLogger()
			cache := newTestCache(t, stub, clock, secrets.WithRefreshAhead(refreshWindow), secrets.WithCacheLogger(logger))
			getNow(t, cache, "DB_PASSWORD", "fresh-value-123")
			tt.break_(stub)

			// Fetched at 0, fresh until 60s; refreshes due from 50s, then 5s after each failure.
			steps := []struct {
				at        time.Duration
				wantCount int
			}{
				{at: 50 * time.Second, wantCount: 2},
				{at: 54 * time.Second, wantCount: 2},
				{at: 55 * time.Second, wantCount: 3},
				{at: 60*time.Second - time.Nanosecond, wantCount: 3}, // the next try would be at 60s: expiry
			}
			start := clock.Now()
			for _, step := range steps {
				clock.Advance(start.Add(step.at).Sub(clock.Now()))
				getNow(t, cache, "DB_PASSWORD", "fresh-value-123")
				secrets.WaitForRefreshes(cache)
				assert.LessOrEqual(t, step.wantCount, stub.count(), "requests at %s", step.at)
				if tt.name != "connection dropped" { // net/http retries a GET once on a dropped reused connection
					assert.Equal(t, step.wantCount, stub.count(), "requests at %s", step.at)
				}
			}
			assert.Contains(t, logs.String(), "level=WARN")
			assert.Contains(t, logs.String(), "refresh-ahead failed")
			assert.Contains(t, logs.String(), "name=DB_PASSWORD")
			assert.NotContains(t, logs.String(), "fresh-value-123")

			// Expired: the next Get is a miss, and gets the failure as it would without refresh-ahead.
			clock.Advance(time.Nanosecond)
			got, err := cache.Get(context.Background(), "DB_PASSWORD")
			assert.Empty(t, got)
			switch want := tt.wantErr.(type) {
			case *secrets.APIError:
				var apiErr *secrets.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, http.StatusServiceUnavailable, apiErr.StatusCode)
			case *secrets.RequestError:
				assert.ErrorAs(t, err, &want)
			default:
				assert.ErrorIs(t, err, tt.wantErr)
			}
		})
	}
}

func TestCacheRefreshAheadThenStaleIfError(t *testing.T) {
	t.Parallel()
	stub := newAPIStub(t)
	stub.set("DB_PASSWORD", "the-value")
	clock := newFakeClock(cacheStart)
	cache := newTestCache(t, stub, clock, secrets.WithRefreshAhead(refreshWindow), secrets.WithStaleIfError(time.Hour))
	getNow(t, cache, "DB_PASSWORD", "the-value")
	stub.fail(http.StatusTooManyRequests)

	for at := time.Second; at <= 3*cacheTTL; at += time.Second {
		clock.Advance(time.Second)
		getNow(t, cache, "DB_PASSWORD", "the-value")
		secrets.WaitForRefreshes(cache)
	}
	entry, err := cache.Lookup(context.Background(), "DB_PASSWORD")
	require.NoError(t, err)
	assert.True(t, entry.Stale)
	// 2 refreshes ahead (50s, 55s), then one try every 5s while stale (60s…180s).
	assert.Equal(t, 1+2+25, stub.count())

	stub.fail(0)
	stub.set("DB_PASSWORD", "rotated")
	clock.Advance(5 * time.Second)
	getNow(t, cache, "DB_PASSWORD", "rotated")
	entry, err = cache.Lookup(context.Background(), "DB_PASSWORD")
	require.NoError(t, err)
	assert.False(t, entry.Stale)
}

func TestCacheInvalidateDuringRefreshAheadDiscardsItsResult(t *testing.T) {
	t.Parallel()
	for _, all := range []bool{false, true} {
		t.Run("all="+strconv.FormatBool(all), func(t *testing.T) {
			t.Parallel()
			stub := newAPIStub(t)
			stub.set("A", "old")
			clock := newFakeClock(cacheStart)
			cache := newTestCache(t, stub, clock, secrets.WithRefreshAhead(refreshWindow))
			getNow(t, cache, "A", "old")

			release := stub.hold()
			t.Cleanup(release)
			clock.Advance(cacheTTL - refreshWindow)
			getNow(t, cache, "A", "old") // the refresh reads "old"…
			stub.waitArrival(t)
			stub.set("A", "new") // …the value is rotated, and the cache told so
			if all {
				cache.InvalidateAll()
			} else {
				cache.Invalidate("A")
			}
			second := make(chan string, 1)
			go func() {
				v, err := cache.Get(context.Background(), "A")
				assert.NoError(t, err)
				second <- v
			}()
			stub.waitArrival(t)
			release()
			assert.Equal(t, "new", <-second, "a Get after Invalidate does not join the refresh")
			secrets.WaitForRefreshes(cache)
			getNow(t, cache, "A", "new")
			assert.Equal(t, 3, stub.count())
		})
	}
}

func TestCacheRefreshAheadIsDrivenByReads(t *testing.T) {
	t.Parallel()
	stub := newAPIStub(t)
	stub.set("HOT", "h")
	stub.set("COLD", "c")
	clock := newFakeClock(cacheStart)
	cache := newTestCache(t, stub, clock, secrets.WithRefreshAhead(refreshWindow))
	getNow(t, cache, "HOT", "h")
	getNow(t, cache, "COLD", "c")

	// HOT is read every second for ten TTLs; COLD once, then never.
	clock.Advance(cacheTTL - refreshWindow)
	getNow(t, cache, "COLD", "c")
	for range 10 * int(cacheTTL/time.Second) {
		clock.Advance(time.Second)
		getNow(t, cache, "HOT", "h")
		secrets.WaitForRefreshes(cache)
	}
	requests := map[string]int{}
	for _, r := range stub.recorded() {
		requests[r.RawQuery]++
	}
	assert.Equal(t, 2, requests["name=COLD"], "the cold name: its first read and one refresh, then nothing")
	// Refreshed at 51s, then every 50s (TTL less the window) until 650s; never on a caller's path.
	assert.Equal(t, 1+12, requests["name=HOT"], "the hot name: one request per TTL less the window")
}

func TestCacheRefreshAheadRespectsEviction(t *testing.T) {
	t.Parallel()
	stub := newAPIStub(t)
	stub.set("A", "a")
	stub.set("B", "b")
	clock := newFakeClock(cacheStart)
	cache := newTestCache(t, stub, clock, secrets.WithRefreshAhead(refreshWindow), secrets.WithMaxEntries(1))
	getNow(t, cache, "A", "a")

	release := stub.holdName("A")
	t.Cleanup(release)
	clock.Advance(cacheTTL - refreshWindow)
	getNow(t, cache, "A", "a") // A's refresh is held at the server
	stub.waitArrival(t)
	getNow(t, cache, "B", "b") // evicts A
	assert.Equal(t, 3, stub.count())
	release()
	secrets.WaitForRefreshes(cache)
	assert.Equal(t, 1, cache.Len())
	getNow(t, cache, "B", "b")
	assert.Equal(t, 3, stub.count(), "A's refresh did not bring A back in B's place")
	getNow(t, cache, "A", "a")
	assert.Equal(t, 4, stub.count())
}

func TestCacheCloseEndsRefreshes(t *testing.T) {
	t.Parallel()
	stub := newAPIStub(t)
	stub.set("A", "a")
	stub.set("B", "b")
	clock := newFakeClock(cacheStart)
	logger, logs := newBufferLogger()
	cache := newTestCache(t, stub, clock, secrets.WithRefreshAhead(refreshWindow), secrets.WithCacheLogger(logger))
	getNow(t, cache, "A", "a")
	getNow(t, cache, "B", "b")

	t.Cleanup(stub.hold()) // the server never answers: only Close can end the refresh
	clock.Advance(cacheTTL - refreshWindow)
	getNow(t, cache, "A", "a")
	stub.waitArrival(t)
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		cache.Close()
	}()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for the server")
	}
	cache.Close() // again: nothing to do

	getNow(t, cache, "A", "a")
	getNow(t, cache, "B", "b")
	assert.Equal(t, 3, stub.count(), "no refresh starts after Close")
	assert.Empty(t, logs.String(), "a refresh cancelled by Close is not a failure to report")
}

func TestCacheTTLJitter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		opts        []secrets.CacheOption
		random      float64
		wantTTL     time.Duration
		wantNegTTL  time.Duration
		wantRefresh time.Duration // after the fetch; 0: no refresh-ahead
	}{
		{name: "default: up to 10% shorter", random: 0.5, wantTTL: 57 * time.Second, wantNegTTL: 9500 * time.Millisecond},
		{name: "default, three quarters", random: 0.75, wantTTL: 55500 * time.Millisecond, wantNegTTL: 9250 * time.Millisecond},
		{name: "default, none", random: 0, wantTTL: cacheTTL, wantNegTTL: cacheNegTTL},
		{name: "off", opts: []secrets.CacheOption{secrets.WithTTLJitter(0)}, random: 0.5, wantTTL: cacheTTL, wantNegTTL: cacheNegTTL},
		{name: "half", opts: []secrets.CacheOption{secrets.WithTTLJitter(0.5)}, random: 0.5, wantTTL: 45 * time.Second, wantNegTTL: 7500 * time.Millisecond},
		{name: "refresh window from the jittered expiry", opts: []secrets.CacheOption{secrets.WithRefreshAhead(refreshWindow)},
			random: 0.5, wantTTL: 57 * time.Second, wantNegTTL: 9500 * time.Millisecond, wantRefresh: 47 * time.Second},
		{name: "refresh no earlier than half the lifetime", opts: []secrets.CacheOption{secrets.WithRefreshAhead(50 * time.Second)},
			random: 0.5, wantTTL: 57 * time.Second, wantNegTTL: 9500 * time.Millisecond, wantRefresh: 28500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stub := newAPIStub(t)
			stub.set("A", "a")
			clock := newFakeClock(cacheStart)
			client := stub.client(t)
			opts := append([]secrets.CacheOption{secrets.WithCacheClock(clock.Now), secrets.WithTTL(cacheTTL),
				secrets.WithNegativeTTL(cacheNegTTL), secrets.WithCacheRandom(func() float64 { return tt.random })}, tt.opts...)
			cache, err := secrets.NewCache(client, opts...)
			require.NoError(t, err)
			t.Cleanup(cache.Close)
			start := clock.Now()

			entry, err := cache.Lookup(context.Background(), "A")
			require.NoError(t, err)
			assert.Equal(t, start.Add(tt.wantTTL), entry.ExpiresAt)
			_, err = cache.Get(context.Background(), "MISSING")
			require.ErrorIs(t, err, secrets.ErrNotFound)
			require.Equal(t, 2, stub.count())

			if tt.wantRefresh > 0 {
				clock.Advance(tt.wantRefresh - time.Nanosecond)
				getNow(t, cache, "A", "a")
				secrets.WaitForRefreshes(cache)
				assert.Equal(t, 2, stub.count(), "no refresh before %s", tt.wantRefresh)
				clock.Advance(time.Nanosecond)
				getNow(t, cache, "A", "a")
				secrets.WaitForRefreshes(cache)
				assert.Equal(t, 3, stub.count(), "a refresh at %s", tt.wantRefresh)
				return
			}
			clock.Advance(tt.wantNegTTL - time.Nanosecond)
			_, err = cache.Get(context.Background(), "MISSING")
			require.ErrorIs(t, err, secrets.ErrNotFound)
			assert.Equal(t, 2, stub.count(), "not found is remembered until %s", tt.wantNegTTL)
			clock.Advance(time.Nanosecond)
			_, err = cache.Get(context.Background(), "MISSING")
			require.ErrorIs(t, err, secrets.ErrNotFound)
			assert.Equal(t, 3, stub.count(), "not found is asked again at %s", tt.wantNegTTL)

			clock.Advance(tt.wantTTL - tt.wantNegTTL - time.Nanosecond)
			getNow(t, cache, "A", "a")
			assert.Equal(t, 3, stub.count(), "the value is fresh until %s", tt.wantTTL)
			clock.Advance(time.Nanosecond)
			getNow(t, cache, "A", "a")
			assert.Equal(t, 4, stub.count(), "the value expires at %s", tt.wantTTL)
		})
	}
}

func TestCacheTTLJitterSpreadsExpiries(t *testing.T) {
	t.Parallel()
	stub := newAPIStub(t)
	stub.set("A", "a")
	client := stub.client(t)
	clock := newFakeClock(cacheStart)
	// The real random source: 200 caches that fetched together expire at different instants, each
	// within the last 10% of the TTL.
	seen := map[time.Time]bool{}
	for range 200 {
		cache, err := secrets.NewCache(client, secrets.WithCacheClock(clock.Now), secrets.WithTTL(cacheTTL))
		require.NoError(t, err)
		entry, err := cache.Lookup(context.Background(), "A")
		require.NoError(t, err)
		assert.WithinRange(t, entry.ExpiresAt, clock.Now().Add(cacheTTL*9/10), clock.Now().Add(cacheTTL))
		seen[entry.ExpiresAt] = true
	}
	assert.Greater(t, len(seen), 190)
}

// TestCanary_RefreshAheadMasksTheValueItHolds: a background refresh fails with an error that
// quotes the value the cache holds (and the token); the Warn record it leaves shows neither.
func TestCanary_RefreshAheadMasksTheValueItHolds(t *testing.T) {
	t.Parallel()
	srv, failing := canaryStoredValueServer(t)
	cacheLogs := newCanaryRecorder(t)
	c, err := secrets.NewClient(secrets.WithAPIKey(canaryToken), secrets.WithBaseURL(srv.URL), secrets.WithHTTPClient(srv.Client()),
		secrets.WithRetryMax(0))
	require.NoError(t, err)
	clock := newFakeClock(cacheStart)
	cache, err := secrets.NewCache(c, secrets.WithCacheLogger(cacheLogs.logger), secrets.WithCacheClock(clock.Now),
		secrets.WithTTL(time.Minute), secrets.WithRefreshAhead(refreshWindow))
	require.NoError(t, err)
	t.Cleanup(cache.Close)

	got, err := cache.Get(t.Context(), "DB_PASSWORD")
	require.NoError(t, err)
	require.Equal(t, canaryValue, got)
	failing.Store(true)
	clock.Advance(time.Minute - refreshWindow)
	got, err = cache.Get(t.Context(), "DB_PASSWORD")
	require.NoError(t, err)
	require.Equal(t, canaryValue, got)
	secrets.WaitForRefreshes(cache)

	cacheLogs.verifyLogs("refresh-ahead failed", "[REDACTED]")
	cacheLogs.inspect("*Cache", cache)
}

func TestCacheTTLJitterAppliesToRetries(t *testing.T) {
	t.Parallel()
	stub := newAPIStub(t)
	stub.set("A", "a")
	clock := newFakeClock(cacheStart)
	cache, err := secrets.NewCache(stub.client(t), secrets.WithCacheClock(clock.Now), secrets.WithTTL(cacheTTL),
		secrets.WithStaleIfError(time.Hour), secrets.WithRefreshAhead(refreshWindow),
		secrets.WithCacheRandom(func() float64 { return 0.5 })) // default jitter 0.1: 5% shorter
	require.NoError(t, err)
	t.Cleanup(cache.Close)
	getNow(t, cache, "A", "a")
	stub.fail(http.StatusTooManyRequests)

	// Fresh until 57s; refresh-ahead from 47s, retried 4.75s after a failure.
	clock.Advance(47 * time.Second)
	getNow(t, cache, "A", "a")
	secrets.WaitForRefreshes(cache)
	require.Equal(t, 2, stub.count())
	clock.Advance(4750*time.Millisecond - time.Nanosecond)
	getNow(t, cache, "A", "a")
	secrets.WaitForRefreshes(cache)
	assert.Equal(t, 2, stub.count())
	clock.Advance(time.Nanosecond)
	getNow(t, cache, "A", "a")
	secrets.WaitForRefreshes(cache)
	assert.Equal(t, 3, stub.count())

	// Expired at 57s: served stale, retried 4.75s later.
	clock.Advance(57*time.Second - 51750*time.Millisecond)
	getNow(t, cache, "A", "a")
	assert.Equal(t, 4, stub.count())
	entry, err := cache.Lookup(context.Background(), "A")
	require.NoError(t, err)
	assert.True(t, entry.Stale)
	assert.Equal(t, clock.Now().Add(4750*time.Millisecond), entry.ExpiresAt)
}

// TestIntegrationCacheRefreshAhead: refresh-ahead against the emulator, under each list shape and
// value behaviour: a rotation reaches the cache through a background refresh, after a refresh that
// failed with a 503 left the old value served.
func TestIntegrationCacheRefreshAhead(t *testing.T) {
	t.Parallel()
	for name, profile := range map[string]secretstest.Profile{
		"default":                    {},
		"bare lists, values by name": {BareLists: true, ValuesOnlyByName: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newITEnv(t, profile)
			admin := e.client(e.srv.APIKey(), secrets.WithRetryMax(0))
			s := e.create(admin, "DB_PASSWORD", "v1")
			cache, err := secrets.NewCache(admin, secrets.WithCacheClock(e.clock.Now), secrets.WithTTL(cacheTTL),
				secrets.WithTTLJitter(0), secrets.WithRefreshAhead(refreshWindow))
			require.NoError(t, err)
			t.Cleanup(cache.Close)
			start := e.srv.RequestCount()

			getNow(t, cache, "DB_PASSWORD", "v1")
			_, err = admin.Secrets.Update(e.ctx, s.ID, "v2")
			require.NoError(t, err)
			e.clock.Advance(cacheTTL - refreshWindow - time.Second)
			getNow(t, cache, "DB_PASSWORD", "v1")
			secrets.WaitForRefreshes(cache)

			e.srv.FailNext(1, http.StatusServiceUnavailable, 0)
			e.clock.Advance(time.Second) // in the window: the refresh fails
			getNow(t, cache, "DB_PASSWORD", "v1")
			secrets.WaitForRefreshes(cache)
			getNow(t, cache, "DB_PASSWORD", "v1")

			e.clock.Advance(5 * time.Second) // retried: the rotated value arrives
			getNow(t, cache, "DB_PASSWORD", "v1")
			secrets.WaitForRefreshes(cache)
			getNow(t, cache, "DB_PASSWORD", "v2")
			entry, err := cache.Lookup(e.ctx, "DB_PASSWORD")
			require.NoError(t, err)
			assert.Equal(t, e.clock.Now(), entry.FetchedAt)

			assert.Equal(t, []string{"GET /v1/secrets", "PATCH /v1/secrets/" + s.ID, "GET /v1/secrets", "GET /v1/secrets"},
				e.requestsSince(start))
		})
	}
}

// TestCacheRefreshAheadHitsDoNotAllocate: with refresh-ahead, a hit allocates nothing, whether no
// refresh is due or one is under way. (Not parallel: AllocsPerRun refuses to run beside other tests.)
func TestCacheRefreshAheadHitsDoNotAllocate(t *testing.T) {
	stub := newAPIStub(t)
	stub.set("A", "a")
	clock := newFakeClock(cacheStart)
	cache := newTestCache(t, stub, clock, secrets.WithRefreshAhead(refreshWindow))
	ctx := context.Background()
	getNow(t, cache, "A", "a")
	hit := func() {
		if v, err := cache.Get(ctx, "A"); err != nil || v != "a" {
			t.Fatalf("Get = %q, %v", v, err)
		}
	}
	assert.Zero(t, testing.AllocsPerRun(100, hit), "no refresh due")

	t.Cleanup(stub.hold())
	clock.Advance(cacheTTL - refreshWindow)
	hit() // starts the refresh, held at the server
	stub.waitArrival(t)
	assert.Zero(t, testing.AllocsPerRun(100, hit), "a refresh under way")
	assert.Equal(t, 2, stub.count())
}

// TestCacheTTLJitterKeepsAReadTogether: the names one GetMany reads share one jitter draw, so they
// expire, and are read again, together: a pair of related secrets (an access key ID and its secret
// key) is not refreshed minutes apart. Names read on their own draw their own jitter.
func TestCacheTTLJitterKeepsAReadTogether(t *testing.T) {
	t.Parallel()
	stub := newAPIStub(t)
	for _, name := range []string{"KEY_ID", "KEY_SECRET", "OTHER"} {
		stub.set(name, "v-"+name)
	}
	clock := newFakeClock(cacheStart)
	draws := []float64{0.2, 0.9, 0.6, 0.4}
	var next int
	random := func() float64 { d := draws[next%len(draws)]; next++; return d } // called with the cache's lock held
	cache, err := secrets.NewCache(stub.client(t), secrets.WithCacheClock(clock.Now), secrets.WithTTL(cacheTTL),
		secrets.WithTTLJitter(0.5), secrets.WithCacheRandom(random))
	require.NoError(t, err)
	ctx := context.Background()

	_, err = cache.GetMany(ctx, "KEY_ID", "KEY_SECRET")
	require.NoError(t, err)
	id, err := cache.Lookup(ctx, "KEY_ID")
	require.NoError(t, err)
	key, err := cache.Lookup(ctx, "KEY_SECRET")
	require.NoError(t, err)
	assert.Equal(t, clock.Now().Add(cacheTTL*9/10), id.ExpiresAt, "one draw (0.2) of up to half the TTL")
	assert.Equal(t, id.ExpiresAt, key.ExpiresAt, "read together, they expire together")

	other, err := cache.Lookup(ctx, "OTHER")
	require.NoError(t, err)
	assert.Equal(t, clock.Now().Add(cacheTTL*55/100), other.ExpiresAt, "a read of its own draws again (0.9)")
}

// TestCacheGetManyReadTogetherExpiresTogether: on a clock that moves between any two readings (a
// real one does), the names one GetMany reads still expire at the same instant, and a later GetMany
// finds them both fresh or both expired, never one of each: the pair is read again in one request.
func TestCacheGetManyReadTogetherExpiresTogether(t *testing.T) {
	t.Parallel()
	stub := newAPIStub(t)
	stub.set("KEY_ID", "id-1")
	stub.set("KEY_SECRET", "secret-1")
	clock := newFakeClock(cacheStart)
	ticking := func() time.Time { return clock.Advance(time.Microsecond) }
	cache, err := secrets.NewCache(stub.client(t), secrets.WithCacheClock(ticking), secrets.WithTTL(cacheTTL))
	require.NoError(t, err)
	ctx := context.Background()

	_, err = cache.GetMany(ctx, "KEY_ID", "KEY_SECRET")
	require.NoError(t, err)
	id, err := cache.Lookup(ctx, "KEY_ID")
	require.NoError(t, err)
	key, err := cache.Lookup(ctx, "KEY_SECRET")
	require.NoError(t, err)
	require.Equal(t, id.ExpiresAt, key.ExpiresAt, "settled at one instant")

	// Rotate both, then read again just as they expire: the clock ticks between the two names'
	// checks, which must not see one fresh and the other expired.
	stub.set("KEY_ID", "id-2")
	stub.set("KEY_SECRET", "secret-2")
	clock.Advance(id.ExpiresAt.Sub(clock.Now()) - 2*time.Microsecond) // the next reading is 1 µs before the expiry
	before := stub.count()
	got, err := cache.GetMany(ctx, "KEY_ID", "KEY_SECRET")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"KEY_ID": "id-1", "KEY_SECRET": "secret-1"}, got, "both still fresh: never half rotated")
	assert.Equal(t, 0, stub.count()-before)
	got, err = cache.GetMany(ctx, "KEY_ID", "KEY_SECRET")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"KEY_ID": "id-2", "KEY_SECRET": "secret-2"}, got, "both expired: never half rotated")
	assert.Equal(t, 1, stub.count()-before, "the pair is read again with one request")
}
