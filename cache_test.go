package secrets_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
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

// newTestCache returns a Cache on stub, on clock, with a one-minute TTL, a ten-second negative TTL
// and no TTL jitter (so that expiries fall at known instants) unless opts say otherwise. The
// Cache is closed when the test ends.
func newTestCache(t *testing.T, stub *apiStub, clock *fakeClock, opts ...secrets.CacheOption) *secrets.Cache {
	t.Helper()
	all := append([]secrets.CacheOption{
		secrets.WithCacheClock(clock.Now),
		secrets.WithTTL(cacheTTL),
		secrets.WithNegativeTTL(cacheNegTTL),
		secrets.WithTTLJitter(0),
	}, opts...)
	c, err := secrets.NewCache(stub.client(t), all...)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

// cacheLogBuffer is a bytes.Buffer that a logger may write to from several goroutines.
type cacheLogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *cacheLogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *cacheLogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func newBufferLogger() (*slog.Logger, *cacheLogBuffer) {
	buf := &cacheLogBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

func TestNewCacheValidatesOptions(t *testing.T) {
	t.Parallel()
	stub := newAPIStub(t)
	client := stub.client(t)

	tests := []struct {
		name   string
		client *secrets.Client
		opts   []secrets.CacheOption
		valid  bool
	}{
		{name: "defaults", client: client, valid: true},
		{name: "nil option is skipped", client: client, opts: []secrets.CacheOption{nil}, valid: true},
		{name: "negative TTL of zero turns it off", client: client, opts: []secrets.CacheOption{secrets.WithNegativeTTL(0)}, valid: true},
		{name: "nil logger turns logging off", client: client, opts: []secrets.CacheOption{secrets.WithCacheLogger(nil)}, valid: true},
		{name: "all set", client: client, opts: []secrets.CacheOption{secrets.WithTTL(time.Second), secrets.WithNegativeTTL(time.Second),
			secrets.WithStaleIfError(time.Hour), secrets.WithMaxEntries(1), secrets.WithFetchTimeout(time.Second)}, valid: true},
		{name: "nil client"},
		{name: "zero TTL", client: client, opts: []secrets.CacheOption{secrets.WithTTL(0)}},
		{name: "negative TTL", client: client, opts: []secrets.CacheOption{secrets.WithTTL(-time.Second)}},
		{name: "negative negative TTL", client: client, opts: []secrets.CacheOption{secrets.WithNegativeTTL(-time.Second)}},
		{name: "negative stale bound", client: client, opts: []secrets.CacheOption{secrets.WithStaleIfError(-time.Second)}},
		{name: "zero max entries", client: client, opts: []secrets.CacheOption{secrets.WithMaxEntries(0)}},
		{name: "huge max entries", client: client, opts: []secrets.CacheOption{secrets.WithMaxEntries(1 << 30)}},
		{name: "zero fetch timeout", client: client, opts: []secrets.CacheOption{secrets.WithFetchTimeout(0)}},
		{name: "nil clock", client: client, opts: []secrets.CacheOption{secrets.WithCacheClock(nil)}},
		{name: "jitter off", client: client, opts: []secrets.CacheOption{secrets.WithTTLJitter(0)}, valid: true},
		{name: "jitter at its bound", client: client, opts: []secrets.CacheOption{secrets.WithTTLJitter(0.5)}, valid: true},
		{name: "negative jitter", client: client, opts: []secrets.CacheOption{secrets.WithTTLJitter(-0.01)}},
		{name: "jitter over the bound", client: client, opts: []secrets.CacheOption{secrets.WithTTLJitter(0.51)}},
		{name: "jitter NaN", client: client, opts: []secrets.CacheOption{secrets.WithTTLJitter(math.NaN())}},
		{name: "jitter infinite", client: client, opts: []secrets.CacheOption{secrets.WithTTLJitter(math.Inf(1))}},
		{name: "nil random source", client: client, opts: []secrets.CacheOption{secrets.WithCacheRandom(nil)}},
		{name: "refresh-ahead off", client: client, opts: []secrets.CacheOption{secrets.WithRefreshAhead(0)}, valid: true},
		{name: "refresh-ahead just under the default TTL", client: client, opts: []secrets.CacheOption{secrets.WithRefreshAhead(5*time.Minute - 1)}, valid: true},
		{name: "refresh-ahead, then a longer TTL", client: client, opts: []secrets.CacheOption{secrets.WithRefreshAhead(time.Hour), secrets.WithTTL(2 * time.Hour)}, valid: true},
		{name: "negative refresh-ahead", client: client, opts: []secrets.CacheOption{secrets.WithRefreshAhead(-time.Second)}},
		{name: "refresh-ahead as long as the default TTL", client: client, opts: []secrets.CacheOption{secrets.WithRefreshAhead(5 * time.Minute)}},
		{name: "refresh-ahead, then a shorter TTL", client: client, opts: []secrets.CacheOption{secrets.WithRefreshAhead(time.Minute), secrets.WithTTL(time.Second)}},
	}
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
			assert.Nil(t, c)
		})
	}
	assert.Zero(t, stub.count(), "building a cache makes no request")
}

func TestCacheServesValueForTTLThenRefreshes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	stub := newAPIStub(t)
	stub.set("DB_PASSWORD", "first")
	clock := newFakeClock(cacheStart)
	cache := newTestCache(t, stub, clock)

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
			stub.set("DB_PASSWORD", step.setValue)
		}
		got, err := cache.Get(ctx, "DB_PASSWORD")
		require.NoError(t, err, "step %d", i)
		assert.Equal(t, step.want, got, "step %d", i)
		assert.Equal(t, step.wantCount, stub.count(), "requests after step %d", i)
	}

	for _, r := range stub.recorded() {
		assert.Equal(t, stubRequest{Method: http.MethodGet, Path: "/v1/secrets", RawQuery: "name=DB_PASSWORD",
			Authorization: "Bearer stub-api-key"}, r)
	}

	entry, err := cache.Lookup(ctx, "DB_PASSWORD")
	require.NoError(t, err)
	fetchedAt := clock.Now().Add(-cacheTTL / 2)
	assert.Equal(t, secrets.CacheEntry{Name: "DB_PASSWORD", Value: "second", FetchedAt: fetchedAt, ExpiresAt: fetchedAt.Add(cacheTTL)}, entry)
	assert.Equal(t, 2, stub.count(), "Lookup of a fresh value makes no request")
	assert.Equal(t, 1, cache.Len())
}

func TestCacheStaleIfError(t *testing.T) {
	t.Parallel()
	const staleFor = 10 * time.Minute

	tests := []struct {
		name      string
		staleFor  time.Duration
		break_    func(*apiStub) // what goes wrong once the value has expired
		wantStale bool
		wantErr   error // when not stale; nil: the *APIError of the 503
	}{
		{name: "503 within the bound serves the stale value", staleFor: staleFor, break_: func(s *apiStub) { s.fail(503) }, wantStale: true},
		{name: "500", staleFor: staleFor, break_: func(s *apiStub) { s.fail(500) }, wantStale: true},
		{name: "429", staleFor: staleFor, break_: func(s *apiStub) { s.fail(429) }, wantStale: true},
		{name: "connection dropped", staleFor: staleFor, break_: func(s *apiStub) { s.fail(dropConnection) }, wantStale: true},
		{name: "off by default: the error is returned", break_: func(s *apiStub) { s.fail(503) }},
		{name: "not found is authoritative", staleFor: staleFor, break_: func(s *apiStub) { s.remove("DB_PASSWORD") }, wantErr: secrets.ErrNotFound},
		{name: "404 is authoritative", staleFor: staleFor, break_: func(s *apiStub) { s.fail(404) }, wantErr: secrets.ErrNotFound},
		{name: "withheld is authoritative", staleFor: staleFor, break_: func(s *apiStub) { s.withhold("DB_PASSWORD") }, wantErr: secrets.ErrValueWithheld},
		{name: "403 is authoritative", staleFor: staleFor, break_: func(s *apiStub) { s.fail(403) }, wantErr: secrets.ErrForbidden},
		{name: "401 is authoritative", staleFor: staleFor, break_: func(s *apiStub) { s.fail(401) }, wantErr: secrets.ErrUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			stub := newAPIStub(t)
			stub.set("DB_PASSWORD", "stale-value-123")
			clock := newFakeClock(cacheStart)
			logger, logs := newBufferLogger()
			cache := newTestCache(t, stub, clock, secrets.WithStaleIfError(tt.staleFor), secrets.WithCacheLogger(logger))

			_, err := cache.Get(ctx, "DB_PASSWORD")
			require.NoError(t, err)
			tt.break_(stub)
			clock.Advance(cacheTTL)

			got, err := cache.Get(ctx, "DB_PASSWORD")
			if tt.name == "connection dropped" {
				// net/http itself retries a GET once when a reused connection closes unanswered.
				assert.Contains(t, []int{2, 3}, stub.count())
			} else {
				assert.Equal(t, 2, stub.count())
			}
			if tt.wantStale {
				require.NoError(t, err)
				assert.Equal(t, "stale-value-123", got)
				entry, err := cache.Lookup(ctx, "DB_PASSWORD")
				require.NoError(t, err)
				assert.True(t, entry.Stale)
				assert.Equal(t, clock.Now().Add(-cacheTTL), entry.FetchedAt)
				assert.Equal(t, clock.Now().Add(5*time.Second), entry.ExpiresAt, "the next refresh is tried 5s later")
				assert.Contains(t, logs.String(), "level=WARN")
				assert.Contains(t, logs.String(), "name=DB_PASSWORD")
				assert.Contains(t, logs.String(), "error=")
				assert.NotContains(t, logs.String(), "stale-value-123")
				return
			}
			require.Error(t, err)
			assert.Empty(t, got)
			assert.NotContains(t, err.Error(), "stale-value-123")
			assert.Empty(t, logs.String(), "nothing stale was served")
			if tt.staleFor == 0 {
				var apiErr *secrets.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, 503, apiErr.StatusCode)
				return
			}
			assert.ErrorIs(t, err, tt.wantErr)
			// The value is gone for good: the next Get asks again (or is answered by the
			// remembered failure), and never serves the old value.
			got, err = cache.Get(ctx, "DB_PASSWORD")
			assert.ErrorIs(t, err, tt.wantErr)
			assert.Empty(t, got)
		})
	}
}

func TestCacheStaleIfErrorIsBounded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	stub := newAPIStub(t)
	stub.set("API_KEY", "the-value")
	clock := newFakeClock(cacheStart)
	cache := newTestCache(t, stub, clock, secrets.WithStaleIfError(2*time.Minute))

	_, err := cache.Get(ctx, "API_KEY")
	require.NoError(t, err)
	stub.fail(http.StatusServiceUnavailable)

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
			var apiErr *secrets.APIError
			require.ErrorAs(t, err, &apiErr, "at %s", step.at)
			assert.Equal(t, http.StatusServiceUnavailable, apiErr.StatusCode)
			assert.Empty(t, got)
		} else {
			require.NoError(t, err, "at %s", step.at)
			assert.Equal(t, "the-value", got, "at %s", step.at)
		}
		assert.Equal(t, step.wantCount, stub.count(), "requests at %s", step.at)
	}

	stub.fail(0)
	got, err := cache.Get(ctx, "API_KEY")
	require.NoError(t, err)
	assert.Equal(t, "the-value", got)
	entry, err := cache.Lookup(ctx, "API_KEY")
	require.NoError(t, err)
	assert.False(t, entry.Stale, "a successful refresh ends staleness")
}

func TestCacheRemembersNotFoundAndWithheld(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		setup   func(*apiStub)
		negTTL  time.Duration
		wantErr error
	}{
		{name: "not found", setup: func(*apiStub) {}, negTTL: cacheNegTTL, wantErr: secrets.ErrNotFound},
		{name: "withheld", setup: func(s *apiStub) { s.withhold("TYPO_NAME") }, negTTL: cacheNegTTL, wantErr: secrets.ErrValueWithheld},
		{name: "not found, negative caching off", setup: func(*apiStub) {}, wantErr: secrets.ErrNotFound},
		{name: "withheld, negative caching off", setup: func(s *apiStub) { s.withhold("TYPO_NAME") }, wantErr: secrets.ErrValueWithheld},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			stub := newAPIStub(t)
			tt.setup(stub)
			clock := newFakeClock(cacheStart)
			cache := newTestCache(t, stub, clock, secrets.WithNegativeTTL(tt.negTTL))

			// Without negative caching every read asks; with it, only the first within the TTL.
			perRead := 0
			if tt.negTTL == 0 {
				perRead = 1
			}
			want := 1
			for i := range 3 {
				got, err := cache.Get(ctx, "TYPO_NAME")
				assert.ErrorIs(t, err, tt.wantErr)
				assert.Contains(t, err.Error(), `"TYPO_NAME"`, "the error names the secret")
				assert.Empty(t, got)
				assert.Equal(t, want, stub.count(), "requests after Get %d", i+1)
				want += perRead
				_, err = cache.Lookup(ctx, "TYPO_NAME")
				assert.ErrorIs(t, err, tt.wantErr)
				assert.Equal(t, want, stub.count(), "requests after Lookup %d", i+1)
				want += perRead
				clock.Advance(time.Second)
			}
			if tt.negTTL == 0 {
				assert.Zero(t, cache.Len(), "nothing remembered")
				return
			}
			assert.Equal(t, 1, cache.Len())

			// Once the negative TTL has run, the cache asks again, and sees the secret now readable.
			stub.set("TYPO_NAME", "now-there")
			clock.Advance(tt.negTTL - 3*time.Second - time.Nanosecond)
			_, err := cache.Get(ctx, "TYPO_NAME")
			assert.ErrorIs(t, err, tt.wantErr, "still within the negative TTL")
			assert.Equal(t, 1, stub.count())
			clock.Advance(time.Nanosecond)
			got, err := cache.Get(ctx, "TYPO_NAME")
			require.NoError(t, err)
			assert.Equal(t, "now-there", got)
			assert.Equal(t, 2, stub.count())
		})
	}
}

func TestCacheDoesNotRememberOtherErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		setup   func(*apiStub)
		wantErr error
	}{
		{name: "ambiguous", setup: func(s *apiStub) { s.set("TWICE", "a"); s.duplicate("TWICE", "b") }, wantErr: secrets.ErrAmbiguous},
		{name: "forbidden", setup: func(s *apiStub) { s.fail(403) }, wantErr: secrets.ErrForbidden},
		{name: "rate limited", setup: func(s *apiStub) { s.fail(429) }, wantErr: secrets.ErrRateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stub := newAPIStub(t)
			tt.setup(stub)
			cache := newTestCache(t, stub, newFakeClock(cacheStart))
			for i := range 3 {
				got, err := cache.Get(context.Background(), "TWICE")
				assert.ErrorIs(t, err, tt.wantErr)
				assert.Empty(t, got)
				assert.Equal(t, i+1, stub.count())
			}
			assert.NotContains(t, fmt.Sprint(cache), `"a"`)
			assert.Zero(t, cache.Len())
		})
	}
}

func TestCacheRejectsInvalidNamesBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	stub := newAPIStub(t)
	cache := newTestCache(t, stub, newFakeClock(cacheStart))
	var nilCtx context.Context

	for _, name := range []string{"", "has-dash", "has space", "a/b", "value=hunter2"} {
		_, err := cache.Get(context.Background(), name)
		assert.ErrorIs(t, err, secrets.ErrInvalidName, "%q", name)
		assert.ErrorIs(t, err, secrets.ErrInvalidArgument, "%q", name)
		if name != "" {
			assert.NotContains(t, err.Error(), name, "a name may be a value passed by mistake")
		}
		_, err = cache.Lookup(context.Background(), name)
		assert.ErrorIs(t, err, secrets.ErrInvalidName, "%q", name)
		_, err = cache.GetMany(context.Background(), "OK_NAME", name)
		assert.ErrorIs(t, err, secrets.ErrInvalidName, "%q", name)
		assert.Contains(t, err.Error(), "names[1]")
	}
	_, err := cache.Get(nilCtx, "OK_NAME")
	assert.ErrorIs(t, err, secrets.ErrInvalidArgument)
	_, err = cache.GetMany(nilCtx, "OK_NAME", "OTHER")
	assert.ErrorIs(t, err, secrets.ErrInvalidArgument)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = cache.Get(ctx, "OK_NAME")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, stub.count())
}

func TestCacheCollapsesConcurrentColdReads(t *testing.T) {
	t.Parallel()
	const readers = 1000
	ctx := context.Background()
	stub := newAPIStub(t)
	stub.set("DB_PASSWORD", "hunter2")
	cache := newTestCache(t, stub, newFakeClock(cacheStart))
	release := stub.hold()
	t.Cleanup(release)

	var started, done sync.WaitGroup
	values := make([]string, readers)
	errs := make([]error, readers)
	for i := range readers {
		started.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			started.Done()
			values[i], errs[i] = cache.Get(ctx, "DB_PASSWORD")
		}()
	}
	started.Wait()
	stub.waitArrival(t)
	release()
	done.Wait()

	assert.Equal(t, 1, stub.count(), "1,000 cold reads of one name make one request")
	for i := range readers {
		if !assert.NoError(t, errs[i]) || !assert.Equal(t, "hunter2", values[i]) {
			break
		}
	}
}

func TestCacheWaiterStopsWhenItsContextEnds(t *testing.T) {
	t.Parallel()
	withCancel := func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }
	tests := []struct {
		name    string
		first   bool // the waiter that gives up is the one whose Get started the shared fetch
		ctx     func() (context.Context, context.CancelFunc)
		cancel  bool // cancel it once the request is at the server
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
			stub := newAPIStub(t)
			stub.set("DB_PASSWORD", "hunter2")
			cache := newTestCache(t, stub, newFakeClock(cacheStart))
			release := stub.hold()
			t.Cleanup(release)

			type result struct {
				value string
				err   error
			}
			const others = 10
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
				stub.waitArrival(t)
				for range others {
					go getOther()
				}
			} else {
				for range others {
					go getOther()
				}
				stub.waitArrival(t)
				go getQuitter()
			}
			if tt.cancel {
				cancel()
			}
			// The fetch is held at the server: only the waiter's own context can end its wait.
			select {
			case err := <-quitterDone:
				assert.ErrorIs(t, err, tt.wantErr)
			case <-time.After(10 * time.Second):
				t.Fatal("the waiter whose context ended is still waiting for the shared fetch")
			}

			release() // the shared request was never stopped: it answers now
			for range others {
				r := <-results
				assert.NoError(t, r.err)
				assert.Equal(t, "hunter2", r.value)
			}
			assert.Equal(t, 1, stub.count())
		})
	}
}

func TestCacheFetchTimeoutBoundsTheSharedFetch(t *testing.T) {
	t.Parallel()
	stub := newAPIStub(t)
	stub.set("DB_PASSWORD", "hunter2")
	cache := newTestCache(t, stub, newFakeClock(cacheStart), secrets.WithFetchTimeout(5*time.Millisecond))
	t.Cleanup(stub.hold())

	_, err := cache.Get(context.Background(), "DB_PASSWORD")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var reqErr *secrets.RequestError
	assert.ErrorAs(t, err, &reqErr)
	assert.Zero(t, cache.Len())
}

func TestCacheInvalidate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	stub := newAPIStub(t)
	stub.set("A", "a1")
	stub.set("B", "b1")
	stub.set("C", "c1")
	cache := newTestCache(t, stub, newFakeClock(cacheStart))

	get := func(name, want string, wantCount int) {
		t.Helper()
		got, err := cache.Get(ctx, name)
		require.NoError(t, err)
		assert.Equal(t, want, got, name)
		assert.Equal(t, wantCount, stub.count(), "requests after Get(%s)", name)
	}
	get("A", "a1", 1)
	get("B", "b1", 2)
	get("C", "c1", 3)
	stub.set("A", "a2")
	stub.set("B", "b2")
	stub.set("C", "c2")

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

func TestCacheInvalidateDuringFetchDiscardsItsResult(t *testing.T) {
	t.Parallel()
	for _, all := range []bool{false, true} {
		t.Run("all="+strconv.FormatBool(all), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			stub := newAPIStub(t)
			stub.set("A", "old")
			cache := newTestCache(t, stub, newFakeClock(cacheStart))
			release := stub.hold()
			t.Cleanup(release)

			first := make(chan string, 1)
			go func() {
				v, _ := cache.Get(ctx, "A")
				first <- v
			}()
			stub.waitArrival(t)
			stub.set("A", "new") // rotated while the old value is on its way…
			if all {             // …and the cache told so
				cache.InvalidateAll()
			} else {
				cache.Invalidate("A")
			}

			// A Get after the invalidation does not join the fetch begun before it.
			second := make(chan string, 1)
			go func() {
				v, _ := cache.Get(ctx, "A")
				second <- v
			}()
			stub.waitArrival(t)
			release()
			assert.Equal(t, "old", <-first, "the caller that was already waiting gets its answer")
			assert.Equal(t, "new", <-second)
			got, err := cache.Get(ctx, "A")
			require.NoError(t, err)
			assert.Equal(t, "new", got, "the old answer was not kept")
			assert.Equal(t, 2, stub.count())
		})
	}
}

func TestCacheMaxEntries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	stub := newAPIStub(t)
	for _, name := range []string{"A", "B", "C", "D"} {
		stub.set(name, "value of "+name)
	}
	cache := newTestCache(t, stub, newFakeClock(cacheStart), secrets.WithMaxEntries(3))

	for _, name := range []string{"A", "B", "C", "A"} { // A is read again: it has been used
		_, err := cache.Get(ctx, name)
		require.NoError(t, err)
	}
	require.Equal(t, 3, stub.count())
	_, err := cache.Get(ctx, "D") // one of B, C goes; A, just used, stays
	require.NoError(t, err)
	assert.Equal(t, 3, cache.Len())
	assert.Equal(t, 4, stub.count())

	_, err = cache.Get(ctx, "A")
	require.NoError(t, err)
	assert.Equal(t, 4, stub.count(), "the recently used entry survived")
	_, err = cache.Get(ctx, "D")
	require.NoError(t, err)
	assert.Equal(t, 4, stub.count(), "the new entry is there")
	_, err = cache.Get(ctx, "C")
	require.NoError(t, err)
	assert.Equal(t, 4, stub.count(), "C stayed")
	_, err = cache.Get(ctx, "B")
	require.NoError(t, err)
	assert.Equal(t, 5, stub.count(), "B, the least recently used, was evicted")
	assert.Equal(t, 3, cache.Len())
}

func TestCacheStaysWithinMaxEntriesUnderChurn(t *testing.T) {
	t.Parallel()
	stub := newAPIStub(t)
	const names = 50
	for i := range names {
		stub.set("N"+strconv.Itoa(i), strconv.Itoa(i))
	}
	clock := newFakeClock(cacheStart)
	cache := newTestCache(t, stub, clock, secrets.WithMaxEntries(8))

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
	stub := newAPIStub(t)
	stub.set("DB_PASSWORD", value)
	stub.set("OTHER", "other-"+value)
	stub.withhold("HIDDEN")
	clock := newFakeClock(cacheStart)
	logger, logs := newBufferLogger()
	cache := newTestCache(t, stub, clock, secrets.WithStaleIfError(time.Hour), secrets.WithCacheLogger(logger))

	got, err := cache.Get(ctx, "DB_PASSWORD")
	require.NoError(t, err)
	require.Equal(t, value, got)
	entry, err := cache.Lookup(ctx, "DB_PASSWORD")
	require.NoError(t, err)
	_, err = cache.GetMany(ctx, "DB_PASSWORD", "HIDDEN", "MISSING")
	require.Error(t, err)
	stub.fail(503)
	clock.Advance(cacheTTL)
	_, err = cache.Get(ctx, "DB_PASSWORD") // stale, logged
	require.NoError(t, err)
	stub.fail(0)
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
		assert.NotContains(t, s, "stub-api-key")
	}
	assert.Contains(t, fmt.Sprint(cache), "secrets.Cache{TTL: 1m0s")
	assert.Contains(t, fmt.Sprint(entry), `Name: "DB_PASSWORD", Value: [REDACTED]`)
	assert.Contains(t, logs.String(), "entry.value=[REDACTED]")
	assert.Contains(t, logs.String(), "cache.ttl=1m0s")
	assert.True(t, errors.Is(err, secrets.ErrNotFound) && errors.Is(err, secrets.ErrValueWithheld))
}

func TestCacheLogsToTheClientLoggerByDefault(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	stub := newAPIStub(t)
	stub.set("DB_PASSWORD", "hunter2")
	clock := newFakeClock(cacheStart)
	logger, logs := newBufferLogger()
	cache, err := secrets.NewCache(stub.client(t, secrets.WithLogger(logger)),
		secrets.WithCacheClock(clock.Now), secrets.WithStaleIfError(time.Hour))
	require.NoError(t, err)

	_, err = cache.Get(ctx, "DB_PASSWORD")
	require.NoError(t, err)
	stub.fail(500)
	clock.Advance(time.Hour) // past the default TTL
	got, err := cache.Get(ctx, "DB_PASSWORD")
	require.NoError(t, err)
	assert.Equal(t, "hunter2", got)
	assert.Contains(t, logs.String(), "level=WARN msg=\"secrets: cache serving a stale value")
	assert.NotContains(t, logs.String(), "hunter2")
}

func TestCacheGetMany(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	stub := newAPIStub(t)
	stub.set("S3_ACCESS_KEY", "AKIAEXAMPLE")
	stub.set("S3_SECRET_KEY", "wJalrXUtnFEMI")
	stub.set("UNASKED", "never-shown")
	stub.withhold("HIDDEN")
	clock := newFakeClock(cacheStart)
	cache := newTestCache(t, stub, clock)

	// Cold: one list call for all of them, and a read by name of HIDDEN, which the list gave without
	// a value.
	got, err := cache.GetMany(ctx, "S3_ACCESS_KEY", "S3_SECRET_KEY", "HIDDEN", "MISSING", "S3_ACCESS_KEY")
	assert.Equal(t, map[string]string{"S3_ACCESS_KEY": "AKIAEXAMPLE", "S3_SECRET_KEY": "wJalrXUtnFEMI"}, got)
	var bulk *secrets.BulkError
	require.ErrorAs(t, err, &bulk)
	assert.Len(t, bulk.Errors, 2)
	assert.ErrorIs(t, bulk.Errors["HIDDEN"], secrets.ErrValueWithheld)
	assert.ErrorIs(t, bulk.Errors["MISSING"], secrets.ErrNotFound)
	assert.Equal(t, `secrets: could not read 2 secrets: "HIDDEN": value withheld; "MISSING": not found`, err.Error())
	require.Equal(t, 2, stub.count())
	assert.Equal(t, stubRequest{Method: http.MethodGet, Path: "/v1/secrets", Authorization: "Bearer stub-api-key"}, stub.recorded()[0])
	assert.Equal(t, "name=HIDDEN", stub.recorded()[1].RawQuery)
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
	assert.Equal(t, 2, stub.count())

	// One name missing: the shared single-name request.
	stub.set("REGION", "eu-west-1")
	got, err = cache.GetMany(ctx, "S3_ACCESS_KEY", "REGION")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"S3_ACCESS_KEY": "AKIAEXAMPLE", "REGION": "eu-west-1"}, got)
	assert.Equal(t, 3, stub.count())
	assert.Equal(t, "name=REGION", stub.recorded()[2].RawQuery)

	// No names: no request.
	got, err = cache.GetMany(ctx)
	require.NoError(t, err)
	assert.Empty(t, got)
	assert.Equal(t, 3, stub.count())
}

func TestCacheGetManyWhenTheRequestFails(t *testing.T) {
	t.Parallel()
	for _, staleFor := range []time.Duration{0, time.Hour} {
		t.Run("staleIfError="+staleFor.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			stub := newAPIStub(t)
			stub.set("A", "value-a")
			stub.set("B", "value-b")
			clock := newFakeClock(cacheStart)
			cache := newTestCache(t, stub, clock, secrets.WithStaleIfError(staleFor))

			_, err := cache.GetMany(ctx, "A", "B")
			require.NoError(t, err)
			stub.fail(http.StatusBadGateway)
			clock.Advance(cacheTTL)

			got, err := cache.GetMany(ctx, "A", "B", "C")
			assert.Equal(t, 2, stub.count(), "one request for the three")
			var bulk *secrets.BulkError
			require.ErrorAs(t, err, &bulk)
			var apiErr *secrets.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, http.StatusBadGateway, apiErr.StatusCode)
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
