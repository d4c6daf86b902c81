package secrets_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// allocatedBy returns the bytes allocated while f ran (runtime.MemStats.TotalAlloc): a test that
// calls it must not run in parallel with others, whose allocations would count.
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestBody_DeclaredLengthIsNotTrusted (issue 11 §5) is not parallel: it measures the bytes the
// process allocates. A server declares 256 MiB and sends 12 bytes; 8 concurrent GetByName calls (each
// retried) allocate under 64 MiB in total (a buffer sized from Content-Length would take 2 GiB).
func TestBody_DeclaredLengthIsNotTrusted(t *testing.T) {
	c := newRawServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		breakConn(w, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 268435456\r\n\r\n{\"secrets\":[", false)
	}).newClient(t, secrets.WithRetryMax(2))

	const calls = 8
	errs := make([]error, calls)
	total := allocatedBy(func() {
		var wg sync.WaitGroup
		for i := range calls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = c.Secrets.GetByName(t.Context(), "DB_PASSWORD")
			}()
		}
		wg.Wait()
	})
	for _, err := range errs {
		var reqErr *secrets.RequestError
		require.ErrorAs(t, err, &reqErr)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
		assert.Equal(t, 3, reqErr.Attempts)
	}
	t.Logf("8 calls, 3 attempts each, against a 256 MiB declaration of 12 bytes: %d KiB allocated", total>>10)
	assert.Less(t, total, uint64(64<<20), "allocation follows what arrives")
}

// TestBody_EndlessChunkedBodyStopsAtTheLimit is not parallel: it measures allocation. A chunked body
// that never ends is read just past the limit of one object, then refused (ErrInvalidResponse, not
// retried); the buffer grows with what arrives, so the call allocates well under twice the limit.
func TestBody_EndlessChunkedBodyStopsAtTheLimit(t *testing.T) {
	chunk := strings.Repeat("x", 0x8000)
	c := newRawServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { endlessChunks(w, chunk) }).
		newClient(t, secrets.WithRetryMax(2))

	var callErr error
	total := allocatedBy(func() { _, callErr = c.Secrets.Get(t.Context(), secretID) })
	var reqErr *secrets.RequestError
	require.ErrorAs(t, callErr, &reqErr)
	assert.ErrorIs(t, callErr, secrets.ErrInvalidResponse)
	assert.Contains(t, callErr.Error(), "larger than any valid response")
	assert.Equal(t, 1, reqErr.Attempts, "not retried")
	t.Logf("endless chunked body, limit %d MiB: %d MiB allocated", secrets.MaxObjectBody>>20, total>>20)
	assert.Less(t, total, uint64(2*secrets.MaxObjectBody), "under twice the limit")
}

// endlessBody is a body that never ends, and counts the bytes read from it.
type endlessBody struct{ read atomic.Int64 }

func (b *endlessBody) Read(p []byte) (int, error) {
	for filled := 0; filled < len(p); {
		filled += copy(p[filled:], xBlock[:])
	}
	b.read.Add(int64(len(p)))
	return len(p), nil
}

func (b *endlessBody) Close() error { return nil }

var xBlock = [4096]byte(bytes.Repeat([]byte("x"), 4096))

// TestBody_LargeSuccessBody: a 2xx body over the limit is ErrInvalidResponse, found from
// Content-Length without reading the body, or after reading just past the limit; never retried.
func TestBody_LargeSuccessBody(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name          string
		contentLength int64
		body          *endlessBody
		maxRead       int64
	}{
		{"Content-Length over the limit", secrets.MaxObjectBody + 1, &endlessBody{}, 0},
		{"endless chunked body", -1, &endlessBody{}, secrets.MaxObjectBody + 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, api := setup(t)
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
		c, api := setup(t)
		api.on(http.MethodGet, getPath, jsonResponder(200, `{"secretID":"`+secretID+`","name":"BIG","value":"`+value+`"}`))
		s, err := c.Secrets.Get(t.Context(), secretID)
		require.NoError(t, err)
		assert.Len(t, *s.Value, secrets.MaxValueBytes)
	})
}

// TestBody_ErrorBodiesAreCut: an error body is read up to MaxErrorBody bytes, even an endless one.
func TestBody_ErrorBodiesAreCut(t *testing.T) {
	t.Parallel()
	for _, retries := range []int{0, 2} {
		t.Run(fmt.Sprint("retries ", retries), func(t *testing.T) {
			t.Parallel()
			c, api := setup(t, secrets.WithRetryMax(retries))
			var bodies []*endlessBody
			var mu sync.Mutex
			api.on(http.MethodGet, getPath, func(req *http.Request) (*http.Response, error) {
				b := &endlessBody{}
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

// TestBody_ErrorBodyCutInsideTheValue: when the cut at MaxErrorBody falls inside an echo of the value
// sent, even the value's first one to three bytes before the cut are masked (a text that was not cut
// keeps a trailing fragment that short: it is masked from 4 bytes on).
func TestBody_ErrorBodyCutInsideTheValue(t *testing.T) {
	t.Parallel()
	const value = "Zq9-secret-value"
	for k := 1; k < len(value); k++ {
		c, api := setup(t, secrets.WithRetryMax(0))
		api.on(http.MethodPost, "/v1/secrets",
			httpmock.NewStringResponder(400, strings.Repeat(".", secrets.MaxErrorBody-k)+value+" was refused"))
		_, err := c.Secrets.Create(t.Context(), "NAME", value)
		var apiErr *secrets.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.False(t, strings.HasSuffix(string(apiErr.Body), "."+value[:k]), "cut after %d bytes of the value", k)
		assert.NotContains(t, err.Error(), "."+value[:k], "cut after %d bytes of the value", k)
	}
}
