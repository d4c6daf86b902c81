package secrets_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
)

// The writes that are not idempotent, Create (POST /v1/secrets) and Share (PATCH …/accessControls),
// are sent again only when the request cannot have reached the server: a failed dial, or a 429 (the
// server refused it unprocessed). Whenever the request may have been processed (the connection broke
// after it was sent, or a 5xx came back) the caller gets the error and the write is never sent twice;
// looking the name up tells what happened. These tests prove it against the emulator, counting the
// requests it received and the state it ends with.

// wrFault is one way for a write to go wrong.
type wrFault struct {
	name string
	// inject arms the fault; the proxy (between client and emulator) is used by the gateway case.
	inject func(srv *secretstest.Server, px *wrProxy, dial *wrDialer)
	// sent: requests of the write the server received; applied: whether the write took effect.
	sent    int
	applied bool
	// errType is "*RequestError" or "*APIError" when the call fails, "" when it succeeds (after a
	// second attempt: the first one never reached the server, or was refused with 429).
	errType string
	status  int
}

var wrFaults = []wrFault{
	{name: "processed, then the response was cut mid-body", inject: func(s *secretstest.Server, _ *wrProxy, _ *wrDialer) { s.TruncateNext(1) },
		sent: 1, applied: true, errType: "*RequestError"},
	{name: "processed, then a gateway answered 504", inject: func(_ *secretstest.Server, p *wrProxy, _ *wrDialer) { p.replaceNext(504) },
		sent: 1, applied: true, errType: "*APIError", status: 504},
	{name: "connection closed before it was processed", inject: func(s *secretstest.Server, _ *wrProxy, _ *wrDialer) { s.DropNext(1) },
		sent: 1, applied: false, errType: "*RequestError"},
	{name: "answered 503 unprocessed", inject: func(s *secretstest.Server, _ *wrProxy, _ *wrDialer) { s.FailNext(1, 503, 0) },
		sent: 1, applied: false, errType: "*APIError", status: 503},
	{name: "dial failed: nothing was sent", inject: func(_ *secretstest.Server, _ *wrProxy, d *wrDialer) { d.failNext(1) },
		sent: 1, applied: true},
	{name: "answered 429: refused unprocessed", inject: func(s *secretstest.Server, _ *wrProxy, _ *wrDialer) { s.FailNext(1, 429, 0) },
		sent: 2, applied: true},
}

// TestWrites_CreateIsNeverDuplicated: whatever happens to a create, at most one secret of that name
// exists afterwards, the client sent the POST twice only when the first could not have been
// processed, and GetByName tells the caller whether it was created.
func TestWrites_CreateIsNeverDuplicated(t *testing.T) {
	eachWrFault(t, func(t *testing.T, f wrFault, env *wrEnv) {
		f.inject(env.srv, env.proxy, env.dialer)

		s, err := env.client.Secrets.Create(t.Context(), "ORDERS_DB", "value-1")

		wrCheckOutcome(t, f, err, env.count(http.MethodPost, "/v1/secrets"))
		if err == nil {
			assert.Equal(t, "ORDERS_DB", s.Name)
		} else {
			assert.Nil(t, s)
		}
		assert.Len(t, env.named("ORDERS_DB"), map[bool]int{true: 1, false: 0}[f.applied], "secrets named ORDERS_DB")

		// What a caller does after a failed create: look the name up.
		found, err := env.client.Secrets.GetByName(t.Context(), "ORDERS_DB")
		if f.applied {
			require.NoError(t, err)
			assert.Equal(t, "value-1", *found.Value)
			// Creating again blindly conflicts: it never duplicates.
			_, err = env.client.Secrets.Create(t.Context(), "ORDERS_DB", "value-1")
			assert.ErrorIs(t, err, secrets.ErrConflict)
		} else {
			assert.ErrorIs(t, err, secrets.ErrNotFound)
			_, err = env.client.Secrets.Create(t.Context(), "ORDERS_DB", "value-1")
			require.NoError(t, err, "creating again is safe when the lookup found nothing")
		}
		assert.Len(t, env.named("ORDERS_DB"), 1, "exactly one secret in the end")
	})
}

// TestWrites_ShareIsNeverRepeated: the same for Share. The grant is applied at most once and the
// PATCH sent twice only when the first could not have been processed; Access tells the caller.
func TestWrites_ShareIsNeverRepeated(t *testing.T) {
	eachWrFault(t, func(t *testing.T, f wrFault, env *wrEnv) {
		bob := env.srv.AddUser("bob@example.com")
		sec := env.srv.AddSecret("ORDERS_DB", "value-1", "")
		f.inject(env.srv, env.proxy, env.dialer)

		err := env.client.Secrets.Share(t.Context(), sec.ID, &secrets.ShareRequest{
			Grants: []secrets.AccessChange{{Role: secrets.RoleReader, Users: []string{bob.ID}}}})

		wrCheckOutcome(t, f, err, env.count(http.MethodPatch, "/v1/secrets/"+sec.ID+"/accessControls"))
		stored, ok := env.srv.Secret("ORDERS_DB")
		require.True(t, ok)
		readerGrants := []secretstest.Grant{}
		for _, g := range stored.Grants {
			if g.Role == secretstest.RoleReader {
				readerGrants = append(readerGrants, g)
			}
		}
		want := []secretstest.Grant{}
		if f.applied {
			want = []secretstest.Grant{{Role: secretstest.RoleReader, UserID: bob.ID}}
		}
		assert.Equal(t, want, readerGrants, "Reader grants")

		// What a caller does after a failed share: read the access list.
		roles, err := env.client.Secrets.Access(t.Context(), sec.ID)
		require.NoError(t, err)
		readers := 0
		for _, r := range roles {
			for _, g := range r.Grants {
				if r.Role == secrets.RoleReader && g.User != nil && g.User.ID == bob.ID {
					readers++
				}
			}
		}
		assert.Equal(t, map[bool]int{true: 1, false: 0}[f.applied], readers)
	})
}

// TestWrites_IdempotentWritesAreRetried is the other side: Update and Delete may be repeated, so a
// response lost after processing is retried and the call succeeds; a retried Delete answered 404
// counts as done.
func TestWrites_IdempotentWritesAreRetried(t *testing.T) {
	t.Parallel()
	t.Run("Update", func(t *testing.T) {
		t.Parallel()
		env := newWrEnv(t)
		sec := env.srv.AddSecret("ORDERS_DB", "value-1", "")
		env.srv.TruncateNext(1)
		s, err := env.client.Secrets.Update(t.Context(), sec.ID, "value-2")
		require.NoError(t, err)
		assert.Equal(t, "value-2", *s.Value)
		assert.Equal(t, 2, env.count(http.MethodPatch, "/v1/secrets/"+sec.ID))
		value, _ := env.srv.SecretValue("ORDERS_DB")
		assert.Equal(t, "value-2", value)
	})
	t.Run("Delete", func(t *testing.T) {
		t.Parallel()
		env := newWrEnv(t)
		sec := env.srv.AddSecret("ORDERS_DB", "value-1", "")
		env.srv.TruncateNext(1)
		require.NoError(t, env.client.Secrets.Delete(t.Context(), sec.ID), "the retry's 404 means done")
		assert.Equal(t, 2, env.count(http.MethodDelete, "/v1/secrets/"+sec.ID))
		assert.Empty(t, env.named("ORDERS_DB"))
	})
}

// eachWrFault runs test once per fault of wrFaults, in parallel, each on a fresh wrEnv.
func eachWrFault(t *testing.T, test func(t *testing.T, f wrFault, env *wrEnv)) {
	t.Parallel()
	for _, f := range wrFaults {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			test(t, f, newWrEnv(t))
		})
	}
}

// wrCheckOutcome checks the outcome of a write under fault f, sent times to the emulator.
func wrCheckOutcome(t *testing.T, f wrFault, err error, sent int) {
	t.Helper()
	assert.Equal(t, f.sent, sent, "writes received")
	switch f.errType {
	case "":
		require.NoError(t, err)
	case "*RequestError":
		var reqErr *secrets.RequestError
		require.ErrorAs(t, err, &reqErr)
		assert.Equal(t, 1, reqErr.Attempts, "not retried")
		var apiErr *secrets.APIError
		assert.False(t, errors.As(err, &apiErr), "no answer is no *APIError: %v", err)
	case "*APIError":
		apiErr := requireAPIError(t, err, f.status)
		assert.Equal(t, 1, apiErr.Attempts, "not retried")
	}
	if err != nil {
		assertNoSecret(t, err.Error(), "error", "value-1")
	}
}

// wrEnv is an emulator behind a proxy, and a client whose dials can be made to fail.
type wrEnv struct {
	srv    *secretstest.Server
	proxy  *wrProxy
	dialer *wrDialer
	client *secrets.Client
}

func newWrEnv(t *testing.T) *wrEnv {
	t.Helper()
	srv := secretstest.NewServer()
	t.Cleanup(srv.Close)
	px := newWrProxy(t, srv)
	d := &wrDialer{}
	tr := &http.Transport{DialContext: d.dial}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := secrets.NewClient(secrets.WithAPIKey(srv.APIKey()), secrets.WithBaseURL(px.URL),
		secrets.WithHTTPClient(&http.Client{Transport: tr}), secrets.WithRetryWait(time.Millisecond, 5*time.Millisecond))
	require.NoError(t, err)
	return &wrEnv{srv: srv, proxy: px, dialer: d, client: c}
}

// count returns how many requests of method on path the emulator received.
func (e *wrEnv) count(method, path string) int {
	n := 0
	for _, r := range e.srv.Requests() {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

func (e *wrEnv) named(name string) []secretstest.Secret {
	var out []secretstest.Secret
	for _, s := range e.srv.Secrets() {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// wrDialer dials normally, except that it can fail the next dials as a refused connection would.
type wrDialer struct{ fail atomic.Int32 }

func (d *wrDialer) failNext(n int32) { d.fail.Store(n) }

func (d *wrDialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if d.fail.Add(-1) >= 0 {
		return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
	}
	var nd net.Dialer
	return nd.DialContext(ctx, network, addr)
}

// wrProxy forwards to the emulator through a raw server; replaceNext makes it answer the next request
// with a status of its own once the emulator has processed it, as a gateway that timed out would.
type wrProxy struct {
	*rawServer
	replace atomic.Int32
}

func newWrProxy(t *testing.T, srv *secretstest.Server) *wrProxy {
	target, err := url.Parse(srv.URL)
	require.NoError(t, err)
	p := &wrProxy{}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = srv.Client().Transport
	rp.ErrorLog = log.New(io.Discard, "", 0) // cut bodies are expected here
	rp.ModifyResponse = func(resp *http.Response) error {
		if status := p.replace.Swap(0); status != 0 {
			_ = resp.Body.Close()
			return fmt.Errorf("replaced with %d", status)
		}
		return nil
	}
	rp.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		var status int
		if _, scanErr := fmt.Sscanf(err.Error(), "replaced with %d", &status); scanErr != nil {
			breakConn(w, "", false) // the emulator dropped or cut the connection: pass that on as it came
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = w.Write([]byte("<html><body>504 Gateway Time-out</body></html>"))
	}
	p.rawServer = newRawServer(t, func(_ int, w http.ResponseWriter, r *http.Request) { rp.ServeHTTP(w, r) })
	return p
}

func (p *wrProxy) replaceNext(status int32) { p.replace.Store(status) }
