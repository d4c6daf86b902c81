package secrets_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// The tests of this file use t.Setenv, so none of them runs in parallel.

// envGet makes a Get with c and returns the request that went out.
func envGet(t *testing.T, c *secrets.Client, api *fakeAPI) sentRequest {
	t.Helper()
	api.on(http.MethodGet, "/v1/secrets/"+secretID, fixture(t, 200, "secret.json"))
	api.on(http.MethodGet, "/v2/secrets/"+secretID, fixture(t, 200, "secret.json"))
	api.on(http.MethodGet, "/gw/v2/secrets/"+secretID, fixture(t, 200, "secret.json"))
	_, err := c.Secrets.Get(t.Context(), secretID)
	require.NoError(t, err)
	return api.only()
}

// envConstructors are the two ways to read the environment, each with a mock transport.
func envConstructors(api *fakeAPI) map[string]func(opts ...secrets.Option) (*secrets.Client, error) {
	return map[string]func(opts ...secrets.Option) (*secrets.Client, error){
		"ManageWorkspaces": func(opts ...secrets.Option) (*secrets.Client, error) {
			return secrets.ManageWorkspaces("", append([]secrets.Option{secrets.WithHTTPClient(api.httpClient())}, opts...)...)
		},
		"NewClient(WithEnv())": func(opts ...secrets.Option) (*secrets.Client, error) {
			return secrets.NewClient(append([]secrets.Option{secrets.WithEnv(), secrets.WithHTTPClient(api.httpClient())}, opts...)...)
		},
	}
}

// TestEnv_ManagementToken: SINGLESTOREDB_MANAGEMENT_TOKEN is the token, sent to the default base URL.
func TestEnv_ManagementToken(t *testing.T) {
	setEnv(t, map[string]string{secrets.EnvManagementToken: "  env-token-123  "})
	for ctor := range envConstructors(nil) {
		t.Run(ctor, func(t *testing.T) {
			api := newFakeAPI(t)
			c, err := envConstructors(api)[ctor]()
			require.NoError(t, err)
			req := envGet(t, c, api)
			assert.Equal(t, "https://api.singlestore.com/v1/secrets/"+secretID, req.URL.String())
			assert.Equal(t, "Bearer env-token-123", req.Header.Get("Authorization"))
			assert.Equal(t, secrets.EnvManagementToken, c.Info().TokenSource)
			assert.False(t, c.Info().TokenIsJWT)
		})
	}
}

// TestEnv_JWTInConnectionURL: without a management token, a JWT in the password of SINGLESTOREDB_URL
// is the token, whatever the URL's form.
func TestEnv_JWTInConnectionURL(t *testing.T) {
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	jwt := makeJWT(t, map[string]any{"sub": "notebook-user", "exp": exp.Unix()})
	encoded := strings.NewReplacer(".", "%2E", "-", "%2D", "_", "%5F").Replace(jwt)
	forms := map[string]string{
		"with scheme":          "singlestoredb://admin:" + jwt + "@svc-3482.aws-oregon-3.svc.singlestore.com:3306/analytics",
		"without scheme":       "admin:" + jwt + "@svc-3482.aws-oregon-3.svc.singlestore.com:3306/analytics",
		"URL-encoded password": "mysql://admin:" + encoded + "@svc-3482.aws-oregon-3.svc.singlestore.com:3306",
		"http scheme, no port": "http://user:" + jwt + "@db.example.com",
		"query parameters":     "singlestoredb://admin:" + jwt + "@host:3306/db?ssl_disabled=false",
	}
	for name, connURL := range forms {
		t.Run(name, func(t *testing.T) {
			setEnv(t, map[string]string{secrets.EnvURL: connURL})
			for ctor := range envConstructors(nil) {
				api := newFakeAPI(t)
				c, err := envConstructors(api)[ctor]()
				require.NoError(t, err, ctor)
				req := envGet(t, c, api)
				assert.Equal(t, "Bearer "+jwt, req.Header.Get("Authorization"), ctor)
				assert.Equal(t, "api.singlestore.com", req.URL.Host)
				info := c.Info()
				assert.Equal(t, secrets.EnvURL+" (password)", info.TokenSource)
				assert.True(t, info.TokenIsJWT)
				assert.True(t, exp.Equal(info.TokenExpiry), "expiry %v", info.TokenExpiry)
			}
		})
	}
}

// TestEnv_ManagementTokenBeatsURL: the management token is the first choice.
func TestEnv_ManagementTokenBeatsURL(t *testing.T) {
	jwt := makeJWT(t, map[string]any{"exp": time.Now().Add(time.Hour).Unix()})
	setEnv(t, map[string]string{
		secrets.EnvManagementToken: "env-token-123",
		secrets.EnvURL:             "admin:" + jwt + "@host:3306",
	})
	api := newFakeAPI(t)
	c, err := secrets.ManageWorkspaces("", secrets.WithHTTPClient(api.httpClient()))
	require.NoError(t, err)
	assert.Equal(t, "Bearer env-token-123", envGet(t, c, api).Header.Get("Authorization"))
}

// TestEnv_NoCredentials: without a token (a password that is not a JWT does not count), both
// constructors fail with ErrNoCredentials naming the variables, and nothing is sent.
func TestEnv_NoCredentials(t *testing.T) {
	cases := map[string]map[string]string{
		"nothing set":              {},
		"only other variables":     {secrets.EnvManagementBaseURL: testBaseURL, secrets.EnvOrganization: testOrgID},
		"password is not a JWT":    {secrets.EnvURL: "admin:hunter2@svc-3482.singlestore.com:3306/db"},
		"password has two dots":    {secrets.EnvURL: "admin:a.b.c@svc-3482.singlestore.com:3306/db"},
		"no password":              {secrets.EnvURL: "admin@svc-3482.singlestore.com:3306/db"},
		"no user":                  {secrets.EnvURL: "svc-3482.singlestore.com:3306/db"},
		"not a URL":                {secrets.EnvURL: "::::"},
		"blank management token":   {secrets.EnvManagementToken: "   "},
		"JWT with a non-JSON body": {secrets.EnvURL: "admin:eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln@host:3306"},
	}
	for name, vars := range cases {
		t.Run(name, func(t *testing.T) {
			setEnv(t, vars)
			api := newFakeAPI(t)
			for ctor, build := range envConstructors(api) {
				c, err := build()
				assert.Nil(t, c, ctor)
				assertSentinels(t, err, secrets.ErrNoCredentials)
				assert.Contains(t, err.Error(), secrets.EnvManagementToken, ctor)
				assert.Contains(t, err.Error(), secrets.EnvURL, ctor)
				assert.NotContains(t, err.Error(), "hunter2", ctor)
			}
			assert.Equal(t, 0, api.GetTotalCallCount())
		})
	}
}

// TestEnv_BaseURLVersionOrganization: the other variables shape every request.
func TestEnv_BaseURLVersionOrganization(t *testing.T) {
	setEnv(t, map[string]string{
		secrets.EnvManagementToken:   "env-token-123",
		secrets.EnvManagementBaseURL: " https://api.eu.example/gw ",
		secrets.EnvManagementVersion: "v2",
		secrets.EnvOrganization:      testOrgID,
	})
	for ctor := range envConstructors(nil) {
		t.Run(ctor, func(t *testing.T) {
			api := newFakeAPI(t)
			c, err := envConstructors(api)[ctor]()
			require.NoError(t, err)
			req := envGet(t, c, api)
			assert.Equal(t, "https", req.URL.Scheme)
			assert.Equal(t, "api.eu.example", req.URL.Host)
			assert.Equal(t, "/gw/v2/secrets/"+secretID, req.URL.Path)
			assert.Equal(t, url.Values{"organizationID": {testOrgID}}, req.URL.Query())
			assert.Equal(t, "Bearer env-token-123", req.Header.Get("Authorization"))
		})
	}
}

// TestEnv_OptionsOrder: options after WithEnv override it; options before it stand where the
// corresponding variable is unset; ManageWorkspaces' key beats the environment's token.
func TestEnv_OptionsOrder(t *testing.T) {
	setEnv(t, map[string]string{
		secrets.EnvManagementToken:   "env-token-123",
		secrets.EnvManagementBaseURL: "https://api.eu.example",
		secrets.EnvOrganization:      testOrgID,
	})
	t.Run("after WithEnv", func(t *testing.T) {
		api := newFakeAPI(t)
		c, err := secrets.NewClient(secrets.WithEnv(), secrets.WithAPIKey("explicit-key"), secrets.WithBaseURL(testBaseURL),
			secrets.WithOrganizationID(otherOrgID), secrets.WithHTTPClient(api.httpClient()))
		require.NoError(t, err)
		req := envGet(t, c, api)
		assert.Equal(t, testBaseURL+"/v1/secrets/"+secretID+"?organizationID="+otherOrgID, req.URL.String())
		assert.Equal(t, "Bearer explicit-key", req.Header.Get("Authorization"))
		assert.Equal(t, "WithAPIKey", c.Info().TokenSource)
	})
	t.Run("before WithEnv", func(t *testing.T) {
		api := newFakeAPI(t)
		c, err := secrets.NewClient(secrets.WithAPIKey("explicit-key"), secrets.WithBaseURL(testBaseURL),
			secrets.WithAPIVersion("v2"), secrets.WithHTTPClient(api.httpClient()), secrets.WithEnv())
		require.NoError(t, err)
		req := envGet(t, c, api)
		assert.Equal(t, "https://api.eu.example/v2/secrets/"+secretID+"?organizationID="+testOrgID, req.URL.String(),
			"base URL and organization from the environment; version kept (its variable is unset)")
		assert.Equal(t, "Bearer env-token-123", req.Header.Get("Authorization"))
	})
	t.Run("ManageWorkspaces key and options", func(t *testing.T) {
		api := newFakeAPI(t)
		c, err := secrets.ManageWorkspaces("workspace-key", secrets.WithOrganizationID(otherOrgID),
			secrets.WithBaseURL(testBaseURL), secrets.WithHTTPClient(api.httpClient()))
		require.NoError(t, err)
		req := envGet(t, c, api)
		assert.Equal(t, "Bearer workspace-key", req.Header.Get("Authorization"))
		assert.Equal(t, otherOrgID, req.URL.Query().Get("organizationID"))
		assert.Equal(t, "api.test.example", req.URL.Host)
	})
}

// TestEnv_IgnoredWithoutWithEnv: NewClient reads nothing from the environment.
func TestEnv_IgnoredWithoutWithEnv(t *testing.T) {
	setEnv(t, map[string]string{
		secrets.EnvManagementToken:   "env-token-123",
		secrets.EnvManagementBaseURL: "https://api.eu.example",
		secrets.EnvManagementVersion: "v2",
		secrets.EnvOrganization:      testOrgID,
		secrets.EnvURL:               "admin:" + makeJWT(t, map[string]any{"sub": "x"}) + "@host:3306",
	})
	c, err := secrets.NewClient()
	assert.Nil(t, c)
	assert.ErrorIs(t, err, secrets.ErrNoCredentials)

	api := newFakeAPI(t)
	c, err = secrets.NewClient(secrets.WithAPIKey("explicit-key"), secrets.WithHTTPClient(api.httpClient()))
	require.NoError(t, err)
	req := envGet(t, c, api)
	assert.Equal(t, "https://api.singlestore.com/v1/secrets/"+secretID, req.URL.String())
	assert.Equal(t, "Bearer explicit-key", req.Header.Get("Authorization"))
}

// TestEnv_InvalidValues: a variable that is set but invalid fails every constructor before any
// request, naming the variable, without echoing a token or user information: ErrInvalidArgument, or
// ErrTokenExpired (and ErrUnauthorized) for a JWT whose exp has passed, saying so.
func TestEnv_InvalidValues(t *testing.T) {
	expired := makeJWT(t, map[string]any{"sub": "u", "exp": time.Now().Add(-time.Minute).Unix()})
	invalid := []error{secrets.ErrInvalidArgument}
	cases := map[string]struct {
		vars      map[string]string
		naming    []string
		noEcho    string
		sentinels []error
	}{
		"plain http base URL": {map[string]string{secrets.EnvManagementToken: "k", secrets.EnvManagementBaseURL: "http://api.example.com"},
			[]string{secrets.EnvManagementBaseURL}, "", invalid},
		"base URL with user": {map[string]string{secrets.EnvManagementToken: "k", secrets.EnvManagementBaseURL: "https://u:p@api.example.com"},
			[]string{secrets.EnvManagementBaseURL}, "u:p", invalid},
		"version with a slash": {map[string]string{secrets.EnvManagementToken: "k", secrets.EnvManagementVersion: "v1/x"},
			[]string{secrets.EnvManagementVersion}, "", invalid},
		"token with a space": {map[string]string{secrets.EnvManagementToken: "abc def-secret"},
			[]string{secrets.EnvManagementToken}, "def-secret", invalid},
		"token with a zero-width space": {map[string]string{secrets.EnvManagementToken: "abc\u200bdef-secret"},
			[]string{secrets.EnvManagementToken, "outside ASCII"}, "def-secret", invalid},
		"expired management token": {map[string]string{secrets.EnvManagementToken: expired},
			[]string{secrets.EnvManagementToken, "expired"}, expired, []error{secrets.ErrTokenExpired, secrets.ErrUnauthorized}},
		"expired JWT in the connection URL": {map[string]string{secrets.EnvURL: "admin:" + expired + "@host:3306/db"},
			[]string{secrets.EnvURL, "expired"}, expired, []error{secrets.ErrTokenExpired, secrets.ErrUnauthorized}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			setEnv(t, tc.vars)
			api := newFakeAPI(t)
			for ctor, build := range envConstructors(api) {
				c, err := build()
				assert.Nil(t, c, ctor)
				assertSentinels(t, err, tc.sentinels...)
				for _, naming := range tc.naming {
					assert.Contains(t, err.Error(), naming, ctor)
				}
				if tc.noEcho != "" {
					assert.NotContains(t, err.Error(), tc.noEcho, ctor)
				}
			}
			assert.Equal(t, 0, api.GetTotalCallCount())
		})
	}
}

// TestEnv_ManageWorkspacesFollowsRotation: a long-lived ManageWorkspaces("") client reads the process
// environment again before each request, so it follows the platform's rotation of the token.
func TestEnv_ManageWorkspacesFollowsRotation(t *testing.T) {
	first := makeJWT(t, map[string]any{"sub": "nb", "exp": time.Now().Add(time.Hour).Unix()})
	second := makeJWT(t, map[string]any{"sub": "nb", "exp": time.Now().Add(2 * time.Hour).Unix()})
	setEnv(t, map[string]string{secrets.EnvURL: "admin:" + first + "@svc.example.com:3306"})
	api := newFakeAPI(t)
	api.on(http.MethodGet, "/v1/secrets/"+secretID, fixture(t, 200, "secret.json"))
	c, err := secrets.ManageWorkspaces("", secrets.WithHTTPClient(api.httpClient()))
	require.NoError(t, err)
	_, err = c.Secrets.Get(t.Context(), secretID)
	require.NoError(t, err)
	t.Setenv(secrets.EnvURL, "admin:"+second+"@svc.example.com:3306")
	_, err = c.Secrets.Get(t.Context(), secretID)
	require.NoError(t, err)
	assert.Equal(t, []string{first, second}, authorizations(api))

	// A key given to ManageWorkspaces is fixed: the environment's token does not replace it.
	keyed, err := secrets.ManageWorkspaces("explicit-key", secrets.WithHTTPClient(api.httpClient()))
	require.NoError(t, err)
	_, err = keyed.Secrets.Get(t.Context(), secretID)
	require.NoError(t, err)
	assert.Equal(t, "explicit-key", authorizations(api)[2])
}
