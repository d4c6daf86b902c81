package secretstest_test

import (
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/internal/validate"
)

// The body of a request without a valid token is never read: the 401 comes while the client is
// still "sending" a body it declared huge (or chunked and endless), and the connection then closes.
func TestUnauthenticatedBodyIsNeverRead(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const huge = 40 << 20
	tests := []struct {
		name, auth, framing, body string
	}{
		{"no token, declared length", "", fmt.Sprintf("Content-Length: %d", huge), `{"name":"X","value":"`},
		{"bad token, declared length", "Authorization: Bearer nope\r\n", fmt.Sprintf("Content-Length: %d", huge), `{"name":"X"`},
		{"removed scheme, declared length", "Authorization: Basic " + e.key + "\r\n", fmt.Sprintf("Content-Length: %d", huge), "x"},
		{"no token, chunked and endless", "", "Transfer-Encoding: chunked", "5\r\n{\"na\"\r\n"},
		{"bad token, body under the drain size", "Authorization: Bearer nope\r\n", "Content-Length: 100", `{"name":"X"`},
	}
	t.Cleanup(func() { // after the parallel rows: none of them stored anything
		_, ok := e.srv.SecretValue("X")
		assert.False(t, ok)
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			head := "POST /v1/secrets HTTP/1.1\r\nHost: emulator\r\nContent-Type: application/json\r\n" + tt.auth + tt.framing
			conn, rd := rawRequest(t, e.srv, head, tt.body)
			resp, err := http.ReadResponse(rd, nil)
			require.NoError(t, err, "the answer must not wait for the body")
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
			assert.True(t, resp.Close, "the connection is not kept for another request")
			_, err = conn.Read(make([]byte, 1))
			assert.ErrorIs(t, err, io.EOF, "the server closed the connection")
		})
	}
}

// Memory follows the bytes that arrive, not a declared Content-Length: eight authenticated requests
// that declare 40 MiB and send 12 bytes make the server allocate a few MiB in all, not 320 MiB.
// Not parallel: it measures the process's allocations while nothing else runs.
func TestDeclaredLengthDoesNotPinMemory(t *testing.T) {
	e := newEnv(t)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const conns = 8
	for range conns {
		head := fmt.Sprintf("POST /v1/secrets HTTP/1.1\r\nHost: emulator\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d", e.key, 40<<20)
		rawRequest(t, e.srv, head, `{"name":"X",`)
	}
	require.Eventually(t, func() bool { return e.srv.InFlight() == conns }, 10*time.Second, time.Millisecond)
	e.srv.Close() // closes the connections, which ends the body reads, and waits for the handlers
	runtime.ReadMemStats(&after)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(64<<20), "bytes allocated for %d lying requests", conns)
}

// Only JSON labelled as JSON is accepted, on every endpoint that takes a body, and a refused body
// changes nothing; a JSON type with a UTF-8 charset (or none) in any case is accepted.
func TestBodiesMustBeLabelledJSON(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sec := e.create(e.key, "TYPED", "original")
	reader := e.srv.AddUser("reader@example.com")
	refused := []string{
		"", "text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded",
		"multipart/form-data; boundary=x", "application/octet-stream", "application/jsonp",
		"application/problem+json", "text/json", "application/json; charset=iso-8859-1",
		"application/json; charset=utf-16", "json", "application/",
	}
	for _, rt := range routes {
		if rt.body == "" {
			continue
		}
		path, body := rt.request(sec.SecretID, reader.ID)
		for _, ct := range refused {
			t.Run(rt.name+"/"+ct, func(t *testing.T) {
				t.Parallel()
				r := e.sendTyped(rt.method, path, ct, body.(string))
				assert.Equal(t, http.StatusBadRequest, r.status, "body: %s", r.body)
				assert.Contains(t, decode[wireError](t, r, http.StatusBadRequest).Message, "application/json")
			})
		}
	}
	accepted := []string{
		"application/json", "application/json; charset=utf-8", "Application/JSON; Charset=UTF-8",
		`application/json; charset="utf-8"`, "application/json;charset=utf8", "application/json; version=1",
	}
	for i, ct := range accepted {
		t.Run("accepted/"+ct, func(t *testing.T) {
			t.Parallel()
			name := fmt.Sprintf("ACCEPTED_%d", i)
			r := e.sendTyped(http.MethodPost, "/v1/secrets", ct, `{"name":"`+name+`","value":"v"}`)
			require.Equal(t, http.StatusOK, r.status, "body: %s", r.body)
			value, ok := e.srv.SecretValue(name)
			assert.True(t, ok)
			assert.Equal(t, "v", value)
		})
	}
	t.Cleanup(func() {
		value, _ := e.srv.SecretValue("TYPED")
		assert.Equal(t, "original", value)
		_, ok := e.srv.SecretValue("CREATED")
		assert.False(t, ok)
		got, _ := e.srv.Secret("TYPED")
		assert.Len(t, got.Grants, 1, "no share went through")
	})
}

// A body is valid UTF-8 or refused: raw bytes that are not UTF-8 and escaped lone surrogates would
// otherwise be stored as U+FFFD, a value nobody sent. Escapes that are well-formed (pairs, an
// escaped backslash before "u", U+FFFD itself) keep working.
func TestBodiesMustBeUTF8(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sec := e.create(e.key, "UTF8_TARGET", "original")
	tests := []struct {
		name  string
		value string // the JSON text of the value, quotes included
		want  string // the value stored; "" when refused
	}{
		{"invalid byte", "\"a\xffb\"", ""},
		{"lone continuation byte", "\"\x80\"", ""},
		{"overlong slash", "\"\xc0\xaf\"", ""},
		{"truncated sequence at the end", "\"ab\xe2\x82\"", ""},
		{"surrogate encoded as UTF-8", "\"\xed\xa0\x80\"", ""},
		{"code point above U+10FFFF", "\"\xf4\x90\x80\x80\"", ""},
		{"escaped lone high surrogate", `"\ud800"`, ""},
		{"escaped lone high surrogate, upper case", `"x\uD83Dy"`, ""},
		{"escaped lone low surrogate", `"\udc00"`, ""},
		{"high surrogate then a letter escape", `"\ud800\u0041"`, ""},
		{"high surrogate then a one-character escape", `"\ud800\n"`, ""},
		{"pair in the wrong order", `"\udc00\ud800"`, ""},
		{"two high surrogates", `"\ud83d\ud83d\ude00"`, ""},
		{"valid pair", `"\ud83d\ude00"`, "\U0001F600"},
		{"raw four-byte character", `"😀"`, "😀"},
		{"escaped backslash before u", `"\\ud800"`, `\ud800`},
		{"escaped quote then an escape", `"\"\u00e9"`, `"é`},
		{"U+FFFD sent raw", "\"\uFFFD\"", "\uFFFD"},
		{"U+FFFD sent escaped", `"\ufffd"`, "\uFFFD"},
		{"escaped NUL", `"a\u0000b"`, "a\x00b"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			name := fmt.Sprintf("UTF8_%d", i)
			create := e.sendTyped(http.MethodPost, "/v1/secrets", "application/json", `{"name":"`+name+`","value":`+tt.value+`}`)
			update := e.sendTyped(http.MethodPatch, "/v1/secrets/"+sec.SecretID, "application/json", `{"value":`+tt.value+`}`)
			if tt.want == "" {
				assert.Equal(t, http.StatusBadRequest, create.status, "create: %s", create.body)
				assert.Equal(t, http.StatusBadRequest, update.status, "update: %s", update.body)
				_, ok := e.srv.SecretValue(name)
				assert.False(t, ok)
				return
			}
			require.Equal(t, http.StatusOK, create.status, "create: %s", create.body)
			require.Equal(t, http.StatusOK, update.status, "update: %s", update.body)
			value, _ := e.srv.SecretValue(name)
			assert.Equal(t, tt.want, value)
		})
	}
}

// Lone surrogates are refused wherever they are in the body, not only in the value.
func TestLoneSurrogateInAnyString(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, body := range []string{
		`{"name":"SURR_KEY","value":"v","\ud800":1}`,
		`{"name":"SURR_NESTED","value":"v","extra":["\udfff"]}`,
		`{"name":"SURR_END","value":"v","extra":"\ud800"}`,
	} {
		r := e.sendTyped(http.MethodPost, "/v1/secrets", "application/json", body)
		assert.Equal(t, http.StatusBadRequest, r.status, "%s: %s", body, r.body)
	}
	assert.Empty(t, e.srv.Secrets())
}

func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const limit = 8 * validate.MaxValueBytes
	tests := []struct {
		name          string
		contentLength bool
	}{
		{"declared length", true},
		{"chunked", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if !tt.contentLength && testing.Short() {
				t.Skip("streams 40 MiB")
			}
			prefix, suffix := `{"name":"HUGE","value":"`, `"}`
			size := int64(limit + 1)
			body := io.MultiReader(strings.NewReader(prefix),
				io.LimitReader(repeatByte('x'), size-int64(len(prefix)+len(suffix))),
				strings.NewReader(suffix))
			req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/v1/secrets", body)
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+e.key)
			req.Header.Set("Content-Type", "application/json")
			if tt.contentLength {
				req.ContentLength = size
			}
			resp, err := e.client.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
		})
	}
	t.Cleanup(func() {
		_, ok := e.srv.SecretValue("HUGE")
		assert.False(t, ok)
	})
}
