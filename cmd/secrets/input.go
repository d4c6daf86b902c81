package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	secrets "github.com/helios-secrets/go-secrets"
)

// isTerminal reports whether s (a stream of the app) is a terminal: a character device other than
// the null device. Without golang.org/x/term this is the portable test; it cannot tell a terminal
// from other character devices, which stdin and stdout practically never are.
func isTerminal(s any) bool {
	f, ok := s.(*os.File)
	if !ok || f == nil {
		return false
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	if null, err := os.Stat(os.DevNull); err == nil && os.SameFile(st, null) {
		return false
	}
	return true
}

// valueInput says where create and update read the value.
type valueInput struct {
	fromFile    string // a path, "-" for stdin, "" for stdin
	trimNewline bool   // strip exactly one trailing "\n" (or "\r\n")
}

func (in *valueInput) register(fs *flag.FlagSet) {
	fs.StringVar(&in.fromFile, "from-file", "", "read the value from the file at `PATH` (\"-\": standard input)")
	fs.BoolVar(&in.trimNewline, "trim-newline", false, `strip exactly one trailing newline ("\n" or "\r\n") from the value`)
}

// read reads the value: from --from-file, else from standard input, which must not be a terminal
// (the value would be echoed on screen, and could not be read without echo using only the
// standard library). The value is stored byte for byte unless --trim-newline is given.
func (in *valueInput) read(a *app, cmd string) (string, error) {
	var r io.Reader
	from := "standard input"
	switch in.fromFile {
	case "", "-":
		if isTerminal(a.stdin) {
			return "", usagef(cmd, "%s: refusing to read the value from a terminal, where it would be echoed and kept in the scrollback: "+
				"pipe it in (printf %%s \"$VALUE\" | secrets %s NAME) or use --from-file PATH", cmd, cmd)
		}
		r = a.stdin
	default:
		f, err := os.Open(in.fromFile)
		if err != nil {
			return "", &cliError{code: exitUsage, msg: fmt.Sprintf("%s: cannot read the value: %v", cmd, err), err: err}
		}
		defer f.Close()
		r, from = f, in.fromFile
	}
	// Read one byte more than the limit allows (two with --trim-newline, whose newline does not
	// count), to tell a value at the limit from one over it without reading all of it.
	limit := int64(secrets.MaxValueBytes) + 1
	if in.trimNewline {
		limit += 2
	}
	data, err := io.ReadAll(io.LimitReader(r, limit))
	if err != nil {
		return "", &cliError{code: exitError, msg: fmt.Sprintf("%s: reading the value from %s: %v", cmd, from, err), err: err}
	}
	value := string(data)
	if in.trimNewline {
		if v, ok := strings.CutSuffix(value, "\n"); ok {
			value, _ = strings.CutSuffix(v, "\r")
		}
	}
	switch {
	case len(value) > secrets.MaxValueBytes:
		return "", &cliError{code: exitUsage, err: secrets.ErrValueTooLarge,
			msg: fmt.Sprintf("%s: the value from %s is over the limit of %d bytes (5 MiB)", cmd, from, secrets.MaxValueBytes)}
	case value == "":
		return "", usagef(cmd, "%s: the value from %s is empty; nothing to store", cmd, from)
	}
	if !in.trimNewline && in.fromFile == "" && strings.HasSuffix(value, "\n") {
		fmt.Fprintf(a.stderr, "secrets: note: the value ends with a newline, which is stored as part of it; "+
			"pass --trim-newline to drop it (or use printf %%s instead of echo)\n")
	}
	return value, nil
}

// confirm asks question on stderr and reads a line from stdin; only "y" or "yes" (any case) is a
// yes. Callers check first that stdin is a terminal.
func (a *app) confirm(question string) bool {
	fmt.Fprintf(a.stderr, "%s [y/N] ", question)
	line, _ := bufio.NewReader(a.stdin).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	return false
}
