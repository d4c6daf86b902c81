package secrets_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// wireCall runs one method of the client and returns its result as one value (nil for a method that
// returns only an error).
type wireCall func(ctx context.Context, c *secrets.Client) (any, error)

// ret turns a method's (result, error) into a wireCall's.
func ret[T any](v T, err error) (any, error) { return v, err }

// protocolCase is one method of the client, the single request it must send (the verb and path its
// doc comment names), one answer of the service and what the method makes of it.
type protocolCase struct {
	name         string
	method, path string             // of the request, and of the responder
	query        url.Values         // without organizationID
	bodyGolden   string             // testdata/requests file; "" for a request without a body
	reply        httpmock.Responder // the service's answer
	call         wireCall
	want         any // the call's result, decoded from reply
}

// The secrets the response fixtures hold, decoded.
var (
	created1       = time.Date(2024, 5, 1, 10, 20, 30, 0, time.UTC)
	wantDBPassword = &secrets.Secret{
		ID: secretID, Name: "DB_PASSWORD", Value: strp("hunter2"),
		CreatedBy: "a1b2c3d4-0000-4000-8000-000000000001", CreatedAt: created1,
		LastUpdatedBy: "a1b2c3d4-0000-4000-8000-000000000002", LastUpdatedAt: time.Date(2024, 6, 2, 11, 22, 33, 456_000_000, time.UTC),
	}
	wantAPIKey = &secrets.Secret{ // withheld: no value
		ID: "9c8b7a6f-5e4d-4c3b-8a29-1f0e9d8c7b6a", Name: "API_KEY",
		CreatedBy: "a1b2c3d4-0000-4000-8000-000000000003", CreatedAt: created1,
		LastUpdatedBy: "a1b2c3d4-0000-4000-8000-000000000003", LastUpdatedAt: created1,
	}
	ownerInfo = &secrets.UserInfo{ID: "a1b2c3d4-0000-4000-8000-000000000001", Email: "owner@example.com", FirstName: "Olga", LastName: "Owner"}
	// wantAccess is access_controls.json: users by userID, teams by teamID, inheritance and creators
	// kept, an identity that is neither dropped, an empty grants array left empty.
	wantAccess = []*secrets.RoleAccess{
		{Role: secrets.RoleOwner, Description: "Can read, update, share and delete the secret", Grants: []secrets.Grant{
			{User: ownerInfo, CreatedAt: created1, CreatedBy: ownerInfo},
			{
				User:      &secrets.UserInfo{ID: "a1b2c3d4-0000-4000-8000-000000000009", Email: "admin@example.com", FirstName: "Ada", LastName: "Admin"},
				CreatedAt: created1, InheritedFrom: &secrets.Inheritance{ResourceID: testOrgID, ResourceType: "Organization", Role: secrets.RoleOwner},
			},
		}},
		{Role: secrets.RoleReader, Description: "Can read the secret", Grants: []secrets.Grant{{
			Team:      &secrets.TeamInfo{ID: teamDSID, Name: "data-science", Description: "Models and notebooks"},
			CreatedAt: time.Date(2024, 5, 3, 8, 0, 0, 0, time.UTC), CreatedBy: ownerInfo,
		}}},
		{Role: secrets.RoleReader, Description: "Nobody", Grants: []secrets.Grant{}},
	}
)

func protocolCases(t *testing.T) []protocolCase {
	file := func(name string) httpmock.Responder { return fixture(t, http.StatusOK, name) }
	empty := func(status int) httpmock.Responder { return httpmock.NewStringResponder(status, "") }
	get := func(ctx context.Context, c *secrets.Client) (any, error) { return ret(c.Secrets.Get(ctx, secretID)) }
	list := func(ctx context.Context, c *secrets.Client) (any, error) { return ret(c.Secrets.List(ctx, nil)) }
	del := func(ctx context.Context, c *secrets.Client) (any, error) { return nil, c.Secrets.Delete(ctx, secretID) }
	access := func(ctx context.Context, c *secrets.Client) (any, error) { return ret(c.Secrets.Access(ctx, secretID)) }
	share := func(req *secrets.ShareRequest) wireCall {
		return func(ctx context.Context, c *secrets.Client) (any, error) {
			return nil, c.Secrets.Share(ctx, secretID, req)
		}
	}
	grantAlice := share(&secrets.ShareRequest{Grants: []secrets.AccessChange{{Role: secrets.RoleReader, Users: []string{aliceID}}}})
	deletedAt := time.Date(2024, 8, 9, 7, 6, 5, 0, time.UTC)
	both := []*secrets.Secret{wantDBPassword, wantAPIKey}
	const users, teams = "/v1/users", "/v1/teams"
	G, P := http.MethodGet, http.MethodPatch
	return []protocolCase{
		{name: "Organizations.Current", method: G, path: "/v1/organizations/current", reply: file("organization.json"),
			call: func(ctx context.Context, c *secrets.Client) (any, error) {
				org, err := c.Organizations.Current(ctx)
				if err != nil {
					return nil, err
				}
				return &secrets.Organization{ID: org.ID, Name: org.Name, FirewallRanges: org.FirewallRanges}, nil // its exported fields
			},
			want: &secrets.Organization{ID: testOrgID, Name: "Acme Analytics", FirewallRanges: []string{"10.0.0.0/8", "192.168.1.0/24"}}},
		{name: "Organizations.CurrentUser", method: G, path: "/v1/users/current", reply: file("user_current.json"),
			call: func(ctx context.Context, c *secrets.Client) (any, error) {
				return ret(c.Organizations.CurrentUser(ctx))
			},
			want: ownerInfo},
		{name: "Organizations.UserByEmail", method: G, path: users, query: url.Values{"email": {"alice+ml@example.com"}},
			reply: jsonResponder(http.StatusOK, `[{"userID":"u1","email":"alice+ml@example.com"}]`),
			call: func(ctx context.Context, c *secrets.Client) (any, error) {
				return ret(c.Organizations.UserByEmail(ctx, "alice+ml@example.com"))
			},
			want: &secrets.UserInfo{ID: "u1", Email: "alice+ml@example.com"}},
		{name: "Organizations.TeamByName", method: G, path: teams, query: url.Values{"name": {"data-science"}}, reply: file("teams.json"),
			call: func(ctx context.Context, c *secrets.Client) (any, error) {
				return ret(c.Organizations.TeamByName(ctx, "data-science"))
			},
			want: &secrets.TeamInfo{ID: teamDSID, Name: "data-science", Description: "Models and notebooks"}},

		// List: the wrapped form the live service sends and the bare array of the published specification
		// decode alike; a withheld value stays nil; no secrets is an empty list.
		{name: "Secrets.List", method: G, path: "/v1/secrets", reply: file("list_wrapped.json"), call: list, want: both},
		{name: "Secrets.List/bare array", method: G, path: "/v1/secrets", reply: file("list_bare.json"), call: list, want: both},
		{name: "Secrets.List/empty options", method: G, path: "/v1/secrets", reply: file("list_wrapped.json"), want: both,
			call: func(ctx context.Context, c *secrets.Client) (any, error) {
				return ret(c.Secrets.List(ctx, &secrets.ListSecretsOptions{}))
			}},
		{name: "Secrets.List/name", method: G, path: "/v1/secrets", query: url.Values{"name": {"DB_PASSWORD"}}, reply: file("list_wrapped.json"), want: both,
			call: func(ctx context.Context, c *secrets.Client) (any, error) {
				return ret(c.Secrets.List(ctx, &secrets.ListSecretsOptions{Name: "DB_PASSWORD"}))
			}},
		{name: "Secrets.List/wrapped empty", method: G, path: "/v1/secrets", reply: jsonResponder(200, `{"secrets":[]}`), call: list, want: []*secrets.Secret{}},
		{name: "Secrets.List/bare empty", method: G, path: "/v1/secrets", reply: jsonResponder(200, `[]`), call: list, want: []*secrets.Secret{}},
		{name: "Secrets.List/no secrets field", method: G, path: "/v1/secrets", reply: jsonResponder(200, `{}`), call: list, want: []*secrets.Secret{}},
		{name: "Secrets.List/null", method: G, path: "/v1/secrets", reply: jsonResponder(200, `{"secrets":null}`), call: list, want: []*secrets.Secret{}},

		// Get: every field of each Secret shape the API sends.
		{name: "Secrets.Get", method: G, path: getPath, reply: file("secret.json"), call: get, want: wantDBPassword},
		{name: "Secrets.Get/withheld", method: G, path: getPath, reply: file("secret_withheld.json"), call: get, want: wantAPIKey},
		{name: "Secrets.Get/upper-case ID", method: G, path: "/v1/secrets/" + strings.ToUpper(secretID), reply: file("secret.json"), want: wantDBPassword,
			call: func(ctx context.Context, c *secrets.Client) (any, error) {
				return ret(c.Secrets.Get(ctx, strings.ToUpper(secretID)))
			}},
		{name: "Secrets.Get/empty value", method: G, path: getPath, reply: file("secret_empty_value.json"), call: get, want: &secrets.Secret{
			ID: "5d1c2b3a-4e5f-4a6b-9c7d-8e9f0a1b2c3d", Name: "EMPTY", Value: strp(""),
			CreatedBy: wantDBPassword.CreatedBy, CreatedAt: created1, LastUpdatedBy: wantDBPassword.CreatedBy, LastUpdatedAt: created1,
		}},
		{name: "Secrets.Get/deleted", method: G, path: getPath, reply: file("secret_deleted.json"), call: get, want: &secrets.Secret{
			ID: secretID, Name: "DB_PASSWORD", CreatedBy: wantDBPassword.CreatedBy, CreatedAt: created1,
			LastUpdatedBy: wantDBPassword.LastUpdatedBy, LastUpdatedAt: wantDBPassword.LastUpdatedAt,
			DeletedBy: "a1b2c3d4-0000-4000-8000-000000000002", DeletedAt: &deletedAt,
		}},
		{name: "Secrets.Get/odd timestamps", method: G, path: getPath, reply: file("secret_odd_timestamps.json"), call: get, want: &secrets.Secret{
			ID: secretID, Name: "DB_PASSWORD", Value: strp("hunter2"), CreatedBy: wantDBPassword.CreatedBy, CreatedAt: created1,
			LastUpdatedBy: wantDBPassword.LastUpdatedBy, LastUpdatedAt: time.Unix(1717327353, 0).UTC(),
		}},
		{name: "Secrets.GetByName", method: G, path: "/v1/secrets", query: url.Values{"name": {"DB_PASSWORD"}}, reply: file("list_wrapped.json"),
			call: func(ctx context.Context, c *secrets.Client) (any, error) {
				return ret(c.Secrets.GetByName(ctx, "DB_PASSWORD"))
			},
			want: wantDBPassword},
		{name: "Secrets.Create", method: http.MethodPost, path: "/v1/secrets", bodyGolden: "create_secret.json", reply: file("secret.json"),
			call: func(ctx context.Context, c *secrets.Client) (any, error) {
				return ret(c.Secrets.Create(ctx, "DB_PASSWORD", "hunter2"))
			},
			want: wantDBPassword},
		{name: "Secrets.Update", method: P, path: getPath, bodyGolden: "update_secret.json", reply: file("secret_updated.json"),
			call: func(ctx context.Context, c *secrets.Client) (any, error) {
				return ret(c.Secrets.Update(ctx, secretID, "hunter3"))
			},
			want: &secrets.Secret{
				ID: secretID, Name: "DB_PASSWORD", Value: strp("hunter3"), CreatedBy: wantDBPassword.CreatedBy, CreatedAt: created1,
				LastUpdatedBy: wantDBPassword.CreatedBy, LastUpdatedAt: time.Date(2024, 7, 3, 12, 0, 0, 0, time.UTC),
			}},

		// Delete accepts {"secretID"}, an empty body, 204 and any JSON.
		{name: "Secrets.Delete", method: http.MethodDelete, path: getPath, reply: file("delete.json"), call: del},
		{name: "Secrets.Delete/empty 200, unknown length", method: http.MethodDelete, path: getPath, reply: empty(200), call: del},
		{name: "Secrets.Delete/empty 200, Content-Length", method: http.MethodDelete, path: getPath, reply: empty(200).SetContentLength(), call: del},
		{name: "Secrets.Delete/204", method: http.MethodDelete, path: getPath, reply: empty(204), call: del},
		{name: "Secrets.Delete/other JSON", method: http.MethodDelete, path: getPath, reply: jsonResponder(200, `{"deleted":true}`), call: del},

		{name: "Secrets.Access", method: G, path: accessPath, reply: file("access_controls.json"), call: access, want: wantAccess},
		{name: "Secrets.Access/empty", method: G, path: accessPath, reply: jsonResponder(200, `[]`), call: access, want: []*secrets.RoleAccess{}},
		{name: "Secrets.Access/null", method: G, path: accessPath, reply: jsonResponder(200, `null`), call: access, want: []*secrets.RoleAccess{}},
		// Roles the SDK has no constant for come back as the service named them, and so do inherited ones.
		{name: "Secrets.Access/unknown roles", method: G, path: accessPath, call: access, reply: jsonResponder(200, `[
			{"role":"Auditor","description":"reads the audit trail","grants":[
			  {"createdAt":"2024-05-01T12:00:00Z","identity":{"userID":"`+aliceID+`","email":"alice@example.com"}}]},
			{"role":"Owner","grants":[{"identity":{"teamID":"`+teamDSID+`","name":"data-science"},
			  "inheritedFrom":{"resourceID":"`+testOrgID+`","resourceType":"Organization","role":"Organization Admin"}}]},
			{"role":"","grants":[]}]`),
			want: []*secrets.RoleAccess{
				{Role: "Auditor", Description: "reads the audit trail", Grants: []secrets.Grant{{
					User: &secrets.UserInfo{ID: aliceID, Email: "alice@example.com"}, CreatedAt: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC),
				}}},
				{Role: secrets.RoleOwner, Grants: []secrets.Grant{{
					Team:          &secrets.TeamInfo{ID: teamDSID, Name: "data-science"},
					InheritedFrom: &secrets.Inheritance{ResourceID: testOrgID, ResourceType: "Organization", Role: "Organization Admin"},
				}}},
				{Role: "", Grants: []secrets.Grant{}}, // an unnamed role, as the service sent it
			}},

		// Share: grants, revokes, users and teams are always arrays, [] when empty; any answer will do.
		{name: "Secrets.Share", method: P, path: accessPath, bodyGolden: "share_request.json", reply: empty(200),
			call: share(&secrets.ShareRequest{
				Grants: []secrets.AccessChange{
					{Role: secrets.RoleReader, Users: []string{aliceID}, Teams: []string{teamDSID}},
					{Role: secrets.RoleOwner, Teams: []string{"7e57ea3a-0000-4000-8000-0000000000d6"}},
				},
				Revokes: []secrets.AccessChange{{Role: secrets.RoleOwner, Users: []string{"a1b2c3d4-0000-4000-8000-000000000002"}}},
			})},
		{name: "Secrets.Share/grant only", method: P, path: accessPath, bodyGolden: "share_grant_only.json", reply: empty(200), call: grantAlice},
		{name: "Secrets.Share/empty slices", method: P, path: accessPath, bodyGolden: "share_grant_only.json", reply: empty(200),
			call: share(&secrets.ShareRequest{
				Grants:  []secrets.AccessChange{{Role: secrets.RoleReader, Users: []string{aliceID}, Teams: []string{}}},
				Revokes: []secrets.AccessChange{},
			})},
		{name: "Secrets.Share/revoke only", method: P, path: accessPath, bodyGolden: "share_revoke_only.json", reply: empty(200),
			call: share(&secrets.ShareRequest{Revokes: []secrets.AccessChange{{Role: secrets.RoleReader, Teams: []string{teamDSID}}}})},
		{name: "Secrets.Share/204", method: P, path: accessPath, bodyGolden: "share_grant_only.json", reply: empty(204), call: grantAlice},
		{name: "Secrets.Share/JSON object", method: P, path: accessPath, bodyGolden: "share_grant_only.json", reply: jsonResponder(200, `{"ok":true}`), call: grantAlice},
		{name: "Secrets.Share/JSON array", method: P, path: accessPath, bodyGolden: "share_grant_only.json", reply: jsonResponder(200, `[]`), call: grantAlice},
		{name: "Secrets.Share/access list", method: P, path: accessPath, bodyGolden: "share_grant_only.json", reply: file("access_controls.json"), call: grantAlice},
	}
}

// TestProtocol_EveryMethod checks the one request of every method: method, path, query (with
// organizationID merged in when configured), headers and body; what the method makes of the answer;
// and the *APIError of a refusal.
func TestProtocol_EveryMethod(t *testing.T) {
	t.Parallel()
	ua := "go-secrets/" + secrets.Version
	configs := []struct { // the user agent's suffix is trimmed and optional
		name, org, userAgent string
		opts                 []secrets.Option
	}{
		{"defaults", "", ua, nil},
		{"organization and user agent", testOrgID, ua + " my-app/1.2 (+ops)",
			[]secrets.Option{secrets.WithOrganizationID(testOrgID), secrets.WithUserAgent("my-app/1.2 (+ops)")}},
		{"empty user agent", "", ua, []secrets.Option{secrets.WithUserAgent("")}},
		{"blank user agent", "", ua, []secrets.Option{secrets.WithUserAgent("   ")}},
		{"padded user agent", "", ua + " my-tool/2.0", []secrets.Option{secrets.WithUserAgent(" my-tool/2.0 ")}},
		{"non-ASCII user agent", "", ua + " ünïcode/1", []secrets.Option{secrets.WithUserAgent("ünïcode/1")}},
	}
	for _, cfg := range configs {
		for _, tc := range protocolCases(t) {
			t.Run(cfg.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				c, api := setup(t, cfg.opts...)
				assert.Equal(t, cfg.userAgent, c.Info().UserAgent)
				api.on(tc.method, tc.path, tc.reply)

				got, err := tc.call(t.Context(), c)
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)

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
					assert.NotContains(t, string(req.Body), "null")
				}

				// The same call refused: its *APIError names its own method and path, without the query.
				c, api = setup(t, cfg.opts...)
				api.on(tc.method, tc.path, jsonResponder(http.StatusForbidden, `{"message":"no"}`))
				_, err = tc.call(t.Context(), c)
				var apiErr *secrets.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.ErrorIs(t, err, secrets.ErrForbidden)
				assert.Equal(t, tc.method, apiErr.Method)
				assert.Equal(t, tc.path, apiErr.Path)
				assert.Equal(t, "secrets: "+tc.method+" "+tc.path+": 403 Forbidden: no", err.Error())
			})
		}
	}
}

// TestProtocol_ShareByName checks the requests of ShareByName: one lookup per distinct name as given,
// then one PATCH.
func TestProtocol_ShareByName(t *testing.T) {
	t.Parallel()
	c, api := setup(t, secrets.WithOrganizationID(testOrgID))
	api.on(http.MethodGet, "/v1/users", fixture(t, http.StatusOK, "users.json"))
	api.on(http.MethodGet, "/v1/teams", fixture(t, http.StatusOK, "teams.json"))
	api.on(http.MethodPatch, accessPath, httpmock.NewStringResponder(http.StatusNoContent, ""))

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
	}
	assert.Equal(t, url.Values{"email": {"alice@example.com"}, "organizationID": {testOrgID}}, reqs[0].URL.Query())
	assert.Equal(t, "/v1/teams", reqs[1].URL.Path)
	assert.Equal(t, url.Values{"name": {"data-science"}, "organizationID": {testOrgID}}, reqs[1].URL.Query())
	assert.Equal(t, url.Values{"email": {"ALICE@example.com"}, "organizationID": {testOrgID}}, reqs[2].URL.Query())

	patch := reqs[3]
	assert.Equal(t, http.MethodPatch, patch.Method)
	assert.Equal(t, accessPath, patch.URL.Path)
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
			org := currentOrg(t, c, api)
			api.on(http.MethodGet, "/v1/secrets", fixture(t, http.StatusOK, "list_wrapped.json"))
			s, err := org.GetSecret(t.Context(), "DB_PASSWORD")
			require.NoError(t, err)
			assert.Equal(t, wantDBPassword, s)

			reqs := api.requests()
			require.Len(t, reqs, 2)
			assert.Equal(t, clientOrg, reqs[0].URL.Query().Get("organizationID"))
			assert.Equal(t, "/v1/secrets", reqs[1].URL.Path)
			assert.Equal(t, url.Values{"name": {"DB_PASSWORD"}, "organizationID": {testOrgID}}, reqs[1].URL.Query())
		})
	}
}

// currentOrg is the Organization of organization.json, read through c: one request on api.
func currentOrg(t *testing.T, c *secrets.Client, api *fakeAPI) *secrets.Organization {
	t.Helper()
	api.on(http.MethodGet, "/v1/organizations/current", fixture(t, http.StatusOK, "organization.json"))
	org, err := c.Organizations.Current(t.Context())
	require.NoError(t, err)
	return org
}

// TestProtocol_BaseURLPrefixAndVersion checks that a path prefix in the base URL and WithAPIVersion
// shape every path, and that a trailing slash is harmless.
func TestProtocol_BaseURLPrefixAndVersion(t *testing.T) {
	t.Parallel()
	cases := []struct {
		base, version, wantPath string
	}{
		{"https://api.test.example/", "", getPath},
		{"https://api.test.example/gateway", "", "/gateway" + getPath},
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

// TestSecrets_LenientTimestamps: every layout the service's clients read is read; numbers are Unix
// seconds or milliseconds; anything else is the zero time, never an error.
func TestSecrets_LenientTimestamps(t *testing.T) {
	t.Parallel()
	ref := time.Date(2024, 5, 1, 10, 20, 30, 0, time.UTC)
	cases := []struct {
		raw  string
		want time.Time
	}{
		{`"2024-05-01T10:20:30Z"`, ref},
		{`"2024-05-01T10:20:30.123456789Z"`, ref.Add(123456789)},
		{`"2024-05-01T12:20:30+02:00"`, ref},
		{`"2024-05-01T10:20:30"`, ref},
		{`"2024-05-01T10:20:30.5"`, ref.Add(500 * time.Millisecond)},
		{`"2024-05-01 10:20:30"`, ref},
		{`"2024-05-01 10:20:30.25"`, ref.Add(250 * time.Millisecond)},
		{`"2024-05-01 05:20:30-05:00"`, ref},
		{`"2024-05-01"`, time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)},
		{`1714558830`, ref},
		{`1714558830.5`, ref.Add(500 * time.Millisecond)},
		{`1714558830000`, ref},
		{`"1714558830"`, ref},
		{`null`, time.Time{}},
		{`""`, time.Time{}},
		{`"garbage"`, time.Time{}},
		{`"2024-13-45T99:99:99Z"`, time.Time{}},
		{`0`, time.Time{}},
		{`-5`, time.Time{}},
		{`1e300`, time.Time{}},
		{`"NaN"`, time.Time{}},
		{`true`, time.Time{}},
		{`{"seconds":1}`, time.Time{}},
		{`[1,2]`, time.Time{}},
	}
	for _, tc := range cases {
		t.Run(tc.raw, func(t *testing.T) {
			t.Parallel()
			c, api := setup(t)
			body := `{"secretID":"` + secretID + `","name":"N","value":"v","createdAt":` + tc.raw +
				`,"lastUpdatedAt":` + tc.raw + `,"deletedAt":` + tc.raw + `}`
			api.on(http.MethodGet, getPath, jsonResponder(200, body))
			s, err := c.Secrets.Get(t.Context(), secretID)
			require.NoError(t, err, "an odd timestamp never fails a call")
			assert.True(t, tc.want.Equal(s.CreatedAt), "CreatedAt %v, want %v", s.CreatedAt, tc.want)
			assert.True(t, tc.want.Equal(s.LastUpdatedAt), "LastUpdatedAt %v, want %v", s.LastUpdatedAt, tc.want)
			assert.Equal(t, time.UTC, s.CreatedAt.Location())
			if tc.want.IsZero() {
				assert.Nil(t, s.DeletedAt)
			} else if assert.NotNil(t, s.DeletedAt) {
				assert.True(t, tc.want.Equal(*s.DeletedAt))
			}
		})
	}
}

// TestSecrets_InvalidResponses: a 2xx body that is not the expected JSON is ErrInvalidResponse in a
// *RequestError, whose text does not quote the body (it may hold values); never retried.
func TestSecrets_InvalidResponses(t *testing.T) {
	t.Parallel()
	get := func(ctx context.Context, c *secrets.Client) (any, error) { return ret(c.Secrets.Get(ctx, secretID)) }
	list := func(ctx context.Context, c *secrets.Client) (any, error) { return ret(c.Secrets.List(ctx, nil)) }
	cases := []struct {
		name, path, body, text string
		call                   wireCall
	}{
		{"Get not JSON", getPath, "hunter2 is the password", "invalid response: malformed JSON at byte 1", get},
		{"Get truncated", getPath, `{"secretID":"x","value":"hunter2`, "invalid response: ", get},
		{"Get empty", getPath, "", "invalid response: ", get},
		{"Get wrong type", getPath, `{"secretID":"x","value":["hunter2"]}`, `invalid response: JSON field "value" has the wrong type`, get},
		{"List garbage", "/v1/secrets", `"hunter2"`, "invalid response: ", list},
		{"List empty body", "/v1/secrets", ``, "invalid response: ", list},
		{"Access object", accessPath, `{"role":"Owner"}`, "invalid response: ",
			func(ctx context.Context, c *secrets.Client) (any, error) { return ret(c.Secrets.Access(ctx, secretID)) }},
		{"Current HTML", "/v1/organizations/current", `<html>hunter2</html>`, "invalid response: malformed JSON",
			func(ctx context.Context, c *secrets.Client) (any, error) { return ret(c.Organizations.Current(ctx)) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, api := setup(t)
			api.on(http.MethodGet, tc.path, httpmock.NewStringResponder(200, tc.body))
			_, err := tc.call(t.Context(), c)
			assertSentinels(t, err, secrets.ErrInvalidResponse)
			var reqErr *secrets.RequestError
			require.ErrorAs(t, err, &reqErr)
			assert.Equal(t, http.MethodGet, reqErr.Method)
			assert.Equal(t, tc.path, reqErr.Path)
			assert.Equal(t, 1, api.GetTotalCallCount())
			assert.Contains(t, err.Error(), tc.text)
			assert.True(t, strings.HasPrefix(err.Error(), "secrets: GET "+tc.path+": "), err.Error())
			assert.NotContains(t, err.Error(), "hunter2")
		})
	}
}
