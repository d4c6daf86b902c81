package secrets

import (
	"log/slog"
	"math"
	"time"
)

// Defaults of the cache options; each is documented on its option.
const (
	defaultCacheTTL         = 5 * time.Minute
	defaultCacheNegativeTTL = 10 * time.Second
	defaultCacheMaxEntries  = 1000
	defaultCacheFetchTime   = time.Minute
	defaultCacheTTLJitter   = 0.1
	maxCacheTTLJitter       = 0.5
	maxCacheEntries         = 1 << 24

	// staleRetryInterval is how long a stale value is served, after a failed refresh, before the
	// cache tries again: at most one request per name per interval reaches a failing service.
	staleRetryInterval = 5 * time.Second
)

// CacheOption configures a Cache. Options are applied in order; an invalid value makes NewCache
// return an error wrapping ErrInvalidArgument.
type CacheOption func(*cacheConfig) error

type cacheConfig struct {
	ttl          time.Duration
	negativeTTL  time.Duration
	staleFor     time.Duration
	maxEntries   int
	fetchTimeout time.Duration
	refreshAhead time.Duration // 0: off
	ttlJitter    float64       // fraction of a TTL that may be cut off at random
	logger       *slog.Logger
	loggerSet    bool
	clock        func() time.Time // nil: the real clock, read cheaply (tests set a fake one)
	random       func() float64   // in [0, 1); nil: math/rand/v2 (tests set a fixed one)
}

func defaultCacheConfig() cacheConfig {
	return cacheConfig{
		ttl:          defaultCacheTTL,
		negativeTTL:  defaultCacheNegativeTTL,
		maxEntries:   defaultCacheMaxEntries,
		fetchTimeout: defaultCacheFetchTime,
		ttlJitter:    defaultCacheTTLJitter,
	}
}

// check validates what single options cannot, because it depends on several of them.
func (c *cacheConfig) check() error {
	if c.refreshAhead >= c.ttl {
		return invalidArgument("WithRefreshAhead: window %s is not shorter than the TTL %s", c.refreshAhead, c.ttl)
	}
	return nil
}

// WithTTL sets how long a value is served from memory before the next Get fetches it again;
// default 5 minutes, less a random jitter of up to 10% (WithTTLJitter). It is also how long a
// rotated value can go unnoticed, unless Invalidate is called. d must be positive.
func WithTTL(d time.Duration) CacheOption {
	return func(c *cacheConfig) error {
		if d <= 0 {
			return invalidArgument("WithTTL: %s is not positive", d)
		}
		c.ttl = d
		return nil
	}
}

// WithNegativeTTL sets how long "not found" (ErrNotFound) and "value withheld" (ErrValueWithheld)
// are remembered, so that a mistyped name does not send a request on every Get; default 10 seconds,
// less a random jitter of up to 10% (WithTTLJitter). 0 turns negative caching off. d must not be
// negative.
func WithNegativeTTL(d time.Duration) CacheOption {
	return func(c *cacheConfig) error {
		if d < 0 {
			return invalidArgument("WithNegativeTTL: %s is negative", d)
		}
		c.negativeTTL = d
		return nil
	}
}

// WithStaleIfError lets the cache keep serving a value for up to d past its TTL when refreshing it
// fails with a transient failure: a 5xx or 429 response (*APIError), or no response at all
// (*RequestError: network, timeout). Authoritative answers are never masked: ErrNotFound,
// ErrForbidden, ErrUnauthorized and the like drop the value at once. Each time a stale value is
// served after a failed refresh, the cache logs a Warn record (name, error, age; never the value)
// and waits 5 seconds, less the TTL jitter (or until the bound, if sooner), before it tries the
// service again. Default 0: off, a failed refresh is returned to the caller. d must not be
// negative.
func WithStaleIfError(d time.Duration) CacheOption {
	return func(c *cacheConfig) error {
		if d < 0 {
			return invalidArgument("WithStaleIfError: %s is negative", d)
		}
		c.staleFor = d
		return nil
	}
}

// WithRefreshAhead makes a Get that finds a value within window of its expiry start one
// background refresh of it (GET /v1/secrets?name=, shared with any Get that misses meanwhile)
// and return the value it holds at once; the refreshed value replaces it when it arrives. A name
// read steadily is then never fetched on a caller's path. Default 0: off, the first Get after
// expiry waits for the request.
//
// Refreshes are driven by reads: a name nobody reads is not refreshed, and eviction works as without the
// option. A refresh that fails, whatever the failure, leaves the value served until it expires, with a
// Warn record to the logger, and is tried again after 5 seconds less the TTL jitter (or at expiry, if
// sooner); once the value has expired, the rules of WithStaleIfError apply as for any Get. An Invalidate
// during a refresh discards its result. The refresh starts no earlier than halfway through the value's
// lifetime, whatever the window, so a name is fetched at most about twice per TTL. Refreshes run on the
// Cache's own goroutines: Close ends them.
//
// window must not be negative and must be shorter than the TTL; NewCache checks it once every
// option is applied, so the order of WithTTL and WithRefreshAhead does not matter.
func WithRefreshAhead(window time.Duration) CacheOption {
	return func(c *cacheConfig) error {
		if window < 0 {
			return invalidArgument("WithRefreshAhead: %s is negative", window)
		}
		c.refreshAhead = window
		return nil
	}
}

// WithTTLJitter cuts each value's TTL, each negative TTL and each wait before retrying a failed
// refresh by a random fraction of it, up to fraction, so that replicas that started together do not
// refresh together (a fleet whose requests arrive in bursts is answered with 429). The names one
// GetMany reads share one draw and one settling instant, so that they expire at the same instant
// and the next GetMany reads them again together (with a draw each, one half of a key pair could be
// served rotated for minutes while the other is still old). Default 0.1: a 5-minute TTL lasts
// between 4.5 and 5 minutes. 0 turns jitter off. fraction must be between 0 and 0.5.
func WithTTLJitter(fraction float64) CacheOption {
	return func(c *cacheConfig) error {
		if math.IsNaN(fraction) || fraction < 0 || fraction > maxCacheTTLJitter {
			return invalidArgument("WithTTLJitter: %v is outside 0..%v", fraction, maxCacheTTLJitter)
		}
		c.ttlJitter = fraction
		return nil
	}
}

// WithMaxEntries bounds how many names the cache holds (values and remembered failures alike);
// default 1000. When a new name would exceed it, the cache evicts one it holds: an expired one if it
// finds one, else one not read since the eviction sweep last passed (the CLOCK approximation of
// least recently used, which keeps hits free of locks). n must be between 1 and 16,777,216.
func WithMaxEntries(n int) CacheOption {
	return func(c *cacheConfig) error {
		if n < 1 || n > maxCacheEntries {
			return invalidArgument("WithMaxEntries: %d is outside 1..%d", n, maxCacheEntries)
		}
		c.maxEntries = n
		return nil
	}
}

// WithFetchTimeout bounds one fetch, retries included; default 1 minute. A fetch is shared by every
// Get waiting for the same name, so it does not end when the context of the Get that started it
// does (each Get still returns when its own context ends); this bound keeps an abandoned fetch from
// running on. d must be positive.
func WithFetchTimeout(d time.Duration) CacheOption {
	return func(c *cacheConfig) error {
		if d <= 0 {
			return invalidArgument("WithFetchTimeout: %s is not positive", d)
		}
		c.fetchTimeout = d
		return nil
	}
}

// WithCacheLogger sets where the cache reports stale values it serves after a failed refresh, and
// background refreshes (WithRefreshAhead) that failed (Warn records with the name, the error and the
// value's age or expiry, never the value). Default: the logger of the Client (WithLogger), else none.
// nil turns logging off.
func WithCacheLogger(l *slog.Logger) CacheOption {
	return func(c *cacheConfig) error {
		c.logger, c.loggerSet = l, true
		return nil
	}
}

// withCacheRandom replaces the random source of TTL jitter, for deterministic tests; see
// cache_export_test.go. It is called with the Cache's lock held.
func withCacheRandom(random func() float64) CacheOption {
	return func(c *cacheConfig) error {
		if random == nil {
			return invalidArgument("withCacheRandom: nil source")
		}
		c.random = random
		return nil
	}
}

// withCacheClock replaces the clock, for tests of expiry; see cache_export_test.go.
func withCacheClock(now func() time.Time) CacheOption {
	return func(c *cacheConfig) error {
		if now == nil {
			return invalidArgument("withCacheClock: nil clock")
		}
		c.clock = now
		return nil
	}
}
