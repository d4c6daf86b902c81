// Package redact keeps secrets out of text the SDK hands back: error messages and bodies quoted
// from the server.
package redact

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mask replaces a secret wherever it appears.
const Mask = "[REDACTED]"

// maxMessage bounds a server message quoted in an error string.
const maxMessage = 512

// Bytes returns b with every occurrence of each non-empty secret replaced by Mask. It returns b
// itself when nothing matched.
func Bytes(b []byte, secrets ...string) []byte {
	for _, s := range secrets {
		if s != "" && bytes.Contains(b, []byte(s)) {
			b = bytes.ReplaceAll(b, []byte(s), []byte(Mask))
		}
	}
	return b
}

// String is Bytes for strings.
func String(s string, secrets ...string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, Mask)
		}
	}
	return s
}

// Message extracts a human message from an error body: the "message" or "error" field of a JSON
// object, else the body's text. Secrets are masked, control characters dropped, and the result cut
// to a readable length.
func Message(body []byte, secrets ...string) string {
	msg := jsonMessage(body)
	if msg == "" && utf8.Valid(body) && !looksLikeMarkup(body) {
		msg = string(body)
	}
	msg = String(msg, secrets...)
	msg = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, msg)
	msg = strings.Join(strings.Fields(msg), " ")
	if len(msg) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return msg
}

func jsonMessage(body []byte) string {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return ""
	}
	var fields struct {
		Message json.RawMessage `json:"message"`
		Error   json.RawMessage `json:"error"`
	}
	if json.Unmarshal(trimmed, &fields) != nil {
		return ""
	}
	for _, raw := range []json.RawMessage{fields.Message, fields.Error} {
		var s string
		if json.Unmarshal(raw, &s) == nil && s != "" {
			return s
		}
		// {"error":{"message":"…"}} is common enough to read too.
		var nested struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(raw, &nested) == nil && nested.Message != "" {
			return nested.Message
		}
	}
	return ""
}

// looksLikeMarkup spots HTML error pages from proxies, whose text is noise in an error string.
func looksLikeMarkup(body []byte) bool {
	trimmed := bytes.TrimSpace(body)
	return len(trimmed) > 0 && trimmed[0] == '<'
}
