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
	value := "hunter2-correct-horse"
	ops := []struct {
		name string
		hand func() error
		sdk  func() error
	}{
		{"GetByName",
			func() error { _, err := h.getByName(ctx, benchName); return err },
			func() error { _, err := c.Secrets.GetByName(ctx, benchName); return err }},
		{"Create",
			func() error { _, err := h.create(ctx, benchName, value); return err },
			func() error { _, err := c.Secrets.Create(ctx, benchName, value); return err }},
		{"Update",
			func() error { _, err := h.update(ctx, benchID, value); return err },
			func() error { _, err := c.Secrets.Update(ctx, benchID, value); return err }},
	}
	for _, op := range ops {
		b.Run("op="+op.name, func(b *testing.B) {
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
					timed(op.hand, &handTime)
					timed(op.sdk, &sdkTime)
				} else {
					timed(op.sdk, &sdkTime)
					timed(op.hand, &handTime)
				}
				n++
			}
			b.ReportMetric(float64(handTime.Nanoseconds())/float64(n), "nethttp-ns/op")
			b.ReportMetric(float64(sdkTime.Nanoseconds())/float64(n), "sdk-ns/op")
			b.ReportMetric(float64(sdkTime)/float64(handTime), "time-ratio")
		})
	}
}
