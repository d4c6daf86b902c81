package secrets

import (
	"strings"

	"github.com/helios-secrets/go-secrets/internal/connurl"
	"github.com/helios-secrets/go-secrets/internal/jwt"
)

// Ambient configuration variables, the names the Python SDK reads.
const (
	// EnvManagementToken holds the token (API key or JWT); the first choice.
	EnvManagementToken = "SINGLESTOREDB_MANAGEMENT_TOKEN"
	// EnvManagementBaseURL holds the base URL of the Management API.
	EnvManagementBaseURL = "SINGLESTOREDB_MANAGEMENT_BASE_URL"
	// EnvManagementVersion holds the version path segment, default "v1".
	EnvManagementVersion = "SINGLESTOREDB_MANAGEMENT_VERSION"
	// EnvOrganization holds the organization ID sent as the organizationID query parameter.
	EnvOrganization = "SINGLESTOREDB_ORGANIZATION"
	// EnvURL holds a database connection URL; its password is used as the token when it is a JWT,
	// as in notebooks, where the platform puts a short-lived JWT there.
	EnvURL = "SINGLESTOREDB_URL"
)

// environment is a snapshot of the ambient variables.
type environment struct {
	token, baseURL, version, org, url string
}

// readEnv snapshots the variables through getenv (os.Getenv for WithEnv).
func readEnv(getenv func(string) string) environment {
	return environment{
		token:   strings.TrimSpace(getenv(EnvManagementToken)),
		baseURL: strings.TrimSpace(getenv(EnvManagementBaseURL)),
		version: strings.TrimSpace(getenv(EnvManagementVersion)),
		org:     strings.TrimSpace(getenv(EnvOrganization)),
		url:     strings.TrimSpace(getenv(EnvURL)),
	}
}

// applyEnv applies the set variables of env to o, as WithEnv documents.
func applyEnv(o *options, env environment) error {
	switch {
	case env.token != "":
		if err := WithAPIKey(env.token)(o); err != nil {
			return invalidArgument("%s holds spaces or control characters", EnvManagementToken)
		}
		o.tokenSource = EnvManagementToken
	case env.url != "":
		if token := jwtFromURL(env.url); token != "" {
			o.token, o.tokenSource = token, EnvURL+" (password)"
		}
	}
	if env.baseURL != "" {
		o.baseURL, o.baseURLFrom = env.baseURL, EnvManagementBaseURL
	}
	if env.version != "" {
		if err := WithAPIVersion(env.version)(o); err != nil {
			return invalidArgument("%s=%q is not a version path segment", EnvManagementVersion, env.version)
		}
	}
	if env.org != "" {
		o.orgID = env.org
	}
	return nil
}

// jwtFromURL returns the password of a connection URL when it is a JWT, else "".
func jwtFromURL(raw string) string {
	if password := connurl.Password(raw); jwt.IsJWT(password) {
		return password
	}
	return ""
}
