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
// SINGLESTOREDB_MANAGEMENT_TOKEN, else a JWT in the password of SINGLESTOREDB_HOST, else of
// SINGLESTOREDB_URL; base URL, version and organization from their variables), then the global
// flags, which win.
func (a *app) client() (*secrets.Client, error) {
	c, err := a.buildClient(a.getenv, a.g.baseURL, a.g.org)
	switch {
	case err == nil:
		return c, nil
	case errors.Is(err, secrets.ErrNoCredentials):
		// The SDK's message names the variables and says why one that is set did not count.
		return nil, &cliError{code: exitAuth, err: err, msg: describe(err)}
	case errors.Is(err, secrets.ErrTokenExpired):
		return nil, err
	}
	return nil, &cliError{code: exitCode(err), msg: configMessage(err), err: err}
}

// buildClient builds a client from getenv and the given flag values ("" for a flag not given).
func (a *app) buildClient(getenv func(string) string, baseURL, org string) (*secrets.Client, error) {
	opts := []secrets.Option{secrets.WithEnvFunc(getenv), secrets.WithUserAgent(userAgent)}
	if baseURL != "" {
		opts = append(opts, secrets.WithBaseURL(baseURL))
	}
	if org != "" {
		opts = append(opts, secrets.WithOrganizationID(org))
	}
	return secrets.NewClient(opts...)
}

// configMessage describes a configuration error naming the flags, not the SDK's options.
func configMessage(err error) string {
	return strings.NewReplacer("WithBaseURL", "--base-url", "WithOrganizationID", "--org").Replace(describe(err))
}

// apiContext bounds one phase of API calls by --timeout. Time spent waiting for the user (a
// confirmation prompt) or for `run`'s command is not counted.
func (a *app) apiContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if a.g.timeout > 0 {
		return context.WithTimeout(ctx, a.g.timeout)
	}
	return context.WithCancel(ctx)
}
