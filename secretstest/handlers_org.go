package secretstest

import (
	"strings"
)

// GET /v1/organizations/current
func (s *Server) currentOrganization(c *call) reply {
	return s.locked(c, func(st *state) reply {
		return ok(orgJSON{OrgID: st.orgID, Name: st.orgName, FirewallRanges: []string{}})
	})
}

// GET /v1/users[?email=]: members, e-mail matched case-insensitively.
func (s *Server) listUsers(c *call) reply {
	email := c.r.URL.Query().Get("email")
	return s.locked(c, func(st *state) reply {
		out := []userJSON{}
		for _, u := range st.sortedUsers() {
			if email == "" || strings.EqualFold(u.email, email) {
				out = append(out, u.info())
			}
		}
		return ok(out)
	})
}

// GET /v1/users/current: the caller, the API key's synthetic identity included.
func (s *Server) currentUser(c *call) reply {
	return s.locked(c, func(*state) reply { return ok(c.me.info()) })
}

// GET /v1/teams[?name=]: exact name match.
func (s *Server) listTeams(c *call) reply {
	name := c.r.URL.Query().Get("name")
	return s.locked(c, func(st *state) reply {
		out := []teamJSON{}
		for _, t := range st.sortedTeams() {
			if name == "" || t.name == name {
				out = append(out, t.info())
			}
		}
		return ok(out)
	})
}
