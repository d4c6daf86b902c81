package secrets

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/helios-secrets/go-secrets/internal/redact"
)

// Cache keeps secret values in memory for services that read them in request paths. It is built on
// a Client (whose credentials, retries and timeouts it uses) and is safe for concurrent use.
//
//   - A value is served from memory for its TTL (WithTTL), then fetched again on the next Get. A hit
//     takes no lock, makes no request and allocates nothing.
//   - Concurrent Gets of a name that is not in memory share one request; each Get still returns as
//     soon as its own context ends, and the shared request goes on for the others.
//   - "Not found" and "value withheld" are remembered briefly (WithNegativeTTL), so a mistyped name
//     does not send a request on every call.
//   - Optionally, a value whose refresh fails with a transient failure is served for a bounded time
//     past its TTL (WithStaleIfError), with a Warn record to the logger.
//   - The number of names held is bounded (WithMaxEntries); Invalidate and InvalidateAll drop
//     entries, for instance after rotating a value.
//   - TTLs are shortened by a small random fraction (WithTTLJitter, default up to 10%), so that
//     replicas that started together do not all refresh at the same moment.
//   - Optionally, a Get close to a value's expiry refreshes it in the background (WithRefreshAhead),
//     so that a name read steadily is never fetched on a caller's path. Close ends those refreshes.
//
// fmt and slog print a Cache without any value.
type Cache struct {
	source cacheSource // the Client's SecretsService
	cfg    cacheConfig
	logger *slog.Logger
	base   time.Time // instants are kept as offsets from base, so a hit reads only the monotonic clock

	entries sync.Map                           // name → *cacheEntry; read without locks
	flights atomic.Pointer[singleflight.Group] // replaced by InvalidateAll
	gen     atomic.Uint64                      // bumped by every invalidation: fetches begun before it are not stored

	mu   sync.Mutex    // serializes changes to entries, ring, hand and entry states
	ring []*cacheEntry // every entry, in the order the eviction sweep visits them
	hand int           // where the sweep resumes

	background context.Context // of the refreshes of WithRefreshAhead; cancelled by Close
	stop       context.CancelFunc
	closeMu    sync.Mutex     // orders refreshes.Add before Close's Wait
	closed     bool           // guarded by closeMu
	refreshes  sync.WaitGroup // background refreshes under way
}

// cacheSource is what a Cache reads through: the two calls it makes of SecretsService. The seam lets
// the tests of the cache's own logic (TTLs, failures, collapsing) use a fake instead of a server.
type cacheSource interface {
	GetByName(ctx context.Context, name string) (*Secret, error)
	GetMany(ctx context.Context, names ...string) (map[string]*Secret, error)
}

// cacheEntry is one name. Its state is replaced whole, never modified.
type cacheEntry struct {
	name  string
	state atomic.Pointer[cacheState]
	ref   atomic.Bool // read since the eviction sweep last passed
	slot  int         // index in Cache.ring; guarded by Cache.mu
}

// cacheState is what the cache knows of a name: a value, or a remembered failure (err). Only its
// refreshing flag ever changes; the rest is replaced whole.
type cacheState struct {
	value      string
	err        error // wraps ErrNotFound or ErrValueWithheld; nil for a value
	fetched    int64 // offsets from Cache.base, in nanoseconds
	expires    int64 // served from memory until then
	refreshAt  int64 // a hit from then on starts a background refresh (= expires: never)
	staleUntil int64 // after a failed refresh, servable until then (= expires without WithStaleIfError)
	stale      bool  // served after a failed refresh
	refreshing atomic.Bool
}

// CacheEntry is a cached value with its timing, as Lookup returns it: what an AWS credentials
// provider, for instance, needs to tell its own cache when to ask again. fmt and slog print it
// without its value.
type CacheEntry struct {
	Name      string
	Value     string
	FetchedAt time.Time // when the value was read from the service
	ExpiresAt time.Time // when the cache fetches it again: FetchedAt plus the TTL, or, for a stale value, its next retry
	Stale     bool      // served past its TTL because refreshing it failed (WithStaleIfError)
}

// NewCache returns an empty Cache that reads through c. It makes no request. Options are validated:
// an invalid one, or a nil c, gives an error wrapping ErrInvalidArgument.
func NewCache(c *Client, opts ...CacheOption) (*Cache, error) {
	if c == nil {
		return nil, invalidArgument("NewCache: nil client")
	}
	cfg := defaultCacheConfig()
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if cfg.random == nil {
		cfg.random = rand.Float64
	}
	cache := &Cache{source: c.Secrets, cfg: cfg, logger: c.logger}
	cache.background, cache.stop = context.WithCancel(context.Background())
	if cfg.loggerSet {
		cache.logger = cfg.logger
	}
	if cfg.clock != nil {
		cache.base = cfg.clock()
	} else {
		cache.base = time.Now()
	}
	cache.flights.Store(new(singleflight.Group))
	return cache, nil
}

// Get returns the value of the secret named name. While the value is fresh (fetched less than the
// TTL ago), Get serves it from memory: no request, no allocation, ctx unused. Otherwise it makes one
// request, GET /v1/secrets?name=, shared by every concurrent Get of that name, and keeps the value.
// With WithRefreshAhead, a Get close to the value's expiry also starts that request in the
// background, and returns the value it holds without waiting.
//
// Errors: ErrInvalidName (before any request); ErrNotFound and ErrValueWithheld, remembered for the
// negative TTL; ErrAmbiguous; the context's error when ctx ends before the value comes (the shared
// request goes on for the other callers); and the *APIError and *RequestError of
// SecretsService.GetByName, unless WithStaleIfError allows the previous value instead. Get never
// returns "" with a nil error unless the secret's value is the empty string.
func (c *Cache) Get(ctx context.Context, name string) (string, error) {
	if st := c.fresh(name); st != nil {
		return st.value, st.err
	}
	st, err := c.load(ctx, name)
	if err != nil {
		return "", err
	}
	return st.value, st.err
}

// Lookup is Get that also says when the value was fetched and when it expires. It makes the same
// request as Get, when Get would, and returns the same errors.
func (c *Cache) Lookup(ctx context.Context, name string) (CacheEntry, error) {
	st := c.fresh(name)
	if st == nil {
		var err error
		if st, err = c.load(ctx, name); err != nil {
			return CacheEntry{}, err
		}
	}
	if st.err != nil {
		return CacheEntry{}, st.err
	}
	return CacheEntry{
		Name:      name,
		Value:     st.value,
		FetchedAt: c.at(st.fetched),
		ExpiresAt: c.at(st.expires),
		Stale:     st.stale,
	}, nil
}

// GetMany returns the values of several secrets: those in memory and fresh without a request; the
// others through SecretsService.GetMany (one list, then a ?name= read of each name the list gave
// without a value; for a single name, the shared request of Get), whose answers it keeps as Get
// would. Duplicate names count once.
//
// The map holds every name that could be read; each of the others is in the returned *BulkError with
// its reason: ErrNotFound or ErrValueWithheld (remembered for the negative TTL), ErrAmbiguous, or the
// *APIError or *RequestError of the failed request (unless WithStaleIfError allows a previous value).
// Errors outside a *BulkError: ErrInvalidName naming the index of an invalid name, before any request.
// Concurrent GetMany calls do not share their requests.
func (c *Cache) GetMany(ctx context.Context, names ...string) (map[string]string, error) {
	want, err := uniqueNames(names)
	if err != nil {
		return nil, err
	}
	if ctx == nil {
		return nil, invalidArgument("nil context")
	}
	out := make(map[string]string, len(want))
	var errs map[string]error
	record := func(name string, st *cacheState, err error) {
		if err == nil && st.err == nil {
			out[name] = st.value
			return
		}
		if err == nil {
			err = st.err
		}
		if errs == nil {
			errs = make(map[string]error)
		}
		errs[name] = err
	}
	var missing []string
	now := c.now() // one instant for every name: names that expire together are missed together
	for _, name := range want {
		if st := c.freshAt(name, now); st != nil {
			record(name, st, nil)
		} else {
			missing = append(missing, name)
		}
	}
	switch len(missing) {
	case 0:
	case 1:
		st, err := c.load(ctx, missing[0])
		record(missing[0], st, err)
	default:
		gen := c.gen.Load()
		found, err := c.source.GetMany(ctx, missing...)
		batch := c.newReadBatch()
		var bulk *BulkError
		if err != nil && !errors.As(err, &bulk) {
			bulk = nil // the request failed: every missing name shares its error
			err = maskHeld(err, c.heldValues(missing)...)
		}
		for _, name := range missing {
			var value *string
			nameErr := err
			if s := found[name]; s != nil {
				value, nameErr = s.Value, nil
			} else if bulk != nil {
				nameErr = bulk.Errors[name]
			}
			if value == nil && nameErr == nil {
				nameErr = notFoundError(name)
			}
			st, err := c.settle(ctx, name, gen, false, batch, value, nameErr)
			record(name, st, err)
		}
	}
	if errs != nil {
		return out, &BulkError{Errors: errs}
	}
	return out, nil
}

// Invalidate drops what the cache holds for name, so that the next Get fetches it; a fetch of it
// already under way is not kept, and later Gets do not wait for it. It makes no request. Call it
// after rotating the secret's value.
func (c *Cache) Invalidate(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen.Add(1)
	if e := c.entryLocked(name); e != nil {
		c.removeLocked(e)
	}
	c.flights.Load().Forget(name)
}

// Close ends the background refreshes of WithRefreshAhead: it cancels those under way, waits for
// them to end, and no later Get starts one (a Get waiting for a cancelled refresh gets an error
// wrapping context.Canceled). The Cache still serves Gets afterwards, as without
// WithRefreshAhead. Close makes no request; calling it again does nothing. A Cache without
// WithRefreshAhead runs nothing in the background between Gets and need not be closed.
func (c *Cache) Close() {
	if c == nil || c.stop == nil { // not made by NewCache: nothing was started
		return
	}
	c.closeMu.Lock()
	c.closed = true
	c.closeMu.Unlock()
	c.stop()
	c.refreshes.Wait()
}

// InvalidateAll drops everything the cache holds, as Invalidate does for one name. It makes no
// request.
func (c *Cache) InvalidateAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen.Add(1)
	c.entries.Clear()
	clear(c.ring)
	c.ring, c.hand = c.ring[:0], 0
	c.flights.Store(new(singleflight.Group))
}

// Len returns how many names the cache holds: values, expired or not, and remembered failures.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.ring)
}

// fresh returns the state of name when it may be served from memory, else nil, and starts the
// background refresh of a value close to its expiry. It is the whole of a hit: no lock, no
// allocation (but once per value when a refresh starts).
func (c *Cache) fresh(name string) *cacheState { return c.freshAt(name, c.now()) }

// freshAt is fresh at the instant now.
func (c *Cache) freshAt(name string, now int64) *cacheState {
	v, ok := c.entries.Load(name)
	if !ok {
		return nil
	}
	e := v.(*cacheEntry)
	st := e.state.Load()
	if st == nil {
		return nil
	}
	if now >= st.expires {
		return nil
	}
	if !e.ref.Load() { // read before writing: hits on a hot name do not fight over its cache line
		e.ref.Store(true)
	}
	if now >= st.refreshAt {
		c.refreshAhead(name, st)
	}
	return st
}

// unexpired returns the state of name while it may be served from memory, else nil: fresh
// without its side effects, for the fetches themselves.
func (c *Cache) unexpired(name string) *cacheState {
	if v, ok := c.entries.Load(name); ok {
		if st := v.(*cacheEntry).state.Load(); st != nil && c.now() < st.expires {
			return st
		}
	}
	return nil
}

// refreshAhead starts the background refresh of name, whose state st is due for one, unless one
// has started already. The refresh is the shared fetch of name: a Get that misses meanwhile waits
// for it instead of making its own request.
func (c *Cache) refreshAhead(name string, st *cacheState) {
	if st.refreshing.Load() || !st.refreshing.CompareAndSwap(false, true) {
		return
	}
	c.closeMu.Lock()
	if c.closed {
		c.closeMu.Unlock()
		return
	}
	c.refreshes.Add(1)
	c.closeMu.Unlock()
	gen, flights := c.gen.Load(), c.flights.Load()
	go func() {
		defer c.refreshes.Done()
		_, _, _ = flights.Do(name, func() (any, error) { return c.refresh(name, gen, st) })
	}()
}

// refresh fetches name in the background to replace old, the state whose refresh is due. While
// old is still fresh, a failure is not anyone's to see: old stays, and is refreshed again later.
// Once old has expired (a Get that missed may be waiting), the outcome is settled as a miss's.
func (c *Cache) refresh(name string, gen uint64, old *cacheState) (*cacheState, error) {
	ctx, cancel := context.WithTimeout(c.background, c.cfg.fetchTimeout)
	defer cancel()
	value, err := c.read(ctx, name)
	if err != nil && c.now() < old.expires {
		c.refreshFailed(ctx, name, gen, old, err)
		return old, nil
	}
	return c.settle(ctx, name, gen, true, nil, value, err)
}

// refreshFailed keeps old, whose background refresh failed with err, until it expires, and
// schedules the next refresh after staleRetryInterval (jittered, as TTLs are, so that a fleet
// refused together does not retry together): a failing service sees at most one request per name
// per interval.
func (c *Cache) refreshFailed(ctx context.Context, name string, gen uint64, old *cacheState, err error) {
	if c.background.Err() != nil {
		return // Close cancelled it: not a failure of the service
	}
	c.mu.Lock()
	now := c.now()
	e := c.entryLocked(name)
	kept := c.gen.Load() == gen && e != nil && e.state.Load() == old
	if kept {
		e.state.Store(&cacheState{value: old.value, err: old.err, fetched: old.fetched, expires: old.expires,
			refreshAt: min(now+c.jittered(staleRetryInterval), old.expires), staleUntil: old.staleUntil, stale: old.stale})
	}
	c.mu.Unlock()
	if kept && c.logger != nil {
		c.logger.LogAttrs(ctx, slog.LevelWarn, "secrets: cache refresh-ahead failed: serving the value until it expires",
			slog.String("name", name),
			slog.String("error", maskHeld(err, old.value).Error()),
			slog.Time("expiresAt", c.at(old.expires)))
	}
}

// load fetches name, sharing the request with concurrent callers. The request runs on a context
// detached from ctx's cancellation, bounded by the fetch timeout, so that a caller who gives up does
// not fail the others; the caller itself stops waiting when ctx ends.
func (c *Cache) load(ctx context.Context, name string) (*cacheState, error) {
	if ctx == nil {
		return nil, invalidArgument("nil context")
	}
	if err := checkName(name); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	detached := context.WithoutCancel(ctx)
	ch := c.flights.Load().DoChan(name, func() (any, error) {
		return c.fetch(detached, name)
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*cacheState), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// fetch runs one shared request for name and settles its outcome.
func (c *Cache) fetch(ctx context.Context, name string) (*cacheState, error) {
	gen := c.gen.Load()
	// A caller that missed just before the previous fetch of name stored its value starts a new
	// fetch; it finds the value here, without a request.
	if st := c.unexpired(name); st != nil {
		return st, nil
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.fetchTimeout)
	defer cancel()
	value, err := c.read(ctx, name)
	return c.settle(ctx, name, gen, false, nil, value, err)
}

// read makes the request for name: its value, or why there is none.
func (c *Cache) read(ctx context.Context, name string) (*string, error) {
	s, err := c.source.GetByName(ctx, name)
	if err != nil {
		return nil, err
	}
	if s.Value == nil {
		return nil, withheldError(name)
	}
	return s.Value, nil
}

// settle turns the outcome of a fetch of name (a value, or err) into what the caller gets, and keeps
// it unless an invalidation happened since the fetch began (gen), or, for a background refresh,
// unless the entry it was to refresh is gone (evicted). The result is a state (a value, or a
// remembered failure in its err) or an error that is not remembered.
func (c *Cache) settle(ctx context.Context, name string, gen uint64, refresh bool, batch *readBatch, value *string, err error) (*cacheState, error) {
	st, err, stale := c.settleLocked(name, gen, refresh, batch, value, err)
	if stale != nil && c.logger != nil {
		c.logger.LogAttrs(ctx, slog.LevelWarn, "secrets: cache serving a stale value: refreshing it failed",
			slog.String("name", name),
			slog.String("error", stale.Error()),
			slog.Duration("age", time.Duration(c.now()-st.fetched)),
			slog.Time("staleUntil", c.at(st.staleUntil)))
	}
	return st, err
}

func (c *Cache) settleLocked(name string, gen uint64, refresh bool, batch *readBatch, value *string, err error) (st *cacheState, _ error, staleCause error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var now int64
	var draw float64
	if batch != nil {
		now, draw = batch.at, batch.draw
	} else {
		now, draw = c.now(), c.cfg.random()
	}
	e := c.entryLocked(name)
	keep := c.gen.Load() == gen && (e != nil || !refresh)
	if err != nil && e != nil {
		if old := e.state.Load(); old != nil && old.err == nil {
			err = maskHeld(err, old.value)
		}
	}
	switch {
	case err == nil:
		lifetime := c.jitteredBy(c.cfg.ttl, draw)
		st = &cacheState{value: *value, fetched: now, expires: later(now, lifetime)}
		st.refreshAt = st.expires - min(int64(c.cfg.refreshAhead), lifetime/2)
		st.staleUntil = later(st.expires, int64(c.cfg.staleFor))
		if keep {
			c.storeLocked(name, e, st, now)
		}
		return st, nil, nil

	case errors.Is(err, ErrNotFound) || errors.Is(err, ErrValueWithheld):
		st = &cacheState{err: err, fetched: now, expires: later(now, c.jitteredBy(c.cfg.negativeTTL, draw))}
		st.refreshAt, st.staleUntil = st.expires, st.expires
		switch {
		case !keep:
		case c.cfg.negativeTTL > 0:
			c.storeLocked(name, e, st, now)
		case e != nil:
			c.removeLocked(e)
		}
		return st, nil, nil

	case errors.Is(err, context.Canceled):
		return nil, err, nil // the caller gave up (GetMany): nothing was learnt

	case transientFailure(err):
		if c.cfg.staleFor > 0 && e != nil {
			if old := e.state.Load(); old != nil && old.err == nil && now < old.staleUntil {
				st = &cacheState{value: old.value, fetched: old.fetched,
					expires: min(now+c.jitteredBy(staleRetryInterval, draw), old.staleUntil), staleUntil: old.staleUntil, stale: true}
				st.refreshAt = st.expires
				if keep {
					e.state.Store(st)
				}
				return st, nil, err
			}
		}
		return nil, err, nil

	default: // authoritative (401, 403, 400…): whatever the cache held is no longer to be served
		if keep && e != nil {
			c.removeLocked(e)
		}
		return nil, err, nil
	}
}

// jittered returns d less a random fraction of it, up to the TTL jitter, in nanoseconds: for TTLs
// and for the retry interval after a failed refresh. It is called with c.mu held.
func (c *Cache) jittered(d time.Duration) int64 { return c.jitteredBy(d, c.cfg.random()) }

// jitteredBy is jittered with the random fraction draw, in [0, 1).
func (c *Cache) jitteredBy(d time.Duration, draw float64) int64 {
	return int64(d) - int64(float64(d)*c.cfg.ttlJitter*draw)
}

// readBatch is what the outcomes of one GetMany read share: one jitter draw and one settling
// instant, so that the names it read expire (and are missed, and read again) together, to the
// nanosecond; a key pair read together is not read again one half at a time.
type readBatch struct {
	draw float64
	at   int64
}

func (c *Cache) newReadBatch() *readBatch {
	c.mu.Lock()
	defer c.mu.Unlock()
	return &readBatch{draw: c.cfg.random(), at: c.now()}
}

// heldValues returns the values the cache holds for names, expired or not.
func (c *Cache) heldValues(names []string) []string {
	var values []string
	for _, name := range names {
		if v, ok := c.entries.Load(name); ok {
			if st := v.(*cacheEntry).state.Load(); st != nil && st.err == nil && st.value != "" {
				values = append(values, st.value)
			}
		}
	}
	return values
}

// maskHeld hides values the cache holds in what a failed refresh quotes from the server. The Client
// masks the token and the values it sends, but a read cannot know the value it is reading: without
// this, a server whose error quotes the stored secret would put it in the error the cache returns
// and in its stale-value Warn record. It handles the *APIError and *RequestError the Client returns;
// other errors (ours, which quote no server text) pass through.
func maskHeld(err error, values ...string) error {
	if len(values) == 0 {
		return err
	}
	switch e := err.(type) {
	case *APIError:
		masked := *e
		masked.Message = redact.MaskMessage(e.Message, values...) // normalized, maybe cut: not as the body spells it
		masked.RequestID = redact.String(e.RequestID, values...)
		if len(e.Body) > maxErrorBody/2 {
			masked.Body = redact.Cut(e.Body, values...) // it may have been cut at the limit, inside a value
		} else {
			masked.Body = redact.Bytes(e.Body, values...)
		}
		if masked.Message == e.Message && masked.RequestID == e.RequestID && bytes.Equal(masked.Body, e.Body) {
			return err
		}
		return &masked
	case *RequestError:
		if e.Err == nil {
			return err
		}
		text := e.Err.Error()
		if masked := redact.String(text, values...); masked != text {
			copied := *e
			copied.Err = &maskedError{text: masked, cause: e.Err}
			return &copied
		}
	}
	return err
}

// transientFailure reports a failure that may pass: no response, or 429 or 5xx.
func transientFailure(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.StatusCode == 429 || ae.StatusCode >= 500
	}
	var re *RequestError
	return errors.As(err, &re)
}

func (c *Cache) entryLocked(name string) *cacheEntry {
	if v, ok := c.entries.Load(name); ok {
		return v.(*cacheEntry)
	}
	return nil
}

// storeLocked sets the state of name, adding an entry (and evicting one, at the bound) if needed.
func (c *Cache) storeLocked(name string, e *cacheEntry, st *cacheState, now int64) {
	if e != nil {
		e.state.Store(st)
		return
	}
	var slot int
	if len(c.ring) >= c.cfg.maxEntries {
		slot = c.evictLocked(now)
	} else {
		slot = len(c.ring)
		c.ring = append(c.ring, nil)
	}
	e = &cacheEntry{name: name, slot: slot}
	e.state.Store(st)
	c.ring[slot] = e
	c.entries.Store(name, e)
}

// evictLocked removes one entry from the map and returns its slot in the ring, for a new entry to
// take. It sweeps from the hand: an entry that is past any use, or was not read since the last
// sweep, goes; a read one loses its mark and is spared this time (CLOCK).
func (c *Cache) evictLocked(now int64) int {
	n := len(c.ring)
	for i := 0; ; i++ {
		if c.hand >= n {
			c.hand = 0
		}
		e := c.ring[c.hand]
		st := e.state.Load()
		if i >= 2*n || st == nil || now >= st.staleUntil || !e.ref.Load() {
			c.entries.CompareAndDelete(e.name, e)
			slot := c.hand
			c.hand++
			return slot
		}
		e.ref.Store(false)
		c.hand++
	}
}

// removeLocked takes e out of the map and the ring.
func (c *Cache) removeLocked(e *cacheEntry) {
	c.entries.CompareAndDelete(e.name, e)
	if e.slot >= len(c.ring) || c.ring[e.slot] != e {
		return
	}
	last := len(c.ring) - 1
	moved := c.ring[last]
	c.ring[e.slot], moved.slot = moved, e.slot
	c.ring[last] = nil
	c.ring = c.ring[:last]
	if c.hand >= len(c.ring) {
		c.hand = 0
	}
}

// now is the time since base, from the monotonic clock (cheaper than time.Now) or the test clock.
func (c *Cache) now() int64 {
	if c.cfg.clock != nil {
		return int64(c.cfg.clock().Sub(c.base))
	}
	return int64(time.Since(c.base))
}

// later is the instant d nanoseconds after t, or the last instant there is: a TTL or bound of up to
// the largest time.Duration ("for ever") must not wrap round to the past.
func later(t, d int64) int64 {
	if d > math.MaxInt64-t {
		return math.MaxInt64
	}
	return t + d
}

func (c *Cache) at(offset int64) time.Time { return c.base.Add(time.Duration(offset)) }

// Format prints the cache's settings and size, never a value, whatever the verb.
func (c *Cache) Format(f fmt.State, _ rune) {
	if c == nil {
		_, _ = f.Write([]byte("secrets.Cache(nil)"))
		return
	}
	fmt.Fprintf(f, "secrets.Cache{TTL: %s, TTLJitter: %v, NegativeTTL: %s, StaleIfError: %s, RefreshAhead: %s, MaxEntries: %d, Len: %d}",
		c.cfg.ttl, c.cfg.ttlJitter, c.cfg.negativeTTL, c.cfg.staleFor, c.cfg.refreshAhead, c.cfg.maxEntries, c.Len())
}

// LogValue logs the cache's settings and size, never a value.
func (c *Cache) LogValue() slog.Value {
	if c == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(
		slog.Duration("ttl", c.cfg.ttl),
		slog.Float64("ttlJitter", c.cfg.ttlJitter),
		slog.Duration("negativeTTL", c.cfg.negativeTTL),
		slog.Duration("staleIfError", c.cfg.staleFor),
		slog.Duration("refreshAhead", c.cfg.refreshAhead),
		slog.Int("maxEntries", c.cfg.maxEntries),
		slog.Int("len", c.Len()))
}

// String describes the entry without its value.
func (e CacheEntry) String() string {
	return fmt.Sprintf("CacheEntry{Name: %q, Value: %s, FetchedAt: %s, ExpiresAt: %s, Stale: %t}",
		e.Name, redactedValue, e.FetchedAt.Format(time.RFC3339), e.ExpiresAt.Format(time.RFC3339), e.Stale)
}

// Format prints the entry as String does, whatever the verb, so no verb can reveal the value.
func (e CacheEntry) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(e.String())) }

// MarshalJSON encodes the entry with its value redacted, as Secret.MarshalJSON does.
func (e CacheEntry) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name      string    `json:"name"`
		Value     string    `json:"value"`
		FetchedAt time.Time `json:"fetchedAt"`
		ExpiresAt time.Time `json:"expiresAt"`
		Stale     bool      `json:"stale"`
	}{e.Name, redactedValue, e.FetchedAt, e.ExpiresAt, e.Stale})
}

// LogValue logs the entry without its value.
func (e CacheEntry) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", e.Name), slog.String("value", redactedValue),
		slog.Time("fetchedAt", e.FetchedAt), slog.Time("expiresAt", e.ExpiresAt), slog.Bool("stale", e.Stale))
}
