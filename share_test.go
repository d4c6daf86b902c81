package secrets_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

const accessPath = "/v1/secrets/" + secretID + "/accessControls"

// TestShare_AccessDecoding: identities with userID are users, with teamID teams; inheritance and
// creators are kept; an identity that is neither is dropped; an empty grants array stays empty.
func TestShare_AccessDecoding(t *testing.T) {
	t.Parallel()
	c, api := setup(t)
	api.on(http.MethodGet, accessPath, fixture(t, 200, "access_controls.json"))
	roles, err := c.Secrets.Access(t.Context(), secretID)
	require.NoError(t, err)

	owner := &secrets.UserInfo{ID: "a1b2c3d4-0000-4000-8000-000000000001", Email: "owner@example.com", FirstName: "Olga", LastName: "Owner"}
	want := []*secrets.RoleAccess{
		{
			Role: secrets.RoleOwner, Description: "Can read, update, share and delete the secret",
			Grants: []secrets.Grant{
				{User: owner, CreatedAt: time.Date(2024, 5, 1, 10, 20, 30, 0, time.UTC), CreatedBy: owner},
				{
					User:      &secrets.UserInfo{ID: "a1b2c3d4-0000-4000-8000-000000000009", Email: "admin@example.com", FirstName: "Ada", LastName: "Admin"},
					CreatedAt: time.Date(2024, 5, 1, 10, 20, 30, 0, time.UTC),
					InheritedFrom: &secrets.Inheritance{
						ResourceID: testOrgID, ResourceType: "Organization", Role: secrets.RoleOwner,
					},
				},
			},
		},
		{
			Role: secrets.RoleReader, Description: "Can read the secret",
			Grants: []secrets.Grant{{
				Team:      &secrets.TeamInfo{ID: teamDSID, Name: "data-science", Description: "Models and notebooks"},
				CreatedAt: time.Date(2024, 5, 3, 8, 0, 0, 0, time.UTC),
				CreatedBy: owner,
			}},
		},
		{Role: secrets.RoleReader, Description: "Nobody", Grants: []secrets.Grant{}},
	}
	assert.Equal(t, want, roles)
	for _, role := range roles {
		for _, g := range role.Grants {
			assert.True(t, (g.User == nil) != (g.Team == nil), "exactly one of User and Team")
		}
	}
	assert.Equal(t, "user owner@example.com", roles[0].Grants[0].String())
	assert.Equal(t, "user admin@example.com (inherited from Organization "+testOrgID+")", roles[0].Grants[1].String())
	assert.Equal(t, "team data-science", roles[1].Grants[0].String())
	assert.Equal(t, "nobody", secrets.Grant{}.String())
}

// TestShare_AccessEmpty: no roles is an empty result, not an error.
func TestShare_AccessEmpty(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`[]`, `null`} {
		c, api := setup(t)
		api.on(http.MethodGet, accessPath, jsonResponder(200, body))
		roles, err := c.Secrets.Access(t.Context(), secretID)
		require.NoError(t, err)
		assert.Empty(t, roles)
	}
}

// TestShare_BodyArraysNeverNull: grants, revokes, users and teams are always arrays, [] when empty.
func TestShare_BodyArraysNeverNull(t *testing.T) {
	t.Parallel()
	cases := []struct {
		golden string
		req    *secrets.ShareRequest
	}{
		{"share_grant_only.json", &secrets.ShareRequest{
			Grants: []secrets.AccessChange{{Role: secrets.RoleReader, Users: []string{aliceID}}},
		}},
		{"share_grant_only.json", &secrets.ShareRequest{
			Grants:  []secrets.AccessChange{{Role: secrets.RoleReader, Users: []string{aliceID}, Teams: []string{}}},
			Revokes: []secrets.AccessChange{},
		}},
		{"share_revoke_only.json", &secrets.ShareRequest{
			Revokes: []secrets.AccessChange{{Role: secrets.RoleReader, Teams: []string{teamDSID}}},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.golden, func(t *testing.T) {
			t.Parallel()
			c, api := setup(t)
			api.on(http.MethodPatch, accessPath, httpmock.NewStringResponder(200, ""))
			require.NoError(t, c.Secrets.Share(t.Context(), secretID, tc.req))
			body := api.only().Body
			assertGoldenJSON(t, tc.golden, body)
			assert.NotContains(t, string(body), "null")
		})
	}
}

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

// TestShare_AnyAnswer: the PATCH may answer with no body or any JSON.
func TestShare_AnyAnswer(t *testing.T) {
	t.Parallel()
	for _, r := range []httpmock.Responder{
		httpmock.NewStringResponder(200, ""),
		httpmock.NewStringResponder(204, ""),
		jsonResponder(200, `{"ok":true}`),
		jsonResponder(200, `[]`),
		fixture(t, 200, "access_controls.json"),
	} {
		c, api := setup(t)
		api.on(http.MethodPatch, accessPath, r)
		require.NoError(t, c.Secrets.Share(t.Context(), secretID, &secrets.ShareRequest{
			Revokes: []secrets.AccessChange{{Role: secrets.RoleOwner, Users: []string{aliceID}}},
		}))
	}
}

// TestShareByName_Unresolved: an unknown or ambiguous e-mail or team name is a *LookupError (errors.Is
// ErrNotFound or ErrAmbiguous), every such name is reported, and no PATCH is sent.
func TestShareByName_Unresolved(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		users   string // body of /v1/users
		teams   string // body of /v1/teams
		req     *secrets.ShareByNameRequest
		lookups []secrets.LookupError
	}{
		{
			name: "unknown e-mail", users: `[]`, teams: string(readTestdata(t, "responses/teams.json")),
			req: &secrets.ShareByNameRequest{Grants: []secrets.NamedAccessChange{
				{Role: secrets.RoleReader, UserEmails: []string{"nobody@example.com"}, TeamNames: []string{"data-science"}},
			}},
			lookups: []secrets.LookupError{{Kind: "user", Name: "nobody@example.com", Err: secrets.ErrNotFound}},
		},
		{
			name: "unknown team", users: string(readTestdata(t, "responses/users.json")), teams: string(readTestdata(t, "responses/teams.json")),
			req: &secrets.ShareByNameRequest{Grants: []secrets.NamedAccessChange{
				{Role: secrets.RoleReader, UserEmails: []string{"alice@example.com"}, TeamNames: []string{"data"}},
			}},
			lookups: []secrets.LookupError{{Kind: "team", Name: "data", Err: secrets.ErrNotFound}},
		},
		{
			name: "ambiguous e-mail", users: string(readTestdata(t, "responses/users_ambiguous.json")), teams: `[]`,
			req: &secrets.ShareByNameRequest{Revokes: []secrets.NamedAccessChange{
				{Role: secrets.RoleOwner, UserEmails: []string{"alice@example.com"}},
			}},
			lookups: []secrets.LookupError{{Kind: "user", Name: "alice@example.com", Err: secrets.ErrAmbiguous}},
		},
		{
			name: "ambiguous team", users: `[]`, teams: `[{"teamID":"t1","name":"ops"},{"teamID":"t2","name":"ops"}]`,
			req: &secrets.ShareByNameRequest{Grants: []secrets.NamedAccessChange{
				{Role: secrets.RoleReader, TeamNames: []string{"ops"}},
			}},
			lookups: []secrets.LookupError{{Kind: "team", Name: "ops", Err: secrets.ErrAmbiguous}},
		},
		{
			name: "several unknown", users: `[]`, teams: `[]`,
			req: &secrets.ShareByNameRequest{
				Grants:  []secrets.NamedAccessChange{{Role: secrets.RoleReader, UserEmails: []string{"a@example.com"}, TeamNames: []string{"red"}}},
				Revokes: []secrets.NamedAccessChange{{Role: secrets.RoleOwner, UserEmails: []string{"b@example.com", "a@example.com"}}},
			},
			lookups: []secrets.LookupError{
				{Kind: "user", Name: "a@example.com", Err: secrets.ErrNotFound},
				{Kind: "team", Name: "red", Err: secrets.ErrNotFound},
				{Kind: "user", Name: "b@example.com", Err: secrets.ErrNotFound},
			},
		},
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
			assert.Zero(t, api.GetCallCountInfo()["PATCH "+accessPath], "no PATCH")
			for _, r := range api.requests() {
				assert.Equal(t, http.MethodGet, r.Method)
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

// TestShareByName_LooksUpEachNameOnce: a name used several times costs one lookup.
func TestShareByName_LooksUpEachNameOnce(t *testing.T) {
	t.Parallel()
	c, api := setup(t)
	api.on(http.MethodGet, "/v1/users", fixture(t, 200, "users.json"))
	api.on(http.MethodGet, "/v1/teams", fixture(t, 200, "teams.json"))
	api.on(http.MethodPatch, accessPath, httpmock.NewStringResponder(200, ""))

	err := c.Secrets.ShareByName(t.Context(), secretID, &secrets.ShareByNameRequest{
		Grants: []secrets.NamedAccessChange{
			{Role: secrets.RoleReader, UserEmails: []string{"alice@example.com"}, TeamNames: []string{"data-science"}},
			{Role: secrets.RoleOwner, UserEmails: []string{"alice@example.com"}, TeamNames: []string{"data-science"}},
		},
		Revokes: []secrets.NamedAccessChange{{Role: secrets.RoleOwner, TeamNames: []string{"data-science"}}},
	})
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"GET /v1/users": 1, "GET /v1/teams": 1, "PATCH " + accessPath: 1}, nonZero(api.GetCallCountInfo()))
	reqs := api.requests()
	assert.JSONEq(t, `{
		"grants": [
			{"role": "Reader", "users": ["`+aliceID+`"], "teams": ["`+teamDSID+`"]},
			{"role": "Owner", "users": ["`+aliceID+`"], "teams": ["`+teamDSID+`"]}
		],
		"revokes": [{"role": "Owner", "users": [], "teams": ["`+teamDSID+`"]}]
	}`, string(reqs[len(reqs)-1].Body))
}

// TestShareByName_OneIdentityUnderSeveralSpellings: an e-mail address in other cases or with spaces
// around it names the same user (UserByEmail ignores both): each spelling is looked up as given, and
// the user's ID is sent once per change; a team named twice in one change is sent once too.
func TestShareByName_OneIdentityUnderSeveralSpellings(t *testing.T) {
	t.Parallel()
	c, api := setup(t)
	api.on(http.MethodGet, "/v1/users", fixture(t, 200, "users.json"))
	api.on(http.MethodGet, "/v1/teams", fixture(t, 200, "teams.json"))
	api.on(http.MethodPatch, accessPath, httpmock.NewStringResponder(200, ""))

	err := c.Secrets.ShareByName(t.Context(), secretID, &secrets.ShareByNameRequest{
		Grants: []secrets.NamedAccessChange{{Role: secrets.RoleReader,
			UserEmails: []string{"alice@example.com", "ALICE@Example.com", " alice@example.com "},
			TeamNames:  []string{"data-science", "data-science"}}},
	})
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"GET /v1/users": 3, "GET /v1/teams": 1, "PATCH " + accessPath: 1}, nonZero(api.GetCallCountInfo()))
	reqs := api.requests()
	assert.JSONEq(t, `{
		"grants": [{"role": "Reader", "users": ["`+aliceID+`"], "teams": ["`+teamDSID+`"]}],
		"revokes": []
	}`, string(reqs[len(reqs)-1].Body))
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
					var ae *secrets.APIError
					require.ErrorAs(t, err, &ae)
					assert.Equal(t, status, ae.StatusCode)
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

// TestShare_AccessDecodesUnknownRoles: roles the SDK has no constant for come back as the service
// named them, with their grants, and so do inherited roles.
func TestShare_AccessDecodesUnknownRoles(t *testing.T) {
	t.Parallel()
	c, api := setup(t)
	api.on(http.MethodGet, accessPath, jsonResponder(200, `[
	 {"role":"Auditor","description":"reads the audit trail","grants":[
	   {"createdAt":"2024-05-01T12:00:00Z","identity":{"userID":"`+aliceID+`","email":"alice@example.com"}}]},
	 {"role":"Owner","grants":[
	   {"identity":{"teamID":"`+teamDSID+`","name":"data-science"},
	    "inheritedFrom":{"resourceID":"`+testOrgID+`","resourceType":"Organization","role":"Organization Admin"}}]},
	 {"role":"","grants":[]}
	]`))
	roles, err := c.Secrets.Access(t.Context(), secretID)
	require.NoError(t, err)
	require.Len(t, roles, 3)
	assert.Equal(t, secrets.Role("Auditor"), roles[0].Role)
	assert.Equal(t, "reads the audit trail", roles[0].Description)
	require.Len(t, roles[0].Grants, 1)
	assert.Equal(t, aliceID, roles[0].Grants[0].User.ID)
	assert.Equal(t, secrets.RoleOwner, roles[1].Role)
	require.Len(t, roles[1].Grants, 1)
	assert.Equal(t, secrets.Role("Organization Admin"), roles[1].Grants[0].InheritedFrom.Role)
	assert.Equal(t, secrets.Role(""), roles[2].Role, "an unnamed role is reported as the service sent it")
}
