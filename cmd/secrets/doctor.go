package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	secrets "github.com/helios-secrets/go-secrets"
)

func doctorCommand() *command {
	var asJSON bool
	return &command{
		name:    "doctor",
		summary: "check the configuration and the connection, step by step",
		details: `Checks, one line each: that credentials are found and where (credentials), the kind of
token and its expiry (token), the base URL (base-url), the organization requested, if any
(organization), that the API answers GET /v1/organizations/current with this token (api),
and the user the token acts as (user). The token itself is never printed.

Each line starts with ok, warn (a JWT expiring within 5 minutes), FAIL or skip (not
checked because an earlier check failed). Exits with 0 when no check failed, else with
the code of the first failure (4 for credentials, 1 for an unreachable server, ...).

With --json, prints {"ok": bool, "checks": [{"name", "status", "detail"}, ...]}.`,
		setup: func(fs *flag.FlagSet) runner {
			fs.BoolVar(&asJSON, "json", false, "print JSON")
			return func(ctx context.Context, a *app, args []string) error {
				return runDoctor(ctx, a, args, asJSON)
			}
		},
	}
}

type check struct {
	Name   string `json:"name"`
	Status string `json:"status"` // ok, warn, fail, skip
	Detail string `json:"detail"`
	err    error
}

// expiryWarning is how close to its expiry a JWT makes doctor warn.
const expiryWarning = 5 * time.Minute

func runDoctor(ctx context.Context, a *app, args []string, asJSON bool) error {
	if err := noArgs("doctor", args); err != nil {
		return err
	}
	checks := a.doctorChecks(ctx)
	var failed error
	ok := true
	for _, c := range checks {
		if c.Status == "fail" {
			ok = false
			if failed == nil {
				failed = c.err
			}
		}
	}
	if asJSON {
		if err := writeJSON(a.stdout, struct {
			OK     bool    `json:"ok"`
			Checks []check `json:"checks"`
		}{ok, checks}); err != nil {
			return err
		}
	} else {
		for _, c := range checks {
			status := c.Status
			if status == "fail" {
				status = "FAIL"
			}
			line := fmt.Sprintf("%-4s  %-13s %s", status, c.Name, c.Detail)
			fmt.Fprintln(a.stdout, strings.TrimRight(line, " "))
		}
	}
	if failed != nil {
		return &cliError{code: exitCode(failed), err: failed}
	}
	return nil
}

func (a *app) doctorChecks(ctx context.Context) []check {
	var checks []check
	add := func(name, status, detail string, err error) {
		checks = append(checks, check{Name: name, Status: status, Detail: detail, err: err})
	}
	skipRest := func(names ...string) []check {
		for _, n := range names {
			add(n, "skip", "", nil)
		}
		return checks
	}

	c, err := a.client()
	switch {
	case err == nil:
	case errors.Is(err, secrets.ErrNoCredentials):
		detail := describe(err)
		if a.getenv(secrets.EnvURL) != "" {
			detail += " (" + secrets.EnvURL + " is set, but its password is not a JWT)"
		}
		add("credentials", "fail", detail, err)
		return skipRest("token", "base-url", "api", "user")
	case errors.Is(err, secrets.ErrTokenExpired):
		add("credentials", "ok", "token found", nil)
		add("token", "fail", describe(err), err)
		return skipRest("base-url", "api", "user")
	default:
		add("credentials", "fail", "configuration: "+describe(err), err)
		return skipRest("token", "base-url", "api", "user")
	}

	info := c.Info()
	add("credentials", "ok", "token from "+info.TokenSource, nil)
	now := time.Now()
	switch {
	case info.TokenIsJWT && !info.TokenExpiry.IsZero() && info.TokenExpiry.Sub(now) < expiryWarning:
		add("token", "warn", tokenText(info, now), nil)
	default:
		add("token", "ok", tokenText(info, now), nil)
	}
	add("base-url", "ok", info.BaseURL+" (from "+a.baseURLSource()+")", nil)
	if info.OrganizationID != "" {
		from := "--org"
		if a.g.org == "" {
			from = secrets.EnvOrganization
		}
		add("organization", "ok", info.OrganizationID+" (from "+from+")", nil)
	}

	apiCtx, cancel := a.apiContext(ctx)
	defer cancel()
	start := time.Now()
	org, err := c.Organizations.Current(apiCtx)
	if err != nil {
		add("api", "fail", describe(err), err)
		return skipRest("user")
	}
	add("api", "ok", fmt.Sprintf("organization %s (%s), answered in %s", org.Name, org.ID, time.Since(start).Round(time.Millisecond)), nil)
	user, err := c.Organizations.CurrentUser(apiCtx)
	if err != nil {
		add("user", "fail", describe(err), err)
		return checks
	}
	add("user", "ok", fmt.Sprintf("%s (%s)", user.Email, user.ID), nil)
	return checks
}

// baseURLSource says where the base URL came from.
func (a *app) baseURLSource() string {
	switch {
	case a.g.baseURL != "":
		return "--base-url"
	case strings.TrimSpace(a.getenv(secrets.EnvManagementBaseURL)) != "":
		return secrets.EnvManagementBaseURL
	}
	return "the default"
}
