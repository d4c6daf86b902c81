package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	secrets "github.com/helios-secrets/go-secrets"
)

func getCommand() *command {
	return &command{
		name:    "get",
		args:    "NAME",
		summary: "print the value of a secret",
		details: `Prints the value of secret NAME on standard output, byte for byte, and nothing else: no
label, no quotes, no newline added, so that it can be piped or captured as it is
(secrets get DB_PASSWORD | psql ..., KEY=$(secrets get API_KEY)). Only when standard
output is a terminal is a newline added after a value that lacks one, to keep the prompt
off the value's line.

A secret you may see but not read (you hold no Reader or Owner role on it) exits with 4.`,
		setup: func(fs *flag.FlagSet) runner {
			return apiRunner(secretArg("get"), wholeCommand, runGet)
		},
	}
}

func runGet(ctx context.Context, a *app, name string, c *secrets.Client) error {
	s, err := c.Secrets.GetByName(ctx, name)
	if err != nil {
		return err
	}
	if s.Value == nil {
		return withheld(name, "get")
	}
	value := *s.Value
	if isTerminal(a.stdout) && !strings.HasSuffix(value, "\n") {
		value += "\n"
	}
	if _, err := fmt.Fprint(a.stdout, value); err != nil {
		return &cliError{code: exitError, msg: "get: writing the value: " + err.Error(), err: err}
	}
	return nil
}

// withheld is the error for a secret the caller may see but not read.
func withheld(name, cmd string) error {
	return &cliError{
		code: exitAuth,
		msg:  fmt.Sprintf("%s: you may see secret %q but not read its value", cmd, name),
		hint: fmt.Sprintf("an Owner can give you the Reader role: secrets share %s --reader YOUR_EMAIL ('secrets access %s' lists the Owners)", name, name),
		err:  secrets.ErrValueWithheld,
	}
}
