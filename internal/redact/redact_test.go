package redact_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/helios-secrets/go-secrets/internal/redact"
)

// TestMain fails the run when a test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// redactCase is a text, the secrets to hide in it, and the text redacted.
type redactCase struct {
	name, in, want string
	secrets        []string
}

// TestBytes: Bytes and String mask every secret in whatever form a server quotes it; a text that
// ends with the start of a secret (a body cut by the connection) has it masked from minTail bytes on
// (or half of a shorter secret); shorter starts are too common by chance to mask.
func TestBytes(t *testing.T) {
	t.Parallel()
	const tok = "tok_123456"
	cases := []redactCase{
		{"nothing to hide", `{"message":"not found"}`, `{"message":"not found"}`, []string{tok, "hunter2"}},
		{"no secrets", `hunter2`, `hunter2`, nil},
		{"empty secret ignored", `abc`, `abc`, []string{""}},
		{"token", `bad token tok_123456`, `bad token [REDACTED]`, []string{tok}},
		{"every occurrence", `hunter2 hunter2`, `[REDACTED] [REDACTED]`, []string{"hunter2"}},
		{"both", `tok_123456:hunter2`, `[REDACTED]:[REDACTED]`, []string{tok, "hunter2"}},
		{"value holding the token", `v=prefix-tok_123456-suffix`, `v=[REDACTED]`, []string{tok, "prefix-tok_123456-suffix"}},
		{"JSON escaped quote and backslash", `{"message":"bad \"q\\w\""}`, `{"message":"bad [REDACTED]"}`, []string{`"q\w"`}},
		{"JSON HTML escapes", `{"m":"a\u003cb\u003e\u0026c"}`, `{"m":"[REDACTED]"}`, []string{`a<b>&c`}},
		{"JSON unescaped HTML", `{"m":"a<b>&c"}`, `{"m":"[REDACTED]"}`, []string{`a<b>&c`}},
		{"JSON control characters", `{"m":"line1\nline2\t\u0001"}`, `{"m":"[REDACTED]"}`, []string{"line1\nline2\t\x01"}},
		{"JSON ASCII-only lower-case", `{"m":"p\u00e4ss \ud83d\udd11"}`, `{"m":"[REDACTED]"}`, []string{"päss 🔑"}},
		{"JSON ASCII-only upper-case", `{"m":"p\u00E4ss \uD83D\uDD11"}`, `{"m":"[REDACTED]"}`, []string{"päss 🔑"}},
		{"JSON ASCII-only with HTML escapes", `{"m":"\u00e4\u003c"}`, `{"m":"[REDACTED]"}`, []string{"ä<"}},
		{"raw UTF-8", `{"m":"päss 🔑"}`, `{"m":"[REDACTED]"}`, []string{"päss 🔑"}},
		{"escaped backslash before u", `{"m":"\\u00e4"}`, `{"m":"[REDACTED]"}`, []string{`\u00e4`}},
		// Several values, and copies that overlap: one mask per overlapping group, the text between kept.
		{"three copies, three encodings", `x a"b y a\"b z a&quot;b .`, `x [REDACTED] y [REDACTED] z [REDACTED] .`, []string{`a"b`}},
		{"one value inside another", `k=sk_live_X_2024 j=sk_live_X.`, `k=[REDACTED] j=[REDACTED].`, []string{"sk_live_X", "sk_live_X_2024"}},
		{"overlapping values", `..abcdef..`, `..[REDACTED]..`, []string{"abcd", "cdef"}},
		{"overlapping copies of one value", `xabababax`, `x[REDACTED]x`, []string{"ababa"}},
		{"adjacent copies stay two", `hunter2hunter2`, `[REDACTED][REDACTED]`, []string{"hunter2"}},
		{"a value that decodes across encodings", `p\u0026amp;q`, `[REDACTED]`, []string{"p&q"}},
		{"a value that is an escape itself", `{"m":"\\u0041 and \u0041"}`, `{"m":"[REDACTED] and [REDACTED]"}`, []string{`\u0041`}},
		{"escape-like value inside HTML", `<p>k\7&amp;Q</p>`, `<p>[REDACTED]</p>`, []string{`k\7&Q`}},
		{"entities with leading zeros", `<p>&#00000000000104;&#x000000075;nter2</p>`, `<p>[REDACTED]</p>`, []string{"hunter2"}},
		{"entity-like value inside JSON", `{"m":"&lt;\\"}`, `{"m":"[REDACTED]"}`, []string{`&lt;\`}},
		// A trailing fragment.
		{"four bytes", `bad value: hunt`, `bad value: [REDACTED]`, []string{"hunter2"}},
		{"all but the last byte", `bad value: hunter`, `bad value: [REDACTED]`, []string{"hunter2"}},
		{"three bytes stay", `bad value: hun`, `bad value: hun`, []string{"hunter2"}},
		{"half of a short secret", `v=ab`, `v=[REDACTED]`, []string{"abc"}},
		{"escaped start", `{"m":"p\u00e4s`, `{"m":"[REDACTED]`, []string{"päss!"}},
		{"cut inside an escape", `{"m":"p\u00e4ss\u00`, `{"m":"[REDACTED]`, []string{"päss!x"}},
		{"cut inside a surrogate pair", `{"m":"abcd\ud83d\udd`, `{"m":"[REDACTED]`, []string{"abcd🔑"}},
		{"cut inside an entity", `<p>it&#39;s&am`, `<p>[REDACTED]`, []string{"it's&more"}},
		{"cut inside UTF-8", "v=päs\xc3", "v=[REDACTED]", []string{"päsä"}},
		{"not at the end", `hunt and more`, `hunt and more`, []string{"hunter2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, string(redact.Bytes([]byte(tc.in), tc.secrets...)))
			assert.Equal(t, tc.want, redact.String(tc.in, tc.secrets...))
		})
	}
}

func TestBytes_UntouchedInputIsReturnedAsIs(t *testing.T) {
	t.Parallel()
	in := []byte("nothing secret here")
	out := redact.Bytes(in, "hunter2", "tok")
	assert.Same(t, &in[0], &out[0])
}

// TestBytes_EncoderOutput masks whatever encoding/json makes of awkward values.
func TestBytes_EncoderOutput(t *testing.T) {
	t.Parallel()
	values := []string{`"q"`, `p@ss"w\rd`, "tab\there", "<script>&", "ünïcødé", "emoji 🔑🔒", "\u2028\u2029", "mixed <\"ä\">"}
	for _, v := range values {
		for _, html := range []bool{true, false} {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(html)
			assert.NoError(t, enc.Encode(map[string]string{"message": "got " + v + " here"}))
			out := redact.Bytes(buf.Bytes(), v)
			assert.JSONEq(t, `{"message":"got [REDACTED] here"}`, string(out), "%q html=%v: %s", v, html, buf.Bytes())
		}
	}
}

func TestCut(t *testing.T) {
	t.Parallel()
	const secret = "0123456789abcdef"
	cases := []redactCase{
		// Whatever is left of a secret that straddles the cut is masked, however short.
		{"secret straddling the cut", `{"message":"a long value: 0123456`, `{"message":"a long value: [REDACTED]`, []string{secret}},
		{"one byte of it", `{"message":"a long value: 0`, `{"message":"a long value: [REDACTED]`, []string{secret}},
		{"escaped, cut inside an escape", `{"m":"01\u0032\u00`, `{"m":"[REDACTED]`, []string{secret}},
		{"whole secret inside, start at the end", `x 0123456789abcdef y and then 0123`, `x [REDACTED] y and then [REDACTED]`, []string{secret}},
		{"short body", `0123`, `[REDACTED]`, []string{secret}},
		{"the text after a secret is kept", `x 0123456789abcdef y`, `x [REDACTED] y`, []string{secret}},
		{"one-byte secret", `abc`, `[REDACTED]bc`, []string{"a"}},
		{"no secrets", `abc`, `abc`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := string(redact.Cut([]byte(tc.in), tc.secrets...))
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestMessage(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 400) // 800 bytes: cut at a rune boundary
	cases := []struct {
		name, body, want string
		secrets          []string
	}{
		{"message", `{"message":"secret not found"}`, "secret not found", nil},
		{"error", `{"error":"invalid token"}`, "invalid token", nil},
		{"message wins over error", `{"error":"e","message":"m"}`, "m", nil},
		{"empty message falls to error", `{"message":"","error":"e"}`, "e", nil},
		{"nested error message", `{"error":{"code":7,"message":"nested"}}`, "nested", nil},
		{"non-string message", `{"message":42,"error":"e"}`, "e", nil},
		{"JSON without a message", `{"code":42}`, `{"code":42}`, nil},
		{"JSON array", `["a"]`, `["a"]`, nil},
		{"leading whitespace", " \n{\"message\":\"m\"}", "m", nil},
		{"plain text", "upstream timeout\n", "upstream timeout", nil},
		{"HTML page", "<html><body>502</body></html>", "", nil},
		{"HTML after whitespace", "\n  <!DOCTYPE html>", "", nil},
		{"invalid UTF-8", "\xff\xfe bad", "", nil},
		{"empty", "", "", nil},
		{"control characters collapse", "{\"message\":\"a\\u0000b\\r\\nc\\t\\td  \"}", "a b c d", nil},
		{"secret in message", `{"message":"token tok_1 is revoked"}`, "token [REDACTED] is revoked", []string{"tok_1"}},
		{"escaped secret in message", `{"message":"value \"q\" is bad"}`, "value [REDACTED] is bad", []string{`"q"`}},
		{"secret in text", "value hunter2 rejected", "value [REDACTED] rejected", []string{"hunter2"}},
		{"secret with a newline", "value a\nb rejected", "value [REDACTED] rejected", []string{"a\nb"}},
		{"long message", `{"message":"` + long + `"}`, long[:512] + "…", nil},
		{"long message, odd cut", `{"message":"x` + long + `"}`, ("x" + long)[:511] + "…", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, redact.Message([]byte(tc.body), tc.secrets...))
		})
	}
}

// TestWorkIsBoundedByTheText: masking an error body for a request that sent a 5 MiB value must not
// expand the value's escaped forms (megabytes each, many of them) when no form can fit in the body.
// Allocations are counted, not timed: deterministic on any machine.
func TestWorkIsBoundedByTheText(t *testing.T) {
	big := strings.Repeat(`"<&>ü`, 1<<20) // 5 MiB+, every byte needs escaping
	body := []byte(strings.Repeat(`{"message":"conflict"}`, 3000))
	allocs := testing.AllocsPerRun(3, func() {
		_ = redact.Bytes(body, "tok_secret", big)
		_ = redact.String("a conflict", "tok_secret", big)
		_ = redact.Message(body[:200], "tok_secret", big)
	})
	assert.Less(t, allocs, 100.0, "the big value's forms were built")
	// Cut: the body does not end with the start of either secret, so nothing goes.
	assert.Equal(t, body, redact.Cut(body, big, "tok_secret"))
	cutInside := append(bytes.Clone(body), big[:1000]...)
	assert.Equal(t, string(body)+redact.Mask, string(redact.Cut(cutInside, big)))
}

// TestMaskMessage: a message made without knowing a secret, masked afterwards, hides it as Message
// would have: as written, as Message normalizes it, and when the length limit cut it short.
func TestMaskMessage(t *testing.T) {
	t.Parallel()
	pad := strings.Repeat("x", 505) // the secret starts 7 bytes before the cut at 512
	cases := []struct {
		name, body, secret, want string
	}{
		{"as written", `{"message":"value hunter2 rejected"}`, "hunter2", "value [REDACTED] rejected"},
		{"with a newline", `{"message":"value a\nb rejected"}`, "a\nb", "value [REDACTED] rejected"},
		{"with a trailing newline", `{"message":"value pw_42\n rejected"}`, "pw_42\n", "value [REDACTED] rejected"},
		{"with a control character", `{"message":"value a\u0001b rejected"}`, "a\x01b", "value [REDACTED] rejected"},
		{"with a run of spaces", "value a   b rejected", "a   b", "value [REDACTED] rejected"},
		{"escaped in the message", `{"message":"value \"q\\u0027\" bad"}`, `"q'"`, "value [REDACTED] bad"},
		{"cut by the length limit", `{"message":"` + pad + `secret_value_long"}`, "secret_value_long", pad + redact.Mask + "…"},
		{"cut, normalized", `{"message":"` + pad + `a\nsecret_value"}`, "a\nsecret_value", pad + redact.Mask + "…"},
		{"absent", `{"message":"nothing here"}`, "hunter2", "nothing here"},
	}
	assert.Equal(t, "plain…", redact.MaskMessage("plain…"), "no secret: unchanged")

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := redact.MaskMessage(redact.Message([]byte(tc.body)), tc.secret)
			assert.Equal(t, tc.want, got)
			if !strings.HasSuffix(got, "…") {
				assert.Equal(t, redact.Message([]byte(tc.body), tc.secret), got, "not what Message makes knowing the secret")
			}
		})
	}
}

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
