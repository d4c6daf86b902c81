package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	secrets "github.com/helios-secrets/go-secrets"
)

func accessCommand() *command {
	var asJSON bool
	return &command{
		name:    "access",
		args:    "NAME",
		summary: "show who holds which role on a secret",
		details: `Lists the roles on secret NAME and who holds them: ROLE (Owner or Reader), TYPE (user or
team), WHO (e-mail address or team name), ID, and VIA: "direct" for a grant made on the
secret, else where the role is inherited from (such as the organization's owners).

With --json, prints {"secret": {"name", "id"}, "roles": [{"role", "description",
"grants": [{"type", "id", "email", "name", "createdAt", "inheritedFrom"}]}]}; "email" is
"" for teams, "name" is the team's name or the user's full name, "inheritedFrom" is null
for direct grants, else {"resourceType", "resourceID", "role"}.`,
		setup: func(fs *flag.FlagSet) runner {
			fs.BoolVar(&asJSON, "json", false, "print JSON instead of a table")
			return apiRunner(secretArg("access"), wholeCommand, func(ctx context.Context, a *app, name string, c *secrets.Client) error {
				return runAccess(ctx, a, name, c, asJSON)
			})
		},
	}
}

type accessJSON struct {
	Secret struct {
		Name string `json:"name"`
		ID   string `json:"id"`
	} `json:"secret"`
	Roles []roleJSON `json:"roles"`
}

type roleJSON struct {
	Role        string      `json:"role"`
	Description string      `json:"description"`
	Grants      []grantJSON `json:"grants"`
}

type grantJSON struct {
	Type          string           `json:"type"` // "user" or "team"
	ID            string           `json:"id"`
	Email         string           `json:"email"`
	Name          string           `json:"name"`
	CreatedAt     *time.Time       `json:"createdAt"`
	InheritedFrom *inheritanceJSON `json:"inheritedFrom"`
}

type inheritanceJSON struct {
	ResourceType string `json:"resourceType"`
	ResourceID   string `json:"resourceID"`
	Role         string `json:"role"`
}

func grantToJSON(g secrets.Grant) grantJSON {
	out := grantJSON{CreatedAt: jsonTime(g.CreatedAt)}
	switch {
	case g.User != nil:
		out.Type, out.ID, out.Email = "user", g.User.ID, g.User.Email
		out.Name = strings.TrimSpace(g.User.FirstName + " " + g.User.LastName)
	case g.Team != nil:
		out.Type, out.ID, out.Name = "team", g.Team.ID, g.Team.Name
	}
	if in := g.InheritedFrom; in != nil {
		out.InheritedFrom = &inheritanceJSON{ResourceType: in.ResourceType, ResourceID: in.ResourceID, Role: string(in.Role)}
	}
	return out
}

func runAccess(ctx context.Context, a *app, name string, c *secrets.Client, asJSON bool) error {
	s, err := c.Secrets.GetByName(ctx, name)
	if err != nil {
		return err
	}
	roles, err := c.Secrets.Access(ctx, s.ID)
	if err != nil {
		return err
	}
	out := accessJSON{Roles: make([]roleJSON, 0, len(roles))}
	out.Secret.Name, out.Secret.ID = s.Name, s.ID
	for _, r := range roles {
		rj := roleJSON{Role: string(r.Role), Description: r.Description, Grants: make([]grantJSON, 0, len(r.Grants))}
		for _, g := range r.Grants {
			rj.Grants = append(rj.Grants, grantToJSON(g))
		}
		out.Roles = append(out.Roles, rj)
	}
	if asJSON {
		return writeJSON(a.stdout, out)
	}
	tw := newTable(a.stdout)
	fmt.Fprintln(tw, "ROLE\tTYPE\tWHO\tID\tVIA")
	for _, r := range out.Roles {
		for _, g := range r.Grants {
			who := g.Email
			if g.Type == "team" {
				who = g.Name
			}
			via := "direct"
			if in := g.InheritedFrom; in != nil {
				via = fmt.Sprintf("%s %s (%s)", in.ResourceType, in.ResourceID, in.Role)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Role, g.Type, who, g.ID, via)
		}
	}
	return tw.Flush()
}
