package secretstest

import (
	"net/http"
	"regexp"
	"strings"
)

// GET /v1/organizations/current
func (s *Server) currentOrganization(c *call) reply {
	return s.locked(c, func(st *state) reply {
		return ok(orgJSON{OrgID: st.orgID, Name: st.orgName, FirewallRanges: []string{}})
	})
}

// GET /v1/users[?email=]: members, e-mail matched case-insensitively, literally or (under
// Profile.RegexLookups) as an unanchored regular expression.
func (s *Server) listUsers(c *call) reply {
	match, bad := s.lookup(c, "email", true, strings.EqualFold)
	if bad != nil {
		return *bad
	}
	return s.locked(c, func(st *state) reply {
		out := []memberJSON{}
		for _, u := range st.sortedUsers() {
			if match(u.email) {
				out = append(out, u.member())
			}
		}
		return ok(out)
	})
}

// GET /v1/users/current: the caller, the API key's synthetic identity included.
func (s *Server) currentUser(c *call) reply {
	return s.locked(c, func(*state) reply { return ok(c.me.member()) })
}

// GET /v1/teams[?name=][&description=]: exact matches, or (under Profile.RegexLookups) unanchored
// regular expressions; both filters apply when both are given.
func (s *Server) listTeams(c *call) reply {
	exact := func(a, b string) bool { return a == b }
	matchName, bad := s.lookup(c, "name", false, exact)
	if bad != nil {
		return *bad
	}
	matchDescription, bad := s.lookup(c, "description", false, exact)
	if bad != nil {
		return *bad
	}
	return s.locked(c, func(st *state) reply {
		out := []teamJSON{}
		for _, t := range st.sortedTeams() {
			if matchName(t.name) && matchDescription(t.description) {
				out = append(out, t.info())
			}
		}
		return ok(out)
	})
}

// lookup builds the filter of a look-up parameter: everything when it is absent or empty, equal
// under Profile's literal matching, or a regular-expression search under Profile.RegexLookups
// (foldCase makes it case-insensitive). An invalid pattern is a 400 reply.
func (s *Server) lookup(c *call, param string, foldCase bool, equal func(a, b string) bool) (func(string) bool, *reply) {
	want := c.r.URL.Query().Get(param)
	switch {
	case want == "":
		return func(string) bool { return true }, nil
	case !s.profile.RegexLookups:
		return func(have string) bool { return equal(have, want) }, nil
	}
	if foldCase {
		want = "(?i)" + want
	}
	re, err := regexp.Compile(want)
	if err != nil {
		rep := fail(http.StatusBadRequest, "the "+param+" parameter is not a valid regular expression")
		return nil, &rep
	}
	return re.MatchString, nil
}
