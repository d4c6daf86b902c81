package main

import (
	"context"
	"errors"
	"strings"

	secrets "github.com/helios-secrets/go-secrets"
)

// userAgent is appended to the SDK's own User-Agent.
const userAgent = "secrets-cli"

// client builds an SDK client from the environment, read as secrets.WithEnv reads it (token from
// SINGLESTOREDB_MANAGEMENT_TOKEN, else a JWT in the password of SINGLESTOREDB_URL; base URL,
// version and organization from their variables), then the global flags, which win.
func (a *app) client() (*secrets.Client, error) {
	opts := []secrets.Option{secrets.WithEnvFunc(a.getenv), secrets.WithUserAgent(userAgent)}
	if a.g.baseURL != "" {
		opts = append(opts, secrets.WithBaseURL(a.g.baseURL))
	}
	if a.g.org != "" {
		opts = append(opts, secrets.WithOrganizationID(a.g.org))
	}
	c, err := secrets.NewClient(opts...)
	switch {
	case err == nil:
		return c, nil
	case errors.Is(err, secrets.ErrNoCredentials):
		return nil, &cliError{code: exitAuth, err: err,
			msg: "no credentials: set " + secrets.EnvManagementToken + " to an API key or JWT (or put a JWT as the password in " + secrets.EnvURL + ")"}
	case errors.Is(err, secrets.ErrTokenExpired):
		return nil, err
	}
	// Name the flags, not the SDK's options, in configuration errors.
	msg := strings.NewReplacer("WithBaseURL", "--base-url", "WithOrganizationID", "--org").Replace(describe(err))
	return nil, &cliError{code: exitCode(err), msg: msg, err: err}
}

// apiContext bounds one phase of API calls by --timeout. Time spent waiting for the user (a
// confirmation prompt) or for `run`'s command is not counted.
func (a *app) apiContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if a.g.timeout > 0 {
		return context.WithTimeout(ctx, a.g.timeout)
	}
	return context.WithCancel(ctx)
}
