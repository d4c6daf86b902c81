package retry_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/helios-secrets/go-secrets/internal/retry"
)

// TestMain fails the run when a test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var now = time.Date(2030, 6, 15, 12, 0, 0, 0, time.UTC)

const year = 365 * 24 * time.Hour

// parseRetryAfterCases are the readings of ParseRetryAfter at now; they seed FuzzParseRetryAfter too.
var parseRetryAfterCases = []struct {
	in   string
	want time.Duration
	ok   bool
}{
	{"", 0, false},
	{"   ", 0, false},
	{"0", 0, true},
	{"5", 5 * time.Second, true},
	{" 7 ", 7 * time.Second, true},
	{"120", 2 * time.Minute, true},
	{"31536000", year, true},
	{"31536001", year, true},
	{"18446744073709551615", year, true},
	{"99999999999999999999999999", year, true},
	{"-1", 0, false},
	{"+5", 0, false},
	{"1.5", 0, false},
	{"5s", 0, false},
	{"5 6", 0, false},
	{"abc", 0, false},
	{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second, true},
	{now.Add(90 * time.Minute).Format(http.TimeFormat), 90 * time.Minute, true},
	{now.Format(http.TimeFormat), 0, true},
	{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
	{"Sunday, 06-Nov-94 08:49:37 GMT", 0, true}, // RFC 850, in the past
	{"Sun Nov  6 08:49:37 1994", 0, true},       // asctime, in the past
	{now.Add(2 * time.Second).Format(time.RFC850), 2 * time.Second, true},
	{"Fri, 31 Dec 9999 23:59:59 GMT", year, true},
	{"Mon, 32 Foo 2030 25:61:61 GMT", 0, false},
	{"2030-06-15T12:00:30Z", 0, false}, // RFC 3339 is not an HTTP date
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	for _, tc := range parseRetryAfterCases {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			d, ok := retry.ParseRetryAfter(tc.in, now)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, d)
		})
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	d, ok := retry.RetryAfter(nil, now)
	assert.False(t, ok)
	assert.Zero(t, d)
	resp := &http.Response{Header: http.Header{"Retry-After": {"3"}}}
	d, ok = retry.RetryAfter(resp, now)
	assert.True(t, ok)
	assert.Equal(t, 3*time.Second, d)
	d, ok = retry.RetryAfter(&http.Response{Header: http.Header{}}, now)
	assert.False(t, ok)
	assert.Zero(t, d)
}

// errorKinds are transport failures, by whether an idempotent and a non-idempotent request retry them.
var errorKinds = []struct {
	name              string
	err               error
	idempotent, write bool
}{
	{"dial refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, true, true},
	{"dial in url.Error", &url.Error{Op: "Post", URL: "https://x/v1/secrets", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("no such host")}}, true, true},
	{"read reset", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, true, false},
	{"write broken pipe", &net.OpError{Op: "write", Net: "tcp", Err: syscall.EPIPE}, true, false},
	{"unexpected EOF", io.ErrUnexpectedEOF, true, false},
	{"attempt timeout", fmt.Errorf("awaiting headers: %w", context.DeadlineExceeded), true, false},
	{"plain error", errors.New("something broke"), true, false},
	{"permanent", retry.Permanent(errors.New("refused redirect")), false, false},
	{"permanent dial", retry.Permanent(&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), false, false},
	{"canceled", &url.Error{Op: "Get", URL: "https://x", Err: context.Canceled}, false, false},
	{"unknown authority", &url.Error{Op: "Get", Err: x509.UnknownAuthorityError{}}, false, false},
	{"wrong host name", x509.HostnameError{Host: "evil.example"}, false, false},
	{"expired certificate", x509.CertificateInvalidError{Reason: x509.Expired}, false, false},
	{"TLS verification", &tls.CertificateVerificationError{Err: errors.New("bad")}, false, false},
}

func TestCheckRetry_Errors(t *testing.T) {
	t.Parallel()
	p := retry.Policy{WaitMax: time.Minute}
	for _, tc := range errorKinds {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, c := range []struct {
				ctx  context.Context
				want bool
			}{
				{retry.WithState(context.Background(), &retry.State{Idempotent: true}), tc.idempotent},
				{context.Background(), tc.idempotent}, // no State: treated as idempotent
				{retry.WithState(context.Background(), &retry.State{Idempotent: false}), tc.write},
			} {
				ok, err := p.CheckRetry(c.ctx, nil, tc.err)
				assert.NoError(t, err)
				assert.Equal(t, c.want, ok)
			}
		})
	}
}

func TestCheckRetry_Statuses(t *testing.T) {
	t.Parallel()
	p := retry.Policy{WaitMax: time.Minute}
	for _, status := range []int{200, 201, 204, 301, 304, 400, 401, 403, 404, 409, 413, 422, 429, 500, 501, 502, 503, 504, 505, 599} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			transient := status == 500 || status == 502 || status == 503 || status == 504
			resp := &http.Response{StatusCode: status, Header: http.Header{}}
			for _, idempotent := range []bool{true, false} {
				ctx := retry.WithState(context.Background(), &retry.State{Idempotent: idempotent})
				ok, err := p.CheckRetry(ctx, resp, nil)
				assert.NoError(t, err)
				want := status == 429 || (idempotent && transient)
				assert.Equal(t, want, ok, "idempotent=%v", idempotent)
			}
		})
	}
}

func TestCheckRetry_RetryAfterLimit(t *testing.T) {
	t.Parallel()
	p := retry.Policy{WaitMax: 10 * time.Second, Now: func() time.Time { return now }}
	cases := []struct {
		status     int
		retryAfter string
		idempotent bool
		want       bool
	}{
		{429, "9", false, true},
		{429, "10", false, true},
		{429, "11", false, false},
		{503, "10", true, true},
		{503, "11", true, false},
		{503, now.Add(5 * time.Second).Format(http.TimeFormat), true, true},
		{503, now.Add(time.Hour).Format(http.TimeFormat), true, false},
		{503, now.Add(-time.Hour).Format(http.TimeFormat), true, true},
		{503, "garbage", true, true},
		{500, "1", false, false},
	}
	for _, tc := range cases {
		resp := &http.Response{StatusCode: tc.status, Header: http.Header{"Retry-After": {tc.retryAfter}}}
		ctx := retry.WithState(context.Background(), &retry.State{Idempotent: tc.idempotent})
		ok, err := p.CheckRetry(ctx, resp, nil)
		assert.NoError(t, err)
		assert.Equal(t, tc.want, ok, "%d Retry-After %q idempotent=%v", tc.status, tc.retryAfter, tc.idempotent)
	}
}

func TestCheckRetry_FinishedContext(t *testing.T) {
	t.Parallel()
	p := retry.Policy{WaitMax: time.Minute}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	for _, ctx := range []context.Context{canceled, expired} {
		for _, in := range []struct {
			resp *http.Response
			err  error
		}{
			{&http.Response{StatusCode: 503}, nil},
			{nil, &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}},
			{&http.Response{StatusCode: 200}, nil},
		} {
			ok, err := p.CheckRetry(ctx, in.resp, in.err)
			assert.False(t, ok)
			assert.ErrorIs(t, err, ctx.Err())
		}
	}
}

func TestCheckRetry_NothingAtAll(t *testing.T) {
	t.Parallel()
	ok, err := retry.Policy{}.CheckRetry(context.Background(), nil, nil)
	assert.False(t, ok)
	assert.NoError(t, err)
}

func TestBackoff_Bounds(t *testing.T) {
	t.Parallel()
	cases := []struct {
		min, max time.Duration
		attempt  int
		want     time.Duration // the base before jitter: the result is in [want, 1.5 want], capped at max
	}{
		{100 * time.Millisecond, 10 * time.Second, 0, 100 * time.Millisecond},
		{100 * time.Millisecond, 10 * time.Second, 1, 200 * time.Millisecond},
		{100 * time.Millisecond, 10 * time.Second, 3, 800 * time.Millisecond},
		{100 * time.Millisecond, 10 * time.Second, 7, 10 * time.Second},
		{100 * time.Millisecond, 10 * time.Second, 1000, 10 * time.Second},
		{time.Second, time.Second, 5, time.Second},
		{time.Second, time.Duration(math.MaxInt64), 40, time.Duration(math.MaxInt64)},
		{time.Second, time.Duration(math.MaxInt64), 100, time.Duration(math.MaxInt64)},
		{1, 1, 3, 1},
	}
	p := retry.Policy{}
	assert.Zero(t, p.Backoff(0, time.Second, 5, nil), "min 0 never waits")

	for _, tc := range cases {
		t.Run(fmt.Sprintf("%v-%v-%d", tc.min, tc.max, tc.attempt), func(t *testing.T) {
			t.Parallel()
			hi := tc.max
			if tc.want < tc.max-tc.want/2 {
				hi = tc.want + tc.want/2
			}
			for i := 0; i < 200; i++ {
				d := p.Backoff(tc.min, tc.max, tc.attempt, nil)
				assert.GreaterOrEqual(t, d, tc.min, "never below the minimum")
				assert.GreaterOrEqual(t, d, hi-hi/3)
				assert.LessOrEqual(t, d, hi)
				assert.LessOrEqual(t, d, tc.max)
			}
		})
	}
}

func TestBackoff_JitterSpansItsRange(t *testing.T) {
	t.Parallel()
	p := retry.Policy{}
	for _, tc := range []struct {
		attempt int
		lo, hi  time.Duration
	}{
		{0, time.Second, 1500 * time.Millisecond}, // the first retry is jittered too, above the minimum
		{2, 4 * time.Second, 6 * time.Second},     // base 4s
		{10, 40 * time.Second, time.Minute},       // at the cap: [2/3, 1] of it
	} {
		lo, hi := time.Duration(math.MaxInt64), time.Duration(0)
		for i := 0; i < 2000; i++ {
			w := p.Backoff(time.Second, time.Minute, tc.attempt, nil)
			lo, hi = min(lo, w), max(hi, w)
		}
		span := tc.hi - tc.lo
		assert.Less(t, lo, tc.lo+span/10, "attempt %d: some waits near the low end", tc.attempt)
		assert.Greater(t, hi, tc.hi-span/10, "attempt %d: some waits near the high end", tc.attempt)
		assert.GreaterOrEqual(t, lo, tc.lo, "attempt %d", tc.attempt)
		assert.LessOrEqual(t, hi, tc.hi, "attempt %d", tc.attempt)
	}
}

func TestBackoff_RetryAfter(t *testing.T) {
	t.Parallel()
	p := retry.Policy{Now: func() time.Time { return now }}
	cases := []struct {
		header string
		want   time.Duration
	}{
		{"3", 3 * time.Second},
		{"3600", time.Hour}, // CheckRetry has already refused what is over the maximum
		{now.Add(4 * time.Second).Format(http.TimeFormat), 4 * time.Second},
		// Never sooner than the minimum wait (1s here), however the server says "now".
		{"0", time.Second},
		{" 0 ", time.Second},
		{"00", time.Second},
		{"1", time.Second},
		{now.Add(-4 * time.Second).Format(http.TimeFormat), time.Second},
		{now.Format(http.TimeFormat), time.Second},
		{now.Add(500 * time.Millisecond).Format(http.TimeFormat), time.Second},
		{"Thu, 01 Jan 1970 00:00:00 GMT", time.Second},
		{"Mon, 01 Jan 0001 00:00:00 GMT", time.Second},
	}
	for _, tc := range cases {
		for _, status := range []int{429, 500, 502, 503, 504} {
			resp := &http.Response{StatusCode: status, Header: http.Header{"Retry-After": {tc.header}}}
			for attempt := range 3 {
				assert.Equal(t, tc.want, p.Backoff(time.Second, 2*time.Hour, attempt, resp), "%q, %d, attempt %d", tc.header, status, attempt)
			}
		}
	}
	// A malformed or negative Retry-After falls back to the backoff, which never goes below the minimum.
	for _, header := range []string{"soon", "-1", "-0", "-3600", "1.5", "0x10", "+5", ""} {
		resp := &http.Response{StatusCode: 503, Header: http.Header{"Retry-After": {header}}}
		for attempt := range 3 {
			d := p.Backoff(100*time.Millisecond, time.Second, attempt, resp)
			assert.GreaterOrEqual(t, d, 100*time.Millisecond<<attempt, "%q, attempt %d", header, attempt)
			assert.LessOrEqual(t, d, 150*time.Millisecond<<attempt, "%q, attempt %d", header, attempt)
		}
	}
	// A minimum of 0 (WithRetryWait(0, …)) is honoured as given.
	resp := &http.Response{StatusCode: 503, Header: http.Header{"Retry-After": {"0"}}}
	assert.Zero(t, p.Backoff(0, time.Second, 0, resp))
}

func TestState(t *testing.T) {
	t.Parallel()
	assert.Nil(t, retry.StateFrom(context.Background()))
	st := &retry.State{Idempotent: true}
	assert.Same(t, st, retry.StateFrom(retry.WithState(context.Background(), st)))
}

func TestPermanent(t *testing.T) {
	t.Parallel()
	assert.NoError(t, retry.Permanent(nil))
	cause := &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}
	err := retry.Permanent(cause)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
	var op *net.OpError
	assert.ErrorAs(t, err, &op)
	assert.Equal(t, cause.Error(), err.Error())
}

func TestCtxCarriesState(t *testing.T) {
	t.Parallel()
	type key struct{}
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
	c := &retry.Ctx{Context: parent, State: retry.State{Idempotent: true}}
	assert.Same(t, &c.State, retry.StateFrom(c))
	assert.Equal(t, "v", c.Value(key{}))
	// A context derived from it still finds the state and still sees the parent's cancellation.
	child, stop := context.WithTimeout(c, time.Hour)
	defer stop()
	assert.Same(t, &c.State, retry.StateFrom(child))
	cancel()
	<-child.Done()
	assert.ErrorIs(t, child.Err(), context.Canceled)
}

func TestCheckRetry_LastAttemptAndMaybeProcessed(t *testing.T) {
	t.Parallel()
	p := retry.Policy{WaitMax: time.Second, RetryMax: 2}
	resp := func(status int) *http.Response { return &http.Response{StatusCode: status, Header: http.Header{}} }

	st := &retry.State{Idempotent: true, Attempts: 3}
	ok, err := p.CheckRetry(retry.WithState(context.Background(), st), resp(503), nil)
	require.NoError(t, err)
	assert.False(t, ok, "the last attempt is not retried: its response is handed back as it is")

	st = &retry.State{Idempotent: true, Attempts: 1}
	ok, _ = p.CheckRetry(retry.WithState(context.Background(), st), resp(429), nil)
	assert.True(t, ok)
	assert.False(t, st.MaybeProcessed, "a 429 was not processed")
	ok, _ = p.CheckRetry(retry.WithState(context.Background(), st), resp(503), nil)
	assert.True(t, ok)
	assert.True(t, st.MaybeProcessed, "a 503 may have been")
}

func TestRefusedLoopback(t *testing.T) {
	t.Parallel()
	refused := func(ip string, op string, cause error) error {
		return &url.Error{Op: "Get", URL: "http://x", Err: &net.OpError{Op: op, Net: "tcp",
			Addr: &net.TCPAddr{IP: net.ParseIP(ip), Port: 9}, Err: os.NewSyscallError("connect", cause)}}
	}
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"IPv4 loopback", refused("127.0.0.1", "dial", syscall.ECONNREFUSED), true},
		{"elsewhere in 127/8", refused("127.3.2.1", "dial", syscall.ECONNREFUSED), true},
		{"IPv6 loopback", refused("::1", "dial", syscall.ECONNREFUSED), true},
		{"remote", refused("192.0.2.1", "dial", syscall.ECONNREFUSED), false},
		{"loopback, reset after the dial", refused("127.0.0.1", "read", syscall.ECONNRESET), false},
		{"loopback, timed out", refused("127.0.0.1", "dial", syscall.ETIMEDOUT), false},
		{"no address", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, false},
		{"not a net error", errors.New("connection refused"), false},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, retry.RefusedLoopback(tc.err), tc.name)
	}

	// The cap: LoopbackRefusedMax retries, then no more, whatever RetryMax allows.
	p := retry.Policy{RetryMax: 10, WaitMax: time.Second, LoopbackRefusedMax: 1}
	for attempts, want := range map[int]bool{1: true, 2: false, 5: false} {
		st := &retry.State{Idempotent: true, Attempts: attempts}
		ok, err := p.CheckRetry(retry.WithState(context.Background(), st), nil, refused("127.0.0.1", "dial", syscall.ECONNREFUSED))
		require.NoError(t, err)
		assert.Equal(t, want, ok, "after %d attempts", attempts)
		ok, _ = p.CheckRetry(retry.WithState(context.Background(), st), nil, refused("192.0.2.1", "dial", syscall.ECONNREFUSED))
		assert.True(t, ok, "a remote refusal keeps the full budget, after %d attempts", attempts)
	}
}

// TestCheckRetry_UnparsableLocation: net/http fails a redirect whose Location header does not parse,
// the same way on every attempt; the policy does not retry it. The error is produced by a real
// http.Client, so that a change of its wording in a later Go shows here.
func TestCheckRetry_UnparsableLocation(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.Header().Set("Location", "https://example.com/%zz")
		w.WriteHeader(http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	resp, err := srv.Client().Get(srv.URL)
	if resp != nil {
		resp.Body.Close()
	}
	require.Error(t, err)
	var ue *url.Error
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, int32(1), hits.Load())

	p := retry.Policy{WaitMax: time.Minute}
	for _, idempotent := range []bool{true, false} {
		ctx := retry.WithState(context.Background(), &retry.State{Idempotent: idempotent})
		for _, e := range []error{err, ue.Err, fmt.Errorf("wrapped: %w", err)} {
			ok, checkErr := p.CheckRetry(ctx, nil, e)
			assert.NoError(t, checkErr)
			assert.False(t, ok, "idempotent=%v: %v", idempotent, e)
		}
	}
}

// FuzzParseRetryAfter: whatever the header and the clock, the delay is never negative, never above
// the clamp, zero when the value is refused, exactly the number of seconds (clamped) for a number,
// and the same through RetryAfter.
func FuzzParseRetryAfter(f *testing.F) {
	for _, tc := range parseRetryAfterCases {
		f.Add(tc.in, now.Unix())
	}
	for _, seed := range []struct { // clocks at the ends of time, 2^64 seconds
		v   string
		now int64
	}{
		{"Mon, 01 Jan 0001 00:00:00 GMT", 1 << 62}, {"Fri, 31 Dec 9999 23:59:59 GMT", -1 << 62},
		{"Sat, 15 Jun 2030 12:00:30 GMT", -62135596800}, {"\t\n", now.Unix()}, {"18446744073709551616", now.Unix()},
	} {
		f.Add(seed.v, seed.now)
	}
	f.Fuzz(func(t *testing.T, v string, nowUnix int64) {
		now := time.Unix(nowUnix, 0)
		d, ok := retry.ParseRetryAfter(v, now)
		require.GreaterOrEqual(t, d, time.Duration(0), "%q", v)
		require.LessOrEqual(t, d, year, "%q", v)
		if !ok {
			assert.Zero(t, d, "a refused value gives no delay")
		} else {
			assert.NotEmpty(t, strings.TrimSpace(v), "an empty value is refused")
		}
		if trimmed := strings.TrimSpace(v); trimmed != "" && strings.Trim(trimmed, "0123456789") == "" {
			secs, _ := new(big.Int).SetString(trimmed, 10)
			want := year
			if secs.Cmp(big.NewInt(int64(year/time.Second))) <= 0 {
				want = time.Duration(secs.Int64()) * time.Second
			}
			assert.True(t, ok, "delay-seconds %q", v)
			assert.Equal(t, want, d, "delay-seconds %q", v)
		}
		if _, err := http.ParseTime(strings.TrimSpace(v)); err == nil {
			assert.True(t, ok, "HTTP date %q", v)
		}
		again, ok2 := retry.ParseRetryAfter(v, now)
		assert.Equal(t, d, again)
		assert.Equal(t, ok, ok2)
		if !strings.ContainsAny(v, "\r\n\x00") { // header values never hold these
			d3, ok3 := retry.RetryAfter(&http.Response{Header: http.Header{"Retry-After": {v}}}, now)
			assert.Equal(t, d, d3)
			assert.Equal(t, ok, ok3)
		}
	})
}

// FuzzBackoff: for every configuration the options accept (0 <= min <= max, max > 0) and every
// attempt, the wait without Retry-After lies between min and max.
func FuzzBackoff(f *testing.F) {
	f.Add(int64(time.Millisecond), int64(5*time.Millisecond), 0)
	f.Add(int64(500*time.Millisecond), int64(30*time.Second), 3)
	f.Add(int64(time.Second), int64(1<<63-1), 100)
	f.Add(int64(0), int64(1), 1<<30)
	f.Add(int64(1), int64(1), 0)
	f.Fuzz(func(t *testing.T, minNs, maxNs int64, attempt int) {
		if minNs < 0 || maxNs <= 0 || minNs > maxNs || attempt < 0 {
			return // refused by WithRetryWait, or never passed by retryablehttp
		}
		lo, hi := time.Duration(minNs), time.Duration(maxNs)
		d := retry.Policy{}.Backoff(lo, hi, attempt, nil)
		require.LessOrEqual(t, d, hi)
		require.GreaterOrEqual(t, d, lo)
		require.GreaterOrEqual(t, d, time.Duration(0))
	})
}
