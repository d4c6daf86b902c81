package secrets_test

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// TestErrors_StatusMapping answers GET /v1/secrets/{id} with each error status once (no retries) and
// checks the sentinels, every field of the *APIError, and the error string; an *APIError built by hand
// with the same status, as tests of users do, matches the same sentinels.
func TestErrors_StatusMapping(t *testing.T) {
	t.Parallel()
	longText := strings.Repeat("abcdefghij", 60) // 600 bytes: the message is cut to 512
	reqID := func(id string) http.Header { return http.Header{"X-Request-Id": {id}} }
	cases := []struct {
		name      string
		status    int
		header    http.Header
		body      string
		sentinels []error
		message   string
		errString string // after "secrets: GET /v1/secrets/{id}: "
	}{
		{name: "400 JSON message", status: 400, header: reqID("req-400"), body: `{"code":400,"message":"name must contain only letters, digits and _"}`,
			sentinels: []error{secrets.ErrInvalidArgument}, message: "name must contain only letters, digits and _",
			errString: "400 Bad Request: name must contain only letters, digits and _ (request id req-400)"},
		{name: "401 JSON error field", status: 401, body: `{"error":"invalid or expired token"}`, sentinels: []error{secrets.ErrUnauthorized},
			message: "invalid or expired token", errString: "401 Unauthorized: invalid or expired token"},
		{name: "403 nested error message", status: 403, header: reqID("7d0c2a"), body: `{"error":{"code":"FORBIDDEN","message":"only an Owner may do this"}}`,
			sentinels: []error{secrets.ErrForbidden}, message: "only an Owner may do this",
			errString: "403 Forbidden: only an Owner may do this (request id 7d0c2a)"},
		{name: "404", status: 404, body: `{"message":"secret not found"}`, sentinels: []error{secrets.ErrNotFound},
			message: "secret not found", errString: "404 Not Found: secret not found"},
		{name: "409", status: 409, body: `{"message":"a secret with this name already exists"}`, sentinels: []error{secrets.ErrConflict},
			message: "a secret with this name already exists", errString: "409 Conflict: a secret with this name already exists"},
		{name: "413", status: 413, body: `{"message":"value too large"}`, sentinels: []error{secrets.ErrValueTooLarge, secrets.ErrInvalidArgument},
			message: "value too large", errString: "413 Request Entity Too Large: value too large"},
		{name: "429 with Retry-After", status: 429, header: http.Header{"Retry-After": {"7"}, "X-Request-Id": {"rl-1"}}, body: `{"message":"slow down"}`,
			sentinels: []error{secrets.ErrRateLimited}, message: "slow down",
			errString: "429 Too Many Requests: slow down (retry after 7s, request id rl-1)"},
		{name: "429 without Retry-After", status: 429, body: `{"message":"slow down"}`, sentinels: []error{secrets.ErrRateLimited},
			message: "slow down", errString: "429 Too Many Requests: slow down"},
		{name: "500 plain text, Retry-After", status: 500, header: http.Header{"Retry-After": {"3"}}, body: "internal error\n", message: "internal error",
			errString: "500 Internal Server Error: internal error (retry after 3s)"},
		{name: "300 is no success", status: 300, body: `{"message":"pick one"}`, message: "pick one", errString: "300 Multiple Choices: pick one"},
		{name: "503 empty body", status: 503, errString: "503 Service Unavailable"},
		{name: "504 empty body", status: 504, errString: "504 Gateway Timeout"},
		{name: "502 non-JSON text", status: 502, body: "upstream connect error or disconnect/reset before headers",
			message: "upstream connect error or disconnect/reset before headers", errString: "502 Bad Gateway: upstream connect error or disconnect/reset before headers"},
		{name: "502 HTML error page", status: 502, header: http.Header{"Content-Type": {"text/html"}},
			body: "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>", errString: "502 Bad Gateway"},
		{name: "JSON without message", status: 500, body: `{"code":42}`, message: `{"code":42}`, errString: `500 Internal Server Error: {"code":42}`},
		{name: "broken JSON", status: 400, body: `{"message": "unterminated`, sentinels: []error{secrets.ErrInvalidArgument},
			message: `{"message": "unterminated`, errString: `400 Bad Request: {"message": "unterminated`},
		{name: "control characters and whitespace", status: 400, body: "{\"message\":\"line one\\nline two\\t\\u0007 end  \"}",
			sentinels: []error{secrets.ErrInvalidArgument}, message: "line one line two end", errString: "400 Bad Request: line one line two end"},
		{name: "long message is cut", status: 400, body: `{"message":"` + longText + `"}`, sentinels: []error{secrets.ErrInvalidArgument},
			message: longText[:512] + "…", errString: "400 Bad Request: " + longText[:512] + "…"},
		{name: "unknown status", status: 418, body: "I'm a teapot", message: "I'm a teapot", errString: "418 I'm a teapot: I'm a teapot"},
		{name: "status without text", status: 599, errString: "599"},
	}
	assertSentinels(t, &secrets.APIError{StatusCode: http.StatusOK}) // no sentinel for a success

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, api := setup(t, secrets.WithRetryMax(0))
			api.on(http.MethodGet, getPath, httpmock.NewStringResponder(tc.status, tc.body).HeaderSet(tc.header))

			s, err := c.Secrets.Get(t.Context(), secretID)
			require.Error(t, err)
			assert.Nil(t, s)
			assert.Equal(t, 1, api.GetTotalCallCount())
			assertSentinels(t, err, tc.sentinels...)
			assertSentinels(t, fmt.Errorf("wrapped: %w", &secrets.APIError{StatusCode: tc.status}), tc.sentinels...)

			var apiErr *secrets.APIError
			require.ErrorAs(t, err, &apiErr)
			retryAfter, _ := strconv.Atoi(tc.header.Get("Retry-After"))
			assert.Equal(t, secrets.APIError{
				StatusCode: tc.status, Method: http.MethodGet, Path: getPath, Message: tc.message,
				RequestID: tc.header.Get("X-Request-Id"), Attempts: 1, RetryAfter: time.Duration(retryAfter) * time.Second, Body: apiErr.Body,
			}, *apiErr)
			assert.Equal(t, tc.body, string(apiErr.Body))
			assert.Equal(t, "secrets: GET "+getPath+": "+tc.errString, err.Error())
			assert.NotContains(t, err.Error(), "giving up")
		})
	}
}

// TestErrors_RequestError checks the shape of *RequestError: method, path, attempts, cause.
func TestErrors_RequestError(t *testing.T) {
	t.Parallel()
	cause := errors.New("boom")
	e := &secrets.RequestError{Method: "GET", Path: "/v1/secrets", Attempts: 3, Err: cause}
	assert.Equal(t, "secrets: GET /v1/secrets: 3 attempts: boom", e.Error())
	assert.ErrorIs(t, e, cause)
	e.Attempts = 1
	assert.Equal(t, "secrets: GET /v1/secrets: boom", e.Error())
}

// TestErrors_LookupError checks the strings and sentinels of *LookupError.
func TestErrors_LookupError(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err  *secrets.LookupError
		want string
	}{
		{&secrets.LookupError{Kind: "user", Name: "a@example.com", Err: secrets.ErrNotFound}, `secrets: no user with e-mail "a@example.com"`},
		{&secrets.LookupError{Kind: "user", Name: "a@example.com", Err: secrets.ErrAmbiguous}, `secrets: more than one user with e-mail "a@example.com"`},
		{&secrets.LookupError{Kind: "team", Name: "ops", Err: secrets.ErrNotFound}, `secrets: no team named "ops"`},
		{&secrets.LookupError{Kind: "team", Name: "ops", Err: secrets.ErrAmbiguous}, `secrets: more than one team named "ops"`},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, tc.err.Error())
		assertSentinels(t, tc.err, tc.err.Err)
	}
}

// TestErrors_ShareLookupError checks the text, sentinels and errors.As of *ShareLookupError: one
// line per name, each *LookupError reachable, and a value built by hand with no lookups still prints.
func TestErrors_ShareLookupError(t *testing.T) {
	t.Parallel()
	user := &secrets.LookupError{Kind: "user", Name: "a@example.com", Err: secrets.ErrNotFound}
	team := &secrets.LookupError{Kind: "team", Name: "ops", Err: secrets.ErrAmbiguous}
	cases := []struct {
		name    string
		err     *secrets.ShareLookupError
		text    string
		matches []error
	}{
		{"none", &secrets.ShareLookupError{}, "secrets: share: nothing changed: ", nil},
		{"one", &secrets.ShareLookupError{Lookups: []*secrets.LookupError{user}},
			`secrets: share: nothing changed: secrets: no user with e-mail "a@example.com"`, []error{secrets.ErrNotFound}},
		{"two", &secrets.ShareLookupError{Lookups: []*secrets.LookupError{user, team}},
			"secrets: share: nothing changed: secrets: no user with e-mail \"a@example.com\"\nsecrets: more than one team named \"ops\"",
			[]error{secrets.ErrNotFound, secrets.ErrAmbiguous}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := fmt.Errorf("wrapped: %w", tc.err)
			assert.Equal(t, tc.text, tc.err.Error())
			assertSentinels(t, err, tc.matches...)
			var got *secrets.ShareLookupError
			require.ErrorAs(t, err, &got)
			assert.Same(t, tc.err, got)
			var first *secrets.LookupError
			if assert.Equal(t, len(tc.err.Lookups) > 0, errors.As(err, &first)) && first != nil {
				assert.Same(t, tc.err.Lookups[0], first)
			}
		})
	}
}
