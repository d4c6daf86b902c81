package main

import (
	"context"
	"flag"
	"fmt"

	secrets "github.com/helios-secrets/go-secrets"
)

const valueInputHelp = `The value is read from standard input, or from the file given with --from-file, and
never from a flag or argument, which would keep it in the shell's history and show it
in the process list. Standard input must not be a terminal: pipe the value in, or
redirect a file. It is stored byte for byte, a trailing newline included (echo adds
one; printf %s does not); --trim-newline strips exactly one trailing "\n" or "\r\n".
An empty value is refused; the limit is 5 MiB.`

func createCommand() *command {
	var in valueInput
	var asJSON bool
	return &command{
		name:    "create",
		args:    "NAME",
		summary: "create a secret, its value read from stdin or a file",
		details: `Creates secret NAME (letters, digits and _) and makes you its Owner.

` + valueInputHelp + `

A secret of that name that already exists exits with 5; use 'secrets update' to change
its value. With --json, prints the new secret's metadata as 'secrets list --json' does
for one secret.`,
		setup: func(fs *flag.FlagSet) runner {
			in.register(fs)
			fs.BoolVar(&asJSON, "json", false, "print the new secret's metadata as JSON")
			return apiRunner(valueCommandArg("create"), perPhase, func(ctx context.Context, a *app, name string, c *secrets.Client) error {
				return runCreate(ctx, a, name, c, &in, asJSON)
			})
		},
	}
}

func runCreate(ctx context.Context, a *app, name string, c *secrets.Client, in *valueInput, asJSON bool) error {
	value, err := in.read(a, "create")
	if err != nil {
		return err
	}
	ctx, cancel := a.apiContext(ctx)
	defer cancel()
	s, err := c.Secrets.Create(ctx, name, value)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(a.stdout, secretToJSON(s))
	}
	fmt.Fprintf(a.stderr, "secrets: created secret %s (%s)\n", s.Name, s.ID)
	return nil
}

// valueCommandArg is the argCheck of the commands that set a value (create, update): oneName, but an
// extra argument is most likely the value typed where it must never be, so the message says where
// values come from, and quotes no argument.
func valueCommandArg(cmd string) argCheck {
	return func(_ *app, args []string) (string, error) {
		if len(args) > 1 {
			return "", usagef(cmd, "%s: takes one secret NAME, got %d arguments: the value is read from standard input or --from-file, never from an argument (which would stay in the shell's history)",
				cmd, len(args))
		}
		return oneName(cmd, args)
	}
}
