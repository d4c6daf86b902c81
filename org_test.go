package secrets_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// TestOrganizations_Current decodes the organization.
func TestOrganizations_Current(t *testing.T) {
	t.Parallel()
	c, api := setup(t)
	api.on(http.MethodGet, "/v1/organizations/current", fixture(t, 200, "organization.json"))
	org, err := c.Organizations.Current(t.Context())
	require.NoError(t, err)
	assert.Equal(t, testOrgID, org.ID)
	assert.Equal(t, "Acme Analytics", org.Name)
	assert.Equal(t, []string{"10.0.0.0/8", "192.168.1.0/24"}, org.FirewallRanges)
}

// TestOrganizations_CurrentUser decodes the user.
func TestOrganizations_CurrentUser(t *testing.T) {
	t.Parallel()
	c, api := setup(t)
	api.on(http.MethodGet, "/v1/users/current", fixture(t, 200, "user_current.json"))
	u, err := c.Organizations.CurrentUser(t.Context())
	require.NoError(t, err)
	assert.Equal(t, &secrets.UserInfo{ID: "a1b2c3d4-0000-4000-8000-000000000001", Email: "owner@example.com", FirstName: "Olga", LastName: "Owner"}, u)
}

// TestOrganizations_UserByEmail: e-mail addresses match whatever their case; none is a *LookupError
// matching ErrNotFound, several ErrAmbiguous.
func TestOrganizations_UserByEmail(t *testing.T) {
	t.Parallel()
	alice := &secrets.UserInfo{ID: aliceID, Email: "Alice@Example.com", FirstName: "Alice", LastName: "Liddell"}
	cases := []struct {
		name, fixture, email string
		want                 *secrets.UserInfo
		err                  error
	}{
		{"same case", "users.json", "Alice@Example.com", alice, nil},
		{"other case", "users.json", "alice@example.com", alice, nil},
		{"spaces trimmed", "users.json", "  alice@example.com ", alice, nil},
		{"only a prefix", "users.json", "alice@example.co", nil, secrets.ErrNotFound},
		{"ambiguous", "users_ambiguous.json", "alice@example.com", nil, secrets.ErrAmbiguous},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, api := setup(t)
			api.on(http.MethodGet, "/v1/users", fixture(t, 200, tc.fixture))
			u, err := c.Organizations.UserByEmail(t.Context(), tc.email)
			assert.Equal(t, 1, api.GetTotalCallCount())
			if tc.err == nil {
				require.NoError(t, err)
				assert.Equal(t, tc.want, u)
				return
			}
			assertSentinels(t, err, tc.err)
			var le *secrets.LookupError
			require.ErrorAs(t, err, &le)
			assert.Equal(t, "user", le.Kind)
		})
	}
	t.Run("empty list", func(t *testing.T) {
		t.Parallel()
		c, api := setup(t)
		api.on(http.MethodGet, "/v1/users", jsonResponder(200, `[]`))
		_, err := c.Organizations.UserByEmail(t.Context(), "nobody@example.com")
		assert.Equal(t, `secrets: no user with e-mail "nobody@example.com"`, err.Error())
		assertSentinels(t, err, secrets.ErrNotFound)
	})
}

// TestOrganizations_TeamByName: names match exactly; none is ErrNotFound, several ErrAmbiguous.
func TestOrganizations_TeamByName(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, team string
		want             *secrets.TeamInfo
		err              error
	}{
		{"exact among prefixes", string(readTestdata(t, "responses/teams.json")), "data-science",
			&secrets.TeamInfo{ID: teamDSID, Name: "data-science", Description: "Models and notebooks"}, nil},
		{"case matters", string(readTestdata(t, "responses/teams.json")), "Data-Science", nil, secrets.ErrNotFound},
		{"empty list", `[]`, "ops", nil, secrets.ErrNotFound},
		{"ambiguous", `[{"teamID":"t1","name":"ops"},{"teamID":"t2","name":"ops"}]`, "ops", nil, secrets.ErrAmbiguous},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, api := setup(t)
			api.on(http.MethodGet, "/v1/teams", jsonResponder(200, tc.body))
			team, err := c.Organizations.TeamByName(t.Context(), tc.team)
			if tc.err == nil {
				require.NoError(t, err)
				assert.Equal(t, tc.want, team)
				return
			}
			assertSentinels(t, err, tc.err)
			var le *secrets.LookupError
			require.ErrorAs(t, err, &le)
			assert.Equal(t, secrets.LookupError{Kind: "team", Name: tc.team, Err: tc.err}, *le)
		})
	}
}

// TestOrganizations_GetSecretResults: the results and errors of GetByName come through
// Organization.GetSecret.
func TestOrganizations_GetSecretResults(t *testing.T) {
	t.Parallel()
	cases := []struct {
		list, name string
		err        error
		withheld   bool
	}{
		{list: "list_empty.json", name: "MISSING", err: secrets.ErrNotFound},
		{list: "list_ambiguous.json", name: "DB_PASSWORD", err: secrets.ErrAmbiguous},
		{list: "list_wrapped.json", name: "API_KEY", withheld: true},
	}
	for _, tc := range cases {
		t.Run(tc.list, func(t *testing.T) {
			t.Parallel()
			c, api := setup(t)
			api.on(http.MethodGet, "/v1/organizations/current", fixture(t, 200, "organization.json"))
			api.on(http.MethodGet, "/v1/secrets", fixture(t, 200, tc.list))
			org, err := c.Organizations.Current(t.Context())
			require.NoError(t, err)
			s, err := org.GetSecret(t.Context(), tc.name)
			if tc.err != nil {
				assertSentinels(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.name, s.Name)
			assert.Equal(t, tc.withheld, s.Value == nil)
		})
	}
}
