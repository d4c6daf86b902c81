package secrets

import (
	"errors"
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
	// EnvHost holds the database host, possibly as a connection URL ("user:password@host:3306"); its
	// password is the token when it is a JWT, the second choice, as in the Python SDK.
	EnvHost = "SINGLESTOREDB_HOST"
	// EnvURL holds a database connection URL; its password is used as the token when it is a JWT,
	// the third choice, as in notebooks, where the platform puts a short-lived JWT there.
	EnvURL = "SINGLESTOREDB_URL"
)

// environment is a snapshot of the variables other than the token's, which are read once, when the
// Client is built.
type environment struct {
	baseURL, version, org string
}

// readEnv snapshots the variables through getenv (os.Getenv for WithEnv).
func readEnv(getenv func(string) string) environment {
	return environment{
		baseURL: strings.TrimSpace(getenv(EnvManagementBaseURL)),
		version: strings.TrimSpace(getenv(EnvManagementVersion)),
		org:     strings.TrimSpace(getenv(EnvOrganization)),
	}
}

// envTokenVars is the raw text of the variables a token may come from.
type envTokenVars struct {
	token, host, url string
}

func readTokenVars(getenv func(string) string) envTokenVars {
	return envTokenVars{token: getenv(EnvManagementToken), host: getenv(EnvHost), url: getenv(EnvURL)}
}

// resolve picks the token, in the order of the Python SDK: SINGLESTOREDB_MANAGEMENT_TOKEN, else a JWT
// in the password of SINGLESTOREDB_HOST, else of SINGLESTOREDB_URL. Its errors never quote a variable:
// a management token with spaces is an ErrInvalidArgument naming the variable, and no token at all is
// ErrNoCredentials saying why a variable that is set did not count.
func (v envTokenVars) resolve() *envTokenState {
	st := &envTokenState{vars: v}
	if token := strings.TrimSpace(v.token); token != "" {
		if checkTokenText(token) != nil {
			st.err = invalidArgument("%s holds spaces or control characters, or characters outside ASCII", EnvManagementToken)
		} else {
			st.cred = newCredential(token, EnvManagementToken)
		}
		return st
	}
	var notes []string
	for _, c := range [...]struct{ name, raw string }{{EnvHost, v.host}, {EnvURL, v.url}} {
		if strings.TrimSpace(c.raw) == "" {
			continue
		}
		switch password := connurl.Password(c.raw); {
		case password == "":
			notes = append(notes, c.name+" is set, but holds no password")
		case !jwt.IsJWT(password) || checkTokenText(password) != nil:
			notes = append(notes, c.name+" is set, but its password is not a JWT")
		default:
			st.cred = newCredential(password, c.name+" (password)")
			return st
		}
	}
	st.err = &noEnvCredentialsError{note: strings.Join(notes, "; ")}
	return st
}

// applyEnv applies the set variables of getenv's environment to o, as WithEnv documents. A token found
// makes the Client follow the token variables from then on (see envToken).
func applyEnv(o *options, getenv func(string) string) error {
	tokens := &envToken{getenv: getenv}
	var noToken *noEnvCredentialsError
	switch st := tokens.refresh(); {
	case st.cred != nil:
		o.auth, o.noAuth = tokens, nil
	case errors.As(st.err, &noToken):
		o.noAuth = st.err // an earlier token option stands; without one, NewClient returns this
	default:
		return st.err
	}
	env := readEnv(getenv)
	if env.baseURL != "" {
		o.baseURL, o.baseURLFrom = env.baseURL, EnvManagementBaseURL
	}
	if env.version != "" {
		if err := WithAPIVersion(env.version)(o); err != nil {
			return invalidArgument("%s=%q is not a version path segment", EnvManagementVersion, env.version)
		}
	}
	if env.org != "" {
		if err := checkOrgID(env.org); err != nil {
			return invalidArgument("%s holds %s", EnvOrganization, err)
		}
		o.orgID = env.org
	}
	return nil
}
