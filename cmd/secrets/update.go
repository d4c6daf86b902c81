package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	secrets "github.com/helios-secrets/go-secrets"
)

func updateCommand() *command {
	var in valueInput
	var asJSON bool
	return &command{
		name:    "update",
		args:    "NAME",
		summary: "set a new value for a secret, read from stdin or a file",
		details: `Sets the value of secret NAME. Only an Owner may (else exit 4); secrets cannot be renamed.

` + valueInputHelp + `

With --json, prints the secret's metadata after the update.`,
		setup: func(fs *flag.FlagSet) runner {
			in.register(fs)
			fs.BoolVar(&asJSON, "json", false, "print the secret's metadata as JSON")
			return apiRunner(valueCommandArg("update"), perPhase, func(ctx context.Context, a *app, name string, c *secrets.Client) error {
				return runUpdate(ctx, a, name, c, &in, asJSON)
			})
		},
	}
}

func runUpdate(ctx context.Context, a *app, name string, c *secrets.Client, in *valueInput, asJSON bool) error {
	value, err := in.read(a, "update")
	if err != nil {
		return err
	}
	ctx, cancel := a.apiContext(ctx)
	defer cancel()
	s, err := c.Secrets.GetByName(ctx, name)
	if err != nil {
		return err
	}
	if s, err = c.Secrets.Update(ctx, s.ID, value); err != nil {
		return ownerOnly(err, name, "update")
	}
	if asJSON {
		return writeJSON(a.stdout, secretToJSON(s))
	}
	fmt.Fprintf(a.stderr, "secrets: updated secret %s\n", s.Name)
	return nil
}

// ownerOnly adds a hint to a permission error of an operation only Owners may do.
func ownerOnly(err error, name, what string) error {
	if err == nil || exitCode(err) != exitAuth || !errors.Is(err, secrets.ErrForbidden) {
		return err
	}
	return &cliError{
		code: exitAuth,
		msg:  describe(err),
		hint: fmt.Sprintf("only an Owner of secret %s may %s it; 'secrets access %s' lists them", name, what, name),
		err:  err,
	}
}
