package secrets_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// protocolCase is one method of the client and the single request it must send: the verb and path its
// doc comment names.
type protocolCase struct {
	name       string
	method     string // of the request, and of the responder
	path       string // of the request, and of the responder
	respond    func(t *testing.T) httpmock.Responder
	call       func(ctx context.Context, c *secrets.Client) error
	query      url.Values // without organizationID
	bodyGolden string     // testdata/requests file; "" for a request without a body
}

func protocolCases() []protocolCase {
	file := func(name string) func(t *testing.T) httpmock.Responder {
		return func(t *testing.T) httpmock.Responder { return fixture(t, http.StatusOK, name) }
	}
	return []protocolCase{
		{
			name: "Organizations.Current", method: http.MethodGet, path: "/v1/organizations/current",
			respond: file("organization.json"),
			call: func(ctx context.Context, c *secrets.Client) error {
				_, err := c.Organizations.Current(ctx)
				return err
			},
		},
		{
			name: "Organizations.CurrentUser", method: http.MethodGet, path: "/v1/users/current",
			respond: file("user_current.json"),
			call: func(ctx context.Context, c *secrets.Client) error {
				_, err := c.Organizations.CurrentUser(ctx)
				return err
			},
		},
		{
			name: "Organizations.UserByEmail", method: http.MethodGet, path: "/v1/users",
			respond: func(t *testing.T) httpmock.Responder {
				return jsonResponder(http.StatusOK, `[{"userID":"u1","email":"alice+ml@example.com"}]`)
			},
			call: func(ctx context.Context, c *secrets.Client) error {
				_, err := c.Organizations.UserByEmail(ctx, "alice+ml@example.com")
				return err
			},
			query: url.Values{"email": {"alice+ml@example.com"}},
		},
		{
			name: "Organizations.TeamByName", method: http.MethodGet, path: "/v1/teams",
			respond: file("teams.json"),
			call: func(ctx context.Context, c *secrets.Client) error {
				_, err := c.Organizations.TeamByName(ctx, "data-science")
				return err
			},
			query: url.Values{"name": {"data-science"}},
		},
		{
			name: "Secrets.List", method: http.MethodGet, path: "/v1/secrets",
			respond: file("list_wrapped.json"),
			call: func(ctx context.Context, c *secrets.Client) error {
				_, err := c.Secrets.List(ctx, nil)
				return err
			},
		},
		{
			name: "Secrets.List/empty options", method: http.MethodGet, path: "/v1/secrets",
			respond: file("list_wrapped.json"),
			call: func(ctx context.Context, c *secrets.Client) error {
				_, err := c.Secrets.List(ctx, &secrets.ListSecretsOptions{})
				return err
			},
		},
		{
			name: "Secrets.List/name", method: http.MethodGet, path: "/v1/secrets",
			respond: file("list_wrapped.json"),
			call: func(ctx context.Context, c *secrets.Client) error {
				_, err := c.Secrets.List(ctx, &secrets.ListSecretsOptions{Name: "DB_PASSWORD"})
				return err
			},
			query: url.Values{"name": {"DB_PASSWORD"}},
		},
		{
			name: "Secrets.Get", method: http.MethodGet, path: "/v1/secrets/" + secretID,
			respond: file("secret.json"),
			call: func(ctx context.Context, c *secrets.Client) error {
				_, err := c.Secrets.Get(ctx, secretID)
				return err
			},
		},
		{
			name: "Secrets.GetByName", method: http.MethodGet, path: "/v1/secrets",
			respond: file("list_wrapped.json"),
			call: func(ctx context.Context, c *secrets.Client) error {
				_, err := c.Secrets.GetByName(ctx, "DB_PASSWORD")
				return err
			},
			query: url.Values{"name": {"DB_PASSWORD"}},
		},
		{
			name: "Secrets.Create", method: http.MethodPost, path: "/v1/secrets",
			respond: file("secret.json"),
			call: func(ctx context.Context, c *secrets.Client) error {
				_, err := c.Secrets.Create(ctx, "DB_PASSWORD", "hunter2")
				return err
			},
			bodyGolden: "create_secret.json",
		},
		{
			name: "Secrets.Update", method: http.MethodPatch, path: "/v1/secrets/" + secretID,
			respond: file("secret_updated.json"),
			call: func(ctx context.Context, c *secrets.Client) error {
				_, err := c.Secrets.Update(ctx, secretID, "hunter3")
				return err
			},
			bodyGolden: "update_secret.json",
		},
		{
			name: "Secrets.Delete", method: http.MethodDelete, path: "/v1/secrets/" + secretID,
			respond: file("delete.json"),
			call: func(ctx context.Context, c *secrets.Client) error {
				return c.Secrets.Delete(ctx, secretID)
			},
		},
		{
			name: "Secrets.Access", method: http.MethodGet, path: "/v1/secrets/" + secretID + "/accessControls",
			respond: file("access_controls.json"),
			call: func(ctx context.Context, c *secrets.Client) error {
				_, err := c.Secrets.Access(ctx, secretID)
				return err
			},
		},
		{
			name: "Secrets.Share", method: http.MethodPatch, path: "/v1/secrets/" + secretID + "/accessControls",
			respond: func(t *testing.T) httpmock.Responder { return httpmock.NewStringResponder(http.StatusOK, "") },
			call: func(ctx context.Context, c *secrets.Client) error {
				return c.Secrets.Share(ctx, secretID, &secrets.ShareRequest{
					Grants: []secrets.AccessChange{
						{Role: secrets.RoleReader, Users: []string{aliceID}, Teams: []string{teamDSID}},
						{Role: secrets.RoleOwner, Teams: []string{"7e57ea3a-0000-4000-8000-0000000000d6"}},
					},
					Revokes: []secrets.AccessChange{
						{Role: secrets.RoleOwner, Users: []string{"a1b2c3d4-0000-4000-8000-000000000002"}},
					},
				})
			},
			bodyGolden: "share_request.json",
		},
	}
}

// TestProtocol_EveryMethod checks the one request of every method: method, path, query (with
// organizationID merged in when configured), headers and body.
func TestProtocol_EveryMethod(t *testing.T) {
	t.Parallel()
	configs := []struct {
		name      string
		opts      []secrets.Option
		org       string
		userAgent string
	}{
		{name: "defaults", userAgent: "go-secrets/" + secrets.Version},
		{
			name:      "organization and user agent",
			opts:      []secrets.Option{secrets.WithOrganizationID(testOrgID), secrets.WithUserAgent("my-app/1.2 (+ops)")},
			org:       testOrgID,
			userAgent: "go-secrets/" + secrets.Version + " my-app/1.2 (+ops)",
		},
	}
	for _, cfg := range configs {
		for _, tc := range protocolCases() {
			t.Run(cfg.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				c, api := setup(t, cfg.opts...)
				api.on(tc.method, tc.path, tc.respond(t))

				require.NoError(t, tc.call(t.Context(), c))

				req := api.only()
				assert.Equal(t, tc.method, req.Method)
				assert.Equal(t, "https", req.URL.Scheme)
				assert.Equal(t, "api.test.example", req.URL.Host)
				assert.Equal(t, tc.path, req.URL.Path)
				want := url.Values{}
				for k, v := range tc.query {
					want[k] = v
				}
				if cfg.org != "" {
					want.Set("organizationID", cfg.org)
				}
				assert.Equal(t, want, req.URL.Query(), "query %q", req.URL.RawQuery)

				assert.Equal(t, []string{"Bearer " + testToken}, req.Header.Values("Authorization"))
				assert.Equal(t, []string{"application/json"}, req.Header.Values("Accept"))
				assert.Equal(t, []string{cfg.userAgent}, req.Header.Values("User-Agent"))
				if tc.bodyGolden == "" {
					assert.Empty(t, req.Header.Values("Content-Type"), "Content-Type without a body")
					assert.Empty(t, req.Body)
				} else {
					assert.Equal(t, []string{"application/json"}, req.Header.Values("Content-Type"))
					assertGoldenJSON(t, tc.bodyGolden, req.Body)
				}
			})
		}
	}
}

// TestProtocol_ShareByName checks the three requests of ShareByName: the lookups, then one PATCH.
func TestProtocol_ShareByName(t *testing.T) {
	t.Parallel()
	c, api := setup(t, secrets.WithOrganizationID(testOrgID))
	api.on(http.MethodGet, "/v1/users", fixture(t, http.StatusOK, "users.json"))
	api.on(http.MethodGet, "/v1/teams", fixture(t, http.StatusOK, "teams.json"))
	api.on(http.MethodPatch, "/v1/secrets/"+secretID+"/accessControls", httpmock.NewStringResponder(http.StatusNoContent, ""))

	err := c.Secrets.ShareByName(t.Context(), secretID, &secrets.ShareByNameRequest{
		Grants:  []secrets.NamedAccessChange{{Role: secrets.RoleReader, UserEmails: []string{"alice@example.com"}, TeamNames: []string{"data-science"}}},
		Revokes: []secrets.NamedAccessChange{{Role: secrets.RoleOwner, UserEmails: []string{"ALICE@example.com"}}},
	})
	require.NoError(t, err)

	reqs := api.requests()
	require.Len(t, reqs, 4, "one lookup per distinct name as given, then the PATCH")
	for _, r := range reqs[:3] {
		assert.Equal(t, http.MethodGet, r.Method)
		assert.Empty(t, r.Body)
		assert.Equal(t, testOrgID, r.URL.Query().Get("organizationID"))
	}
	assert.Equal(t, url.Values{"email": {"alice@example.com"}, "organizationID": {testOrgID}}, reqs[0].URL.Query())
	assert.Equal(t, "/v1/teams", reqs[1].URL.Path)
	assert.Equal(t, url.Values{"name": {"data-science"}, "organizationID": {testOrgID}}, reqs[1].URL.Query())
	assert.Equal(t, url.Values{"email": {"ALICE@example.com"}, "organizationID": {testOrgID}}, reqs[2].URL.Query())

	patch := reqs[3]
	assert.Equal(t, http.MethodPatch, patch.Method)
	assert.Equal(t, "/v1/secrets/"+secretID+"/accessControls", patch.URL.Path)
	assert.Equal(t, url.Values{"organizationID": {testOrgID}}, patch.URL.Query())
	assert.Equal(t, "application/json", patch.Header.Get("Content-Type"))
	assertGoldenJSON(t, "share_byname.json", patch.Body)
}

// TestProtocol_OrganizationGetSecret checks that Organization.GetSecret sends the organization's own
// ID as organizationID, in place of the client's, and keeps name=.
func TestProtocol_OrganizationGetSecret(t *testing.T) {
	t.Parallel()
	for _, clientOrg := range []string{"", otherOrgID} {
		t.Run("client organization "+clientOrg, func(t *testing.T) {
			t.Parallel()
			var opts []secrets.Option
			if clientOrg != "" {
				opts = append(opts, secrets.WithOrganizationID(clientOrg))
			}
			c, api := setup(t, opts...)
			api.on(http.MethodGet, "/v1/organizations/current", fixture(t, http.StatusOK, "organization.json"))
			api.on(http.MethodGet, "/v1/secrets", fixture(t, http.StatusOK, "list_wrapped.json"))

			org, err := c.Organizations.Current(t.Context())
			require.NoError(t, err)
			s, err := org.GetSecret(t.Context(), "DB_PASSWORD")
			require.NoError(t, err)
			require.NotNil(t, s.Value)
			assert.Equal(t, "hunter2", *s.Value)

			reqs := api.requests()
			require.Len(t, reqs, 2)
			assert.Equal(t, clientOrg, reqs[0].URL.Query().Get("organizationID"))
			assert.Equal(t, "/v1/secrets", reqs[1].URL.Path)
			assert.Equal(t, url.Values{"name": {"DB_PASSWORD"}, "organizationID": {testOrgID}}, reqs[1].URL.Query())
		})
	}
}

// TestProtocol_BaseURLPrefixAndVersion checks that a path prefix in the base URL and WithAPIVersion
// shape every path, and that a trailing slash is harmless.
func TestProtocol_BaseURLPrefixAndVersion(t *testing.T) {
	t.Parallel()
	cases := []struct {
		base, version, wantPath string
	}{
		{"https://api.test.example/", "", "/v1/secrets/" + secretID},
		{"https://api.test.example/gateway", "", "/gateway/v1/secrets/" + secretID},
		{"https://api.test.example/gateway/", "v2", "/gateway/v2/secrets/" + secretID},
		{"https://api.test.example", "/v3/", "/v3/secrets/" + secretID},
	}
	for _, tc := range cases {
		t.Run(tc.base+" "+tc.version, func(t *testing.T) {
			t.Parallel()
			opts := []secrets.Option{secrets.WithBaseURL(tc.base)}
			if tc.version != "" {
				opts = append(opts, secrets.WithAPIVersion(tc.version))
			}
			c, api := setup(t, opts...)
			api.on(http.MethodGet, tc.wantPath, fixture(t, http.StatusOK, "secret.json"))
			_, err := c.Secrets.Get(t.Context(), secretID)
			require.NoError(t, err)
			assert.Equal(t, tc.wantPath, api.only().URL.Path)
		})
	}
}

// TestProtocol_IDsThatNoIDHoldsAreRefused checks that an ID cannot add path segments, and that an
// ID in either case of hexadecimal digits reaches the path as given.
func TestProtocol_IDsThatNoIDHoldsAreRefused(t *testing.T) {
	t.Parallel()
	c, api := setup(t)
	for _, id := range []string{"a/b?c#d", "q r", "..", "%2e", "ü", "x.y", "Ab-9_z"} {
		_, err := c.Secrets.Get(t.Context(), id)
		require.ErrorIs(t, err, secrets.ErrInvalidArgument, id)
		assert.NotContains(t, err.Error(), id, "the ID is not quoted: it may be a value passed by mistake")
	}
	assert.Zero(t, api.GetTotalCallCount())

	upper := strings.ToUpper(secretID)
	api.on(http.MethodGet, "/v1/secrets/"+upper, fixture(t, 200, "secret.json"))
	_, err := c.Secrets.Get(t.Context(), upper)
	require.NoError(t, err)
}
