package retry_test

import (
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/internal/retry"
)

// retryAfterClamp is the longest delay ParseRetryAfter reports: a year.
const retryAfterClamp = 365 * 24 * time.Hour

// FuzzParseRetryAfter: whatever the header and the clock, the delay is never negative, never above
// the clamp, zero when the value is refused, exactly the number of seconds (clamped) for a number,
// and the same through RetryAfter.
func FuzzParseRetryAfter(f *testing.F) {
	ref := time.Date(2030, 6, 15, 12, 0, 0, 0, time.UTC).Unix()
	for _, seed := range []struct {
		v   string
		now int64
	}{
		{"", ref}, {"0", ref}, {"120", ref}, {" 7 ", ref}, {"-1", ref}, {"+5", ref}, {"1.5", ref},
		{"31536001", ref}, {"18446744073709551616", ref}, {"99999999999999999999999999", ref},
		{"Sat, 15 Jun 2030 12:00:30 GMT", ref}, {"Sunday, 06-Nov-94 08:49:37 GMT", ref}, {"Sun Nov  6 08:49:37 1994", ref},
		{"Fri, 31 Dec 9999 23:59:59 GMT", ref}, {"Mon, 01 Jan 0001 00:00:00 GMT", 1 << 62}, {"Fri, 31 Dec 9999 23:59:59 GMT", -1 << 62},
		{"Sat, 15 Jun 2030 12:00:30 GMT", -62135596800}, {"5s", ref}, {"\t\n", ref},
	} {
		f.Add(seed.v, seed.now)
	}
	f.Fuzz(func(t *testing.T, v string, nowUnix int64) {
		now := time.Unix(nowUnix, 0)
		d, ok := retry.ParseRetryAfter(v, now)
		require.GreaterOrEqual(t, d, time.Duration(0), "%q", v)
		require.LessOrEqual(t, d, retryAfterClamp, "%q", v)
		if !ok {
			assert.Zero(t, d, "a refused value gives no delay")
		} else {
			assert.NotEmpty(t, strings.TrimSpace(v), "an empty value is refused")
		}
		if trimmed := strings.TrimSpace(v); trimmed != "" && strings.Trim(trimmed, "0123456789") == "" {
			secs, _ := new(big.Int).SetString(trimmed, 10)
			want := retryAfterClamp
			if secs.Cmp(big.NewInt(int64(retryAfterClamp/time.Second))) <= 0 {
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
