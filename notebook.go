package secrets

import (
	"context"
	"fmt"
)

// GetSecret returns the value of the secret named name, with credentials from the environment, as the
// Python SDK's get_secret(name) does in notebooks: the token from SINGLESTOREDB_MANAGEMENT_TOKEN, else
// a JWT in the password of SINGLESTOREDB_URL, and the base URL, version and organization from their
// variables (see WithEnv). The environment is read on every call, so a refreshed token takes effect at
// once; connections are pooled across calls; each call makes one request, GET /v1/secrets?name=.
//
// It never returns "" for a problem. Errors: ErrNoCredentials naming the variables; ErrTokenExpired
// (before any request); ErrInvalidName; ErrNotFound; ErrAmbiguous; ErrValueWithheld when the caller
// may see the secret but not read it; and the *APIError and *RequestError of SecretsService.GetByName.
func GetSecret(ctx context.Context, name string) (string, error) {
	if err := checkName(name); err != nil {
		return "", err
	}
	c, err := NewClient(WithEnv())
	if err != nil {
		return "", err
	}
	s, err := c.Secrets.GetByName(ctx, name)
	if err != nil {
		return "", err
	}
	if s.Value == nil {
		return "", fmt.Errorf("secrets: secret %q: the caller may see it but not read its value: %w", name, ErrValueWithheld)
	}
	return *s.Value, nil
}
