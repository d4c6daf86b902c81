package jwt_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/helios-secrets/go-secrets/internal/jwt"
)

var (
	b64    = base64.RawURLEncoding.EncodeToString
	header = b64([]byte(`{"alg":"RS256","typ":"JWT"}`))
	sig    = b64([]byte("signature"))
)

var epoch = time.Unix(0, 0).UTC()

func token(payload string) string { return header + "." + b64([]byte(payload)) + "." + sig }

func TestParse(t *testing.T) {
	t.Parallel()
	padded := header + "." + base64.URLEncoding.EncodeToString([]byte(`{"exp":1700000000,"x":1}`)) + "." + sig
	cases := []struct {
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
		{"padded payload", padded, time.Unix(1700000000, 0).UTC(), true, false},
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
	for _, tc := range cases {
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
