package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"strings"
	"time"

	secrets "github.com/helios-secrets/go-secrets"
)

// app is one invocation of the tool: its standard streams, its environment and the global flags.
// Nothing in it refers to the process, so tests run it in-process.
type app struct {
	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer
	environ []string // KEY=VALUE, as os.Environ; the environment of `run`'s command
	getenv  func(string) string
	g       globals
	idle    time.Duration // run: see idleWriter
}

// globals are the flags every command accepts, before or after its name.
type globals struct {
	baseURL string
	org     string
	timeout time.Duration
}

const defaultTimeout = 30 * time.Second

var globalFlagNames = map[string]bool{"base-url": true, "org": true, "timeout": true}

// register adds the global flags to fs, with their current values as defaults, so that a value
// given before the command name survives the command's own parse.
func (g *globals) register(fs *flag.FlagSet) {
	fs.StringVar(&g.baseURL, "base-url", g.baseURL,
		"Management API base `URL` (default $SINGLESTOREDB_MANAGEMENT_BASE_URL, else https://api.singlestore.com)")
	fs.StringVar(&g.org, "org", g.org,
		"organization `ID` to act in (default $SINGLESTOREDB_ORGANIZATION, else the token's own)")
	fs.DurationVar(&g.timeout, "timeout", g.timeout,
		"time limit for the command's API calls, a `DURATION` such as 10s or 2m; 0 for none")
}

func newApp(stdin io.Reader, stdout, stderr io.Writer, environ []string) *app {
	env := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			env[k] = v // later entries win, as with os.Setenv
		}
	}
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	return &app{
		stdin:   stdin,
		stdout:  stdout,
		stderr:  stderr,
		environ: environ,
		getenv:  func(k string) string { return env[k] },
		g:       globals{timeout: defaultTimeout},
		idle:    idleFlushAfter,
	}
}

// run is the whole program without the process: it parses args (os.Args[1:]), runs the command
// and returns the exit code. environ is the environment, as os.Environ returns it.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, environ []string) int {
	a := newApp(stdin, stdout, stderr, environ)
	return a.report(a.main(ctx, args))
}

func (a *app) main(ctx context.Context, args []string) error {
	top := flag.NewFlagSet("secrets", flag.ContinueOnError)
	top.SetOutput(io.Discard)
	a.g.register(top)
	if err := top.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			a.printOverview(a.stdout)
			return nil
		}
		return usagef("", "%v", err)
	}
	rest := top.Args()
	if len(rest) == 0 {
		a.printOverview(a.stderr)
		return &cliError{code: exitUsage}
	}
	cmd := findCommand(rest[0])
	if cmd == nil {
		return usagef("", "unknown command %q", rest[0])
	}
	return a.runCommand(ctx, cmd, rest[1:])
}

// runner runs a command with its positional arguments, once its flags are parsed.
type runner func(ctx context.Context, a *app, args []string) error

// command is one subcommand. setup registers its flags on fs and returns the function that runs it.
type command struct {
	name    string
	args    string // synopsis of the positional arguments
	summary string // one line, for the overview
	details string // paragraphs for `secrets help NAME`
	setup   func(fs *flag.FlagSet) runner
	// raw stops flag parsing at the first positional argument, which starts a command line of its
	// own (run); other commands accept flags anywhere, until "--".
	raw bool
}

// apiBody is what a command that calls the API does once its prologue is done: name is the secret
// NAME its arguments gave ("" for a command that takes none), c the client.
type apiBody func(ctx context.Context, a *app, name string, c *secrets.Client) error

// argCheck checks a command's positional arguments, and whatever else must be refused before a
// client is built, and returns the secret NAME they give ("" for a command that takes none).
type argCheck func(a *app, args []string) (string, error)

// timeLimit says what --timeout bounds in an apiRunner.
type timeLimit int

const (
	// wholeCommand: the body's ctx is already bounded; its calls make one phase.
	wholeCommand timeLimit = iota
	// perPhase: the body waits for the user between calls (a value on standard input, a
	// confirmation) and bounds each phase with apiContext itself, so that the wait does not count.
	perPhase
)

// apiRunner is the runner of a command that calls the API, holding the prologue they all share:
// check the arguments, build the client (from the environment and the global flags), bound the
// calls by --timeout, then run body.
func apiRunner(check argCheck, limit timeLimit, body apiBody) runner {
	return func(ctx context.Context, a *app, args []string) error {
		name, err := check(a, args)
		if err != nil {
			return err
		}
		c, err := a.client()
		if err != nil {
			return err
		}
		if limit == wholeCommand {
			var cancel context.CancelFunc
			ctx, cancel = a.apiContext(ctx)
			defer cancel()
		}
		return body(ctx, a, name, c)
	}
}

// secretArg is the argCheck of a command that takes exactly one secret NAME.
func secretArg(cmd string) argCheck {
	return func(_ *app, args []string) (string, error) { return oneName(cmd, args) }
}

// noArg is the argCheck of a command that takes no positional arguments.
func noArg(cmd string) argCheck {
	return func(_ *app, args []string) (string, error) { return "", noArgs(cmd, args) }
}

func (a *app) runCommand(ctx context.Context, cmd *command, args []string) error {
	fs := flag.NewFlagSet("secrets "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	do := cmd.setup(fs)
	a.g.register(fs)
	pos, err := parseArgs(fs, args, cmd.raw)
	if errors.Is(err, flag.ErrHelp) {
		a.printCommandHelp(a.stdout, cmd)
		return nil
	}
	if err != nil {
		return usagef(cmd.name, "%s: %v", cmd.name, err)
	}
	if a.g.timeout < 0 {
		return usagef(cmd.name, "--timeout must not be negative")
	}
	return do(ctx, a, pos)
}

// parseArgs parses flags anywhere among args (flags after positional arguments too, as in
// `secrets share NAME --reader x`) until a "--", after which everything is positional. With
// raw, parsing stops at the first positional argument instead.
func parseArgs(fs *flag.FlagSet, args []string, raw bool) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		if raw {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// oneName checks that args is exactly one secret name.
func oneName(cmd string, args []string) (string, error) {
	switch len(args) {
	case 0:
		return "", usagef(cmd, "%s: missing the secret NAME", cmd)
	case 1:
		return args[0], nil
	}
	// The extra arguments are not quoted: one of them may be a value typed by mistake.
	return "", usagef(cmd, "%s: expected one secret NAME, got %d arguments", cmd, len(args))
}

// noArgs checks that a command that takes no positional arguments got none.
func noArgs(cmd string, args []string) error {
	if len(args) > 0 {
		return usagef(cmd, "%s: takes no arguments, got %d", cmd, len(args))
	}
	return nil
}
