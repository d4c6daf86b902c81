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
	srv := secretstest.NewServer()
	defer srv.Close()
	srv.AddSecret("LARGE", strings.Repeat("x", validate.MaxValueBytes), "")
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/v1/secrets?name=LARGE", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+srv.APIKey())
	b.SetBytes(validate.MaxValueBytes)
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

// BenchmarkGetSmallValue is the same for a small value: the per-request overhead.
func BenchmarkGetSmallValue(b *testing.B) {
	srv := secretstest.NewServer()
	defer srv.Close()
	srv.AddSecret("SMALL", "hunter2", "")
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/v1/secrets?name=SMALL", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+srv.APIKey())
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
