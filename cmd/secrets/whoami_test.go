package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	secrets "github.com/helios-secrets/go-secrets"
)

// TestTokenText: whoami and doctor describe the token without showing it: a JWT, the kind of token
// users have on the service, is never called an API key; an opaque token is. doctor warns about a
// JWT that expires soon and about one whose exp it cannot read (the service alone then knows when it
// ends); other tokens are ok.
func TestTokenText(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	jwt := func(expiry time.Duration) secrets.ClientInfo {
		return secrets.ClientInfo{TokenIsJWT: true, TokenExpiry: now.Add(expiry)}
	}
	cases := map[string]struct {
		info               secrets.ClientInfo
		text, kind, status string
	}{
		"API key":           {secrets.ClientInfo{}, "API key", "api-key", "ok"},
		"JWT, hours left":   {jwt(90 * time.Minute), "JWT, expires at 2030-01-01T01:30:00Z (in 1h30m0s)", "jwt", "ok"},
		"JWT, an hour left": {jwt(time.Hour), "JWT, expires at 2030-01-01T01:00:00Z (in 1h0m0s)", "jwt", "ok"},
		"JWT, minutes left": {jwt(time.Minute), "JWT, expires at 2030-01-01T00:01:00Z (in 1m0s)", "jwt", "warn"},
		"JWT, no expiry":    {secrets.ClientInfo{TokenIsJWT: true}, "JWT, no expiry", "jwt", "ok"},
		"JWT, unreadable exp": {secrets.ClientInfo{TokenIsJWT: true, TokenExpiryUnreadable: true},
			"JWT, expiry unreadable (exp is not a number of seconds): the service decides", "jwt", "warn"},
		"expired JWT": {jwt(-time.Second), "JWT, expired at 2029-12-31T23:59:59Z", "jwt", "warn"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.text, tokenText(tc.info, now))
			assert.Equal(t, tc.kind, tokenKind(tc.info))
			check, status, detail, err := tokenCheck(tc.info, now)
			assert.NoError(t, err)
			assert.Equal(t, "token", check)
			assert.Equal(t, tc.status, status)
			assert.Equal(t, tc.text, detail)
		})
	}
}
