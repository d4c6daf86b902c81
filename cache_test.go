package secrets_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

const (
	cacheTTL    = time.Minute
	cacheNegTTL = 10 * time.Second
)

// newTestCache returns a Cache reading through src, on a fake clock it returns, with a one-minute
// TTL, a ten-second negative TTL and no TTL jitter (so that expiries fall at known instants) unless
// opts say otherwise. The Cache is closed when the test ends.
func newTestCache(t *testing.T, src *fakeSource, opts ...secrets.CacheOption) (*secrets.Cache, *fakeClock) {
	t.Helper()
	clock := newFakeClock(cacheStart)
	all := append([]secrets.CacheOption{
		secrets.WithCacheClock(clock.Now),
		secrets.WithTTL(cacheTTL),
		secrets.WithNegativeTTL(cacheNegTTL),
		secrets.WithTTLJitter(0),
	}, opts...)
	return newCacheOn(t, src, nil, all...), clock
}

// newCacheOn returns a Cache reading through src with opts alone, built on client (nil: one of
// setup, which no request reaches), whose logger it uses. It is closed when the test ends.
func newCacheOn(t *testing.T, src *fakeSource, client *secrets.Client, opts ...secrets.CacheOption) *secrets.Cache {
	t.Helper()
	if client == nil {
		client, _ = setup(t)
	}
	c, err := secrets.NewCacheOn(src, client, opts...)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

func TestNewCacheValidatesOptions(t *testing.T) {
	t.Parallel()
	client, api := setup(t)

	tests := []struct {
		name   string
		client *secrets.Client
		opts   []secrets.CacheOption
		valid  bool
		cites  string // of an invalid row: what its error names
	}{
		{name: "defaults", client: client, valid: true},
		{name: "nil option is skipped", client: client, opts: []secrets.CacheOption{nil}, valid: true},
		{name: "negative TTL of zero turns it off", client: client, opts: []secrets.CacheOption{secrets.WithNegativeTTL(0)}, valid: true},
		{name: "nil logger turns logging off", client: client, opts: []secrets.CacheOption{secrets.WithCacheLogger(nil)}, valid: true},
		{name: "all set", client: client, opts: []secrets.CacheOption{secrets.WithTTL(time.Second), secrets.WithNegativeTTL(time.Second),
			secrets.WithStaleIfError(time.Hour), secrets.WithMaxEntries(1), secrets.WithFetchTimeout(time.Second)}, valid: true},
		{name: "nil client", cites: "NewCache"},
		{name: "zero TTL", client: client, opts: []secrets.CacheOption{secrets.WithTTL(0)}, cites: "WithTTL"},
		{name: "negative TTL", client: client, opts: []secrets.CacheOption{secrets.WithTTL(-time.Second)}, cites: "WithTTL"},
		{name: "negative negative TTL", client: client, opts: []secrets.CacheOption{secrets.WithNegativeTTL(-time.Second)}, cites: "WithNegativeTTL"},
		{name: "negative stale bound", client: client, opts: []secrets.CacheOption{secrets.WithStaleIfError(-time.Second)}, cites: "WithStaleIfError"},
		{name: "zero max entries", client: client, opts: []secrets.CacheOption{secrets.WithMaxEntries(0)}, cites: "WithMaxEntries"},
		{name: "huge max entries", client: client, opts: []secrets.CacheOption{secrets.WithMaxEntries(1 << 30)}, cites: "WithMaxEntries"},
		{name: "max entries at its bound", client: client, opts: []secrets.CacheOption{secrets.WithMaxEntries(1 << 24)}, valid: true},
		{name: "max entries just past its bound", client: client, opts: []secrets.CacheOption{secrets.WithMaxEntries(1<<24 + 1)}, cites: "WithMaxEntries"},
		{name: "zero fetch timeout", client: client, opts: []secrets.CacheOption{secrets.WithFetchTimeout(0)}, cites: "WithFetchTimeout"},
		{name: "nil clock", client: client, opts: []secrets.CacheOption{secrets.WithCacheClock(nil)}, cites: "withCacheClock"},
		{name: "jitter off", client: client, opts: []secrets.CacheOption{secrets.WithTTLJitter(0)}, valid: true},
		{name: "jitter at its bound", client: client, opts: []secrets.CacheOption{secrets.WithTTLJitter(0.5)}, valid: true},
		{name: "negative jitter", client: client, opts: []secrets.CacheOption{secrets.WithTTLJitter(-0.01)}, cites: "WithTTLJitter"},
		{name: "jitter over the bound", client: client, opts: []secrets.CacheOption{secrets.WithTTLJitter(0.51)}, cites: "WithTTLJitter"},
		{name: "jitter NaN", client: client, opts: []secrets.CacheOption{secrets.WithTTLJitter(math.NaN())}, cites: "WithTTLJitter"},
		{name: "jitter infinite", client: client, opts: []secrets.CacheOption{secrets.WithTTLJitter(math.Inf(1))}, cites: "WithTTLJitter"},
		{name: "nil random source", client: client, opts: []secrets.CacheOption{secrets.WithCacheRandom(nil)}, cites: "withCacheRandom"},
		{name: "refresh-ahead off", client: client, opts: []secrets.CacheOption{secrets.WithRefreshAhead(0)}, valid: true},
		{name: "refresh-ahead just under the default TTL", client: client, opts: []secrets.CacheOption{secrets.WithRefreshAhead(5*time.Minute - 1)}, valid: true},
		{name: "refresh-ahead, then a longer TTL", client: client, opts: []secrets.CacheOption{secrets.WithRefreshAhead(time.Hour), secrets.WithTTL(2 * time.Hour)}, valid: true},
		{name: "negative refresh-ahead", client: client, opts: []secrets.CacheOption{secrets.WithRefreshAhead(-time.Second)}, cites: "WithRefreshAhead"},
		{name: "refresh-ahead as long as the default TTL", client: client, opts: []secrets.CacheOption{secrets.WithRefreshAhead(5 * time.Minute)}, cites: "WithRefreshAhead"},
		{name: "refresh-ahead, then a shorter TTL", client: client, opts: []secrets.CacheOption{secrets.WithRefreshAhead(time.Minute), secrets.WithTTL(time.Second)}, cites: "not shorter than the TTL"},
	}
	t.Run("options", func(t *testing.T) { // a group: the check below waits for its parallel rows
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				c, err := secrets.NewCache(tt.client, tt.opts...)
				if tt.valid {
					require.NoError(t, err)
					assert.NotNil(t, c)
					assert.Zero(t, c.Len())
					return
				}
				assert.ErrorIs(t, err, secrets.ErrInvalidArgument)
				assert.Contains(t, err.Error(), tt.cites)
				assert.Nil(t, c)
			})
		}
	})
	assert.Zero(t, api.GetTotalCallCount(), "building a cache makes no request")
}

func TestCacheServesValueForTTLThenRefreshes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := newFakeSource("DB_PASSWORD", "first")
	cache, clock := newTestCache(t, src)

	steps := []struct {
		advance   time.Duration
		setValue  string // non-empty: the service's value changes first
		want      string
		wantCount int
	}{
		{want: "first", wantCount: 1},
		{advance: cacheTTL - time.Second, want: "first", wantCount: 1},
		{setValue: "second", want: "first", wantCount: 1}, // rotated, but the TTL still runs
		{advance: time.Second, want: "second", wantCount: 2},
		{advance: cacheTTL / 2, want: "second", wantCount: 2},
	}
	for i, step := range steps {
		clock.Advance(step.advance)
		if step.setValue != "" {
			src.set("DB_PASSWORD", step.setValue)
		}
		got, err := cache.Get(ctx, "DB_PASSWORD")
		require.NoError(t, err, "step %d", i)
		assert.Equal(t, step.want, got, "step %d", i)
		assert.Equal(t, step.wantCount, src.count(), "requests after step %d", i)
	}

	assert.Equal(t, []string{"DB_PASSWORD", "DB_PASSWORD"}, src.called(), "reads by name (on the wire: TestSecretsGetMany, Cache rows)")

	entry, err := cache.Lookup(ctx, "DB_PASSWORD")
	require.NoError(t, err)
	fetchedAt := clock.Now().Add(-cacheTTL / 2)
	assert.Equal(t, secrets.CacheEntry{Name: "DB_PASSWORD", Value: "second", FetchedAt: fetchedAt, ExpiresAt: fetchedAt.Add(cacheTTL)}, entry)
	assert.Equal(t, 2, src.count(), "Lookup of a fresh value makes no request")
	assert.Equal(t, 1, cache.Len())
}

// cacheFailure is what can go wrong with the reads of a name the cache holds (DB_PASSWORD): a
// transient failure, which WithStaleIfError rides out, or an authoritative answer, which drops the
// value. A new failure joins TestCacheStaleIfError and
// TestCacheRefreshAheadFailureNeverSurfacesWhileFresh by adding a row.
type cacheFailure struct {
	name      string
	fail      error             // every read fails with it; nil: change says what changed
	change    func(*fakeSource) // the secret changed
	transient bool
	wantErr   error // a sentinel the Get's error wraps, besides fail itself
}

var cacheFailures = []cacheFailure{
	{name: "503", fail: apiFailure(http.StatusServiceUnavailable), transient: true},
	{name: "500", fail: apiFailure(http.StatusInternalServerError), transient: true},
	{name: "429", fail: apiFailure(http.StatusTooManyRequests), transient: true, wantErr: secrets.ErrRateLimited},
	{name: "connection dropped", fail: connectionDropped, transient: true},
	{name: "deleted", change: func(s *fakeSource) { s.remove("DB_PASSWORD") }, wantErr: secrets.ErrNotFound},
	{name: "404", fail: apiFailure(http.StatusNotFound), wantErr: secrets.ErrNotFound},
	{name: "withheld", change: func(s *fakeSource) { s.withhold("DB_PASSWORD") }, wantErr: secrets.ErrValueWithheld},
	{name: "403", fail: apiFailure(http.StatusForbidden), wantErr: secrets.ErrForbidden},
	{name: "401", fail: apiFailure(http.StatusUnauthorized), wantErr: secrets.ErrUnauthorized},
}

func (f cacheFailure) apply(s *fakeSource) {
	if f.fail != nil {
		s.fail(f.fail)
	} else {
		f.change(s)
	}
}

// check asserts that err is this failure: the read's own error, and its sentinel.
func (f cacheFailure) check(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	if f.fail != nil {
		assert.ErrorIs(t, err, f.fail)
	}
	if f.wantErr != nil {
		assert.ErrorIs(t, err, f.wantErr)
	}
}

func TestCacheStaleIfError(t *testing.T) {
	t.Parallel()
	for _, f := range cacheFailures {
		for _, staleFor := range []time.Duration{0, 10 * time.Minute} { // 0: off, the default
			t.Run(f.name+"/staleIfError="+staleFor.String(), func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				src := newFakeSource("DB_PASSWORD", "stale-value-123")
				clock := newFakeClock(cacheStart)
				logger, logs := newBufferLogger()
				client, _ := setup(t, secrets.WithLogger(logger)) // a Cache logs to its Client's logger by default
				cache := newCacheOn(t, src, client, secrets.WithCacheClock(clock.Now), secrets.WithTTL(cacheTTL),
					secrets.WithTTLJitter(0), secrets.WithStaleIfError(staleFor))

				_, err := cache.Get(ctx, "DB_PASSWORD")
				require.NoError(t, err)
				f.apply(src)
				clock.Advance(cacheTTL)

				got, err := cache.Get(ctx, "DB_PASSWORD")
				assert.Equal(t, 2, src.count())
				if f.transient && staleFor > 0 {
					require.NoError(t, err)
					assert.Equal(t, "stale-value-123", got)
					entry, err := cache.Lookup(ctx, "DB_PASSWORD")
					require.NoError(t, err)
					assert.True(t, entry.Stale)
					assert.Equal(t, clock.Now().Add(-cacheTTL), entry.FetchedAt)
					assert.Equal(t, clock.Now().Add(5*time.Second), entry.ExpiresAt, "the next refresh is tried 5s later")
					assert.Contains(t, logs.String(), `level=WARN msg="secrets: cache serving a stale value`)
					assert.Contains(t, logs.String(), "name=DB_PASSWORD")
					assert.Contains(t, logs.String(), "error=")
					assert.NotContains(t, logs.String(), "stale-value-123")
					return
				}
				f.check(t, err)
				assert.Empty(t, got)
				assert.NotContains(t, err.Error(), "stale-value-123")
				assert.Empty(t, logs.String(), "nothing stale was served")
				// The value is gone for good: the next Get asks again (or is answered by the
				// remembered failure), and never serves the old value.
				got, err = cache.Get(ctx, "DB_PASSWORD")
				f.check(t, err)
				assert.Empty(t, got)
				src.fail(apiFailure(http.StatusServiceUnavailable)) // nor after a transient failure
				got, err = cache.Get(ctx, "DB_PASSWORD")
				assert.Error(t, err)
				assert.Empty(t, got)
			})
		}
	}
}

func TestCacheStaleIfErrorIsBounded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := newFakeSource("API_KEY", "the-value")
	cache, clock := newTestCache(t, src, secrets.WithStaleIfError(2*time.Minute))

	_, err := cache.Get(ctx, "API_KEY")
	require.NoError(t, err)
	src.fail(apiFailure(http.StatusServiceUnavailable))

	// Fetched at 0: fresh until 1m, servable stale until 3m, with a refresh tried every 5s.
	steps := []struct {
		at        time.Duration
		wantErr   bool
		wantCount int
	}{
		{at: cacheTTL, wantCount: 2},                                        // refresh fails: stale
		{at: cacheTTL + 4*time.Second, wantCount: 2},                        // within the retry interval: no request
		{at: cacheTTL + 5*time.Second, wantCount: 3},                        // tried again, still stale
		{at: 3*time.Minute - time.Second, wantCount: 4},                     // last stale second
		{at: 3*time.Minute - time.Second/2, wantCount: 4},                   // retry capped at the bound
		{at: 3 * time.Minute, wantErr: true, wantCount: 5},                  // past the bound: the error
		{at: 3*time.Minute + time.Millisecond, wantErr: true, wantCount: 6}, // errors are not cached
	}
	start := clock.Now()
	for _, step := range steps {
		clock.Advance(start.Add(step.at).Sub(clock.Now()))
		got, err := cache.Get(ctx, "API_KEY")
		if step.wantErr {
			requireAPIError(t, err, http.StatusServiceUnavailable)
			assert.Empty(t, got)
		} else {
			require.NoError(t, err, "at %s", step.at)
			assert.Equal(t, "the-value", got, "at %s", step.at)
		}
		assert.Equal(t, step.wantCount, src.count(), "requests at %s", step.at)
	}

	src.fail(nil)
	got, err := cache.Get(ctx, "API_KEY")
	require.NoError(t, err)
	assert.Equal(t, "the-value", got)
	entry, err := cache.Lookup(ctx, "API_KEY")
	require.NoError(t, err)
	assert.False(t, entry.Stale, "a successful refresh ends staleness")
}

// TestCacheRemembersNotFoundAndWithheld: "not found" and "value withheld" are remembered for the
// negative TTL (unless it is 0); no other error is remembered.
func TestCacheRemembersNotFoundAndWithheld(t *testing.T) {
	t.Parallel()
	withhold := func(s *fakeSource) { s.withhold("TYPO_NAME") }
	tests := []struct {
		name       string
		setup      func(*fakeSource)
		fail       error // every read fails with it
		negTTL     time.Duration
		wantErr    error
		remembered bool
	}{
		{name: "not found", negTTL: cacheNegTTL, wantErr: secrets.ErrNotFound, remembered: true},
		{name: "withheld", setup: withhold, negTTL: cacheNegTTL, wantErr: secrets.ErrValueWithheld, remembered: true},
		{name: "not found, negative caching off", wantErr: secrets.ErrNotFound},
		{name: "withheld, negative caching off", setup: withhold, wantErr: secrets.ErrValueWithheld},
		{name: "ambiguous", setup: func(s *fakeSource) { s.set("TYPO_NAME", "a"); s.duplicate("TYPO_NAME") }, negTTL: cacheNegTTL, wantErr: secrets.ErrAmbiguous},
		{name: "forbidden", fail: apiFailure(http.StatusForbidden), negTTL: cacheNegTTL, wantErr: secrets.ErrForbidden},
		{name: "rate limited", fail: apiFailure(http.StatusTooManyRequests), negTTL: cacheNegTTL, wantErr: secrets.ErrRateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			src := newFakeSource()
			if tt.setup != nil {
				tt.setup(src)
			}
			src.fail(tt.fail)
			cache, clock := newTestCache(t, src, secrets.WithNegativeTTL(tt.negTTL))

			// Unless the failure is remembered, every read asks; else only the first within the TTL.
			perRead := 1
			if tt.remembered {
				perRead = 0
			}
			want := 1
			for i := range 3 {
				got, err := cache.Get(ctx, "TYPO_NAME")
				assert.ErrorIs(t, err, tt.wantErr)
				if tt.fail == nil {
					assert.Contains(t, err.Error(), `"TYPO_NAME"`, "the error names the secret")
				}
				assert.Empty(t, got)
				assert.Equal(t, want, src.count(), "requests after Get %d", i+1)
				want += perRead
				_, err = cache.Lookup(ctx, "TYPO_NAME")
				assert.ErrorIs(t, err, tt.wantErr)
				assert.Equal(t, want, src.count(), "requests after Lookup %d", i+1)
				want += perRead
				clock.Advance(time.Second)
			}
			if !tt.remembered {
				assert.Zero(t, cache.Len(), "nothing remembered")
				assert.NotContains(t, fmt.Sprint(cache), `"a"`)
				return
			}
			assert.Equal(t, 1, cache.Len())

			// Once the negative TTL has run, the cache asks again, and sees the secret now readable.
			src.set("TYPO_NAME", "now-there")
			clock.Advance(tt.negTTL - 3*time.Second - time.Nanosecond)
			_, err := cache.Get(ctx, "TYPO_NAME")
			assert.ErrorIs(t, err, tt.wantErr, "still within the negative TTL")
			assert.Equal(t, 1, src.count())
			clock.Advance(time.Nanosecond)
			got, err := cache.Get(ctx, "TYPO_NAME")
			require.NoError(t, err)
			assert.Equal(t, "now-there", got)
			assert.Equal(t, 2, src.count())
		})
	}
}

func TestCacheRejectsInvalidNamesBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	src := newFakeSource()
	cache, _ := newTestCache(t, src)
	var nilCtx context.Context

	// Invalid names: the Cache.* rows of TestValidation_BadArgumentsSendNothing.
	_, err := cache.Get(nilCtx, "OK_NAME")
	assert.ErrorIs(t, err, secrets.ErrInvalidArgument)
	_, err = cache.GetMany(nilCtx, "OK_NAME", "OTHER")
	assert.ErrorIs(t, err, secrets.ErrInvalidArgument)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = cache.Get(ctx, "OK_NAME")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, src.count())
}

// TestCacheWaiterStopsWhenItsContextEnds: concurrent cold Gets of a name share one request (1,000
// of them here); one whose context ends stops waiting, and the request goes on for the others.
func TestCacheWaiterStopsWhenItsContextEnds(t *testing.T) {
	t.Parallel()
	withCancel := func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }
	tests := []struct {
		name    string
		first   bool // the waiter that gives up is the one whose Get started the shared fetch
		ctx     func() (context.Context, context.CancelFunc)
		cancel  bool // cancel it once the read is under way
		wantErr error
	}{
		{name: "the caller that started the fetch is cancelled", first: true, ctx: withCancel, cancel: true, wantErr: context.Canceled},
		{name: "a caller that joined is cancelled", ctx: withCancel, cancel: true, wantErr: context.Canceled},
		{name: "a caller that joined reaches its deadline", ctx: func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 5*time.Millisecond)
		}, wantErr: context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := newFakeSource("DB_PASSWORD", "hunter2")
			cache, _ := newTestCache(t, src)
			release := src.hold()
			t.Cleanup(release)

			type result struct {
				value string
				err   error
			}
			const others = 1000
			results := make(chan result, others)
			getOther := func() {
				v, err := cache.Get(context.Background(), "DB_PASSWORD")
				results <- result{v, err}
			}

			ctx, cancel := tt.ctx()
			defer cancel()
			quitterDone := make(chan error, 1)
			getQuitter := func() {
				_, err := cache.Get(ctx, "DB_PASSWORD")
				quitterDone <- err
			}
			if tt.first {
				go getQuitter()
				src.waitArrival(t)
				for range others {
					go getOther()
				}
			} else {
				for range others {
					go getOther()
				}
				src.waitArrival(t)
				go getQuitter()
			}
			if tt.cancel {
				cancel()
			}
			// The fetch is held: only the waiter's own context can end its wait.
			select {
			case err := <-quitterDone:
				assert.ErrorIs(t, err, tt.wantErr)
			case <-time.After(10 * time.Second):
				t.Fatal("the waiter whose context ended is still waiting for the shared fetch")
			}

			release() // the shared request was never stopped: it answers now
			for range others {
				r := <-results
				if !assert.NoError(t, r.err) || !assert.Equal(t, "hunter2", r.value) {
					break
				}
			}
			assert.Equal(t, 1, src.count(), "1,000 cold reads of one name and a waiter that gave up make one request")
		})
	}
}

func TestCacheFetchTimeoutBoundsTheSharedFetch(t *testing.T) {
	t.Parallel()
	src := newFakeSource("DB_PASSWORD", "hunter2")
	cache, _ := newTestCache(t, src, secrets.WithFetchTimeout(5*time.Millisecond))
	t.Cleanup(src.hold())

	_, err := cache.Get(context.Background(), "DB_PASSWORD")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var reqErr *secrets.RequestError
	assert.ErrorAs(t, err, &reqErr)
	assert.Zero(t, cache.Len())
}

func TestCacheInvalidate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := newFakeSource("A", "a1", "B", "b1", "C", "c1")
	cache, _ := newTestCache(t, src)

	get := func(name, want string, wantCount int) {
		t.Helper()
		got, err := cache.Get(ctx, name)
		require.NoError(t, err)
		assert.Equal(t, want, got, name)
		assert.Equal(t, wantCount, src.count(), "requests after Get(%s)", name)
	}
	get("A", "a1", 1)
	get("B", "b1", 2)
	get("C", "c1", 3)
	src.set("A", "a2")
	src.set("B", "b2")
	src.set("C", "c2")

	cache.Invalidate("A")
	cache.Invalidate("NEVER_CACHED") // no-op
	assert.Equal(t, 2, cache.Len())
	get("A", "a2", 4)
	get("B", "b1", 4)
	get("C", "c1", 4)

	cache.InvalidateAll()
	assert.Zero(t, cache.Len())
	get("B", "b2", 5)
	get("C", "c2", 6)
	get("A", "a2", 7)
	assert.Equal(t, 3, cache.Len())
}

// TestCacheInvalidateDuringFetchDiscardsItsResult: a value read before an invalidation is not kept,
// whether a Get that missed or a refresh ahead of expiry read it, and a Get after the invalidation
// does not join that read.
func TestCacheInvalidateDuringFetchDiscardsItsResult(t *testing.T) {
	t.Parallel()
	for _, refreshAhead := range []bool{false, true} {
		for _, all := range []bool{false, true} {
			t.Run(fmt.Sprintf("refreshAhead=%t/all=%t", refreshAhead, all), func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				src := newFakeSource("A", "old")
				var opts []secrets.CacheOption
				if refreshAhead {
					opts = append(opts, secrets.WithRefreshAhead(refreshWindow))
				}
				cache, clock := newTestCache(t, src, opts...)
				first := make(chan string, 1)
				if refreshAhead {
					getNow(t, cache, "A", "old")
					clock.Advance(cacheTTL - refreshWindow)
				}
				release := src.hold()
				t.Cleanup(release)
				go func() { // a miss, or a hit that starts the refresh: the read is held
					v, _ := cache.Get(ctx, "A")
					first <- v
				}()
				src.waitArrival(t)
				src.set("A", "new") // rotated while the old value is on its way…
				if all {            // …and the cache told so
					cache.InvalidateAll()
				} else {
					cache.Invalidate("A")
				}
				second := make(chan string, 1)
				go func() {
					v, _ := cache.Get(ctx, "A")
					second <- v
				}()
				src.waitArrival(t)
				release()
				assert.Equal(t, "old", <-first, "the caller that was already waiting (or served) gets its answer")
				assert.Equal(t, "new", <-second, "a Get after the invalidation does not join the read begun before it")
				secrets.WaitForRefreshes(cache)
				getNow(t, cache, "A", "new") // the old answer was not kept
				assert.Equal(t, map[bool]int{false: 2, true: 3}[refreshAhead], src.count())
			})
		}
	}
}

func TestCacheMaxEntries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := newFakeSource("A", "a", "B", "b", "C", "c", "D", "d")
	cache, _ := newTestCache(t, src, secrets.WithMaxEntries(3))

	for _, name := range []string{"A", "B", "C", "A"} { // A is read again: it has been used
		_, err := cache.Get(ctx, name)
		require.NoError(t, err)
	}
	require.Equal(t, 3, src.count())
	_, err := cache.Get(ctx, "D") // one of B, C goes; A, just used, stays
	require.NoError(t, err)
	assert.Equal(t, 3, cache.Len())
	assert.Equal(t, 4, src.count())

	_, err = cache.Get(ctx, "A")
	require.NoError(t, err)
	assert.Equal(t, 4, src.count(), "the recently used entry survived")
	_, err = cache.Get(ctx, "D")
	require.NoError(t, err)
	assert.Equal(t, 4, src.count(), "the new entry is there")
	_, err = cache.Get(ctx, "C")
	require.NoError(t, err)
	assert.Equal(t, 4, src.count(), "C stayed")
	_, err = cache.Get(ctx, "B")
	require.NoError(t, err)
	assert.Equal(t, 5, src.count(), "B, the least recently used, was evicted")
	assert.Equal(t, 3, cache.Len())
}

func TestCacheStaysWithinMaxEntriesUnderChurn(t *testing.T) {
	t.Parallel()
	src := newFakeSource()
	const names = 50
	for i := range names {
		src.set("N"+strconv.Itoa(i), strconv.Itoa(i))
	}
	cache, _ := newTestCache(t, src, secrets.WithMaxEntries(8))

	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				n := (g*7 + i*i) % names
				if i%3 == 0 {
					n %= 4 // a few hot names
				}
				v, err := cache.Get(context.Background(), "N"+strconv.Itoa(n))
				if !assert.NoError(t, err) || !assert.Equal(t, strconv.Itoa(n), v) {
					return
				}
				if i%50 == 0 {
					cache.Invalidate("N" + strconv.Itoa(n))
				}
			}
		}()
	}
	wg.Wait()
	assert.LessOrEqual(t, cache.Len(), 8)
	cache.InvalidateAll()
	assert.Zero(t, cache.Len())
}

func TestCacheNeverRevealsValues(t *testing.T) {
	t.Parallel()
	const value = "tops3cret-VALUE-42"
	ctx := context.Background()
	src := newFakeSource("DB_PASSWORD", value)
	src.set("OTHER", "other-"+value)
	src.withhold("HIDDEN")
	logger, logs := newBufferLogger()
	cache, clock := newTestCache(t, src, secrets.WithStaleIfError(time.Hour), secrets.WithCacheLogger(logger))

	got, err := cache.Get(ctx, "DB_PASSWORD")
	require.NoError(t, err)
	require.Equal(t, value, got)
	entry, err := cache.Lookup(ctx, "DB_PASSWORD")
	require.NoError(t, err)
	_, err = cache.GetMany(ctx, "DB_PASSWORD", "HIDDEN", "MISSING")
	require.Error(t, err)
	src.fail(apiFailure(503))
	clock.Advance(cacheTTL)
	_, err = cache.Get(ctx, "DB_PASSWORD") // stale, logged
	require.NoError(t, err)
	src.fail(nil)
	clock.Advance(time.Hour)
	_, err = cache.GetMany(ctx, "DB_PASSWORD", "OTHER", "HIDDEN", "MISSING") // one list call, values of all
	require.Error(t, err)

	logger.Info("printing", "cache", cache, "entry", entry)
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out = append(out, fmt.Sprintf(verb, cache), fmt.Sprintf(verb, entry), fmt.Sprintf(verb, &entry))
	}
	out = append(out, fmt.Sprint(cache, entry), fmt.Sprintln(cache, entry), err.Error(), logs.String())
	for _, s := range out {
		assert.NotContains(t, s, value)
		assert.NotContains(t, s, testToken)
	}
	assert.Contains(t, fmt.Sprint(cache), "secrets.Cache{TTL: 1m0s")
	assert.Contains(t, fmt.Sprint(entry), `Name: "DB_PASSWORD", Value: [REDACTED]`)
	assert.Contains(t, logs.String(), "entry.value=[REDACTED]")
	assert.Contains(t, logs.String(), "cache.ttl=1m0s")
	assert.True(t, errors.Is(err, secrets.ErrNotFound) && errors.Is(err, secrets.ErrValueWithheld))
}

func TestCacheGetMany(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := newFakeSource("S3_ACCESS_KEY", "AKIAEXAMPLE", "S3_SECRET_KEY", "wJalrXUtnFEMI", "UNASKED", "never-shown")
	src.withhold("HIDDEN")
	cache, _ := newTestCache(t, src)

	// Cold: one bulk read for all of them (its requests under each list shape:
	// TestSecretsGetMany).
	got, err := cache.GetMany(ctx, "S3_ACCESS_KEY", "S3_SECRET_KEY", "HIDDEN", "MISSING", "S3_ACCESS_KEY")
	assert.Equal(t, map[string]string{"S3_ACCESS_KEY": "AKIAEXAMPLE", "S3_SECRET_KEY": "wJalrXUtnFEMI"}, got)
	var bulk *secrets.BulkError
	require.ErrorAs(t, err, &bulk)
	assert.Len(t, bulk.Errors, 2)
	assert.ErrorIs(t, bulk.Errors["HIDDEN"], secrets.ErrValueWithheld)
	assert.ErrorIs(t, bulk.Errors["MISSING"], secrets.ErrNotFound)
	assert.Equal(t, `secrets: could not read 2 secrets: "HIDDEN": value withheld; "MISSING": not found`, err.Error())
	require.Equal(t, []string{"many:S3_ACCESS_KEY,S3_SECRET_KEY,HIDDEN,MISSING"}, src.called(), "duplicates count once")
	assert.Equal(t, 4, cache.Len(), "values and remembered failures of the names asked; nothing else")

	// Warm: everything, failures included, comes from memory.
	v, err := cache.Get(ctx, "S3_SECRET_KEY")
	require.NoError(t, err)
	assert.Equal(t, "wJalrXUtnFEMI", v)
	_, err = cache.Get(ctx, "HIDDEN")
	assert.ErrorIs(t, err, secrets.ErrValueWithheld)
	_, err = cache.Get(ctx, "MISSING")
	assert.ErrorIs(t, err, secrets.ErrNotFound)
	got, err = cache.GetMany(ctx, "S3_ACCESS_KEY", "S3_SECRET_KEY")
	require.NoError(t, err)
	assert.Len(t, got, 2)
	assert.Equal(t, 1, src.count())

	// One name missing: the shared single-name request.
	src.set("REGION", "eu-west-1")
	got, err = cache.GetMany(ctx, "S3_ACCESS_KEY", "REGION")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"S3_ACCESS_KEY": "AKIAEXAMPLE", "REGION": "eu-west-1"}, got)
	assert.Equal(t, []string{"many:S3_ACCESS_KEY,S3_SECRET_KEY,HIDDEN,MISSING", "REGION"}, src.called())

	// No names: no request.
	got, err = cache.GetMany(ctx)
	require.NoError(t, err)
	assert.Empty(t, got)
	assert.Equal(t, 2, src.count())
}

func TestCacheGetManyWhenTheRequestFails(t *testing.T) {
	t.Parallel()
	for _, staleFor := range []time.Duration{0, time.Hour} {
		t.Run("staleIfError="+staleFor.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			src := newFakeSource("A", "value-a", "B", "value-b")
			cache, clock := newTestCache(t, src, secrets.WithStaleIfError(staleFor))

			_, err := cache.GetMany(ctx, "A", "B")
			require.NoError(t, err)
			src.fail(apiFailure(http.StatusBadGateway))
			clock.Advance(cacheTTL)

			got, err := cache.GetMany(ctx, "A", "B", "C")
			assert.Equal(t, 2, src.count(), "one request for the three")
			var bulk *secrets.BulkError
			require.ErrorAs(t, err, &bulk)
			requireAPIError(t, err, http.StatusBadGateway)
			assert.NotContains(t, err.Error(), "value-")
			if staleFor == 0 {
				assert.Empty(t, got)
				assert.Len(t, bulk.Errors, 3)
				return
			}
			assert.Equal(t, map[string]string{"A": "value-a", "B": "value-b"}, got, "stale values")
			assert.Len(t, bulk.Errors, 1)
			assert.Contains(t, bulk.Errors, "C")
		})
	}
}

func TestCachePrintsNil(t *testing.T) {
	t.Parallel()
	var c *secrets.Cache
	assert.Equal(t, "secrets.Cache(nil)", fmt.Sprintf("%+v", c))
	assert.Equal(t, "<nil>", c.LogValue().String())
}
