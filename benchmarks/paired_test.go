package benchmarks

import (
	"context"
	"testing"
	"time"
)

// BenchmarkPaired runs the SDK and the hand-written baseline alternately inside one loop, timing
// each call, so that both see the same machine at the same moment: on a shared, noisy machine this
// ratio is far steadier than one taken between two separate benchmarks. It reports the two mean
// times and their ratio, time-ratio (budget for GetByName: ≤ 1.15).
func BenchmarkPaired(b *testing.B) {
	r := newReplay(b, standardRoutes())
	ctx := context.Background()
	h := newHandWritten(r.srv.URL)
	defer h.close()
	c := newSDK(b, r.srv.URL)
	for _, op := range basicOps {
		b.Run("op="+op.name, func(b *testing.B) {
			hand := func() error { return op.hand(ctx, h) }
			sdk := func() error { return op.sdk(ctx, c) }
			var handTime, sdkTime time.Duration
			timed := func(f func() error, into *time.Duration) {
				start := time.Now()
				if err := f(); err != nil {
					b.Fatal(err)
				}
				*into += time.Since(start)
			}
			n := 0
			for b.Loop() {
				if n%2 == 0 { // alternate the order, so that neither always runs on a warmer cache
					timed(hand, &handTime)
					timed(sdk, &sdkTime)
				} else {
					timed(sdk, &sdkTime)
					timed(hand, &handTime)
				}
				n++
			}
			b.ReportMetric(float64(handTime.Nanoseconds())/float64(n), "nethttp-ns/op")
			b.ReportMetric(float64(sdkTime.Nanoseconds())/float64(n), "sdk-ns/op")
			b.ReportMetric(float64(sdkTime)/float64(handTime), "time-ratio")
		})
	}
}
