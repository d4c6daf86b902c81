package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	secrets "github.com/helios-secrets/go-secrets"
)

// TestTokenText: a JWT, the kind of token users have on the service, is never called an API key;
// an opaque token is.
func TestTokenText(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		info       secrets.ClientInfo
		text, kind string
	}{
		"API key":        {secrets.ClientInfo{}, "API key", "api-key"},
		"JWT":            {secrets.ClientInfo{TokenIsJWT: true, TokenExpiry: now.Add(90 * time.Minute)}, "JWT, expires at 2030-01-01T01:30:00Z (in 1h30m0s)", "jwt"},
		"JWT, no expiry": {secrets.ClientInfo{TokenIsJWT: true}, "JWT, no expiry", "jwt"},
		"JWT, unreadable exp": {secrets.ClientInfo{TokenIsJWT: true, TokenExpiryUnreadable: true},
			"JWT, expiry unreadable (exp is not a number of seconds): the service decides", "jwt"},
		"expired JWT": {secrets.ClientInfo{TokenIsJWT: true, TokenExpiry: now.Add(-time.Second)}, "JWT, expired at 2029-12-31T23:59:59Z", "jwt"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.text, tokenText(tc.info, now))
			assert.Equal(t, tc.kind, tokenKind(tc.info))
		})
	}
}

// TestTokenCheckStatus: doctor warns about a JWT that expires soon and about one whose exp it cannot
// read (the service alone then knows when it ends); other tokens are ok.
func TestTokenCheckStatus(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		info secrets.ClientInfo
		want string
	}{
		"API key":             {secrets.ClientInfo{}, "ok"},
		"JWT, hours left":     {secrets.ClientInfo{TokenIsJWT: true, TokenExpiry: now.Add(time.Hour)}, "ok"},
		"JWT, minutes left":   {secrets.ClientInfo{TokenIsJWT: true, TokenExpiry: now.Add(time.Minute)}, "warn"},
		"JWT, no exp":         {secrets.ClientInfo{TokenIsJWT: true}, "ok"},
		"JWT, unreadable exp": {secrets.ClientInfo{TokenIsJWT: true, TokenExpiryUnreadable: true}, "warn"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			check, status, _, err := tokenCheck(tc.info, now)
			assert.NoError(t, err)
			assert.Equal(t, "token", check)
			assert.Equal(t, tc.want, status)
		})
	}
}
