package secrets

import (
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"
)

// Defaults of the options; each is documented on its option.
const (
	defaultAPIVersion = "v1"
	defaultRetryMax   = 4
	defaultWaitMin    = 500 * time.Millisecond
	defaultWaitMax    = 30 * time.Second
	defaultTimeout    = 30 * time.Second
	maxRetryMax       = 100
)

// Option configures a Client. Options are applied in order, so a later one overrides an earlier one;
// an invalid value makes NewClient return an error wrapping ErrInvalidArgument.
type Option func(*options) error

// options is what the Options build; NewClient turns it into an immutable Client.
type options struct {
	auth        tokenProvider // set by the last of WithAPIKey, WithTokenSource and WithEnv that found a token
	noAuth      error         // why WithEnv found no token, returned when no other option gave one
	baseURL     string
	baseURLFrom string // the option or variable that set baseURL, for messages
	apiVersion  string
	orgID       string
	userAgent   string
	httpClient  *http.Client
	retryMax    int
	waitMin     time.Duration
	waitMax     time.Duration
	timeout     time.Duration
	timeoutSet  bool
	logger      *slog.Logger
	now         func() time.Time
}

func defaultOptions() options {
	return options{
		baseURL:     DefaultBaseURL,
		baseURLFrom: "DefaultBaseURL",
		apiVersion:  defaultAPIVersion,
		retryMax:    defaultRetryMax,
		waitMin:     defaultWaitMin,
		waitMax:     defaultWaitMax,
		timeout:     defaultTimeout,
		now:         time.Now,
	}
}

// WithAPIKey sets the Bearer token: an organization API key or a user's JWT. An empty key, or one
// with spaces, control characters or characters outside ASCII, is rejected. The token is fixed: a JWT is checked for expiry
// before each request (ErrTokenExpired, nothing sent) but never renewed; for tokens that rotate, see
// WithTokenSource and WithEnv. Like WithTokenSource and WithEnv (when the environment holds a token),
// it replaces the token source of the options before it, and the ones after it replace it.
func WithAPIKey(key string) Option {
	return func(o *options) error {
		if err := checkTokenText(key); err != nil {
			return invalidArgument("WithAPIKey: %v", err)
		}
		o.auth = &fixedToken{cred: newCredential(key, "WithAPIKey")}
		return nil
	}
}

// WithTokenSource makes the Client ask src for the Bearer token before every attempt, retries
// included, for programs whose tokens come from their own identity provider and rotate. The token it
// gives is checked as WithAPIKey checks a key, and a JWT for expiry (ErrTokenExpired); when Token
// fails, or its token is rejected, the call returns an error matching ErrTokenSource (and the source's
// own error) and nothing is sent. Server messages quoted in errors have the token of the attempt
// masked, whichever it was. Like WithAPIKey and WithEnv (when the environment holds a token), it
// replaces the token source of the options before it, and the ones after it replace it. A nil src is
// rejected.
func WithTokenSource(src TokenSource) Option {
	return func(o *options) error {
		if src == nil {
			return invalidArgument("WithTokenSource: nil source")
		}
		o.auth = &sourceToken{src: src}
		return nil
	}
}

// WithBaseURL sets the API's base URL, default DefaultBaseURL. It must be https, or http to a
// loopback host (an emulator): the token is never sent in the clear over a network. A plain-http
// base URL naming localhost or *.localhost is dialled at 127.0.0.1 (then ::1), never looked up, and
// no plain-http request goes through a proxy. Redirects are followed within the base URL's origin
// only (see ErrRedirectRefused).
func WithBaseURL(u string) Option {
	return func(o *options) error {
		o.baseURL, o.baseURLFrom = u, "WithBaseURL"
		return nil // validated in NewClient, once every option has had its say
	}
}

// WithAPIVersion sets the version path segment, default "v1".
func WithAPIVersion(v string) Option {
	return func(o *options) error {
		v = strings.Trim(v, "/")
		if v == "" || strings.ContainsAny(v, "/?#% \t\r\n") {
			return invalidArgument("WithAPIVersion: %q is not a version path segment", v)
		}
		o.apiVersion = v
		return nil
	}
}

// WithOrganizationID sends organizationID=id as a query parameter on every request, for tokens that
// can act in several organizations. Default: none, the token's own organization. An ID that is not a
// UUID (the form of the service's IDs) is rejected, without quoting it.
func WithOrganizationID(id string) Option {
	return func(o *options) error {
		if strings.TrimSpace(id) == "" {
			return invalidArgument("WithOrganizationID: empty ID")
		}
		if err := checkOrgID(id); err != nil {
			return invalidArgument("WithOrganizationID: %s", err)
		}
		o.orgID = id
		return nil
	}
}

// WithHTTPClient sets the http.Client that makes each attempt; its Transport, Jar, redirect policy and a
// non-zero Timeout (unless WithTimeout is given too) are kept (the client is copied, never modified).
// Default: a client on a transport shared by every Client of the process. Retries wrap this client, so a
// test transport placed in it sees every attempt.
func WithHTTPClient(hc *http.Client) Option {
	return func(o *options) error {
		if hc == nil {
			return invalidArgument("WithHTTPClient: nil client")
		}
		o.httpClient = hc
		return nil
	}
}

// WithUserAgent appends ua to the User-Agent header "go-secrets/<Version>".
func WithUserAgent(ua string) Option {
	return func(o *options) error {
		if strings.ContainsFunc(ua, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			return invalidArgument("WithUserAgent: control characters")
		}
		o.userAgent = strings.TrimSpace(ua)
		return nil
	}
}

// WithRetryMax sets how many retries may follow the first attempt, default 4; 0 disables retries. A
// dial refused by a loopback address (nothing listens: the emulator is not running, or the port is
// wrong) is retried once at most, whatever n is.
func WithRetryMax(n int) Option {
	return func(o *options) error {
		if n < 0 || n > maxRetryMax {
			return invalidArgument("WithRetryMax: %d is outside 0..%d", n, maxRetryMax)
		}
		o.retryMax = n
		return nil
	}
}

// WithRetryWait sets the backoff bounds, default 500ms and 30s. Backoff doubles from min up to max,
// each wait drawn between the base and half as much again (never above max): with the defaults and
// WithRetryMax's 4, the waits add up to 7.5–11 s when every attempt fails. min is a floor for
// every wait, a Retry-After of 0 or a date in the past included. max is also the longest Retry-After
// the client waits for: when the server asks for more, the call fails at once with an *APIError
// carrying RetryAfter.
func WithRetryWait(min, max time.Duration) Option {
	return func(o *options) error {
		if min < 0 || max <= 0 || min > max {
			return invalidArgument("WithRetryWait: need 0 <= min <= max and max > 0, got %s and %s", min, max)
		}
		o.waitMin, o.waitMax = min, max
		return nil
	}
}

// WithTimeout bounds each attempt, reading the response included; default 30s. The caller's context
// bounds the whole call, retries and waits included. An attempt that times out is retried like a
// connection error; when none is left, the *RequestError's cause matches context.DeadlineExceeded
// (as net/http's timeout does), so tell it from your own deadline with ctx.Err().
func WithTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return invalidArgument("WithTimeout: %s is not positive", d)
		}
		o.timeout, o.timeoutSet = d, true
		return nil
	}
}

// WithLogger sends debug records of requests, retries and responses (method, path, status, attempt,
// duration; never a token, body or value) to l. Default: no logging at all. nil turns logging off.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		o.logger = l
		return nil
	}
}

// WithEnv reads the configuration the Python SDK reads (see the Env constants). The token comes from
// SINGLESTOREDB_MANAGEMENT_TOKEN, else a JWT in the password of SINGLESTOREDB_HOST, else one in the
// password of SINGLESTOREDB_URL; the base URL, API version and organization from their variables.
//
// When the environment holds a token, the Client follows it: before every attempt it reads those three
// variables again (parsing only when their text changed), so a token the platform rotates (a notebook's
// JWT) is used from the next attempt on, by the Client and by a Cache on it; an expired one is refused
// before any request (ErrTokenExpired); a token gone from the environment fails the call with
// ErrNoCredentials, and one that turned invalid with ErrInvalidArgument, both naming the variables and
// sending nothing. The other variables are read once.
//
// Unset variables leave earlier options alone, and options after WithEnv override it: a WithAPIKey or
// WithTokenSource after it replaces the environment's token, one before it is replaced when the
// environment holds a token. A set but invalid variable is an error naming the variable. When no token
// is found and no other option gives one, NewClient returns ErrNoCredentials naming the variables.
func WithEnv() Option {
	return WithEnvFunc(os.Getenv)
}

// WithEnvFunc is WithEnv reading each variable through getenv instead of os.Getenv, when the Client is
// built and, for the token, before every attempt: for programs that carry an environment of their own
// (a command-line tool's run function, a test that must not touch the process environment). getenv
// must be safe for concurrent use. A nil getenv makes NewClient return an error wrapping
// ErrInvalidArgument.
func WithEnvFunc(getenv func(key string) string) Option {
	return func(o *options) error {
		if getenv == nil {
			return invalidArgument("WithEnvFunc: nil function")
		}
		return applyEnv(o, getenv)
	}
}

// withClock is for tests of token expiry.
func withClock(now func() time.Time) Option {
	return func(o *options) error {
		o.now = now
		return nil
	}
}
