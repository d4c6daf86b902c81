package secrets_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
)

// fleetConfig describes a fleet of replicas that started together, each with its own Cache, all
// reading the same names through an emulator that rate-limits them, on one fake clock (the
// emulator's limiter runs on it too), so that minutes of traffic take a second to replay.
type fleetConfig struct {
	replicas, names int
	ttl             time.Duration
	jitter          float64       // WithTTLJitter
	refreshAhead    time.Duration // WithRefreshAhead; 0: off
	step            time.Duration // every replica reads every name once per step
	interval        time.Duration // requests are counted per interval
	run             time.Duration // after the start
	ratePerSecond   float64       // the emulator's limit
	burst           int
}

// fleetResult is what the fleet saw after its start (the start itself excluded: one GetMany per
// replica, the same with or without jitter).
type fleetResult struct {
	perInterval []int // requests reaching the emulator, 429s included
	limited     int   // of which answered 429
	gets        int
	failedGets  int // Gets that returned an error: must be none
	staleGets   int // Gets served a stale value, because the refresh was refused
}

func (r fleetResult) peak() int { return slices.Max(r.perInterval) }

func (r fleetResult) mean() float64 { return float64(sum(r.perInterval)) / float64(len(r.perInterval)) }

func (r fleetResult) peakToMean() float64 { return float64(r.peak()) / r.mean() }

// statusCounter counts the requests a Client sends and the 429s it gets back.
type statusCounter struct {
	base                http.RoundTripper
	requests, status429 atomic.Int64
}

func (c *statusCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.requests.Add(1)
	resp, err := c.base.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		c.status429.Add(1)
	}
	return resp, err
}

// runFleet replays cfg. Replicas are served one after the other within a step, so a run is
// deterministic (without refresh-ahead, whose refreshes run concurrently): each Cache's jitter
// comes from a source seeded with its index.
func runFleet(tb testing.TB, cfg fleetConfig) fleetResult {
	tb.Helper()
	ctx := context.Background()
	clock := newFakeClock(cacheStart)
	srv := secretstest.NewServer(secretstest.WithClock(clock.Now), secretstest.WithRateLimit(cfg.ratePerSecond, cfg.burst))
	defer srv.Close()
	names := make([]string, cfg.names)
	for i := range names {
		names[i] = "SECRET_" + strconv.Itoa(i)
		srv.AddSecret(names[i], "value-"+strconv.Itoa(i), "")
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	defer transport.CloseIdleConnections()
	counter := &statusCounter{base: transport}
	// No retries inside the Client: each refusal reaches the Cache at once, and nothing sleeps.
	client, err := secrets.NewClient(secrets.WithAPIKey(srv.APIKey()), secrets.WithBaseURL(srv.URL),
		secrets.WithHTTPClient(&http.Client{Transport: counter}), secrets.WithRetryMax(0))
	require.NoError(tb, err)

	caches := make([]*secrets.Cache, cfg.replicas)
	for i := range caches {
		random := rand.New(rand.NewPCG(uint64(i), 13)) //nolint:gosec // jitter, not secrecy
		caches[i], err = secrets.NewCache(client, secrets.WithCacheClock(clock.Now), secrets.WithTTL(cfg.ttl),
			secrets.WithTTLJitter(cfg.jitter), secrets.WithStaleIfError(time.Hour), secrets.WithCacheRandom(random.Float64),
			secrets.WithRefreshAhead(cfg.refreshAhead))
		require.NoError(tb, err)
		defer caches[i].Close()
	}
	// The start: every replica loads its secrets with one bulk read, at the same instant.
	for _, cache := range caches {
		_, err := cache.GetMany(ctx, names...)
		require.NoError(tb, err)
	}

	var r fleetResult
	startRequests, start429 := counter.requests.Load(), counter.status429.Load()
	stepsPerInterval := int(cfg.interval / cfg.step)
	for step := 1; step <= int(cfg.run/cfg.step); step++ {
		clock.Advance(cfg.step)
		before := counter.requests.Load()
		for _, cache := range caches {
			for i, name := range names {
				entry, err := cache.Lookup(ctx, name)
				r.gets++
				switch {
				case err != nil:
					r.failedGets++
				case entry.Value != "value-"+strconv.Itoa(i):
					tb.Fatalf("%s: wrong value", name)
				case entry.Stale:
					r.staleGets++
				}
			}
		}
		for _, cache := range caches { // the step's background refreshes count in it
			secrets.WaitForRefreshes(cache)
		}
		if (step-1)%stepsPerInterval == 0 {
			r.perInterval = append(r.perInterval, 0)
		}
		r.perInterval[len(r.perInterval)-1] += int(counter.requests.Load() - before)
	}
	r.limited = int(counter.status429.Load() - start429)
	require.Equal(tb, int(counter.requests.Load()-startRequests), sum(r.perInterval))
	return r
}

func sum(xs []int) int {
	total := 0
	for _, x := range xs {
		total += x
	}
	return total
}

// fleetOf is the fleet of BENCHMARKS.md with its number of replicas: ten names, a one-minute TTL,
// reads every 250 ms, requests counted per second over five TTLs; a limit of three times what a
// smooth fleet needs on average, with a burst of a fifth of the names the fleet holds (enough for
// its start, one GetMany per replica; not for every name expiring at once).
func fleetOf(replicas int, jitter float64) fleetConfig {
	const names = 10
	ttl := time.Minute
	need := float64(replicas*names) / ttl.Seconds() // requests per second a smooth fleet needs
	return fleetConfig{
		replicas: replicas, names: names, ttl: ttl, jitter: jitter,
		step: 250 * time.Millisecond, interval: time.Second, run: 5 * ttl,
		ratePerSecond: 3 * need, burst: replicas * names / 5,
	}
}

// TestCacheFleetJitterAndStaleIfError replays a fleet of 50 replicas (the benchmark replays 500):
// without jitter, the fleet's requests come in one burst per TTL, which the limiter answers with
// 429; with the default jitter, the bursts flatten. Either way no Get fails: a refused refresh
// serves the value held (WithStaleIfError).
func TestCacheFleetJitterAndStaleIfError(t *testing.T) {
	t.Parallel()
	small := func(jitter float64) fleetConfig { // fewer reads, so that it runs in a second under -race
		cfg := fleetOf(50, jitter)
		cfg.step, cfg.run = 500*time.Millisecond, 3*cfg.ttl
		return cfg
	}
	lockstep := runFleet(t, small(0))
	jittered := runFleet(t, small(0.1))
	t.Logf("no jitter: peak %d, mean %.1f requests/s (peak-to-mean %.1f), %d answered 429, %d stale Gets of %d",
		lockstep.peak(), lockstep.mean(), lockstep.peakToMean(), lockstep.limited, lockstep.staleGets, lockstep.gets)
	t.Logf("jitter 0.1: peak %d, mean %.1f requests/s (peak-to-mean %.1f), %d answered 429, %d stale Gets of %d",
		jittered.peak(), jittered.mean(), jittered.peakToMean(), jittered.limited, jittered.staleGets, jittered.gets)

	for _, r := range []fleetResult{lockstep, jittered} {
		assert.Zero(t, r.failedGets, "a replica failed a Get")
	}
	assert.Positive(t, lockstep.limited, "the lockstep fleet was refused")
	assert.Positive(t, lockstep.staleGets, "and served stale values meanwhile")
	assert.Less(t, jittered.peakToMean(), lockstep.peakToMean()/3)
	assert.Less(t, jittered.limited, lockstep.limited)
}

// BenchmarkCacheFleet replays the fleet of BENCHMARKS.md: 500 replicas, 10 names, through the
// emulator with a rate limit, without TTL jitter, with the default jitter, and with the default
// jitter and refresh-ahead. One op is one replay of five minutes of
// the fleet's traffic on a fake clock.
func BenchmarkCacheFleet(b *testing.B) {
	for _, mode := range []struct {
		name         string
		jitter       float64
		refreshAhead time.Duration
	}{
		{"jitter=0", 0, 0},
		{"jitter=0.1", 0.1, 0},
		{"jitter=0.1/refresh-ahead=10s", 0.1, 10 * time.Second},
	} {
		b.Run(mode.name, func(b *testing.B) {
			var r fleetResult
			for range b.N {
				cfg := fleetOf(500, mode.jitter)
				cfg.refreshAhead = mode.refreshAhead
				r = runFleet(b, cfg)
			}
			b.ReportMetric(float64(r.peak()), "peak-req/s")
			b.ReportMetric(r.mean(), "mean-req/s")
			b.ReportMetric(r.peakToMean(), "peak/mean")
			b.ReportMetric(float64(r.limited), "429s")
			b.ReportMetric(float64(r.staleGets)/float64(r.gets), "stale-fraction")
			b.ReportMetric(float64(r.failedGets), "failed-gets")
		})
	}
}
