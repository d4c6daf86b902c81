package secrets_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// TestClient_JWTExpAtOrBelowZero (issue 11 §7): an exp of 0 or below, in any spelling, is long
// expired: ErrTokenExpired from NewClient, nothing sent.
func TestClient_JWTExpAtOrBelowZero(t *testing.T) {
	t.Parallel()
	for _, exp := range []string{`0`, `-1`, `-0`, `0.0`, `0.5`, `-1e400`, `-9223372036854775808`, `"-5"`, `" 0 "`} {
		t.Run(exp, func(t *testing.T) {
			t.Parallel()
			token := jwtWithPayload(`{"sub":"u1","exp":` + exp + `}`)
			_, err := secrets.NewClient(secrets.WithAPIKey(token), secrets.WithBaseURL(testBaseURL))
			require.Error(t, err)
			assertSentinels(t, err, secrets.ErrTokenExpired, secrets.ErrUnauthorized)
			assert.NotContains(t, err.Error(), token)
		})
	}
}

// TestClient_JWTUnreadableExp (issue 11 §7): a JWT whose exp the SDK cannot read as a time (not a
// number, or past the year 33658) is still a JWT, with no expiry: it is sent, and the service decides.
// A string holding a number is read as that number.
func TestClient_JWTUnreadableExp(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := secrets.WithClock(func() time.Time { return t0 })
	unreadable := []string{`"soon"`, `""`, `"  "`, `"2030-01-01T00:00:00Z"`, `"0x7fffffff"`, `"+1"`, `true`, `{}`, `[1]`,
		`1e300`, `1e400`, `1893456000000` /* milliseconds */}
	for _, exp := range unreadable {
		t.Run(exp, func(t *testing.T) {
			t.Parallel()
			token := jwtWithPayload(`{"sub":"u1","exp":` + exp + `}`)
			c, api := setup(t, secrets.WithAPIKey(token), clock)
			info := c.Info()
			assert.True(t, info.TokenIsJWT)
			assert.True(t, info.TokenExpiry.IsZero(), "no expiry the SDK can check")
			assert.True(t, info.TokenExpiryUnreadable, "an exp is there, unread: not a token without expiry")
			api.on(http.MethodGet, getPath, fixture(t, http.StatusOK, "secret.json"))
			_, err := c.Secrets.Get(t.Context(), secretID)
			require.NoError(t, err)
			assert.Equal(t, "Bearer "+token, api.only().Header.Get("Authorization"))
		})
	}
	for exp, want := range map[string]time.Time{
		`" 1893456000 "`: time.Unix(1893456000, 0).UTC(), // in 2030, before t0: expired
		`"1.9e9"`:        time.Unix(1.9e9, 0).UTC(),
		`1900000000.9`:   time.Unix(1900000000, 0).UTC(),
	} {
		token := jwtWithPayload(`{"exp":` + exp + `}`)
		c, err := secrets.NewClient(secrets.WithAPIKey(token), secrets.WithBaseURL(testBaseURL), clock)
		if !want.After(t0) {
			assertSentinels(t, err, secrets.ErrTokenExpired, secrets.ErrUnauthorized)
			continue
		}
		require.NoError(t, err, exp)
		assert.Equal(t, want, c.Info().TokenExpiry, exp)
		assert.False(t, c.Info().TokenExpiryUnreadable, exp)
	}
}

// TestClientInfo_TokenExpiryUnreadable: only a JWT with an exp the SDK cannot read says so; an API
// key, a JWT without exp and one with a readable exp do not, and a Client following the environment
// reports the token it holds now.
func TestClientInfo_TokenExpiryUnreadable(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := secrets.WithClock(func() time.Time { return t0 })
	tests := []struct {
		name, token     string
		jwt, unreadable bool
	}{
		{"API key", "sk_opaque_key", false, false},
		{"JWT without exp", jwtWithPayload(`{"sub":"u1"}`), true, false},
		{"JWT with a readable exp", jwtWithPayload(`{"exp":1999999999}`), true, false},
		{"JWT with exp null", jwtWithPayload(`{"exp":null}`), true, false},
		{"JWT with an unreadable exp", jwtWithPayload(`{"exp":"soon"}`), true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := secrets.NewClient(secrets.WithAPIKey(tt.token), secrets.WithBaseURL(testBaseURL), clock)
			require.NoError(t, err)
			assert.Equal(t, tt.jwt, c.Info().TokenIsJWT)
			assert.Equal(t, tt.unreadable, c.Info().TokenExpiryUnreadable)
		})
	}
	t.Run("environment", func(t *testing.T) {
		t.Parallel()
		var mu sync.Mutex
		token := jwtWithPayload(`{"exp":"soon"}`)
		getenv := func(key string) string {
			mu.Lock()
			defer mu.Unlock()
			if key == secrets.EnvManagementToken {
				return token
			}
			return ""
		}
		c, err := secrets.NewClient(secrets.WithEnvFunc(getenv), secrets.WithBaseURL(testBaseURL), clock)
		require.NoError(t, err)
		assert.True(t, c.Info().TokenExpiryUnreadable)
		mu.Lock()
		token = jwtWithPayload(`{"exp":1999999999}`)
		mu.Unlock()
		assert.False(t, c.Info().TokenExpiryUnreadable, "the rotated token's exp is readable")
		assert.Equal(t, time.Unix(1999999999, 0).UTC(), c.Info().TokenExpiry)
	})
}
