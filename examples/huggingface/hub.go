package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/internal/redact"
)

// defaultEndpoint is the Hub, as huggingface_hub's HF_ENDPOINT defaults to it.
const defaultEndpoint = "https://huggingface.co"

// maxRedirects bounds a redirect chain (a renamed repository, then the CDN, needs two).
const maxRedirects = 10

// hub downloads files from the Hugging Face Hub the way the official clients do:
// GET {endpoint}/{repo_id}/resolve/{revision}/{filename} with "Authorization: Bearer <token>",
// following the Hub's redirects to its CDN. The token goes to the endpoint's own host only.
type hub struct {
	endpoint  *url.URL // scheme://host[/prefix], without a trailing slash
	token     string
	secret    string // the name of the secret the token came from, for messages
	transport http.RoundTripper
	userAgent string
}

func newHub(endpoint *url.URL, token, secret string, transport http.RoundTripper) *hub {
	if transport == nil {
		transport = http.DefaultTransport
	}
	return &hub{
		endpoint:  endpoint,
		token:     token,
		secret:    secret,
		transport: transport,
		userAgent: "go-secrets-example-huggingface/" + secrets.Version + " go/" + runtime.Version(),
	}
}

// parseEndpoint reads HF_ENDPOINT ("" means the public Hub). The token goes to this host, so plain
// http is accepted only for a loopback host (a local stand-in), as go-secrets does for its base URL.
func parseEndpoint(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		raw = defaultEndpoint
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("HF_ENDPOINT=%q is not a URL", raw)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("HF_ENDPOINT=%q: want an https:// URL", raw)
	case u.Host == "":
		return nil, fmt.Errorf("HF_ENDPOINT=%q has no host", raw)
	case u.User != nil:
		return nil, errors.New("HF_ENDPOINT holds user information; the token comes from the secret")
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, fmt.Errorf("HF_ENDPOINT=%q: a query or fragment cannot be part of the endpoint", raw)
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return nil, fmt.Errorf("HF_ENDPOINT=%q: plain http would send the token in the clear; use https (http is accepted for loopback hosts only)", raw)
	}
	if u.Scheme == "http" && isLocalhostName(u.Hostname()) {
		// Pinned, as go-secrets pins its base URL: Go's resolver may ask DNS about *.localhost, and
		// HTTP_PROXY covers it, either of which would carry the token off this machine in the clear.
		// A loopback IP is never looked up, nor proxied by http.ProxyFromEnvironment.
		port := u.Port()
		if port == "" {
			port = "80"
		}
		u.Host = net.JoinHostPort("127.0.0.1", port)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u, nil
}

// isLocalhostName reports whether host is localhost or a name under it (RFC 6761).
func isLocalhostName(host string) bool {
	host = strings.ToLower(host)
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}

func isLoopback(host string) bool {
	if isLocalhostName(host) {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// fileURL is {endpoint}/{repo_id}/resolve/{revision}/{filename}, escaped as huggingface_hub escapes
// it: the revision as one segment ("refs/pr/1" becomes "refs%2Fpr%2F1"), the file name segment by
// segment (subdirectories stay).
func (h *hub) fileURL(repo, revision, file string) string {
	var b strings.Builder
	b.WriteString(h.endpoint.String())
	for _, seg := range strings.Split(repo, "/") {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(seg))
	}
	b.WriteString("/resolve/")
	b.WriteString(url.PathEscape(revision))
	for _, seg := range strings.Split(file, "/") {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(seg))
	}
	return b.String()
}

// repoURL is the repository's page on the Hub, for messages.
func (h *hub) repoURL(repo string) string { return h.endpoint.String() + "/" + repo }

// hostKey is host:port with the scheme's default port made explicit and the name in lower case, so
// that "https://HF.co" and "https://hf.co:443" are one host, and "http://127.0.0.1:1" and
// "http://127.0.0.1:2" are two (as requests, which huggingface_hub uses, decides when to strip auth).
func hostKey(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch u.Scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// isHub reports whether u is on the endpoint's own host: the only host that gets the token.
func (h *hub) isHub(u *url.URL) bool { return hostKey(u) == hostKey(h.endpoint) }

// fileMeta is what the Hub itself (not the CDN) said about a file in the responses of one request.
type fileMeta struct {
	linkedSize int64  // X-Linked-Size: the size of an LFS file; -1 when not sent
	sha256     string // lower-case hex: X-Linked-Etag, or a Hub ETag of 64 hex digits (LFS files); "" when none
	commit     string // X-Repo-Commit
}

// record reads the Hub's headers from one of its responses (a redirect or the final answer).
func (m *fileMeta) record(header http.Header) {
	if v := header.Get("X-Linked-Size"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
			m.linkedSize = n
		}
	}
	// For a file in LFS the Hub sends its sha256 as X-Linked-Etag (and as the ETag of its own
	// redirect); the ETag of a small file kept in git is its git blob SHA-1, 40 digits, never used.
	for _, name := range []string{"X-Linked-Etag", "ETag"} {
		if sum := sha256FromETag(header.Get(name)); sum != "" {
			m.sha256 = sum
			break
		}
	}
	if v := header.Get("X-Repo-Commit"); v != "" {
		m.commit = v
	}
}

// sha256FromETag returns the ETag's value when it is a sha256 (64 hex digits), else "".
func sha256FromETag(etag string) string {
	etag = strings.TrimPrefix(strings.TrimSpace(etag), "W/")
	etag = strings.ToLower(strings.Trim(etag, `"`))
	if len(etag) != 64 {
		return ""
	}
	for _, c := range etag {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return ""
		}
	}
	return etag
}

// checkRedirect is the redirect policy: at most maxRedirects hops, never from https to http, and the
// Authorization header only on requests to the endpoint's host. (net/http alone would keep it for any
// port of the same host name and for subdomains.) It records the Hub's headers from each redirect
// response into meta: an LFS file's size and sha256 are on the Hub's redirect, not on the CDN's answer.
func (h *hub) checkRedirect(meta *fileMeta) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if r := req.Response; r != nil && r.Request != nil && h.isHub(r.Request.URL) {
			meta.record(r.Header)
		}
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		if prev := via[len(via)-1]; prev.URL.Scheme == "https" && req.URL.Scheme != "https" {
			return fmt.Errorf("refused a redirect from https to %s://%s: it would downgrade the download to plain %s",
				req.URL.Scheme, req.URL.Host, req.URL.Scheme)
		}
		if !h.isHub(req.URL) {
			req.Header.Del("Authorization")
		}
		return nil
	}
}

// do sends method to rawURL, asking for the bytes from offset on when offset > 0, and follows
// redirects under checkRedirect. The response's body is the caller's to close.
func (h *hub) do(ctx context.Context, method, rawURL string, offset int64) (*http.Response, *fileMeta, error) {
	req, err := http.NewRequestWithContext(ctx, method, rawURL, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+h.token)
	req.Header.Set("User-Agent", h.userAgent)
	// The exact bytes, never a compressed representation: sizes, ranges and hashes are of the file.
	req.Header.Set("Accept-Encoding", "identity")
	if offset > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(offset, 10)+"-")
	}
	meta := &fileMeta{linkedSize: -1}
	client := &http.Client{Transport: h.transport, CheckRedirect: h.checkRedirect(meta)}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, stripURL(err)
	}
	if h.isHub(resp.Request.URL) {
		meta.record(resp.Header)
	}
	return resp, meta, nil
}

// stripURL replaces the URL in a *url.Error by its scheme, host and path: a CDN URL carries a signature
// in its query, which has no place in an error message.
func stripURL(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	short := ue.URL
	if u, perr := url.Parse(ue.URL); perr == nil {
		short = u.Scheme + "://" + u.Host + u.EscapedPath()
	}
	return &url.Error{Op: ue.Op, URL: short, Err: ue.Err}
}

// hubError is a response with a status the download cannot use, explained.
type hubError struct {
	status    int
	retryable bool // a server error or rate limit, worth another attempt
	msg       string
}

func (e *hubError) Error() string { return e.msg }

// statusError explains a response that is neither the file nor a part of it. It reads (and then
// discards) a little of the body for the Hub's message. The token never appears in the result, even
// if a server echoed it.
func (h *hub) statusError(resp *http.Response, repo, revision, file string) error {
	code := resp.Header.Get("X-Error-Code")
	detail := resp.Header.Get("X-Error-Message")
	if detail == "" {
		detail = bodyMessage(resp.Body)
	}
	detail = h.clean(detail)
	status := resp.StatusCode
	statusText := "HTTP " + strconv.Itoa(status)
	fromHub := h.isHub(resp.Request.URL)
	endpoint := h.endpoint.String()

	var msg string
	switch {
	case !fromHub:
		// The Hub redirected to its CDN, and the CDN said no: its signed URL, not the token.
		msg = fmt.Sprintf("%s: the download server %s answered %s %s after the Hub's redirect",
			file, resp.Request.URL.Host, statusText, http.StatusText(status))
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		msg = fmt.Sprintf("the token in secret %s was refused by %s (%s): check it has access to %s",
			h.secret, endpoint, statusText, repo)
		switch code {
		case "GatedRepo":
			msg += fmt.Sprintf("; %s is gated: accept its terms at %s, signed in as the token's owner", repo, h.repoURL(repo))
		case "RepoNotFound":
			msg += "; the Hub also answers this way for a repository that does not exist: check -repo"
		}
	case status == http.StatusNotFound:
		switch code {
		case "EntryNotFound":
			msg = fmt.Sprintf("file %q not found in %s at revision %q (%s from %s)", file, repo, revision, statusText, endpoint)
		case "RevisionNotFound":
			msg = fmt.Sprintf("revision %q not found in %s (%s from %s)", revision, repo, statusText, endpoint)
		case "RepoNotFound":
			msg = fmt.Sprintf("repository %s not found on %s (%s)", repo, endpoint, statusText)
		default:
			msg = fmt.Sprintf("file %q of %s at revision %q not found on %s (%s)", file, repo, revision, endpoint, statusText)
		}
		if file == "model.safetensors" && code != "RepoNotFound" && code != "RevisionNotFound" {
			msg += "; large models are often sharded: pass -files with model.safetensors.index.json and the shards it names"
		}
	default:
		msg = fmt.Sprintf("%s: %s %s from %s", file, statusText, http.StatusText(status), resp.Request.URL.Host)
	}
	if detail != "" {
		msg += " (server said: " + detail + ")"
	}
	retryable := status == http.StatusTooManyRequests || status >= 500
	return &hubError{status: status, retryable: retryable, msg: msg}
}

// bodyMessage returns the "error" field of a small JSON body, else "".
func bodyMessage(body io.Reader) string {
	var v struct {
		Error string `json:"error"`
	}
	if json.NewDecoder(io.LimitReader(body, 4<<10)).Decode(&v) != nil {
		return ""
	}
	return v.Error
}

// clean makes a server's message fit for an error: one line, short, and never the token, however
// the server or a proxy escaped it (URL, HTML, JSON or Go escapes) or cut it short: go-secrets'
// masking by meaning. (Outside this module, where internal/redact cannot be imported, at least
// replace the token as written, and keep server text out of errors when in doubt.)
func (h *hub) clean(s string) string {
	s = redact.String(s, h.token)
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}
