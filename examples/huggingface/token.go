package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	secrets "github.com/helios-secrets/go-secrets"
)

// secretReader reads a secret's value; secrets.GetSecret (ambient credentials) in the program.
type secretReader func(ctx context.Context, name string) (string, error)

// readToken reads the Hugging Face token from the secret named name. Errors say what to do about
// them and keep the go-secrets sentinels (errors.Is works); none contains the value.
func readToken(ctx context.Context, read secretReader, name string) (string, error) {
	value, err := read(ctx, name)
	if err != nil {
		return "", explainSecretError(name, err)
	}
	token := strings.TrimSpace(value) // a token pasted with its newline still works
	switch {
	case token == "":
		return "", fmt.Errorf("secret %s is empty: store your Hugging Face access token in it (https://huggingface.co/settings/tokens)", name)
	case strings.ContainsFunc(token, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return "", fmt.Errorf("the value of secret %s holds spaces or control characters: it is not a Hugging Face access token", name)
	}
	return token, nil
}

func explainSecretError(name string, err error) error {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, secrets.ErrNoCredentials):
		return fmt.Errorf("cannot read secret %s: no SingleStore credentials in the environment: set %s to an API key "+
			"(Cloud Portal, API keys) and, for an emulator, %s; in a Helios notebook they are set for you: %w",
			name, secrets.EnvManagementToken, secrets.EnvManagementBaseURL, err)
	case errors.Is(err, secrets.ErrInvalidName):
		return fmt.Errorf("-secret %q is not a secret name (letters, digits and _ only): %w", name, err)
	case errors.Is(err, secrets.ErrNotFound):
		return fmt.Errorf("no secret named %s in your organization: create it in the Cloud Portal (Secrets) with your "+
			"Hugging Face access token as its value, or name another one with -secret: %w", name, err)
	case errors.Is(err, secrets.ErrValueWithheld):
		return fmt.Errorf("you may see secret %s but not read its value: ask one of its Owners to share it with you as Reader: %w", name, err)
	case errors.Is(err, secrets.ErrTokenExpired):
		return fmt.Errorf("cannot read secret %s: your SingleStore token has expired; get a new one: %w", name, err)
	case errors.Is(err, secrets.ErrUnauthorized):
		return fmt.Errorf("cannot read secret %s: the Management API refused your SingleStore credentials (HTTP 401): check %s: %w",
			name, secrets.EnvManagementToken, err)
	case errors.Is(err, secrets.ErrForbidden):
		return fmt.Errorf("cannot read secret %s: your SingleStore credentials lack the permission (HTTP 403): %w", name, err)
	}
	return fmt.Errorf("reading secret %s: %w", name, err)
}
