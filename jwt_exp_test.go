package secrets_test

import (
	"cmp"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// TestClient_JWTExp (issue 11 §7): a JWT's exp in every spelling. At or below zero, or past, it is
// expired: ErrTokenExpired from NewClient, which does not quote the token. A number, or a string
// holding one, is the expiry. Anything else (not a number, or past the year 33658) leaves a JWT with
// no expiry the SDK can check, and Info says so: it is sent, and the service decides. An API key, or
// a JWT without exp or with exp null, has no expiry and says nothing. A Client following the
// environment reports the token it holds now.
func TestClient_JWTExp(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := secrets.WithClock(func() time.Time { return t0 })
	withExp := func(exp string) string { return `{"sub":"u1","exp":` + exp + `}` }
	type want struct {
		token                    string // jwtWithPayload(the row's name) when ""
		expired, jwt, unreadable bool
		expiry                   time.Time
	}
	cases := map[string]want{ // by JWT payload
		"an API key":              {token: "sk_opaque_key"},
		`{"sub":"u1"}`:            {jwt: true},
		`{"exp":null}`:            {jwt: true},
		`{"exp":"soon"}`:          {jwt: true, unreadable: true},
		`{"exp":1999999999}`:      {jwt: true, expiry: time.Unix(1999999999, 0).UTC()},
		withExp(`"1.9e9"`):        {jwt: true, expiry: time.Unix(1.9e9, 0).UTC()},
		withExp(`1900000000.9`):   {jwt: true, expiry: time.Unix(1900000000, 0).UTC()},
		withExp(`" 1893456000 "`): {expired: true}, // in 2030, before t0
	}
	for _, exp := range []string{`0`, `-1`, `-0`, `0.0`, `0.5`, `-1e400`, `-9223372036854775808`, `"-5"`, `" 0 "`} {
		cases[withExp(exp)] = want{expired: true}
	}
	for _, exp := range []string{`"soon"`, `""`, `"  "`, `"2030-01-01T00:00:00Z"`, `"0x7fffffff"`, `"+1"`, `true`, `{}`, `[1]`,
		`1e300`, `1e400`, `1893456000000` /* milliseconds */} {
		cases[withExp(exp)] = want{jwt: true, unreadable: true}
	}
	for payload, want := range cases {
		t.Run(payload, func(t *testing.T) {
			t.Parallel()
			token := cmp.Or(want.token, jwtWithPayload(payload))
			if want.expired {
				_, err := secrets.NewClient(secrets.WithAPIKey(token), secrets.WithBaseURL(testBaseURL), clock)
				assertSentinels(t, err, secrets.ErrTokenExpired, secrets.ErrUnauthorized)
				assert.NotContains(t, err.Error(), token)
				return
			}
			c, api := setup(t, secrets.WithAPIKey(token), clock)
			info := c.Info()
			assert.Equal(t, want.jwt, info.TokenIsJWT)
			assert.Equal(t, want.expiry, info.TokenExpiry)
			assert.Equal(t, want.unreadable, info.TokenExpiryUnreadable)
			api.on(http.MethodGet, getPath, fixture(t, http.StatusOK, "secret.json"))
			_, err := c.Secrets.Get(t.Context(), secretID)
			require.NoError(t, err)
			assert.Equal(t, "Bearer "+token, api.only().Header.Get("Authorization"))
		})
	}
	t.Run("environment", func(t *testing.T) {
		t.Parallel()
		env := newLiveEnv(map[string]string{secrets.EnvManagementToken: jwtWithPayload(`{"exp":"soon"}`)})
		c, err := secrets.NewClient(secrets.WithEnvFunc(env.get), secrets.WithBaseURL(testBaseURL), clock)
		require.NoError(t, err)
		assert.True(t, c.Info().TokenExpiryUnreadable)
		env.set(secrets.EnvManagementToken, jwtWithPayload(`{"exp":1999999999}`))
		assert.False(t, c.Info().TokenExpiryUnreadable, "the rotated token's exp is readable")
		assert.Equal(t, time.Unix(1999999999, 0).UTC(), c.Info().TokenExpiry)
	})
}
