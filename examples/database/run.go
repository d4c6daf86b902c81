package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	secrets "github.com/helios-secrets/go-secrets"

	"github.com/helios-secrets/go-secrets/examples/database/secretmysql"
)

// options are the command line.
type options struct {
	demo bool

	host     string
	port     int
	user     string
	database string
	tls      bool
	caFile   string

	passwordSecret string
	ttl            time.Duration
	query          string
	every          time.Duration
}

// usageError is a bad command line (exit status 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{msg: fmt.Sprintf(format, args...)} }

const usageHead = `Usage: go run . -host HOST -user USER [-db DATABASE] [flags]
       go run . -demo

Connects to a SingleStore workspace (any MySQL-protocol server) with the password kept in a
SingleStore Helios secret, and runs -query. The Management API token comes from
SINGLESTOREDB_MANAGEMENT_TOKEN (or a JWT password in SINGLESTOREDB_HOST or SINGLESTOREDB_URL); the
API's address from SINGLESTOREDB_MANAGEMENT_BASE_URL (default https://api.singlestore.com).

-demo needs neither: it starts the secrets emulator and a MySQL-protocol server in this process,
and shows a password rotation.

Flags:
`

// parseArgs reads the command line.
func parseArgs(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("database", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageHead)
		fs.PrintDefaults()
	}
	fs.BoolVar(&o.demo, "demo", false, "run the rotation tour on the in-process emulator and MySQL-protocol server; no other flag")
	fs.StringVar(&o.host, "host", "", "the workspace's endpoint, from the Cloud Portal's Connect dialog (required)")
	fs.IntVar(&o.port, "port", secretmysql.DefaultPort, "the MySQL-protocol port")
	fs.StringVar(&o.user, "user", "", "the database user (required)")
	fs.StringVar(&o.database, "db", "", "the database")
	fs.BoolVar(&o.tls, "tls", true, "TLS, verifying the server's certificate; -tls=false only for a server on this machine")
	fs.StringVar(&o.caFile, "ca-file", "", "a PEM `FILE` of CA certificates to verify the server with, instead of the system's")
	fs.StringVar(&o.passwordSecret, "password-secret", secretmysql.DefaultPasswordSecret, "name of the secret holding the user's password")
	fs.DurationVar(&o.ttl, "ttl", 5*time.Minute, "how long the password is used for new connections before the secret is read again")
	fs.StringVar(&o.query, "query", "SELECT CURRENT_USER()", "the query to run")
	fs.DurationVar(&o.every, "every", 0, "run the query again at this interval until interrupted")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{msg: err.Error()}
	}
	switch {
	case fs.NArg() > 0:
		return nil, usagef("unexpected argument %q: every input is a flag", fs.Arg(0))
	case o.demo && fs.NFlag() > 1:
		return nil, usagef("-demo takes no other flag")
	case o.demo:
		return o, nil
	case o.host == "":
		return nil, usagef("-host is required: the workspace's endpoint")
	case o.user == "":
		return nil, usagef("-user is required")
	case o.ttl <= 0:
		return nil, usagef("-ttl must be positive")
	case o.every < 0:
		return nil, usagef("-every must not be negative")
	case strings.TrimSpace(o.query) == "":
		return nil, usagef("-query must not be empty")
	case !o.tls && o.caFile != "":
		return nil, usagef("-ca-file needs TLS; drop -tls=false")
	}
	return o, nil
}

// run parses the command line and runs the demo or the query.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	o, err := parseArgs(args, stderr)
	if err != nil {
		return err
	}
	if o.demo {
		return demo(ctx, stdout)
	}
	ws := secretmysql.Workspace{Host: o.host, Port: o.port, User: o.user, Database: o.database, Plaintext: !o.tls}
	if o.caFile != "" {
		if ws.TLS, err = loadRoots(o.caFile); err != nil {
			return err
		}
	}
	cfg, err := ws.Config()
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	client, err := secrets.NewClient(secrets.WithEnvFunc(getenv))
	if err != nil {
		return err
	}
	db, err := openPool(client, cfg, o.passwordSecret, o.ttl)
	if err != nil {
		return err
	}
	defer db.Close()
	for {
		if err := query(ctx, db, o.query, stdout); err != nil {
			return err
		}
		if o.every == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(o.every):
		}
	}
}

// loadRoots reads a PEM bundle of CA certificates.
func loadRoots(path string) (*tls.Config, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("-ca-file %s: no PEM certificate in it", path)
	}
	return &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}, nil
}
