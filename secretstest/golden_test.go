package secretstest_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/secretstest"
)

// TestGoldenJSON pins the exact wire shapes against testdata/*.json. Timestamps come from a stepping
// clock (one minute per reading; the organization takes the first); IDs are replaced by placeholders
// before comparison.
func TestGoldenJSON(t *testing.T) {
	t.Parallel()
	e := newEnv(t,
		secretstest.WithClock(steppingClock(t0, time.Minute)),
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
		{"delete_secret.json", alice.Token, http.MethodDelete, secretPath(""), nil, 200},
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
		got := strings.NewReplacer(pairs...).Replace(string(r.body))
		want, err := os.ReadFile(filepath.Join("testdata", st.golden))
		require.NoError(t, err)
		assert.JSONEq(t, string(want), got, "golden %s", st.golden)
	}
}
