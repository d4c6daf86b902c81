package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/internal/connurl"
)

func runCommandCommand() *command {
	var envs, files stringList
	var noMask bool
	return &command{
		name:    "run",
		args:    "[--env NAME[=VAR]]... [--file NAME[=VAR]]... [--] COMMAND [ARG]...",
		summary: "run a command with secrets in its environment, masked in its output",
		details: `Reads the secrets named by --env, then runs COMMAND with each value in an environment
variable: --env NAME puts secret NAME in variable NAME, --env NAME=VAR in variable VAR.
The rest of the environment is passed through unchanged (a variable of the same name is
replaced). Everything after the first argument that is not a flag of run (or after --)
is the command line: secrets run --env DB_PASSWORD -- psql -h db.example.com.

Files: --file NAME=VAR writes secret NAME to a file that only you may read (mode 0600, in
a new private directory under $TMPDIR) and puts the file's path in variable VAR (--file
NAME: in variable NAME). The file is removed when the command exits, however it exits
(signals included; not if secrets itself is killed with SIGKILL). Use it for values that
an environment variable cannot hold: on Linux a variable holds at most 128 KiB, its
name included, and the command line and environment together at most a quarter of the
stack limit (ulimit -s); run checks both before starting the command and names the
secret that does not fit. A value with a NUL byte can only be passed in a file.

Masking: unless --no-mask, the command's standard output and standard error pass through
secrets, which replaces every occurrence of a value by *****, also when it spans
several writes. It masks each value, the value without surrounding white space, each
line of a value of several lines, the management token itself and the passwords of
SINGLESTOREDB_HOST and SINGLESTOREDB_URL (either may be the token); values shorter than
4 bytes are not masked (a warning says so), as they occur everywhere by chance. Only the
exact bytes are recognised, not encodings of them (base64, JSON escapes, URL encoding).
The command's output then goes through a pipe, not a terminal: programs may turn off
colours or buffer more. Output that could be the start of a value is held back until
the next bytes decide (at most 50ms when the command goes quiet, e.g. at a prompt: then
it is written masked by every value it already holds, so only the unfinished start of a
value shows, and if the rest follows later, the rest is masked). Use --no-mask to give
the command the terminal directly.

Signals: SIGINT, SIGTERM and SIGHUP received by secrets are passed on to the command.
(In a terminal, Ctrl-C reaches both, so the command may see SIGINT twice.)

Exit code: the command's own; 128+N when it was killed by signal N; 127 when COMMAND
is not found, 126 when it cannot be started. Before the command starts, errors exit
with the codes of the other commands (3 when a secret does not exist, 4 when you may
not read it, ...), so a script cannot always tell them from the command's own codes;
the message on standard error, prefixed "secrets:", can.`,
		setup: func(fs *flag.FlagSet) runner {
			fs.Var(&envs, "env", "put secret `NAME` in variable NAME, or with NAME=VAR in variable VAR (repeatable)")
			fs.Var(&files, "file", "write secret `NAME` to a private file removed when the command exits, its path in variable NAME, or with NAME=VAR in VAR (repeatable)")
			fs.BoolVar(&noMask, "no-mask", false, "do not mask secret values in the command's output")
			return func(ctx context.Context, a *app, args []string) error {
				return runRun(ctx, a, args, envs, files, !noMask)
			}
		},
		raw: true,
	}
}

// envSpec is one --env: secret Name into variable Var.
type envSpec struct {
	Name string
	Var  string
}

var envVarName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// parseRunSpecs reads the --env and --file values. Each variable may be set once, by either.
func parseRunSpecs(envValues, fileValues []string) (env, files []envSpec, err error) {
	seen := map[string]string{}
	if env, err = parseVarSpecs("--env", envValues, seen); err != nil {
		return nil, nil, err
	}
	if files, err = parseVarSpecs("--file", fileValues, seen); err != nil {
		return nil, nil, err
	}
	return env, files, nil
}

// parseVarSpecs reads the values of flag: NAME or NAME=VAR. seen holds the variables already
// set, with the secret each comes from.
func parseVarSpecs(flag string, values []string, seen map[string]string) ([]envSpec, error) {
	var out []envSpec
	for _, v := range values {
		name, variable, hasVar := strings.Cut(v, "=")
		name, variable = strings.TrimSpace(name), strings.TrimSpace(variable)
		if !hasVar {
			variable = name
		}
		switch {
		case name == "":
			return nil, fmt.Errorf("%s: empty secret name", flag)
		case hasVar && variable == "":
			return nil, fmt.Errorf("%s %s=: empty variable name", flag, name)
		case !envVarName.MatchString(variable):
			if !hasVar {
				return nil, fmt.Errorf("%s %s: %q is not a valid variable name; give one with %s %s=VAR", flag, name, variable, flag, name)
			}
			// Not quoted: what follows '=' may be a value typed by mistake (docker's -e NAME=VALUE habit).
			return nil, fmt.Errorf("%s %s=…: the text after = is not a valid variable name (letters, digits and _, not starting with a digit); %s takes NAME or NAME=VAR, and values come from the secret, never from the command line", flag, name, flag)
		}
		if prev, dup := seen[variable]; dup {
			return nil, fmt.Errorf("%s: variable %s is set twice (from secrets %s and %s)", flag, variable, prev, name)
		}
		seen[variable] = name
		out = append(out, envSpec{Name: name, Var: variable})
	}
	return out, nil
}

func runRun(ctx context.Context, a *app, args []string, envValues, fileValues []string, mask bool) error {
	specs, fileSpecs, err := parseRunSpecs(envValues, fileValues)
	if err != nil {
		return usagef("run", "run: %v", err)
	}
	if len(specs)+len(fileSpecs) == 0 {
		return usagef("run", "run: no secrets to pass: give at least one --env NAME or --file NAME")
	}
	if len(args) == 0 {
		return usagef("run", "run: no command to run: give it after --")
	}
	c, err := a.client()
	if err != nil {
		return err
	}
	values, err := fetchValues(ctx, a, c, slices.Concat(specs, fileSpecs))
	if err != nil {
		return err
	}

	for _, s := range specs {
		if strings.IndexByte(values[s.Name], 0) >= 0 {
			return &cliError{code: exitUsage, msg: fmt.Sprintf("run: secret %s holds a NUL byte, which no environment variable can hold; pass it with --file %s=VAR", s.Name, s.Name)}
		}
	}
	// From here on, SIGINT, SIGTERM and SIGHUP no longer end secrets, which must remove the files:
	// they reach the command once it has started.
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwardedSignals...)
	defer signal.Stop(sigs)
	files, err := writeSecretFiles(fileSpecs, values)
	if err != nil {
		return err
	}
	defer files.remove()
	env := childEnv(a.environ, specs, values, files.vars...)
	path, err := exec.LookPath(args[0])
	if err != nil {
		path = args[0]
	}
	if err := checkArgSize(systemArgLimits(), path, args, env, specs, values); err != nil {
		return err
	}
	names := slices.Sorted(maps.Keys(values))
	var patterns []string
	if mask {
		all := a.credentialValues()
		for _, name := range names {
			if len(strings.TrimSpace(values[name])) < minMaskLen {
				fmt.Fprintf(a.stderr, "secrets: warning: secret %s is shorter than %d bytes; it is not masked\n", name, minMaskLen)
			}
			all = append(all, values[name])
		}
		patterns = maskPatterns(all...)
	}
	return a.execute(args, env, patterns, mask, sigs)
}

// fetchValues reads the secrets of specs concurrently, one request each, and returns their values by
// name. All failures are reported together.
func fetchValues(ctx context.Context, a *app, c *secrets.Client, specs []envSpec) (map[string]string, error) {
	ctx, cancel := a.apiContext(ctx)
	defer cancel()
	var names []string
	seen := map[string]bool{}
	for _, s := range specs {
		if !seen[s.Name] {
			seen[s.Name] = true
			names = append(names, s.Name)
		}
	}
	values := make([]string, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := c.Secrets.GetByName(ctx, name)
			switch {
			case err != nil:
				errs[i] = err
			case s.Value == nil:
				errs[i] = withheld(name, "run")
			default:
				values[i] = *s.Value
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(names))
	for i, name := range names {
		out[name] = values[i]
	}
	return out, nil
}

// childEnv is environ with each spec's variable set to its secret's value, then each VAR=value of
// fileVars set (see setEnv), replacing any earlier setting of those variables.
func childEnv(environ []string, specs []envSpec, values map[string]string, fileVars ...string) []string {
	vars := make([]string, 0, len(specs)+len(fileVars))
	for _, s := range specs {
		vars = append(vars, s.Var+"="+values[s.Name])
	}
	return setEnv(environ, append(vars, fileVars...))
}

// credentialValues returns the management credentials found in the environment, to be masked like
// the secrets: the command inherits them. They are the token and the password of every connection
// variable the SDK may take its token from (SINGLESTOREDB_HOST, SINGLESTOREDB_URL), JWT or not:
// whichever the client used, and a database password is a credential too. A percent-encoded
// password is masked both decoded and as written: the command sees the variable as written.
func (a *app) credentialValues() []string {
	var out []string
	if t := strings.TrimSpace(a.getenv(secrets.EnvManagementToken)); t != "" {
		out = append(out, t)
	}
	for _, name := range []string{secrets.EnvHost, secrets.EnvURL} {
		out = append(out, connurl.PasswordForms(a.getenv(name))...) // decoded, and as written
	}
	return out
}

// forwardedSignals are passed on to the command.
var forwardedSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// waitDelay bounds how long run waits for the command's output once the command has exited
// (a background process it started may keep the pipes open).
const waitDelay = time.Second

// execute runs argv with env, masking patterns in its output unless mask is false, forwards the
// signals that arrive on sigs, and returns a silent error carrying the command's exit code (nil for 0).
func (a *app) execute(argv []string, env []string, patterns []string, mask bool, sigs <-chan os.Signal) error {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Stdin = a.stdin
	cmd.WaitDelay = waitDelay
	var closers []*idleWriter
	if mask {
		ac := newAutomaton(patterns)
		out := newIdleWriter(newMasker(a.stdout, ac), a.idle)
		errOut := newIdleWriter(newMasker(a.stderr, ac), a.idle)
		cmd.Stdout, cmd.Stderr = out, errOut
		closers = append(closers, out, errOut)
	} else {
		cmd.Stdout, cmd.Stderr = a.stdout, a.stderr
	}

	if err := cmd.Start(); err != nil {
		code, hint := exitCannotExec, ""
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			code = exitNoCommand
		}
		if errors.Is(err, syscall.E2BIG) {
			hint = "pass large secrets in files: --file NAME=VAR"
		}
		return &cliError{code: code, msg: fmt.Sprintf("run: %v", err), hint: hint, err: err}
	}
	done := make(chan struct{})
	forwarded := make(chan struct{})
	go func() {
		defer close(forwarded)
		for {
			select {
			case sig := <-sigs:
				_ = cmd.Process.Signal(sig)
			case <-done:
				return
			}
		}
	}()
	waitErr := cmd.Wait()
	close(done)
	<-forwarded
	for _, c := range closers {
		_ = c.Close()
	}

	code := exitError
	if ps := cmd.ProcessState; ps != nil {
		code = ps.ExitCode()
		if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			code = 128 + int(ws.Signal())
		}
	} else if waitErr != nil {
		return &cliError{code: exitError, msg: fmt.Sprintf("run: %v", waitErr), err: waitErr}
	}
	if code == 0 {
		return nil
	}
	return &cliError{code: code}
}
