package benchmarks

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
)

// BenchmarkEmulator measures the emulator's throughput on a read-heavy mix (9 reads by name for 1
// update) from parallel clients over loopback, so that it is known not to be the bottleneck of the
// other measurements. It reports requests per second across all goroutines.
func BenchmarkEmulator(b *testing.B) {
	srv := secretstest.NewServer()
	b.Cleanup(srv.Close)
	c, err := secrets.NewClient(secrets.WithAPIKey(srv.APIKey()), secrets.WithBaseURL(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	const names = 64
	ids := make([]string, names)
	for i := range ids {
		s, err := c.Secrets.Create(ctx, fmt.Sprintf("SECRET_%02d", i), "value")
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = s.ID
	}
	b.SetParallelism(4) // 8 goroutines on 2 cores: enough to keep the server busy
	var n atomic.Int64
	b.ReportAllocs()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			k := int(n.Add(1)) % names
			var err error
			if i%10 == 9 {
				_, err = c.Secrets.Update(ctx, ids[k], "value")
			} else {
				_, err = c.Secrets.GetByName(ctx, fmt.Sprintf("SECRET_%02d", k))
			}
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "req/s")
}
