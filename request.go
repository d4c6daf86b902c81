package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/helios-secrets/go-secrets/internal/redact"
	"github.com/helios-secrets/go-secrets/internal/retry"
)

// Response size limits. Values are at most MaxValueBytes, and JSON escaping can make one up to six
// times longer (\u00XX); no valid response comes near maxListBody.
const (
	maxObjectBody = 6*MaxValueBytes + 64<<10
	maxListBody   = 256 << 20
	maxErrorBody  = 64 << 10 // error bodies are cut, not refused
)

// request describes one API call.
type request struct {
	method     string
	path       string // after the version: "/secrets/{id}"
	query      string // encoded, without organizationID
	body       any    // sent as JSON when not nil
	idempotent bool   // false: retried only when nothing reached the server, or on 429
	maxBody    int64  // limit of a 2xx body; 0 means maxObjectBody
	secret     string // a value sent, masked in anything quoted back from the server
	orgID      string // overrides the client's organization ID
}

// Header values shared by every request; nothing writes to these slices.
var (
	jsonHeader = []string{"application/json"}
)

// do sends r with retries and hands a 2xx body to decode (which may be nil). Failures come back as
// *APIError (a non-2xx response) or *RequestError (no usable response).
func (c *Client) do(ctx context.Context, r *request, decode func([]byte) error) error {
	if ctx == nil {
		return invalidArgument("nil context")
	}
	if err := ctx.Err(); err != nil {
		return c.requestError(ctx, r, 0, err)
	}
	if err := c.checkToken(); err != nil {
		return err
	}
	var body any // stays a nil interface for bodiless requests
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return invalidArgument("encoding the request: %v", err)
		}
		body = b
	}
	st := &retry.State{Idempotent: r.idempotent}
	req, err := retryablehttp.NewRequestWithContext(retry.WithState(ctx, st), r.method, c.url(r), body)
	if err != nil {
		return invalidArgument("building the request: %v", err)
	}
	req.Header["Authorization"] = []string{c.cred.auth}
	req.Header["Accept"] = jsonHeader
	req.Header["User-Agent"] = []string{c.userAgent}
	if body != nil {
		req.Header["Content-Type"] = jsonHeader
	}

	// The body is read inside the retry loop, so that a connection cut mid-body is retried like any
	// other transport failure (for requests that may be repeated).
	var (
		data      []byte
		handledAt int // the attempt whose body data holds (0: none); each retry makes a new response
	)
	req.SetResponseHandler(func(resp *http.Response) error {
		handledAt, data = st.Attempts, nil
		var err error
		if ok2xx(resp.StatusCode) {
			data, err = readBody(resp, r.limit())
		} else {
			data, err = readErrorBody(resp)
		}
		return err
	})

	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		err = c.requestError(ctx, r, st.Attempts, err)
		c.log(ctx, r, 0, st.Attempts, start, err)
		return err
	}
	if handledAt != st.Attempts { // retries ran out on a retryable status; its body is still unread
		data, _ = readErrorBody(resp)
	}
	c.log(ctx, r, resp.StatusCode, st.Attempts, start, nil)
	if !ok2xx(resp.StatusCode) {
		return c.apiError(r, resp, data, st.Attempts)
	}
	if decode == nil {
		return nil
	}
	if err := decode(data); err != nil {
		return &RequestError{Method: r.method, Path: c.basePath + r.path, Attempts: st.Attempts, Err: err}
	}
	return nil
}

func ok2xx(status int) bool { return status >= 200 && status < 300 }

func (r *request) limit() int64 {
	if r.maxBody > 0 {
		return r.maxBody
	}
	return maxObjectBody
}

// url is the full URL of r, with organizationID merged into its query.
func (c *Client) url(r *request) string {
	u := c.base + r.path
	org := c.orgID
	if r.orgID != "" {
		org = r.orgID
	}
	q := r.query
	if org != "" {
		if q != "" {
			q += "&"
		}
		q += "organizationID=" + url.QueryEscape(org)
	}
	if q == "" {
		return u
	}
	return u + "?" + q
}

var errBodyTooLarge = errors.New("response body is larger than any valid response")

// readBody reads a 2xx body, refusing one over limit. A known Content-Length is read into a buffer of
// exactly that size.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	defer resp.Body.Close()
	if resp.ContentLength > limit {
		return nil, retry.Permanent(invalidResponse(errBodyTooLarge))
	}
	if n := resp.ContentLength; n >= 0 {
		buf := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, retry.Permanent(invalidResponse(errBodyTooLarge))
	}
	return data, nil
}

// readErrorBody reads at most maxErrorBody bytes of an error body; the rest is dropped. A body cut
// by the connection is kept as far as it came: the status says what matters.
func readErrorBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	return data, nil
}

// apiError builds the *APIError of a non-2xx response, with secrets masked.
func (c *Client) apiError(r *request, resp *http.Response, body []byte, attempts int) error {
	if len(body) >= maxErrorBody {
		body = redact.Cut(body, c.cred.token, r.secret) // cut by readErrorBody: a secret may straddle the cut
	} else {
		body = redact.Bytes(body, c.cred.token, r.secret)
	}
	e := &APIError{
		StatusCode: resp.StatusCode,
		Method:     r.method,
		Path:       c.basePath + r.path,
		Message:    redact.Message(body, c.cred.token, r.secret),
		RequestID:  redact.String(resp.Header.Get("X-Request-Id"), c.cred.token, r.secret),
		Attempts:   max(attempts, 1),
		Body:       body,
	}
	if ra, ok := retry.RetryAfter(resp, c.now()); ok {
		e.RetryAfter = ra
	}
	return e
}

// requestError wraps a failure without a usable response. A finished context wins over whatever
// error it caused, so callers see context.Canceled or context.DeadlineExceeded.
func (c *Client) requestError(ctx context.Context, r *request, attempts int, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		err = ctxErr
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its text repeats the URL, which the RequestError already names
	}
	return &RequestError{Method: r.method, Path: c.basePath + r.path, Attempts: attempts, Err: err}
}

// onAttempt counts attempts (retryablehttp calls it before each one) and logs retries.
func (c *Client) onAttempt(_ retryablehttp.Logger, req *http.Request, attempt int) {
	if st := retry.StateFrom(req.Context()); st != nil {
		st.Attempts = attempt + 1
	}
	if attempt > 0 && c.logger != nil {
		c.logger.LogAttrs(req.Context(), slog.LevelDebug, "secrets: retrying request",
			slog.String("method", req.Method), slog.String("path", req.URL.Path), slog.Int("attempt", attempt+1))
	}
}

// log records a finished call at debug level: never a token, body or value.
func (c *Client) log(ctx context.Context, r *request, status, attempts int, start time.Time, err error) {
	if c.logger == nil || !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", r.method),
		slog.String("path", c.basePath+r.path),
		slog.Int("attempts", attempts),
		slog.Duration("duration", time.Since(start)),
	}
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "secrets: request", attrs...)
}

// decodeJSON unmarshals a 2xx body into v.
func decodeJSON(v any) func([]byte) error {
	return func(data []byte) error {
		if err := json.Unmarshal(data, v); err != nil {
			return invalidResponse(err)
		}
		return nil
	}
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
