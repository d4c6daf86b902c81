package secretstest

import (
	"fmt"
	"time"
)

// User is an organization member with a bearer token of their own.
type User struct {
	ID        string // a UUID, the userID on the wire
	Email     string
	FirstName string // derived from the e-mail's local part: "ada.lovelace@…" gives "Ada"
	LastName  string // … and "Lovelace"
	Token     string // bearer token that authenticates as this user: a JWT (HS256; sub = ID, exp in 2200)
}

// Team is a named group of organization members.
type Team struct {
	ID   string // a UUID, the teamID on the wire
	Name string
}

func (u *user) public() User {
	return User{ID: u.id, Email: u.email, FirstName: u.firstName, LastName: u.lastName, Token: u.token}
}

// AddUser adds a member to the organization and returns it with a fresh token. E-mail addresses are
// unique in an organization, compared case-insensitively: adding an existing address returns the
// existing member unchanged. The token is shaped like the JWT the service gives a user (see User).
func (s *Server) AddUser(email string) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.st.findUserByEmail(email); u != nil {
		return u.public()
	}
	first, last := namesFromEmail(email)
	id := newUUID()
	u := &user{
		id: id, email: email, firstName: first, lastName: last,
		token: newUserToken(s.st.tokenKey, id, email, time.Now()), seq: s.st.next(),
	}
	s.st.users[u.id] = u
	s.st.tokens[u.token] = u
	return u.public()
}

// AddTeam creates a team with the given members (user IDs from AddUser) and returns it. Team names
// need not be unique. It panics when a member ID is not a current member: that is a bug in the test.
func (s *Server) AddTeam(name string, memberIDs ...string) Team {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &team{id: newUUID(), name: name, members: make(map[string]bool, len(memberIDs)), seq: s.st.next()}
	for _, id := range memberIDs {
		if s.st.users[id] == nil {
			panic(fmt.Sprintf("secretstest: AddTeam: %q is not the ID of a current member", id))
		}
		t.members[id] = true
	}
	s.st.teams[t.id] = t
	return Team{ID: t.id, Name: t.name}
}

// RemoveUser takes a member out of the organization, as an administrator would: their token stops
// working at once (requests in flight get 401), they leave every team, every grant naming them is
// revoked, and every secret they owned (directly or through a team) that is then left without any
// Owner grant is deleted. Unknown IDs, and the API key's identity, are ignored.
func (s *Server) RemoveUser(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.removeUser(id)
}

// APIKeyUser returns the synthetic identity of the organization API key: the user ID that appears as
// createdBy and lastUpdatedBy of what the key writes, in its inherited Owner grants, in the direct
// Owner grant of the secrets it creates, and in GET /v1/users/current. It is not a member: /v1/users
// does not list it (so ShareByName cannot name it), but grants and revokes may name its ID.
// Its Token is APIKey().
func (s *Server) APIKeyUser() User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.key.public()
}
