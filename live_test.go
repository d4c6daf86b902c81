//go:build live

package secrets_test

import (
	"os"
	"testing"

	secrets "github.com/helios-secrets/go-secrets"
)

// TestLive runs the live suite against the real Management API: go test -tags live -run Live .
// It needs SINGLESTOREDB_MANAGEMENT_TOKEN (and reads the other SINGLESTOREDB_* variables as WithEnv
// does); LIVE_SHARE_EMAIL names a second user to share with and revoke, LIVE_SHARE_TEAM a team to
// look up, LIVE_REPORT the file for the report (else a temporary file, logged).
func TestLive(t *testing.T) {
	if os.Getenv(secrets.EnvManagementToken) == "" {
		t.Skip("live suite: set " + secrets.EnvManagementToken + " (optionally LIVE_SHARE_EMAIL, LIVE_SHARE_TEAM, LIVE_REPORT) to run it against the Management API")
	}
	runLiveTour(t, liveTarget{
		name:       "Management API",
		opts:       []secrets.Option{secrets.WithEnv()},
		shareEmail: os.Getenv("LIVE_SHARE_EMAIL"),
		shareTeam:  os.Getenv("LIVE_SHARE_TEAM"),
		reportPath: os.Getenv("LIVE_REPORT"),
	})
}
