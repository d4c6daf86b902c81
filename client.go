package secrets

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/helios-secrets/go-secrets/internal/redact"
	"github.com/helios-secrets/go-secrets/internal/retry"
)

// Version is the semantic version of this SDK, sent in the User-Agent header.
const Version = "0.1.0"

// DefaultBaseURL is the Management API of SingleStore Helios.
const DefaultBaseURL = "https://api.singlestore.com"

// Client talks to the Management API. It is immutable once built and safe for concurrent use; build
// one per set of credentials and share it.
type Client struct {
	// Organizations reads the current organization, its users and teams.
	Organizations *OrganizationsService
	// Secrets creates, reads, updates, deletes and shares secrets.
	Secrets *SecretsService

	base            string        // scheme://host[/prefix]/version, no trailing slash
	basePath        string        // /prefix/version, the start of every error's Path
	host            string        // the only host the token is sent to
	baseURLFrom     string        // the option or variable that set the base URL, for hints
	plainHTTP       bool          // the base URL is http, to a loopback host
	auth            tokenProvider // the token of each attempt
	orgID           string
	userAgent       string
	userAgentHeader []string // {userAgent}, shared by every request
	logger          *slog.Logger
	now             func() time.Time
	http            *retryablehttp.Client
}

// NewClient builds a Client from options alone; it never reads the environment (see WithEnv). It
// returns an error wrapping ErrInvalidArgument for an invalid option, ErrNoCredentials when no option
// gave a token (WithAPIKey, WithTokenSource, or WithEnv finding one), and ErrTokenExpired when the
// token is a JWT that has expired. A TokenSource is not called until the first request.
func NewClient(opts ...Option) (*Client, error) {
	o := defaultOptions()
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	return newClient(&o)
}

// ManageWorkspaces mirrors the Python SDK's manage_workspaces(key): a Client configured from the
// environment (WithEnv), with apiKey as the token when it is not empty, then opts. With apiKey "" the
// token comes from the environment and the Client follows its rotation (see WithEnv). It returns the
// errors of NewClient; with no key and no token in the environment, ErrNoCredentials naming the
// variables.
func ManageWorkspaces(apiKey string, opts ...Option) (*Client, error) {
	all := make([]Option, 0, len(opts)+2)
	all = append(all, WithEnv())
	if apiKey != "" {
		all = append(all, WithAPIKey(apiKey))
	}
	return NewClient(append(all, opts...)...)
}

func newClient(o *options) (*Client, error) {
	if o.auth == nil {
		if o.noAuth != nil {
			return nil, o.noAuth // WithEnv found no token: its error names the variables
		}
		return nil, fmt.Errorf("secrets: no token: pass WithAPIKey or WithTokenSource, or read the environment with WithEnv() or ManageWorkspaces(\"\"): %w",
			ErrNoCredentials)
	}
	base, err := parseBaseURL(o.baseURL)
	if err != nil {
		return nil, invalidArgument("base URL from %s: %v", o.baseURLFrom, err)
	}
	if trimmed := strings.TrimSuffix(base.Path, "/"); strings.HasSuffix(trimmed, "/"+o.apiVersion) {
		// Every call would go to /v1/v1/… and come back 404, which reads as "not found".
		return nil, invalidArgument("base URL from %s ends in /%s, which the client adds itself: leave it out",
			o.baseURLFrom, o.apiVersion)
	}
	c := &Client{
		host:        base.Host,
		baseURLFrom: o.baseURLFrom,
		plainHTTP:   base.Scheme == "http",
		auth:        o.auth,
		orgID:       o.orgID,
		userAgent:   "go-secrets/" + Version,
		logger:      o.logger,
		now:         o.now,
	}
	if cred := o.auth.current(); cred != nil {
		if err := cred.check(c.now()); err != nil {
			return nil, err
		}
	}
	if o.userAgent != "" {
		c.userAgent += " " + o.userAgent
	}
	c.userAgentHeader = []string{c.userAgent}
	c.basePath = strings.TrimSuffix(base.Path, "/") + "/" + o.apiVersion
	c.base = base.Scheme + "://" + base.Host + c.basePath
	c.http = c.newRetryClient(o)
	c.Organizations = &OrganizationsService{client: c}
	c.Secrets = &SecretsService{client: c}
	return c, nil
}

// parseBaseURL accepts https URLs, and http URLs whose host is loopback.
func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, errors.New("not a URL")
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("scheme %q: need https", u.Scheme)
	case u.Host == "":
		return nil, errors.New("no host")
	case u.User != nil:
		return nil, errors.New("user information in the URL: pass the token with WithAPIKey")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, errors.New("query or fragment in the URL")
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return nil, fmt.Errorf("plain http to %s would expose the token: use https (http is allowed only for loopback hosts)", u.Hostname())
	}
	return u, nil
}

// isLoopback accepts loopback IP literals, and localhost and *.localhost (RFC 6761), which the
// Client dials at loopback addresses only, whatever DNS says (see loopbackGuard).
func isLoopback(host string) bool {
	if isLocalhostName(host) {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func isLocalhostName(host string) bool {
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}

// sharedTransport is the connection pool of every Client built without WithHTTPClient, so that
// short-lived clients (GetSecret builds one per call) still reuse connections. It stays a bare
// *http.Transport: net/http implements per-attempt timeouts on it far more cheaply than on a wrapper.
// (The price: retryablehttp closes idle connections after a call that failed for good, which then
// closes the shared pool's idle connections too; failures are rare, and new ones are dialled.)
var sharedTransport = sync.OnceValue(func() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 32
	return t
})

func (c *Client) newRetryClient(o *options) *retryablehttp.Client {
	var hc http.Client
	if o.httpClient != nil {
		hc = *o.httpClient
		if hc.Timeout == 0 || o.timeoutSet {
			hc.Timeout = o.timeout
		}
	} else {
		hc = http.Client{Transport: sharedTransport(), Timeout: o.timeout}
	}
	hc.CheckRedirect = c.checkRedirect(hc.CheckRedirect)
	if c.plainHTTP {
		hc.Transport = guardLoopback(hc.Transport, o.httpClient == nil, c.host)
	}
	policy := retry.Policy{WaitMax: o.waitMax, RetryMax: o.retryMax, Now: o.now, LoopbackRefusedMax: loopbackRefusedRetries}
	return &retryablehttp.Client{
		HTTPClient:     &hc,
		RetryWaitMin:   o.waitMin,
		RetryWaitMax:   o.waitMax,
		RetryMax:       o.retryMax,
		CheckRetry:     policy.CheckRetry,
		Backoff:        policy.Backoff,
		ErrorHandler:   retryablehttp.PassthroughErrorHandler,
		RequestLogHook: c.onAttempt,
		PrepareRetry:   c.prepareRetry,
	}
}

// loopbackRefusedRetries is how many times a dial to a loopback address that was refused is retried,
// whatever WithRetryMax says: nothing listens there (the emulator is not running, or the port is
// wrong), so the full budget would only make the caller wait seconds for the same answer. One retry
// covers an emulator started at the same moment as the call.
const loopbackRefusedRetries = 1

// Format prints a Client without its token, whatever the verb. (A value receiver, so that a
// dereferenced Client cannot print its fields either.)
func (c Client) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "secrets.Client{BaseURL: %q, Token: %s, OrganizationID: %q}", c.base, redact.Mask, c.orgID)
}

// LogValue logs a Client without its token.
func (c *Client) LogValue() slog.Value {
	if c == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(slog.String("baseURL", c.base), slog.String("token", redact.Mask), slog.String("organizationID", c.orgID))
}
