package secretstest

import (
	"crypto/rand"
	"encoding/hex"
)

// newUUID returns a random (version 4) UUID in its canonical 36-character form.
func newUUID() string {
	var b [16]byte
	randomBytes(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// newToken returns an opaque bearer token, as organization API keys are: a prefix and 32 random bytes
// in hex. It never contains a dot, so clients that look for JWTs treat it as opaque.
func newToken(prefix string) string {
	var b [32]byte
	randomBytes(b[:])
	return prefix + hex.EncodeToString(b[:])
}

func randomBytes(b []byte) {
	if _, err := rand.Read(b); err != nil {
		panic("secretstest: crypto/rand failed: " + err.Error())
	}
}
