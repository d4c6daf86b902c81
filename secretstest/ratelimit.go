package secretstest

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// WithRateLimit makes the Server answer 429 Too Many Requests, with a Retry-After header, above
// perSecond requests per second, as the service does to bursts. It is a token bucket that holds up
// to burst requests (a burst below 1 is taken as 1) and starts full: burst requests pass at once,
// then one more every 1/perSecond seconds. Every request counts, whatever its endpoint, its identity
// or its outcome (an unauthenticated one too); a refused request takes no token. Retry-After is the
// wait until the next token, in whole seconds rounded up, at least 1.
//
// Time is the Server's clock (WithClock), so tests can drive the limiter with a fake clock. The limit
// applies after SetLatency's delay and before injected faults: a refused request is recorded, but
// consumes no FailNext, DropNext or TruncateNext and changes nothing. A perSecond that is not a
// positive finite number leaves the Server unlimited.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(c *config) {
		if perSecond > 0 && !math.IsInf(perSecond, 1) { // also false for NaN
			c.ratePerSecond, c.rateBurst = perSecond, max(burst, 1)
		}
	}
}

// newRateLimiter returns the limiter a config asks for, or nil for none. Each Server gets its own,
// even when two share an Option value.
func newRateLimiter(c config) *rateLimiter {
	if c.ratePerSecond == 0 {
		return nil
	}
	burst := float64(c.rateBurst)
	return &rateLimiter{perSecond: c.ratePerSecond, burst: burst, tokens: burst}
}

// tokenEpsilon absorbs floating-point error in refills: 10 requests per second for 100 ms is one
// token, even if the arithmetic gives 0.9999999999.
const tokenEpsilon = 1e-9

// rateLimiter is a token bucket.
type rateLimiter struct {
	perSecond float64
	burst     float64

	mu     sync.Mutex
	tokens float64   // starts full
	last   time.Time // when tokens was last brought up to date; the first request's refill is capped by burst
}

// take spends a token at now, or reports how long until one is available.
func (l *rateLimiter) take(now time.Time) (allowed bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.After(l.last) { // a clock that goes back refills nothing
		l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.perSecond)
		l.last = now
	}
	if l.tokens >= 1-tokenEpsilon {
		l.tokens = max(l.tokens-1, 0)
		return true, 0
	}
	// In float seconds first: at a very slow rate the wait overflows a Duration, which would wrap to a
	// negative wait and a Retry-After of 1, inviting the very retries the limit refuses.
	secs := (1 - l.tokens) / l.perSecond
	if secs >= maxWait.Seconds() {
		return false, maxWait
	}
	return false, time.Duration(secs * float64(time.Second))
}

// maxWait is the longest wait take reports: the largest Duration, about 292 years.
const maxWait = time.Duration(math.MaxInt64)

// limit takes a token for one request. The clock is read only when there is a limiter: tests that
// count the clock's readings (a stepping clock) see only the Server's timestamps.
func (s *Server) limit() (allowed bool, wait time.Duration) {
	if s.limiter == nil {
		return true, 0
	}
	return s.limiter.take(s.now())
}

// rateLimited is the 429 reply, with Retry-After in whole seconds, rounded up, at least 1.
func rateLimited(wait time.Duration) reply {
	secs := max(int64(math.Ceil(wait.Seconds())), 1)
	return fail(http.StatusTooManyRequests, "rate limit exceeded: retry later").
		with("Retry-After", strconv.FormatInt(secs, 10))
}
