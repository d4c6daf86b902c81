package secrets

import "time"

// ClientInfo describes a Client's configuration without its token: what a "whoami" or a start-up
// log line wants to show.
type ClientInfo struct {
	BaseURL        string    // the URL every path is appended to, version included: https://api.singlestore.com/v1
	OrganizationID string    // sent as organizationID, "" when none
	TokenSource    string    // where the token came from: "WithAPIKey", EnvManagementToken, or EnvURL+" (password)"
	TokenIsJWT     bool      // the token is a JWT (else an opaque API key)
	TokenExpiry    time.Time // the JWT's expiry; zero for API keys and JWTs without exp
	UserAgent      string
}

// Info returns the client's configuration, without its token.
func (c *Client) Info() ClientInfo {
	return ClientInfo{
		BaseURL:        c.base,
		OrganizationID: c.orgID,
		TokenSource:    c.tokenSource,
		TokenIsJWT:     c.tokenIsJWT,
		TokenExpiry:    c.tokenExpiry,
		UserAgent:      c.userAgent,
	}
}
