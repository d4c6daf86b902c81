package secrets_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// TestEnv_TokenPrecedence: SINGLESTOREDB_MANAGEMENT_TOKEN, else a JWT in the password of
// SINGLESTOREDB_HOST, else one in the password of SINGLESTOREDB_URL; a password that is not a JWT
// does not count. Info names the variable that won.
func TestEnv_TokenPrecedence(t *testing.T) {
	t.Parallel()
	hostJWT := makeJWT(t, map[string]any{"sub": "host", "exp": time.Now().Add(time.Hour).Unix()})
	urlJWT := makeJWT(t, map[string]any{"sub": "url", "exp": time.Now().Add(time.Hour).Unix()})
	cases := map[string]struct {
		vars   map[string]string
		sent   string
		source string
	}{
		"all three": {map[string]string{secrets.EnvManagementToken: "mgmt-key", secrets.EnvHost: "admin:" + hostJWT + "@h:3306",
			secrets.EnvURL: "admin:" + urlJWT + "@u:3306"}, "mgmt-key", secrets.EnvManagementToken},
		"host and URL": {map[string]string{secrets.EnvHost: "admin:" + hostJWT + "@h:3306", secrets.EnvURL: "admin:" + urlJWT + "@u:3306"},
			hostJWT, secrets.EnvHost + " (password)"},
		"host as a URL with a scheme": {map[string]string{secrets.EnvHost: "singlestoredb://admin:" + hostJWT + "@h:3306/db"},
			hostJWT, secrets.EnvHost + " (password)"},
		"host without a JWT, URL with one": {map[string]string{secrets.EnvHost: "admin:db-pass@h:3306", secrets.EnvURL: "admin:" + urlJWT + "@u:3306"},
			urlJWT, secrets.EnvURL + " (password)"},
		"plain host name, URL with a JWT": {map[string]string{secrets.EnvHost: "svc-1.singlestore.com", secrets.EnvURL: "admin:" + urlJWT + "@u:3306"},
			urlJWT, secrets.EnvURL + " (password)"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, f := rotatingEnvClient(t, newLiveEnv(tc.vars))
			_, err := c.Secrets.Get(t.Context(), secretID)
			require.NoError(t, err)
			assert.Equal(t, []string{tc.sent}, authorizations(f))
			assert.Equal(t, tc.source, c.Info().TokenSource)
		})
	}
}

// TestEnv_NoCredentialsSaysWhy: without a token, the error of WithEnv (and so of ManageWorkspaces and
// GetSecret) names the variables and says why each one that is set did not count, never quoting it.
func TestEnv_NoCredentialsSaysWhy(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		vars  map[string]string
		notes []string
	}{
		"nothing set":          {map[string]string{}, nil},
		"URL password not JWT": {map[string]string{secrets.EnvURL: "admin:db-pass-123@u:3306"}, []string{secrets.EnvURL + " is set, but its password is not a JWT"}},
		"URL without password": {map[string]string{secrets.EnvURL: "admin@u:3306"}, []string{secrets.EnvURL + " is set, but holds no password"}},
		"host and URL, neither a JWT": {map[string]string{secrets.EnvHost: "admin:db-pass-123@h:3306", secrets.EnvURL: "u:db-pass-123@u:3306"},
			[]string{secrets.EnvHost + " is set, but its password is not a JWT", secrets.EnvURL + " is set, but its password is not a JWT"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := secrets.NewClient(secrets.WithEnvFunc(func(k string) string { return tc.vars[k] }))
			assertSentinels(t, err, secrets.ErrNoCredentials)
			for _, v := range []string{secrets.EnvManagementToken, secrets.EnvHost, secrets.EnvURL} {
				assert.Contains(t, err.Error(), v)
			}
			for _, note := range tc.notes {
				assert.Contains(t, err.Error(), note)
			}
			if len(tc.notes) == 0 {
				assert.NotContains(t, err.Error(), "is set")
			}
			assert.NotContains(t, err.Error(), "db-pass-123")
			assert.NotContains(t, err.Error(), "WithAPIKey", "GetSecret takes no options")
		})
	}
}
