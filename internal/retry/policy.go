// Package retry is the SDK's retry policy for go-retryablehttp: which failures are worth another
// attempt, and how long to wait before it.
package retry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"
)

// State is the per-call bookkeeping carried in the request context. Only the goroutine running the
// call touches it (retryablehttp calls its hooks and policy synchronously), so it needs no locking.
type State struct {
	// Idempotent is false for writes that must not be repeated blindly (POST /v1/secrets,
	// PATCH …/accessControls): those are retried only when nothing reached the server.
	Idempotent bool
	// Attempts counts the attempts made so far.
	Attempts int
	// MaybeProcessed is set when the policy retries after an attempt that may have reached the
	// server and been processed (anything but a failed dial or a 429): a later 404 to a DELETE, for
	// one, then means that an earlier attempt did the work.
	MaybeProcessed bool
}

type stateKey struct{}

// WithState returns a context carrying st.
func WithState(ctx context.Context, st *State) context.Context {
	return context.WithValue(ctx, stateKey{}, st)
}

// Ctx is a context carrying a State, in one allocation where WithState takes two: a call embeds it
// in its own bookkeeping and passes a pointer to it as the request's context.
type Ctx struct {
	context.Context
	State
}

// Value answers StateFrom's key with the embedded State and defers every other key to the parent.
func (c *Ctx) Value(key any) any {
	if key == (stateKey{}) {
		return &c.State
	}
	return c.Context.Value(key)
}

// StateFrom returns the State in ctx, or nil.
func StateFrom(ctx context.Context) *State {
	st, _ := ctx.Value(stateKey{}).(*State)
	return st
}

// permanentError marks an error that no retry can fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent wraps err so that the policy never retries it. errors.Is and errors.As see through it.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// Policy decides retries. WaitMax is also the largest Retry-After the policy accepts: a server that
// asks for more is not waited for.
type Policy struct {
	WaitMax time.Duration
	// RetryMax is the number of retries after the first attempt. The policy declines to retry the
	// last attempt itself, so that retryablehttp hands its response back as an ordinary one (rather
	// than as a failure after which it closes the client's idle connections).
	RetryMax int
	// Now is the clock used to read HTTP-date Retry-After values; nil means time.Now.
	Now func() time.Time
	// LoopbackRefusedMax caps the retries after a dial to a loopback address was refused: nothing
	// listens there (an emulator not started, or a wrong port), and waiting out the whole budget
	// (7.5–11 s of waits by default) only delays the answer. One retry still covers an emulator that is
	// starting as the call is made. The zero value retries such a dial not at all.
	LoopbackRefusedMax int
}

func (p Policy) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// CheckRetry implements retryablehttp.CheckRetry. It returns a non-nil error only for a finished
// context, so that the caller sees the context's error.
func (p Policy) CheckRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	st := StateFrom(ctx)
	if st == nil {
		st = &State{Idempotent: true}
	} else if st.Attempts > p.RetryMax {
		return false, nil // no retry is left
	}
	if err != nil && RefusedLoopback(err) && st.Attempts > p.LoopbackRefusedMax {
		return false, nil
	}
	retry := p.decide(st.Idempotent, resp, err)
	if retry && !nothingProcessed(resp, err) {
		st.MaybeProcessed = true
	}
	return retry, nil
}

// decide is CheckRetry's verdict on one attempt.
func (p Policy) decide(idempotent bool, resp *http.Response, err error) bool {
	if err != nil {
		if idempotent {
			return transient(err)
		}
		return nothingSent(err)
	}
	if resp == nil {
		return false
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		// A rate-limited request was not processed, so even a POST may be repeated.
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if !idempotent {
			return false
		}
	default:
		return false
	}
	if ra, ok := RetryAfter(resp, p.now()); ok && ra > p.WaitMax {
		return false
	}
	return true
}

// Backoff implements retryablehttp.Backoff. With a Retry-After it waits what the server asked for
// (CheckRetry has already refused values above waitMax). Otherwise the base d doubles from waitMin
// with each attempt, up to waitMax, and the wait is drawn in [d, 1.5d] (capped at waitMax; once d has
// reached the cap, in [2/3, 1] of it). No wait is ever shorter than waitMin: a Retry-After of 0, a
// negative one or a date in the past would otherwise let a server, or a proxy, drive the client into
// a tight loop of retries, and jitter that went below the minimum would do the same more politely.
func (p Policy) Backoff(waitMin, waitMax time.Duration, attemptNum int, resp *http.Response) time.Duration {
	if ra, ok := RetryAfter(resp, p.now()); ok {
		return max(ra, waitMin)
	}
	d := waitMin
	for i := 0; i < attemptNum && d < waitMax; i++ {
		if d > waitMax/2 { // doubling would pass waitMax, or overflow when waitMax is huge
			d = waitMax
			break
		}
		d *= 2
	}
	d = min(d, waitMax)
	hi := waitMax
	if d <= waitMax-d/2 { // d + d/2 without overflow
		hi = d + d/2
	}
	lo := max(hi-hi/3, waitMin) // d below the cap
	if hi <= lo {
		return lo
	}
	return lo + rand.N(hi-lo+1)
}

// transient reports whether a transport error may go away on another attempt.
func transient(err error) bool {
	var perm *permanentError
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	switch {
	case errors.As(err, &perm),
		errors.Is(err, context.Canceled),
		errors.As(err, &unknownAuthority), errors.As(err, &hostname), errors.As(err, &invalid),
		errors.As(err, &verify),
		// A redirect whose Location does not parse fails the same way on every attempt. net/http
		// reports it with a formatted error only, so its text is all there is to go by.
		strings.Contains(err.Error(), "failed to parse Location header"):
		return false
	}
	return true
}

// nothingProcessed reports an attempt that the server cannot have acted on: a failed dial, or a 429.
func nothingProcessed(resp *http.Response, err error) bool {
	if err != nil {
		return nothingSent(err)
	}
	return resp != nil && resp.StatusCode == http.StatusTooManyRequests
}

// nothingSent reports an error that happened before any byte of the request could reach the server:
// the connection was never made.
func nothingSent(err error) bool {
	var perm *permanentError
	if errors.As(err, &perm) {
		return false
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// RefusedLoopback reports a dial to a loopback address that was refused: nothing listens there.
func RefusedLoopback(err error) bool {
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "dial" || !errors.Is(err, syscall.ECONNREFUSED) {
		return false
	}
	addr, ok := op.Addr.(*net.TCPAddr)
	return ok && addr.IP.IsLoopback()
}
