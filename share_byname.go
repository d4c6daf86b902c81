package secrets

import (
	"context"
	"errors"
	"slices"
)

// ShareByNameRequest is a ShareRequest that names users by e-mail address and teams by name, as the
// Cloud Portal's Share dialog does.
type ShareByNameRequest struct {
	Grants  []NamedAccessChange
	Revokes []NamedAccessChange
}

// NamedAccessChange gives (or takes) Role to users named by e-mail address and teams named by name.
type NamedAccessChange struct {
	Role       Role
	UserEmails []string
	TeamNames  []string
}

// ShareByName resolves every e-mail address (GET /v1/users?email=) and team name (GET /v1/teams?name=)
// first, then makes one Share call. When any name fails to resolve, nothing is changed and the error
// is a *ShareLookupError holding a *LookupError for each such name (errors.Is ErrNotFound or
// ErrAmbiguous). Other errors: those of Share.
func (s *SecretsService) ShareByName(ctx context.Context, secretID string, req *ShareByNameRequest) error {
	if err := checkID(secretIDArg, secretID); err != nil {
		return err
	}
	if req == nil || len(req.Grants)+len(req.Revokes) == 0 {
		return invalidArgument("share: nothing to grant or revoke")
	}
	if err := checkNamedChanges(req); err != nil {
		return err
	}
	r := resolver{orgs: s.client.Organizations, users: map[string]string{}, teams: map[string]string{}}
	byID := &ShareRequest{
		Grants:  r.resolveAll(ctx, req.Grants),
		Revokes: r.resolveAll(ctx, req.Revokes),
	}
	if r.fatal != nil {
		return r.fatal
	}
	if len(r.unknown) > 0 {
		return &ShareLookupError{Lookups: r.unknown}
	}
	return s.Share(ctx, secretID, byID)
}

// resolver turns names into IDs, looking each name up once. It stops at the first error that is not
// a *LookupError (network, authorization), and collects the lookups that failed.
type resolver struct {
	orgs    *OrganizationsService
	users   map[string]string // e-mail → user ID
	teams   map[string]string // team name → team ID
	unknown []*LookupError
	fatal   error
}

func (r *resolver) resolveAll(ctx context.Context, changes []NamedAccessChange) []AccessChange {
	out := make([]AccessChange, 0, len(changes))
	for _, ch := range changes {
		ac := AccessChange{Role: ch.Role}
		// One identity may be named twice (an address in another case): its ID is sent once.
		for _, email := range ch.UserEmails {
			if id := r.lookup(ctx, r.users, email, r.userID); id != "" && !slices.Contains(ac.Users, id) {
				ac.Users = append(ac.Users, id)
			}
		}
		for _, name := range ch.TeamNames {
			if id := r.lookup(ctx, r.teams, name, r.teamID); id != "" && !slices.Contains(ac.Teams, id) {
				ac.Teams = append(ac.Teams, id)
			}
		}
		out = append(out, ac)
	}
	return out
}

func (r *resolver) lookup(ctx context.Context, seen map[string]string, name string, find func(context.Context, string) (string, error)) string {
	if r.fatal != nil {
		return ""
	}
	if id, ok := seen[name]; ok {
		return id
	}
	id, err := find(ctx, name)
	var lookupErr *LookupError
	switch {
	case errors.As(err, &lookupErr):
		r.unknown = append(r.unknown, lookupErr)
	case err != nil:
		r.fatal = err
	}
	seen[name] = id
	return id
}

func (r *resolver) userID(ctx context.Context, email string) (string, error) {
	u, err := r.orgs.UserByEmail(ctx, email)
	if err != nil {
		return "", err
	}
	return u.ID, nil
}

func (r *resolver) teamID(ctx context.Context, name string) (string, error) {
	t, err := r.orgs.TeamByName(ctx, name)
	if err != nil {
		return "", err
	}
	return t.ID, nil
}
