package secrets

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/helios-secrets/go-secrets/internal/redact"
)

// Sentinel errors. Every error the SDK returns wraps at most a few of these, so callers test with
// errors.Is; the details are in *APIError and *RequestError, reached with errors.As.
var (
	// ErrNotFound: the secret (or user, or team) does not exist, HTTP 404, or a name matched nothing.
	ErrNotFound = errors.New("not found")
	// ErrUnauthorized: the token was missing, wrong or expired, HTTP 401.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden: the caller lacks the role the operation needs, HTTP 403.
	ErrForbidden = errors.New("forbidden")
	// ErrConflict: a secret of that name already exists in the organization, HTTP 409.
	ErrConflict = errors.New("conflict")
	// ErrRateLimited: the service asked the client to slow down, HTTP 429.
	ErrRateLimited = errors.New("rate limited")
	// ErrInvalidName: a secret name was empty or held something other than letters, digits and '_'.
	// It also matches ErrInvalidArgument.
	ErrInvalidName = errors.New("invalid secret name")
	// ErrValueTooLarge: a value was over MaxValueBytes (or the server answered 413).
	// It also matches ErrInvalidArgument.
	ErrValueTooLarge = errors.New("value too large")
	// ErrAmbiguous: a name (or e-mail) matched more than one entry.
	ErrAmbiguous = errors.New("ambiguous name")
	// ErrValueWithheld: the caller may see the secret but not read its value.
	ErrValueWithheld = errors.New("value withheld")
	// ErrNoCredentials: no token was configured or found in the environment.
	ErrNoCredentials = errors.New("no credentials")
	// ErrInvalidArgument: an argument or option was rejected before any request, or the server
	// answered 400.
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrTokenExpired: the token is a JWT whose "exp" has passed (an exp of 0 or below always has);
	// no request was made. It also matches ErrUnauthorized. A JWT whose exp is not a number (nor a
	// string holding one), or lies past the year 33658 (1e12 seconds: an exp in milliseconds), has no
	// expiry the SDK can check: it is sent, and the service decides.
	ErrTokenExpired = errors.New("token expired")
	// ErrTokenSource: the TokenSource of WithTokenSource returned an error (which the error also
	// matches) or a token that cannot be sent; no request was sent.
	ErrTokenSource = errors.New("token source failed")
	// ErrInvalidResponse: a 2xx response could not be read: not the expected JSON, or larger than
	// any valid response.
	ErrInvalidResponse = errors.New("invalid response")
)

// APIError is a response with a status other than 2xx: the last one, when the request was retried.
// Its Is method maps the status to a sentinel, so errors.Is(err, ErrNotFound) holds for a 404.
// Message and Body never contain the token or the value sent, and Body is cut short.
type APIError struct {
	StatusCode int           // HTTP status of the last response
	Method     string        // HTTP method
	Path       string        // URL path, such as /v1/secrets/{secretID}, without the query
	Message    string        // the "message" (or "error") field of a JSON body, else the body's text
	RequestID  string        // the X-Request-Id response header, when present
	Attempts   int           // attempts made, 1 when the request was not retried
	RetryAfter time.Duration // the Retry-After delay the server asked for, 0 when none
	Body       []byte        // the start of the response body, for diagnosis
}

// Error reads like "secrets: GET /v1/secrets/{id}: 404 Not Found: secret not found (request id X)".
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("secrets: ")
	b.WriteString(e.Method)
	b.WriteByte(' ')
	b.WriteString(e.Path)
	b.WriteString(": ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	if text := http.StatusText(e.StatusCode); text != "" {
		b.WriteByte(' ')
		b.WriteString(text)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	var notes []string
	if e.RetryAfter > 0 {
		notes = append(notes, "retry after "+e.RetryAfter.String())
	}
	if e.Attempts > 1 {
		notes = append(notes, strconv.Itoa(e.Attempts)+" attempts")
	}
	if e.RequestID != "" {
		notes = append(notes, "request id "+e.RequestID)
	}
	if len(notes) > 0 {
		b.WriteString(" (")
		b.WriteString(strings.Join(notes, ", "))
		b.WriteByte(')')
	}
	return b.String()
}

// GoString keeps %#v short and free of body bytes.
func (e *APIError) GoString() string {
	return fmt.Sprintf("&secrets.APIError{StatusCode:%d, Method:%q, Path:%q, Message:%q, RequestID:%q, Attempts:%d, RetryAfter:%s, Body:[%d bytes]}",
		e.StatusCode, e.Method, e.Path, e.Message, e.RequestID, e.Attempts, e.RetryAfter, len(e.Body))
}

// Is maps the status code to the sentinel errors: 400 ErrInvalidArgument, 401 ErrUnauthorized,
// 403 ErrForbidden, 404 ErrNotFound, 409 ErrConflict, 413 ErrValueTooLarge (which, as documented,
// also matches ErrInvalidArgument), 429 ErrRateLimited.
func (e *APIError) Is(target error) bool {
	switch e.StatusCode {
	case http.StatusBadRequest:
		return target == ErrInvalidArgument
	case http.StatusUnauthorized:
		return target == ErrUnauthorized
	case http.StatusForbidden:
		return target == ErrForbidden
	case http.StatusNotFound:
		return target == ErrNotFound
	case http.StatusConflict:
		return target == ErrConflict
	case http.StatusRequestEntityTooLarge:
		return target == ErrValueTooLarge || target == ErrInvalidArgument
	case http.StatusTooManyRequests:
		return target == ErrRateLimited
	}
	return false
}

// RequestError is a call that ended without a usable response: the connection failed on every
// attempt, the context ended, a redirect was refused, or a 2xx body could not be read. Err is the
// cause; a finished context surfaces as context.Canceled or context.DeadlineExceeded through it.
type RequestError struct {
	Method   string // HTTP method
	Path     string // URL path, without the query
	Attempts int    // attempts made; 0 when the call ended before the first one
	Err      error  // the cause
}

// Error reads like "secrets: GET /v1/secrets: 3 attempts: dial tcp …: connection refused".
func (e *RequestError) Error() string {
	prefix := "secrets: " + e.Method + " " + e.Path + ": "
	if e.Attempts > 1 {
		prefix += strconv.Itoa(e.Attempts) + " attempts: "
	}
	return prefix + e.Err.Error()
}

// Unwrap returns the cause.
func (e *RequestError) Unwrap() error { return e.Err }

// maskedError stands for an error whose text quoted a secret. errors.Is still sees through it (a
// context error must keep matching), but there is no Unwrap: errors.As must not hand out the original
// error, whose text holds the secret.
type maskedError struct {
	text  string
	cause error
}

func (e *maskedError) Error() string        { return e.text }
func (e *maskedError) Is(target error) bool { return errors.Is(e.cause, target) }

// argError is a rejected argument: it matches its own sentinel and ErrInvalidArgument.
type argError struct {
	msg  string
	kind error
}

func (e *argError) Error() string { return "secrets: " + e.msg }

func (e *argError) Unwrap() []error {
	if e.kind == nil || e.kind == ErrInvalidArgument {
		return []error{ErrInvalidArgument}
	}
	return []error{e.kind, ErrInvalidArgument}
}

func invalidArgument(format string, args ...any) error {
	return &argError{msg: fmt.Sprintf(format, args...), kind: ErrInvalidArgument}
}

// tokenExpiredError matches ErrTokenExpired and ErrUnauthorized.
type tokenExpiredError struct {
	source string
	at     time.Time
}

func (e *tokenExpiredError) Error() string {
	return "secrets: the token from " + e.source + " expired at " + e.at.UTC().Format(time.RFC3339) + "; get a new one"
}

func (e *tokenExpiredError) Unwrap() []error { return []error{ErrTokenExpired, ErrUnauthorized} }

// tokenSourceError matches ErrTokenSource and the source's own error. Its text is the source's, with
// the client's latest token masked, should the source have quoted it.
type tokenSourceError struct {
	text string
	err  error
}

func newTokenSourceError(err error, prev *credential) error {
	text := err.Error()
	if prev != nil {
		text = redact.String(text, prev.token)
	}
	return &tokenSourceError{text: "secrets: token source: " + text, err: err}
}

func (e *tokenSourceError) Error() string   { return e.text }
func (e *tokenSourceError) Unwrap() []error { return []error{ErrTokenSource, e.err} }

// noEnvCredentialsError is an environment without a usable token; it matches ErrNoCredentials. note
// says why a variable that is set did not count, without quoting it.
type noEnvCredentialsError struct{ note string }

func (e *noEnvCredentialsError) Error() string {
	msg := "secrets: no credentials: set " + EnvManagementToken + " to an API key or JWT, or put a JWT as the password of " +
		EnvHost + " or " + EnvURL
	if e.note != "" {
		msg += " (" + e.note + ")"
	}
	return msg
}

func (e *noEnvCredentialsError) Unwrap() error { return ErrNoCredentials }

// LookupError is an e-mail address or team name that matched no user or team (Err is ErrNotFound),
// or more than one (Err is ErrAmbiguous).
type LookupError struct {
	Kind string // "user" (Name is an e-mail address) or "team" (Name is a team name)
	Name string
	Err  error
}

// Error reads like `secrets: no user with e-mail "a@example.com"`.
func (e *LookupError) Error() string {
	what := "team named"
	if e.Kind == "user" {
		what = "user with e-mail"
	}
	if e.Err == ErrAmbiguous {
		return fmt.Sprintf("secrets: more than one %s %q", what, e.Name)
	}
	return fmt.Sprintf("secrets: no %s %q", what, e.Name)
}

// Unwrap returns ErrNotFound or ErrAmbiguous.
func (e *LookupError) Unwrap() error { return e.Err }

// ShareLookupError is the error of ShareByName when e-mail addresses or team names did not resolve:
// nothing was changed. errors.Is and errors.As see each *LookupError, so errors.Is(err, ErrNotFound)
// holds when a name matched nothing, errors.Is(err, ErrAmbiguous) when one matched several; read
// Lookups for every name.
type ShareLookupError struct {
	// Lookups holds one *LookupError per name that did not resolve, in the order of the request
	// (grants, then revokes; users, then teams), each name once.
	Lookups []*LookupError
}

// Error reads like `secrets: share: nothing changed: secrets: no user with e-mail "a@example.com"`,
// one line per name.
func (e *ShareLookupError) Error() string {
	msgs := make([]string, len(e.Lookups))
	for i, le := range e.Lookups {
		msgs[i] = le.Error()
	}
	return "secrets: share: nothing changed: " + strings.Join(msgs, "\n")
}

// Unwrap returns the *LookupError of each name.
func (e *ShareLookupError) Unwrap() []error {
	errs := make([]error, len(e.Lookups))
	for i, le := range e.Lookups {
		errs[i] = le
	}
	return errs
}

// The errors of a secret name that matched no secret, several, or one the caller may not read.

func notFoundError(name string) error {
	return fmt.Errorf("secrets: no secret named %q: %w", name, ErrNotFound)
}

// secretNameError is notFoundError for ErrNotFound, else ambiguousError.
func secretNameError(name string, sentinel error) error {
	if sentinel == ErrNotFound {
		return notFoundError(name)
	}
	return ambiguousError(name)
}

func ambiguousError(name string) error {
	return fmt.Errorf("secrets: more than one secret is named %q: %w", name, ErrAmbiguous)
}

func withheldError(name string) error {
	return fmt.Errorf("secrets: secret %q: the caller may see it but not read its value: %w", name, ErrValueWithheld)
}

// invalidResponse describes a body that could not be decoded without quoting it: a body can hold
// values, and a JSON error can quote them.
func invalidResponse(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, errBodyTooLarge):
		return fmt.Errorf("%w: %v", ErrInvalidResponse, err)
	case errors.As(err, &syntax):
		return fmt.Errorf("%w: malformed JSON at byte %d", ErrInvalidResponse, syntax.Offset)
	case errors.As(err, &typ):
		return fmt.Errorf("%w: JSON field %q has the wrong type", ErrInvalidResponse, typ.Field)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: truncated JSON", ErrInvalidResponse)
	}
	return fmt.Errorf("%w: unreadable JSON", ErrInvalidResponse)
}

// isAPIError reports whether err holds a response with a status other than 2xx.
func isAPIError(err error) bool {
	var ae *APIError
	return errors.As(err, &ae)
}

// isBadRequest reports whether err holds a 400 response.
func isBadRequest(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.StatusCode == http.StatusBadRequest
}
