package secrets

import "time"

// ClientInfo describes a Client's configuration without its token: what a "whoami" or a start-up
// log line wants to show. For a Client that follows the environment it describes the token the
// environment holds now; for one with a TokenSource, the token of its latest attempt (TokenIsJWT
// false and TokenExpiry zero before the first).
type ClientInfo struct {
	BaseURL        string    // the URL every path is appended to, version included: https://api.singlestore.com/v1
	OrganizationID string    // sent as organizationID, "" when none
	TokenSource    string    // where the token came from: "WithAPIKey", "WithTokenSource", EnvManagementToken, EnvHost+" (password)" or EnvURL+" (password)"
	TokenIsJWT     bool      // the token is a JWT (else an opaque API key)
	TokenExpiry    time.Time // the JWT's expiry; zero for API keys, JWTs without exp and those of TokenExpiryUnreadable
	// TokenExpiryUnreadable is true for a JWT whose exp is not a time the SDK can read (not a number,
	// nor a string holding one, or past 1e12 seconds): it is sent, and the service decides whether it
	// has expired. Show it as such, not as a token that never expires.
	TokenExpiryUnreadable bool
	UserAgent             string
}

// Info returns the client's configuration, without its token.
func (c *Client) Info() ClientInfo {
	info := ClientInfo{
		BaseURL:        c.base,
		OrganizationID: c.orgID,
		TokenSource:    c.auth.name(),
		UserAgent:      c.userAgent,
	}
	if cred := c.auth.current(); cred != nil {
		info.TokenSource, info.TokenIsJWT, info.TokenExpiry = cred.source, cred.isJWT, cred.expiry
		info.TokenExpiryUnreadable = cred.expiryUnreadable
	}
	return info
}
