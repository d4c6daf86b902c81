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
	tests := []struct {
		name string
		opts []secrets.CacheOption
		get  string
	}{
		{"TTL", []secrets.CacheOption{secrets.WithTTL(forever)}, "A"},
		{"TTL with jitter", []secrets.CacheOption{secrets.WithTTL(forever), secrets.WithTTLJitter(0.5)}, "A"},
		{"TTL and stale bound", []secrets.CacheOption{secrets.WithTTL(forever), secrets.WithStaleIfError(forever)}, "A"},
		{"TTL and refresh-ahead", []secrets.CacheOption{secrets.WithTTL(forever), secrets.WithRefreshAhead(time.Minute)}, "A"},
		{"negative TTL", []secrets.CacheOption{secrets.WithNegativeTTL(forever)}, "MISSING"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := newFakeSource("A", "v")
			c, clock := newTestCache(t, src, tt.opts...)
			clock.Advance(time.Hour) // the cache counts from its start: an instant past it can overflow
			_, _ = c.Get(t.Context(), tt.get)
			require.Equal(t, 1, src.count())
			for range 3 {
				_, _ = c.Get(t.Context(), tt.get)
			}
			assert.Equal(t, 1, src.count(), "a value kept for ever is read once")
			entry, _ := c.Lookup(t.Context(), tt.get)
			if tt.get == "A" {
				assert.True(t, entry.ExpiresAt.After(clock.Now().AddDate(100, 0, 0)), "expires %s", entry.ExpiresAt)
			}
		})
	}

	t.Run("stale bound past the end of time", func(t *testing.T) {
		t.Parallel()
		src := newFakeSource("A", "v")
		c, clock := newTestCache(t, src, secrets.WithStaleIfError(forever))
		clock.Advance(time.Hour)
		v, err := c.Get(t.Context(), "A")
		require.NoError(t, err)
		require.Equal(t, "v", v)
		clock.Advance(2 * cacheTTL)
		src.fail(apiFailure(http.StatusServiceUnavailable))
		v, err = c.Get(t.Context(), "A")
		require.NoError(t, err, "the value is served stale: the bound has not passed")
		assert.Equal(t, "v", v)
	})
}
