package jwt_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/internal/jwt"
)

// jsonNumber is the grammar of a JSON number (RFC 8259 §6).
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// maxExpiry is the latest exp Parse accepts (1e12 seconds after the epoch).
var maxExpiry = time.Unix(1e12, 0).UTC()

// FuzzParse: any string either is a JWT (three parts, an expiry that is zero or within range, UTC)
// or gives exactly ErrNotJWT and empty claims; IsJWT agrees; nothing panics.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		token(`{"sub":"u1","exp":1700000000}`), token(`{}`), token(`{"exp":1.7e9}`), token(`{"exp":-1}`),
		token(`{"exp":"soon"}`), token(`{"exp":1e13}`), token(`[1]`), token(`{"exp":1}trailing`),
		header + "." + base64.URLEncoding.EncodeToString([]byte(`{"exp":1700000000}`)) + "." + sig,
		"a.b.c", "a..c", "..", "tok_123456", "", ".", "a.b.c.d", header + ".!!!." + sig,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := jwt.Parse(tok)
		assert.Equal(t, err == nil, jwt.IsJWT(tok))
		if err != nil {
			require.Equal(t, jwt.ErrNotJWT, err)
			require.Equal(t, jwt.Claims{}, c)
			return
		}
		require.Equal(t, 2, strings.Count(tok, "."), "a JWT has three parts")
		if c.ExpiryUnreadable {
			assert.True(t, c.Expiry.IsZero(), "an unreadable exp gives no expiry")
		}
		if !c.Expiry.IsZero() {
			assert.Equal(t, time.UTC, c.Expiry.Location())
			assert.False(t, c.Expiry.Before(time.Unix(0, 0)), "exp before the epoch: %v", c.Expiry)
			assert.False(t, c.Expiry.After(maxExpiry), "exp out of range: %v", c.Expiry)
		}
	})
}

// FuzzParsePayload fuzzes the claims alone, wrapped in a well-formed token: a payload that is one
// JSON object is a JWT; its "exp" (with no other spelling of the key), a number or a string holding
// one, gives that expiry to the second, the epoch at 0 or below, and is unreadable past 1e12 or when it
// is anything else; a payload that is not an object is refused.
func FuzzParsePayload(f *testing.F) {
	for _, seed := range []string{
		`{"exp":1700000000}`, `{"exp":1700000000.9}`, `{"exp":0}`, `{"exp":null}`, `{"exp":"1"}`, `{"EXP":5}`,
		`{"exp":1,"exp":2}`, `{"exp":1e12}`, `{"exp":1e12,"x":[1,{"y":2}]}`, `[]`, `"s"`, `{`, ``, `{"exp":-0}`, `{"exp":" 5 "}`, `{"exp":1e400}`, `{"exp":-1e400}`, `{"exp":true}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		c, err := jwt.Parse(header + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + sig)
		if len(payload) == 0 || payload[0] != '{' {
			require.Error(t, err, "a payload that is not an object")
			return
		}
		if !json.Valid(payload) {
			return // Parse reads the first JSON value only; what follows it is not its business
		}
		var claims map[string]json.RawMessage
		if json.Unmarshal(payload, &claims) != nil {
			return
		}
		for k := range claims {
			if k != "exp" && strings.EqualFold(k, "exp") {
				return // encoding/json matches keys without regard to case: not an oracle here
			}
		}
		raw, has := claims["exp"]
		if !has || bytes.Equal(raw, []byte("null")) {
			require.NoError(t, err)
			assert.True(t, c.Expiry.IsZero())
			return
		}
		if len(raw) > 0 && raw[0] == '"' { // a string holding a JSON number is read as that number
			var str string
			require.NoError(t, json.Unmarshal(raw, &str))
			raw = []byte(strings.TrimSpace(str))
		}
		require.NoError(t, err, "exp %s: still a JWT", raw)
		if !jsonNumber.Match(raw) {
			assert.True(t, c.ExpiryUnreadable, "exp %s", raw)
			assert.True(t, c.Expiry.IsZero(), "exp %s", raw)
			return
		}
		var exp float64
		if json.Unmarshal(raw, &exp) != nil { // beyond float64
			exp = math.Inf(1)
			if raw[0] == '-' {
				exp = math.Inf(-1)
			}
		}
		switch {
		case exp <= 0:
			assert.Equal(t, int64(0), c.Expiry.Unix(), "exp %s: expired", raw)
			assert.False(t, c.ExpiryUnreadable)
		case exp > 1e12:
			assert.True(t, c.ExpiryUnreadable, "exp %s", raw)
			assert.True(t, c.Expiry.IsZero(), "exp %s", raw)
		default:
			assert.Equal(t, int64(exp), c.Expiry.Unix(), "exp %s", raw)
			assert.False(t, c.ExpiryUnreadable)
		}
	})
}
