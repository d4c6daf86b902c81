package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	secrets "github.com/helios-secrets/go-secrets"
)

// defaultFiles are what a transformers-style model needs to load: its config, tokenizer and weights.
var defaultFiles = []string{"config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors"}

const (
	defaultSecret       = "HF_TOKEN"
	defaultRevision     = "main"
	defaultRetries      = 3
	defaultRetryWait    = time.Second
	defaultStallTimeout = 30 * time.Second
)

// config is the parsed command line and environment.
type config struct {
	repo     string
	revision string
	files    []string
	dir      string
	secret   string
	retries  int
	endpoint *url.URL
}

// system is what run takes from the process. Tests replace parts of it: another secret reader (so
// that they need not set the process environment and can run in parallel), a transport, the clock.
type system struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	readSecret     secretReader
	terminal       bool              // draw a progress bar on stderr
	transport      http.RoundTripper // nil: http.DefaultTransport
	now            func() time.Time
	retryWait      time.Duration
	stallTimeout   time.Duration
}

// run downloads the files the command line asks for. getenv supplies HF_ENDPOINT (and TERM); the
// SingleStore credentials are read from the process environment by secrets.GetSecret, as in a
// notebook. Progress goes to stderr (a bar when it is a terminal), the summary to stdout.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	return runWith(ctx, args, &system{
		stdout:       stdout,
		stderr:       stderr,
		getenv:       getenv,
		readSecret:   secrets.GetSecret,
		terminal:     isTerminal(stderr) && getenv("TERM") != "dumb",
		now:          time.Now,
		retryWait:    defaultRetryWait,
		stallTimeout: defaultStallTimeout,
	})
}

func runWith(ctx context.Context, args []string, sys *system) error {
	cfg, err := parseArgs(args, sys.stderr, sys.getenv)
	if err != nil {
		return err
	}
	token, err := readToken(ctx, sys.readSecret, cfg.secret)
	if err != nil {
		return err
	}
	h := newHub(cfg.endpoint, token, cfg.secret, sys.transport)
	d := &downloader{
		hub:          h,
		repo:         cfg.repo,
		revision:     cfg.revision,
		dir:          cfg.dir,
		retries:      cfg.retries,
		retryWait:    sys.retryWait,
		stallTimeout: sys.stallTimeout,
		progress:     newProgress(sys.stderr, sys.terminal, sys.now),
	}
	fmt.Fprintf(sys.stderr, "Downloading %s from %s (revision %s) into %s, with the token in secret %s\n",
		plural(len(cfg.files), "file"), h.repoURL(cfg.repo), cfg.revision, cfg.dir, cfg.secret)

	var total int64
	fetched := 0
	for _, file := range cfg.files {
		out, err := d.fetch(ctx, file)
		if err != nil {
			return err
		}
		total += out.size
		if !out.upToDate {
			fetched++
		}
	}
	fmt.Fprintf(sys.stdout, "%s: %s of %s, %s (%d downloaded, %d already up to date)\n",
		cfg.dir, plural(len(cfg.files), "file"), cfg.repo, formatBytes(total), fetched, len(cfg.files)-fetched)
	return nil
}

// usageError is a bad command line; main exits with status 2. printed: the flag package has already
// reported it, with the usage.
type usageError struct {
	err     error
	printed bool
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// repoIDPattern is the Hub's rule for repository IDs: [owner/]name of letters, digits, '-', '_', '.'.
var repoIDPattern = regexp.MustCompile(`^(?:[A-Za-z0-9][A-Za-z0-9._-]*/)?[A-Za-z0-9][A-Za-z0-9._-]*$`)

func parseArgs(args []string, stderr io.Writer, getenv func(string) string) (*config, error) {
	cfg := &config{}
	var files string
	fs := flag.NewFlagSet("huggingface", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.repo, "repo", "", "Hugging Face model `ID`, such as meta-llama/Llama-3.2-1B (required)")
	fs.StringVar(&cfg.revision, "revision", defaultRevision, "branch, tag or commit to download")
	fs.StringVar(&files, "files", strings.Join(defaultFiles, ","), "comma-separated `names` of the files to download")
	fs.StringVar(&cfg.dir, "dir", "", "output `directory` (default ./models/<repo ID>)")
	fs.StringVar(&cfg.secret, "secret", defaultSecret, "`name` of the go-secrets secret that holds the Hugging Face token")
	fs.IntVar(&cfg.retries, "retries", defaultRetries, "retries of a file after a lost connection or a server error, resuming each time")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: huggingface -repo ID [flags]

Downloads a model's files from the Hugging Face Hub with the access token kept in a SingleStore
Helios secret (HF_TOKEN by default), read with go-secrets from SINGLESTOREDB_MANAGEMENT_TOKEN and
SINGLESTOREDB_MANAGEMENT_BASE_URL. HF_ENDPOINT selects another Hub (default https://huggingface.co).
Interrupted downloads resume on the next run.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{err: err, printed: true}
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q (flags come first, and -files takes a comma-separated list)", fs.Arg(0))
	}

	cfg.repo = strings.TrimSpace(cfg.repo)
	switch {
	case cfg.repo == "":
		return nil, usagef("-repo is required, such as -repo meta-llama/Llama-3.2-1B")
	case len(cfg.repo) > 96 || !repoIDPattern.MatchString(cfg.repo) || strings.Contains(cfg.repo, ".."):
		return nil, usagef("-repo %q is not a repository ID such as meta-llama/Llama-3.2-1B", cfg.repo)
	}
	cfg.revision = strings.TrimSpace(cfg.revision)
	if cfg.revision == "" || strings.ContainsFunc(cfg.revision, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return nil, usagef("-revision %q is not a branch, tag or commit", cfg.revision)
	}
	seen := map[string]bool{}
	for _, f := range strings.Split(files, ",") {
		f = strings.TrimSpace(f)
		if f == "" || seen[f] {
			continue
		}
		if !validFileName(f) {
			return nil, usagef("-files: %q is not a file of the repository (a relative path without . or .. parts)", f)
		}
		seen[f] = true
		cfg.files = append(cfg.files, f)
	}
	if len(cfg.files) == 0 {
		return nil, usagef("-files names no file")
	}
	if cfg.dir == "" {
		cfg.dir = filepath.Join("models", filepath.FromSlash(cfg.repo))
	}
	if cfg.retries < 0 {
		return nil, usagef("-retries %d: want 0 or more", cfg.retries)
	}
	endpoint, err := parseEndpoint(getenv("HF_ENDPOINT"))
	if err != nil {
		return nil, &usageError{err: err}
	}
	cfg.endpoint = endpoint
	return cfg, nil
}

// validFileName accepts a path inside the repository that stays inside the output directory.
func validFileName(name string) bool {
	if strings.ContainsAny(name, `\:`) || strings.HasSuffix(name, partSuffix) ||
		strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return false
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return filepath.IsLocal(filepath.FromSlash(name))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
