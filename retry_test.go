package secrets_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// retryCall is one method, registered on its path, for the retry and redirect tables.
type retryCall struct {
	name   string
	method string
	path   string
	ok     string // fixture of a 2xx answer, "" for an empty body
	call   func(ctx context.Context, c *secrets.Client) error
}

var (
	callGet = retryCall{"GET secret", http.MethodGet, getPath, "secret.json",
		func(ctx context.Context, c *secrets.Client) error {
			s, err := c.Secrets.Get(ctx, secretID)
			if err == nil && s.Name != "DB_PASSWORD" {
				return errors.New("not the last answer")
			}
			return err
		}}
	callList = retryCall{"GET list", http.MethodGet, "/v1/secrets", "list_wrapped.json",
		func(ctx context.Context, c *secrets.Client) error { _, err := c.Secrets.List(ctx, nil); return err }}
	callGetByName = retryCall{"GET by name", http.MethodGet, "/v1/secrets", "list_wrapped.json",
		func(ctx context.Context, c *secrets.Client) error {
			_, err := c.Secrets.GetByName(ctx, "DB_PASSWORD")
			return err
		}}
	callAccess = retryCall{"GET accessControls", http.MethodGet, accessPath, "access_controls.json",
		func(ctx context.Context, c *secrets.Client) error {
			_, err := c.Secrets.Access(ctx, secretID)
			return err
		}}
	callUpdate = retryCall{"PATCH secret", http.MethodPatch, getPath, "secret_updated.json",
		func(ctx context.Context, c *secrets.Client) error {
			_, err := c.Secrets.Update(ctx, secretID, "hunter2-new")
			return err
		}}
	callDelete = retryCall{"DELETE secret", http.MethodDelete, getPath, "delete.json",
		func(ctx context.Context, c *secrets.Client) error { return c.Secrets.Delete(ctx, secretID) }}
	callCreate = retryCall{"POST secrets", http.MethodPost, "/v1/secrets", "secret.json",
		func(ctx context.Context, c *secrets.Client) error {
			_, err := c.Secrets.Create(ctx, "DB_PASSWORD", "hunter2")
			return err
		}}
	callShare = retryCall{"PATCH accessControls", http.MethodPatch, accessPath, "",
		func(ctx context.Context, c *secrets.Client) error {
			return c.Secrets.Share(ctx, secretID, &secrets.ShareRequest{
				Grants: []secrets.AccessChange{{Role: secrets.RoleReader, Users: []string{aliceID}}}})
		}}
)

func (rc retryCall) okResponder(t *testing.T) httpmock.Responder {
	if rc.ok == "" {
		return httpmock.NewStringResponder(http.StatusOK, "")
	}
	return fixture(t, http.StatusOK, rc.ok)
}

// TestRetry_StatusTable answers one status, then another (the call's answer unless the row says),
// and counts the attempts on the call's route: idempotent requests retry 429 and 5xx; writes that are
// not idempotent retry only 429; other statuses never retry. The caller gets the last answer: a
// DELETE whose retry finds nothing has done its job, unless the first answer was a 429 (which was
// not processed), and a 404 on the first attempt is still an error.
func TestRetry_StatusTable(t *testing.T) {
	t.Parallel()
	idempotent := []retryCall{callGet, callList, callUpdate, callDelete}
	writes := []retryCall{callCreate, callShare}
	type row struct {
		rc       retryCall
		status   int   // of the first answer
		calls    int   // attempts
		then     int   // status of the second answer; 0: the call's own answer
		sentinel error // of the call's error
	}
	rows := []row{
		{rc: callDelete, status: 503, calls: 2, then: 404},
		{rc: callDelete, status: 429, calls: 2, then: 404, sentinel: secrets.ErrNotFound},
		{rc: callGet, status: 503, calls: 2, then: 404, sentinel: secrets.ErrNotFound},
	}
	for _, status := range []int{429, 500, 502, 503, 504} {
		for _, rc := range idempotent {
			rows = append(rows, row{rc: rc, status: status, calls: 2})
		}
		want := 1
		if status == http.StatusTooManyRequests {
			want = 2 // not processed, so even a POST may be repeated
		}
		for _, rc := range writes {
			rows = append(rows, row{rc: rc, status: status, calls: want})
		}
	}
	for _, status := range []int{400, 401, 403, 404, 409, 413, 501} {
		for _, rc := range append(append([]retryCall(nil), idempotent...), writes...) {
			rows = append(rows, row{rc: rc, status: status, calls: 1, sentinel: map[int]error{404: secrets.ErrNotFound}[status]})
		}
	}
	for _, tc := range rows {
		t.Run(fmt.Sprintf("%s %d then %d", tc.rc.name, tc.status, tc.then), func(t *testing.T) {
			t.Parallel()
			logger, logs := newBufferLogger()
			c, api := setup(t, secrets.WithLogger(logger))
			second := tc.rc.okResponder(t)
			if tc.then != 0 {
				second = httpmock.NewStringResponder(tc.then, `{"message":"second"}`)
			}
			api.on(tc.rc.method, tc.rc.path, httpmock.NewStringResponder(tc.status, `{"message":"first"}`).Then(second))

			err := tc.rc.call(t.Context(), c)

			assert.Equal(t, map[string]int{tc.rc.method + " " + tc.rc.path: tc.calls}, nonZero(api.GetCallCountInfo()), "attempts")
			retried := strings.Count(logs.String(), `msg="secrets: retrying request"`)
			assert.Equal(t, tc.calls-1, retried, "one debug record per retry, none for the first attempt")
			assert.Equal(t, tc.calls == 2, strings.Contains(logs.String(), "attempt=2"), "the retry is attempt 2: %s", logs)
			if tc.calls == 2 && tc.sentinel == nil {
				require.NoError(t, err)
				return
			}
			var apiErr *secrets.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.calls, apiErr.Attempts)
			assert.Equal(t, map[int]string{1: "first", 2: "second"}[tc.calls], apiErr.Message)
			assert.Equal(t, map[int]int{1: tc.status, 2: tc.then}[tc.calls], apiErr.StatusCode)
			if tc.sentinel != nil {
				assert.ErrorIs(t, err, tc.sentinel)
			}
		})
	}
}

// TestRetry_TransportErrors checks which connection failures each kind of request retries: all of them
// for idempotent requests; for non-idempotent writes only a failed dial, where nothing was sent. When
// every attempt fails, WithRetryMax is spent (a refused dial to another host included, a load balancer
// restarting, say: only a loopback one is retried once, TestRefused_LoopbackGetsAHintAndAShortBudget),
// and a refused dial, only that, gets a hint that does not mention the emulator.
func TestRetry_TransportErrors(t *testing.T) {
	t.Parallel()
	dialErr := &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "api.test.example", IsNotFound: true}}
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	refusedAt := func(ip string) error {
		return &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.ParseIP(ip), Port: 443},
			Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	noRoute := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("no route to host")}
	cases := []struct {
		rc     retryCall
		err    error
		calls  int
		always bool   // every attempt fails, with WithRetryMax(calls-1); else the next one succeeds
		hint   bool   // the error says to check the base URL
		text   string // the whole error
	}{
		{rc: callGet, err: refused, calls: 2}, {rc: callGet, err: reset, calls: 2}, {rc: callGet, err: io.ErrUnexpectedEOF, calls: 2},
		{rc: callDelete, err: reset, calls: 2}, {rc: callUpdate, err: reset, calls: 2},
		{rc: callCreate, err: refused, calls: 2}, {rc: callCreate, err: dialErr, calls: 2}, {rc: callShare, err: refused, calls: 2},
		{rc: callCreate, err: reset, calls: 1}, {rc: callCreate, err: io.ErrUnexpectedEOF, calls: 1}, {rc: callShare, err: reset, calls: 1},
		{rc: callGet, err: reset, calls: 4, always: true, text: "secrets: GET " + getPath + ": 4 attempts: read tcp: connection reset by peer"},
		{rc: callGet, err: refusedAt("192.0.2.10"), calls: 4, always: true, hint: true},
		{rc: callGet, err: refusedAt("2001:db8::1"), calls: 4, always: true, hint: true},
		{rc: callCreate, err: refusedAt("192.0.2.10"), calls: 3, always: true, hint: true},
		{rc: callGet, err: noRoute, calls: 1, always: true},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s %v %d", tc.rc.name, tc.err, tc.calls), func(t *testing.T) {
			t.Parallel()
			var opts []secrets.Option
			responder := httpmock.NewErrorResponder(tc.err).Then(tc.rc.okResponder(t))
			if tc.always {
				opts, responder = []secrets.Option{secrets.WithRetryMax(tc.calls - 1)}, httpmock.NewErrorResponder(tc.err)
			}
			c, api := setup(t, opts...)
			api.on(tc.rc.method, tc.rc.path, responder)
			err := tc.rc.call(t.Context(), c)
			assert.Equal(t, tc.calls, api.GetTotalCallCount())
			if tc.calls == 2 && !tc.always {
				require.NoError(t, err)
				return
			}
			var reqErr *secrets.RequestError
			require.ErrorAs(t, err, &reqErr)
			assert.ErrorIs(t, err, tc.err)
			assert.Equal(t, tc.calls, reqErr.Attempts)
			assert.Equal(t, tc.rc.method, reqErr.Method)
			assert.Equal(t, tc.rc.path, reqErr.Path)
			if tc.calls > 1 {
				assert.Contains(t, err.Error(), fmt.Sprintf("secrets: %s %s: %d attempts: ", tc.rc.method, tc.rc.path, tc.calls))
			}
			if tc.text != "" {
				assert.Equal(t, tc.text, err.Error())
			}
			if tc.hint {
				assert.Contains(t, err.Error(), "(nothing listens at api.test.example: check the base URL (from WithBaseURL))")
				assert.NotContains(t, err.Error(), "emulator")
			} else {
				assert.NotContains(t, err.Error(), "nothing listens")
			}
			assert.NotContains(t, err.Error(), "giving up")
			assert.NotContains(t, err.Error(), "hunter2")
		})
	}
}

// TestRetry_RetryAfterHonoured shows that the wait follows Retry-After, in seconds and as an HTTP
// date, rather than the backoff, but never goes below the minimum wait: "0", a date in the past or
// one closer than the minimum wait the minimum (issue 11: a server answering "Retry-After: 0" must not
// drive a tight loop), and a long one is waited for (the context's deadline ends the wait before a
// second attempt).
func TestRetry_RetryAfterHonoured(t *testing.T) {
	t.Parallel()
	date := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func(offset time.Duration) secrets.Option {
		return secrets.WithClock(func() time.Time { return date.Add(offset) })
	}
	httpDate := date.Format(http.TimeFormat)
	cases := []struct {
		name       string
		retryAfter string
		opts       []secrets.Option
		deadline   time.Duration
		calls      int
		minElapsed time.Duration
	}{
		{name: "0 seconds waits the minimum", retryAfter: "0",
			opts: []secrets.Option{secrets.WithRetryWait(30*time.Millisecond, 2*time.Hour)}, deadline: 10 * time.Second, calls: 2,
			minElapsed: 30 * time.Millisecond},
		{name: "HTTP date in the past waits the minimum", retryAfter: httpDate,
			opts:     []secrets.Option{secrets.WithRetryWait(30*time.Millisecond, 2*time.Hour), clock(time.Hour)},
			deadline: 10 * time.Second, calls: 2, minElapsed: 30 * time.Millisecond},
		{name: "HTTP date 40ms ahead is waited for, beyond the minimum", retryAfter: httpDate,
			opts:     []secrets.Option{secrets.WithRetryWait(time.Millisecond, 2*time.Hour), clock(-40 * time.Millisecond)},
			deadline: 10 * time.Second, calls: 2, minElapsed: 40 * time.Millisecond},
		{name: "0 seconds does not cut a minimum of an hour", retryAfter: "0",
			opts: []secrets.Option{secrets.WithRetryWait(time.Hour, 2*time.Hour)}, deadline: 200 * time.Millisecond, calls: 1},
		{name: "1 second is waited for", retryAfter: "1",
			opts: []secrets.Option{secrets.WithRetryWait(time.Millisecond, time.Minute)}, deadline: 200 * time.Millisecond, calls: 1},
		{name: "HTTP date 10s ahead is waited for", retryAfter: httpDate,
			opts:     []secrets.Option{secrets.WithRetryWait(time.Millisecond, time.Minute), clock(-10 * time.Second)},
			deadline: 200 * time.Millisecond, calls: 1},
	}
	for _, tc := range cases {
		for _, rc := range []retryCall{callGet, callCreate} {
			t.Run(tc.name+"/"+rc.name, func(t *testing.T) {
				t.Parallel()
				c, api := setup(t, tc.opts...)
				first := httpmock.NewStringResponder(429, "").HeaderSet(http.Header{"Retry-After": {tc.retryAfter}})
				api.on(rc.method, rc.path, first.Then(rc.okResponder(t)))
				ctx, cancel := context.WithTimeout(t.Context(), tc.deadline)
				defer cancel()

				start := time.Now()
				err := rc.call(ctx, c)
				elapsed := time.Since(start)

				assert.Equal(t, tc.calls, api.GetTotalCallCount())
				assert.GreaterOrEqual(t, elapsed, tc.minElapsed)
				if tc.calls == 2 {
					require.NoError(t, err)
					return
				}
				assert.ErrorIs(t, err, context.DeadlineExceeded)
				assert.Less(t, elapsed, 5*time.Second, "returned when the deadline passed")
			})
		}
	}
}

// TestRetry_RetryAfterAboveMaxWait: a server asking for more than the maximum wait is not waited for;
// the call fails at once with the Retry-After it asked for. A Retry-After on a 404 is no delay to
// wait for, and is not reported as one.
func TestRetry_RetryAfterAboveMaxWait(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		name   string
		status int
		value  string
		want   time.Duration
		rc     retryCall
	}{
		{"429 seconds GET", 429, "60", time.Minute, callGet},
		{"429 seconds POST", 429, "60", time.Minute, callCreate},
		{"503 seconds", 503, "6", 6 * time.Second, callGet},
		{"503 HTTP date", 503, now.Add(time.Hour).Format(http.TimeFormat), time.Hour, callList},
		{"429 huge", 429, "99999999999999999999999", 365 * 24 * time.Hour, callGet},
		{"404 means nothing", 404, "3600", 0, callGet},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, api := setup(t, secrets.WithRetryWait(time.Millisecond, 5*time.Second),
				secrets.WithClock(func() time.Time { return now }))
			api.on(tc.rc.method, tc.rc.path, httpmock.NewStringResponder(tc.status, `{"message":"later"}`).
				HeaderSet(http.Header{"Retry-After": {tc.value}}))

			start := time.Now()
			err := tc.rc.call(t.Context(), c)
			assert.Less(t, time.Since(start), time.Second)
			assert.Equal(t, 1, api.GetTotalCallCount())
			apiErr := requireAPIError(t, err, tc.status)
			assert.Equal(t, tc.want, apiErr.RetryAfter)
			assert.Equal(t, 1, apiErr.Attempts)
			if tc.want == 0 {
				assert.NotContains(t, err.Error(), "retry after")
				return
			}
			assert.Contains(t, err.Error(), "(retry after "+tc.want.String())
		})
	}
}

// TestRetry_Exhausted: when the retries run out, the caller gets the *APIError of the last response,
// with Attempts = RetryMax+1, and never retryablehttp's "giving up after" error (for transport
// errors: TestRetry_TransportErrors). A body cut on one attempt does not stand in for the answer of a
// later one.
func TestRetry_Exhausted(t *testing.T) {
	t.Parallel()
	gateway := []int{502, 503, 500, 504}
	cases := []struct {
		rc       retryCall
		statuses []int // answered in turn
		retryMax int
		cutFirst bool   // the first attempt's body breaks after a few bytes
		text     string // the whole error, if given
	}{
		{rc: callGet, statuses: gateway, retryMax: 0}, {rc: callGet, statuses: gateway, retryMax: 1},
		{rc: callGet, statuses: gateway, retryMax: 2}, {rc: callGet, statuses: gateway, retryMax: 4},
		{rc: callGet, statuses: []int{503}, retryMax: 1, cutFirst: true},
		{rc: callCreate, statuses: []int{429}, retryMax: 2, text: "secrets: POST /v1/secrets: 429 Too Many Requests: answer 3 (3 attempts, request id req-3)"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.rc.name, " RetryMax ", tc.retryMax), func(t *testing.T) {
			t.Parallel()
			c, api := setup(t, secrets.WithRetryMax(tc.retryMax))
			var n atomic.Int32
			api.on(tc.rc.method, tc.rc.path, func(req *http.Request) (*http.Response, error) {
				i := n.Add(1)
				if tc.cutFirst && i == 1 {
					return cutResponder(`{"secretID":"3f2b`, syscall.ECONNRESET)(req)
				}
				resp := httpmock.NewStringResponse(tc.statuses[int(i-1)%len(tc.statuses)], fmt.Sprintf(`{"message":"answer %d"}`, i))
				resp.Header.Set("X-Request-Id", fmt.Sprint("req-", i))
				return resp, nil
			})

			err := tc.rc.call(t.Context(), c)

			attempts := tc.retryMax + 1
			assert.Equal(t, attempts, api.GetTotalCallCount())
			apiErr := requireAPIError(t, err, tc.statuses[(attempts-1)%len(tc.statuses)])
			assert.Equal(t, fmt.Sprint("answer ", attempts), apiErr.Message)
			assert.Equal(t, fmt.Sprintf(`{"message":"answer %d"}`, attempts), string(apiErr.Body))
			assert.Equal(t, fmt.Sprint("req-", attempts), apiErr.RequestID)
			assert.Equal(t, attempts, apiErr.Attempts)
			assert.NotContains(t, err.Error(), "giving up")
			if attempts > 1 {
				assert.Contains(t, err.Error(), fmt.Sprintf("%d attempts", attempts))
			}
			if apiErr.StatusCode == http.StatusTooManyRequests {
				assert.ErrorIs(t, err, secrets.ErrRateLimited)
			}
			if tc.text != "" {
				assert.Equal(t, tc.text, err.Error())
			}
		})
	}
}

// TestRetry_Context: a context that is already done, that ends during a request, or that ends during
// the wait between attempts, returns promptly with the context's error; a request that may have
// reached the server is not repeated.
func TestRetry_Context(t *testing.T) {
	t.Parallel()
	both := []retryCall{callGet, callCreate}
	cases := []struct {
		name     string
		calls    []retryCall
		opts     []secrets.Option
		deadline time.Duration // the context's deadline, if it is what ends it
		answer   func(cancel context.CancelFunc, rc retryCall) httpmock.Responder
		want     error
		attempts int
	}{
		{name: "cancelled before the call", calls: both, want: context.Canceled, attempts: 0,
			answer: func(cancel context.CancelFunc, rc retryCall) httpmock.Responder { cancel(); return rc.okResponder(t) }},
		{name: "cancelled during the request", calls: both, want: context.Canceled, attempts: 1,
			answer: func(cancel context.CancelFunc, _ retryCall) httpmock.Responder {
				return func(req *http.Request) (*http.Response, error) {
					cancel()
					<-req.Context().Done()
					return nil, req.Context().Err()
				}
			}},
		{name: "cancelled during backoff", calls: both, want: context.Canceled, attempts: 1,
			opts: []secrets.Option{secrets.WithRetryWait(time.Millisecond, time.Minute)},
			answer: func(cancel context.CancelFunc, _ retryCall) httpmock.Responder {
				return func(req *http.Request) (*http.Response, error) {
					time.AfterFunc(2*time.Millisecond, cancel) // the client is waiting 30s by then
					return httpmock.NewStringResponder(429, "").HeaderSet(http.Header{"Retry-After": {"30"}})(req)
				}
			}},
		{name: "deadline during backoff", calls: []retryCall{callGet}, want: context.DeadlineExceeded, attempts: 1,
			opts:     []secrets.Option{secrets.WithRetryWait(time.Minute, time.Hour)},
			deadline: 100 * time.Millisecond, // long enough to send the first attempt
			answer:   func(context.CancelFunc, retryCall) httpmock.Responder { return httpmock.NewStringResponder(503, "") }},
	}
	for _, tc := range cases {
		for _, rc := range tc.calls {
			t.Run(tc.name+"/"+rc.name, func(t *testing.T) {
				t.Parallel()
				c, api := setup(t, tc.opts...)
				ctx, cancel := context.WithTimeout(t.Context(), cmp.Or(tc.deadline, time.Hour))
				defer cancel()
				api.on(rc.method, rc.path, tc.answer(cancel, rc))

				start := time.Now()
				err := rc.call(ctx, c)

				assert.Less(t, time.Since(start), 2*time.Second, "returned promptly")
				assert.ErrorIs(t, err, tc.want)
				if tc.want != context.Canceled {
					assert.NotErrorIs(t, err, context.Canceled)
				}
				assert.Equal(t, tc.attempts, api.GetTotalCallCount())
				var reqErr *secrets.RequestError
				require.ErrorAs(t, err, &reqErr)
				assert.Equal(t, tc.attempts, reqErr.Attempts, "a request that may have reached the server is not repeated")
				if tc.attempts == 0 {
					assert.Equal(t, "secrets: "+rc.method+" "+rc.path+": context canceled", err.Error())
				}
			})
		}
	}
}

// nonZero drops the routes that were never called from httpmock's call counts.
func nonZero(m map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

// TestRetry_RetryAfterNowIsNoStorm (issue 11 §7): a server that answers every attempt with a
// Retry-After meaning "now" (0, negative, a date in the past) gets the retries spaced by at least
// the minimum wait, not five attempts in a millisecond.
func TestRetry_RetryAfterNowIsNoStorm(t *testing.T) {
	t.Parallel()
	const waitMin = 10 * time.Millisecond
	for _, retryAfter := range []string{"0", "-1", "Thu, 01 Jan 1970 00:00:00 GMT"} {
		for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
			t.Run(fmt.Sprint(retryAfter, " ", status), func(t *testing.T) {
				t.Parallel()
				c, api := setup(t, secrets.WithRetryWait(waitMin, time.Second), secrets.WithRetryMax(3))
				api.on(http.MethodGet, getPath, httpmock.NewStringResponder(status, "").
					HeaderSet(http.Header{"Retry-After": {retryAfter}}))
				start := time.Now()
				_, err := c.Secrets.Get(t.Context(), secretID)
				elapsed := time.Since(start)
				var apiErr *secrets.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, 4, api.GetTotalCallCount())
				assert.GreaterOrEqual(t, elapsed, 3*waitMin, "three waits of at least the minimum")
			})
		}
	}
}
