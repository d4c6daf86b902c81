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

// PasswordForms returns the password of a connection URL as Password decodes it and, when it
// differs, as the URL writes it (percent-encoded): a program that inherits the variable may print
// either. Nil when the URL has no password.
func PasswordForms(raw string) []string {
	decoded := Password(raw)
	if decoded == "" {
		return nil
	}
	forms := []string{decoded}
	if written := writtenPassword(strings.TrimSpace(raw)); written != "" && written != decoded {
		forms = append(forms, written)
	}
	return forms
}

// writtenPassword is the password of raw as written: between the first ':' and the last '@' of the
// authority (what url.Parse decodes).
func writtenPassword(raw string) string {
	if _, rest, ok := strings.Cut(raw, "://"); ok {
		raw = rest
	}
	if i := strings.IndexAny(raw, "/?#"); i >= 0 {
		raw = raw[:i]
	}
	at := strings.LastIndex(raw, "@")
	if at < 0 {
		return ""
	}
	_, password, ok := strings.Cut(raw[:at], ":")
	if !ok {
		return ""
	}
	return password
}
