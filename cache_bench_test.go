package secrets_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"

	secrets "github.com/helios-secrets/go-secrets"
)

var benchSink string

// newWarmCache returns a Cache holding DB_PASSWORD (and 99 other names, so the map is not trivial),
// reading through a fakeSource: a miss costs the cache's own work, no request.
func newWarmCache(b *testing.B) *secrets.Cache {
	b.Helper()
	src := newFakeSource()
	src.set("DB_PASSWORD", "hunter2")
	client, err := secrets.NewClient(secrets.WithAPIKey(testToken), secrets.WithBaseURL(testBaseURL))
	if err != nil {
		b.Fatal(err)
	}
	cache, err := secrets.NewCacheOn(src, client)
	if err != nil {
		b.Fatal(err)
	}
	names := []string{"DB_PASSWORD"}
	for i := range 99 {
		name := "NAME_" + strconv.Itoa(i)
		src.set(name, "value")
		names = append(names, name)
	}
	if _, err := cache.GetMany(context.Background(), names...); err != nil {
		b.Fatal(err)
	}
	return cache
}

// BenchmarkCacheGetHit is the cache-hit budget of BENCHMARKS.md (Budgets): a hit costs at most 100 ns
// and no allocation.
func BenchmarkCacheGetHit(b *testing.B) {
	cache := newWarmCache(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		v, err := cache.Get(ctx, "DB_PASSWORD")
		if err != nil {
			b.Fatal(err)
		}
		benchSink = v
	}
}

func BenchmarkCacheGetHitParallel(b *testing.B) {
	cache := newWarmCache(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := cache.Get(ctx, "DB_PASSWORD"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkCacheOps: a Get answered by a remembered "not found", a Lookup hit, and a miss (one read
// of the fake source each time). Each op runs once before the timer starts.
func BenchmarkCacheOps(b *testing.B) {
	for _, op := range []struct {
		name string
		run  func(context.Context, *secrets.Cache) error
	}{
		{"get-hit-negative", func(ctx context.Context, c *secrets.Cache) error {
			if _, err := c.Get(ctx, "MISSING"); !errors.Is(err, secrets.ErrNotFound) {
				return fmt.Errorf("MISSING: %v", err)
			}
			return nil
		}},
		{"lookup-hit", func(ctx context.Context, c *secrets.Cache) error {
			e, err := c.Lookup(ctx, "DB_PASSWORD")
			benchSink = e.Value
			return err
		}},
		{"get-miss", func(ctx context.Context, c *secrets.Cache) error {
			c.Invalidate("DB_PASSWORD")
			v, err := c.Get(ctx, "DB_PASSWORD")
			benchSink = v
			return err
		}},
	} {
		b.Run(op.name, func(b *testing.B) {
			cache := newWarmCache(b)
			ctx := context.Background()
			if err := op.run(ctx, cache); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := op.run(ctx, cache); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
