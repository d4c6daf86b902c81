package secrets_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// Identities used across the tests; the IDs match the fixtures in testdata/.
const (
	testBaseURL = "https://api.test.example"
	testToken   = "tok_5e2f9c7a1b3d4e6f8a0b" //nolint:gosec // a test token
	testOrgID   = "0f6c3e2a-8b7d-4c1e-9f5a-2d4b6c8e0a13"
	otherOrgID  = "5a5a5a5a-1b1b-4c2c-8d3d-4e4e4e4e4e4e"
	secretID    = "3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f4a5b"
	aliceID     = "a1b2c3d4-0000-4000-8000-0000000000a1"
	teamDSID    = "7e57ea3a-0000-4000-8000-0000000000d5"
	getPath     = "/v1/secrets/" + secretID
	accessPath  = getPath + "/accessControls"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden request bodies in testdata/requests")

// allSentinels lists every sentinel error, to check that an error matches exactly the ones it should.
var allSentinels = map[string]error{
	"ErrNotFound":        secrets.ErrNotFound,
	"ErrUnauthorized":    secrets.ErrUnauthorized,
	"ErrForbidden":       secrets.ErrForbidden,
	"ErrConflict":        secrets.ErrConflict,
	"ErrRateLimited":     secrets.ErrRateLimited,
	"ErrInvalidName":     secrets.ErrInvalidName,
	"ErrValueTooLarge":   secrets.ErrValueTooLarge,
	"ErrAmbiguous":       secrets.ErrAmbiguous,
	"ErrValueWithheld":   secrets.ErrValueWithheld,
	"ErrNoCredentials":   secrets.ErrNoCredentials,
	"ErrInvalidArgument": secrets.ErrInvalidArgument,
	"ErrTokenExpired":    secrets.ErrTokenExpired,
	"ErrInvalidResponse": secrets.ErrInvalidResponse,
	"ErrRedirectRefused": secrets.ErrRedirectRefused,
}

// assertSentinels checks that err matches each sentinel of want and no other.
func assertSentinels(t *testing.T, err error, want ...error) {
	t.Helper()
	for name, sentinel := range allSentinels {
		expected := false
		for _, w := range want {
			expected = expected || w == sentinel
		}
		assert.Equal(t, expected, errors.Is(err, sentinel), "errors.Is(err, %s) for %v", name, err)
	}
}

// sentRequest is one attempt as the mock transport saw it.
type sentRequest struct {
	Method string
	URL    *url.URL
	Header http.Header
	Body   []byte
}

// fakeAPI is a per-test httpmock transport, placed under the retry layer (through WithHTTPClient)
// so that it sees, counts and records every attempt. Requests nobody registered are answered 418
// and recorded too, so that GetTotalCallCount counts every attempt that went out.
type fakeAPI struct {
	*httpmock.MockTransport
	t    *testing.T
	mu   sync.Mutex
	sent []sentRequest
}

func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	f := &fakeAPI{MockTransport: httpmock.NewMockTransport(), t: t}
	f.RegisterNoResponder(f.record(httpmock.NewStringResponder(http.StatusTeapot, `{"message":"no responder registered"}`)))
	return f
}

// on answers method on path (any host, any query) with r, recording each attempt.
func (f *fakeAPI) on(method, path string, r httpmock.Responder) {
	f.RegisterResponder(method, path, f.record(r))
}

func (f *fakeAPI) record(r httpmock.Responder) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		var body []byte
		if req.Body != nil {
			var err error
			body, err = io.ReadAll(req.Body)
			if err != nil {
				return nil, err
			}
			_ = req.Body.Close()
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		u := *req.URL
		f.mu.Lock()
		f.sent = append(f.sent, sentRequest{Method: req.Method, URL: &u, Header: req.Header.Clone(), Body: body})
		f.mu.Unlock()
		return r(req)
	}
}

// requests returns the attempts recorded so far.
func (f *fakeAPI) requests() []sentRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sentRequest(nil), f.sent...)
}

// only returns the single request recorded, failing the test when there were several or none.
func (f *fakeAPI) only() sentRequest {
	f.t.Helper()
	reqs := f.requests()
	require.Len(f.t, reqs, 1, "requests sent")
	return reqs[0]
}

// httpClient is the http.Client to pass to WithHTTPClient.
func (f *fakeAPI) httpClient() *http.Client { return &http.Client{Transport: f.MockTransport} }

// fastRetries keeps backoff in the millisecond range.
func fastRetries() secrets.Option { return secrets.WithRetryWait(time.Millisecond, 5*time.Millisecond) }

// setup is the wire layer's one harness, as go-github's: a Client on a fresh fakeAPI, with token
// testToken, base URL testBaseURL and fast retries; opts come last and win.
func setup(t *testing.T, opts ...secrets.Option) (*secrets.Client, *fakeAPI) {
	t.Helper()
	f := newFakeAPI(t)
	all := append([]secrets.Option{
		secrets.WithAPIKey(testToken),
		secrets.WithBaseURL(testBaseURL),
		secrets.WithHTTPClient(f.httpClient()),
		fastRetries(),
	}, opts...)
	c, err := secrets.NewClient(all...)
	require.NoError(t, err)
	return c, f
}

// readTestdata returns a file of testdata/.
func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// fixture answers status with the body of testdata/responses/name, as JSON.
func fixture(t *testing.T, status int, name string) httpmock.Responder {
	t.Helper()
	return jsonResponder(status, string(readTestdata(t, filepath.Join("responses", name))))
}

// jsonResponder answers status with body and a JSON content type.
func jsonResponder(status int, body string) httpmock.Responder {
	return httpmock.NewStringResponder(status, body).
		HeaderSet(http.Header{"Content-Type": {"application/json"}}).SetContentLength()
}

// assertGoldenJSON compares a request body with testdata/requests/name (rewritten under -update).
func assertGoldenJSON(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "requests", name)
	if *updateGolden {
		var out bytes.Buffer
		require.NoError(t, json.Indent(&out, got, "", "  "))
		out.WriteByte('\n')
		require.NoError(t, os.WriteFile(path, out.Bytes(), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got), "request body vs %s", path)
}

// failingBody yields data, then fails with err: a connection cut in the middle of a body.
type failingBody struct {
	data []byte
	err  error
}

func (b *failingBody) Read(p []byte) (int, error) {
	if len(b.data) == 0 {
		return 0, b.err
	}
	n := copy(p, b.data)
	b.data = b.data[n:]
	return n, nil
}

func (b *failingBody) Close() error { return nil }

// cutResponder answers 200 with a body that breaks after prefix.
func cutResponder(prefix string, err error) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		return &http.Response{
			StatusCode:    http.StatusOK,
			Status:        "200 OK",
			Header:        http.Header{"Content-Type": {"application/json"}},
			Body:          &failingBody{data: []byte(prefix), err: err},
			ContentLength: -1,
			Request:       req,
		}, nil
	}
}
