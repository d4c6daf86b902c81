package secrets_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// redirectCalls are the calls the redirect tests make: every verb, with and without a body.
var redirectCalls = []retryCall{callGet, callGetByName, callAccess, callCreate, callUpdate, callShare, callDelete}

var redirectCodes = []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect}

// newRedirectServer redirects every request whose path does not start with /moved to location(r),
// with code, and answers the others with rc's answer.
func newRedirectServer(t *testing.T, rc retryCall, code int, location func(r *http.Request) string, opts ...rawOption) *rawServer {
	t.Helper()
	var answer []byte
	if rc.ok != "" {
		answer = readTestdata(t, "responses/"+rc.ok)
	}
	return newRawServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/moved/") {
			http.Redirect(w, r, location(r), code)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer)
	}, opts...)
}

// redirectClient builds a Client on base over hc, whose CheckRedirect, on the 307 rows, is the
// caller's own policy, counted: the SDK's origin check runs before it, and it still runs.
func redirectClient(t *testing.T, base string, hc *http.Client, code int) (*secrets.Client, *atomic.Int32) {
	t.Helper()
	var policyCalls atomic.Int32
	if code == http.StatusTemporaryRedirect {
		hc.CheckRedirect = func(*http.Request, []*http.Request) error { policyCalls.Add(1); return nil }
	}
	c, err := secrets.NewClient(secrets.WithAPIKey(testToken), secrets.WithBaseURL(base),
		secrets.WithHTTPClient(hc), secrets.WithRetryMax(3), fastRetries())
	require.NoError(t, err)
	return c, &policyCalls
}

// TestRedirect_ToAnotherOriginIsRefused (issue 11 §4): a redirect to another scheme, host name or
// port is refused before anything is sent there (no connection at all), for every method and every
// redirect code, with a *RequestError naming both origins, before the caller's own redirect policy is
// asked; it is not retried, and the value sent appears nowhere.
func TestRedirect_ToAnotherOriginIsRefused(t *testing.T) {
	t.Parallel()
	targets := map[string]struct {
		tls      bool                                                   // of the origin server
		location func(origin, other *rawServer, r *http.Request) string // where the origin redirects to
		want     func(origin, other *rawServer) string                  // the origin named in the error
	}{
		"other port": {location: func(_, other *rawServer, r *http.Request) string {
			return other.URL + "/moved" + r.URL.RequestURI()
		},
			want: func(_, other *rawServer) string { return other.URL }},
		"other host name, same port": {location: func(origin, _ *rawServer, r *http.Request) string {
			return strings.Replace(origin.URL, "127.0.0.1", "localhost", 1) + "/moved" + r.URL.RequestURI()
		}, want: func(origin, _ *rawServer) string {
			return strings.Replace(origin.URL, "127.0.0.1", "localhost", 1)
		}},
		"https down to http, same host and port": {tls: true, location: func(origin, _ *rawServer, r *http.Request) string {
			return strings.Replace(origin.URL, "https://", "http://", 1) + "/moved" + r.URL.RequestURI()
		}, want: func(origin, _ *rawServer) string { return strings.Replace(origin.URL, "https://", "http://", 1) }},
		"http up to https, same host and port": {location: func(origin, _ *rawServer, r *http.Request) string {
			return strings.Replace(origin.URL, "http://", "https://", 1) + "/moved" + r.URL.RequestURI()
		}, want: func(origin, _ *rawServer) string { return strings.Replace(origin.URL, "http://", "https://", 1) }},
		"scheme-relative to another host": {location: func(_, other *rawServer, r *http.Request) string {
			return strings.TrimPrefix(other.URL, "http:") + "/moved" + r.URL.RequestURI()
		}, want: func(_, other *rawServer) string { return other.URL }},
	}
	for tname, target := range targets {
		for _, code := range redirectCodes {
			for _, rc := range redirectCalls {
				t.Run(fmt.Sprintf("%s/%d/%s", tname, code, rc.name), func(t *testing.T) {
					t.Parallel()
					other := newRedirectServer(t, rc, code, func(*http.Request) string { return "/moved/" })
					var origin *rawServer
					var opts []rawOption
					if target.tls {
						opts = append(opts, rawTLS)
					}
					origin = newRedirectServer(t, rc, code, func(r *http.Request) string { return target.location(origin, other, r) }, opts...)
					c, policyCalls := redirectClient(t, origin.URL, origin.client(t), code)

					err := rc.call(t.Context(), c)
					var reqErr *secrets.RequestError
					require.ErrorAs(t, err, &reqErr)
					assert.ErrorIs(t, err, secrets.ErrRedirectRefused)
					assert.Equal(t, 1, reqErr.Attempts, "never retried")
					assert.Contains(t, err.Error(), fmt.Sprintf("a %d from %s to %s", code, origin.URL, target.want(origin, other)))
					assert.NotContains(t, err.Error(), "hunter2")
					assert.NotContains(t, err.Error(), testToken)

					assert.Len(t, origin.recorded(), 1, "the origin saw the first request only")
					assert.Empty(t, other.recorded(), "nothing reached the other host")
					assert.Zero(t, other.conns.Load(), "not even a connection")
					assert.Equal(t, int32(1), origin.conns.Load(), "one connection: none to a target on the origin's port")
					assert.Zero(t, policyCalls.Load(), "refused before the caller's policy is asked")
				})
			}
		}
	}
}

// TestRedirect_WithinTheOriginIsFollowed: a redirect within the base URL's origin (an absolute
// Location here; TestSameOrigin has the spellings of one origin) is followed for every code, with the
// token, and the caller's own redirect policy still runs; a 307 or 308 re-sends the body; a 303 after
// a write fetches its answer with GET; a 301 or 302, which net/http would follow with a GET that
// writes nothing, is refused for writes.
func TestRedirect_WithinTheOriginIsFollowed(t *testing.T) {
	t.Parallel()
	for _, code := range redirectCodes {
		for _, rc := range redirectCalls {
			t.Run(fmt.Sprintf("%d/%s", code, rc.name), func(t *testing.T) {
				t.Parallel()
				var origin *rawServer
				origin = newRedirectServer(t, rc, code, func(r *http.Request) string {
					return strings.Replace(origin.URL, "127.0.0.1", "localhost", 1) + "/moved" + r.URL.RequestURI()
				})
				c, policyCalls := redirectClient(t, strings.Replace(origin.URL, "127.0.0.1", "localhost", 1), origin.client(t), code)

				err := rc.call(t.Context(), c)
				hits := origin.recorded()
				methodChanges := rc.method != http.MethodGet && code != http.StatusTemporaryRedirect && code != http.StatusPermanentRedirect
				if methodChanges && code != http.StatusSeeOther {
					require.ErrorIs(t, err, secrets.ErrRedirectRefused)
					assert.Contains(t, err.Error(), fmt.Sprintf("a %d to %s would be followed with GET, and the %s not made", code, rc.method, rc.method))
					assert.Len(t, hits, 1, "nothing sent after the redirect")
					return
				}
				require.NoError(t, err)
				require.Len(t, hits, 2)
				first, second := hits[0], hits[1]
				assert.Equal(t, "/moved"+first.Path, second.Path)
				assert.Equal(t, "Bearer "+testToken, second.Auth, "the token stays on its host")
				if code == http.StatusTemporaryRedirect {
					assert.Equal(t, int32(1), policyCalls.Load(), "the caller's policy still runs")
				}
				if methodChanges { // 303 See Other: the write was done, its answer is fetched
					assert.Equal(t, http.MethodGet, second.Method)
					assert.Empty(t, second.Body)
					return
				}
				assert.Equal(t, rc.method, second.Method)
				assert.Equal(t, first.Body, second.Body, "307 and 308 re-send the body, to the same host")
				if rc.method == http.MethodPost || rc.method == http.MethodPatch {
					assert.NotEmpty(t, second.Body)
				}
			})
		}
	}
}

// TestRedirect_RefusalQuotesNoSecret: a hostile server that puts the value it was sent (or the
// token) in the host of its Location gets it masked in the refusal, like anything it quotes.
func TestRedirect_RefusalQuotesNoSecret(t *testing.T) {
	t.Parallel()
	const value = "hunter2value"
	for _, host := range []string{value + ".evil.example", strings.ToLower(testToken) + ".evil.example", "evil.example:1/" + value} {
		c := newRawServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Location", "https://"+host+"/v1/secrets")
			w.WriteHeader(http.StatusTemporaryRedirect)
		}).newClient(t)
		_, err := c.Secrets.Create(t.Context(), "DB_PASSWORD", value)
		require.ErrorIs(t, err, secrets.ErrRedirectRefused, host)
		assert.NotContains(t, err.Error(), value, host)
		assert.NotContains(t, strings.ToLower(err.Error()), strings.ToLower(testToken), host)
	}
}
