package benchmarks

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	secrets "github.com/helios-secrets/go-secrets"
)

// BenchmarkCacheHit reads a cached value: budget ≤ 100 ns and 0 allocations, with the default
// options and with WithRefreshAhead (no refresh due: the hit path is the same).
func BenchmarkCacheHit(b *testing.B) {
	b.Run("options=default", func(b *testing.B) { benchmarkCacheHit(b) })
	b.Run("options=refresh-ahead", func(b *testing.B) { benchmarkCacheHit(b, secrets.WithRefreshAhead(time.Minute)) })
}

func benchmarkCacheHit(b *testing.B, opts ...secrets.CacheOption) {
	r := newReplay(b, standardRoutes())
	cache := warmCache(b, newSDK(b, r.srv.URL), opts...)
	defer cache.Close()
	ctx := context.Background()
	b.Run("goroutines=1", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := cache.Get(ctx, benchName); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("goroutines=parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := cache.Get(ctx, benchName); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// warmCache returns a cache on client that holds benchName; the caller closes it.
func warmCache(tb testing.TB, client *secrets.Client, opts ...secrets.CacheOption) *secrets.Cache {
	tb.Helper()
	c, err := secrets.NewCache(client, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := c.Get(context.Background(), benchName); err != nil {
		c.Close()
		tb.Fatal(err)
	}
	return c
}

// BenchmarkColdReads1000 starts 1,000 goroutines reading one name from an empty cache at once, and
// reports how many requests reached the server per round (budget: exactly 1).
func BenchmarkColdReads1000(b *testing.B) {
	r := newReplay(b, standardRoutes())
	client := newSDK(b, r.srv.URL)
	ctx := context.Background()
	var requests int64
	rounds := 0
	b.ReportAllocs()
	for b.Loop() {
		cache, err := secrets.NewCache(client)
		if err != nil {
			b.Fatal(err)
		}
		before := r.requests.Load()
		start := make(chan struct{})
		var wg sync.WaitGroup
		for range 1000 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if _, err := cache.Get(ctx, benchName); err != nil {
					b.Error(err)
				}
			}()
		}
		close(start)
		wg.Wait()
		requests += r.requests.Load() - before
		rounds++
	}
	b.ReportMetric(float64(requests)/float64(rounds), "requests/op")
}

// BenchmarkGetSecretAmbient is the notebook-style read, credentials from the environment on every
// call, against a hand-written equivalent that also reads the environment on every call.
func BenchmarkGetSecretAmbient(b *testing.B) {
	r := newReplay(b, standardRoutes())
	b.Setenv(secrets.EnvManagementToken, benchToken)
	b.Setenv(secrets.EnvManagementBaseURL, r.srv.URL)
	ctx := context.Background()
	b.Run("impl=nethttp", func(b *testing.B) {
		var h *handWritten
		b.ReportAllocs()
		for b.Loop() {
			base := os.Getenv(secrets.EnvManagementBaseURL)
			if h == nil || h.base != base+"/v1" {
				h = newHandWritten(base)
			}
			if _, err := h.getByName(ctx, benchName); err != nil {
				b.Fatal(err)
			}
		}
		h.close()
	})
	b.Run("impl=sdk", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := secrets.GetSecret(ctx, benchName); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCacheHitPaired alternates blocks of hits on a default cache and on one with
// WithRefreshAhead (no refresh due), order swapped every block, so that both see the same machine
// load: time-ratio (refresh-ahead over default) is what shows whether the option costs a hit
// anything. One op is one block of each.
func BenchmarkCacheHitPaired(b *testing.B) {
	r := newReplay(b, standardRoutes())
	client := newSDK(b, r.srv.URL)
	ctx := context.Background()
	caches := make([]*secrets.Cache, 2)
	for i, opts := range [][]secrets.CacheOption{nil, {secrets.WithRefreshAhead(time.Minute)}} {
		caches[i] = warmCache(b, client, opts...)
		defer caches[i].Close()
	}
	const block = 1000
	var spent [2]time.Duration
	blocks := 0
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		for k := range 2 {
			which := (i + k) % 2
			cache := caches[which]
			start := time.Now()
			for range block {
				if _, err := cache.Get(ctx, benchName); err != nil {
					b.Fatal(err)
				}
			}
			spent[which] += time.Since(start)
		}
		blocks++
	}
	gets := float64(blocks * block)
	b.ReportMetric(float64(spent[0])/gets, "default-ns/get")
	b.ReportMetric(float64(spent[1])/gets, "refresh-ahead-ns/get")
	b.ReportMetric(float64(spent[1])/float64(spent[0]), "time-ratio")
}
