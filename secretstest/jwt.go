package secretstest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"time"
)

// userTokenExpiry is the exp of every member token, 2200-01-01T00:00:00Z: far ahead, so that no
// client refuses one as expired, whatever clock the Server runs on (WithClock).
const userTokenExpiry = 7258118400

// jwtHeader is the JOSE header of member tokens, {"alg":"HS256","typ":"JWT"}, base64url-encoded.
const jwtHeader = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"

// jwtClaims are the claims of a member token.
type jwtClaims struct {
	Issuer   string `json:"iss"`
	Subject  string `json:"sub"` // the user ID
	Email    string `json:"email"`
	IssuedAt int64  `json:"iat"`
	Expiry   int64  `json:"exp"`
	ID       string `json:"jti"` // makes every token unique, even for the same user and second
}

// newUserToken returns a member's bearer token shaped like the JWTs the service gives users:
// header.payload.signature, base64url without padding, with sub, email, iat, exp and a unique jti, signed
// with HS256 under the Server's own random key. iat is the wall clock, not WithClock's: a token's issue
// time is for clients, which check it against their own clock. The Server does not verify the signature
// (a token is valid while it maps to a member), but clients that tell a JWT from an API key, or read its
// exp, see what they will see on the service.
func newUserToken(key []byte, userID, email string, issuedAt time.Time) string {
	payload, err := json.Marshal(jwtClaims{
		Issuer: "secretstest", Subject: userID, Email: email,
		IssuedAt: issuedAt.Unix(), Expiry: userTokenExpiry, ID: newUUID(),
	})
	if err != nil {
		panic("secretstest: encoding token claims: " + err.Error()) // plain strings and numbers
	}
	signingInput := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(payload)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(signingInput))
	return signingInput + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}
