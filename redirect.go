package secrets

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/helios-secrets/go-secrets/internal/retry"
)

// ErrRedirectRefused: the server redirected the request somewhere the client will not follow: to
// another host (another scheme, name or port), past maxRedirects, or in a way that would turn a write
// into a GET. Nothing was sent there. It is the cause of a *RequestError, and is never retried.
var ErrRedirectRefused = errors.New("redirect refused")

const maxRedirects = 10

// checkRedirect follows a redirect only within the origin of the base URL: the Management API has no
// reason to send a client elsewhere, and following would hand another host the request (a 307 or 308
// re-sends the body: a value and its name) and take its unauthenticated answer as the service's. It
// also refuses a 301 or 302 that would turn a write into a GET (net/http does that, and the GET's
// answer would read as the write's result though nothing was written); a 303 (See Other) is the
// answer to a write that was done, and is followed. Then it defers to the caller's own policy, if any.
func (c *Client) checkRedirect(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return retry.Permanent(fmt.Errorf("%w: stopped after %d redirects", ErrRedirectRefused, maxRedirects))
		}
		from, prev := via[0], via[len(via)-1]
		code := 0
		if req.Response != nil {
			code = req.Response.StatusCode
		}
		if !sameOrigin(from.URL, req.URL) {
			return retry.Permanent(fmt.Errorf("%w: a %d from %s to %s: the client follows redirects within the base URL's host only, and sent nothing there",
				ErrRedirectRefused, code, origin(from.URL), origin(req.URL)))
		}
		if req.Method != prev.Method && code != http.StatusSeeOther {
			return retry.Permanent(fmt.Errorf("%w: a %d to %s would be followed with %s, and the %s not made",
				ErrRedirectRefused, code, prev.Method, req.Method, prev.Method))
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
}

// sameOrigin reports whether a and b have the same scheme, host name and port (a missing port read as
// the scheme's default).
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return "443"
	case "http":
		return "80"
	}
	return ""
}

// origin is scheme://host[:port] of u, without its path or query (where a redirect may echo anything).
func origin(u *url.URL) string {
	return strings.ToLower(u.Scheme) + "://" + u.Host
}
