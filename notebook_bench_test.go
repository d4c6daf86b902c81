package secrets_test

import (
	"context"
	"testing"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
)

// BenchmarkGetSecret reads one secret from the emulator: with the notebook-style helper, which reads
// the environment and builds a Client on every call, and with a Client built once, for comparison.
func BenchmarkGetSecret(b *testing.B) {
	srv := secretstest.NewServer()
	b.Cleanup(srv.Close)
	ctx := context.Background()
	client, err := secrets.NewClient(secrets.WithAPIKey(srv.APIKey()), secrets.WithBaseURL(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := client.Secrets.Create(ctx, "BENCH_SECRET", "bench-value"); err != nil {
		b.Fatal(err)
	}
	b.Setenv(secrets.EnvManagementToken, srv.APIKey())
	b.Setenv(secrets.EnvManagementBaseURL, srv.URL)
	b.Setenv(secrets.EnvManagementVersion, "")
	b.Setenv(secrets.EnvOrganization, "")
	b.Setenv(secrets.EnvURL, "")
	b.Setenv(secrets.EnvHost, "")

	b.Run("GetSecret", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			v, err := secrets.GetSecret(ctx, "BENCH_SECRET")
			if err != nil {
				b.Fatal(err)
			}
			benchSink = v
		}
	})
	b.Run("Client.GetByName", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			s, err := client.Secrets.GetByName(ctx, "BENCH_SECRET")
			if err != nil {
				b.Fatal(err)
			}
			benchSink = *s.Value
		}
	})
}
