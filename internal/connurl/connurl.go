// Package connurl reads database connection URLs such as SINGLESTOREDB_URL, whose password may be the
// management token (a JWT, in notebooks).
package connurl

import (
	"net/url"
	"strings"
)

// Password returns the password of a connection URL, or "". The URL may lack a scheme
// ("user:password@host:3306/db"), as the Python SDK accepts.
func Password(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	if !strings.Contains(raw, "://") {
		raw = "singlestoredb://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return ""
	}
	password, _ := u.User.Password()
	return password
}
