package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

// commandList is every command, in the order the overview lists them.
func commandList() []*command {
	return []*command{
		getCommand(), listCommand(), createCommand(), updateCommand(), deleteCommand(),
		shareCommand(), accessCommand(), runCommandCommand(), whoamiCommand(), doctorCommand(),
		versionCommand(), helpCommand(),
	}
}

func findCommand(name string) *command {
	for _, c := range commandList() {
		if c.name == name {
			return c
		}
	}
	return nil
}

func helpCommand() *command {
	return &command{
		name:    "help",
		args:    "[COMMAND]",
		summary: "show help for secrets or for one command",
		details: `Without an argument, lists the commands, the global flags, the environment and the exit
codes. With a command's name, shows that command's usage and flags (as does
secrets COMMAND -h).`,
		setup: func(fs *flag.FlagSet) runner {
			return func(_ context.Context, a *app, args []string) error {
				switch len(args) {
				case 0:
					a.printOverview(a.stdout)
					return nil
				case 1:
					cmd := findCommand(args[0])
					if cmd == nil {
						return usagef("", "help: unknown command %q", args[0])
					}
					a.printCommandHelp(a.stdout, cmd)
					return nil
				}
				return usagef("help", "help: expected at most one command name")
			}
		},
	}
}

const overviewHead = `secrets manages SingleStore Helios secrets from the command line, and runs programs
with secrets in their environment.

Usage:
  secrets [global flags] COMMAND [flags] [arguments]

Commands:
`

const overviewTail = `
Environment (the same as the go-secrets SDK and the Python singlestoredb package):
  SINGLESTOREDB_MANAGEMENT_TOKEN     API key or JWT (first choice)
  SINGLESTOREDB_HOST                 database host (user:password@host) whose password is a JWT (second choice)
  SINGLESTOREDB_URL                  connection URL whose password is a JWT (third choice)
  SINGLESTOREDB_MANAGEMENT_BASE_URL  base URL of the Management API (--base-url wins)
  SINGLESTOREDB_MANAGEMENT_VERSION   API version path (default v1)
  SINGLESTOREDB_ORGANIZATION         organization ID (--org wins)

Exit codes:
  0    success
  1    error: network, server, rate limit, time limit, "no" at a prompt
  2    usage: bad command line, invalid name, unusable value
  3    not found: secret, user or team
  4    credentials or permission: no token, token rejected or expired, not allowed,
       value withheld
  5    conflict: a secret of that name exists
  130  interrupted
  run exits with its command's code (128+N for signal N; 126, 127: cannot start it)

Secret values are printed only by 'secrets get', and read only from standard input or a
file, never from the command line. Tokens are never printed.
Run 'secrets help COMMAND' for a command's flags.
`

func (a *app) printOverview(w io.Writer) {
	var b strings.Builder
	b.WriteString(overviewHead)
	for _, c := range commandList() {
		fmt.Fprintf(&b, "  %-8s %s\n", c.name, c.summary)
	}
	b.WriteString("\nGlobal flags (before or after the command):\n")
	fs := flag.NewFlagSet("secrets", flag.ContinueOnError)
	(&globals{timeout: defaultTimeout}).register(fs)
	writeFlags(&b, fs, func(string) bool { return true })
	b.WriteString(overviewTail)
	_, _ = io.WriteString(w, b.String())
}

func (a *app) printCommandHelp(w io.Writer, cmd *command) {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: secrets %s", cmd.name)
	if cmd.args != "" {
		b.WriteString(" " + cmd.args)
	}
	b.WriteString("\n\n" + strings.TrimSpace(cmd.details) + "\n")
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	cmd.setup(fs)
	(&globals{timeout: defaultTimeout}).register(fs)
	own := func(name string) bool { return !globalFlagNames[name] }
	hasOwn := false
	fs.VisitAll(func(f *flag.Flag) { hasOwn = hasOwn || own(f.Name) })
	if hasOwn {
		b.WriteString("\nFlags:\n")
		writeFlags(&b, fs, own)
	}
	b.WriteString("\nGlobal flags:\n")
	writeFlags(&b, fs, func(name string) bool { return globalFlagNames[name] })
	_, _ = io.WriteString(w, b.String())
}

// writeFlags lists the flags of fs that keep selects, as "  --name VALUE  usage (default …)".
func writeFlags(b *strings.Builder, fs *flag.FlagSet, keep func(string) bool) {
	fs.VisitAll(func(f *flag.Flag) {
		if !keep(f.Name) {
			return
		}
		valueName, usage := flag.UnquoteUsage(f)
		dashes := "--"
		if len(f.Name) == 1 {
			dashes = "-"
		}
		head := "  " + dashes + f.Name
		if valueName != "" {
			head += " " + valueName
		}
		fmt.Fprintf(b, "%s\n      %s", head, usage)
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "[]" {
			fmt.Fprintf(b, " (default %s)", f.DefValue)
		}
		b.WriteString("\n")
	})
}
