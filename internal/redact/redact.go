// Package redact keeps secrets out of text the SDK hands back: error messages and bodies quoted
// from the server or from the transport.
//
// A server quotes a value in whatever escaping its encoder uses, and a proxy may wrap that in its own:
// JSON (\" \/ \u0027, surrogate pairs, any case), Go and C (\x01 \303\244 \U0001F511), HTML (&amp; &#39;
// &#x27; &quot; and every named reference), URLs (%2B, + for a space, %u00E4), each of them again inside
// another, and several in one string. So the package masks by meaning, not by spelling: it decodes the
// text layer by layer, in each way it can be read, searches every reading for the secrets, and masks the
// exact source bytes that spell each match. A text that ends with the start of a secret (a body cut by
// the connection mid-value) has that start masked too; see minTail.
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

// Bytes returns b with every span that spells one of the non-empty secrets replaced by Mask: as it
// is, or with escapes of any family decoded, up to three layers deep, and a trailing start of a
// secret (at least 4 bytes of it, or half of a shorter one). It returns b itself when nothing
// matched, and never modifies b.
func Bytes(b []byte, secrets ...string) []byte {
	return apply(b, find(b, secrets, 0))
}

// Cut is Bytes for a body known to be cut short at a size limit: a secret may start before the cut
// and end after it, so a trailing start of a secret is masked whatever its length.
func Cut(b []byte, secrets ...string) []byte {
	return apply(b, find(b, secrets, 1))
}

// String is Bytes for strings.
func String(s string, secrets ...string) string { return maskString(s, secrets, 0) }

// maskString is String, with the trailing-fragment rule of find's tail.
func maskString(s string, secrets []string, tail int) string {
	if s == "" || !anySecret(secrets) {
		return s
	}
	b := []byte(s)
	spans := find(b, secrets, tail)
	if len(spans) == 0 {
		return s
	}
	return string(apply(b, spans))
}

func anySecret(secrets []string) bool {
	for _, s := range secrets {
		if s != "" {
			return true
		}
	}
	return false
}

// Message extracts a human message from an error body: the "message" or "error" field of a JSON
// object, else the body's text. Secrets are masked, control characters dropped, and the result cut
// to a readable length.
func Message(body []byte, secrets ...string) string {
	msg := jsonMessage(body)
	if msg == "" && utf8.Valid(body) && !looksLikeMarkup(body) {
		msg = string(body)
	}
	msg = maskNormalized(normalizeSpace(String(msg, secrets...)), secrets, 0)
	if len(msg) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + ellipsis
	}
	return msg
}

// ellipsis ends a message that Message cut at maxMessage.
const ellipsis = "…"

// MaskMessage masks secrets in msg, a text Message made without knowing them (a cache learns which
// value a failed read may quote only from what it holds): as written, as Message normalizes them
// (a value with a newline or a run of spaces shows with one space), and a start of one that
// Message's length limit cut off.
func MaskMessage(msg string, secrets ...string) string {
	if text, cut := strings.CutSuffix(msg, ellipsis); cut {
		return maskNormalized(text, secrets, 1) + ellipsis
	}
	return maskNormalized(msg, secrets, 0)
}

// maskNormalized masks secrets in text, already normalized by normalizeSpace, as written and
// normalized: normalizing can make a secret out of text that was not one ("a  b" becomes the secret
// "a b"), and a secret holding runs of spaces or control characters shows normalized.
func maskNormalized(text string, secrets []string, tail int) string {
	again := make([]string, 0, 2*len(secrets))
	for _, s := range secrets {
		again = append(again, s, normalizeSpace(s))
	}
	return maskString(text, again, tail)
}

// normalizeSpace turns control characters into spaces, collapses runs of white space into one space
// and trims both ends.
func normalizeSpace(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
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
