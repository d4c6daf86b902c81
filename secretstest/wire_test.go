package secretstest_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/secretstest"
)

// Every ID the emulator sends is a UUID and every timestamp RFC 3339 in UTC, as the official
// clients parse them (the generated Go client decodes IDs as UUIDs and grant times as time.Time).
func TestEveryIDIsAUUIDAndEveryTimestampRFC3339UTC(t *testing.T) {
	t.Parallel()
	zone := time.FixedZone("UTC+5", 5*3600) // a clock in another zone: the wire is still UTC
	e := newEnv(t, secretstest.WithClock(func() time.Time { return time.Now().In(zone) }))
	ada := e.srv.AddUser("ada@example.com")
	ops := e.srv.AddTeam("Ops", ada.ID)
	sec := e.create(e.key, "WIRE", "v")
	e.share(e.key, sec.SecretID, grant(users(reader, ada.ID), teams(owner, ops.ID)))

	checked := 0
	paths := []string{"/v1/secrets?name=WIRE"}
	for _, rt := range routes {
		if rt.method == http.MethodGet {
			path, _ := rt.request(sec.SecretID, "")
			paths = append(paths, path)
		}
	}
	for _, path := range paths {
		r := e.do(e.key, http.MethodGet, path, nil)
		require.Equal(t, http.StatusOK, r.status, "%s: %s", path, r.body)
		var doc any
		require.NoError(t, json.Unmarshal(r.body, &doc))
		checked += walkFields(doc, func(key string, v any) {
			s, isString := v.(string)
			switch {
			case strings.HasSuffix(key, "ID") || key == "createdBy" || key == "lastUpdatedBy":
				if isString { // createdBy is a UserInfo object in grants: walked into below
					assert.Regexp(t, uuidPattern, s, "%s: %s", path, key)
				}
			case strings.HasSuffix(key, "At"):
				require.True(t, isString, "%s: %s", path, key)
				ts, err := time.Parse(time.RFC3339Nano, s)
				assert.NoError(t, err, "%s: %s=%q", path, key, s)
				assert.True(t, strings.HasSuffix(s, "Z"), "%s: %s=%q is not UTC", path, key, s)
				assert.Equal(t, time.UTC, ts.Location())
			}
		})
	}
	r := e.do(e.key, http.MethodDelete, "/v1/secrets/"+sec.SecretID, nil)
	assert.Regexp(t, uuidPattern, decode[map[string]string](t, r, http.StatusOK)["secretID"])
	assert.Greater(t, checked, 30, "the walk saw the fields")
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	gone := e.srv.AddUser("gone@example.com")
	e.srv.RemoveUser(gone.ID)

	tests := []struct {
		name   string
		header string
		status int
	}{
		{"no header", "", http.StatusUnauthorized},
		{"unknown token", "Bearer nope", http.StatusUnauthorized},
		{"basic scheme", "Basic " + e.key, http.StatusUnauthorized},
		{"empty bearer", "Bearer ", http.StatusUnauthorized},
		{"removed user", "Bearer " + gone.Token, http.StatusUnauthorized},
		{"api key", "Bearer " + e.key, http.StatusOK},
		{"lowercase scheme", "bearer " + e.key, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequest(http.MethodGet, e.srv.URL+"/v1/secrets", nil)
			require.NoError(t, err)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, err := e.client.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, tt.status, resp.StatusCode)
			assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			if tt.status == http.StatusUnauthorized {
				assert.Equal(t, "Bearer", resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
	sec := e.create(e.key, "AUTHENTICATED", "v")
	for _, rt := range routes { // every endpoint asks for a token first, and changes nothing without one
		t.Run("no token: "+rt.name, func(t *testing.T) {
			t.Parallel()
			path, body := rt.request(sec.SecretID, gone.ID)
			r := e.do("", rt.method, path, body)
			assert.NotEmpty(t, decode[wireError](t, r, http.StatusUnauthorized).Message)
			assert.Equal(t, "Bearer", r.header.Get("WWW-Authenticate"))
		})
	}
	t.Cleanup(func() {
		got, ok := e.srv.Secret("AUTHENTICATED")
		require.True(t, ok)
		assert.Equal(t, "v", got.Value)
		assert.Len(t, got.Grants, 1)
		assert.Len(t, e.srv.Secrets(), 1)
	})
}

func TestOrganizationIDParameter(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tests := []struct {
		name   string
		query  string
		status int
	}{
		{"absent", "", http.StatusOK},
		{"this organization", "?organizationID=" + e.srv.OrganizationID(), http.StatusOK},
		{"merged with name", "?name=X&organizationID=" + e.srv.OrganizationID(), http.StatusOK},
		{"another organization", "?organizationID=6f1c8e0e-5b0c-4a53-8f5e-3f1d2c3b4a59", http.StatusForbidden},
		{"empty", "?organizationID=", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := e.do(e.key, http.MethodGet, "/v1/secrets"+tt.query, nil)
			assert.Equal(t, tt.status, r.status, "body: %s", r.body)
		})
	}
}

func TestRouting(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sec := e.create(e.key, "ROUTED", "v")
	type row struct {
		method, path string
		status       int
		allow        string
	}
	tests := []row{
		{http.MethodGet, "/", http.StatusNotFound, ""},
		{http.MethodGet, "/v1", http.StatusNotFound, ""},
		{http.MethodGet, "/v2/secrets", http.StatusNotFound, ""},
		{http.MethodGet, "/v1/nothing", http.StatusNotFound, ""},
		{http.MethodGet, "/v1/secrets/", http.StatusNotFound, ""},
		{http.MethodDelete, "/v1/secrets/", http.StatusNotFound, ""},
		{http.MethodGet, "/v1/secrets/" + sec.SecretID + "/", http.StatusNotFound, ""},
		{http.MethodGet, "/v1/secrets/" + sec.SecretID + "/other", http.StatusNotFound, ""},
		{http.MethodGet, "/v1/organizations/other", http.StatusNotFound, ""},
	}
	// Every other method on a route's path: 405, with the path's methods in Allow.
	allowed, paths := map[string][]string{}, []string{}
	for _, rt := range routes {
		path, _ := rt.request(sec.SecretID, "")
		if allowed[path] == nil {
			paths = append(paths, path)
		}
		allowed[path] = append(allowed[path], rt.method)
	}
	for _, path := range paths {
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead} {
			if !slices.Contains(allowed[path], m) {
				tests = append(tests, row{m, path, http.StatusMethodNotAllowed, strings.Join(allowed[path], ", ")})
			}
		}
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			t.Parallel()
			r := e.do(e.key, tt.method, tt.path, nil)
			assert.Equal(t, tt.status, r.status)
			assert.Equal(t, tt.allow, r.header.Get("Allow"))
			assert.Equal(t, "application/json", r.header.Get("Content-Type"))
			if tt.method != http.MethodHead {
				assert.NotEmpty(t, decode[wireError](t, r, tt.status).Message)
			}
		})
	}
}

func TestEveryResponseHasRequestID(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seen := map[string]bool{}
	for _, r := range []response{
		e.do(e.key, http.MethodGet, "/v1/secrets", nil),
		e.do("", http.MethodGet, "/v1/secrets", nil),
		e.do(e.key, http.MethodGet, "/v1/nowhere", nil),
		e.do(e.key, http.MethodPost, "/v1/secrets", "{"),
	} {
		id := r.header.Get("X-Request-Id")
		assert.Regexp(t, uuidPattern, id)
		assert.False(t, seen[id], "request IDs are unique")
		seen[id] = true
		assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	}
}

// An error's message is a fixed text: it never echoes the value, the name or the token sent.
func TestErrorMessagesAreFixedTexts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const value, token = "value-that-must-not-leak", "very-secret-token-value"
	for _, r := range []response{
		e.do(e.key, http.MethodPost, "/v1/secrets", map[string]string{"name": "bad name", "value": value}),
		e.do(e.key, http.MethodPost, "/v1/secrets", `{"name":"X","value":"`+value+`",}`),
		e.do(e.key, http.MethodPatch, "/v1/secrets/nope", map[string]string{"value": value}),
		e.do(token, http.MethodGet, "/v1/secrets", nil),
	} {
		assert.GreaterOrEqual(t, r.status, 400)
		assert.NotEmpty(t, decode[wireError](t, r, r.status).Message)
		for _, secret := range []string{value, "bad name", token} {
			assert.NotContains(t, string(r.body), secret)
		}
	}
	assert.Equal(t, http.StatusUnauthorized, e.do(token, http.MethodGet, "/v1/secrets", nil).status)
}

func TestUnknownSecretIDs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.create(e.key, "PRESENT", "v")
	ids := []string{
		"0b6f3c1e-8a4d-4c59-9d3e-1f2a3b4c5d6e", // well-formed, unknown
		"not-a-uuid",
		"PRESENT", // a name is not an ID
		"%20",
	}
	for _, id := range ids {
		for _, rt := range routes {
			if !rt.hasID() {
				continue
			}
			t.Run(rt.name+" "+id, func(t *testing.T) {
				t.Parallel()
				path, body := rt.request(id, e.srv.APIKeyUser().ID)
				r := e.do(e.key, rt.method, path, body)
				assert.Equal(t, http.StatusNotFound, r.status)
				assert.NotEmpty(t, decode[wireError](t, r, http.StatusNotFound).Message)
			})
		}
	}
}

// TestGoldenJSON pins the exact wire shapes against testdata/*.json, along a secret's life: created,
// read, updated, shared, updated by another Owner (through a team), deleted, and its name free again
// under a new ID. Timestamps come from a stepping clock (one minute per reading; the organization
// takes the first); IDs are replaced by placeholders before comparison.
func TestGoldenJSON(t *testing.T) {
	t.Parallel()
	e := newEnv(t,
		secretstest.WithClock(newFakeClock(time.Minute).Now),
		secretstest.WithOrganizationName("Acme Corp"),
		secretstest.WithAPIKey("golden-key"),
	)
	alice := e.srv.AddUser("alice.smith@example.com")
	bob := e.srv.AddUser("bob@example.com")
	carol := e.srv.AddUser("carol@example.com")
	platform := e.srv.AddTeam("Platform", bob.ID)

	var secretID string
	secretPath := func(suffix string) func() string {
		return func() string { return "/v1/secrets/" + secretID + suffix }
	}
	fixed := func(p string) func() string { return func() string { return p } }

	steps := []struct {
		golden string // "" for a step that only sets the scene
		token  string
		method string
		path   func() string
		body   any
		status int
	}{
		{"create_secret.json", alice.Token, http.MethodPost, fixed("/v1/secrets"), map[string]string{"name": "DB_PASSWORD", "value": "s3cr<e>t&"}, 200},
		{"create_secret.json", alice.Token, http.MethodGet, secretPath(""), nil, 200}, // a read answers what the create did
		{"update_secret.json", alice.Token, http.MethodPatch, secretPath(""), map[string]string{"value": "n3w"}, 200},
		{"share.json", alice.Token, http.MethodPatch, secretPath("/accessControls"), grant(teams(owner, platform.ID), users(reader, carol.ID)), 200},
		{"access_controls.json", alice.Token, http.MethodGet, secretPath("/accessControls"), nil, 200},
		{"get_secret_reader.json", carol.Token, http.MethodGet, secretPath(""), nil, 200},
		{"", e.key, http.MethodPost, fixed("/v1/secrets"), map[string]string{"name": "API_TOKEN", "value": "t"}, 200},
		{"list_secrets.json", carol.Token, http.MethodGet, fixed("/v1/secrets"), nil, 200},
		{"organization.json", carol.Token, http.MethodGet, fixed("/v1/organizations/current"), nil, 200},
		{"users.json", carol.Token, http.MethodGet, fixed("/v1/users"), nil, 200},
		{"user_current_api_key.json", e.key, http.MethodGet, fixed("/v1/users/current"), nil, 200},
		{"teams.json", carol.Token, http.MethodGet, fixed("/v1/teams"), nil, 200},
		{"error_not_found.json", carol.Token, http.MethodGet, fixed("/v1/secrets/missing"), nil, 404},
		{"update_by_team_owner.json", bob.Token, http.MethodPatch, secretPath(""), map[string]string{"value": "b0b"}, 200},
		{"update_by_team_owner.json", carol.Token, http.MethodGet, secretPath(""), nil, 200}, // stored as answered
		{"delete_secret.json", alice.Token, http.MethodDelete, secretPath(""), nil, 200},
		{"", alice.Token, http.MethodGet, secretPath(""), nil, 404},
		{"", alice.Token, http.MethodDelete, secretPath(""), nil, 404},
		{"recreate_secret.json", bob.Token, http.MethodPost, fixed("/v1/secrets"), map[string]string{"name": "DB_PASSWORD", "value": "again"}, 200}, // the name is free, with a new ID
	}
	for i, st := range steps {
		r := e.do(st.token, st.method, st.path(), st.body)
		require.Equal(t, st.status, r.status, "step %d (%s): %s", i, st.golden, r.body)
		if secretID == "" {
			secretID = decode[wireSecret](t, r, http.StatusOK).SecretID
		}
		if st.golden == "" {
			continue
		}
		pairs := []string{
			e.srv.OrganizationID(), "<orgID>",
			e.srv.APIKeyUser().ID, "<apiKeyUserID>",
			alice.ID, "<aliceID>",
			bob.ID, "<bobID>",
			carol.ID, "<carolID>",
			platform.ID, "<platformID>",
			secretID, "<secretID>",
		}
		if other, ok := e.srv.Secret("API_TOKEN"); ok {
			pairs = append(pairs, other.ID, "<apiTokenID>")
		}
		if again, ok := e.srv.Secret("DB_PASSWORD"); ok && again.ID != secretID {
			pairs = append(pairs, again.ID, "<newSecretID>")
		}
		got := strings.NewReplacer(pairs...).Replace(string(r.body))
		want, err := os.ReadFile(filepath.Join("testdata", st.golden))
		require.NoError(t, err)
		assert.JSONEq(t, string(want), got, "golden %s", st.golden)
	}
	assert.Len(t, e.srv.Secrets(), 2, "API_TOKEN and the new DB_PASSWORD: the deleted one is gone")
}
