package secrets

import (
	"context"
	"net/http"
	"strings"

	"github.com/helios-secrets/go-secrets/internal/wire"
)

// OrganizationsService reads the organization of the token, and its users and teams:
// /v1/organizations, /v1/users and /v1/teams.
type OrganizationsService struct {
	client *Client
}

// Organization is a Helios organization.
type Organization struct {
	ID             string   // orgID
	Name           string   // display name
	FirewallRanges []string // CIDR ranges allowed to reach the organization's workspaces

	client *Client
}

// UserInfo is a user of the organization.
type UserInfo struct {
	ID        string // userID
	Email     string
	FirstName string
	LastName  string
}

// TeamInfo is a team of the organization.
type TeamInfo struct {
	ID          string // teamID
	Name        string
	Description string
}

// Current returns the organization the client acts in: GET /v1/organizations/current, the mirror of
// the Python SDK's organizations.current. Errors: *APIError (ErrUnauthorized, ErrForbidden,
// ErrRateLimited…) and *RequestError.
func (s *OrganizationsService) Current(ctx context.Context) (*Organization, error) {
	var w wire.Organization
	r := &request{method: http.MethodGet, path: "/organizations/current", idempotent: true}
	if err := s.client.do(ctx, r, decodeJSON(&w)); err != nil {
		return nil, err
	}
	return &Organization{ID: w.OrgID, Name: w.Name, FirewallRanges: w.FirewallRanges, client: s.client}, nil
}

// GetSecret returns the secret named name in this organization, as the Python SDK's
// organization.get_secret(name): GET /v1/secrets?name= with organizationID set to o.ID. Errors are
// those of SecretsService.GetByName; ErrInvalidArgument when o did not come from Current.
func (o *Organization) GetSecret(ctx context.Context, name string) (*Secret, error) {
	if o == nil || o.client == nil {
		return nil, invalidArgument("Organization.GetSecret: the organization did not come from OrganizationsService.Current")
	}
	return o.client.secretByName(ctx, name, o.ID)
}

// CurrentUser returns the user the token acts as: GET /v1/users/current. Errors: those of Current.
func (s *OrganizationsService) CurrentUser(ctx context.Context) (*UserInfo, error) {
	var w wire.UserInfo
	r := &request{method: http.MethodGet, path: "/users/current", idempotent: true}
	if err := s.client.do(ctx, r, decodeJSON(&w)); err != nil {
		return nil, err
	}
	return userFromWire(w), nil
}

// UserByEmail finds the user of the organization with e-mail address email (case does not matter):
// GET /v1/users?email=. The service may match that parameter literally or as a regular expression;
// either way only the user with exactly that address is returned, never a look-alike, and an address
// with regular-expression metacharacters (alice+ml@example.com) is asked again as an anchored,
// escaped pattern when the first answer holds no exact match or is a 400 (see lookup.go): at most two
// requests. Errors: ErrInvalidArgument for an empty address (before any request); a *LookupError
// matching ErrNotFound when no user has it, or ErrAmbiguous when several do; those of Current.
func (s *OrganizationsService) UserByEmail(ctx context.Context, email string) (*UserInfo, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return nil, invalidArgument("empty e-mail address")
	}
	u, err := lookUpIdentity(ctx, s.client, "user", "/users", "email", email, func(u wire.UserInfo) bool { return strings.EqualFold(u.Email, email) })
	if err != nil {
		return nil, err
	}
	return userFromWire(u), nil
}

// TeamByName finds the team of the organization named exactly name: GET /v1/teams?name=, under
// literal or regular-expression matching as UserByEmail does (a name such as "C++ (eu)" is asked
// again as an anchored, escaped pattern). Errors: ErrInvalidArgument for an empty name (before any
// request); a *LookupError matching ErrNotFound when no team has it, or ErrAmbiguous when several
// do; those of Current.
func (s *OrganizationsService) TeamByName(ctx context.Context, name string) (*TeamInfo, error) {
	if strings.TrimSpace(name) == "" {
		return nil, invalidArgument("empty team name")
	}
	t, err := lookUpIdentity(ctx, s.client, "team", "/teams", "name", name, func(t wire.TeamInfo) bool { return t.Name == name })
	if err != nil {
		return nil, err
	}
	return &TeamInfo{ID: t.TeamID, Name: t.Name, Description: t.Description}, nil
}

func userFromWire(w wire.UserInfo) *UserInfo {
	return &UserInfo{ID: w.UserID, Email: w.Email, FirstName: w.FirstName, LastName: w.LastName}
}
