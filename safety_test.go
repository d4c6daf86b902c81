package secrets_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// TestSafety_PlainHTTPOnlyToLoopback: http is accepted only for loopback hosts (emulators); the token
// never travels in the clear over a network. https is accepted for every host.
func TestSafety_PlainHTTPOnlyToLoopback(t *testing.T) {
	t.Parallel()
	cases := []struct {
		host     string
		loopback bool
	}{
		{"localhost", true},
		{"localhost:8080", true},
		{"emulator.localhost:9000", true},
		{"127.0.0.1", true},
		{"127.0.0.1:41234", true},
		{"127.10.20.30", true},
		{"[::1]", true},
		{"[::1]:8080", true},
		{"example.com", false},
		{"example.com:80", false},
		{"10.0.0.1", false},
		{"192.168.1.10:8080", false},
		{"0.0.0.0", false},
		{"[::]", false},
		{"[2001:db8::1]", false},
		{"localhost.example.com", false},
		{"127.0.0.1.nip.io", false},
	}
	for _, tc := range cases {
		t.Run(tc.host, func(t *testing.T) {
			t.Parallel()
			api := newFakeAPI(t)
			api.on(http.MethodGet, getPath, fixture(t, 200, "secret.json"))
			for _, scheme := range []string{"http", "https"} {
				c, err := secrets.NewClient(secrets.WithAPIKey(testToken), secrets.WithBaseURL(scheme+"://"+tc.host),
					secrets.WithHTTPClient(api.httpClient()))
				if scheme == "http" && !tc.loopback {
					assert.Nil(t, c)
					assertSentinels(t, err, secrets.ErrInvalidArgument)
					assert.Contains(t, err.Error(), "plain http")
					assert.Contains(t, err.Error(), "WithBaseURL")
					continue
				}
				require.NoError(t, err, scheme)
				_, err = c.Secrets.Get(t.Context(), secretID)
				require.NoError(t, err)
			}
			for _, r := range api.requests() {
				want := tc.host
				if r.URL.Scheme == "http" && strings.Contains(tc.host, "localhost") {
					// A localhost name over plain http is dialled at 127.0.0.1 (TestLoopback_NamesArePinned).
					want = "127.0.0.1:80"
					if _, port, err := net.SplitHostPort(tc.host); err == nil {
						want = "127.0.0.1:" + port
					}
				}
				assert.Equal(t, want, r.URL.Host)
				assert.Equal(t, getPath, r.URL.Path)
			}
		})
	}
}

// redirectTarget is a server that records the Authorization header it receives.
type redirectTarget struct {
	*httptest.Server
	mu    sync.Mutex
	auths []string
}

func newRedirectTarget(t *testing.T, body []byte) *redirectTarget {
	rt := &redirectTarget{}
	rt.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt.mu.Lock()
		rt.auths = append(rt.auths, r.Header.Get("Authorization"))
		rt.mu.Unlock()
		_, _ = w.Write(body)
	}))
	t.Cleanup(rt.Close)
	return rt
}

func (rt *redirectTarget) seen() []string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return append([]string(nil), rt.auths...)
}

// TestSafety_RedirectsKeepTheTokenOnItsHost: a redirect within the host keeps Authorization, and the
// caller's own redirect policy still runs; a redirect to another host (another name, or the same name
// on another port) is refused before anything is sent there (TestRedirect_ToAnotherOriginIsRefused).
func TestSafety_RedirectsKeepTheTokenOnItsHost(t *testing.T) {
	t.Parallel()
	body := readTestdata(t, "responses/secret.json")
	cases := []struct {
		name     string
		location func(origin, target *redirectTarget) string
		wantAuth string
		viaUser  bool // the caller's http.Client has its own CheckRedirect
	}{
		{name: "same host", location: func(o, _ *redirectTarget) string { return o.URL + "/moved" + getPath }, wantAuth: "Bearer " + testToken},
		{name: "same host, caller's redirect policy", viaUser: true, wantAuth: "Bearer " + testToken,
			location: func(o, _ *redirectTarget) string { return o.URL + "/moved" + getPath }},
		{name: "other host name: refused", location: func(_, tg *redirectTarget) string {
			return strings.Replace(tg.URL, "127.0.0.1", "localhost", 1) + getPath
		}},
		{name: "same host name, other port: refused", location: func(_, tg *redirectTarget) string { return tg.URL + getPath }},
		{name: "other host, caller's redirect policy: refused first", viaUser: true, location: func(_, tg *redirectTarget) string {
			return strings.Replace(tg.URL, "127.0.0.1", "localhost", 1) + getPath
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			target := newRedirectTarget(t, body)
			origin := &redirectTarget{}
			origin.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, "/moved") {
					origin.mu.Lock()
					origin.auths = append(origin.auths, r.Header.Get("Authorization"))
					origin.mu.Unlock()
					_, _ = w.Write(body)
					return
				}
				http.Redirect(w, r, tc.location(origin, target), http.StatusTemporaryRedirect)
			}))
			t.Cleanup(origin.Close)

			opts := []secrets.Option{secrets.WithAPIKey(testToken), secrets.WithBaseURL(origin.URL), fastRetries()}
			var userPolicyCalls atomic.Int32
			if tc.viaUser {
				tr := &http.Transport{}
				t.Cleanup(tr.CloseIdleConnections)
				opts = append(opts, secrets.WithHTTPClient(&http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
					userPolicyCalls.Add(1)
					return nil
				}}))
			}
			c, err := secrets.NewClient(opts...)
			require.NoError(t, err)

			s, err := c.Secrets.Get(t.Context(), secretID)
			if tc.wantAuth == "" { // another host
				require.ErrorIs(t, err, secrets.ErrRedirectRefused)
				assert.Empty(t, target.seen(), "nothing sent to the other host")
				assert.Zero(t, userPolicyCalls.Load(), "refused before the caller's policy is asked")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "DB_PASSWORD", s.Name)
			got := append(origin.seen(), target.seen()...)
			assert.Equal(t, []string{tc.wantAuth}, got)
			if tc.viaUser {
				assert.Equal(t, int32(1), userPolicyCalls.Load(), "the caller's policy still runs")
			}
		})
	}
}

// TestSafety_RedirectRefused: a redirect from https down to plain http is refused before anything is
// sent there, and not retried; so is a redirect loop.
func TestSafety_RedirectRefused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		tls       bool
		location  func(self string) string
		wantHits  int32
		errSubstr string
	}{
		{name: "https to http", tls: true, location: func(string) string { return "http://example.com" + getPath },
			wantHits: 1, errSubstr: "to http://example.com: the client follows redirects within the base URL's host only"},
		{name: "loop", location: func(self string) string { return self + getPath },
			wantHits: 10, errSubstr: "stopped after 10 redirects"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int32
			var self string
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				http.Redirect(w, r, tc.location(self), http.StatusFound)
			})
			var srv *httptest.Server
			if tc.tls {
				srv = httptest.NewTLSServer(h)
			} else {
				srv = httptest.NewServer(h)
			}
			t.Cleanup(srv.Close)
			self = srv.URL

			c, err := secrets.NewClient(secrets.WithAPIKey(testToken), secrets.WithBaseURL(srv.URL),
				secrets.WithHTTPClient(srv.Client()), secrets.WithRetryMax(3), fastRetries())
			require.NoError(t, err)
			_, err = c.Secrets.Get(t.Context(), secretID)

			var reqErr *secrets.RequestError
			require.ErrorAs(t, err, &reqErr)
			assert.Equal(t, 1, reqErr.Attempts, "not retried")
			assert.Equal(t, tc.wantHits, hits.Load())
			assert.Contains(t, err.Error(), tc.errSubstr)
			assert.NotContains(t, err.Error(), testToken)
		})
	}
}

// countingBody is an endless (or long) body that counts what is read from it.
type countingBody struct {
	left int64 // -1: endless
	read atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	if b.left == 0 {
		return 0, io.EOF
	}
	n := len(p)
	if b.left > 0 && int64(n) > b.left {
		n = int(b.left)
	}
	for filled := 0; filled < n; {
		filled += copy(p[filled:n], xBlock[:])
	}
	if b.left > 0 {
		b.left -= int64(n)
	}
	b.read.Add(int64(n))
	return n, nil
}

func (b *countingBody) Close() error { return nil }

var xBlock = [4096]byte(bytes.Repeat([]byte("x"), 4096))

// TestSafety_LargeSuccessBody: a 2xx body over the limit is ErrInvalidResponse, found from
// Content-Length without reading the body, or after reading just past the limit; never retried.
func TestSafety_LargeSuccessBody(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name          string
		contentLength int64
		body          *countingBody
		maxRead       int64
	}{
		{"Content-Length over the limit", secrets.MaxObjectBody + 1, &countingBody{left: -1}, 0},
		{"endless chunked body", -1, &countingBody{left: -1}, secrets.MaxObjectBody + 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, api := newTestClient(t)
			api.on(http.MethodGet, getPath, func(req *http.Request) (*http.Response, error) {
				return &http.Response{StatusCode: 200, Status: "200 OK", Header: http.Header{}, Body: tc.body,
					ContentLength: tc.contentLength, Request: req}, nil
			})
			_, err := c.Secrets.Get(t.Context(), secretID)
			assertSentinels(t, err, secrets.ErrInvalidResponse)
			var reqErr *secrets.RequestError
			require.ErrorAs(t, err, &reqErr)
			assert.Equal(t, 1, reqErr.Attempts)
			assert.Equal(t, 1, api.GetTotalCallCount())
			assert.LessOrEqual(t, tc.body.read.Load(), tc.maxRead)
			assert.Contains(t, err.Error(), "invalid response: response body is larger than any valid response")
		})
	}
	t.Run("a body at the largest valid size is read", func(t *testing.T) {
		t.Parallel()
		value := strings.Repeat("v", secrets.MaxValueBytes)
		c, api := newTestClient(t)
		api.on(http.MethodGet, getPath, jsonResponder(200, `{"secretID":"`+secretID+`","name":"BIG","value":"`+value+`"}`))
		s, err := c.Secrets.Get(t.Context(), secretID)
		require.NoError(t, err)
		assert.Len(t, *s.Value, secrets.MaxValueBytes)
	})
}

// TestSafety_ErrorBodiesAreCut: an error body is read up to MaxErrorBody bytes, even an endless one.
func TestSafety_ErrorBodiesAreCut(t *testing.T) {
	t.Parallel()
	for _, retries := range []int{0, 2} {
		t.Run(fmt.Sprint("retries ", retries), func(t *testing.T) {
			t.Parallel()
			c, api := newTestClient(t, secrets.WithRetryMax(retries))
			var bodies []*countingBody
			var mu sync.Mutex
			api.on(http.MethodGet, getPath, func(req *http.Request) (*http.Response, error) {
				b := &countingBody{left: -1}
				mu.Lock()
				bodies = append(bodies, b)
				mu.Unlock()
				return &http.Response{StatusCode: 503, Status: "503 Service Unavailable", Header: http.Header{}, Body: b,
					ContentLength: -1, Request: req}, nil
			})
			_, err := c.Secrets.Get(t.Context(), secretID)
			var apiErr *secrets.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, retries+1, apiErr.Attempts)
			// Cut to MaxErrorBody, less the bytes that could hold the start of the token.
			assert.LessOrEqual(t, len(apiErr.Body), secrets.MaxErrorBody)
			assert.GreaterOrEqual(t, len(apiErr.Body), secrets.MaxErrorBody-len(testToken))
			assert.LessOrEqual(t, len(apiErr.Message), 520)
			for _, b := range bodies {
				assert.LessOrEqual(t, b.read.Load(), int64(secrets.MaxErrorBody))
			}
		})
	}
}

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
			c, api := newTestClient(t, secrets.WithAPIKey(echoToken))
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
	c, api := newTestClient(t, secrets.WithAPIKey(echoToken), secrets.WithOrganizationID(testOrgID))
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
	c, _ := newTestClient(t, secrets.WithAPIKey(echoToken))
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
	c, api := newTestClient(t, secrets.WithAPIKey(echoToken), secrets.WithLogger(logger), secrets.WithRetryMax(1))
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
