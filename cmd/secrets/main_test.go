package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
)

// The one harness file of this package. The scripts in testdata/script run `secrets` as a real
// command (testscript re-executes this test binary under that name), against an emulator started for
// each script; the Go tests of pieces that need the command run it in-process (invoke, at the end of
// this file). goleak is not used in this package's TestMain: the re-executions exit through os.Exit
// (TestRunLeavesNoGoroutines checks instead), and the in-process tests close their servers with
// t.Cleanup.
func TestMain(m *testing.M) {
	// Under -race, every process sleeps a second before exiting (GORACE atexit_sleep_ms), so that
	// late reports still get out; the scripts start a hundred processes. testscript passes GORACE on.
	if _, set := os.LookupEnv("GORACE"); !set {
		os.Setenv("GORACE", "atexit_sleep_ms=50")
	}
	testscript.Main(m, map[string]func(){
		"secrets":   func() { os.Exit(testMain()) },
		"testchild": func() { os.Exit(testChild()) },
		"sigsend":   func() { os.Exit(sigSend()) },
	})
}

// testMain is realMain with the idle flush of `run`'s masking set from $SECRETS_TEST_IDLE, by
// default long enough that slow test machines never flush between the writes of one value.
func testMain() int {
	idleFlushAfter = 10 * time.Second
	if d, err := time.ParseDuration(os.Getenv("SECRETS_TEST_IDLE")); err == nil {
		idleFlushAfter = d
	}
	return realMain()
}

func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		Setup:               setupScript,
		Cmds:                scriptCommands,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
	})
}

type serverKey struct{}

// setupScript starts an emulator for one script, with three users and a team, and exports:
//
//	SINGLESTOREDB_MANAGEMENT_TOKEN, SINGLESTOREDB_MANAGEMENT_BASE_URL  the organization API key and the emulator
//	ORG_API_KEY                                                         the API key again, to switch back to
//	ALICE_EMAIL, ALICE_TOKEN, ALICE_ID (and BOB_…, CAROL_…)            members
//	OPS_TEAM_ID                                                         team "ops", whose only member is bob
//	ORG_ID                                                              the organization's ID
//	API_KEY_ID                                                          the API key's user ID
//	EXPIRED_JWT, FUTURE_JWT                                             unsigned JWTs, expired and valid until 2100
func setupScript(e *testscript.Env) error {
	srv := secretstest.NewServer()
	e.Defer(srv.Close)
	e.Values[serverKey{}] = srv
	e.Setenv(secrets.EnvManagementToken, srv.APIKey())
	e.Setenv("ORG_API_KEY", srv.APIKey())
	e.Setenv(secrets.EnvManagementBaseURL, srv.URL)
	for _, name := range []string{"alice", "bob", "carol"} {
		u := srv.AddUser(name + "@example.com")
		up := strings.ToUpper(name)
		e.Setenv(up+"_EMAIL", u.Email)
		e.Setenv(up+"_TOKEN", u.Token)
		e.Setenv(up+"_ID", u.ID)
		if name == "bob" {
			e.Setenv("OPS_TEAM_ID", srv.AddTeam("ops", u.ID).ID)
		}
	}
	e.Setenv("ORG_ID", srv.OrganizationID())
	e.Setenv("API_KEY_ID", srv.APIKeyUser().ID)
	e.Setenv("EXPIRED_JWT", testJWT(time.Unix(1_000_000_000, 0)))
	e.Setenv("FUTURE_JWT", testJWT(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)))
	return nil
}

// testJWT is an unsigned JWT expiring at exp: enough for the client, which does not verify.
func testJWT(exp time.Time) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." +
		enc([]byte(fmt.Sprintf(`{"sub":"test","exp":%d}`, exp.Unix()))) + ".c2ln"
}

func server(ts *testscript.TestScript) *secretstest.Server {
	return ts.Value(serverKey{}).(*secretstest.Server)
}

var scriptCommands = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	// exitcode N PROGRAM [ARG...] runs PROGRAM as exec does and checks that it exits with N; its
	// stdout and stderr are kept for the stdout and stderr commands.
	"exitcode": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) < 2 {
			ts.Fatalf("usage: exitcode N program [args...]")
		}
		want, err := strconv.Atoi(args[0])
		ts.Check(err)
		got := 0
		if err := ts.Exec(args[1], args[2:]...); err != nil {
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				ts.Fatalf("%s: %v", args[1], err)
			}
			got = ee.ExitCode()
		}
		if got != want {
			ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
		}
	},
	// failnext N STATUS [RETRY_AFTER_SECONDS] makes the emulator fail the next N requests.
	"failnext": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) < 2 || len(args) > 3 {
			ts.Fatalf("usage: failnext n status [retry-after-seconds]")
		}
		n, err := strconv.Atoi(args[0])
		ts.Check(err)
		status, err := strconv.Atoi(args[1])
		ts.Check(err)
		var after time.Duration
		if len(args) == 3 {
			secs, err := strconv.Atoi(args[2])
			ts.Check(err)
			after = time.Duration(secs) * time.Second
		}
		server(ts).FailNext(n, status, after)
	},
	// addsecret NAME VALUE [EMAIL] stores a secret directly, created by the member with that
	// e-mail address (default: the API key).
	"addsecret": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) < 2 || len(args) > 3 {
			ts.Fatalf("usage: addsecret name value [email]")
		}
		creator := ""
		if len(args) == 3 {
			creator = userID(ts, args[2])
		}
		server(ts).AddSecret(args[0], args[1], creator)
	},
	// secretvalue NAME prints the stored value of NAME; with !, checks that NAME does not exist.
	"secretvalue": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 1 {
			ts.Fatalf("usage: secretvalue name")
		}
		value, ok := server(ts).SecretValue(args[0])
		switch {
		case neg && ok:
			ts.Fatalf("secret %s exists", args[0])
		case !neg && !ok:
			ts.Fatalf("secret %s does not exist", args[0])
		}
		fmt.Fprint(ts.Stdout(), value)
	},
	// grants NAME prints the direct grants on NAME, one "ROLE user EMAIL" or "ROLE team NAME" a
	// line, sorted.
	"grants": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 1 {
			ts.Fatalf("usage: grants name")
		}
		sec, ok := server(ts).Secret(args[0])
		if !ok {
			ts.Fatalf("secret %s does not exist", args[0])
		}
		var lines []string
		for _, g := range sec.Grants {
			if g.UserID != "" {
				lines = append(lines, g.Role+" user "+emailOf(ts, g.UserID))
			} else {
				lines = append(lines, g.Role+" team "+teamName(ts, g.TeamID))
			}
		}
		sort.Strings(lines)
		for _, l := range lines {
			fmt.Fprintln(ts.Stdout(), l)
		}
	},
	// removeuser EMAIL takes a member out of the organization.
	"removeuser": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 1 {
			ts.Fatalf("usage: removeuser email")
		}
		server(ts).RemoveUser(userID(ts, args[0]))
	},
}

func userID(ts *testscript.TestScript, email string) string {
	for _, name := range []string{"ALICE", "BOB", "CAROL"} {
		if ts.Getenv(name+"_EMAIL") == email {
			return ts.Getenv(name + "_ID")
		}
	}
	ts.Fatalf("unknown user %s", email)
	return ""
}

func teamName(ts *testscript.TestScript, id string) string {
	if ts.Getenv("OPS_TEAM_ID") == id {
		return "ops"
	}
	return id
}

func emailOf(ts *testscript.TestScript, id string) string {
	for _, name := range []string{"ALICE", "BOB", "CAROL"} {
		if ts.Getenv(name+"_ID") == id {
			return ts.Getenv(name + "_EMAIL")
		}
	}
	return id
}

// readyEnv names the file that `testchild wait-signal` creates once it is ready for signals.
const readyEnv = "SECRETS_TEST_READY"

// testChild is a program for `secrets run` to run in the scripts:
//
//	testchild print-env VAR...   prints VAR=value lines on stdout
//	testchild stderr-env VAR     prints VAR=value on stderr
//	testchild split-env VAR      prints "<" value ">" in pieces: each byte its own write, two ms apart
//	testchild env-len VAR        prints the length of $VAR (or "unset")
//	testchild exit N             exits with N
//	testchild cat                copies stdin to stdout
//	testchild wait-signal MODE   creates $SECRETS_TEST_READY, waits for SIGINT, SIGTERM or SIGHUP, then
//	                             prints "caught NAME" and exits with 42 (MODE catch) or dies of it (MODE die)
func testChild() int {
	args := os.Args[1:]
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "testchild: no subcommand")
		return 2
	}
	switch args[0] {
	case "print-env":
		for _, v := range args[1:] {
			fmt.Printf("%s=%s\n", v, os.Getenv(v))
		}
	case "stderr-env":
		fmt.Fprintf(os.Stderr, "%s=%s\n", args[1], os.Getenv(args[1]))
	case "split-env":
		value := "<" + os.Getenv(args[1]) + ">\n"
		for i := range len(value) {
			_, _ = os.Stdout.Write([]byte{value[i]})
			time.Sleep(2 * time.Millisecond)
		}
	case "env-len":
		if v, ok := os.LookupEnv(args[1]); ok {
			fmt.Println(len(v))
		} else {
			fmt.Println("unset")
		}
	case "exit":
		n, _ := strconv.Atoi(args[1])
		return n
	case "cat":
		_, _ = io.Copy(os.Stdout, os.Stdin)
	case "wait-signal":
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
		if err := os.WriteFile(os.Getenv(readyEnv), nil, 0o600); err != nil {
			fmt.Fprintln(os.Stderr, "testchild:", err)
			return 2
		}
		select {
		case sig := <-sigs:
			fmt.Printf("caught %v\n", sig)
			if len(args) > 1 && args[1] == "die" {
				signal.Reset()
				p, _ := os.FindProcess(os.Getpid())
				_ = p.Signal(sig)
				time.Sleep(10 * time.Second) // the signal ends the process first
			}
			return 42
		case <-time.After(20 * time.Second):
			fmt.Println("no signal")
			return 1
		}
	default:
		fmt.Fprintln(os.Stderr, "testchild: unknown subcommand", args[0])
		return 2
	}
	return 0
}

// sigSend runs a program, waits until a testchild under it is ready for signals, sends the program
// a signal, and exits as the program did (128+N when signal N killed it):
//
//	sigsend INT|TERM|HUP PROGRAM [ARG...]
func sigSend() int {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: sigsend INT|TERM|HUP program [args...]")
		return 2
	}
	sig, ok := map[string]os.Signal{"INT": os.Interrupt, "TERM": syscall.SIGTERM, "HUP": syscall.SIGHUP}[os.Args[1]]
	if !ok {
		fmt.Fprintln(os.Stderr, "sigsend: unknown signal", os.Args[1])
		return 2
	}
	dir, err := os.MkdirTemp("", "sigsend")
	if err != nil {
		fmt.Fprintln(os.Stderr, "sigsend:", err)
		return 2
	}
	defer os.RemoveAll(dir)
	ready := filepath.Join(dir, "ready")
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Env = append(os.Environ(), readyEnv+"="+ready)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "sigsend:", err)
		return 2
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(2 * time.Millisecond) {
		if _, err := os.Stat(ready); err == nil {
			break
		}
		if time.Now().After(deadline) {
			fmt.Fprintln(os.Stderr, "sigsend: the program never became ready")
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			return 2
		}
	}
	_ = cmd.Process.Signal(sig)
	_ = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return cmd.ProcessState.ExitCode()
}

// The Go tests that run the command call run in-process (invoke), with an environment of their own,
// against an emulator (newEmulator); the scripts are the command's behaviour tests.

type invocation struct {
	code           int
	stdout, stderr string
}

// newEmulator starts an emulator for one test and returns it with the environment that points the
// command at it with the organization's API key.
func newEmulator(t *testing.T, opts ...secretstest.Option) (*secretstest.Server, []string) {
	t.Helper()
	srv := secretstest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv, []string{
		secrets.EnvManagementToken + "=" + srv.APIKey(),
		secrets.EnvManagementBaseURL + "=" + srv.URL,
	}
}

// invoke runs the command with args, stdin and environ, and returns its exit code and output.
func invoke(t *testing.T, environ []string, stdin string, args ...string) invocation {
	t.Helper()
	return invokeContext(t.Context(), environ, stdin, args...)
}

func invokeContext(ctx context.Context, environ []string, stdin string, args ...string) invocation {
	var stdout, stderr strings.Builder
	code := run(ctx, args, strings.NewReader(stdin), &stdout, &stderr, environ)
	return invocation{code, stdout.String(), stderr.String()}
}
