package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	secrets "github.com/helios-secrets/go-secrets"
)

// Exit codes. `run` exits with its command's code instead, once the command has started.
const (
	exitOK          = 0   // success
	exitError       = 1   // any other error: network, server error, rate limit, time limit, declined prompt
	exitUsage       = 2   // bad command line or input: unknown command or flag, wrong arguments, invalid name, unusable value
	exitNotFound    = 3   // no such secret, user or team
	exitAuth        = 4   // no credentials, token rejected or expired, permission denied, value withheld
	exitConflict    = 5   // a secret of that name already exists
	exitCannotExec  = 126 // run: the command exists but could not be started
	exitNoCommand   = 127 // run: the command was not found
	exitInterrupted = 130 // interrupted (SIGINT/SIGTERM) while talking to the API
)

// usageError is a bad command line: it prints a pointer to the command's help and exits with
// exitUsage.
type usageError struct {
	cmd string // the command whose help to point at; "" for the overview
	msg string
}

func (e *usageError) Error() string { return e.msg }

func usagef(cmd, format string, args ...any) error {
	return &usageError{cmd: cmd, msg: fmt.Sprintf(format, args...)}
}

// cliError is an error of the tool itself, with its exit code and an optional hint line.
// A cliError with an empty message exits silently (run passing its command's code through).
type cliError struct {
	code int
	msg  string
	hint string
	err  error // wrapped, for errors.Is; may be nil
}

func (e *cliError) Error() string { return e.msg }
func (e *cliError) Unwrap() error { return e.err }

// exitCode maps an error to the process exit code, as documented in the README.
func exitCode(err error) int {
	var ce *cliError
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ce):
		return ce.code
	case errors.As(err, &ue):
		return exitUsage
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.Is(err, secrets.ErrNoCredentials), errors.Is(err, secrets.ErrUnauthorized), errors.Is(err, secrets.ErrTokenExpired),
		errors.Is(err, secrets.ErrForbidden), errors.Is(err, secrets.ErrValueWithheld):
		return exitAuth
	case errors.Is(err, secrets.ErrNotFound):
		return exitNotFound
	case errors.Is(err, secrets.ErrConflict):
		return exitConflict
	case errors.Is(err, secrets.ErrInvalidArgument), errors.Is(err, secrets.ErrInvalidName),
		errors.Is(err, secrets.ErrValueTooLarge):
		return exitUsage
	}
	return exitError
}

// hintFor suggests what to do about an SDK error; "" when there is nothing useful to say.
func hintFor(err error, a *app) string {
	var api *secrets.APIError
	switch {
	case errors.Is(err, context.DeadlineExceeded) && a.g.timeout > 0:
		// Also what a single attempt's timeout (the SDK's 30s) looks like; say so only when --timeout
		// set a limit that may be the cause.
		return fmt.Sprintf("the command's time limit is %s; raise it with --timeout", a.g.timeout)
	case errors.Is(err, secrets.ErrNoCredentials):
		return "run 'secrets doctor' to check the configuration"
	case errors.Is(err, secrets.ErrTokenExpired):
		return "" // the message says it all
	case errors.Is(err, secrets.ErrInvalidName):
		return "secret names are letters, digits and _"
	case errors.As(err, &api) && api.StatusCode == 401:
		return "the token was rejected; run 'secrets doctor' to check which one is used"
	}
	return ""
}

// report prints err (when it has a message) on stderr and returns the exit code.
func (a *app) report(err error) int {
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	msg := err.Error()
	var ue *usageError
	var ce *cliError
	hint := ""
	switch {
	case errors.As(err, &ue):
		if ue.cmd != "" {
			hint = "run 'secrets help " + ue.cmd + "' for usage"
		} else {
			hint = "run 'secrets help' for usage"
		}
	case errors.As(err, &ce):
		hint = ce.hint
		if hint == "" && ce.err != nil {
			hint = hintFor(ce.err, a)
		}
	default:
		hint = hintFor(err, a)
	}
	if msg != "" {
		printError(a.stderr, msg)
		if hint != "" {
			fmt.Fprintf(a.stderr, "secrets: hint: %s\n", hint)
		}
	}
	return code
}

// printError writes each line of msg as "secrets: line", without the "secrets: " prefixes that the
// SDK's own messages carry.
func printError(w io.Writer, msg string) {
	for _, line := range strings.Split(msg, "\n") {
		line = strings.TrimPrefix(line, "secrets: ")
		line = strings.ReplaceAll(line, ": secrets: ", ": ")
		fmt.Fprintf(w, "secrets: %s\n", line)
	}
}

// describe is err's message without the SDK's "secrets: " prefixes, for use inside a longer message.
func describe(err error) string {
	msg := strings.TrimPrefix(err.Error(), "secrets: ")
	return strings.ReplaceAll(msg, ": secrets: ", ": ")
}
