package secrets_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
)

// listBehaviour is one plausible reading of GET /v1/secrets: the list's JSON shape, and whether an
// unfiltered list carries values (?name= reads always do, for a secret the caller may read).
type listBehaviour struct {
	name             string
	bare             bool // [...] rather than {"secrets":[...]}
	valuesOnlyByName bool
}

var listBehaviours = []listBehaviour{
	{name: "wrapped lists with values"},
	{name: "bare lists with values", bare: true},
	{name: "wrapped lists without values", valuesOnlyByName: true},
	{name: "bare lists without values", bare: true, valuesOnlyByName: true},
}

// bulkEntry is one secret of a bulkStandIn; a nil value is one the caller may see but not read.
type bulkEntry struct {
	id, name string
	value    *string
}

// bulkStandIn answers GET /v1/secrets[?name=] from entries, the way b says; status, when set, answers
// that instead to ?name= reads of failName.
type bulkStandIn struct {
	b        listBehaviour
	entries  []bulkEntry
	failName string
	status   int
	mu       sync.Mutex // guards entries
}

// bulkEntries: readable A and B, withheld W, twice-named TWICE, and EXTRA, which nobody asks for
// (its value must never surface).
func bulkEntries() []bulkEntry {
	return []bulkEntry{
		{"id-a", "A", strp("value-a")},
		{"id-b", "B", strp("value-b")},
		{"id-w", "W", nil},
		{"id-t1", "TWICE", strp("value-t1")},
		{"id-t2", "TWICE", strp("value-t2")},
		{"id-x", "EXTRA", strp("value-extra")},
	}
}

func (f *bulkStandIn) serve(req *http.Request) (*http.Response, error) {
	name, filtered := req.URL.Query()["name"]
	if filtered && f.status != 0 && name[0] == f.failName {
		return httpmock.NewStringResponse(f.status, `{"message":"no"}`), nil
	}
	items := []map[string]any{}
	f.mu.Lock()
	for _, e := range f.entries {
		if filtered && e.name != name[0] {
			continue
		}
		item := map[string]any{"secretID": e.id, "name": e.name, "createdAt": "2024-05-01T12:00:00Z"}
		if e.value != nil && (filtered || !f.b.valuesOnlyByName) {
			item["value"] = *e.value
		}
		items = append(items, item)
	}
	f.mu.Unlock()
	var body any = map[string]any{"secrets": items}
	if f.b.bare {
		body = items
	}
	return httpmock.NewJsonResponse(http.StatusOK, body)
}

// handle answers r as serve does, on a rawServer: for Clients that cannot take an http.Client, such
// as the notebook helpers', which build theirs from the environment.
func (f *bulkStandIn) handle(_ int, w http.ResponseWriter, r *http.Request) {
	resp, _ := f.serve(r)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

// bulkClient returns a Client of setup, without retries (so that counts are exact), whose
// GET /v1/secrets r answers.
func bulkClient(t *testing.T, r httpmock.Responder) (*secrets.Client, *fakeAPI) {
	t.Helper()
	c, api := setup(t, secrets.WithRetryMax(0))
	api.on(http.MethodGet, "/v1/secrets", r)
	return c, api
}

// queries returns the raw query of every request api saw.
func queries(api *fakeAPI) []string {
	var out []string
	for _, r := range api.requests() {
		out = append(out, r.URL.RawQuery)
	}
	return out
}

// bulkRead is one way to read several names on c: SecretsService.GetMany, or Cache.GetMany, which
// reads through it and keeps what it read.
type bulkRead struct {
	name string
	read func(t *testing.T, c *secrets.Client) func(ctx context.Context, names ...string) (map[string]string, error)
}

var bulkReads = []bulkRead{
	{"Secrets.GetMany", func(t *testing.T, c *secrets.Client) func(context.Context, ...string) (map[string]string, error) {
		return func(ctx context.Context, names ...string) (map[string]string, error) {
			found, err := c.Secrets.GetMany(ctx, names...)
			if found == nil {
				return nil, err
			}
			values := map[string]string{}
			for name, s := range found {
				assert.Equal(t, name, s.Name)
				require.NotNil(t, s.Value, name)
				values[name] = *s.Value
			}
			return values, err
		}
	}},
	{"Cache.GetMany", func(t *testing.T, c *secrets.Client) func(context.Context, ...string) (map[string]string, error) {
		cache, err := secrets.NewCache(c)
		require.NoError(t, err)
		return cache.GetMany
	}},
}

// TestSecretsGetMany runs every case under every list behaviour, through SecretsService.GetMany and
// through a Cache: the results must not depend on the behaviour, only the ?name= reads may. The
// Cache is read twice: warm, it asks again only for what it does not remember (ErrAmbiguous).
func TestSecretsGetMany(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		names []string
		// wantQueries: the requests when lists carry values, and when they do not (after the same
		// first request, in any order).
		withValues, withoutValues []string
		warm                      []string // the Cache's second read
		want                      map[string]string
		wantErrs                  map[string]error // per name, in the *BulkError
	}{
		{
			name:          "several names, per-name errors",
			names:         []string{"A", "B", "W", "MISSING", "TWICE", "A"},
			withValues:    []string{"", "name=W"},
			withoutValues: []string{"", "name=A", "name=B", "name=W"},
			warm:          []string{"name=TWICE"},
			want:          map[string]string{"A": "value-a", "B": "value-b"},
			wantErrs: map[string]error{"W": secrets.ErrValueWithheld, "MISSING": secrets.ErrNotFound,
				"TWICE": secrets.ErrAmbiguous},
		},
		{
			name: "two names: at most three requests", names: []string{"B", "A"},
			withValues: []string{""}, withoutValues: []string{"", "name=B", "name=A"},
			want: map[string]string{"A": "value-a", "B": "value-b"},
		},
		{
			name: "one name: one ?name= read", names: []string{"A", "A"},
			withValues: []string{"name=A"}, withoutValues: []string{"name=A"},
			want: map[string]string{"A": "value-a"},
		},
		{
			name: "one name, withheld", names: []string{"W"},
			withValues: []string{"name=W"}, withoutValues: []string{"name=W"},
			want: map[string]string{}, wantErrs: map[string]error{"W": secrets.ErrValueWithheld},
		},
		{
			name: "none found: no read by name", names: []string{"X", "Y"},
			withValues: []string{""}, withoutValues: []string{""},
			want: map[string]string{}, wantErrs: map[string]error{"X": secrets.ErrNotFound, "Y": secrets.ErrNotFound},
		},
	}
	for _, b := range listBehaviours {
		for _, tt := range tests {
			for _, via := range bulkReads {
				t.Run(b.name+"/"+tt.name+"/"+via.name, func(t *testing.T) {
					t.Parallel()
					f := &bulkStandIn{b: b, entries: bulkEntries()}
					c, api := bulkClient(t, f.serve)
					read := via.read(t, c)

					got, err := read(context.Background(), tt.names...)
					wantQueries := tt.withValues
					if b.valuesOnlyByName {
						wantQueries = tt.withoutValues
					}
					seen := queries(api)
					require.NotEmpty(t, seen)
					assert.Equal(t, wantQueries[0], seen[0], "the first request")
					assert.ElementsMatch(t, wantQueries, seen)
					assertBulkResult(t, got, err, tt.want, tt.wantErrs)
					if via.name == "Cache.GetMany" {
						got, err = read(context.Background(), tt.names...)
						assert.ElementsMatch(t, tt.warm, queries(api)[len(seen):], "warm")
						assertBulkResult(t, got, err, tt.want, tt.wantErrs)
					}
				})
			}
		}
	}
}

// TestSecretsGetManyWhenAReadByNameFails: a failed ?name= read costs that name only.
func TestSecretsGetManyWhenAReadByNameFails(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusNotFound, http.StatusForbidden, http.StatusTooManyRequests, http.StatusInternalServerError} {
		for _, via := range bulkReads {
			t.Run(http.StatusText(status)+"/"+via.name, func(t *testing.T) {
				t.Parallel()
				f := &bulkStandIn{b: listBehaviour{valuesOnlyByName: true}, entries: bulkEntries(), failName: "B", status: status}
				c, api := bulkClient(t, f.serve)
				got, err := via.read(t, c)(context.Background(), "A", "B")
				assert.Equal(t, 3, api.GetTotalCallCount())
				assert.Equal(t, map[string]string{"A": "value-a"}, got)
				var bulk *secrets.BulkError
				require.ErrorAs(t, err, &bulk)
				require.Len(t, bulk.Errors, 1)
				requireAPIError(t, bulk.Errors["B"], status)
				assert.NotContains(t, err.Error(), "value-")
			})
		}
	}
}

// TestSecretsGetManyChangesBetweenListAndRead: the ?name= read decides, whatever changed after the
// list: a secret deleted meanwhile is not found, one duplicated meanwhile is ambiguous.
func TestSecretsGetManyChangesBetweenListAndRead(t *testing.T) {
	t.Parallel()
	f := &bulkStandIn{b: listBehaviour{valuesOnlyByName: true}, entries: bulkEntries()[:2]}
	var listed atomic.Bool
	c, api := bulkClient(t, func(req *http.Request) (*http.Response, error) {
		if req.URL.RawQuery != "" && listed.CompareAndSwap(false, true) {
			f.mu.Lock()
			f.entries = []bulkEntry{{"id-b1", "B", strp("value-b1")}, {"id-b2", "B", strp("value-b2")}}
			f.mu.Unlock()
		}
		return f.serve(req)
	})
	got, err := bulkReads[0].read(t, c)(context.Background(), "A", "B")
	assertBulkResult(t, got, err, map[string]string{},
		map[string]error{"A": secrets.ErrNotFound, "B": secrets.ErrAmbiguous})
	assert.Equal(t, 3, api.GetTotalCallCount())
}

// TestSecretsGetManyBoundsItsReads: the ?name= reads run 8 at a time: never more, and not fewer (no
// read is answered until 8 are under way, which reads made one by one would never reach).
func TestSecretsGetManyBoundsItsReads(t *testing.T) {
	t.Parallel()
	var names []string
	var entries []bulkEntry
	for i := range 40 {
		name := "S" + strconv.Itoa(i)
		names = append(names, name)
		entries = append(entries, bulkEntry{"id-" + name, name, strp("value-" + name)})
	}
	f := &bulkStandIn{b: listBehaviour{valuesOnlyByName: true}, entries: entries}
	var inFlight, most atomic.Int32
	eight := make(chan struct{})
	var once sync.Once
	c, api := bulkClient(t, func(req *http.Request) (*http.Response, error) {
		if !req.URL.Query().Has("name") {
			return f.serve(req) // the list, before any read
		}
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		if n == 8 {
			once.Do(func() { close(eight) })
		}
		select {
		case <-eight:
		case <-time.After(10 * time.Second):
			once.Do(func() { close(eight) }) // fail this read, not every one after it
			return nil, errors.New("fewer than 8 reads were ever under way at once")
		}
		return f.serve(req)
	})
	found, err := c.Secrets.GetMany(context.Background(), names...)
	require.NoError(t, err)
	assert.Len(t, found, 40)
	assert.Equal(t, 41, api.GetTotalCallCount())
	assert.LessOrEqual(t, most.Load(), int32(8))
}

// assertBulkResult checks a bulk read's answer: the values in the map, and the per-name errors.
func assertBulkResult(t *testing.T, got map[string]string, err error, want map[string]string, wantErrs map[string]error) {
	t.Helper()
	require.NotNil(t, got)
	assert.Equal(t, want, got)
	if wantErrs == nil {
		assert.NoError(t, err)
		return
	}
	var bulk *secrets.BulkError
	require.ErrorAs(t, err, &bulk)
	require.Len(t, bulk.Errors, len(wantErrs))
	for name, want := range wantErrs {
		assert.ErrorIs(t, bulk.Errors[name], want, name)
		assert.ErrorIs(t, err, want, "errors.Is sees every per-name error")
		assert.Contains(t, err.Error(), `"`+name+`"`)
		assert.NotContains(t, got, name, "a name is in the map or in the error, never both")
	}
	assert.NotContains(t, err.Error(), "value-")
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
		{name: "no names, no request", ctx: context.Background()},
		{name: "nil context", ctx: nilCtx, names: []string{"A", "B"}, wantErr: secrets.ErrInvalidArgument},
		{name: "forbidden", ctx: context.Background(), status: 403, names: []string{"A", "B"}, wantErr: secrets.ErrForbidden, wantCalls: 1},
		{name: "unauthorized", ctx: context.Background(), status: 401, names: []string{"A"}, wantErr: secrets.ErrUnauthorized, wantCalls: 1},
		{name: "server error", ctx: context.Background(), status: 500, names: []string{"A", "B"}, wantCalls: 1, wantMsg: "500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, api := bulkClient(t, httpmock.NewStringResponder(tt.status, `{"message":"no"}`))
			found, err := c.Secrets.GetMany(tt.ctx, tt.names...)
			assert.Equal(t, tt.wantCalls, api.GetTotalCallCount())
			if tt.names == nil {
				require.NoError(t, err)
				assert.NotNil(t, found)
				assert.Empty(t, found)
				return
			}
			require.Error(t, err)
			assert.Nil(t, found)
			var bulk *secrets.BulkError
			assert.False(t, errors.As(err, &bulk), "a failed request is not a per-name failure")
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
			}
			assert.Contains(t, err.Error(), tt.wantMsg)
			assert.NotContains(t, err.Error(), "not-valid", "names that break the rule are not quoted")
		})
	}
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

func TestGetSecretsUnderEveryProfile(t *testing.T) {
	for _, p := range itProfiles() {
		t.Run(itProfileName(p), func(t *testing.T) {
			srv := secretstest.NewServer(secretstest.WithProfile(p))
			t.Cleanup(srv.Close)
			srv.AddSecret("S3_ACCESS_KEY", "AKIAEXAMPLE", "")
			srv.AddSecret("S3_SECRET_KEY", "wJalrXUtnFEMI", "")
			setEnv(t, map[string]string{secrets.EnvManagementToken: srv.APIKey(), secrets.EnvManagementBaseURL: srv.URL})

			got, err := secrets.GetSecrets(context.Background(), "S3_ACCESS_KEY", "S3_SECRET_KEY", "MISSING")
			assert.Equal(t, map[string]string{"S3_ACCESS_KEY": "AKIAEXAMPLE", "S3_SECRET_KEY": "wJalrXUtnFEMI"}, got)
			var bulk *secrets.BulkError
			require.ErrorAs(t, err, &bulk)
			assert.Len(t, bulk.Errors, 1)
			assert.ErrorIs(t, bulk.Errors["MISSING"], secrets.ErrNotFound)
			want := 1
			if p.ValuesOnlyByName {
				want = 3
			}
			assert.Equal(t, want, srv.RequestCount())
		})
	}
}
