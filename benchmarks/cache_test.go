package benchmarks

import (
	"context"
	"os"
	"sync"
	"testing"

	secrets "github.com/helios-secrets/go-secrets"
)

// BenchmarkCacheHit reads a cached value: budget ≤ 100 ns and 0 allocations.
func BenchmarkCacheHit(b *testing.B) {
	r := newReplay(b, standardRoutes())
	cache, err := secrets.NewCache(newSDK(b, r.srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := cache.Get(ctx, benchName); err != nil {
		b.Fatal(err)
	}
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
