package benchmarks

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	secrets "github.com/helios-secrets/go-secrets"
)

// BenchmarkLyingContentLength: 8 concurrent GetByName calls against a server that declares a 256 MiB
// body and sends 12 bytes, then hangs up (each call fails after one attempt). Its MiB/8-calls metric
// is the bytes allocated per round of 8 calls (budget: < 64 MiB; a buffer sized from the declaration
// would take 2 GiB).
func BenchmarkLyingContentLength(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				if _, err := http.ReadRequest(bufio.NewReader(conn)); err != nil {
					return
				}
				_, _ = conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 268435456\r\n\r\n{\"secrets\":["))
			}()
		}
	}()
	b.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	c, err := secrets.NewClient(secrets.WithAPIKey("bench-key"), secrets.WithBaseURL("http://"+ln.Addr().String()),
		secrets.WithRetryMax(0), secrets.WithRetryWait(time.Millisecond, time.Millisecond))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	n := 0
	for b.Loop() {
		var calls sync.WaitGroup
		for range 8 {
			calls.Add(1)
			go func() {
				defer calls.Done()
				if _, err := c.Secrets.GetByName(ctx, benchName); err == nil {
					b.Error("a 12-byte body declared as 256 MiB was accepted")
				}
			}()
		}
		calls.Wait()
		n++
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(n)/(1<<20), "MiB/8-calls")
}
