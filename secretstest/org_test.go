package secretstest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/helios-secrets/go-secrets/secretstest"
)

func TestOrganizationCurrent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, secretstest.WithOrganizationName("Acme Corp"))
	alice := e.srv.AddUser("alice@example.com")
	for _, token := range []string{e.key, alice.Token} {
		org := decode[map[string]any](t, e.do(token, http.MethodGet, "/v1/organizations/current", nil), http.StatusOK)
		assert.Equal(t, map[string]any{"orgID": e.srv.OrganizationID(), "name": "Acme Corp", "firewallRanges": []any{}}, org)
	}
}

func TestUsersLookup(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ada := e.srv.AddUser("Ada.Lovelace@Example.com")
	bob := e.srv.AddUser("bob@example.com")
	again := e.srv.AddUser("ada.lovelace@example.com")
	assert.Equal(t, ada, again, "e-mail addresses are unique, case-insensitively")
	assert.Equal(t, "Ada", ada.FirstName)
	assert.Equal(t, "Lovelace", ada.LastName)
	assert.Regexp(t, uuidPattern, ada.ID)
	assert.NotEqual(t, ada.Token, bob.Token)

	adaWire := wireUser{UserID: ada.ID, Email: ada.Email, FirstName: "Ada", LastName: "Lovelace"}
	bobWire := wireUser{UserID: bob.ID, Email: bob.Email, FirstName: "Bob"}
	tests := []struct {
		query string
		want  []wireUser
	}{
		{"", []wireUser{adaWire, bobWire}},
		{"?email=ada.lovelace@example.com", []wireUser{adaWire}},
		{"?email=ADA.LOVELACE@EXAMPLE.COM", []wireUser{adaWire}},
		{"?email=bob@example.com", []wireUser{bobWire}},
		{"?email=bob", []wireUser{}},
		{"?email=" + e.srv.APIKeyUser().Email, []wireUser{}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, decode[[]wireUser](t, e.do(bob.Token, http.MethodGet, "/v1/users"+tt.query, nil), http.StatusOK))
		})
	}
}

func TestUsersCurrent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, secretstest.WithOrganizationName("Acme Corp"))
	bob := e.srv.AddUser("bob@example.com")
	key := e.srv.APIKeyUser()
	tests := []struct {
		name  string
		token string
		want  wireUser
	}{
		{"user", bob.Token, wireUser{UserID: bob.ID, Email: "bob@example.com", FirstName: "Bob"}},
		{"api key", e.key, wireUser{UserID: key.ID, Email: "api-key@acme-corp", FirstName: "API", LastName: "Key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, decode[wireUser](t, e.do(tt.token, http.MethodGet, "/v1/users/current", nil), http.StatusOK))
		})
	}
}

func TestTeamsLookup(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.srv.AddUser("alice@example.com")
	ops := e.srv.AddTeam("Ops", alice.ID)
	empty := e.srv.AddTeam("Empty")
	opsAgain := e.srv.AddTeam("Ops")
	assert.Regexp(t, uuidPattern, ops.ID)
	assert.Panics(t, func() { e.srv.AddTeam("Broken", "not-a-member") })

	tests := []struct {
		query string
		want  []wireTeam
	}{
		{"", []wireTeam{{TeamID: ops.ID, Name: "Ops"}, {TeamID: empty.ID, Name: "Empty"}, {TeamID: opsAgain.ID, Name: "Ops"}}},
		{"?name=Ops", []wireTeam{{TeamID: ops.ID, Name: "Ops"}, {TeamID: opsAgain.ID, Name: "Ops"}}},
		{"?name=Empty", []wireTeam{{TeamID: empty.ID, Name: "Empty"}}},
		{"?name=ops", []wireTeam{}},
		{"?name=Broken", []wireTeam{}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, decode[[]wireTeam](t, e.do(alice.Token, http.MethodGet, "/v1/teams"+tt.query, nil), http.StatusOK))
		})
	}
}
