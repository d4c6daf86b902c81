package secrets_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// quotedValue holds what encoders escape: quotes, <, >, &, ', +, /, a backslash, non-ASCII, an astral
// character, U+2028 and a control character. quotedMarker is its start, which no output may show in
// any encoding.
const (
	quotedMarker = "EchoVal_7f3a"
	quotedValue  = quotedMarker + "\"<&>'+/\\ü🔑\u2028\x01end"
)

// echoEncoders are the ways servers and proxies quote a value (issue 11, section 3).
var echoEncoders = map[string]func(string) string{
	"json": func(s string) string { b, _ := json.Marshal(s); return string(b[1 : len(b)-1]) },
	"php \\/": func(s string) string {
		b, _ := json.Marshal(s)
		return strings.ReplaceAll(string(b[1:len(b)-1]), "/", `\/`)
	},
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
	"node raw U+2028": func(s string) string {
		return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\x01", `\u0001`).Replace(s)
	},
	"html named": html.EscapeString,
	"html numeric": func(s string) string {
		var b strings.Builder
		for _, r := range s {
			fmt.Fprintf(&b, "&#x%x;", r)
		}
		return b.String()
	},
	"go %q": func(s string) string { q := strconv.Quote(s); return q[1 : len(q)-1] },
	"json twice": func(s string) string {
		b, _ := json.Marshal(s)
		b, _ = json.Marshal(string(b))
		return string(b[3 : len(b)-3])
	},
}

// echoLeak returns what of the value text shows, or "".
func echoLeak(text string, encode func(string) string) string {
	for _, form := range []string{quotedMarker, encode(quotedMarker), quotedMarker[:7]} {
		if strings.Contains(text, form) {
			return form
		}
	}
	return ""
}

// echoLogs is a logger whose JSON and text records are kept for inspection.
type echoLogs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *echoLogs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *echoLogs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *echoLogs) loggers() (*slog.Logger, *slog.Logger) {
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	return slog.New(slog.NewJSONHandler(l, opts)), slog.New(slog.NewTextHandler(l, opts))
}

// assertNoEcho checks every text the SDK makes of err, and the log records, for the value.
func assertNoEcho(t *testing.T, err error, logs string, encode func(string) string) {
	t.Helper()
	require.Error(t, err)
	texts := map[string]string{"Error()": err.Error(), "%+v": fmt.Sprintf("%+v", err), "%#v": fmt.Sprintf("%#v", err), "logs": logs}
	var apiErr *secrets.APIError
	if assert.ErrorAs(t, err, &apiErr) {
		texts["Message"], texts["Body"], texts["RequestID"] = apiErr.Message, string(apiErr.Body), apiErr.RequestID
	}
	for where, text := range texts {
		assert.Empty(t, echoLeak(text, encode), "%s shows the value: %s", where, text)
	}
}

// TestRedaction_EscapedEchoesOfTheValueSent: a server that quotes the value a Create or Update sent,
// in any encoding, outside the message field, in an HTML page or in plain text, or in a body the
// connection cut mid-value, with any error status, has it masked in Error(), Message, Body, fmt
// output and log records.
func TestRedaction_EscapedEchoesOfTheValueSent(t *testing.T) {
	t.Parallel()
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
	for encName, encode := range echoEncoders {
		for styleName, style := range styles {
			t.Run(encName+"/"+styleName, func(t *testing.T) {
				t.Parallel()
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					var sent struct{ Value string }
					_ = json.NewDecoder(r.Body).Decode(&sent)
					status, _ := strconv.Atoi(r.Header.Get("X-Test-Status"))
					contentType, body := style(encode(sent.Value))
					w.Header().Set("Content-Type", contentType)
					if id := encode(sent.Value); !strings.ContainsFunc(id, func(r rune) bool { return r < ' ' || r > '~' }) {
						w.Header().Set("X-Request-Id", "req "+id) // a header holds printable ASCII only
					}
					if styleName == "json cut" { // the connection drops after the value's first bytes
						cut := strings.Index(body, encode(sent.Value)) + len(encode(quotedMarker+`"<&`))
						w.Header().Set("Content-Length", strconv.Itoa(len(body)))
						w.WriteHeader(status)
						_, _ = io.WriteString(w, body[:cut])
						return
					}
					w.WriteHeader(status)
					_, _ = io.WriteString(w, body)
				}))
				t.Cleanup(srv.Close)
				var logs echoLogs
				jsonLog, textLog := logs.loggers()
				for _, status := range []int{400, 409, 413, 422, 500, 503} {
					for _, logger := range []*slog.Logger{jsonLog, textLog} {
						c, err := secrets.NewClient(secrets.WithAPIKey("tok_echo_0123456789"), secrets.WithBaseURL(srv.URL),
							secrets.WithHTTPClient(&http.Client{Transport: statusHeader{srv.Client().Transport, status}}),
							secrets.WithRetryMax(0), secrets.WithLogger(logger))
						require.NoError(t, err)
						_, err = c.Secrets.Create(t.Context(), "DB_PASSWORD", quotedValue)
						assertNoEcho(t, err, logs.String(), encode)
						var apiErr *secrets.APIError
						if assert.ErrorAs(t, err, &apiErr) {
							assert.Equal(t, status, apiErr.StatusCode)
						}
						_, err = c.Secrets.Update(t.Context(), "0b0f6d35-5a3c-4c59-9f53-2c5e0d6b9a11", quotedValue)
						assertNoEcho(t, err, logs.String(), encode)
					}
				}
			})
		}
	}
}

// statusHeader tells the test server which status to answer with.
type statusHeader struct {
	next   http.RoundTripper
	status int
}

func (s statusHeader) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Test-Status", strconv.Itoa(s.status))
	return s.next.RoundTrip(r)
}

// TestRedaction_TransportQuotesTheValue: net/http quotes a malformed header line with %q (\x01, \"
// and \u escapes); a server that echoes the value there has it masked in the *RequestError.
func TestRedaction_TransportQuotesTheValue(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait) // after the listener is closed: cleanups run last-in first-out
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			req, err := http.ReadRequest(bufio.NewReader(conn))
			if err == nil {
				var sent struct{ Value string }
				_ = json.NewDecoder(req.Body).Decode(&sent)
				line := strings.NewReplacer("\r", "", "\n", "", ":", "").Replace(sent.Value)
				_, _ = io.WriteString(conn, "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nbad "+line+"\r\n\r\n")
			}
			_ = conn.Close()
		}
	}()
	var logs echoLogs
	logger, _ := logs.loggers()
	c, err := secrets.NewClient(secrets.WithAPIKey("tok_echo_0123456789"), secrets.WithBaseURL("http://"+ln.Addr().String()),
		secrets.WithRetryMax(0), secrets.WithLogger(logger), secrets.WithTimeout(5*time.Second))
	require.NoError(t, err)
	_, err = c.Secrets.Create(t.Context(), "DB_PASSWORD", quotedValue)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "malformed MIME header")
	var reqErr *secrets.RequestError
	require.ErrorAs(t, err, &reqErr)
	goQuote := echoEncoders["go %q"]
	for where, text := range map[string]string{"Error()": err.Error(), "%+v": fmt.Sprintf("%+v", err), "logs": logs.String()} {
		assert.Empty(t, echoLeak(text, goQuote), "%s shows the value: %s", where, text)
	}
}

// TestRedaction_CacheMasksEscapedEchoesOfWhatItHolds: a failed refresh whose body quotes the held
// value (HTML-escaped, .NET-escaped, cut mid-value) reaches neither the error nor the stale-value
// Warn record.
func TestRedaction_CacheMasksEscapedEchoesOfWhatItHolds(t *testing.T) {
	t.Parallel()
	for _, encName := range []string{"html named", "html numeric", ".NET \\uXXXX", "go %q", "json twice"} {
		encode := echoEncoders[encName]
		for _, cut := range []bool{false, true} {
			t.Run(fmt.Sprint(encName, " cut=", cut), func(t *testing.T) {
				t.Parallel()
				body := "<html><p>cannot decrypt " + encode(quotedValue) + "</p></html>"
				if cut {
					body = body[:strings.Index(body, encode(quotedValue))+len(encode(quotedMarker))+4]
				}
				assertCacheHidesEcho(t, "text/html", body, encode)
			})
		}
	}
}

// TestRedaction_CacheMasksEchoesInTheMessage: the error's Message is the server's message with white
// space and control characters normalized (quotedValue holds U+2028 and \x01) and cut at a length
// limit; the held value is masked there too, not only as the body spells it.
func TestRedaction_CacheMasksEchoesInTheMessage(t *testing.T) {
	t.Parallel()
	message := func(text string) string { b, _ := json.Marshal(map[string]string{"message": text}); return string(b) }
	bodies := map[string]string{
		"normalized":               message("cannot decrypt " + quotedValue + " now"),
		"cut at the message limit": message(strings.Repeat("x", 505) + quotedValue),
		"plain text":               "cannot decrypt " + quotedValue + " now",
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			assertCacheHidesEcho(t, "application/json", body, func(s string) string { return s })
		})
	}
}

// assertCacheHidesEcho reads quotedValue into a Cache, then has its refresh fail with a 503 whose
// body is failBody, with and without WithStaleIfError: neither the error nor the Warn record may
// show the value in the encoding encode gives.
func assertCacheHidesEcho(t *testing.T, contentType, failBody string, encode func(string) string) {
	t.Helper()
	var failing sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if _, ok := failing.Load("on"); !ok {
			_ = json.NewEncoder(w).Encode(map[string]any{"secrets": []map[string]string{
				{"secretID": "0b0f6d35-5a3c-4c59-9f53-2c5e0d6b9a11", "name": "DB_PASSWORD", "value": quotedValue},
			}})
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, failBody)
	}))
	t.Cleanup(srv.Close)
	c, err := secrets.NewClient(secrets.WithAPIKey("tok_echo_0123456789"), secrets.WithBaseURL(srv.URL),
		secrets.WithHTTPClient(srv.Client()), secrets.WithRetryMax(0))
	require.NoError(t, err)
	var logs echoLogs
	logger, _ := logs.loggers()
	clock := newFakeClock(cacheStart)
	for _, stale := range []bool{false, true} {
		failing.Delete("on")
		opts := []secrets.CacheOption{secrets.WithCacheLogger(logger), secrets.WithCacheClock(clock.Now), secrets.WithTTL(time.Minute)}
		if stale {
			opts = append(opts, secrets.WithStaleIfError(time.Hour))
		}
		cache, err := secrets.NewCache(c, opts...)
		require.NoError(t, err)
		got, err := cache.Get(t.Context(), "DB_PASSWORD")
		require.NoError(t, err)
		require.Equal(t, quotedValue, got)
		failing.Store("on", true)
		clock.Advance(2 * time.Minute)
		_, err = cache.Get(t.Context(), "DB_PASSWORD")
		if stale {
			require.NoError(t, err)
			assert.Contains(t, logs.String(), "stale")
			assert.Empty(t, echoLeak(logs.String(), encode), "the Warn record shows the value: %s", logs.String())
			continue
		}
		assertNoEcho(t, err, logs.String(), encode)
	}
}
