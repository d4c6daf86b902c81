package secrets_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
)

// The fault matrix: one call per row against a server that misbehaves in one way, either the emulator
// with its fault injection or a raw server (harness_raw_test.go). Each row states the outcome (a
// value, or an error with its type and sentinel), the requests the server(s) received, and a generous
// bound on the time spent. The table is logged (go test -run TestFaultMatrix -v) in the form SECURITY.md shows.

const (
	fmName   = "DB_PASSWORD"
	fmValue  = "hunter2-fault-matrix"
	fmNewKey = "NEW_SECRET"
)

// fmTarget is the server side of a row.
type fmTarget struct {
	baseURL  string
	hc       *http.Client
	requests func() int         // requests received, by every server of the row
	check    func(t *testing.T) // extra assertions after the call
}

// fmWant is the expected outcome of a row.
type fmWant struct {
	value      bool          // the call succeeds (and returns fmValue, or creates fmNewKey)
	apiStatus  int           // an *APIError with this status
	requestErr bool          // a *RequestError
	sentinel   error         // errors.Is
	retryAfter time.Duration // APIError.RetryAfter
	timeout    bool          // a net.Error whose Timeout() holds
	text       string        // in the error string
	attempts   int           // Attempts of the error; 0: the same as the requests
}

func (w fmWant) String() string {
	if w.value {
		return "value"
	}
	var parts []string
	if w.apiStatus != 0 {
		parts = append(parts, fmt.Sprintf("`*APIError` %d", w.apiStatus))
	}
	if w.requestErr {
		parts = append(parts, "`*RequestError`")
	}
	if w.sentinel != nil {
		parts = append(parts, "`"+sentinelName(w.sentinel)+"`")
	}
	if w.retryAfter != 0 {
		parts = append(parts, "RetryAfter "+w.retryAfter.String())
	}
	if w.timeout {
		parts = append(parts, "timeout")
	}
	if w.text != "" {
		parts = append(parts, fmt.Sprintf("%q", w.text))
	}
	return strings.Join(parts, ", ")
}

func sentinelName(err error) string {
	for name, s := range allSentinels {
		if s == err {
			return name
		}
	}
	return err.Error()
}

type fmRow struct {
	fault    string
	call     string // "GetByName" or "Create"
	setup    func(t *testing.T) fmTarget
	opts     []secrets.Option
	want     fmWant
	requests int
	within   time.Duration // upper bound of the call, generous
	atLeast  time.Duration // lower bound, only where the client must wait
}

func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	retryAt := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	rows := []fmRow{
		// The emulator's fault injection (secretstest): FailNext, DropNext, TruncateNext, SetLatency.
		{fault: "429 with `Retry-After: 1` (seconds)", call: "GetByName", setup: fmEmulator(func(s *secretstest.Server) { s.FailNext(1, 429, time.Second) }),
			want: fmWant{value: true}, requests: 2, atLeast: time.Second, within: 5 * time.Second},
		{fault: "429 with `Retry-After: 3600`, above the maximum wait (2s here)", call: "GetByName", setup: fmEmulator(func(s *secretstest.Server) { s.FailNext(1, 429, time.Hour) }),
			want: fmWant{apiStatus: 429, sentinel: secrets.ErrRateLimited, retryAfter: time.Hour}, requests: 1, within: 2 * time.Second},
		{fault: "503 three times, then OK", call: "GetByName", setup: fmEmulator(func(s *secretstest.Server) { s.FailNext(3, 503, 0) }),
			want: fmWant{value: true}, requests: 4, within: 2 * time.Second},
		{fault: "500 on every attempt (RetryMax 2)", call: "GetByName", setup: fmEmulator(func(s *secretstest.Server) { s.FailNext(100, 500, 0) }),
			opts: []secrets.Option{secrets.WithRetryMax(2)}, want: fmWant{apiStatus: 500, text: "3 attempts"}, requests: 3, within: 2 * time.Second},
		{fault: "502 twice, then OK", call: "GetByName", setup: fmEmulator(func(s *secretstest.Server) { s.FailNext(2, 502, 0) }),
			want: fmWant{value: true}, requests: 3, within: 2 * time.Second},
		{fault: "504 twice, then OK", call: "GetByName", setup: fmEmulator(func(s *secretstest.Server) { s.FailNext(2, 504, 0) }),
			want: fmWant{value: true}, requests: 3, within: 2 * time.Second},
		{fault: "connection closed before any response", call: "GetByName", setup: fmEmulator(func(s *secretstest.Server) { s.DropNext(1) }),
			want: fmWant{value: true}, requests: 2, within: 2 * time.Second},
		{fault: "response cut mid-body (Content-Length not reached)", call: "GetByName", setup: fmEmulator(func(s *secretstest.Server) { s.TruncateNext(1) }),
			want: fmWant{value: true}, requests: 2, within: 2 * time.Second},
		{fault: "server slower than WithTimeout (latency 5s, timeout 300ms, RetryMax 1)", call: "GetByName",
			setup: fmEmulator(func(s *secretstest.Server) { s.SetLatency(5 * time.Second) }),
			opts:  []secrets.Option{secrets.WithTimeout(300 * time.Millisecond), secrets.WithRetryMax(1)},
			want:  fmWant{requestErr: true, timeout: true, text: "2 attempts"}, requests: 2, within: 3 * time.Second},
		{fault: "POST answered 503", call: "Create", setup: fmEmulator(func(s *secretstest.Server) { s.FailNext(1, 503, 0) }),
			want: fmWant{apiStatus: 503}, requests: 1, within: 2 * time.Second},
		{fault: "POST answered 429", call: "Create", setup: fmEmulator(func(s *secretstest.Server) { s.FailNext(1, 429, 0) }),
			want: fmWant{value: true}, requests: 2, within: 2 * time.Second},
		{fault: "POST processed, response cut mid-body", call: "Create", setup: fmEmulator(func(s *secretstest.Server) { s.TruncateNext(1) }),
			want: fmWant{requestErr: true, text: "unexpected EOF"}, requests: 1, within: 2 * time.Second},
		{fault: "POST, connection closed before any response", call: "Create", setup: fmEmulator(func(s *secretstest.Server) { s.DropNext(1) }),
			want: fmWant{requestErr: true, text: "EOF"}, requests: 1, within: 2 * time.Second},

		// Raw servers.
		{fault: "429 with `Retry-After` as an HTTP date 50ms ahead", call: "GetByName",
			setup: fmRaw(func(n int, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					w.Header().Set("Retry-After", retryAt.Format(http.TimeFormat))
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				fmWriteList(w)
			}),
			opts: []secrets.Option{secrets.WithClock(func() time.Time { return retryAt.Add(-50 * time.Millisecond) })},
			want: fmWant{value: true}, requests: 2, atLeast: 50 * time.Millisecond, within: 2 * time.Second},
		{fault: "429 with `Retry-After: 99999999999999999999` (absurd)", call: "GetByName",
			setup: fmRaw(fmBody(429, "application/json", `{"message":"not now"}`, "Retry-After", "99999999999999999999")),
			want:  fmWant{apiStatus: 429, sentinel: secrets.ErrRateLimited, retryAfter: 365 * 24 * time.Hour}, requests: 1, within: 2 * time.Second},
		{fault: "503 with `Retry-After` an HTTP date a week ahead", call: "GetByName",
			setup: fmRaw(fmBody(503, "application/json", `{"message":"not now"}`, "Retry-After", retryAt.Add(7*24*time.Hour).Format(http.TimeFormat))),
			opts:  []secrets.Option{secrets.WithClock(func() time.Time { return retryAt })},
			want:  fmWant{apiStatus: 503, retryAfter: 7 * 24 * time.Hour}, requests: 1, within: 2 * time.Second},
		{fault: "503 with `Retry-After: soon` (unreadable: backoff)", call: "GetByName",
			setup: fmRaw(fmFirst(fmBody(503, "application/json", `{"message":"not now"}`, "Retry-After", "soon"))),
			want:  fmWant{value: true}, requests: 2, within: 2 * time.Second},
		{fault: "connection reset (RST) mid-body", call: "GetByName", setup: fmRaw(fmFirst(fmResetMidBody)),
			want: fmWant{value: true}, requests: 2, within: 2 * time.Second},
		{fault: "POST, connection reset (RST) mid-body", call: "Create", setup: fmRaw(fmFirst(fmResetMidBody)),
			want: fmWant{requestErr: true}, requests: 1, within: 2 * time.Second},
		{fault: "server hangs without answering (WithTimeout 300ms, RetryMax 1)", call: "GetByName", setup: fmRaw(hang),
			opts: []secrets.Option{secrets.WithTimeout(300 * time.Millisecond), secrets.WithRetryMax(1)},
			want: fmWant{requestErr: true, timeout: true, text: "secrets: GET /v1/secrets: 2 attempts: "}, requests: 2, within: 3 * time.Second},
		{fault: "truncated JSON in a complete 200 response", call: "GetByName",
			setup: fmRaw(fmBody(200, "application/json", `{"secrets":[{"secretID":"3f2b8a4e","name":"DB_PASS`, "", "")),
			want:  fmWant{requestErr: true, sentinel: secrets.ErrInvalidResponse, text: "malformed JSON"}, requests: 1, within: 2 * time.Second},
		{fault: "200 declaring a 1 GiB body (`Content-Length`)", call: "GetByName",
			setup: fmRaw(func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Length", fmt.Sprint(1<<30))
				_, _ = w.Write([]byte(`{"secrets":[`))
			}),
			want: fmWant{requestErr: true, sentinel: secrets.ErrInvalidResponse, text: "larger than any valid response"}, requests: 1, within: 2 * time.Second},
		{fault: "valid JSON served as `text/plain`", call: "GetByName",
			setup: fmRaw(func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				fmWriteList(w)
			}),
			want: fmWant{value: true}, requests: 1, within: 2 * time.Second},
		{fault: "`text/plain` 200 that is not JSON", call: "GetByName", setup: fmRaw(fmBody(200, "text/plain", "OK", "", "")),
			want: fmWant{requestErr: true, sentinel: secrets.ErrInvalidResponse}, requests: 1, within: 2 * time.Second},
		{fault: "HTML error page from a proxy (502, every attempt, RetryMax 2)", call: "GetByName",
			setup: fmRaw(fmBody(502, "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>", "", "")),
			opts:  []secrets.Option{secrets.WithRetryMax(2)},
			want:  fmWant{apiStatus: 502, text: "502 Bad Gateway (3 attempts)"}, requests: 3, within: 2 * time.Second},
		{fault: "HTML page with 200 (captive portal)", call: "GetByName",
			setup: fmRaw(fmBody(200, "text/html", "<html><body>Please log in</body></html>", "", "")),
			want:  fmWant{requestErr: true, sentinel: secrets.ErrInvalidResponse}, requests: 1, within: 2 * time.Second},
		{fault: "redirect (307) to the same host", call: "GetByName", setup: fmRedirectSameHost,
			want: fmWant{value: true}, requests: 2, within: 2 * time.Second},
		{fault: "redirect (307) to another host: refused, nothing sent there", call: "GetByName", setup: fmRedirectOtherHost(false),
			want: fmWant{requestErr: true, sentinel: secrets.ErrRedirectRefused, text: "redirect refused: a 307 from http://127.0.0.1:"}, requests: 1, within: 2 * time.Second},
		{fault: "redirect (308) of a POST to another host: refused, the value not re-sent", call: "Create", setup: fmRedirectOtherHost(false, http.StatusPermanentRedirect),
			want: fmWant{requestErr: true, sentinel: secrets.ErrRedirectRefused, text: "redirect refused: a 308 from http://127.0.0.1:"}, requests: 1, within: 2 * time.Second},
		{fault: "redirect from https to http on a loopback host: refused", call: "GetByName", setup: fmRedirectOtherHost(true),
			want: fmWant{requestErr: true, sentinel: secrets.ErrRedirectRefused, text: "redirect refused: a 307 from https://127.0.0.1:"}, requests: 1, within: 2 * time.Second},
		{fault: "redirect from https to http on another host", call: "GetByName",
			setup: fmRaw(func(_ int, w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "http://api.example.com"+r.URL.RequestURI(), http.StatusTemporaryRedirect)
			}, rawTLS),
			want: fmWant{requestErr: true, sentinel: secrets.ErrRedirectRefused, text: "to http://api.example.com: the client follows redirects within the base URL's host only"}, requests: 1, within: 2 * time.Second},
		{fault: "redirect loop", call: "GetByName",
			setup: fmRaw(func(_ int, w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, r.URL.RequestURI(), http.StatusFound)
			}),
			want: fmWant{requestErr: true, text: "stopped after 10 redirects", attempts: 1}, requests: 10, within: 2 * time.Second},
	}

	measured := make([]time.Duration, len(rows)) // each row writes its own; read once every row is done
	t.Run("rows", func(t *testing.T) {
		for i, row := range rows {
			t.Run(row.fault, func(t *testing.T) {
				t.Parallel()
				target := row.setup(t)
				opts := append([]secrets.Option{
					secrets.WithAPIKey(testToken),
					secrets.WithBaseURL(target.baseURL),
					secrets.WithHTTPClient(target.hc),
					secrets.WithRetryWait(time.Millisecond, 2*time.Second),
				}, row.opts...)
				c, err := secrets.NewClient(opts...)
				require.NoError(t, err)

				start := time.Now()
				err = fmCall(t.Context(), c, row.call)
				elapsed := time.Since(start)

				fmCheck(t, row, err)
				assert.Equal(t, row.requests, target.requests(), "requests at the server")
				assert.Less(t, elapsed, row.within, "time spent")
				assert.GreaterOrEqual(t, elapsed, row.atLeast, "time spent")
				if err != nil {
					assertNoSecret(t, err.Error(), "error", testToken, fmValue)
					assert.NotContains(t, err.Error(), target.baseURL+"/v1", "the URL is not repeated")
				}
				target.check(t)
				measured[i] = elapsed
			})
		}
	})

	var table strings.Builder
	table.WriteString("\n| fault | call | outcome | requests at the server | time |\n|---|---|---|---|---|\n")
	for _, row := range rows {
		bound := "< " + row.within.String()
		if row.atLeast > 0 {
			bound = "≥ " + row.atLeast.String() + ", " + bound
		}
		fmt.Fprintf(&table, "| %s | %s | %s | %d | %s |\n", row.fault, row.call, row.want, row.requests, bound)
	}
	t.Log(table.String())
	for i, row := range rows {
		t.Logf("measured %-8s %s", measured[i].Round(time.Millisecond), row.fault)
	}
}

// fmCall makes the row's call: a read by name or a create.
func fmCall(ctx context.Context, c *secrets.Client, call string) error {
	switch call {
	case "GetByName":
		s, err := c.Secrets.GetByName(ctx, fmName)
		if err == nil && (s.Value == nil || *s.Value != fmValue) {
			return errors.New("wrong value")
		}
		return err
	case "Create":
		s, err := c.Secrets.Create(ctx, fmNewKey, fmValue)
		if err == nil && s.Name != fmNewKey {
			return errors.New("wrong secret")
		}
		return err
	}
	panic("unknown call " + call)
}

func fmCheck(t *testing.T, row fmRow, err error) {
	t.Helper()
	w := row.want
	if w.value {
		require.NoError(t, err)
		return
	}
	require.Error(t, err)
	attempts := w.attempts
	if attempts == 0 {
		attempts = row.requests
	}
	if w.sentinel != nil {
		assert.ErrorIs(t, err, w.sentinel)
	}
	var apiErr *secrets.APIError
	var reqErr *secrets.RequestError
	switch {
	case w.apiStatus != 0:
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, w.apiStatus, apiErr.StatusCode)
		assert.Equal(t, attempts, apiErr.Attempts)
		assert.Equal(t, w.retryAfter, apiErr.RetryAfter)
	case w.requestErr:
		require.ErrorAs(t, err, &reqErr)
		assert.Equal(t, attempts, reqErr.Attempts)
	}
	if w.timeout {
		var netErr net.Error
		require.ErrorAs(t, err, &netErr)
		assert.True(t, netErr.Timeout())
		assert.NotErrorIs(t, err, context.Canceled, "a timeout, not a cancellation")
	}
	assert.Contains(t, err.Error(), w.text)
	assert.NotContains(t, err.Error(), "giving up")
}

// fmEmulator starts an emulator holding fmName, with the row's faults injected.
func fmEmulator(inject func(*secretstest.Server)) func(t *testing.T) fmTarget {
	return func(t *testing.T) fmTarget {
		srv := secretstest.NewServer(secretstest.WithAPIKey(testToken))
		t.Cleanup(srv.Close)
		srv.AddSecret(fmName, fmValue, "")
		inject(srv)
		return fmTarget{baseURL: srv.URL, hc: srv.Client(), requests: srv.RequestCount, check: func(t *testing.T) {
			// What the client was told is what the emulator holds: never a second copy.
			assert.LessOrEqual(t, len(srv.Secrets()), 2)
		}}
	}
}

// fmRaw starts a raw server (harness_raw_test.go) running h.
func fmRaw(h rawHandler, opts ...rawOption) func(t *testing.T) fmTarget {
	return func(t *testing.T) fmTarget {
		srv := newRawServer(t, h, opts...)
		return fmTarget{baseURL: srv.URL, hc: srv.client(t), requests: srv.requests, check: func(t *testing.T) { fmNoOtherToken(t, srv) }}
	}
}

// fmNoOtherToken checks that the servers of a row never received a token but the client's.
func fmNoOtherToken(t *testing.T, servers ...*rawServer) {
	for _, srv := range servers {
		for _, hit := range srv.recorded() {
			assert.Contains(t, []string{"", "Bearer " + testToken}, hit.Auth)
		}
	}
}

// fmFirst applies h to the first request and answers the others normally.
func fmFirst(h rawHandler) rawHandler {
	return func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			h(n, w, r)
			return
		}
		fmWriteOK(w, r)
	}
}

// fmBody answers status with body as contentType, and a header ("" for none) set to value.
func fmBody(status int, contentType, body, header, value string) rawHandler {
	return func(_ int, w http.ResponseWriter, _ *http.Request) {
		if header != "" {
			w.Header().Set(header, value)
		}
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// fmResetMidBody sends the headers and half of a valid answer, then resets the connection.
func fmResetMidBody(_ int, w http.ResponseWriter, r *http.Request) {
	body := fmSecretJSON(fmName)
	if r.Method == http.MethodGet {
		body = `{"secrets":[` + body + `]}`
	}
	resetMidBody(w, body)
}

func fmSecretJSON(name string) string {
	return `{"secretID":"` + secretID + `","name":"` + name + `","value":"` + fmValue + `","createdBy":"` + aliceID +
		`","createdAt":"2024-05-01T12:00:00Z","lastUpdatedBy":"` + aliceID + `","lastUpdatedAt":"2024-05-01T12:00:00Z"}`
}

func fmWriteList(w http.ResponseWriter) {
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	_, _ = w.Write([]byte(`{"secrets":[` + fmSecretJSON(fmName) + `]}`))
}

// fmWriteOK answers a row's request as the API would.
func fmWriteOK(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(fmSecretJSON(fmNewKey)))
		return
	}
	fmWriteList(w)
}

func fmRedirectSameHost(t *testing.T) fmTarget {
	srv := newRawServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/moved/") {
			http.Redirect(w, r, "/moved"+r.URL.RequestURI(), http.StatusTemporaryRedirect)
			return
		}
		fmWriteList(w)
	})
	return fmTarget{baseURL: srv.URL, hc: srv.client(t), requests: srv.requests, check: func(t *testing.T) {
		fmNoOtherToken(t, srv)
		hits := srv.recorded()
		require.Len(t, hits, 2)
		assert.Equal(t, "Bearer "+testToken, hits[1].Auth, "the token stays on its host")
	}}
}

// fmRedirectOtherHost redirects from one server to another (from https to plain http when
// fromTLS is set), with a 307 or the code given; the client refuses, and the second server sees
// nothing, not even a connection.
func fmRedirectOtherHost(fromTLS bool, code ...int) func(t *testing.T) fmTarget {
	status := http.StatusTemporaryRedirect
	if len(code) > 0 {
		status = code[0]
	}
	return func(t *testing.T) fmTarget {
		target := newRawServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { fmWriteList(w) })
		var opts []rawOption
		if fromTLS {
			opts = append(opts, rawTLS)
		}
		origin := newRawServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL+r.URL.RequestURI(), status)
		}, opts...)
		return fmTarget{baseURL: origin.URL, hc: origin.client(t),
			requests: func() int { return origin.requests() + target.requests() },
			check: func(t *testing.T) {
				fmNoOtherToken(t, origin, target)
				assert.Zero(t, target.conns.Load(), "nothing reaches the other host")
			}}
	}
}
