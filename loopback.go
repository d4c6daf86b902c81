package secrets

import (
	"errors"
	"net"
	"net/http"
	"net/url"

	"github.com/helios-secrets/go-secrets/internal/retry"
)

// errProxiedLoopback: the transport would send a plain-http request for a loopback host through a
// proxy, in clear text over the network, token included.
var errProxiedLoopback = errors.New("the transport would send this plain-http request for a loopback host through a proxy, token included, in clear text: give WithHTTPClient a transport without that proxy (or with NO_PROXY covering the host), or use https")

// guardLoopback returns the transport of a Client whose base URL is plain http, to a loopback host
// (parseBaseURL allows nothing else). Plain http is acceptable only while the bytes stay on this
// machine, so:
//   - localhost and *.localhost are dialled at 127.0.0.1 (then ::1 when that is refused), never
//     looked up: Go's resolver sends *.localhost to DNS, which may answer with any address;
//   - no proxy is used: the request is made to the loopback IP, which http.ProxyFromEnvironment never
//     proxies, and a transport whose own Proxy function would still proxy it is refused before
//     anything is sent (errProxiedLoopback).
//
// A base URL that is a loopback IP on the SDK's own transport needs neither, and keeps the bare
// *http.Transport, on which net/http's per-attempt timeouts are cheapest. A caller's RoundTripper that
// is not an *http.Transport cannot be inspected: its proxy, if any, is its own business.
func guardLoopback(next http.RoundTripper, ours bool, host string) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	var proxy func(*http.Request) (*url.URL, error)
	if t, ok := next.(*http.Transport); ok {
		proxy = t.Proxy
	}
	name, _, err := net.SplitHostPort(host)
	if err != nil {
		name = host
	}
	if ours && !isLocalhostName(name) {
		return next // ProxyFromEnvironment never proxies a loopback IP
	}
	return &loopbackGuard{next: next, proxy: proxy}
}

// loopbackGuard is the transport guardLoopback builds.
type loopbackGuard struct {
	next  http.RoundTripper
	proxy func(*http.Request) (*url.URL, error)
}

func (g *loopbackGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req
	pinned := isLocalhostName(req.URL.Hostname())
	if pinned {
		out = pinTo(req, "127.0.0.1")
	}
	if g.proxy != nil {
		if p, err := g.proxy(out); err != nil || p != nil {
			closeBody(req)
			return nil, retry.Permanent(errProxiedLoopback)
		}
	}
	resp, err := g.next.RoundTrip(out)
	if err != nil && pinned && retry.RefusedLoopback(err) {
		if again, ok := rewound(pinTo(req, "::1")); ok {
			if resp6, err6 := g.next.RoundTrip(again); err6 == nil {
				resp, err = resp6, nil
			}
		}
	}
	if resp != nil {
		resp.Request = req
	}
	return resp, err
}

// pinTo is a copy of req sent to ip, with the Host header of the original.
func pinTo(req *http.Request, ip string) *http.Request {
	out := req.Clone(req.Context())
	if out.Host == "" {
		out.Host = req.URL.Host
	}
	out.URL.Host = net.JoinHostPort(ip, port(req.URL))
	return out
}

// rewound gives req a fresh body for a second dial, when it has one to give.
func rewound(req *http.Request) (*http.Request, bool) {
	if req.Body == nil || req.Body == http.NoBody {
		return req, true
	}
	if req.GetBody == nil {
		return nil, false
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, false
	}
	req.Body = body
	return req, true
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}
