package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"

	secrets "github.com/helios-secrets/go-secrets"
)

func versionCommand() *command {
	return &command{
		name:    "version",
		summary: "print the version",
		details: `Prints the version of secrets (that of the go-secrets SDK it is built from), the Go
version and the platform.`,
		setup: func(fs *flag.FlagSet) runner {
			return func(_ context.Context, a *app, args []string) error {
				if err := noArgs("version", args); err != nil {
					return err
				}
				_, err := fmt.Fprintf(a.stdout, "secrets %s (%s %s/%s)\n", secrets.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
				return err
			}
		},
	}
}
