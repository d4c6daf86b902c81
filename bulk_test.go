package secrets_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

const bulkBaseURL = "https://api.test.example"

// bulkList is a list response: readable A and B, withheld W, twice-named TWICE, and EXTRA, which
// nobody asks for (its value must never surface).
const bulkList = `{"secrets":[
 {"secretID":"id-a","name":"A","value":"value-a","createdBy":"u1","createdAt":"2024-05-01T12:00:00Z"},
 {"secretID":"id-b","name":"B","value":"value-b","createdBy":"u1","createdAt":"2024-05-01T12:00:00Z"},
 {"secretID":"id-w","name":"W","createdBy":"u2","createdAt":"2024-05-01T12:00:00Z"},
 {"secretID":"id-t1","name":"TWICE","value":"value-t1"},
 {"secretID":"id-t2","name":"TWICE","value":"value-t2"},
 {"secretID":"id-x","name":"EXTRA","value":"value-extra"}
]}`

// newBulkClient returns a Client whose requests go to mt, and a pointer to the raw queries seen.
func newBulkClient(t *testing.T, status int, body string) (*secrets.Client, *httpmock.MockTransport, *[]string) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	var queries []string
	mt.RegisterResponder(http.MethodGet, bulkBaseURL+"/v1/secrets", func(req *http.Request) (*http.Response, error) {
		queries = append(queries, req.URL.RawQuery)
		return httpmock.NewStringResponse(status, body), nil
	})
	c, err := secrets.NewClient(secrets.WithAPIKey("bulk-key"), secrets.WithBaseURL(bulkBaseURL),
		secrets.WithHTTPClient(&http.Client{Transport: mt}), secrets.WithRetryMax(0))
	require.NoError(t, err)
	return c, mt, &queries
}

func TestSecretsGetMany(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		body      string
		names     []string
		wantQuery string
		want      map[string]string
		wantErrs  map[string]error // per name, in the *BulkError
	}{
		{
			name:  "several names, one list call, per-name errors",
			body:  bulkList,
			names: []string{"A", "B", "W", "MISSING", "TWICE", "A"},
			want:  map[string]string{"A": "value-a", "B": "value-b"},
			wantErrs: map[string]error{"W": secrets.ErrValueWithheld, "MISSING": secrets.ErrNotFound,
				"TWICE": secrets.ErrAmbiguous},
		},
		{name: "all found", body: bulkList, names: []string{"B", "A"}, want: map[string]string{"A": "value-a", "B": "value-b"}},
		{
			name:      "one name asks the service for it alone",
			body:      `[{"secretID":"id-a","name":"A","value":"value-a"}]`, // the bare-array form
			names:     []string{"A", "A"},
			wantQuery: "name=A",
			want:      map[string]string{"A": "value-a"},
		},
		{
			name:      "one name, withheld",
			body:      `{"secrets":[{"secretID":"id-w","name":"W"}]}`,
			names:     []string{"W"},
			wantQuery: "name=W",
			want:      map[string]string{},
			wantErrs:  map[string]error{"W": secrets.ErrValueWithheld},
		},
		{name: "none found", body: `{"secrets":[]}`, names: []string{"X", "Y"}, want: map[string]string{},
			wantErrs: map[string]error{"X": secrets.ErrNotFound, "Y": secrets.ErrNotFound}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, queries := newBulkClient(t, http.StatusOK, tt.body)

			found, err := c.Secrets.GetMany(context.Background(), tt.names...)
			assert.Equal(t, 1, mt.GetTotalCallCount())
			assert.Equal(t, []string{tt.wantQuery}, *queries)
			require.NotNil(t, found)
			got := map[string]string{}
			for name, s := range found {
				assert.Equal(t, name, s.Name)
				require.NotNil(t, s.Value, name)
				got[name] = *s.Value
			}
			assert.Equal(t, tt.want, got)

			if tt.wantErrs == nil {
				assert.NoError(t, err)
				return
			}
			var bulk *secrets.BulkError
			require.ErrorAs(t, err, &bulk)
			require.Len(t, bulk.Errors, len(tt.wantErrs))
			for name, want := range tt.wantErrs {
				assert.ErrorIs(t, bulk.Errors[name], want, name)
				assert.ErrorIs(t, err, want, "errors.Is sees every per-name error")
				assert.Contains(t, err.Error(), `"`+name+`"`)
				assert.NotContains(t, found, name, "a name is in the map or in the error, never both")
			}
			assert.NotContains(t, err.Error(), "value-")
		})
	}
}

func TestSecretsGetManyFailsBeforeOrWithoutAnswers(t *testing.T) {
	t.Parallel()
	var nilCtx context.Context
	tests := []struct {
		name      string
		ctx       context.Context
		status    int
		names     []string
		wantErr   error
		wantCalls int
		wantMsg   string
	}{
		{name: "invalid name, by index", ctx: context.Background(), names: []string{"A", "B", "not-valid"},
			wantErr: secrets.ErrInvalidName, wantMsg: "names[2]"},
		{name: "empty name", ctx: context.Background(), names: []string{""}, wantErr: secrets.ErrInvalidName, wantMsg: "names[0]"},
		{name: "nil context", ctx: nilCtx, names: []string{"A", "B"}, wantErr: secrets.ErrInvalidArgument},
		{name: "forbidden", ctx: context.Background(), status: 403, names: []string{"A", "B"}, wantErr: secrets.ErrForbidden, wantCalls: 1},
		{name: "unauthorized", ctx: context.Background(), status: 401, names: []string{"A"}, wantErr: secrets.ErrUnauthorized, wantCalls: 1},
		{name: "server error", ctx: context.Background(), status: 500, names: []string{"A", "B"}, wantCalls: 1, wantMsg: "500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newBulkClient(t, tt.status, `{"message":"no"}`)
			found, err := c.Secrets.GetMany(tt.ctx, tt.names...)
			require.Error(t, err)
			assert.Nil(t, found)
			var bulk *secrets.BulkError
			assert.False(t, errors.As(err, &bulk), "a failed request is not a per-name failure")
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
			}
			assert.Contains(t, err.Error(), tt.wantMsg)
			assert.NotContains(t, err.Error(), "not-valid", "names that break the rule are not quoted")
			assert.Equal(t, tt.wantCalls, mt.GetTotalCallCount())
		})
	}
}

func TestSecretsGetManyWithoutNamesMakesNoRequest(t *testing.T) {
	t.Parallel()
	c, mt, _ := newBulkClient(t, http.StatusOK, bulkList)
	found, err := c.Secrets.GetMany(context.Background())
	require.NoError(t, err)
	assert.Empty(t, found)
	assert.NotNil(t, found)
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestBulkError(t *testing.T) {
	t.Parallel()
	apiErr := &secrets.APIError{StatusCode: 503, Method: "GET", Path: "/v1/secrets", Message: "down", Attempts: 1}
	tests := []struct {
		name    string
		errs    map[string]error
		want    string
		is      []error
		isNot   []error
		wantAPI bool
	}{
		{
			name: "grouped by reason, sorted by name",
			errs: map[string]error{
				"C": errors.New("secrets: custom failure"),
				"B": &bulkWrapped{secrets.ErrNotFound}, "A": &bulkWrapped{secrets.ErrNotFound},
				"D": &bulkWrapped{secrets.ErrValueWithheld}, "E": &bulkWrapped{secrets.ErrAmbiguous},
			},
			want:  `secrets: could not read 5 secrets: "A", "B": not found; "C": custom failure; "D": value withheld; "E": more than one secret has this name`,
			is:    []error{secrets.ErrNotFound, secrets.ErrValueWithheld, secrets.ErrAmbiguous},
			isNot: []error{secrets.ErrForbidden},
		},
		{
			name:    "one request error shared by names",
			errs:    map[string]error{"X": apiErr, "Y": apiErr},
			want:    `secrets: could not read 2 secrets: "X", "Y": GET /v1/secrets: 503 Service Unavailable: down`,
			isNot:   []error{secrets.ErrNotFound},
			wantAPI: true,
		},
		{
			name: "one name",
			errs: map[string]error{"X": &bulkWrapped{secrets.ErrNotFound}},
			want: `secrets: could not read 1 secret: "X": not found`,
			is:   []error{secrets.ErrNotFound},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var err error = &secrets.BulkError{Errors: tt.errs}
			assert.Equal(t, tt.want, err.Error())
			for _, target := range tt.is {
				assert.ErrorIs(t, err, target)
			}
			for _, target := range tt.isNot {
				assert.NotErrorIs(t, err, target)
			}
			var got *secrets.APIError
			assert.Equal(t, tt.wantAPI, errors.As(err, &got))
		})
	}
}

// bulkWrapped is an error that wraps a sentinel under a message of its own.
type bulkWrapped struct{ err error }

func (w *bulkWrapped) Error() string { return "secrets: some detail: " + w.err.Error() }
func (w *bulkWrapped) Unwrap() error { return w.err }
