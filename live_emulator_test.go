package secrets_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
)

// TestLiveSuiteOnEmulator runs the live suite against the emulator under every profile: the tour
// must pass, and its report must tell each profile's behaviour apart, as it will the real service's.
// It holds neither the token nor any value written.
func TestLiveSuiteOnEmulator(t *testing.T) {
	t.Parallel()
	for _, p := range itProfiles() {
		t.Run(itProfileName(p), func(t *testing.T) {
			t.Parallel()
			srv := secretstest.NewServer(secretstest.WithProfile(p))
			t.Cleanup(srv.Close)
			share := srv.AddUser("live.share+1@example.com")
			srv.AddTeam("live (team)", share.ID)
			reportPath := filepath.Join(t.TempDir(), "report.md")
			ok := t.Run("tour", func(t *testing.T) {
				runLiveTour(t, liveTarget{
					name: "emulator, profile " + itProfileName(p),
					opts: []secrets.Option{secrets.WithAPIKey(srv.APIKey()), secrets.WithBaseURL(srv.URL),
						secrets.WithRetryWait(time.Millisecond, 5*time.Millisecond)},
					shareEmail: share.Email,
					shareTeam:  "live (team)",
					reportPath: reportPath,
				})
			})
			require.True(t, ok, "the tour passes on the emulator")
			assert.Empty(t, srv.Secrets(), "the tour deleted everything it created")

			data, err := os.ReadFile(reportPath)
			require.NoError(t, err)
			report := string(data)
			row := func(question string) string {
				for _, line := range strings.Split(report, "\n") {
					if strings.HasPrefix(line, "| "+question+" |") {
						return strings.TrimSuffix(strings.TrimPrefix(line, "| "+question+" | "), " |")
					}
				}
				t.Fatalf("no row %q in the report", question)
				return ""
			}
			wantShape, wantValues, wantBulk := `wrapped: {"secrets":[…]}`, "yes", "1"
			if p.BareLists {
				wantShape = "bare: […]"
			}
			if p.ValuesOnlyByName {
				wantValues, wantBulk = "no", "3"
			}
			wantLookup, wantInvalid := "literal", "status 200, 0 entries"
			if p.RegexLookups {
				wantLookup, wantInvalid = "regular expression", "status 400"
			}
			assert.Equal(t, wantShape, row("list shape (GET /v1/secrets)"))
			assert.True(t, strings.HasPrefix(row("values in unfiltered lists"), wantValues+":"), row("values in unfiltered lists"))
			assert.Equal(t, wantBulk, row("requests of GetMany for two names and a missing one"))
			assert.True(t, strings.HasPrefix(row("GET /v1/users?email="), wantLookup+":"), row("GET /v1/users?email="))
			assert.True(t, strings.HasPrefix(row("GET /v1/teams?name="), wantLookup+":"), row("GET /v1/teams?name="))
			assert.Equal(t, wantInvalid, row("GET /v1/users?email= with an invalid pattern"))
			assert.Equal(t, "200", row("create status (POST /v1/secrets)"))
			assert.Equal(t, "200; 404", row("delete status (DELETE /v1/secrets/{id}); again"))
			assert.Equal(t, "404; 409", row("unknown ID; duplicate name"))
			assert.Equal(t, "{message}; application/json", row("error body shape (key names); content type"))
			assert.Equal(t, "X-Request-Id; true", row("request-ID headers; *APIError.RequestID set"))
			assert.Contains(t, row("roles on a new secret (Access)"), "Owner")
			assert.True(t, strings.HasPrefix(row("share and revoke"), "granted Reader"), row("share and revoke"))

			assert.NotContains(t, report, srv.APIKey())
			for _, value := range []string{"live-a", "live-b", "live-dup", "live.share"} {
				assert.NotContains(t, report, value, "the report holds no value, and no e-mail address")
			}
		})
	}
}
