// Package jwt reads the payload of a JSON Web Token without checking its signature. The SDK only
// needs to know whether a string is a JWT and when it expires; the server does the verification.
package jwt

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// ErrNotJWT reports a token that is not three dot-separated base64url parts with a JSON payload.
var ErrNotJWT = errors.New("not a JWT")

// maxTokenBytes bounds the work done on a hostile or corrupt token.
const maxTokenBytes = 64 << 10

// Claims holds the registered claims the SDK uses.
type Claims struct {
	// Expiry is the "exp" claim; zero when the token has none.
	Expiry time.Time
}

// Parse decodes the payload of token. It returns ErrNotJWT for anything that is not a JWT,
// so callers can tell an opaque API key from a JWT.
func Parse(token string) (Claims, error) {
	if len(token) > maxTokenBytes {
		return Claims{}, ErrNotJWT
	}
	header, rest, ok := strings.Cut(token, ".")
	if !ok || header == "" {
		return Claims{}, ErrNotJWT
	}
	payload, sig, ok := strings.Cut(rest, ".")
	if !ok || payload == "" || strings.Contains(sig, ".") {
		return Claims{}, ErrNotJWT
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(payload, "="))
	if err != nil {
		return Claims{}, ErrNotJWT
	}
	if len(raw) == 0 || raw[0] != '{' {
		return Claims{}, ErrNotJWT
	}
	var body struct {
		Exp json.Number `json:"exp"`
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		return Claims{}, ErrNotJWT
	}
	var c Claims
	if body.Exp != "" {
		secs, err := body.Exp.Float64()
		if err != nil || secs < 0 || secs > 1e12 {
			return Claims{}, ErrNotJWT
		}
		c.Expiry = time.Unix(int64(secs), 0).UTC()
	}
	return c, nil
}

// IsJWT reports whether token parses as a JWT.
func IsJWT(token string) bool {
	_, err := Parse(token)
	return err == nil
}
