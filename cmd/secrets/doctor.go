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
		details: `Checks, one line each: that credentials are found and where (credentials:
SINGLESTOREDB_MANAGEMENT_TOKEN, else a JWT in the password of SINGLESTOREDB_HOST, else of
SINGLESTOREDB_URL), the kind of token and its expiry (token), the base URL (base-url), the
organization requested, if any (organization), that the API answers
GET /v1/organizations/current with this token (api), and the user the token acts as (user).
An invalid base URL or organization fails its own line; the token is still checked. The
token itself is never printed.

Each line starts with ok, warn (a JWT expiring within 5 minutes, or one whose exp cannot
be read), FAIL or skip (not checked because an earlier check failed). Exits with 0 when no check failed, else with
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

// checkList collects doctor's lines, in order.
type checkList []check

func (l *checkList) add(name, status, detail string, err error) {
	*l = append(*l, check{Name: name, Status: status, Detail: detail, err: err})
}

// skip adds a skipped line for each of names: checks that an earlier failure leaves nothing to do.
func (l *checkList) skip(names ...string) {
	for _, n := range names {
		l.add(n, "skip", "", nil)
	}
}

func (a *app) doctorChecks(ctx context.Context) []check {
	var checks checkList
	add := checks.add
	skipRest := func(names ...string) []check {
		checks.skip(names...)
		return checks
	}

	c, err := a.client()
	switch {
	case err == nil:
	case errors.Is(err, secrets.ErrNoCredentials):
		add("credentials", "fail", describe(err), err)
		return skipRest("token", "base-url", "api", "user")
	case errors.Is(err, secrets.ErrTokenExpired):
		add("credentials", "ok", "token found", nil)
		add("token", "fail", describe(err), err)
		return skipRest("base-url", "api", "user")
	default:
		return a.settingChecks(checks, err)
	}

	info := c.Info()
	add("credentials", "ok", "token from "+info.TokenSource, nil)
	add(tokenCheck(info, time.Now()))
	add("base-url", "ok", info.BaseURL+" (from "+a.baseURLSource()+")", nil)
	if info.OrganizationID != "" {
		add("organization", "ok", info.OrganizationID+" (from "+a.orgSource()+")", nil)
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

// tokenCheck is the token line: its kind and expiry, a warning when it expires soon or its expiry
// cannot be read.
func tokenCheck(info secrets.ClientInfo, now time.Time) (name, status, detail string, err error) {
	status = "ok"
	if info.TokenIsJWT && (info.TokenExpiryUnreadable || !info.TokenExpiry.IsZero() && info.TokenExpiry.Sub(now) < expiryWarning) {
		status = "warn" // expiring soon, or an exp the SDK cannot check
	}
	return "token", status, tokenText(info, now), nil
}

// settingChecks files a configuration error under the setting that causes it. The client is built
// again without the base URL, then without the organization (their defaults): a setting whose removal
// fixes the build is the culprit, and gets its own failed line, while the credentials and token are
// still checked. An error that neither removal fixes (a bad version variable, say) stays under
// configuration.
func (a *app) settingChecks(checks checkList, err error) []check {
	add := checks.add
	fail := func(name string, err error) {
		add(name, "fail", configMessage(err), &cliError{code: exitCode(err), msg: configMessage(err), err: err})
	}
	without := func(drop ...string) func(string) string {
		return func(k string) string {
			for _, d := range drop {
				if k == d {
					return ""
				}
			}
			return a.getenv(k)
		}
	}
	clean, cleanErr := a.buildClient(without(secrets.EnvManagementBaseURL, secrets.EnvOrganization), "", "")
	if cleanErr != nil {
		fail("configuration", err)
		checks.skip("token", "base-url", "api", "user")
		return checks
	}
	info := clean.Info()
	add("credentials", "ok", "token from "+info.TokenSource, nil)
	add(tokenCheck(info, time.Now()))
	withBase, baseErr := a.buildClient(without(secrets.EnvOrganization), a.g.baseURL, "")
	if baseErr != nil {
		fail("base-url", baseErr)
	} else {
		add("base-url", "ok", withBase.Info().BaseURL+" (from "+a.baseURLSource()+")", nil)
	}
	var orgErr error
	if a.g.org != "" || strings.TrimSpace(a.getenv(secrets.EnvOrganization)) != "" {
		var withOrg *secrets.Client
		if withOrg, orgErr = a.buildClient(without(secrets.EnvManagementBaseURL), "", a.g.org); orgErr != nil {
			fail("organization", orgErr)
		} else {
			add("organization", "ok", withOrg.Info().OrganizationID+" (from "+a.orgSource()+")", nil)
		}
	}
	if baseErr == nil && orgErr == nil {
		fail("configuration", err) // only the two together fail: report the error as it came
	}
	checks.skip("api", "user")
	return checks
}

// orgSource says where the organization ID came from.
func (a *app) orgSource() string {
	if a.g.org != "" {
		return "--org"
	}
	return secrets.EnvOrganization
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
