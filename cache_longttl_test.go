package secrets_test

import (
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// TestCacheDurationsAsLongAsADurationHolds: a TTL, negative TTL or stale bound up to the largest
// time.Duration ("keep it for ever") keeps the value for ever; expiry instants never wrap round to
// the past, which would turn every Get into a request (or a stale bound into none at all).
func TestCacheDurationsAsLongAsADurationHolds(t *testing.T) {
	t.Parallel()
	const forever = time.Duration(math.MaxInt64)
	start := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

	tests := []struct {
		name string
		opts []secrets.CacheOption
		seed func(*apiStub)
		get  string
	}{
		{"TTL", []secrets.CacheOption{secrets.WithTTL(forever)}, func(s *apiStub) { s.set("A", "v") }, "A"},
		{"TTL with jitter", []secrets.CacheOption{secrets.WithTTL(forever), secrets.WithTTLJitter(0.5)}, func(s *apiStub) { s.set("A", "v") }, "A"},
		{"TTL and stale bound", []secrets.CacheOption{secrets.WithTTL(forever), secrets.WithStaleIfError(forever)}, func(s *apiStub) { s.set("A", "v") }, "A"},
		{"TTL and refresh-ahead", []secrets.CacheOption{secrets.WithTTL(forever), secrets.WithRefreshAhead(time.Minute)}, func(s *apiStub) { s.set("A", "v") }, "A"},
		{"negative TTL", []secrets.CacheOption{secrets.WithNegativeTTL(forever)}, func(*apiStub) {}, "MISSING"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stub := newAPIStub(t)
			tt.seed(stub)
			clock := newFakeClock(start)
			c := newTestCache(t, stub, clock, tt.opts...)
			clock.Advance(time.Hour) // the cache counts from its start: an instant past it can overflow
			_, _ = c.Get(t.Context(), tt.get)
			require.Equal(t, 1, stub.count())
			for range 3 {
				_, _ = c.Get(t.Context(), tt.get)
			}
			assert.Equal(t, 1, stub.count(), "a value kept for ever is read once")
			entry, _ := c.Lookup(t.Context(), tt.get)
			if tt.get == "A" {
				assert.True(t, entry.ExpiresAt.After(clock.Now().AddDate(100, 0, 0)), "expires %s", entry.ExpiresAt)
			}
		})
	}

	t.Run("stale bound past the end of time", func(t *testing.T) {
		t.Parallel()
		stub := newAPIStub(t)
		stub.set("A", "v")
		local := newFakeClock(start)
		c := newTestCache(t, stub, local, secrets.WithStaleIfError(forever))
		local.Advance(time.Hour)
		v, err := c.Get(t.Context(), "A")
		require.NoError(t, err)
		require.Equal(t, "v", v)
		local.Advance(2 * cacheTTL)
		stub.fail(http.StatusServiceUnavailable)
		v, err = c.Get(t.Context(), "A")
		require.NoError(t, err, "the value is served stale: the bound has not passed")
		assert.Equal(t, "v", v)
	})
}
