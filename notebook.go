package secrets

import "context"

// GetSecret returns the value of the secret named name, with credentials from the environment, as the
// Python SDK's get_secret(name) does in notebooks: the token from SINGLESTOREDB_MANAGEMENT_TOKEN, else a
// JWT in the password of SINGLESTOREDB_HOST or SINGLESTOREDB_URL, and the base URL, version and
// organization from their variables (see WithEnv). The environment is read on every call, so a refreshed
// token takes effect at once; connections are pooled across calls; each call makes one request,
// GET /v1/secrets?name=.
//
// It never returns "" for a problem. Errors: ErrNoCredentials naming the variables; ErrTokenExpired
// (before any request); ErrInvalidName; ErrNotFound; ErrAmbiguous; ErrValueWithheld when the caller
// may see the secret but not read it; and the *APIError and *RequestError of SecretsService.GetByName.
func GetSecret(ctx context.Context, name string) (string, error) {
	if err := checkName(name); err != nil {
		return "", err
	}
	c, err := envClient()
	if err != nil {
		return "", err
	}
	s, err := c.Secrets.GetByName(ctx, name)
	if err != nil {
		return "", err
	}
	if s.Value == nil {
		return "", withheldError(name)
	}
	return *s.Value, nil
}

// GetSecrets returns the values of several secrets, with credentials from the environment as
// GetSecret reads them, through SecretsService.GetMany: GET /v1/secrets, then GET /v1/secrets?name=
// for each name the list gave without a value (a single name: that read alone). Where the service's
// lists carry values that is one request; where they do not, one more per name. Duplicate names
// count once.
//
// The map holds every name that could be read. When some could not, the map comes back with a
// *BulkError that names each of the others and why: ErrNotFound, ErrValueWithheld, ErrAmbiguous, or
// the *APIError or *RequestError of that name's own ?name= read.
// Other errors come with a nil map: ErrInvalidName naming the index of an invalid name, before
// anything else; ErrNoCredentials and ErrTokenExpired, before any request; and the *APIError and
// *RequestError of the request.
func GetSecrets(ctx context.Context, names ...string) (map[string]string, error) {
	if _, err := uniqueNames(names); err != nil {
		return nil, err
	}
	c, err := envClient()
	if err != nil {
		return nil, err
	}
	found, err := c.Secrets.GetMany(ctx, names...)
	if found == nil {
		return nil, err
	}
	out := make(map[string]string, len(found))
	for name, s := range found {
		out[name] = *s.Value
	}
	return out, err
}

// envClient builds a Client from the environment for the notebook-style helpers. Every such Client
// shares one connection pool (see sharedTransport), so building one per call costs no connection.
// Its ErrNoCredentials names the variables, and says why one that is set did not count.
func envClient() (*Client, error) {
	return NewClient(WithEnv())
}
