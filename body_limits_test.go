package secrets_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// rawServer is a loopback TCP server that answers every request on a connection with respond, then
// closes it: a server that lies in ways net/http's own server would not.
type rawServer struct {
	ln net.Listener
	wg sync.WaitGroup
}

func newRawServer(t *testing.T, respond func(w *bufio.Writer) error) *rawServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	rs := &rawServer{ln: ln}
	rs.wg.Add(1)
	go func() {
		defer rs.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			rs.wg.Add(1)
			go func() {
				defer rs.wg.Done()
				defer conn.Close()
				req, err := http.ReadRequest(bufio.NewReader(conn))
				if err != nil {
					return
				}
				_ = req.Body.Close()
				w := bufio.NewWriter(conn)
				if respond(w) == nil {
					_ = w.Flush()
				}
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		rs.wg.Wait()
	})
	return rs
}

func (rs *rawServer) URL() string { return "http://" + rs.ln.Addr().String() }

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
	srv := newRawServer(t, func(w *bufio.Writer) error {
		_, err := w.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 268435456\r\n\r\n{\"secrets\":[")
		return err
	})
	c, err := secrets.NewClient(secrets.WithAPIKey(testToken), secrets.WithBaseURL(srv.URL()), secrets.WithRetryMax(2), fastRetries())
	require.NoError(t, err)

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
	chunk := "8000\r\n" + strings.Repeat("x", 0x8000) + "\r\n"
	srv := newRawServer(t, func(w *bufio.Writer) error {
		if _, err := w.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"); err != nil {
			return err
		}
		for {
			if _, err := w.WriteString(chunk); err != nil {
				return err // the client hung up
			}
		}
	})
	c, err := secrets.NewClient(secrets.WithAPIKey(testToken), secrets.WithBaseURL(srv.URL()), secrets.WithRetryMax(2), fastRetries())
	require.NoError(t, err)

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
