package secrets_test

import (
	"context"
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

func BenchmarkCacheGetHitNegative(b *testing.B) {
	cache := newWarmCache(b)
	ctx := context.Background()
	if _, err := cache.Get(ctx, "MISSING"); err == nil {
		b.Fatal("MISSING was found")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := cache.Get(ctx, "MISSING"); err == nil {
			b.Fatal("MISSING was found")
		}
	}
}

func BenchmarkCacheLookupHit(b *testing.B) {
	cache := newWarmCache(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		e, err := cache.Lookup(ctx, "DB_PASSWORD")
		if err != nil {
			b.Fatal(err)
		}
		benchSink = e.Value
	}
}

// BenchmarkCacheGetMiss is a miss: one read of the fake source each time.
func BenchmarkCacheGetMiss(b *testing.B) {
	cache := newWarmCache(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		cache.Invalidate("DB_PASSWORD")
		v, err := cache.Get(ctx, "DB_PASSWORD")
		if err != nil {
			b.Fatal(err)
		}
		benchSink = v
	}
}
