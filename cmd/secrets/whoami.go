package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	secrets "github.com/helios-secrets/go-secrets"
)

func whoamiCommand() *command {
	var asJSON bool
	return &command{
		name:    "whoami",
		summary: "show the credentials in use, the organization and the user",
		details: `Shows where the token comes from (SINGLESTOREDB_MANAGEMENT_TOKEN, else a JWT in the
password of SINGLESTOREDB_HOST, else one in the password of SINGLESTOREDB_URL), what kind
it is (a JWT, as users' tokens are, or an API key) and when it expires, the base URL, the
organization and the user the token acts as. The token itself is never printed.
Makes two requests: GET /v1/organizations/current and GET /v1/users/current.

With --json, prints {"tokenSource", "tokenKind" ("api-key" or "jwt"), "tokenExpiresAt"
(null when none), "tokenExpired", "baseURL", "organizationID" (the one requested with
--org or SINGLESTOREDB_ORGANIZATION, null when none), "organization": {"id", "name"},
"user": {"id", "email", "firstName", "lastName"} (null when it cannot be read)}.`,
		setup: func(fs *flag.FlagSet) runner {
			fs.BoolVar(&asJSON, "json", false, "print JSON")
			return apiRunner(noArg("whoami"), wholeCommand, func(ctx context.Context, a *app, _ string, c *secrets.Client) error {
				return runWhoami(ctx, a, c, asJSON)
			})
		},
	}
}

type whoamiJSON struct {
	TokenSource    string     `json:"tokenSource"`
	TokenKind      string     `json:"tokenKind"`
	TokenExpiresAt *time.Time `json:"tokenExpiresAt"`
	TokenExpired   bool       `json:"tokenExpired"`
	BaseURL        string     `json:"baseURL"`
	OrganizationID *string    `json:"organizationID"` // null when none was requested
	Organization   struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"organization"`
	User *userJSON `json:"user"`
}

type userJSON struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
}

// tokenKind names the kind of token a client holds.
func tokenKind(info secrets.ClientInfo) string {
	if info.TokenIsJWT {
		return "jwt"
	}
	return "api-key"
}

// tokenText describes a client's token without showing it: "API key" or "JWT, expires … (in …)".
func tokenText(info secrets.ClientInfo, now time.Time) string {
	if !info.TokenIsJWT {
		return "API key"
	}
	if info.TokenExpiryUnreadable {
		return "JWT, expiry unreadable (exp is not a number of seconds): the service decides"
	}
	if info.TokenExpiry.IsZero() {
		return "JWT, no expiry"
	}
	left := info.TokenExpiry.Sub(now)
	if left <= 0 {
		return fmt.Sprintf("JWT, expired at %s", timeText(info.TokenExpiry))
	}
	return fmt.Sprintf("JWT, expires at %s (in %s)", timeText(info.TokenExpiry), left.Round(time.Second))
}

func runWhoami(ctx context.Context, a *app, c *secrets.Client, asJSON bool) error {
	org, err := c.Organizations.Current(ctx)
	if err != nil {
		return err
	}
	user, userErr := c.Organizations.CurrentUser(ctx)

	info := c.Info()
	now := time.Now()
	out := whoamiJSON{
		TokenSource:    info.TokenSource,
		TokenKind:      tokenKind(info),
		TokenExpiresAt: jsonTime(info.TokenExpiry),
		TokenExpired:   !info.TokenExpiry.IsZero() && !now.Before(info.TokenExpiry),
		BaseURL:        info.BaseURL,
	}
	if info.OrganizationID != "" {
		out.OrganizationID = &info.OrganizationID
	}
	out.Organization.ID, out.Organization.Name = org.ID, org.Name
	if userErr == nil {
		out.User = &userJSON{ID: user.ID, Email: user.Email, FirstName: user.FirstName, LastName: user.LastName}
	}
	if asJSON {
		return writeJSON(a.stdout, out)
	}
	tw := newTable(a.stdout)
	fmt.Fprintf(tw, "Token:\tfrom %s (%s)\n", info.TokenSource, tokenText(info, now))
	fmt.Fprintf(tw, "Base URL:\t%s\n", info.BaseURL)
	fmt.Fprintf(tw, "Organization:\t%s (%s)\n", org.Name, org.ID)
	if info.OrganizationID != "" && info.OrganizationID != org.ID {
		fmt.Fprintf(tw, "Requested organization:\t%s\n", info.OrganizationID)
	}
	switch {
	case userErr != nil:
		fmt.Fprintf(tw, "User:\tunknown (%s)\n", describe(userErr))
	default:
		full := strings.TrimSpace(user.FirstName + " " + user.LastName)
		if full != "" {
			fmt.Fprintf(tw, "User:\t%s (%s, %s)\n", user.Email, full, user.ID)
		} else {
			fmt.Fprintf(tw, "User:\t%s (%s)\n", user.Email, user.ID)
		}
	}
	return tw.Flush()
}
