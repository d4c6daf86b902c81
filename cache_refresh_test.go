package secrets_test

import (
	"context"
	"net/http"
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
		t.Fatalf("Get(%s) waited for the source", name)
	}
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func TestCacheRefreshAheadServesFromMemoryAndReplacesTheValue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := newFakeSource("DB_PASSWORD", "first")
	cache, clock := newTestCache(t, src, secrets.WithRefreshAhead(refreshWindow))

	getNow(t, cache, "DB_PASSWORD", "first")
	clock.Advance(cacheTTL - refreshWindow - time.Nanosecond)
	getNow(t, cache, "DB_PASSWORD", "first")
	secrets.WaitForRefreshes(cache)
	assert.Equal(t, 1, src.count(), "no refresh before the window")

	// In the window, with every read held: Gets return the value they hold, and
	// only one refresh is sent, however many Gets see the value due.
	release := src.hold()
	t.Cleanup(release)
	src.set("DB_PASSWORD", "second")
	clock.Advance(time.Nanosecond)
	getNow(t, cache, "DB_PASSWORD", "first")
	src.waitArrival(t)
	for range 50 {
		getNow(t, cache, "DB_PASSWORD", "first")
	}
	clock.Advance(refreshWindow - time.Nanosecond) // the last instant the old value is fresh
	getNow(t, cache, "DB_PASSWORD", "first")
	assert.Equal(t, 2, src.count())

	release()
	secrets.WaitForRefreshes(cache)
	getNow(t, cache, "DB_PASSWORD", "second")
	entry, err := cache.Lookup(ctx, "DB_PASSWORD")
	require.NoError(t, err)
	assert.Equal(t, clock.Now(), entry.FetchedAt, "the refreshed value's TTL runs from its fetch")
	assert.Equal(t, clock.Now().Add(cacheTTL), entry.ExpiresAt)
	assert.Equal(t, 2, src.count())

	// The next window is relative to the new value.
	clock.Advance(cacheTTL - refreshWindow - time.Nanosecond)
	getNow(t, cache, "DB_PASSWORD", "second")
	secrets.WaitForRefreshes(cache)
	assert.Equal(t, 2, src.count())
	clock.Advance(time.Nanosecond)
	getNow(t, cache, "DB_PASSWORD", "second")
	secrets.WaitForRefreshes(cache)
	assert.Equal(t, 3, src.count())
}

func TestCacheRefreshAheadIsSharedWithAMiss(t *testing.T) {
	t.Parallel()
	src := newFakeSource("DB_PASSWORD", "first")
	cache, clock := newTestCache(t, src, secrets.WithRefreshAhead(refreshWindow))
	getNow(t, cache, "DB_PASSWORD", "first")

	release := src.hold()
	t.Cleanup(release)
	clock.Advance(cacheTTL - refreshWindow)
	getNow(t, cache, "DB_PASSWORD", "first") // starts the refresh, held
	src.waitArrival(t)
	src.set("DB_PASSWORD", "second") // the held request has read "first" already
	clock.Advance(refreshWindow)     // the value expires while its refresh is under way

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
	assert.Equal(t, 2, src.count(), "the misses made no request of their own")
}

func TestCacheRefreshAheadFailureNeverSurfacesWhileFresh(t *testing.T) {
	t.Parallel()
	for _, f := range cacheFailures {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			src := newFakeSource("DB_PASSWORD", "fresh-value-123")
			logger, logs := newBufferLogger()
			cache, clock := newTestCache(t, src, secrets.WithRefreshAhead(refreshWindow), secrets.WithCacheLogger(logger))
			getNow(t, cache, "DB_PASSWORD", "fresh-value-123")
			f.apply(src)

			// Fetched at 0, fresh until 60s; refreshes due from 50s, then 5s after each failure.
			for _, step := range []struct {
				at        time.Duration
				wantCount int
			}{
				{at: 50 * time.Second, wantCount: 2},
				{at: 54 * time.Second, wantCount: 2},
				{at: 55 * time.Second, wantCount: 3},
				{at: 60*time.Second - time.Nanosecond, wantCount: 3}, // the next try would be at 60s: expiry
			} {
				clock.Advance(cacheStart.Add(step.at).Sub(clock.Now()))
				getNow(t, cache, "DB_PASSWORD", "fresh-value-123")
				secrets.WaitForRefreshes(cache)
				assert.Equal(t, step.wantCount, src.count(), "requests at %s", step.at)
			}
			assert.Contains(t, logs.String(), "level=WARN")
			assert.Contains(t, logs.String(), "refresh-ahead failed")
			assert.Contains(t, logs.String(), "name=DB_PASSWORD")
			assert.NotContains(t, logs.String(), "fresh-value-123")

			// Expired: the next Get is a miss, and gets the failure as it would without refresh-ahead.
			clock.Advance(time.Nanosecond)
			got, err := cache.Get(context.Background(), "DB_PASSWORD")
			assert.Empty(t, got)
			f.check(t, err)
		})
	}
}

func TestCacheRefreshAheadThenStaleIfError(t *testing.T) {
	t.Parallel()
	src := newFakeSource("DB_PASSWORD", "the-value")
	cache, clock := newTestCache(t, src, secrets.WithRefreshAhead(refreshWindow), secrets.WithStaleIfError(time.Hour))
	getNow(t, cache, "DB_PASSWORD", "the-value")
	src.fail(apiFailure(http.StatusTooManyRequests))

	for at := time.Second; at <= 3*cacheTTL; at += time.Second {
		clock.Advance(time.Second)
		getNow(t, cache, "DB_PASSWORD", "the-value")
		secrets.WaitForRefreshes(cache)
	}
	entry, err := cache.Lookup(context.Background(), "DB_PASSWORD")
	require.NoError(t, err)
	assert.True(t, entry.Stale)
	// 2 refreshes ahead (50s, 55s), then one try every 5s while stale (60s…180s).
	assert.Equal(t, 1+2+25, src.count())

	src.fail(nil)
	src.set("DB_PASSWORD", "rotated")
	clock.Advance(5 * time.Second)
	getNow(t, cache, "DB_PASSWORD", "rotated")
	entry, err = cache.Lookup(context.Background(), "DB_PASSWORD")
	require.NoError(t, err)
	assert.False(t, entry.Stale)
}

func TestCacheRefreshAheadIsDrivenByReads(t *testing.T) {
	t.Parallel()
	src := newFakeSource("HOT", "h", "COLD", "c")
	cache, clock := newTestCache(t, src, secrets.WithRefreshAhead(refreshWindow))
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
	for _, name := range src.called() {
		requests[name]++
	}
	assert.Equal(t, 2, requests["COLD"], "the cold name: its first read and one refresh, then nothing")
	// Refreshed at 51s, then every 50s (TTL less the window) until 650s; never on a caller's path.
	assert.Equal(t, 1+12, requests["HOT"], "the hot name: one request per TTL less the window")
}

func TestCacheRefreshAheadRespectsEviction(t *testing.T) {
	t.Parallel()
	src := newFakeSource("A", "a", "B", "b")
	cache, clock := newTestCache(t, src, secrets.WithRefreshAhead(refreshWindow), secrets.WithMaxEntries(1))
	getNow(t, cache, "A", "a")

	release := src.holdName("A")
	t.Cleanup(release)
	clock.Advance(cacheTTL - refreshWindow)
	getNow(t, cache, "A", "a") // A's refresh is held
	src.waitArrival(t)
	getNow(t, cache, "B", "b") // evicts A
	assert.Equal(t, 3, src.count())
	release()
	secrets.WaitForRefreshes(cache)
	assert.Equal(t, 1, cache.Len())
	getNow(t, cache, "B", "b")
	assert.Equal(t, 3, src.count(), "A's refresh did not bring A back in B's place")
	getNow(t, cache, "A", "a")
	assert.Equal(t, 4, src.count())
}

func TestCacheCloseEndsRefreshes(t *testing.T) {
	t.Parallel()
	src := newFakeSource("A", "a", "B", "b")
	logger, logs := newBufferLogger()
	cache, clock := newTestCache(t, src, secrets.WithRefreshAhead(refreshWindow), secrets.WithCacheLogger(logger))
	getNow(t, cache, "A", "a")
	getNow(t, cache, "B", "b")

	t.Cleanup(src.hold()) // the read never returns: only Close can end the refresh
	clock.Advance(cacheTTL - refreshWindow)
	getNow(t, cache, "A", "a")
	src.waitArrival(t)
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		cache.Close()
	}()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for the source")
	}
	cache.Close() // again: nothing to do

	getNow(t, cache, "A", "a")
	getNow(t, cache, "B", "b")
	assert.Equal(t, 3, src.count(), "no refresh starts after Close")
	assert.Empty(t, logs.String(), "a refresh cancelled by Close is not a failure to report")
}

// TestCacheTTLJitter: the jitter shortens TTLs, negative TTLs, the refresh-ahead window's start and
// the wait before retrying a failed refresh (the rows with wantRefresh, where the refreshes fail).
func TestCacheTTLJitter(t *testing.T) {
	t.Parallel()
	refreshOpts := func(window time.Duration) []secrets.CacheOption {
		return []secrets.CacheOption{secrets.WithRefreshAhead(window), secrets.WithStaleIfError(time.Hour)}
	}
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
		{name: "refresh window from the jittered expiry", opts: refreshOpts(refreshWindow),
			random: 0.5, wantTTL: 57 * time.Second, wantNegTTL: 9500 * time.Millisecond, wantRefresh: 47 * time.Second},
		{name: "refresh no earlier than half the lifetime", opts: refreshOpts(50 * time.Second),
			random: 0.5, wantTTL: 57 * time.Second, wantNegTTL: 9500 * time.Millisecond, wantRefresh: 28500 * time.Millisecond},
	}
	const wantRetry = 4750 * time.Millisecond // the 5s between tries of a failed refresh, 5% shorter
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := newFakeSource("A", "a")
			clock := newFakeClock(cacheStart)
			cache := newCacheOn(t, src, nil, append([]secrets.CacheOption{secrets.WithCacheClock(clock.Now), secrets.WithTTL(cacheTTL),
				secrets.WithNegativeTTL(cacheNegTTL), secrets.WithCacheRandom(func() float64 { return tt.random })}, tt.opts...)...)
			start := clock.Now()

			entry, err := cache.Lookup(context.Background(), "A")
			require.NoError(t, err)
			assert.Equal(t, start.Add(tt.wantTTL), entry.ExpiresAt)
			_, err = cache.Get(context.Background(), "MISSING")
			require.ErrorIs(t, err, secrets.ErrNotFound)
			require.Equal(t, 2, src.count())
			// getAt reads A at at (after the fetch), and asserts the reads made by then.
			getAt := func(at time.Duration, wantCount int, msg string) {
				t.Helper()
				clock.Advance(start.Add(at).Sub(clock.Now()))
				getNow(t, cache, "A", "a")
				secrets.WaitForRefreshes(cache)
				assert.Equal(t, wantCount, src.count(), "%s at %s", msg, at)
			}

			if tt.wantRefresh > 0 {
				src.fail(apiFailure(http.StatusTooManyRequests))
				getAt(tt.wantRefresh-time.Nanosecond, 2, "no refresh")
				getAt(tt.wantRefresh, 3, "a refresh")
				getAt(tt.wantRefresh+wantRetry-time.Nanosecond, 3, "no retry")
				getAt(tt.wantRefresh+wantRetry, 4, "a retry")
				getAt(tt.wantTTL, 5, "expired: a read, failed, served stale")
				entry, err := cache.Lookup(context.Background(), "A")
				require.NoError(t, err)
				assert.True(t, entry.Stale)
				assert.Equal(t, clock.Now().Add(wantRetry), entry.ExpiresAt, "tried again after the jittered wait")
				return
			}
			clock.Advance(tt.wantNegTTL - time.Nanosecond)
			_, err = cache.Get(context.Background(), "MISSING")
			require.ErrorIs(t, err, secrets.ErrNotFound)
			assert.Equal(t, 2, src.count(), "not found is remembered until %s", tt.wantNegTTL)
			clock.Advance(time.Nanosecond)
			_, err = cache.Get(context.Background(), "MISSING")
			require.ErrorIs(t, err, secrets.ErrNotFound)
			assert.Equal(t, 3, src.count(), "not found is asked again at %s", tt.wantNegTTL)
			getAt(tt.wantTTL-time.Nanosecond, 3, "the value is fresh")
			getAt(tt.wantTTL, 4, "the value expires")
		})
	}
}

func TestCacheTTLJitterSpreadsExpiries(t *testing.T) {
	t.Parallel()
	src := newFakeSource("A", "a")
	client, _ := setup(t)
	clock := newFakeClock(cacheStart)
	// The real random source: 200 caches that fetched together expire at different instants, each
	// within the last 10% of the TTL.
	seen := map[time.Time]bool{}
	for range 200 {
		cache, err := secrets.NewCacheOn(src, client, secrets.WithCacheClock(clock.Now), secrets.WithTTL(cacheTTL))
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
	src := newFakeSource("A", "a")
	cache, clock := newTestCache(t, src, secrets.WithRefreshAhead(refreshWindow))
	ctx := context.Background()
	getNow(t, cache, "A", "a")
	hit := func() {
		if v, err := cache.Get(ctx, "A"); err != nil || v != "a" {
			t.Fatalf("Get = %q, %v", v, err)
		}
	}
	assert.Zero(t, testing.AllocsPerRun(100, hit), "no refresh due")

	t.Cleanup(src.hold())
	clock.Advance(cacheTTL - refreshWindow)
	hit() // starts the refresh, held
	src.waitArrival(t)
	assert.Zero(t, testing.AllocsPerRun(100, hit), "a refresh under way")
	assert.Equal(t, 2, src.count())
}

// TestCacheTTLJitterKeepsAReadTogether: the names one GetMany reads share one jitter draw, so they
// expire, and are read again, together: a pair of related secrets (an access key ID and its secret
// key) is not refreshed minutes apart. Names read on their own draw their own jitter.
func TestCacheTTLJitterKeepsAReadTogether(t *testing.T) {
	t.Parallel()
	src := newFakeSource("KEY_ID", "id", "KEY_SECRET", "secret", "OTHER", "other")
	clock := newFakeClock(cacheStart)
	draws := []float64{0.2, 0.9, 0.6, 0.4}
	var next int
	random := func() float64 { d := draws[next%len(draws)]; next++; return d } // called with the cache's lock held
	cache := newCacheOn(t, src, nil, secrets.WithCacheClock(clock.Now), secrets.WithTTL(cacheTTL),
		secrets.WithTTLJitter(0.5), secrets.WithCacheRandom(random))
	id, key := readPair(t, cache)
	assert.Equal(t, clock.Now().Add(cacheTTL*9/10), id.ExpiresAt, "one draw (0.2) of up to half the TTL")
	assert.Equal(t, id.ExpiresAt, key.ExpiresAt, "read together, they expire together")

	other, err := cache.Lookup(t.Context(), "OTHER")
	require.NoError(t, err)
	assert.Equal(t, clock.Now().Add(cacheTTL*55/100), other.ExpiresAt, "a read of its own draws again (0.9)")
}

// TestCacheGetManyReadTogetherExpiresTogether: on a clock that moves between any two readings (a
// real one does), the names one GetMany reads still expire at the same instant, and a later GetMany
// finds them both fresh or both expired, never one of each: the pair is read again in one request.
func TestCacheGetManyReadTogetherExpiresTogether(t *testing.T) {
	t.Parallel()
	src := newFakeSource("KEY_ID", "id-1", "KEY_SECRET", "secret-1")
	clock := newFakeClock(cacheStart)
	ticking := func() time.Time { return clock.Advance(time.Microsecond) }
	cache := newCacheOn(t, src, nil, secrets.WithCacheClock(ticking), secrets.WithTTL(cacheTTL))
	ctx := context.Background()
	id, key := readPair(t, cache)
	require.Equal(t, id.ExpiresAt, key.ExpiresAt, "settled at one instant")

	// Rotate both, then read again just as they expire: the clock ticks between the two names'
	// checks, which must not see one fresh and the other expired.
	src.set("KEY_ID", "id-2")
	src.set("KEY_SECRET", "secret-2")
	clock.Advance(id.ExpiresAt.Sub(clock.Now()) - 2*time.Microsecond) // the next reading is 1 µs before the expiry
	before := src.count()
	got, err := cache.GetMany(ctx, "KEY_ID", "KEY_SECRET")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"KEY_ID": "id-1", "KEY_SECRET": "secret-1"}, got, "both still fresh: never half rotated")
	assert.Equal(t, 0, src.count()-before)
	got, err = cache.GetMany(ctx, "KEY_ID", "KEY_SECRET")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"KEY_ID": "id-2", "KEY_SECRET": "secret-2"}, got, "both expired: never half rotated")
	assert.Equal(t, 1, src.count()-before, "the pair is read again with one request")
}

// readPair reads KEY_ID and KEY_SECRET with one GetMany, and returns their entries.
func readPair(t *testing.T, cache *secrets.Cache) (id, key secrets.CacheEntry) {
	t.Helper()
	_, err := cache.GetMany(t.Context(), "KEY_ID", "KEY_SECRET")
	require.NoError(t, err)
	id, err = cache.Lookup(t.Context(), "KEY_ID")
	require.NoError(t, err)
	key, err = cache.Lookup(t.Context(), "KEY_SECRET")
	require.NoError(t, err)
	return id, key
}
