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
	"go.uber.org/goleak"

	"github.com/helios-secrets/go-secrets/internal/jwt"
)

// TestMain fails the run when a test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var (
	b64    = base64.RawURLEncoding.EncodeToString
	header = b64([]byte(`{"alg":"RS256","typ":"JWT"}`))
	sig    = b64([]byte("signature"))
)

var epoch = time.Unix(0, 0).UTC()

func token(payload string) string { return header + "." + b64([]byte(payload)) + "." + sig }

// parseCases are the readings of Parse; they seed FuzzParse too.
var parseCases = []struct {
	name   string
	token  string
	expiry time.Time
	ok     bool
	unread bool // ExpiryUnreadable
}{
	{"valid", token(`{"sub":"u1","exp":1700000000}`), time.Unix(1700000000, 0).UTC(), true, false},
	{"no exp", token(`{"sub":"u1"}`), time.Time{}, true, false},
	{"empty claims", token(`{}`), time.Time{}, true, false},
	{"exp null", token(`{"exp":null}`), time.Time{}, true, false},
	{"fractional exp", token(`{"exp":1700000000.75}`), time.Unix(1700000000, 0).UTC(), true, false},
	{"exponent exp", token(`{"exp":1.7e9}`), time.Unix(1700000000, 0).UTC(), true, false},
	{"exp 0", token(`{"exp":0}`), time.Unix(0, 0).UTC(), true, false},
	{"padded payload", header + "." + base64.URLEncoding.EncodeToString([]byte(`{"exp":1700000000,"x":1}`)) + "." + sig, time.Unix(1700000000, 0).UTC(), true, false},
	{"no signature (unsecured)", header + "." + b64([]byte(`{"exp":1700000000}`)) + ".", time.Unix(1700000000, 0).UTC(), true, false},
	{"nested claims", token(`{"exp":1700000000,"groups":["a","b"],"org":{"id":"x"}}`), time.Unix(1700000000, 0).UTC(), true, false},
	// exp of 0 or below: long expired, whatever its spelling.
	{"negative exp", token(`{"exp":-1}`), epoch, true, false},
	{"exp -0", token(`{"exp":-0}`), epoch, true, false},
	{"exp 0.0", token(`{"exp":0.0}`), epoch, true, false},
	{"exp -1e400", token(`{"exp":-1e400}`), epoch, true, false},
	{"exp 0.5", token(`{"exp":0.5}`), epoch, true, false},
	{"exp \"-5\"", token(`{"exp":"-5"}`), epoch, true, false},
	// A string holding a number is read as that number.
	{"exp a numeric string", token(`{"exp":"1700000000"}`), time.Unix(1700000000, 0).UTC(), true, false},
	{"exp a numeric string with white space", token(`{"exp":" 1700000000\t"}`), time.Unix(1700000000, 0).UTC(), true, false},
	{"exp a fractional string", token(`{"exp":"1.7e9"}`), time.Unix(1700000000, 0).UTC(), true, false},
	{"exp with JSON white space", token(`{"exp" :  1700000000 }`), time.Unix(1700000000, 0).UTC(), true, false},
	// Claim names are case-sensitive (RFC 7519 §4): "Exp" and "EXP" are other claims.
	{"EXP is not exp", token(`{"EXP":1}`), time.Time{}, true, false},
	{"Exp beside exp", token(`{"exp":1700000000,"Exp":1}`), time.Unix(1700000000, 0).UTC(), true, false},
	{"exp beside Exp", token(`{"Exp":1,"exp":1700000000}`), time.Unix(1700000000, 0).UTC(), true, false},
	{"exp spelt with an escape", token(`{"\u0065xp":1700000000}`), time.Unix(1700000000, 0).UTC(), true, false},
	{"exp twice: the last, as JSON decoders read it", token(`{"exp":1,"exp":1700000000}`), time.Unix(1700000000, 0).UTC(), true, false},
	// Unreadable: still a JWT, with no expiry the SDK can check.
	{"exp in milliseconds", token(`{"exp":1700000000000000}`), time.Time{}, true, true},
	{"exp huge", token(`{"exp":1e300}`), time.Time{}, true, true},
	{"exp beyond float64", token(`{"exp":1e400}`), time.Time{}, true, true},
	{"exp just past the range", token(`{"exp":1000000000001}`), time.Time{}, true, true},
	{"exp not a number", token(`{"exp":"soon"}`), time.Time{}, true, true},
	{"exp an empty string", token(`{"exp":""}`), time.Time{}, true, true},
	{"exp blank", token(`{"exp":"  "}`), time.Time{}, true, true},
	{"exp a date", token(`{"exp":"2030-01-01T00:00:00Z"}`), time.Time{}, true, true},
	{"exp hexadecimal", token(`{"exp":"0x6553f100"}`), time.Time{}, true, true},
	{"exp Inf", token(`{"exp":"Inf"}`), time.Time{}, true, true},
	{"exp NaN", token(`{"exp":"NaN"}`), time.Time{}, true, true},
	{"exp with a plus sign", token(`{"exp":"+1700000000"}`), time.Time{}, true, true},
	{"exp with underscores", token(`{"exp":"1_700_000_000"}`), time.Time{}, true, true},
	{"exp true", token(`{"exp":true}`), time.Time{}, true, true},
	{"exp an object", token(`{"exp":{}}`), time.Time{}, true, true},
	{"exp an array", token(`{"exp":[1700000000]}`), time.Time{}, true, true},
	{"exp with an escaped digit", token(`{"exp":"\u0031"}`), time.Unix(1, 0).UTC(), true, false},
	{"array payload", token(`[1,2]`), time.Time{}, false, false},
	{"string payload", token(`"claims"`), time.Time{}, false, false},
	{"number payload", token(`1700000000`), time.Time{}, false, false},
	{"leading space payload", token(` {"exp":1}`), time.Time{}, false, false},
	{"broken JSON", token(`{"exp":`), time.Time{}, false, false},
	{"payload not base64url", header + ".!!!." + sig, time.Time{}, false, false},
	{"standard base64 alphabet", header + "." + "eyJ+Ijoi/In0" + "." + sig, time.Time{}, false, false},
	{"empty", "", time.Time{}, false, false},
	{"API key", "9f8e7d6c5b4a39281706f5e4d3c2b1a0", time.Time{}, false, false},
	{"one dot", header + "." + b64([]byte(`{}`)), time.Time{}, false, false},
	{"four parts", token(`{}`) + ".extra", time.Time{}, false, false},
	{"empty header", "." + b64([]byte(`{}`)) + "." + sig, time.Time{}, false, false},
	{"empty payload", header + ".." + sig, time.Time{}, false, false},
	{"huge", header + "." + b64([]byte(`{"pad":"`+strings.Repeat("a", 70_000)+`"}`)) + "." + sig, time.Time{}, false, false},
}

func TestParse(t *testing.T) {
	t.Parallel()
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			claims, err := jwt.Parse(tc.token)
			assert.Equal(t, tc.ok, jwt.IsJWT(tc.token))
			if !tc.ok {
				assert.ErrorIs(t, err, jwt.ErrNotJWT)
				assert.Zero(t, claims)
				return
			}
			assert.NoError(t, err)
			assert.True(t, tc.expiry.Equal(claims.Expiry), "expiry %v, want %v", claims.Expiry, tc.expiry)
			assert.Equal(t, tc.unread, claims.ExpiryUnreadable)
			if !claims.Expiry.IsZero() {
				assert.Equal(t, time.UTC, claims.Expiry.Location())
			}
		})
	}
}

// jsonNumber is the grammar of a JSON number (RFC 8259 §6).
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// maxExpiry is the latest exp Parse accepts (1e12 seconds after the epoch).
var maxExpiry = time.Unix(1e12, 0).UTC()

// FuzzParse: any string either is a JWT (three parts, an expiry that is zero or within range, UTC)
// or gives exactly ErrNotJWT and empty claims; IsJWT agrees; nothing panics.
func FuzzParse(f *testing.F) {
	for _, tc := range parseCases {
		f.Add(tc.token)
	}
	for _, seed := range []string{
		token(`{"exp":1e13}`), token(`[1]`), token(`{"exp":1}trailing`), "a.b.c", "a..c", "..", ".", "a.b.c.d", "tok_123456",
		header + "." + base64.URLEncoding.EncodeToString([]byte(`{"exp":1700000000}`)) + "." + sig,
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
