package redact_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/internal/redact"
)

// Values with what encoders escape: quotes, <, >, &, +, /, backslashes that look like escapes,
// non-ASCII, astral characters, control characters, line separators, and text that looks like an
// escape or an entity itself.
var awkwardValues = []string{
	`sk_live_51Hx9f2eQ`,
	`p'a"s<s>&w+o/r\d`,
	`a\nb\u0041&amp;%41`,
	"päss wörd ✓ 🔑 end",
	"ctl\x01\x7f\ttab\r\nline",
	"node\u2028sep\u2029\"q\"",
	"nbsp\u00a0€©é+=",
	`k\7&Q`,
	"\u0080\u009f\u00ad Latin-1 controls",
}

// TestBytes_EveryEncoderAndChain: a value quoted by any encoder, or by any two in a row (a proxy
// quoting a server's JSON), inside a body that is quoted the same way, is masked, and decoding what
// is left with the encoder's own decoder finds no copy of it.
func TestBytes_EveryEncoderAndChain(t *testing.T) {
	t.Parallel()
	for _, enc := range encoderChains() {
		t.Run(enc.name, func(t *testing.T) {
			t.Parallel()
			for _, v := range awkwardValues {
				message := "value " + v + " is not allowed; got " + v + "."
				body := `{"detail":"` + enc.encode(message) + `"}`
				out := redact.Bytes([]byte(body), "tok_0123456789", v)
				assertNoCopy(t, enc, string(out), v, body)
				assert.Equal(t, `{"detail":"`, string(out[:11]), "the body's start is kept: %s", out)

				// Go's own transport errors quote with %q.
				text := `net/http: malformed MIME header line: "` + enc.encode(v) + `"`
				masked := redact.String(text, v)
				assert.Equal(t, `net/http: malformed MIME header line: "[REDACTED]"`, masked, "%s", text)
			}
		})
	}
}

// TestBytes_MixedEncodingsInOneEcho: one echo where each character is written a different way.
func TestBytes_MixedEncodingsInOneEcho(t *testing.T) {
	t.Parallel()
	const v = `a'b"c<d>&e/f+gä🔑`
	cases := []string{
		`a\u0027b&quot;c\u003cd&gt;&amp;e\/f%2Bg\u00e4\ud83d\udd11`,
		`a&#39;b\"c&lt;d\x3e\u0026e&#x2F;f&#43;g\303\244\U0001F511`,
		`a&#x27;b&#34;c&#60;d&#62;&#38;e&#47;f&#43;g&auml;&#55357;&#56593;`,
		`a\\u0027b\\\"c\\u003cd\\u003e\\u0026e\\/f+g\\u00E4\\uD83D\\uDD11`, // escaped twice
		`a&amp;#39;b&amp;quot;c&amp;lt;d&amp;gt;&amp;amp;e/f+g&amp;auml;🔑`, // HTML-escaped twice
		`a\u0026#39;b\u0026quot;c\u0026lt;d\u0026gt;\u0026amp;e/f+gä🔑`,     // HTML, then JSON
		`a\u{27}b\u{22}c\u{3c}d\u{3E}\u{26}e\u{2f}f\u{2B}g\u{e4}\u{1F511}`,
		`a\047b\042c\074d\076\046e\057f\053g\xc3\xa4\xf0\x9f\x94\x91`,
		`a%27b%u0022c%3Cd%u003E%26e%2Ff%2Bg%u00E4%uD83D%uDD11`, // JavaScript's escape()
	}
	for _, echo := range cases {
		out := redact.String(`{"message":"refused `+echo+` (x)"}`, v)
		assert.Equal(t, `{"message":"refused [REDACTED] (x)"}`, out, "echo %s", echo)
	}
}

// TestBytes_CutAtEveryPoint cuts an echo at every byte of the quoted value (a connection that
// dropped mid-body): once at least minTail bytes of the value (or half a short one) are readable,
// they are masked from where the value starts; before that the text is left as it is.
func TestBytes_CutAtEveryPoint(t *testing.T) {
	t.Parallel()
	const prefix = `{"message":"refused: `
	values := append([]string{"abc", "abcdefgh"}, awkwardValues...)
	for _, enc := range encoders {
		for _, v := range values {
			quoted := enc.encode(v)
			body := prefix + enc.encode(" ") + quoted + `"}`
			start := len(body) - len(quoted) - 2
			require.Equal(t, quoted, body[start:start+len(quoted)])
			need := min(4, (len(v)+1)/2)
			for cut := start; cut < start+len(quoted); cut++ {
				got := redact.String(body[:cut], v)
				seen := readablePrefix(enc, v, body[start:cut])
				if seen >= need {
					assert.Equal(t, body[:start]+redact.Mask, got, "%s: %q cut after %d bytes of %q (%d readable)", enc.name, v, cut-start, quoted, seen)
				} else {
					assert.Equal(t, body[:cut], got, "%s: %q cut after %d bytes of %q", enc.name, v, cut-start, quoted)
				}
				// At a size limit nothing of the value stays, however short.
				cutAtLimit := string(redact.Cut([]byte(body[:cut]), v))
				if seen > 0 {
					assert.Equal(t, body[:start]+redact.Mask, cutAtLimit, "%s: Cut after %d bytes of %q", enc.name, cut-start, quoted)
				}
			}
		}
	}
}

// readablePrefix is how many bytes of v the start of an encoding of it shows: the longest prefix
// whose encoding the quoted fragment starts with, in whole characters.
func readablePrefix(enc encoder, v, fragment string) int {
	best := 0
	for i := range v {
		if i > 0 && strings.HasPrefix(fragment, enc.encode(v[:i])) {
			best = i
		}
	}
	if strings.HasPrefix(fragment, enc.encode(v)) {
		best = len(v)
	}
	if enc.name == "raw" || strings.HasPrefix(enc.name, "c ") || strings.HasPrefix(enc.name, "url") {
		for i := 1; i < len(v) && i <= len(fragment); i++ { // byte-wise encoders show bytes
			if strings.HasPrefix(fragment, enc.encode(v[:i])) {
				best = max(best, i)
			}
		}
	}
	return best
}

// TestMessage_EchoesOutsideTheMessageField: the value quoted in a field other than message, in
// plain text or in an HTML page reaches Message (and so Error()) masked.
func TestMessage_EchoesOutsideTheMessageField(t *testing.T) {
	t.Parallel()
	const v = `it's+a/"secret"`
	for _, body := range []string{
		`{"detail":"it\u0027s\u002Ba\/\"secret\""}`,
		`{"error":{"code":400,"message":"it&#39;s+a/&quot;secret&quot;"}}`,
		`bad value: it\x27s+a/\x22secret\x22`,
		`bad value: it%27s%2Ba%2F%22secret%22`,
		"bad value: it's+a/\"secr", // cut by the connection
	} {
		msg := redact.Message([]byte(body), v)
		assert.Contains(t, msg, redact.Mask, body)
		for _, enc := range encoders {
			assert.NotContains(t, msg, enc.encode(v)[:min(6, len(enc.encode(v)))], "%s: %s", enc.name, body)
		}
	}
}

// assertNoCopy checks that out holds v in no form: neither as enc writes it between masks, nor, once
// decoded with enc's own decoder, in any piece between masks.
func assertNoCopy(t *testing.T, enc encoder, out, v, in string) {
	t.Helper()
	require.Contains(t, out, redact.Mask, "%s: nothing masked in %s", enc.name, in)
	quoted := enc.encode(v)
	for _, piece := range strings.Split(out, redact.Mask) {
		require.NotContains(t, piece, quoted, "%s left %q in %s", enc.name, quoted, out)
		if decoded, ok := enc.decode(piece); ok {
			require.NotContains(t, decoded, v, "%s: %q decodes to a copy in %s", enc.name, piece, out)
		}
	}
	require.True(t, utf8.ValidString(out) || !utf8.ValidString(in), "masking kept valid UTF-8 valid")
}
