package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/helios-secrets/go-secrets/secretstest"
)

// shutdownTimeout bounds the graceful shutdown after a signal.
const shutdownTimeout = 5 * time.Second

// config is the parsed command line.
type config struct {
	addr    string
	org     string
	apiKey  string
	users   []string
	teams   []teamSpec
	profile secretstest.Profile
	rate    float64 // requests per second; 0: unlimited
	burst   int
}

// teamSpec is one -team flag: a name and its members' e-mail addresses.
type teamSpec struct {
	name   string
	emails []string
}

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// parseArgs parses the command line. -h yields flag.ErrHelp.
func parseArgs(args []string, stderr io.Writer) (config, error) {
	var cfg config
	var users, teams listFlag
	fs := flag.NewFlagSet("secrets-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:0", "address to listen on (host:port; port 0 picks a free one)")
	fs.StringVar(&cfg.org, "org", secretstest.DefaultOrganizationName, "organization name")
	fs.StringVar(&cfg.apiKey, "api-key", "", "organization API key (default: random)")
	fs.Var(&users, "user", "add a member with this e-mail address (repeatable)")
	fs.Var(&teams, "team", "add a team: NAME=EMAIL1,EMAIL2 (repeatable); members not given by -user are added")
	profile := fs.String("profile", "", "where the official sources disagree, answer as: a comma-separated list of "+
		profileNames+"; or spec (all three); default: none of them")
	fs.Float64Var(&cfg.rate, "rate", 0, "answer 429 with Retry-After above this many requests per second (0: no limit)")
	fs.IntVar(&cfg.burst, "burst", 0, "requests -rate lets through at once (default: the rate rounded up, at least 1)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if cfg.rate < 0 || math.IsNaN(cfg.rate) || math.IsInf(cfg.rate, 0) {
		return config{}, errors.New("-rate must be a positive number of requests per second, or 0 for no limit")
	}
	if cfg.burst < 0 || (cfg.burst > 0 && cfg.rate == 0) {
		return config{}, errors.New("-burst must be positive, and needs -rate")
	}
	if cfg.rate > 0 && cfg.burst == 0 {
		cfg.burst = int(max(math.Ceil(cfg.rate), 1))
	}
	var err error
	if cfg.profile, err = parseProfile(*profile); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if strings.ContainsAny(cfg.apiKey, " \t\r\n") {
		return config{}, errors.New("-api-key must not contain whitespace")
	}
	for _, u := range users {
		if strings.TrimSpace(u) == "" {
			return config{}, errors.New("-user needs an e-mail address")
		}
		cfg.users = append(cfg.users, strings.TrimSpace(u))
	}
	for _, t := range teams {
		spec, err := parseTeam(t)
		if err != nil {
			return config{}, err
		}
		cfg.teams = append(cfg.teams, spec)
	}
	return cfg, nil
}

// profileNames are the -profile names of secretstest.Profile's fields, in its order.
const profileNames = "bare-lists, values-only-by-name, regex-lookups"

// parseProfile parses -profile: names of Profile's fields separated by commas, "spec" for all of
// them, "default" or nothing for none.
func parseProfile(v string) (secretstest.Profile, error) {
	var p secretstest.Profile
	for _, name := range strings.Split(v, ",") {
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "", "default":
		case "spec":
			p = secretstest.Profile{BareLists: true, ValuesOnlyByName: true, RegexLookups: true}
		case "bare-lists":
			p.BareLists = true
		case "values-only-by-name":
			p.ValuesOnlyByName = true
		case "regex-lookups":
			p.RegexLookups = true
		default:
			return secretstest.Profile{}, fmt.Errorf("-profile: unknown %q: want spec, default, or a comma-separated list of %s",
				strings.TrimSpace(name), profileNames)
		}
	}
	return p, nil
}

// parseTeam parses NAME=EMAIL1,EMAIL2 (NAME alone, or NAME=, is a team without members).
func parseTeam(v string) (teamSpec, error) {
	name, list, _ := strings.Cut(v, "=")
	spec := teamSpec{name: strings.TrimSpace(name)}
	if spec.name == "" {
		return teamSpec{}, fmt.Errorf("-team %q: want NAME=EMAIL1,EMAIL2", v)
	}
	for _, email := range strings.Split(list, ",") {
		if email = strings.TrimSpace(email); email != "" {
			spec.emails = append(spec.emails, email)
		}
	}
	return spec, nil
}

// readyLine is the single JSON line printed once the emulator listens.
type readyLine struct {
	BaseURL        string      `json:"baseURL"`
	APIKey         string      `json:"apiKey"`
	OrganizationID string      `json:"organizationID"`
	Users          []readyUser `json:"users"`
	Teams          []readyTeam `json:"teams"`
}

type readyUser struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Token string `json:"token"`
}

type readyTeam struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// seed adds cfg's users and teams to srv and describes the result. Users are listed in the order
// given, then those added only through -team; an address given twice is one user.
func seed(srv *secretstest.Server, cfg config) readyLine {
	line := readyLine{
		BaseURL:        srv.URL,
		APIKey:         srv.APIKey(),
		OrganizationID: srv.OrganizationID(),
		Users:          []readyUser{},
		Teams:          []readyTeam{},
	}
	seen := map[string]bool{}
	add := func(email string) secretstest.User {
		u := srv.AddUser(email)
		if !seen[u.ID] {
			seen[u.ID] = true
			line.Users = append(line.Users, readyUser{ID: u.ID, Email: u.Email, Token: u.Token})
		}
		return u
	}
	for _, email := range cfg.users {
		add(email)
	}
	for _, spec := range cfg.teams {
		ids := make([]string, 0, len(spec.emails))
		for _, email := range spec.emails {
			ids = append(ids, add(email).ID)
		}
		t := srv.AddTeam(spec.name, ids...)
		line.Teams = append(line.Teams, readyTeam{ID: t.ID, Name: t.Name})
	}
	return line
}

// run is the whole program: it serves until ctx ends and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "secrets-emulator:", err)
		return 2
	}
	opts := []secretstest.Option{
		secretstest.WithAddr(cfg.addr), secretstest.WithOrganizationName(cfg.org), secretstest.WithProfile(cfg.profile),
	}
	if cfg.apiKey != "" {
		opts = append(opts, secretstest.WithAPIKey(cfg.apiKey))
	}
	if cfg.rate > 0 {
		opts = append(opts, secretstest.WithRateLimit(cfg.rate, cfg.burst))
	}
	srv, err := secretstest.Start(opts...)
	if err != nil {
		fmt.Fprintln(stderr, "secrets-emulator:", err)
		return 1
	}
	line := seed(srv, cfg)
	if err := json.NewEncoder(stdout).Encode(line); err != nil {
		fmt.Fprintln(stderr, "secrets-emulator: writing the ready line:", err)
		srv.Close()
		return 1
	}
	fmt.Fprintln(stderr, "secrets-emulator: serving on", srv.URL)

	<-ctx.Done()
	fmt.Fprintln(stderr, "secrets-emulator: shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintln(stderr, "secrets-emulator: requests cut short at shutdown:", err)
	}
	return 0
}
