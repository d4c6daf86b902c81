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

// The environment → client configuration (or error), for every way of reading it: ManageWorkspaces(""),
// NewClient(WithEnv()) and NewClient(WithEnvFunc(getenv)). They set the process environment, so none
// of them runs in parallel.

// envConstructors are the three ways to read the environment; vars is what WithEnvFunc reads (setEnv
// puts the same into the process environment), mock the transport.
var envConstructors = map[string]func(vars map[string]string, mock secrets.Option) (*secrets.Client, error){
	"ManageWorkspaces": func(_ map[string]string, mock secrets.Option) (*secrets.Client, error) {
		return secrets.ManageWorkspaces("", mock)
	},
	"NewClient(WithEnv())": func(_ map[string]string, mock secrets.Option) (*secrets.Client, error) {
		return secrets.NewClient(secrets.WithEnv(), mock)
	},
	"NewClient(WithEnvFunc)": func(vars map[string]string, mock secrets.Option) (*secrets.Client, error) {
		return secrets.NewClient(secrets.WithEnvFunc(func(k string) string { return vars[k] }), mock)
	},
}

// envGet makes a Get with c and returns the one request that went out.
func envGet(t *testing.T, c *secrets.Client, api *fakeAPI) sentRequest {
	t.Helper()
	api.on(http.MethodGet, `=~/secrets/`+secretID+`\z`, fixture(t, 200, "secret.json"))
	_, err := c.Secrets.Get(t.Context(), secretID)
	require.NoError(t, err)
	return api.only()
}

// assertSentTo checks the request's full URL and token, and that c.Info agrees with them.
func assertSentTo(t *testing.T, c *secrets.Client, req sentRequest, wantURL, wantToken, msg string) {
	t.Helper()
	assert.Equal(t, wantURL, req.URL.String(), msg)
	assert.Equal(t, "Bearer "+wantToken, req.Header.Get("Authorization"), msg)
	base, _, _ := strings.Cut(wantURL, "/secrets/")
	u, err := url.Parse(wantURL)
	require.NoError(t, err)
	assert.Equal(t, base, c.Info().BaseURL, msg)
	assert.Equal(t, u.Query().Get("organizationID"), c.Info().OrganizationID, msg)
}

// TestEnv: which variable gives the token (SINGLESTOREDB_MANAGEMENT_TOKEN, else a JWT in the password
// of SINGLESTOREDB_HOST, else of SINGLESTOREDB_URL, in any URL form), where requests go, and what
// Info says; or, for an environment without credentials or with an invalid variable, the error of
// every constructor before any request: it names the variables (and why each one set did not count),
// never quoting a token, a password or user information.
func TestEnv(t *testing.T) {
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	jwt := makeJWT(t, map[string]any{"sub": "notebook-user", "exp": exp.Unix()})
	hostJWT := makeJWT(t, map[string]any{"sub": "host", "exp": exp.Unix()})
	expired := makeJWT(t, map[string]any{"sub": "u", "exp": time.Now().Add(-time.Minute).Unix()})
	encoded := strings.NewReplacer(".", "%2E", "-", "%2D", "_", "%5F").Replace(jwt)
	const (
		tok, host, conn = secrets.EnvManagementToken, secrets.EnvHost, secrets.EnvURL
		defaultURL      = "https://api.singlestore.com/v1/secrets/" + secretID
	)
	urlPW, hostPW := conn+" (password)", host+" (password)"
	noCreds := []error{secrets.ErrNoCredentials}
	invalid := []error{secrets.ErrInvalidArgument}
	expiredErrs := []error{secrets.ErrTokenExpired, secrets.ErrUnauthorized}
	tests := []struct {
		name string
		vars map[string]string
		// a client: the request's URL and token, Info's TokenSource, and the JWT's expiry (zero: not a JWT)
		url, token, source string
		exp                time.Time
		// else an error: its sentinels, what it says, what it must not say
		errs        []error
		says, hides []string
	}{
		{name: "management token, spaces trimmed", vars: map[string]string{tok: "  env-token-123  "},
			url: defaultURL, token: "env-token-123", source: tok},
		{name: "URL with scheme", vars: map[string]string{conn: "singlestoredb://admin:" + jwt + "@svc-3482.aws-oregon-3.svc.singlestore.com:3306/analytics"},
			url: defaultURL, token: jwt, source: urlPW, exp: exp},
		{name: "URL without scheme", vars: map[string]string{conn: "admin:" + jwt + "@svc-3482.aws-oregon-3.svc.singlestore.com:3306/analytics"},
			url: defaultURL, token: jwt, source: urlPW, exp: exp},
		{name: "URL-encoded password", vars: map[string]string{conn: "mysql://admin:" + encoded + "@svc-3482.aws-oregon-3.svc.singlestore.com:3306"},
			url: defaultURL, token: jwt, source: urlPW, exp: exp},
		{name: "URL with http scheme, no port", vars: map[string]string{conn: "http://user:" + jwt + "@db.example.com"},
			url: defaultURL, token: jwt, source: urlPW, exp: exp},
		{name: "URL with query parameters", vars: map[string]string{conn: "singlestoredb://admin:" + jwt + "@host:3306/db?ssl_disabled=false"},
			url: defaultURL, token: jwt, source: urlPW, exp: exp},
		{name: "token beats URL", vars: map[string]string{tok: "env-token-123", conn: "admin:" + jwt + "@host:3306"},
			url: defaultURL, token: "env-token-123", source: tok},
		{name: "token beats host and URL", vars: map[string]string{tok: "mgmt-key", host: "admin:" + hostJWT + "@h:3306", conn: "admin:" + jwt + "@u:3306"},
			url: defaultURL, token: "mgmt-key", source: tok},
		{name: "host beats URL", vars: map[string]string{host: "admin:" + hostJWT + "@h:3306", conn: "admin:" + jwt + "@u:3306"},
			url: defaultURL, token: hostJWT, source: hostPW, exp: exp},
		{name: "host as a URL with a scheme", vars: map[string]string{host: "singlestoredb://admin:" + hostJWT + "@h:3306/db"},
			url: defaultURL, token: hostJWT, source: hostPW, exp: exp},
		{name: "host without a JWT, URL with one", vars: map[string]string{host: "admin:db-pass@h:3306", conn: "admin:" + jwt + "@u:3306"},
			url: defaultURL, token: jwt, source: urlPW, exp: exp},
		{name: "plain host name, URL with a JWT", vars: map[string]string{host: "svc-1.singlestore.com", conn: "admin:" + jwt + "@u:3306"},
			url: defaultURL, token: jwt, source: urlPW, exp: exp},
		{name: "base URL, version and organization", vars: map[string]string{tok: "env-token-123",
			secrets.EnvManagementBaseURL: " https://api.eu.example/gw ", secrets.EnvManagementVersion: "v2", secrets.EnvOrganization: testOrgID},
			url: "https://api.eu.example/gw/v2/secrets/" + secretID + "?organizationID=" + testOrgID, token: "env-token-123", source: tok},
		{name: "loopback http base URL", vars: map[string]string{tok: " key-123 ", secrets.EnvManagementBaseURL: "http://127.0.0.1:9",
			secrets.EnvManagementVersion: "v2", secrets.EnvOrganization: testOrgID},
			url: "http://127.0.0.1:9/v2/secrets/" + secretID + "?organizationID=" + testOrgID, token: "key-123", source: tok},

		{name: "nothing set", vars: map[string]string{}, errs: noCreds, hides: []string{"is set"}},
		{name: "only other variables", vars: map[string]string{secrets.EnvManagementBaseURL: testBaseURL, secrets.EnvOrganization: testOrgID}, errs: noCreds},
		{name: "password is not a JWT", vars: map[string]string{conn: "admin:hunter2@svc-3482.singlestore.com:3306/db"}, errs: noCreds,
			says: []string{conn + " is set, but its password is not a JWT"}, hides: []string{"hunter2"}},
		{name: "password has two dots", vars: map[string]string{conn: "admin:a.b.c@svc-3482.singlestore.com:3306/db"}, errs: noCreds, hides: []string{"a.b.c"}},
		{name: "no password", vars: map[string]string{conn: "admin@svc-3482.singlestore.com:3306/db"}, errs: noCreds,
			says: []string{conn + " is set, but holds no password"}},
		{name: "no user", vars: map[string]string{conn: "svc-3482.singlestore.com:3306/db"}, errs: noCreds},
		{name: "not a URL", vars: map[string]string{conn: "::::"}, errs: noCreds},
		{name: "blank management token", vars: map[string]string{tok: "   "}, errs: noCreds},
		{name: "JWT with a non-JSON body", vars: map[string]string{conn: "admin:eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln@host:3306"}, errs: noCreds},
		{name: "host and URL, neither a JWT", vars: map[string]string{host: "admin:db-pass-123@h:3306", conn: "u:db-pass-123@u:3306"}, errs: noCreds,
			says:  []string{host + " is set, but its password is not a JWT", conn + " is set, but its password is not a JWT"},
			hides: []string{"db-pass-123"}},

		{name: "plain http base URL", vars: map[string]string{tok: "k", secrets.EnvManagementBaseURL: "http://api.example.com"},
			errs: invalid, says: []string{secrets.EnvManagementBaseURL}},
		{name: "base URL with user", vars: map[string]string{tok: "k", secrets.EnvManagementBaseURL: "https://u:p@api.example.com"},
			errs: invalid, says: []string{secrets.EnvManagementBaseURL}, hides: []string{"u:p"}},
		{name: "version with a slash", vars: map[string]string{tok: "k", secrets.EnvManagementVersion: "v1/x"},
			errs: invalid, says: []string{secrets.EnvManagementVersion}},
		{name: "token with a space", vars: map[string]string{tok: "abc def-secret"},
			errs: invalid, says: []string{tok}, hides: []string{"def-secret"}},
		{name: "token with a zero-width space", vars: map[string]string{tok: "abc\u200bdef-secret"},
			errs: invalid, says: []string{tok, "outside ASCII"}, hides: []string{"def-secret"}},
		{name: "expired management token", vars: map[string]string{tok: expired},
			errs: expiredErrs, says: []string{tok, "expired"}, hides: []string{expired}},
		{name: "expired JWT in the connection URL", vars: map[string]string{conn: "admin:" + expired + "@host:3306/db"},
			errs: expiredErrs, says: []string{conn, "expired"}, hides: []string{expired}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setEnv(t, tt.vars)
			for ctor, build := range envConstructors {
				api := newFakeAPI(t)
				c, err := build(tt.vars, secrets.WithHTTPClient(api.httpClient()))
				if tt.errs != nil {
					assert.Nil(t, c, ctor)
					assertSentinels(t, err, tt.errs...)
					says, hides := tt.says, tt.hides
					if tt.errs[0] == secrets.ErrNoCredentials { // the notebook helpers take no options
						says, hides = append([]string{tok, host, conn}, says...), append(hides, "WithAPIKey")
					}
					for _, s := range says {
						assert.Contains(t, err.Error(), s, ctor)
					}
					for _, s := range hides {
						assert.NotContains(t, err.Error(), s, ctor)
					}
					assert.Zero(t, api.GetTotalCallCount(), ctor)
					continue
				}
				require.NoError(t, err, ctor)
				assertSentTo(t, c, envGet(t, c, api), tt.url, tt.token, ctor)
				info := c.Info()
				assert.Equal(t, tt.source, info.TokenSource, ctor)
				assert.Equal(t, !tt.exp.IsZero(), info.TokenIsJWT, ctor)
				assert.True(t, tt.exp.Equal(info.TokenExpiry), "%s: expiry %v", ctor, info.TokenExpiry)
			}
		})
	}
	t.Run("nil WithEnvFunc", func(t *testing.T) {
		_, err := secrets.NewClient(secrets.WithEnvFunc(nil))
		assert.ErrorIs(t, err, secrets.ErrInvalidArgument)
	})
}

// TestEnv_OptionsOrder: options after WithEnv (or WithEnvFunc) override it; options before it stand
// where the corresponding variable is unset; ManageWorkspaces' key beats the environment's token;
// without WithEnv, NewClient reads nothing from the environment.
func TestEnv_OptionsOrder(t *testing.T) {
	envToken := map[string]string{secrets.EnvManagementToken: "env-token-123",
		secrets.EnvManagementBaseURL: "https://api.eu.example", secrets.EnvOrganization: testOrgID}
	getenv := func(k string) string { return envToken[k] }
	everyVar := map[string]string{secrets.EnvManagementToken: "env-token-123", secrets.EnvManagementBaseURL: "https://api.eu.example",
		secrets.EnvManagementVersion: "v2", secrets.EnvOrganization: testOrgID, secrets.EnvURL: "admin:" + makeJWT(t, map[string]any{"sub": "x"}) + "@host:3306"}
	tests := []struct {
		name        string
		vars        map[string]string
		build       func(mock secrets.Option) (*secrets.Client, error)
		url, token  string
		tokenSource string
	}{
		{"after WithEnv", envToken, func(mock secrets.Option) (*secrets.Client, error) {
			return secrets.NewClient(secrets.WithEnv(), secrets.WithAPIKey("explicit-key"), secrets.WithBaseURL(testBaseURL),
				secrets.WithOrganizationID(otherOrgID), mock)
		}, testBaseURL + "/v1/secrets/" + secretID + "?organizationID=" + otherOrgID, "explicit-key", "WithAPIKey"},
		{"after WithEnvFunc", nil, func(mock secrets.Option) (*secrets.Client, error) {
			return secrets.NewClient(secrets.WithEnvFunc(getenv), secrets.WithBaseURL("http://127.0.0.1:1"), secrets.WithOrganizationID(otherOrgID), mock)
		}, "http://127.0.0.1:1/v1/secrets/" + secretID + "?organizationID=" + otherOrgID, "env-token-123", secrets.EnvManagementToken},
		{"before WithEnv: base URL and organization from the environment; version kept (its variable is unset)", envToken,
			func(mock secrets.Option) (*secrets.Client, error) {
				return secrets.NewClient(secrets.WithAPIKey("explicit-key"), secrets.WithBaseURL(testBaseURL),
					secrets.WithAPIVersion("v2"), mock, secrets.WithEnv())
			}, "https://api.eu.example/v2/secrets/" + secretID + "?organizationID=" + testOrgID, "env-token-123", secrets.EnvManagementToken},
		{"ManageWorkspaces key and options", envToken, func(mock secrets.Option) (*secrets.Client, error) {
			return secrets.ManageWorkspaces("workspace-key", secrets.WithOrganizationID(otherOrgID), secrets.WithBaseURL(testBaseURL), mock)
		}, testBaseURL + "/v1/secrets/" + secretID + "?organizationID=" + otherOrgID, "workspace-key", "WithAPIKey"},
		{"no WithEnv", everyVar, func(mock secrets.Option) (*secrets.Client, error) {
			return secrets.NewClient(secrets.WithAPIKey("explicit-key"), mock)
		}, "https://api.singlestore.com/v1/secrets/" + secretID, "explicit-key", "WithAPIKey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setEnv(t, tt.vars)
			api := newFakeAPI(t)
			c, err := tt.build(secrets.WithHTTPClient(api.httpClient()))
			require.NoError(t, err)
			assertSentTo(t, c, envGet(t, c, api), tt.url, tt.token, "")
			assert.Equal(t, tt.tokenSource, c.Info().TokenSource)
		})
	}
	t.Run("no options at all", func(t *testing.T) {
		setEnv(t, everyVar)
		c, err := secrets.NewClient()
		assert.Nil(t, c)
		assert.ErrorIs(t, err, secrets.ErrNoCredentials, "the environment's token is not read without WithEnv")
	})
}

// TestEnv_ManageWorkspacesFollowsRotation: a long-lived ManageWorkspaces("") client reads the process
// environment again before each request, so it follows the platform's rotation of the token; a key
// given to ManageWorkspaces is fixed.
func TestEnv_ManageWorkspacesFollowsRotation(t *testing.T) {
	first := makeJWT(t, map[string]any{"sub": "nb", "exp": time.Now().Add(time.Hour).Unix()})
	second := makeJWT(t, map[string]any{"sub": "nb", "exp": time.Now().Add(2 * time.Hour).Unix()})
	setEnv(t, map[string]string{secrets.EnvURL: "admin:" + first + "@svc.example.com:3306"})
	api := newFakeAPI(t)
	api.on(http.MethodGet, "/v1/secrets/"+secretID, fixture(t, 200, "secret.json"))
	rotating, err := secrets.ManageWorkspaces("", secrets.WithHTTPClient(api.httpClient()))
	require.NoError(t, err)
	keyed, err := secrets.ManageWorkspaces("explicit-key", secrets.WithHTTPClient(api.httpClient()))
	require.NoError(t, err)
	for _, c := range []*secrets.Client{rotating, keyed, rotating} {
		_, err = c.Secrets.Get(t.Context(), secretID)
		require.NoError(t, err)
		t.Setenv(secrets.EnvURL, "admin:"+second+"@svc.example.com:3306")
	}
	assert.Equal(t, []string{first, "explicit-key", second}, authorizations(api))
}
