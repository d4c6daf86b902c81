package secrets_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// Values and tokens for the redaction tests: awkward characters on purpose.
const (
	echoToken = "tok_Echo9f8e7d6c5b4a3210"
	echoValue = `s3cr3t"va\lue<&>ünïcødé🔑`
)

// TestSafety_ServerEchoIsRedacted: a server message that quotes the token or the value sent, as text,
// as JSON (escaped as encoding/json or an ASCII-only encoder would), in X-Request-Id, or in a body cut
// at the limit, shows up masked in Message, Body, RequestID and Error().
func TestSafety_ServerEchoIsRedacted(t *testing.T) {
	t.Parallel()
	jsonMsg := func(escapeHTML bool, ascii string) string {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(escapeHTML)
		require.NoError(t, enc.Encode(map[string]string{"message": "value " + echoValue + " with token " + echoToken + " refused"}))
		out := strings.TrimSpace(buf.String())
		if ascii != "" { // every non-ASCII character as \u escapes, with hex digits as ascii's format says
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
			out = b.String()
		}
		return out
	}
	longValue := strings.Repeat("L0ng", 30_000) // 120 kB: longer than the error body limit
	cases := []struct {
		name, body, requestID, value string
		message                      string
	}{
		{name: "text", value: echoValue, body: "bad value " + echoValue + " for " + echoToken,
			message: "bad value [REDACTED] for [REDACTED]"},
		{name: "JSON", value: echoValue, body: jsonMsg(true, ""), message: "value [REDACTED] with token [REDACTED] refused"},
		{name: "JSON without HTML escaping", value: echoValue, body: jsonMsg(false, ""), message: "value [REDACTED] with token [REDACTED] refused"},
		{name: "ASCII-only JSON, lower-case hex", value: echoValue, body: jsonMsg(false, `\u%04x`), message: "value [REDACTED] with token [REDACTED] refused"},
		{name: "ASCII-only JSON, upper-case hex", value: echoValue, body: jsonMsg(false, `\u%04X`), message: "value [REDACTED] with token [REDACTED] refused"},
		{name: "ASCII-only JSON, HTML escaped", value: echoValue, body: jsonMsg(true, `\u%04x`), message: "value [REDACTED] with token [REDACTED] refused"},
		{name: "request ID", value: echoValue, body: `{"message":"no"}`, requestID: "id-" + echoToken, message: "no"},
		{name: "cut in the middle of the value", value: longValue, body: `{"message":"bad value ` + longValue + `"}`},
		{name: "cut in the middle of the token", value: "v-8c7b6a5d",
			body: `{"message":"` + strings.Repeat(".", secrets.MaxErrorBody-20) + ` token ` + echoToken + `"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, api := setup(t, secrets.WithAPIKey(echoToken))
			r := httpmock.NewStringResponder(400, tc.body)
			if tc.requestID != "" {
				r = r.HeaderSet(http.Header{"X-Request-Id": {tc.requestID}})
			}
			api.on(http.MethodPost, "/v1/secrets", r)
			api.on(http.MethodPatch, getPath, r)

			_, errCreate := c.Secrets.Create(t.Context(), "ECHO", tc.value)
			_, errUpdate := c.Secrets.Update(t.Context(), secretID, tc.value)
			for _, err := range []error{errCreate, errUpdate} {
				var apiErr *secrets.APIError
				require.ErrorAs(t, err, &apiErr)
				if tc.message != "" {
					assert.Equal(t, tc.message, apiErr.Message)
				}
				texts := map[string]string{
					"Message": apiErr.Message, "Body": string(apiErr.Body), "RequestID": apiErr.RequestID,
					"Error()": err.Error(), "%#v": fmt.Sprintf("%#v", apiErr), "%+v": fmt.Sprintf("%+v", err),
				}
				for where, text := range texts {
					assertNoSecret(t, text, where, echoToken, tc.value)
				}
				if tc.requestID != "" {
					assert.Equal(t, "id-[REDACTED]", apiErr.RequestID)
				}
			}
		})
	}
}

// assertNoSecret fails when text holds any secret, or a recognisable piece of one (its first and last
// 8 bytes), raw or JSON-escaped.
func assertNoSecret(t *testing.T, text, where string, secretsToHide ...string) {
	t.Helper()
	for _, s := range secretsToHide {
		pieces := []string{s}
		if len(s) > 16 {
			pieces = append(pieces, s[:8], s[len(s)-8:])
		}
		for _, p := range pieces {
			escaped, _ := json.Marshal(p)
			for _, form := range []string{p, string(escaped[1 : len(escaped)-1])} {
				if !assert.NotContains(t, text, form, "%s shows a secret", where) {
					return
				}
			}
		}
	}
}

// TestSafety_FormattingHidesSecrets: no fmt verb prints a token or a value, for the types that carry
// them, alone, through pointers or in slices and structs.
func TestSafety_FormattingHidesSecrets(t *testing.T) {
	t.Parallel()
	const value = "v4lue-9b8a7c6d"
	c, api := setup(t, secrets.WithAPIKey(echoToken), secrets.WithOrganizationID(testOrgID))
	api.on(http.MethodGet, "/v1/organizations/current", fixture(t, 200, "organization.json"))
	org, err := c.Organizations.Current(t.Context())
	require.NoError(t, err)
	s := secrets.Secret{ID: secretID, Name: "DB_PASSWORD", Value: strp(value), CreatedBy: "u1"}
	apiErr := &secrets.APIError{StatusCode: 400, Method: "POST", Path: "/v1/secrets", Message: "bad", Body: []byte(`{"message":"bad"}`)}
	subjects := map[string]any{
		"Client":       *c,
		"*Client":      c,
		"Secret":       s,
		"*Secret":      &s,
		"[]*Secret":    []*secrets.Secret{&s, &s},
		"[]Secret":     []secrets.Secret{s},
		"map":          map[string]*secrets.Secret{"a": &s},
		"struct":       struct{ S *secrets.Secret }{&s},
		"*APIError":    apiErr,
		"Organization": *org,
		"*Org":         org,
		"*Secrets":     c.Secrets,
		"Secrets":      *c.Secrets,
		"*Orgs":        c.Organizations,
		"Orgs":         *c.Organizations,
		"ClientInfo":   c.Info(),
	}
	for name, v := range subjects {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			out := fmt.Sprintf(verb, v)
			assertNoSecret(t, out, name+" "+verb, echoToken, value)
		}
	}
	assert.Equal(t, fmt.Sprintf("secrets.Client{BaseURL: %q, Token: [REDACTED], OrganizationID: %q}", testBaseURL+"/v1", testOrgID), fmt.Sprint(c))
	assert.Contains(t, fmt.Sprint(s), "Value: [REDACTED]")
	assert.Contains(t, fmt.Sprint(secrets.Secret{Name: "X"}), "Value: <withheld>")
	assert.Equal(t, "<nil>", fmt.Sprintf("%v", (*secrets.Secret)(nil)))
}

// TestSafety_SlogHidesSecrets: slog, with the text and JSON handlers, logs Secrets and Clients
// without their value or token.
func TestSafety_SlogHidesSecrets(t *testing.T) {
	t.Parallel()
	const value = "v4lue-9b8a7c6d"
	c, _ := setup(t, secrets.WithAPIKey(echoToken))
	s := secrets.Secret{ID: secretID, Name: "DB_PASSWORD", Value: strp(value)}
	for _, handler := range []string{"text", "json"} {
		var buf bytes.Buffer
		var h slog.Handler = slog.NewTextHandler(&buf, nil)
		if handler == "json" {
			h = slog.NewJSONHandler(&buf, nil)
		}
		logger := slog.New(h)
		logger.Info("loaded", "secret", s, "ptr", &s, "client", c, "clientValue", *c)
		logger.Info("grouped", slog.Group("g", slog.Any("secret", &s), slog.Any("client", c)))
		// Containers go through encoding/json in the JSON handler: Secret.MarshalJSON redacts there too.
		logger.Info("containers", "list", []*secrets.Secret{&s}, "map", map[string]secrets.Secret{"k": s},
			"entries", []secrets.CacheEntry{{Name: "DB_PASSWORD", Value: value}})
		out := buf.String()
		assertNoSecret(t, out, handler, echoToken, value)
		assert.Contains(t, out, "DB_PASSWORD", handler)
		assert.Contains(t, out, "[REDACTED]", handler)
	}
}

// TestSafety_SlogOfNilPointers: a nil *Secret or *Client logs as <nil>, not as a recovered panic.
func TestSafety_SlogOfNilPointers(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	var s *secrets.Secret
	var c *secrets.Client
	logger.Info("nil", "secret", s, "client", c)
	assert.NotContains(t, buf.String(), "panic")
	assert.Contains(t, buf.String(), "secret=<nil>")
}

// TestSafety_JSONEncodingHidesValues: a Secret or CacheEntry handed to encoding/json by accident
// carries no value; a withheld value stays absent, so the two cases remain distinguishable.
func TestSafety_JSONEncodingHidesValues(t *testing.T) {
	t.Parallel()
	const value = "v4lue-9b8a7c6d"
	deleted := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	readable := secrets.Secret{ID: secretID, Name: "DB_PASSWORD", Value: strp(value), DeletedAt: &deleted}
	withheld := secrets.Secret{ID: secretID, Name: "DB_PASSWORD"}

	out, err := json.Marshal([]any{readable, &readable, secrets.CacheEntry{Name: "DB_PASSWORD", Value: value}})
	require.NoError(t, err)
	assertNoSecret(t, string(out), "json", value)
	assert.Contains(t, string(out), `"value":"[REDACTED]"`)
	assert.Contains(t, string(out), `"deletedAt":"2024-05-06T07:08:09Z"`)

	out, err = json.Marshal(withheld)
	require.NoError(t, err)
	assert.NotContains(t, string(out), `"value"`)
}

// TestSafety_LoggerRecordsHideSecrets: WithLogger's debug records name method, path, status and
// attempts, never the token, the value or a body, even when the server echoes them.
func TestSafety_LoggerRecordsHideSecrets(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, api := setup(t, secrets.WithAPIKey(echoToken), secrets.WithLogger(logger), secrets.WithRetryMax(1))
	api.on(http.MethodPost, "/v1/secrets", httpmock.NewStringResponder(429, "value "+echoValue+" token "+echoToken))
	api.on(http.MethodGet, getPath, fixture(t, 200, "secret.json"))

	_, err := c.Secrets.Create(t.Context(), "ECHO", echoValue)
	require.Error(t, err)
	_, err = c.Secrets.Get(t.Context(), secretID)
	require.NoError(t, err)

	mu.Lock()
	out := buf.String()
	mu.Unlock()
	assertNoSecret(t, out, "log", echoToken, echoValue, "hunter2")
	assert.Contains(t, out, `"msg":"secrets: retrying request"`)
	assert.Contains(t, out, `"path":"/v1/secrets"`)
	assert.Contains(t, out, `"status":429`)
	assert.Contains(t, out, `"attempts":2`)
	assert.Contains(t, out, `"status":200`)
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
