package main

import (
	"context"
	"flag"
	"fmt"

	secrets "github.com/helios-secrets/go-secrets"
)

func deleteCommand() *command {
	var yes bool
	return &command{
		name:    "delete",
		args:    "NAME",
		summary: "delete a secret (asks first, unless --yes)",
		details: `Deletes secret NAME. Only an Owner may (else exit 4).

Without --yes, asks "Delete secret NAME? [y/N]" on standard error and reads the answer
from standard input, which must then be a terminal; anything but y or yes keeps the
secret and exits with 1. In scripts, pass --yes.`,
		setup: func(fs *flag.FlagSet) runner {
			fs.BoolVar(&yes, "yes", false, "delete without asking")
			fs.BoolVar(&yes, "y", false, "short for --yes")
			return apiRunner(deleteArg(&yes), perPhase, func(ctx context.Context, a *app, name string, c *secrets.Client) error {
				return runDelete(ctx, a, name, c, yes)
			})
		},
	}
}

// deleteArg takes one secret NAME, and refuses before any call to delete without --yes where there
// is no terminal to ask on.
func deleteArg(yes *bool) argCheck {
	return func(a *app, args []string) (string, error) {
		name, err := oneName("delete", args)
		if err == nil && !*yes && !isTerminal(a.stdin) {
			return "", usagef("delete", "delete: refusing to delete secret %s without confirmation: standard input is not a terminal to ask on; pass --yes", name)
		}
		return name, err
	}
}

func runDelete(ctx context.Context, a *app, name string, c *secrets.Client, yes bool) error {
	lookupCtx, cancel := a.apiContext(ctx)
	s, err := c.Secrets.GetByName(lookupCtx, name)
	cancel()
	if err != nil {
		return err
	}
	if !yes && !a.confirm(fmt.Sprintf("Delete secret %s?", name)) {
		return &cliError{code: exitError, msg: fmt.Sprintf("delete: secret %s kept", name)}
	}
	ctx, cancel = a.apiContext(ctx)
	defer cancel()
	if err := c.Secrets.Delete(ctx, s.ID); err != nil {
		return ownerOnly(err, name, "delete")
	}
	fmt.Fprintf(a.stderr, "secrets: deleted secret %s\n", name)
	return nil
}
