package secrets_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// TestShare_RequestNotModified: Share copies what it sends; the caller's request is left as it was.
func TestShare_RequestNotModified(t *testing.T) {
	t.Parallel()
	c, api := setup(t)
	api.on(http.MethodPatch, accessPath, httpmock.NewStringResponder(200, ""))
	users := make([]string, 1, 8)
	users[0] = aliceID
	req := &secrets.ShareRequest{Grants: []secrets.AccessChange{{Role: secrets.RoleReader, Users: users}}}
	require.NoError(t, c.Secrets.Share(t.Context(), secretID, req))
	assert.Equal(t, &secrets.ShareRequest{Grants: []secrets.AccessChange{{Role: secrets.RoleReader, Users: []string{aliceID}}}}, req)
	assert.Equal(t, aliceID, users[:1][0])
}

// TestShareByName_Unresolved: an unknown or ambiguous e-mail or team name is a *LookupError (errors.Is
// ErrNotFound or ErrAmbiguous), every such name is reported, and no PATCH is sent.
func TestShareByName_Unresolved(t *testing.T) {
	t.Parallel()
	users, teams := string(readTestdata(t, "responses/users.json")), string(readTestdata(t, "responses/teams.json"))
	grant := func(emails, teams []string) []secrets.NamedAccessChange {
		return []secrets.NamedAccessChange{{Role: secrets.RoleReader, UserEmails: emails, TeamNames: teams}}
	}
	user := func(email string, err error) secrets.LookupError {
		return secrets.LookupError{Kind: "user", Name: email, Err: err}
	}
	team := func(name string, err error) secrets.LookupError {
		return secrets.LookupError{Kind: "team", Name: name, Err: err}
	}
	cases := []struct {
		name         string
		users, teams string // bodies of /v1/users and /v1/teams
		req          *secrets.ShareByNameRequest
		lookups      []secrets.LookupError
	}{
		{"unknown e-mail", `[]`, teams, &secrets.ShareByNameRequest{Grants: grant([]string{"nobody@example.com"}, []string{"data-science"})},
			[]secrets.LookupError{user("nobody@example.com", secrets.ErrNotFound)}},
		{"unknown team", users, teams, &secrets.ShareByNameRequest{Grants: grant([]string{"alice@example.com"}, []string{"data"})},
			[]secrets.LookupError{team("data", secrets.ErrNotFound)}},
		{"ambiguous e-mail", string(readTestdata(t, "responses/users_ambiguous.json")), `[]`, &secrets.ShareByNameRequest{
			Revokes: []secrets.NamedAccessChange{{Role: secrets.RoleOwner, UserEmails: []string{"alice@example.com"}}},
		}, []secrets.LookupError{user("alice@example.com", secrets.ErrAmbiguous)}},
		{"ambiguous team", `[]`, `[{"teamID":"t1","name":"ops"},{"teamID":"t2","name":"ops"}]`,
			&secrets.ShareByNameRequest{Grants: grant(nil, []string{"ops"})}, []secrets.LookupError{team("ops", secrets.ErrAmbiguous)}},
		{"several unknown", `[]`, `[]`, &secrets.ShareByNameRequest{
			Grants:  grant([]string{"a@example.com"}, []string{"red"}),
			Revokes: []secrets.NamedAccessChange{{Role: secrets.RoleOwner, UserEmails: []string{"b@example.com", "a@example.com"}}},
		}, []secrets.LookupError{
			user("a@example.com", secrets.ErrNotFound), team("red", secrets.ErrNotFound), user("b@example.com", secrets.ErrNotFound),
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, api := setup(t)
			api.on(http.MethodGet, "/v1/users", jsonResponder(200, tc.users))
			api.on(http.MethodGet, "/v1/teams", jsonResponder(200, tc.teams))
			api.on(http.MethodPatch, accessPath, httpmock.NewStringResponder(200, ""))

			err := c.Secrets.ShareByName(t.Context(), secretID, tc.req)
			require.Error(t, err)
			for _, r := range api.requests() {
				assert.Equal(t, http.MethodGet, r.Method, "no PATCH")
			}

			var first *secrets.LookupError
			require.ErrorAs(t, err, &first)
			assert.Equal(t, tc.lookups[0], *first)
			var unresolved *secrets.ShareLookupError
			require.ErrorAs(t, err, &unresolved)
			got := make([]secrets.LookupError, len(unresolved.Lookups))
			for i, le := range unresolved.Lookups {
				got[i] = *le
			}
			assert.Equal(t, tc.lookups, got)
			for _, le := range tc.lookups {
				assert.ErrorIs(t, err, le.Err)
				assert.Contains(t, err.Error(), le.Error())
			}
			assert.Contains(t, err.Error(), "secrets: share: nothing changed: ")
			var apiErr *secrets.APIError
			assert.NotErrorAs(t, err, &apiErr)
		})
	}
}

// TestShareByName_LookupFailure: a lookup that fails for another reason stops everything: that error
// is returned as it is, later names are not looked up and no PATCH is sent.
func TestShareByName_LookupFailure(t *testing.T) {
	t.Parallel()
	c, api := setup(t, secrets.WithRetryMax(0))
	api.on(http.MethodGet, "/v1/users", jsonResponder(403, `{"message":"listing users needs Owner"}`))
	api.on(http.MethodGet, "/v1/teams", fixture(t, 200, "teams.json"))
	api.on(http.MethodPatch, accessPath, httpmock.NewStringResponder(200, ""))

	err := c.Secrets.ShareByName(t.Context(), secretID, &secrets.ShareByNameRequest{Grants: []secrets.NamedAccessChange{
		{Role: secrets.RoleReader, UserEmails: []string{"alice@example.com", "bob@example.com"}, TeamNames: []string{"data-science"}},
	}})
	var apiErr *secrets.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "/v1/users", apiErr.Path)
	assert.ErrorIs(t, err, secrets.ErrForbidden)
	var le *secrets.LookupError
	assert.NotErrorAs(t, err, &le)
	assert.Equal(t, 1, api.GetTotalCallCount(), "stopped at the first failure")
}

// TestShareByName_LookupsAndIDsSent: a name used several times costs one lookup; an e-mail address
// in other cases or with spaces around it names the same user (UserByEmail ignores both): each
// spelling is looked up as given, and the user's ID is sent once per change; a team named twice in one
// change is sent once too.
func TestShareByName_LookupsAndIDsSent(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		req       *secrets.ShareByNameRequest
		userCalls int
		sent      string // the PATCH body
	}{
		{name: "a name used several times", userCalls: 1, req: &secrets.ShareByNameRequest{
			Grants: []secrets.NamedAccessChange{
				{Role: secrets.RoleReader, UserEmails: []string{"alice@example.com"}, TeamNames: []string{"data-science"}},
				{Role: secrets.RoleOwner, UserEmails: []string{"alice@example.com"}, TeamNames: []string{"data-science"}},
			},
			Revokes: []secrets.NamedAccessChange{{Role: secrets.RoleOwner, TeamNames: []string{"data-science"}}},
		}, sent: `{
			"grants": [
				{"role": "Reader", "users": ["` + aliceID + `"], "teams": ["` + teamDSID + `"]},
				{"role": "Owner", "users": ["` + aliceID + `"], "teams": ["` + teamDSID + `"]}
			],
			"revokes": [{"role": "Owner", "users": [], "teams": ["` + teamDSID + `"]}]}`},
		{name: "one identity under several spellings", userCalls: 3, req: &secrets.ShareByNameRequest{
			Grants: []secrets.NamedAccessChange{{Role: secrets.RoleReader,
				UserEmails: []string{"alice@example.com", "ALICE@Example.com", " alice@example.com "},
				TeamNames:  []string{"data-science", "data-science"}}},
		}, sent: `{"grants": [{"role": "Reader", "users": ["` + aliceID + `"], "teams": ["` + teamDSID + `"]}], "revokes": []}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, api := setup(t)
			api.on(http.MethodGet, "/v1/users", fixture(t, 200, "users.json"))
			api.on(http.MethodGet, "/v1/teams", fixture(t, 200, "teams.json"))
			api.on(http.MethodPatch, accessPath, httpmock.NewStringResponder(200, ""))

			require.NoError(t, c.Secrets.ShareByName(t.Context(), secretID, tc.req))
			assert.Equal(t, map[string]int{"GET /v1/users": tc.userCalls, "GET /v1/teams": 1, "PATCH " + accessPath: 1}, nonZero(api.GetCallCountInfo()))
			reqs := api.requests()
			assert.JSONEq(t, tc.sent, string(reqs[len(reqs)-1].Body))
		})
	}
}

// TestShare_CustomRolesReachTheService: any role name that could be one is sent as given, by Share
// and by ShareByName; the service's answer decides, and its refusal is a typed *APIError.
func TestShare_CustomRolesReachTheService(t *testing.T) {
	t.Parallel()
	roles := []secrets.Role{"Auditor", "owner", "Secret Viewer", "Prüfer", "role:custom/1"}
	for _, role := range roles {
		for _, status := range []int{http.StatusOK, http.StatusBadRequest, http.StatusNotFound, http.StatusUnprocessableEntity} {
			t.Run(string(role)+"/"+strconv.Itoa(status), func(t *testing.T) {
				t.Parallel()
				c, api := setup(t)
				api.on(http.MethodPatch, accessPath, jsonResponder(status, `{"message":"role answer"}`))
				api.on(http.MethodGet, "/v1/users", fixture(t, 200, "users.json"))
				req := &secrets.ShareRequest{Grants: []secrets.AccessChange{{Role: role, Users: []string{aliceID}}}}
				byName := &secrets.ShareByNameRequest{Revokes: []secrets.NamedAccessChange{{Role: role, UserEmails: []string{"alice@example.com"}}}}
				for _, share := range []func() error{
					func() error { return c.Secrets.Share(t.Context(), secretID, req) },
					func() error { return c.Secrets.ShareByName(t.Context(), secretID, byName) },
				} {
					err := share()
					if status == http.StatusOK {
						require.NoError(t, err)
						continue
					}
					requireAPIError(t, err, status)
				}
				var sent []map[string][]map[string]any
				for _, r := range api.requests() {
					if r.Method != http.MethodPatch {
						continue
					}
					var body map[string][]map[string]any
					require.NoError(t, json.Unmarshal(r.Body, &body))
					sent = append(sent, body)
				}
				require.Len(t, sent, 2)
				assert.Equal(t, string(role), sent[0]["grants"][0]["role"])
				assert.Equal(t, string(role), sent[1]["revokes"][0]["role"])
			})
		}
	}
}

// TestShare_GrantString: a grant names its user or team, and where it is inherited from.
func TestShare_GrantString(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "user owner@example.com", wantAccess[0].Grants[0].String())
	assert.Equal(t, "user admin@example.com (inherited from Organization "+testOrgID+")", wantAccess[0].Grants[1].String())
	assert.Equal(t, "team data-science", wantAccess[1].Grants[0].String())
	assert.Equal(t, "nobody", secrets.Grant{}.String())
}
