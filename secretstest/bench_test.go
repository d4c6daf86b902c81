package secretstest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/helios-secrets/go-secrets/internal/validate"
	"github.com/helios-secrets/go-secrets/secretstest"
)

// BenchmarkGetLargeValue reads a 5 MiB value by name, discarding the body: the allocations reported
// are the emulator's and net/http's, the floor under any client measured in the same process.
func BenchmarkGetLargeValue(b *testing.B) {
	benchmarkGet(b, strings.Repeat("x", validate.MaxValueBytes), true)
}

// BenchmarkGetSmallValue is the same for a small value: the per-request overhead.
func BenchmarkGetSmallValue(b *testing.B) { benchmarkGet(b, "hunter2", false) }

// benchmarkGet reads value by name b.N times; throughput reports the bytes per second.
func benchmarkGet(b *testing.B, value string, throughput bool) {
	srv := secretstest.NewServer()
	defer srv.Close()
	srv.AddSecret("BENCH", value, "")
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/v1/secrets?name=BENCH", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+srv.APIKey())
	if throughput {
		b.SetBytes(int64(len(value)))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := srv.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}
