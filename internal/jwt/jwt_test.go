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

func token(payload string) string { return header + "." + b64([]byte(payload)) + "." + sig }

func TestParse(t *testing.T) {
	t.Parallel()
	padded := header + "." + base64.URLEncoding.EncodeToString([]byte(`{"exp":1700000000,"x":1}`)) + "." + sig
	cases := []struct {
		name   string
		token  string
		expiry time.Time
		ok     bool
	}{
		{"valid", token(`{"sub":"u1","exp":1700000000}`), time.Unix(1700000000, 0).UTC(), true},
		{"no exp", token(`{"sub":"u1"}`), time.Time{}, true},
		{"empty claims", token(`{}`), time.Time{}, true},
		{"exp null", token(`{"exp":null}`), time.Time{}, true},
		{"fractional exp", token(`{"exp":1700000000.75}`), time.Unix(1700000000, 0).UTC(), true},
		{"exponent exp", token(`{"exp":1.7e9}`), time.Unix(1700000000, 0).UTC(), true},
		{"exp 0", token(`{"exp":0}`), time.Unix(0, 0).UTC(), true},
		{"padded payload", padded, time.Unix(1700000000, 0).UTC(), true},
		{"no signature (unsecured)", header + "." + b64([]byte(`{"exp":1700000000}`)) + ".", time.Unix(1700000000, 0).UTC(), true},
		{"nested claims", token(`{"exp":1700000000,"groups":["a","b"],"org":{"id":"x"}}`), time.Unix(1700000000, 0).UTC(), true},
		{"negative exp", token(`{"exp":-1}`), time.Time{}, false},
		{"exp in milliseconds", token(`{"exp":1700000000000000}`), time.Time{}, false},
		{"exp not a number", token(`{"exp":"soon"}`), time.Time{}, false},
		{"exp an object", token(`{"exp":{}}`), time.Time{}, false},
		{"array payload", token(`[1,2]`), time.Time{}, false},
		{"string payload", token(`"claims"`), time.Time{}, false},
		{"number payload", token(`1700000000`), time.Time{}, false},
		{"leading space payload", token(` {"exp":1}`), time.Time{}, false},
		{"broken JSON", token(`{"exp":`), time.Time{}, false},
		{"payload not base64url", header + ".!!!." + sig, time.Time{}, false},
		{"standard base64 alphabet", header + "." + "eyJ+Ijoi/In0" + "." + sig, time.Time{}, false},
		{"empty", "", time.Time{}, false},
		{"API key", "9f8e7d6c5b4a39281706f5e4d3c2b1a0", time.Time{}, false},
		{"one dot", header + "." + b64([]byte(`{}`)), time.Time{}, false},
		{"four parts", token(`{}`) + ".extra", time.Time{}, false},
		{"empty header", "." + b64([]byte(`{}`)) + "." + sig, time.Time{}, false},
		{"empty payload", header + ".." + sig, time.Time{}, false},
		{"huge", header + "." + b64([]byte(`{"pad":"`+strings.Repeat("a", 70_000)+`"}`)) + "." + sig, time.Time{}, false},
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
			if !claims.Expiry.IsZero() {
				assert.Equal(t, time.UTC, claims.Expiry.Location())
			}
		})
	}
}
