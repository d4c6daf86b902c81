// Package jwt reads the payload of a JSON Web Token without checking its signature. The SDK only
// needs to know whether a string is a JWT and when it expires; the server does the verification.
package jwt

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// ErrNotJWT reports a token that is not three dot-separated base64url parts with a JSON payload.
var ErrNotJWT = errors.New("not a JWT")

// maxTokenBytes bounds the work done on a hostile or corrupt token.
const maxTokenBytes = 64 << 10

// Claims holds the registered claims the SDK uses.
type Claims struct {
	// Expiry is the "exp" claim, to the second; zero when the token has none, or one the SDK cannot
	// read (ExpiryUnreadable). An exp of 0 or below gives the Unix epoch: long expired.
	Expiry time.Time
	// ExpiryUnreadable is set when the token has an "exp" that is not a NumericDate the SDK can read:
	// a string that is not a number, a boolean, an object, or a number past the year 33658 (1e12
	// seconds, such as an exp written in milliseconds). Such a token is still a JWT, with no expiry
	// the SDK can check: it is sent, and the service decides (RFC 7519 makes exp a number; a service
	// that refuses the token answers 401).
	ExpiryUnreadable bool
}

// maxExp is the largest exp read as a time: 1e12 seconds, in the year 33658.
const maxExp = 1e12

// Parse decodes the payload of token. It returns ErrNotJWT for anything that is not a JWT (three
// dot-separated base64url parts whose middle one is a JSON object), so callers can tell an opaque
// API key from a JWT. The exp claim is read as RFC 7519's NumericDate: a JSON number of seconds,
// fractions dropped; a string holding such a number, white space around it allowed, is read the same
// way (a service that reads it at all reads that instant). See Claims for the rest.
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
	// A map, not a struct: encoding/json matches struct fields without regard to case, and would read
	// a claim "Exp" or "EXP" (another claim: JWT claim names are case-sensitive) as the expiry.
	var claims map[string]json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(raw)).Decode(&claims); err != nil {
		return Claims{}, ErrNotJWT
	}
	return readExp(claims["exp"]), nil
}

// readExp reads the raw JSON of an exp claim, as Parse documents.
func readExp(raw json.RawMessage) Claims {
	text := string(raw)
	if text == "" || text == "null" {
		return Claims{}
	}
	if text[0] == '"' {
		if json.Unmarshal(raw, &text) != nil {
			return Claims{ExpiryUnreadable: true}
		}
		text = strings.TrimSpace(text)
		if !jsonNumber(text) {
			return Claims{ExpiryUnreadable: true}
		}
	} else if !jsonNumber(text) {
		return Claims{ExpiryUnreadable: true} // true, false, an object, an array
	}
	secs, err := strconv.ParseFloat(text, 64) // ±Inf for what overflows a float64
	switch {
	case err != nil && !math.IsInf(secs, 0):
		return Claims{ExpiryUnreadable: true}
	case secs <= 0:
		return Claims{Expiry: time.Unix(0, 0).UTC()}
	case secs > maxExp:
		return Claims{ExpiryUnreadable: true}
	}
	return Claims{Expiry: time.Unix(int64(secs), 0).UTC()}
}

// jsonNumber reports whether s is a JSON number (RFC 8259 §6): what strconv.ParseFloat also accepts
// but JSON does not ("+1", "0x10", "Inf", "1_000", ".5") is left out.
func jsonNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		start := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		return i - start
	}
	switch n := digits(); {
	case n == 0:
		return false
	case n > 1 && s[i-n] == '0':
		return false // a leading zero
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// IsJWT reports whether token parses as a JWT.
func IsJWT(token string) bool {
	_, err := Parse(token)
	return err == nil
}
