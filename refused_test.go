package secrets_test

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// TestRefused_LoopbackGetsAHintAndAShortBudget (issue 14): a refused dial to a loopback address says
// what to check, and is retried once, not WithRetryMax times: nothing listens there.
func TestRefused_LoopbackGetsAHintAndAShortBudget(t *testing.T) {
	t.Parallel()
	addr := closedLoopbackPort(t)
	configs := []struct {
		name     string
		opts     []secrets.Option
		from     string // the option or variable the hint names
		attempts int
	}{
		{"option", []secrets.Option{secrets.WithAPIKey(testToken), secrets.WithBaseURL("http://" + addr), secrets.WithRetryMax(10)}, "WithBaseURL", 2},
		{"environment", []secrets.Option{secrets.WithRetryMax(10), secrets.WithEnvFunc(func(k string) string {
			return map[string]string{secrets.EnvManagementToken: testToken, secrets.EnvManagementBaseURL: "http://" + addr}[k]
		})}, secrets.EnvManagementBaseURL, 2},
		{"WithRetryMax(0)", []secrets.Option{secrets.WithAPIKey(testToken), secrets.WithBaseURL("http://" + addr), secrets.WithRetryMax(0)}, "WithBaseURL", 1},
	}
	for _, cfg := range configs {
		for _, rc := range []retryCall{callGetByName, callCreate} {
			t.Run(cfg.name+"/"+rc.name, func(t *testing.T) {
				t.Parallel()
				c, err := secrets.NewClient(append(cfg.opts, fastRetries())...)
				require.NoError(t, err)
				err = rc.call(t.Context(), c)
				var reqErr *secrets.RequestError
				require.ErrorAs(t, err, &reqErr)
				assert.Equal(t, cfg.attempts, reqErr.Attempts, "one retry, not ten")
				assert.ErrorIs(t, err, syscall.ECONNREFUSED)
				assert.Contains(t, err.Error(), "connection refused (nothing listens at "+addr+": check the base URL (from "+cfg.from+"); is the emulator running?)")
				assert.NotContains(t, err.Error(), testToken)
			})
		}
	}
}
