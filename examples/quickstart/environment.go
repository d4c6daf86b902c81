package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
)

// environment is where the tour runs: the emulator, or the real API.
type environment struct {
	description string
	admin       *secrets.Client // the organization API key (or the user's token on the real API)
	secretName  string
	emulated    bool

	// Only on the emulator: a second user to share with, and a team.
	readerEmail string
	reader      *secrets.Client
	teamName    string

	// Only on the real API, optional: an e-mail address to share with.
	shareWith string

	close func()
}

func newEnvironment(getenv func(string) string) (*environment, error) {
	if getenv(secrets.EnvManagementToken) != "" {
		return realEnvironment(getenv)
	}
	return emulatedEnvironment()
}

// emulatedEnvironment starts the emulator and points the ambient variables at it, so that
// secrets.GetSecret (which reads them) works too.
func emulatedEnvironment() (*environment, error) {
	srv := secretstest.NewServer(secretstest.WithOrganizationName("Quickstart Org"))
	ada := srv.AddUser("ada@example.com")
	grace := srv.AddUser("grace@example.com")
	srv.AddTeam("platform", grace.ID)

	for k, v := range map[string]string{ // every variable GetSecret reads, so none left over can interfere
		secrets.EnvManagementToken:   srv.APIKey(),
		secrets.EnvManagementBaseURL: srv.URL,
		secrets.EnvManagementVersion: "",
		secrets.EnvOrganization:      srv.OrganizationID(),
		secrets.EnvHost:              "",
		secrets.EnvURL:               "",
	} {
		if err := os.Setenv(k, v); err != nil {
			srv.Close()
			return nil, err
		}
	}
	admin, err := secrets.NewClient(secrets.WithAPIKey(srv.APIKey()), secrets.WithBaseURL(srv.URL))
	if err != nil {
		srv.Close()
		return nil, err
	}
	reader, err := secrets.NewClient(secrets.WithAPIKey(ada.Token), secrets.WithBaseURL(srv.URL))
	if err != nil {
		srv.Close()
		return nil, err
	}
	return &environment{
		description: "the in-process emulator at " + srv.URL + " (SINGLESTOREDB_MANAGEMENT_TOKEN is not set)",
		admin:       admin,
		secretName:  "quickstart_db_password",
		emulated:    true,
		readerEmail: ada.Email,
		reader:      reader,
		teamName:    "platform",
		close:       srv.Close,
	}, nil
}

// realEnvironment uses the ambient credentials, as ManageWorkspaces does, and a fresh secret name.
func realEnvironment(getenv func(string) string) (*environment, error) {
	admin, err := secrets.NewClient(secrets.WithEnvFunc(getenv)) // ManageWorkspaces(""), with run's environment
	if err != nil {
		return nil, err
	}
	suffix := make([]byte, 4)
	if _, err := rand.Read(suffix); err != nil {
		return nil, err
	}
	return &environment{
		description: "the Management API at " + admin.Info().BaseURL + " (token from " + admin.Info().TokenSource + ")",
		admin:       admin,
		secretName:  fmt.Sprintf("go_secrets_quickstart_%s", hex.EncodeToString(suffix)),
		shareWith:   getenv("QUICKSTART_SHARE_WITH"),
		close:       func() {},
	}, nil
}
