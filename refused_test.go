package secrets_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// TestRefused_LoopbackGetsAHintAndAShortBudget (issue 14): a refused dial to a loopback address says
// what to check, and is retried once, not WithRetryMax times: nothing listens there.
func TestRefused_LoopbackGetsAHintAndAShortBudget(t *testing.T) {
	t.Parallel()
	addr := closedLoopbackPort(t)
	calls := map[string]func(ctx context.Context, c *secrets.Client) error{
		"GetByName": func(ctx context.Context, c *secrets.Client) error {
			_, err := c.Secrets.GetByName(ctx, "DB")
			return err
		},
		"Create": func(ctx context.Context, c *secrets.Client) error {
			_, err := c.Secrets.Create(ctx, "DB", "v")
			return err
		},
	}
	configs := map[string]struct {
		opts []secrets.Option
		from string
	}{
		"option": {[]secrets.Option{secrets.WithAPIKey(testToken), secrets.WithBaseURL("http://" + addr)}, "WithBaseURL"},
		"environment": {[]secrets.Option{secrets.WithEnvFunc(func(k string) string {
			return map[string]string{secrets.EnvManagementToken: testToken, secrets.EnvManagementBaseURL: "http://" + addr}[k]
		})}, secrets.EnvManagementBaseURL},
	}
	for cname, cfg := range configs {
		for name, call := range calls {
			t.Run(cname+"/"+name, func(t *testing.T) {
				t.Parallel()
				c, err := secrets.NewClient(append(cfg.opts, secrets.WithRetryWait(time.Millisecond, 5*time.Millisecond), secrets.WithRetryMax(10))...)
				require.NoError(t, err)
				err = call(t.Context(), c)
				var reqErr *secrets.RequestError
				require.ErrorAs(t, err, &reqErr)
				assert.Equal(t, 2, reqErr.Attempts, "one retry, not ten")
				assert.ErrorIs(t, err, syscall.ECONNREFUSED)
				assert.Contains(t, err.Error(), "connection refused (nothing listens at "+addr+": check the base URL (from "+cfg.from+"); is the emulator running?)")
				assert.NotContains(t, err.Error(), testToken)
			})
		}
	}
	t.Run("WithRetryMax(0)", func(t *testing.T) {
		t.Parallel()
		c, err := secrets.NewClient(secrets.WithAPIKey(testToken), secrets.WithBaseURL("http://"+addr), secrets.WithRetryMax(0))
		require.NoError(t, err)
		_, err = c.Secrets.Get(t.Context(), secretID)
		var reqErr *secrets.RequestError
		require.ErrorAs(t, err, &reqErr)
		assert.Equal(t, 1, reqErr.Attempts)
	})
}
