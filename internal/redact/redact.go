// Package redact keeps secrets out of text the SDK hands back: error messages and bodies quoted
// from the server.
package redact

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Mask replaces a secret wherever it appears.
const Mask = "[REDACTED]"

// maxMessage bounds a server message quoted in an error string.
const maxMessage = 512

// Bytes returns b with every occurrence of each non-empty secret replaced by Mask: the secret as it
// is, and as a JSON string would escape it (a server quoting what it received in a JSON message
// escapes quotes and backslashes, maybe <, > and &, maybe every non-ASCII character). It returns b
// itself when nothing matched.
func Bytes(b []byte, secrets ...string) []byte {
	for _, f := range forms(secrets, len(b)) {
		if bytes.Contains(b, []byte(f)) {
			b = bytes.ReplaceAll(b, []byte(f), []byte(Mask))
		}
	}
	return b
}

// Cut is Bytes for a body cut short at a size limit: a secret may start before the cut and end after
// it, where Bytes cannot recognise it, so the last bytes that could hold the start of one are dropped.
func Cut(b []byte, secrets ...string) []byte {
	longest := 0
	for _, s := range secrets {
		longest = max(longest, len(s))
	}
	if longest > len(b) { // every byte of b could be the start of that secret
		return b[:0]
	}
	b = Bytes(b, secrets...)
	for _, f := range forms(secrets, len(b)) {
		longest = max(longest, len(f))
	}
	if longest > 1 {
		b = b[:max(0, len(b)-(longest-1))]
	}
	return b
}

// String is Bytes for strings.
func String(s string, secrets ...string) string {
	for _, f := range forms(secrets, len(s)) {
		s = strings.ReplaceAll(s, f, Mask)
	}
	return s
}

// forms returns the non-empty secrets and their JSON-escaped forms, without duplicates, longest
// first, so that a secret that contains another is masked whole. The escaping goes two levels deep:
// a server that puts the request body it received, as a string, inside its JSON error escapes the
// value twice ({"detail":"{\"value\":\"a\\\"b\"}"}).
//
// Secrets longer than textLen, the length of the text to search, are left out: escaping never
// shortens, so no form of them can occur in it. This bounds the work by the text (error bodies are
// cut at 64 KiB), not by the value (up to 5 MiB).
func forms(secrets []string, textLen int) []string {
	var out []string
	for _, s := range secrets {
		if s == "" || len(s) > textLen {
			continue
		}
		out = append(out, s)
		for _, once := range escapedForms(s) {
			out = append(out, once)
			out = append(out, escapedForms(once)...)
		}
	}
	slices.SortStableFunc(out, func(a, b string) int { return len(b) - len(a) })
	return slices.Compact(out)
}

// escapedForms returns the ways a JSON encoder may write s inside a string, other than s itself.
func escapedForms(s string) []string {
	if !needsEscape(s) {
		return nil
	}
	var out []string
	for _, escaped := range []string{jsonEscape(s, true), jsonEscape(s, false)} {
		for _, f := range []string{escaped, asciiEscape(escaped, false), asciiEscape(escaped, true)} {
			if f != s && !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

// needsEscape reports whether a JSON string could show s other than as it is.
func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return true
		}
	}
	return false
}

// jsonEscape returns s as encoding/json writes it inside a string, without the quotes.
func jsonEscape(s string, escapeHTML bool) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s) // a string always encodes
	out := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	return string(out[1 : len(out)-1])
}

// asciiEscape writes every non-ASCII character of an escaped JSON string as \uXXXX (UTF-16), as
// encoders that keep their output ASCII do (Python's json.dumps by default), with lower-case hex
// digits, or upper-case ones (as some Java encoders write them, also in the escapes already there).
func asciiEscape(escaped string, upper bool) string {
	digits := "0123456789abcdef"
	if upper {
		digits = "0123456789ABCDEF"
	}
	writeU := func(b *strings.Builder, r rune) {
		b.WriteString(`\u`)
		for shift := 12; shift >= 0; shift -= 4 {
			b.WriteByte(digits[(r>>shift)&0xf])
		}
	}
	var b strings.Builder
	for i := 0; i < len(escaped); {
		r, size := utf8.DecodeRuneInString(escaped[i:])
		switch {
		case r == '\\' && upper && i+6 <= len(escaped) && escaped[i+1] == 'u':
			b.WriteString(`\u`)
			b.WriteString(strings.ToUpper(escaped[i+2 : i+6]))
			size = 6
		case r == '\\' && i+1 < len(escaped):
			b.WriteString(escaped[i : i+2]) // an escape pair: \\ is not the start of \u
			size = 2
		case r < utf8.RuneSelf:
			b.WriteByte(byte(r))
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			writeU(&b, r1)
			writeU(&b, r2)
		default:
			writeU(&b, r)
		}
		i += size
	}
	return b.String()
}

// Message extracts a human message from an error body: the "message" or "error" field of a JSON
// object, else the body's text. Secrets are masked, control characters dropped, and the result cut
// to a readable length.
func Message(body []byte, secrets ...string) string {
	msg := jsonMessage(body)
	if msg == "" && utf8.Valid(body) && !looksLikeMarkup(body) {
		msg = string(body)
	}
	msg = normalizeSpace(String(msg, secrets...))
	// Normalizing can make a secret out of text that was not one ("a  b" becomes the secret "a b"),
	// and a secret holding runs of spaces or control characters shows normalized: mask again, both.
	again := make([]string, 0, 2*len(secrets))
	for _, s := range secrets {
		again = append(again, s, normalizeSpace(s))
	}
	msg = String(msg, again...)
	if len(msg) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return msg
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
