package redact_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/internal/redact"
)

// FuzzRedact: with a token and a value to hide, whatever the body, the text left between the masks
// of Bytes, String, Cut and Message holds neither of them in any form a server could quote them in
// (as is, JSON-escaped with or without HTML escaping, ASCII-only with lower- or upper-case hex), and
// nothing panics. Secrets that are part of the mask text itself ("RED", "]") cannot be told from it
// and are skipped.
func FuzzRedact(f *testing.F) {
	for _, seed := range []struct{ body, tok, value string }{
		{`{"message":"bad value hunter2"}`, "tok_123456", "hunter2"},
		{`token tok_123456 and tok_123456`, "tok_123456", "v"},
		{`{"m":"p\u00e4ss \ud83d\udd11"}`, "tok", "päss 🔑"},
		{`{"m":"p\u00E4ss \uD83D\uDD11"}`, "tok", "päss 🔑"},
		{`{"message":"a\u003cb\u003e\u0026c \"q\\w\""}`, "tok", `a<b>&c "q\w"`},
		{`]]]`, "]]", "x"},
		{`ababab`, "abab", "ba"},
		{`{"message":"a  b"}`, "tok", "a b"},
		{`{"message":"a` + "\u00a0" + `b"}`, "tok", "a b"},
		{`{"error":{"message":"nested hunter2"}}`, "tok", "hunter2"},
		{`{"message":"\u0068unter2"}`, "tok", "hunter2"},
		{"line1\nline2\t\x01", "tok", "line1\nline2\t\x01"},
		{"<html>hunter2</html>", "tok", "hunter2"},
		{strings.Repeat("x", 600) + "hunter2", "tok", "hunter2"},
		{"\xff\xfe hunter2", "tok", "hunter2"},
		{`{"detail":"{\"value\":\"a\\\"b\\u003c\"}"}`, "tok", `a"b<`},
	} {
		f.Add([]byte(seed.body), seed.tok, seed.value)
	}
	f.Fuzz(func(t *testing.T, body []byte, tok, value string) {
		var hide []string
		for _, s := range []string{tok, value} {
			if s != "" && !strings.Contains(redact.Mask, s) {
				hide = append(hide, s)
			}
		}
		in := append([]byte(nil), body...)
		out := redact.Bytes(body, tok, value)
		require.Equal(t, in, body, "Bytes does not modify its input")
		if tok == "" && value == "" {
			require.Equal(t, body, out)
		}
		assertHidden(t, "Bytes", string(out), hide)
		assert.Equal(t, string(out), redact.String(string(body), tok, value), "String agrees with Bytes")

		cut := redact.Cut(append([]byte(nil), body...), tok, value)
		assertHidden(t, "Cut", string(cut), hide)
		assert.LessOrEqual(t, len(cut), len(out))

		msg := redact.Message(body, tok, value)
		assert.True(t, utf8.ValidString(msg), "Message is valid UTF-8")
		assert.False(t, strings.ContainsFunc(msg, func(r rune) bool { return r < ' ' || r == 0x7f }), "Message has no control characters")
		assertHidden(t, "Message", strings.TrimSuffix(msg, "…"), hide)
	})
}

// assertHidden checks that no piece of text between masks holds a form of a secret.
func assertHidden(t *testing.T, where, text string, hide []string) {
	t.Helper()
	for _, piece := range strings.Split(text, redact.Mask) {
		for _, s := range hide {
			for _, form := range quotedForms(s) {
				if strings.Contains(piece, form) {
					t.Fatalf("%s left %q (a form of %q) in %q", where, form, s, text)
				}
			}
		}
	}
}

// quotedForms returns s as a server could quote it, written independently of the package: as is,
// escaped in a JSON string, and escaped again (a JSON body quoted as a string inside another).
func quotedForms(s string) []string {
	forms := []string{s}
	for _, once := range jsonForms(s) {
		forms = append(forms, once)
		forms = append(forms, jsonForms(once)...)
	}
	return forms
}

func jsonForms(s string) []string {
	var forms []string
	for _, html := range []bool{true, false} {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(html)
		_ = enc.Encode(s)
		escaped := strings.TrimSuffix(buf.String(), "\n")
		escaped = escaped[1 : len(escaped)-1]
		forms = append(forms, escaped, asciiOnly(escaped, "\\u%04x"), asciiOnly(escaped, "\\u%04X"))
	}
	return forms
}

// asciiOnly writes the non-ASCII characters of a JSON-escaped string as UTF-16 \u escapes; with upper-case
// hex it also upper-cases the escapes already there, as some encoders do.
func asciiOnly(escaped, format string) string {
	var b strings.Builder
	for i := 0; i < len(escaped); {
		r, size := utf8.DecodeRuneInString(escaped[i:])
		switch {
		case r == '\\' && i+6 <= len(escaped) && escaped[i+1] == 'u':
			if strings.Contains(format, "X") {
				b.WriteString(`\u` + strings.ToUpper(escaped[i+2:i+6]))
			} else {
				b.WriteString(escaped[i : i+6])
			}
			size = 6
		case r == '\\' && i+1 < len(escaped):
			b.WriteString(escaped[i : i+2])
			size = 2
		case r < utf8.RuneSelf:
			b.WriteByte(byte(r))
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, format+format, r1, r2)
		default:
			fmt.Fprintf(&b, format, r)
		}
		i += size
	}
	return b.String()
}
