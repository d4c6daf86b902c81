package secrets

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/helios-secrets/go-secrets/internal/wire"
)

// Role is a role on a secret. RoleOwner and RoleReader are the documented ones; the Management API
// also knows custom roles per resource type (/v1/roles/{resourceType}), so any other role name is
// sent as given and the service's answer decides (an unknown one comes back as an *APIError, 400 or
// 404 by the service's choice). Access returns whatever roles the service reports.
type Role string

// The documented roles of a secret.
const (
	// RoleOwner may read, update, share and delete the secret. A secret left without any Owner is
	// deleted by the service.
	RoleOwner Role = "Owner"
	// RoleReader may read the secret's value.
	RoleReader Role = "Reader"
)

// ShareRequest grants and revokes roles in one change.
type ShareRequest struct {
	Grants  []AccessChange
	Revokes []AccessChange
}

// AccessChange gives (or takes) Role to users and teams, by ID. Use ShareByName to name them by
// e-mail address and team name.
type AccessChange struct {
	Role  Role
	Users []string // user IDs
	Teams []string // team IDs
}

// RoleAccess is one role on a secret and who holds it.
type RoleAccess struct {
	Role        Role
	Description string
	Grants      []Grant
}

// Grant is one holder of a role. Exactly one of User and Team is set.
type Grant struct {
	User          *UserInfo
	Team          *TeamInfo
	CreatedAt     time.Time
	CreatedBy     *UserInfo
	InheritedFrom *Inheritance // set when the role comes from elsewhere, such as owning the organization
}

// Inheritance says where an inherited grant comes from.
type Inheritance struct {
	ResourceID   string // such as the organization's ID
	ResourceType string // such as "Organization"
	Role         Role   // the role held there
}

// Access lists the roles on a secret and their holders: GET /v1/secrets/{secretID}/accessControls.
// Errors: ErrInvalidArgument for an ID that is not a UUID (before any request); ErrNotFound, ErrForbidden
// and the others of Get.
func (s *SecretsService) Access(ctx context.Context, secretID string) ([]*RoleAccess, error) {
	if err := checkID(secretIDArg, secretID); err != nil {
		return nil, err
	}
	var roles []wire.ResourceRole
	r := &request{method: http.MethodGet, path: accessPath(secretID), idempotent: true, maxBody: maxListBody}
	if err := s.client.do(ctx, r, decodeJSON(&roles)); err != nil {
		return nil, err
	}
	out := make([]*RoleAccess, len(roles))
	for i, role := range roles {
		out[i] = roleAccessFromWire(role)
	}
	return out, nil
}

// Share grants and revokes roles: PATCH /v1/secrets/{secretID}/accessControls. Only an Owner may share.
// Revoking the last Owner makes the service delete the secret. The change is not retried after it may
// have reached the server (only on 429 or when the connection was never made). Roles other than RoleOwner
// and RoleReader are sent as given (see Role). Errors: ErrInvalidArgument for a secret ID that is not a
// UUID, a nil or empty request, a role that is empty, blank, padded with white space, holds a control
// character or is not valid UTF-8, or a user or team ID that is not a UUID (all before any request); an
// *APIError for a role the service does not know; ErrNotFound, ErrForbidden and the others of Get.
func (s *SecretsService) Share(ctx context.Context, secretID string, req *ShareRequest) error {
	if err := checkID(secretIDArg, secretID); err != nil {
		return err
	}
	body, err := accessControlsBody(req)
	if err != nil {
		return err
	}
	r := &request{method: http.MethodPatch, path: accessPath(secretID), body: body}
	return s.client.do(ctx, r, nil)
}

func accessPath(secretID string) string {
	return "/secrets/" + url.PathEscape(secretID) + "/accessControls"
}

// accessControlsBody validates req and converts it to the wire form, whose arrays are never null.
func accessControlsBody(req *ShareRequest) (*wire.AccessControls, error) {
	if req == nil || len(req.Grants)+len(req.Revokes) == 0 {
		return nil, invalidArgument("share: nothing to grant or revoke")
	}
	body := &wire.AccessControls{Grants: []wire.AccessChange{}, Revokes: []wire.AccessChange{}}
	for _, part := range []struct {
		name    string
		changes []AccessChange
		out     *[]wire.AccessChange
	}{{"grant", req.Grants, &body.Grants}, {"revoke", req.Revokes, &body.Revokes}} {
		for i, ch := range part.changes {
			if err := checkChange(part.name, i, ch.Role, concat(ch.Users, ch.Teams), checkHolderID); err != nil {
				return nil, err
			}
			*part.out = append(*part.out, wire.AccessChange{
				Role:  string(ch.Role),
				Users: append([]string{}, ch.Users...),
				Teams: append([]string{}, ch.Teams...),
			})
		}
	}
	return body, nil
}

func concat(a, b []string) []string {
	return append(append(make([]string, 0, len(a)+len(b)), a...), b...)
}

func roleAccessFromWire(w wire.ResourceRole) *RoleAccess {
	ra := &RoleAccess{Role: Role(w.Role), Description: w.Description, Grants: make([]Grant, 0, len(w.Grants))}
	for _, g := range w.Grants {
		grant := Grant{CreatedAt: g.CreatedAt.Time}
		if g.CreatedBy != nil {
			grant.CreatedBy = userFromWire(*g.CreatedBy)
		}
		if g.InheritedFrom != nil {
			grant.InheritedFrom = &Inheritance{ResourceID: g.InheritedFrom.ResourceID,
				ResourceType: g.InheritedFrom.ResourceType, Role: Role(g.InheritedFrom.Role)}
		}
		id := g.Identity
		switch {
		case id.UserID != "":
			grant.User = &UserInfo{ID: id.UserID, Email: id.Email, FirstName: id.FirstName, LastName: id.LastName}
		case id.TeamID != "":
			grant.Team = &TeamInfo{ID: id.TeamID, Name: id.Name, Description: id.Description}
		default:
			continue // neither a user nor a team: nothing a caller could act on
		}
		ra.Grants = append(ra.Grants, grant)
	}
	return ra
}

// String describes the grant's holder and how it is held.
func (g Grant) String() string {
	who := "nobody"
	switch {
	case g.User != nil:
		who = "user " + g.User.Email
	case g.Team != nil:
		who = "team " + g.Team.Name
	}
	if g.InheritedFrom != nil {
		who += fmt.Sprintf(" (inherited from %s %s)", g.InheritedFrom.ResourceType, g.InheritedFrom.ResourceID)
	}
	return who
}
