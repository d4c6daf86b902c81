package benchmarks

import (
	"context"
	"math/bits"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
)

// Parameters of BenchmarkCacheAcrossTTLs (the refresh-ahead budget, BENCHMARKS.md): a hot name
// read by 4 goroutines, each at about 2,000 Gets per second (a Get, then a pause, as request
// handlers would), across many TTL boundaries, with 30 ms of service latency.
const (
	hotReaders       = 4
	hotReadPause     = 500 * time.Microsecond
	hotTTL           = 400 * time.Millisecond
	hotRefreshWindow = 60 * time.Millisecond // twice the latency: the refresh lands before expiry
	hotLatency       = 30 * time.Millisecond
	hotRun           = 4 * time.Second // 10 TTLs
)

// BenchmarkCacheAcrossTTLs measures the latency of every Get of a hot name in three modes: hits
// only (a TTL longer than the run: the reference), the default cache (the first Get after each
// expiry waits for the service), and WithRefreshAhead. Halfway through, the value is rotated. It
// reports percentiles of Get's latency, the requests per TTL, and how long the rotated value took
// to be served. One op is one whole run.
func BenchmarkCacheAcrossTTLs(b *testing.B) {
	modes := []struct {
		name string
		opts []secrets.CacheOption
	}{
		{"mode=hits", []secrets.CacheOption{secrets.WithTTL(time.Hour)}},
		{"mode=plain", []secrets.CacheOption{secrets.WithTTL(hotTTL)}},
		{"mode=refresh-ahead", []secrets.CacheOption{secrets.WithTTL(hotTTL), secrets.WithRefreshAhead(hotRefreshWindow)}},
	}
	for _, mode := range modes {
		b.Run(mode.name, func(b *testing.B) {
			var sum hotRunResult
			for range b.N {
				r := runHotName(b, mode.opts)
				sum.add(r)
			}
			n := float64(b.N)
			b.ReportMetric(float64(sum.p50)/n, "p50-ns")
			b.ReportMetric(float64(sum.p99)/n, "p99-ns")
			b.ReportMetric(float64(sum.p999)/n, "p99.9-ns")
			b.ReportMetric(float64(sum.max)/n, "max-ns")
			b.ReportMetric(float64(sum.slow)/n, "gets>1ms/op")
			b.ReportMetric(sum.requestsPerTTL/n, "requests/TTL")
			b.ReportMetric(float64(sum.rotationSeen)/n/1e6, "rotation-visible-ms")
		})
	}
}

type hotRunResult struct {
	p50, p99, p999, max time.Duration
	slow                int64
	requestsPerTTL      float64
	rotationSeen        time.Duration // from the start of the Update to the first Get that returned the new value
}

func (s *hotRunResult) add(r hotRunResult) {
	s.p50 += r.p50
	s.p99 += r.p99
	s.p999 += r.p999
	s.max += r.max
	s.slow += r.slow
	s.requestsPerTTL += r.requestsPerTTL
	s.rotationSeen += r.rotationSeen
}

func runHotName(b *testing.B, opts []secrets.CacheOption) hotRunResult {
	b.Helper()
	srv := secretstest.NewServer()
	defer srv.Close()
	client, err := secrets.NewClient(secrets.WithAPIKey(srv.APIKey()), secrets.WithBaseURL(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	created, err := client.Secrets.Create(ctx, benchName, "first")
	if err != nil {
		b.Fatal(err)
	}
	cache := warmCache(b, client, opts...)
	defer cache.Close()
	srv.SetLatency(hotLatency)
	srv.ResetRequests()

	var (
		rotatedAt atomic.Int64 // unix ns when the Update started; 0 before
		seenAt    atomic.Int64 // unix ns of the first Get that returned the new value
		hists     [hotReaders]latencyHistogram
		wg        sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(hotRun)
	for g := range hotReaders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := &hists[g]
			for time.Now().Before(deadline) {
				t0 := time.Now()
				v, err := cache.Get(ctx, benchName)
				t1 := time.Now()
				if err != nil {
					b.Error(err)
					return
				}
				h.record(t1.Sub(t0))
				if v == "second" && rotatedAt.Load() != 0 {
					seenAt.CompareAndSwap(0, t1.UnixNano())
				}
				time.Sleep(hotReadPause)
			}
		}()
	}
	time.Sleep(hotRun / 2)
	rotatedAt.Store(time.Now().UnixNano())
	if _, err := client.Secrets.Update(ctx, created.ID, "second"); err != nil {
		b.Error(err)
	}
	wg.Wait()
	elapsed := time.Since(start)

	reads := 0
	for _, r := range srv.Requests() {
		if r.Method == "GET" {
			reads++
		}
	}
	var all latencyHistogram
	for i := range hists {
		all.merge(&hists[i])
	}
	r := hotRunResult{
		p50: all.quantile(0.5), p99: all.quantile(0.99), p999: all.quantile(0.999), max: all.max,
		slow:           all.countAbove(time.Millisecond),
		requestsPerTTL: float64(reads) / (float64(elapsed) / float64(hotTTL)),
		rotationSeen:   hotRun, // not seen: the whole run
	}
	if seen := seenAt.Load(); seen != 0 {
		r.rotationSeen = time.Duration(seen - rotatedAt.Load())
	}
	return r
}

// latencyHistogram counts durations in log-linear buckets: exact below 32 ns, then 16 buckets per
// power of two (at most 6.25% wide), so that percentiles cost no allocation while measuring.
type latencyHistogram struct {
	counts [1024]int64
	total  int64
	max    time.Duration
}

func latencyBucket(d time.Duration) int {
	ns := uint64(max(d, 0))
	if ns < 32 {
		return int(ns)
	}
	e := bits.Len64(ns) - 5
	return 16 + e*16 + int(ns>>e) - 16
}

// bucketCeiling is the largest duration bucket b holds.
func bucketCeiling(b int) time.Duration {
	if b < 32 {
		return time.Duration(b)
	}
	e := (b - 16) / 16
	m := 16 + (b-16)%16
	return time.Duration((uint64(m+1) << e) - 1)
}

func (h *latencyHistogram) record(d time.Duration) {
	h.counts[latencyBucket(d)]++
	h.total++
	h.max = max(h.max, d)
}

func (h *latencyHistogram) merge(o *latencyHistogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.total += o.total
	h.max = max(h.max, o.max)
}

// quantile returns the upper bound of the bucket holding the q-quantile (rounded up: pessimistic).
func (h *latencyHistogram) quantile(q float64) time.Duration {
	rank := int64(q * float64(h.total))
	var seen int64
	for b, c := range h.counts {
		seen += c
		if seen > rank {
			return min(bucketCeiling(b), h.max)
		}
	}
	return h.max
}

func (h *latencyHistogram) countAbove(d time.Duration) int64 {
	var n int64
	for b := latencyBucket(d) + 1; b < len(h.counts); b++ {
		n += h.counts[b]
	}
	return n
}

// TestLatencyHistogram checks the buckets the budget is read from.
func TestLatencyHistogram(t *testing.T) {
	for _, d := range []time.Duration{0, 1, 31, 32, 33, 47, 63, 64, 100, 999, 1000, time.Microsecond, 30 * time.Millisecond, time.Hour} {
		b := latencyBucket(d)
		if ceil := bucketCeiling(b); d > ceil || (b > 0 && d <= bucketCeiling(b-1)) {
			t.Errorf("%v: bucket %d holds (%v, %v]", d, b, bucketCeiling(b-1), ceil)
		}
		if ceil := bucketCeiling(b); d >= 32 && float64(ceil-d) > 0.0625*float64(d) {
			t.Errorf("%v: bucket %d is too wide (ceiling %v)", d, b, ceil)
		}
	}
	var h latencyHistogram
	for i := range 1000 {
		h.record(time.Duration(i+1) * time.Microsecond)
	}
	for q, want := range map[float64]time.Duration{0.5: 501 * time.Microsecond, 0.999: 1000 * time.Microsecond} {
		if got := h.quantile(q); got < want || float64(got-want) > 0.0625*float64(want) {
			t.Errorf("quantile(%v) = %v, want about %v", q, got, want)
		}
	}
	if got := h.countAbove(900 * time.Microsecond); got < 66 || got > 100 { // 900µs's own bucket is not counted
		t.Errorf("countAbove(900µs) = %d, want 66..100", got)
	}
}
