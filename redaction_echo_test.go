package secrets_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// The canary's echo tables: servers that quote back what they were sent (the value of a Create or
// Update, the token) or what a Cache holds, in every encoding servers and proxies use, in every
// place of an answer, cut or whole. The canary recorder checks every error, its parts and the log
// records, for the markers and for the marker as each encoding spells it.

// canaryQuotedValue holds what encoders escape: quotes, <, >, &, ', +, /, a backslash, non-ASCII, an
// astral character, U+2028 and a control character. canaryQuotedMarker is its start.
const (
	canaryQuotedMarker = "CnryVal_7f3a"
	canaryQuotedValue  = canaryQuotedMarker + "\"<&>'+/\\ü🔑\u2028\x01end"
)

// echoEncoders are the ways servers and proxies quote a value (issue 11, section 3).
var echoEncoders = map[string]func(string) string{
	"json":    jsonEscape,
	"php \\/": func(s string) string { return strings.ReplaceAll(jsonEscape(s), "/", `\/`) },
	".NET \\uXXXX": func(s string) string {
		var b strings.Builder
		for _, r := range s {
			if r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				b.WriteRune(r)
				continue
			}
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, `\u%04X`, u)
			}
		}
		return b.String()
	},
	"node raw U+2028": func(s string) string { return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\x01", `\u0001`).Replace(s) },
	"html named":      html.EscapeString,
	"html numeric": func(s string) string {
		var b strings.Builder
		for _, r := range s {
			fmt.Fprintf(&b, "&#x%x;", r)
		}
		return b.String()
	},
	"go %q":      func(s string) string { q := strconv.Quote(s); return q[1 : len(q)-1] },
	"json twice": func(s string) string { return jsonEscape(jsonEscape(s)) },
}

// jsonEscape is s as it stands between the quotes of a JSON string.
func jsonEscape(s string) string { b, _ := json.Marshal(s); return string(b[1 : len(b)-1]) }

// echoJSON is {"message": text} as encoding/json writes it (escapeHTML or not), or, with ascii set,
// with every non-ASCII character as \u escapes whose hex digits follow the format ascii.
func echoJSON(text string, escapeHTML bool, ascii string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(map[string]string{"message": text})
	out := strings.TrimSpace(buf.String())
	if ascii == "" {
		return out
	}
	var b strings.Builder
	for _, r := range out {
		switch {
		case r < 0x80:
			b.WriteRune(r)
		case r > 0xffff:
			r -= 0x10000
			fmt.Fprintf(&b, ascii+ascii, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			fmt.Fprintf(&b, ascii, r)
		}
	}
	return b.String()
}

// echoCase is a server answering every Create and Update with status and a body quoting the value
// and the token it received.
type echoCase struct {
	name        string
	status      int
	contentType string
	body        func(value, token string) string
	requestID   func(value, token string) string // the X-Request-Id header; none when nil or ""
	cut         func(body, value string) int     // the connection drops after this many bytes
	value       string                           // sent; canaryQuotedValue when ""
	message     string                           // the Message wanted, when set
	wantID      string                           // the RequestID wanted, when set
	extra       []string                         // how the encoding spells the marker
}

// echoCases are the value sent quoted by every encoder, in a JSON field, an HTML page, plain text
// or a JSON body cut mid-value, with every error status; then the token and the value quoted in
// messages, the request ID and bodies cut at the limit.
func echoCases() []echoCase {
	styles := map[string]func(echo string) (contentType, body string){
		"json detail": func(e string) (string, string) {
			return "application/json", `{"code":"E42","detail":"got ` + e + ` here"}`
		},
		"html page": func(e string) (string, string) {
			return "text/html", "<html><body><pre>got " + e + " here</pre></body></html>"
		},
		"plain text": func(e string) (string, string) { return "text/plain", "got " + e + " here" },
		"json cut":   func(e string) (string, string) { return "application/json", `{"detail":"got ` + e + ` here"}` },
	}
	var cases []echoCase
	for encName, encode := range echoEncoders {
		for styleName, style := range styles {
			contentType, _ := style("")
			tc := echoCase{contentType: contentType, extra: []string{encode(canaryQuotedMarker)},
				body: func(v, _ string) string { _, b := style(encode(v)); return b },
				requestID: func(v, _ string) string {
					if id := encode(v); !strings.ContainsFunc(id, func(r rune) bool { return r < ' ' || r > '~' }) {
						return "req " + id // a header holds printable ASCII only
					}
					return ""
				}}
			if styleName == "json cut" { // after the value's first bytes
				tc.cut = func(body, v string) int {
					return strings.Index(body, encode(v)) + len(encode(canaryQuotedMarker+`"<&`))
				}
			}
			for _, status := range []int{400, 409, 413, 422, 500, 503} {
				tc.name, tc.status = fmt.Sprint(encName, "/", styleName, "/", status), status
				cases = append(cases, tc)
			}
		}
	}
	msg := func(escapeHTML bool, ascii string) func(v, tok string) string {
		return func(v, tok string) string {
			return echoJSON("value "+v+" with token "+tok+" refused", escapeHTML, ascii)
		}
	}
	const refused = "value [REDACTED] with token [REDACTED] refused"
	longValue := strings.Repeat("CnryVal0", 15_000) // 120 kB: longer than the error body limit
	return append(cases,
		echoCase{name: "token and value in text", body: func(v, tok string) string { return "bad value " + v + " for " + tok },
			message: "bad value [REDACTED] for [REDACTED]"},
		echoCase{name: "JSON", body: msg(true, ""), message: refused},
		echoCase{name: "JSON without HTML escaping", body: msg(false, ""), message: refused},
		echoCase{name: "ASCII-only JSON, lower-case hex", body: msg(false, `\u%04x`), message: refused},
		echoCase{name: "ASCII-only JSON, upper-case hex", body: msg(false, `\u%04X`), message: refused},
		echoCase{name: "ASCII-only JSON, HTML escaped", body: msg(true, `\u%04x`), message: refused},
		echoCase{name: "token in the request ID", body: func(string, string) string { return `{"message":"no"}` },
			requestID: func(_, tok string) string { return "id-" + tok }, message: "no", wantID: "id-[REDACTED]"},
		echoCase{name: "cut at the limit in the middle of the value", value: longValue,
			body: func(v, _ string) string { return `{"message":"bad value ` + v + `"}` }},
		echoCase{name: "cut at the limit in the middle of the token", value: "v-8c7b6a5d", body: func(_, tok string) string {
			return `{"message":"` + strings.Repeat(".", secrets.MaxErrorBody-20) + ` token ` + tok + `"}`
		}},
	)
}

// echoResponder answers as tc says, quoting the value and the token of the request.
func echoResponder(tc echoCase) func(*http.Request) (*http.Response, error) {
	return func(req *http.Request) (*http.Response, error) {
		var sent struct{ Value string }
		if err := json.NewDecoder(req.Body).Decode(&sent); err != nil || sent.Value != tc.value {
			return nil, errors.New("the request does not carry the value: nothing to echo") // fails itAPIError
		}
		token := strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer ")
		body := tc.body(sent.Value, token)
		header := http.Header{}
		if tc.contentType != "" {
			header.Set("Content-Type", tc.contentType)
		}
		if tc.requestID != nil && tc.requestID(sent.Value, token) != "" {
			header.Set("X-Request-Id", tc.requestID(sent.Value, token))
		}
		var rc io.ReadCloser = io.NopCloser(strings.NewReader(body))
		if tc.cut != nil {
			rc = &failingBody{data: []byte(body[:tc.cut(body, sent.Value)]), err: io.ErrUnexpectedEOF}
		}
		return &http.Response{StatusCode: tc.status, Status: http.StatusText(tc.status), Header: header, Body: rc,
			ContentLength: int64(len(body)), Request: req}, nil
	}
}

// TestCanary_ServerEchoesWhatWasSent: a server that quotes the value a Create or Update sent, or the
// token, in any encoding, in the message, another field, an HTML page, plain text, the request ID,
// or a body the connection cut mid-value or the SDK cut at its limit, with any error status, has
// them masked in the error, its Message, Body and RequestID, its fmt, JSON and slog renderings and
// the log records (JSON and text).
func TestCanary_ServerEchoesWhatWasSent(t *testing.T) {
	t.Parallel()
	for _, tc := range echoCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.status == 0 {
				tc.status = http.StatusBadRequest
			}
			if tc.value == "" {
				tc.value = canaryQuotedValue
			}
			rec := newCanaryRecorder(t, tc.extra...)
			c, api := setup(t, secrets.WithAPIKey(canaryToken), secrets.WithLogger(rec.logger), secrets.WithRetryMax(0))
			api.on(http.MethodPost, "/v1/secrets", echoResponder(tc))
			api.on(http.MethodPatch, getPath, echoResponder(tc))

			_, errCreate := c.Secrets.Create(t.Context(), "DB_PASSWORD", tc.value)
			_, errUpdate := c.Secrets.Update(t.Context(), secretID, tc.value)
			for name, err := range map[string]error{"Create": errCreate, "Update": errUpdate} {
				apiErr := requireAPIError(t, err, tc.status)
				if tc.message != "" {
					assert.Equal(t, tc.message, apiErr.Message, name)
				}
				if tc.wantID != "" {
					assert.Equal(t, tc.wantID, apiErr.RequestID, name)
				}
				rec.inspect(name+" error", err)
				inspectErrorParts(rec, name, err)
			}
			rec.verifyLogs(`"msg":"secrets: request"`)
		})
	}
}

// TestCanary_TransportQuotesTheValue: net/http quotes a malformed header line with %q (\x01, \"
// and \u escapes); a server that echoes the value there has it masked in the *RequestError.
func TestCanary_TransportQuotesTheValue(t *testing.T) {
	t.Parallel()
	srv := newRawServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		var sent struct{ Value string }
		_ = json.NewDecoder(r.Body).Decode(&sent)
		line := strings.NewReplacer("\r", "", "\n", "", ":", "").Replace(sent.Value)
		breakConn(w, "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nbad "+line+"\r\n\r\n", false)
	})
	rec := newCanaryRecorder(t, echoEncoders["go %q"](canaryQuotedMarker))
	c := srv.newClient(t, secrets.WithAPIKey(canaryToken), secrets.WithRetryMax(0), secrets.WithLogger(rec.logger), secrets.WithTimeout(5*time.Second))
	_, err := c.Secrets.Create(t.Context(), "DB_PASSWORD", canaryQuotedValue)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "malformed MIME header")
	var reqErr *secrets.RequestError
	require.ErrorAs(t, err, &reqErr)
	rec.inspect("error", err)
	inspectErrorParts(rec, "error", err)
	rec.verifyLogs()
}
