package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"syscall"
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
	// notFoundMeansDone makes a 404 a success when an earlier attempt may have been processed
	// (DELETE: that attempt deleted the resource).
	notFoundMeansDone bool
}

// Header values shared by every request; nothing writes to these slices.
var (
	jsonHeader = []string{"application/json"}
)

// call is the bookkeeping of one do: the request's context (with the retry state) and what the
// response handler read, in one allocation.
type call struct {
	retry.Ctx
	c         *Client
	r         *request
	data      []byte      // the body of attempt handledAt
	handledAt int         // the attempt whose body data holds (0: none); each retry makes a new response
	buf       *bodyBuffer // pooled buffer behind data for 2xx bodies; released when do returns
	cred      *credential // the token of the latest attempt
	earlier   []string    // the tokens of earlier attempts, when a retry rotated the token
	authErr   error       // why a retry found no token to send (see prepareRetry)
}

// do sends r with retries and hands a 2xx body to decode (which may be nil; it must not keep the
// slice it is given). Failures come back as *APIError (a non-2xx response) or *RequestError (no usable
// response).
func (c *Client) do(ctx context.Context, r *request, decode func([]byte) error) error {
	if ctx == nil {
		return invalidArgument("nil context")
	}
	if err := ctx.Err(); err != nil {
		return c.requestError(ctx, r, 0, err)
	}
	cred, err := c.auth.credential(ctx, c.now())
	if err != nil {
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
	cl := &call{Ctx: retry.Ctx{Context: ctx, State: retry.State{Idempotent: r.idempotent}}, c: c, r: r, cred: cred}
	defer cl.release()
	req, err := retryablehttp.NewRequestWithContext(cl, r.method, c.url(r), body)
	if err != nil {
		return invalidArgument("building the request: %v", err)
	}
	req.Header["Authorization"] = cred.authHeader
	req.Header["Accept"] = jsonHeader
	req.Header["User-Agent"] = c.userAgentHeader
	if body != nil {
		req.Header["Content-Type"] = jsonHeader
	}
	// The body is read inside the retry loop, so that a connection cut mid-body is retried like any
	// other transport failure (for requests that may be repeated).
	req.SetResponseHandler(cl.readResponse)

	start := time.Now()
	resp, err := c.http.Do(req)
	attempts := cl.Attempts
	if cl.authErr != nil {
		return cl.authErr // as before the first attempt: the token's own error
	}
	if err != nil {
		err = c.requestError(ctx, r, attempts, err, cl.tokens()...)
		c.log(ctx, r, 0, attempts, start, err)
		return err
	}
	if cl.handledAt != attempts { // retries ran out on a retryable status; its body is still unread
		cl.data, _ = readErrorBody(resp)
	}
	c.log(ctx, r, resp.StatusCode, attempts, start, nil)
	if resp.StatusCode == http.StatusNotFound && r.notFoundMeansDone && cl.MaybeProcessed {
		return nil
	}
	if !ok2xx(resp.StatusCode) {
		return c.apiError(r, resp, cl.data, attempts, cl.tokens()...)
	}
	if decode == nil {
		return nil
	}
	if err := decode(cl.data); err != nil {
		return &RequestError{Method: r.method, Path: c.basePath + r.path, Attempts: attempts, Err: err}
	}
	return nil
}

// readResponse is the retryablehttp response handler: it reads the body of the attempt.
func (cl *call) readResponse(resp *http.Response) error {
	cl.handledAt, cl.data = cl.Attempts, nil
	if !ok2xx(resp.StatusCode) {
		cl.data, _ = readErrorBody(resp)
		return nil
	}
	if cl.buf == nil {
		cl.buf = getBuffer()
	}
	var err error
	cl.data, err = cl.buf.read(resp, cl.r.limit())
	return err
}

// prepareRetry is retryablehttp's PrepareRetry: before each retry it asks the client's token provider
// again, so that a token rotated meanwhile (or an expired one) is seen. An error stops the retries with
// nothing sent, and do returns it.
func (c *Client) prepareRetry(req *http.Request) error {
	cl, ok := req.Context().(*call)
	if !ok {
		return nil
	}
	cred, err := c.auth.credential(cl, c.now())
	if err != nil {
		cl.authErr = err
		return err
	}
	if cred != cl.cred {
		// retryablehttp made req a shallow copy; its Header map is still the earlier attempt's.
		req.Header = req.Header.Clone()
		req.Header["Authorization"] = cred.authHeader
		cl.earlier = append(cl.earlier, cl.cred.token)
		cl.cred = cred
	}
	return nil
}

// tokens are the tokens this call sent and the value it sent, to mask in anything quoted back from
// the server.
func (cl *call) tokens() []string {
	return append([]string{cl.cred.token, cl.r.secret}, cl.earlier...)
}

func (cl *call) release() {
	if cl.buf != nil {
		putBuffer(cl.buf)
		cl.buf, cl.data = nil, nil
	}
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

// readErrorBody reads at most maxErrorBody bytes of an error body; the rest is dropped. A body cut
// by the connection is kept as far as it came: the status says what matters.
func readErrorBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	return data, nil
}

// apiError builds the *APIError of a non-2xx response, with secrets masked.
// masked holds the tokens the call sent and the value it sent (r.secret).
func (c *Client) apiError(r *request, resp *http.Response, body []byte, attempts int, masked ...string) error {
	if len(body) >= maxErrorBody {
		body = redact.Cut(body, masked...) // cut by readErrorBody: a secret may straddle the cut
	} else {
		body = redact.Bytes(body, masked...)
	}
	e := &APIError{
		StatusCode: resp.StatusCode,
		Method:     r.method,
		Path:       c.basePath + r.path,
		Message:    redact.Message(body, masked...),
		RequestID:  redact.String(resp.Header.Get("X-Request-Id"), masked...),
		Attempts:   max(attempts, 1),
		Body:       body,
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		if ra, ok := retry.RetryAfter(resp, c.now()); ok {
			e.RetryAfter = ra
		}
	}
	return e
}

// requestError wraps a failure without a usable response. A finished context wins over whatever
// error it caused, so callers see context.Canceled or context.DeadlineExceeded. masked holds the
// tokens the call sent and the value it sent.
func (c *Client) requestError(ctx context.Context, r *request, attempts int, err error, masked ...string) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		err = ctxErr
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its text repeats the URL, which the RequestError already names
	}
	// net/http quotes what the server sent in some errors (an unparsable Location header, say), and
	// a hostile server can echo the request there.
	if text := err.Error(); redact.String(text, masked...) != text {
		err = &maskedError{text: redact.String(text, masked...), cause: err}
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		err = &hintedError{err: err, hint: c.refusedHint(err)}
	}
	return &RequestError{Method: r.method, Path: c.basePath + r.path, Attempts: attempts, Err: err}
}

// refusedHint says what to check when nothing listened at the address dialled.
func (c *Client) refusedHint(err error) string {
	hint := "nothing listens at " + c.host + ": check the base URL (from " + c.baseURLFrom + ")"
	if retry.RefusedLoopback(err) {
		hint += "; is the emulator running?"
	}
	return hint
}

// hintedError adds a hint to a transport error, which errors.Is and errors.As still see through.
type hintedError struct {
	err  error
	hint string
}

func (e *hintedError) Error() string { return e.err.Error() + " (" + e.hint + ")" }
func (e *hintedError) Unwrap() error { return e.err }

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
