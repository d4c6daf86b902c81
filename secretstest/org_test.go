package secretstest_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/internal/jwt"
	"github.com/helios-secrets/go-secrets/secretstest"
)

// TestDirectory: the organization, its members and its teams, as each endpoint lists and looks them
// up. Every User carries userKind, as the published document requires.
func TestDirectory(t *testing.T) {
	t.Parallel()
	e := newEnv(t, secretstest.WithOrganizationName("Acme Corp"))
	ada := e.srv.AddUser("Ada.Lovelace@Example.com")
	bob := e.srv.AddUser("bob@example.com")
	again := e.srv.AddUser("ada.lovelace@example.com")
	assert.Equal(t, ada, again, "e-mail addresses are unique, case-insensitively")
	assert.Equal(t, "Ada", ada.FirstName)
	assert.Equal(t, "Lovelace", ada.LastName)
	assert.Regexp(t, uuidPattern, ada.ID)
	assert.NotEqual(t, ada.Token, bob.Token)
	ops := e.srv.AddTeam("Ops", ada.ID)
	empty := e.srv.AddTeam("Empty")
	opsAgain := e.srv.AddTeam("Ops")
	assert.Regexp(t, uuidPattern, ops.ID)
	assert.Panics(t, func() { e.srv.AddTeam("Broken", "not-a-member") })

	key := e.srv.APIKeyUser()
	org := map[string]any{"orgID": e.srv.OrganizationID(), "name": "Acme Corp", "firewallRanges": []any{}}
	adaWire := wireUser{UserID: ada.ID, Email: ada.Email, FirstName: "Ada", LastName: "Lovelace", UserKind: "Standard"}
	bobWire := wireUser{UserID: bob.ID, Email: bob.Email, FirstName: "Bob", UserKind: "Standard"}
	opsWire, emptyWire, opsAgainWire := wireTeam{TeamID: ops.ID, Name: "Ops"}, wireTeam{TeamID: empty.ID, Name: "Empty"}, wireTeam{TeamID: opsAgain.ID, Name: "Ops"}
	tests := []struct {
		token, path string
		want        any // decoded into a value of its type
	}{
		{e.key, "/v1/organizations/current", org},
		{ada.Token, "/v1/organizations/current", org},
		{bob.Token, "/v1/users", []wireUser{adaWire, bobWire}},
		{e.key, "/v1/users", []wireUser{adaWire, bobWire}},
		{bob.Token, "/v1/users?email=ada.lovelace@example.com", []wireUser{adaWire}},
		{bob.Token, "/v1/users?email=ADA.LOVELACE@EXAMPLE.COM", []wireUser{adaWire}},
		{bob.Token, "/v1/users?email=bob@example.com", []wireUser{bobWire}},
		{bob.Token, "/v1/users?email=bob", []wireUser{}},
		{bob.Token, "/v1/users?email=" + key.Email, []wireUser{}},
		{bob.Token, "/v1/users/current", bobWire},
		{ada.Token, "/v1/users/current", adaWire},
		{e.key, "/v1/users/current", wireUser{UserID: key.ID, Email: "api-key@acme-corp", FirstName: "API", LastName: "Key", UserKind: "Standard"}},
		{ada.Token, "/v1/teams", []wireTeam{opsWire, emptyWire, opsAgainWire}},
		{ada.Token, "/v1/teams?name=Ops", []wireTeam{opsWire, opsAgainWire}},
		{ada.Token, "/v1/teams?name=Empty", []wireTeam{emptyWire}},
		{ada.Token, "/v1/teams?name=ops", []wireTeam{}},
		{ada.Token, "/v1/teams?name=Broken", []wireTeam{}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			r := e.do(tt.token, http.MethodGet, tt.path, nil)
			require.Equal(t, http.StatusOK, r.status, "body: %s", r.body)
			got := reflect.New(reflect.TypeOf(tt.want))
			require.NoError(t, json.Unmarshal(r.body, got.Interface()), "body: %s", r.body)
			assert.Equal(t, tt.want, got.Elem().Interface())
		})
	}
}

var base64URL = regexp.MustCompile(`^[A-Za-z0-9_-]+$`) // unpadded base64url, as JWTs use

// Member tokens are shaped like the JWTs the service gives users; the API key stays opaque.
func TestUserTokensAreJWTs(t *testing.T) {
	t.Parallel()
	e := newEnv(t, secretstest.WithClock(newFakeClock(0).Now))
	ada := e.srv.AddUser("ada@example.com")
	bob := e.srv.AddUser("bob@example.com")

	parts := strings.Split(ada.Token, ".")
	require.Len(t, parts, 3, "header.payload.signature")
	for _, p := range parts {
		assert.Regexp(t, base64URL, p)
	}
	var header map[string]string
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &header))
	assert.Equal(t, map[string]string{"alg": "HS256", "typ": "JWT"}, header)

	var claims struct {
		Sub, Email, Iss, Jti string
		Iat, Exp             int64
	}
	raw, err = base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &claims))
	assert.Equal(t, ada.ID, claims.Sub, "sub is the user ID")
	assert.Equal(t, "ada@example.com", claims.Email)
	assert.Equal(t, "secretstest", claims.Iss)
	assert.InDelta(t, time.Now().Unix(), claims.Iat, 60, "iat is the wall clock, whatever WithClock says")
	assert.Equal(t, time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), claims.Exp, "exp far ahead")
	assert.Regexp(t, uuidPattern, claims.Jti)
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	require.NoError(t, err)
	assert.Len(t, sig, 32, "an HMAC-SHA256")

	assert.NotEqual(t, ada.Token, bob.Token)
	assert.NotContains(t, e.key, ".", "the organization API key stays opaque")

	// The SDK's own reading: a JWT with its exp for members, not one for the API key.
	c, err := jwt.Parse(ada.Token)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC), c.Expiry)
	assert.False(t, jwt.IsJWT(e.key))

	// And the token authenticates as its member.
	me := decode[wireUser](t, e.do(ada.Token, http.MethodGet, "/v1/users/current", nil), http.StatusOK)
	assert.Equal(t, ada.ID, me.UserID)
}

// Tokens are unique even for members added in the same instant, and a removed member's token stops
// working while a new member's works.
func TestUserTokensAreUnique(t *testing.T) {
	t.Parallel()
	e := newEnv(t, secretstest.WithClock(newFakeClock(0).Now))
	seen := map[string]bool{}
	for _, email := range []string{"a@x.com", "b@x.com", "c@x.com", "d@x.com"} {
		u := e.srv.AddUser(email)
		assert.False(t, seen[u.Token])
		seen[u.Token] = true
	}
	gone := e.srv.AddUser("gone@x.com")
	e.srv.RemoveUser(gone.ID)
	assert.Equal(t, http.StatusUnauthorized, e.do(gone.Token, http.MethodGet, "/v1/users/current", nil).status)
	again := e.srv.AddUser("gone@x.com")
	assert.NotEqual(t, gone.Token, again.Token)
	assert.Equal(t, http.StatusOK, e.do(again.Token, http.MethodGet, "/v1/users/current", nil).status)
}
