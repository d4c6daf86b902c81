package secretstest_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/internal/jwt"
	"github.com/helios-secrets/go-secrets/secretstest"
)

var base64URL = regexp.MustCompile(`^[A-Za-z0-9_-]+$`) // unpadded base64url, as JWTs use

// Member tokens are shaped like the JWTs the service gives users; the API key stays opaque.
func TestUserTokensAreJWTs(t *testing.T) {
	t.Parallel()
	e := newEnv(t, secretstest.WithClock(func() time.Time { return t0 }))
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
	e := newEnv(t, secretstest.WithClock(func() time.Time { return t0 }))
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
