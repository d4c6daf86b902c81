package redact_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/internal/redact"
)

// FuzzRedact: with a token and a value to hide, whatever the body, the text left between the masks
// of Bytes, String, Cut and Message holds neither of them in any form a server could quote them in
// (every encoder of encoders_test.go, and JSON escaped twice), and nothing panics. Secrets that are
// part of the mask text itself ("RED", "]") cannot be told from it and are skipped.
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
		{"", "tok", "value"}, // an empty body: nil and empty are the same text
		{`<p>it&#39;s &amp; &#x27;q&#x27; &quot;</p>`, "tok", `it's & 'q' "`},
		{`malformed MIME header line: "a\x01b\\/\u2028"`, "tok", "a\x01b\\/\u2028"},
		{`{"m":"hunter2 cut: hunte`, "tok", "hunter2"},
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
		in := bytes.Clone(body)
		out := redact.Bytes(body, tok, value)
		require.True(t, bytes.Equal(in, body), "Bytes does not modify its input")
		if tok == "" && value == "" {
			require.True(t, bytes.Equal(body, out), "nothing to hide, nothing changed")
		}
		assertHidden(t, "Bytes", string(out), hide)
		assert.Equal(t, string(out), redact.String(string(body), tok, value), "String agrees with Bytes")

		cut := redact.Cut(bytes.Clone(body), tok, value)
		assertHidden(t, "Cut", string(cut), hide)
		if !bytes.Equal(cut, out) {
			assert.True(t, bytes.HasSuffix(cut, []byte(redact.Mask)), "Cut masks only more at the end: %q", cut)
		}

		msg := redact.Message(body, tok, value)
		assert.True(t, utf8.ValidString(msg), "Message is valid UTF-8")
		assert.False(t, strings.ContainsFunc(msg, func(r rune) bool { return r < ' ' || r == 0x7f }), "Message has no control characters")
		assertHidden(t, "Message", strings.TrimSuffix(msg, "…"), hide)

		// A cache masks a value it holds in a message made without it (MaskMessage): as well as
		// Message would have, in every quoted form and as white space is normalized.
		later := redact.MaskMessage(redact.Message(body, tok), value)
		var normalized []string
		for _, s := range hide {
			if n := strings.Join(strings.Fields(strings.Map(spaceForControl, s)), " "); n != "" && !strings.Contains(redact.Mask, n) {
				normalized = append(normalized, n)
			}
		}
		assertHidden(t, "MaskMessage", strings.TrimSuffix(later, "…"), hide)
		for _, piece := range strings.Split(strings.TrimSuffix(later, "…"), redact.Mask) {
			for _, n := range normalized {
				require.NotContains(t, piece, n, "MaskMessage left a normalized secret in %q", later)
			}
		}
	})
}

// spaceForControl is how Message normalizes a control character.
func spaceForControl(r rune) rune {
	if unicode.IsControl(r) {
		return ' '
	}
	return r
}

// FuzzRedactEncoded is the decode-and-compare invariant: for any value, any text around it and any
// chain of encoders, the quoted text masked by Bytes holds no copy of the value once decoded with
// the chain's own decoders, nor its encoded form; cut anywhere, the same holds for Cut.
func FuzzRedactEncoded(f *testing.F) {
	for i, v := range awkwardValues {
		f.Add("value ", v, " rejected", uint16(i*37), uint16(20))
	}
	f.Add("", "abc", "", uint16(0), uint16(0))
	f.Add("\\", "x\\y", "&amp;", uint16(300), uint16(9))
	chains := encoderChains()
	f.Fuzz(func(t *testing.T, before, value, after string, which, cutAt uint16) {
		value = strings.ToValidUTF8(value, "?") // the SDK refuses values that are not UTF-8
		before, after = strings.ToValidUTF8(before, "?"), strings.ToValidUTF8(after, "?")
		if value == "" || strings.Contains(redact.Mask, value) || len(value) > 64 {
			return
		}
		enc := chains[int(which)%len(chains)]
		body := enc.encode(before + value + after)
		out := string(redact.Bytes([]byte(body), value))
		assertNoCopy(t, enc, out, value, body)

		cut := body[:int(cutAt)%(len(body)+1)]
		quoted := enc.encode(value)
		for _, piece := range strings.Split(string(redact.Cut([]byte(cut), value)), redact.Mask) {
			require.NotContains(t, piece, quoted, "%s: Cut of %q", enc.name, cut)
		}
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

// quotedForms returns s as a server could quote it, written independently of the package: by each
// encoder of encoders_test.go, and JSON-escaped twice.
func quotedForms(s string) []string {
	forms := []string{s}
	for _, e := range encoders[1:] {
		forms = append(forms, e.encode(s))
	}
	return append(forms, goJSON(goJSON(s, true), true), asciiJSON(goJSON(goJSON(s, false), false), "\\u%04X"))
}
