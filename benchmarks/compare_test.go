package benchmarks

import (
	"context"
	"net/http"
	"runtime"
	"testing"

	secrets "github.com/helios-secrets/go-secrets"
)

// Each benchmark runs a sub-benchmark per implementation, impl=nethttp and impl=sdk, against the same
// server in the same run, so that `benchstat -col /impl` prints their ratio (see BENCHMARKS.md).

func newSDK(tb testing.TB, baseURL string, opts ...secrets.Option) *secrets.Client {
	tb.Helper()
	c, err := secrets.NewClient(append([]secrets.Option{secrets.WithAPIKey(benchToken), secrets.WithBaseURL(baseURL)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// pair runs the baseline and the SDK as sub-benchmarks.
func pair(b *testing.B, baseURL string, hand func(*testing.B, *handWritten), sdk func(*testing.B, *secrets.Client)) {
	b.Run("impl=nethttp", func(b *testing.B) {
		h := newHandWritten(baseURL)
		defer h.close()
		b.ReportAllocs()
		hand(b, h)
	})
	b.Run("impl=sdk", func(b *testing.B) {
		c := newSDK(b, baseURL)
		b.ReportAllocs()
		sdk(b, c)
	})
}

// benchValue is the value the write benchmarks send.
const benchValue = "hunter2-correct-horse"

// benchOp is one call made both ways: by the hand-written baseline and by the SDK.
type benchOp struct {
	name string
	hand func(context.Context, *handWritten) error
	sdk  func(context.Context, *secrets.Client) error
}

// basicOps are the calls compared one by one (BenchmarkGetByName...) and paired (BenchmarkPaired).
var basicOps = []benchOp{
	{"GetByName",
		func(ctx context.Context, h *handWritten) error { _, err := h.getByName(ctx, benchName); return err },
		func(ctx context.Context, c *secrets.Client) error {
			_, err := c.Secrets.GetByName(ctx, benchName)
			return err
		}},
	{"Create",
		func(ctx context.Context, h *handWritten) error {
			_, err := h.create(ctx, benchName, benchValue)
			return err
		},
		func(ctx context.Context, c *secrets.Client) error {
			_, err := c.Secrets.Create(ctx, benchName, benchValue)
			return err
		}},
	{"Update",
		func(ctx context.Context, h *handWritten) error {
			_, err := h.update(ctx, benchID, benchValue)
			return err
		},
		func(ctx context.Context, c *secrets.Client) error {
			_, err := c.Secrets.Update(ctx, benchID, benchValue)
			return err
		}},
}

// pairOp runs a basic op both ways against the standard routes.
func pairOp(b *testing.B, op benchOp) {
	r := newReplay(b, standardRoutes())
	ctx := context.Background()
	pair(b, r.srv.URL, func(b *testing.B, h *handWritten) {
		for b.Loop() {
			if err := op.hand(ctx, h); err != nil {
				b.Fatal(err)
			}
		}
	}, func(b *testing.B, c *secrets.Client) {
		for b.Loop() {
			if err := op.sdk(ctx, c); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// basicOps is GetByName, Create, Update, in that order.
func BenchmarkGetByName(b *testing.B) { pairOp(b, basicOps[0]) }
func BenchmarkCreate(b *testing.B)    { pairOp(b, basicOps[1]) }
func BenchmarkUpdate(b *testing.B)    { pairOp(b, basicOps[2]) }

func BenchmarkList(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(sizeName(n), func(b *testing.B) {
			r := newReplay(b, map[string][]byte{"GET /v1/secrets": listJSON(n, benchValue)})
			ctx := context.Background()
			pair(b, r.srv.URL, func(b *testing.B, h *handWritten) {
				for b.Loop() {
					if list, err := h.list(ctx); err != nil || len(list) != n {
						b.Fatal(len(list), err)
					}
				}
			}, func(b *testing.B, c *secrets.Client) {
				for b.Loop() {
					if list, err := c.Secrets.List(ctx, nil); err != nil || len(list) != n {
						b.Fatal(len(list), err)
					}
				}
			})
		})
	}
}

// BenchmarkLargeValue reads a secret holding MaxValueBytes, with and without a Content-Length. Its
// x-value metric is the bytes allocated per read divided by the value's size (budget: ≤ 3).
func BenchmarkLargeValue(b *testing.B) {
	value := valueOf(secrets.MaxValueBytes)
	routes := map[string][]byte{"GET /v1/secrets/" + benchID: mustJSON(secretJSON(benchID, benchName, value))}
	for _, framing := range []string{"length", "chunked"} {
		b.Run("body="+framing, func(b *testing.B) {
			r := newReplay(b, routes)
			r.chunked = framing == "chunked"
			ctx := context.Background()
			pair(b, r.srv.URL, func(b *testing.B, h *handWritten) {
				b.SetBytes(int64(len(value)))
				perValue(b, len(value), func() {
					var s wireSecret
					if err := h.do(ctx, http.MethodGet, "/secrets/"+benchID, nil, &s); err != nil || len(*s.Value) != len(value) {
						b.Fatal(err)
					}
				})
			}, func(b *testing.B, c *secrets.Client) {
				b.SetBytes(int64(len(value)))
				perValue(b, len(value), func() {
					s, err := c.Secrets.Get(ctx, benchID)
					if err != nil || len(*s.Value) != len(value) {
						b.Fatal(err)
					}
				})
			})
		})
	}
}

// perValue runs read in the benchmark loop and reports allocated bytes per op as a multiple of size.
func perValue(b *testing.B, size int, read func()) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	n := 0
	for b.Loop() {
		read()
		n++
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(n)/float64(size), "x-value")
}

func sizeName(n int) string {
	if n >= 1000 {
		return "n=1000"
	}
	return "n=100"
}
