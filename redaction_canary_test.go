package secrets_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
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

// The redaction canary: every public operation runs, in success and in failure, with a token and a
// value that carry a marker ("CnryTok", "CnryVal"), a debug logger writing JSON and text records, and
// servers that quote back everything they receive (the Authorization header, the body, the URL) in
// their messages, bodies and headers. Every error, log record, and the fmt (%v %+v %#v %s %q %x %X),
// slog and JSON encoding of everything returned must be free of both markers, in any form: as is,
// escaped, hex or base64.

const (
	canaryToken = "tok_CnryTok_5f2e9d1c7b4a"
	canaryValue = `CnryVal_8d7c6b5a"<&>\ü🔑`
)

// canaryMarkers are the parts of the canaries a leak would show, whatever escaping it went through.
var canaryMarkers = []string{"CnryTok", "CnryVal"}

// canaryForms returns the ways marker can appear in text: as is, in hex (fmt's %x and %X), and in
// base64 (standard and URL alphabets, at each of the three alignments).
func canaryForms(marker string) []string {
	forms := []string{marker, strings.ToLower(marker), hex.EncodeToString([]byte(marker)), strings.ToUpper(hex.EncodeToString([]byte(marker)))}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		for pad := 0; pad < 3; pad++ {
			full := enc.EncodeToString(append(make([]byte, pad), marker...))
			from, to := (8*pad+5)/6, 8*(pad+len(marker))/6
			forms = append(forms, full[from:to])
		}
	}
	return forms
}

// canaryTails are the last bytes of the canaries, raw and as JSON spells them: a leak of the end only.
var canaryTails = []string{canaryToken[len(canaryToken)-8:], canaryValue[len(canaryValue)-8:], jsonEscape(canaryValue[len(canaryValue)-8:])}

// canaryFind returns the form of a canary found in text, or "".
func canaryFind(text string, extra ...string) string {
	lower := strings.ToLower(text)
	for _, m := range canaryMarkers {
		for _, form := range canaryForms(m) {
			if strings.Contains(text, form) || (form == strings.ToLower(m) && strings.Contains(lower, form)) {
				return form
			}
		}
	}
	for _, s := range append(canaryTails, extra...) {
		if s != "" && strings.Contains(text, s) {
			return s
		}
	}
	return ""
}

// TestCanary_DetectorFindsLeaks shows that the check can fail: every rendering of a canary that the
// other tests look for is found.
func TestCanary_DetectorFindsLeaks(t *testing.T) {
	t.Parallel()
	for _, c := range []string{canaryToken, canaryValue} {
		raw, _ := json.Marshal(c)
		renderings := map[string]string{
			"raw": c, "%q": fmt.Sprintf("%q", c), "%+q": fmt.Sprintf("%+q", c), "%x": fmt.Sprintf("%x", c), "%X": fmt.Sprintf("%X", c),
			"% x": strings.ReplaceAll(fmt.Sprintf("%x", c), " ", ""), "JSON": string(raw), "[]byte in JSON": mustJSON(t, []byte(c)),
			"base64 at offset 1": base64.StdEncoding.EncodeToString([]byte("x" + c)), "base64 at offset 2": base64.URLEncoding.EncodeToString([]byte("xy" + c)),
			"struct %x": fmt.Sprintf("%x", struct{ A, B string }{"zz", c}), "upper": strings.ToUpper(c),
		}
		for how, text := range renderings {
			assert.NotEmpty(t, canaryFind(text), "%s of %q is not detected", how, c)
		}
	}
	assert.Empty(t, canaryFind(`secrets: GET /v1/secrets: 503 Service Unavailable: [REDACTED] (request id x)`))
}

// mustJSON is v in JSON; t may be nil where v cannot fail to encode.
func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if t != nil {
		require.NoError(t, err)
	}
	return string(b)
}

// canaryRecorder collects what a scenario produced and checks it for canaries.
type canaryRecorder struct {
	t      *testing.T
	mu     sync.Mutex
	logs   bytes.Buffer
	logger *slog.Logger
	extra  []string // other strings that must not appear (whole JWTs)
}

func newCanaryRecorder(t *testing.T, extra ...string) *canaryRecorder {
	r := &canaryRecorder{t: t, extra: extra}
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	w := canaryWriter{r}
	r.logger = slog.New(canaryFanout{slog.NewJSONHandler(w, opts), slog.NewTextHandler(w, opts)})
	return r
}

type canaryWriter struct{ r *canaryRecorder }

func (w canaryWriter) Write(p []byte) (int, error) {
	w.r.mu.Lock()
	defer w.r.mu.Unlock()
	return w.r.logs.Write(p)
}

// canaryFanout sends every record to several handlers (here: JSON and text).
type canaryFanout []slog.Handler

func (h canaryFanout) Enabled(context.Context, slog.Level) bool { return true }

func (h canaryFanout) Handle(ctx context.Context, r slog.Record) error {
	for _, x := range h {
		if err := x.Handle(ctx, r.Clone()); err != nil {
			return err
		}
	}
	return nil
}

func (h canaryFanout) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := make(canaryFanout, len(h))
	for i, x := range h {
		out[i] = x.WithAttrs(attrs)
	}
	return out
}

func (h canaryFanout) WithGroup(name string) slog.Handler {
	out := make(canaryFanout, len(h))
	for i, x := range h {
		out[i] = x.WithGroup(name)
	}
	return out
}

var canaryVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"}

// inspect checks v printed with every verb, encoded as JSON, and logged (JSON and text).
func (r *canaryRecorder) inspect(label string, v any) {
	r.t.Helper()
	if v == nil {
		return
	}
	for _, verb := range canaryVerbs {
		r.check(label+" "+verb, fmt.Sprintf(verb, v))
	}
	if b, err := json.Marshal(v); err == nil {
		r.check(label+" json.Marshal", string(b))
	}
	r.logger.Debug("inspect", "label", label, "v", v)
	if err, ok := v.(error); ok {
		r.check(label+" Error()", err.Error())
	}
}

func (r *canaryRecorder) check(where, text string) {
	r.t.Helper()
	if form := canaryFind(text, r.extra...); form != "" {
		r.t.Errorf("%s shows a canary (%q) in:\n%s", where, form, text)
	}
}

// records returns the log records written so far.
func (r *canaryRecorder) records() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.logs.String()
}

// verifyLogs checks the log records written so far, and that there are some.
func (r *canaryRecorder) verifyLogs(wantRecords ...string) {
	r.t.Helper()
	out := r.records()
	r.check("log records", out)
	for _, want := range wantRecords {
		assert.Contains(r.t, out, want)
	}
}

// canaryFixture is what the operations run on.
type canaryFixture struct {
	c     *secrets.Client
	cache *secrets.Cache
	org   *secrets.Organization // from Current; nil when Current failed
	id    string                // a secret that exists (on the emulator)
	delID string                // a secret to delete
	n     atomic.Int32          // for unique names
}

type canaryOp struct {
	name string // Type.Method, matched against the public API by TestCanary_CoversEveryMethod
	run  func(ctx context.Context, f *canaryFixture) (any, error)
}

// canaryOps are the public operations, with valid arguments.
var canaryOps = []canaryOp{
	{"OrganizationsService.Current", func(ctx context.Context, f *canaryFixture) (any, error) { return f.c.Organizations.Current(ctx) }},
	{"Organization.GetSecret", func(ctx context.Context, f *canaryFixture) (any, error) {
		org := f.org
		if org == nil {
			org = &secrets.Organization{}
		}
		return org.GetSecret(ctx, "DB_PASSWORD")
	}},
	{"OrganizationsService.CurrentUser", func(ctx context.Context, f *canaryFixture) (any, error) { return f.c.Organizations.CurrentUser(ctx) }},
	{"OrganizationsService.UserByEmail", func(ctx context.Context, f *canaryFixture) (any, error) {
		return f.c.Organizations.UserByEmail(ctx, "bob@example.com")
	}},
	{"OrganizationsService.TeamByName", func(ctx context.Context, f *canaryFixture) (any, error) {
		return f.c.Organizations.TeamByName(ctx, "ops")
	}},
	{"SecretsService.List", func(ctx context.Context, f *canaryFixture) (any, error) { return f.c.Secrets.List(ctx, nil) }},
	{"SecretsService.List", func(ctx context.Context, f *canaryFixture) (any, error) {
		return f.c.Secrets.List(ctx, &secrets.ListSecretsOptions{Name: "DB_PASSWORD"})
	}},
	{"SecretsService.Get", func(ctx context.Context, f *canaryFixture) (any, error) { return f.c.Secrets.Get(ctx, f.id) }},
	{"SecretsService.GetByName", func(ctx context.Context, f *canaryFixture) (any, error) {
		return f.c.Secrets.GetByName(ctx, "DB_PASSWORD")
	}},
	{"SecretsService.GetMany", func(ctx context.Context, f *canaryFixture) (any, error) {
		return f.c.Secrets.GetMany(ctx, "DB_PASSWORD", "NOT_THERE")
	}},
	{"SecretsService.Create", func(ctx context.Context, f *canaryFixture) (any, error) {
		return f.c.Secrets.Create(ctx, fmt.Sprintf("NEW_%d", f.n.Add(1)), canaryValue)
	}},
	{"SecretsService.Update", func(ctx context.Context, f *canaryFixture) (any, error) {
		return f.c.Secrets.Update(ctx, f.id, canaryValue)
	}},
	{"SecretsService.Access", func(ctx context.Context, f *canaryFixture) (any, error) { return f.c.Secrets.Access(ctx, f.id) }},
	{"SecretsService.Share", func(ctx context.Context, f *canaryFixture) (any, error) {
		bob, err := f.c.Organizations.UserByEmail(ctx, "bob@example.com")
		if err != nil {
			bob = &secrets.UserInfo{ID: aliceID}
		}
		return nil, f.c.Secrets.Share(ctx, f.id, &secrets.ShareRequest{Grants: []secrets.AccessChange{{Role: secrets.RoleReader, Users: []string{bob.ID}}}})
	}},
	{"SecretsService.ShareByName", func(ctx context.Context, f *canaryFixture) (any, error) {
		return nil, f.c.Secrets.ShareByName(ctx, f.id, &secrets.ShareByNameRequest{
			Grants: []secrets.NamedAccessChange{{Role: secrets.RoleReader, UserEmails: []string{"bob@example.com"}, TeamNames: []string{"ops"}}}})
	}},
	{"SecretsService.ShareByName", func(ctx context.Context, f *canaryFixture) (any, error) { // one name does not resolve: *LookupError
		return nil, f.c.Secrets.ShareByName(ctx, f.id, &secrets.ShareByNameRequest{
			Grants: []secrets.NamedAccessChange{{Role: secrets.RoleOwner, UserEmails: []string{"nobody@example.com"}}}})
	}},
	{"Client.Info", func(context.Context, *canaryFixture) (any, error) { return nil, nil }}, // inspected below, with the Client
	{"Cache.Get", func(ctx context.Context, f *canaryFixture) (any, error) {
		_, err := f.cache.Get(ctx, "DB_PASSWORD") // the value itself is what the caller asked for: not inspected
		return nil, err
	}},
	{"Cache.Lookup", func(ctx context.Context, f *canaryFixture) (any, error) { return f.cache.Lookup(ctx, "DB_PASSWORD") }},
	{"Cache.GetMany", func(ctx context.Context, f *canaryFixture) (any, error) {
		_, err := f.cache.GetMany(ctx, "DB_PASSWORD", "NOT_THERE", "NEW_1")
		return nil, err
	}},
	{"Cache.Len", func(_ context.Context, f *canaryFixture) (any, error) { return f.cache.Len(), nil }},
	{"Cache.Invalidate", func(ctx context.Context, f *canaryFixture) (any, error) {
		f.cache.Invalidate("DB_PASSWORD")
		return f.cache.Lookup(ctx, "DB_PASSWORD")
	}},
	{"Cache.InvalidateAll", func(ctx context.Context, f *canaryFixture) (any, error) {
		f.cache.InvalidateAll()
		return f.cache.Lookup(ctx, "DB_PASSWORD")
	}},
	{"Cache.Close", func(ctx context.Context, f *canaryFixture) (any, error) {
		f.cache.Close()
		return f.cache.Lookup(ctx, "DB_PASSWORD")
	}},
	{"SecretsService.Delete", func(ctx context.Context, f *canaryFixture) (any, error) { return nil, f.c.Secrets.Delete(ctx, f.delID) }},
}

// canaryBadInputOps are the operations with arguments they refuse before any request, the canary
// value standing where a name belongs.
var canaryBadInputOps = []canaryOp{
	{"SecretsService.GetByName", func(ctx context.Context, f *canaryFixture) (any, error) {
		return f.c.Secrets.GetByName(ctx, canaryValue)
	}},
	{"SecretsService.List", func(ctx context.Context, f *canaryFixture) (any, error) {
		return f.c.Secrets.List(ctx, &secrets.ListSecretsOptions{Name: canaryValue})
	}},
	{"SecretsService.Create", func(ctx context.Context, f *canaryFixture) (any, error) {
		return f.c.Secrets.Create(ctx, canaryValue, "v")
	}},
	{"SecretsService.Create", func(ctx context.Context, f *canaryFixture) (any, error) {
		return f.c.Secrets.Create(ctx, "TOO_LARGE", canaryValue+strings.Repeat("x", secrets.MaxValueBytes))
	}},
	{"SecretsService.Update", func(ctx context.Context, f *canaryFixture) (any, error) {
		return f.c.Secrets.Update(ctx, f.id, strings.Repeat(canaryValue, secrets.MaxValueBytes/len(canaryValue)+1))
	}},
	{"SecretsService.GetMany", func(ctx context.Context, f *canaryFixture) (any, error) {
		return f.c.Secrets.GetMany(ctx, "DB_PASSWORD", canaryValue)
	}},
	{"Organization.GetSecret", func(ctx context.Context, f *canaryFixture) (any, error) {
		if f.org == nil {
			return nil, nil
		}
		return f.org.GetSecret(ctx, canaryValue)
	}},
	{"SecretsService.Get", func(ctx context.Context, f *canaryFixture) (any, error) { return f.c.Secrets.Get(ctx, "") }},
	{"SecretsService.Delete", func(ctx context.Context, f *canaryFixture) (any, error) { return nil, f.c.Secrets.Delete(ctx, "..") }},
	{"SecretsService.Share", func(ctx context.Context, f *canaryFixture) (any, error) {
		return nil, f.c.Secrets.Share(ctx, f.id, nil)
	}},
	{"SecretsService.ShareByName", func(ctx context.Context, f *canaryFixture) (any, error) {
		return nil, f.c.Secrets.ShareByName(ctx, f.id, &secrets.ShareByNameRequest{Grants: []secrets.NamedAccessChange{{Role: secrets.RoleReader, UserEmails: []string{" "}}}})
	}},
	{"OrganizationsService.UserByEmail", func(ctx context.Context, f *canaryFixture) (any, error) {
		return f.c.Organizations.UserByEmail(ctx, " ")
	}},
	{"OrganizationsService.TeamByName", func(ctx context.Context, f *canaryFixture) (any, error) { return f.c.Organizations.TeamByName(ctx, "") }},
	{"Cache.Get", func(ctx context.Context, f *canaryFixture) (any, error) {
		_, err := f.cache.Get(ctx, canaryValue)
		return nil, err
	}},
	{"Cache.Lookup", func(ctx context.Context, f *canaryFixture) (any, error) { return f.cache.Lookup(ctx, canaryValue) }},
	{"Cache.GetMany", func(ctx context.Context, f *canaryFixture) (any, error) {
		_, err := f.cache.GetMany(ctx, "DB_PASSWORD", canaryValue)
		return nil, err
	}},
	{"SecretsService.Get", func(_ context.Context, f *canaryFixture) (any, error) { return f.c.Secrets.Get(nilContext(), f.id) }}, // a nil context
	// The value where an ID belongs: Update(ctx, value, id), its two strings swapped by mistake.
	{"SecretsService.Update", func(ctx context.Context, f *canaryFixture) (any, error) {
		return f.c.Secrets.Update(ctx, canaryValue, f.id)
	}},
	{"SecretsService.Get", func(ctx context.Context, f *canaryFixture) (any, error) { return f.c.Secrets.Get(ctx, canaryValue) }},
	{"SecretsService.Delete", func(ctx context.Context, f *canaryFixture) (any, error) {
		return nil, f.c.Secrets.Delete(ctx, canaryValue)
	}},
	{"SecretsService.Access", func(ctx context.Context, f *canaryFixture) (any, error) { return f.c.Secrets.Access(ctx, canaryValue) }},
	{"SecretsService.Share", func(ctx context.Context, f *canaryFixture) (any, error) {
		return nil, f.c.Secrets.Share(ctx, canaryValue, &secrets.ShareRequest{Grants: []secrets.AccessChange{{Role: secrets.RoleReader, Users: []string{aliceID}}}})
	}},
}

// nilContext hides a nil context from vet: passing one is the misuse under test.
func nilContext() context.Context { return nil }

// runCanaryOps runs ops on f and inspects everything they return, with the Client, the Cache and
// what they hold.
func runCanaryOps(t *testing.T, rec *canaryRecorder, f *canaryFixture, ops []canaryOp) (failures int) {
	t.Helper()
	for i, op := range ops {
		label := fmt.Sprintf("#%d %s", i, op.name)
		v, err := op.run(t.Context(), f)
		if err != nil {
			failures++
			rec.inspect(label+" error", err)
			inspectErrorParts(rec, label, err)
		}
		rec.inspect(label+" result", v)
		inspectDerived(rec, label, v)
	}
	rec.inspect("*Client", f.c)
	rec.inspect("Client", *f.c)
	rec.inspect("ClientInfo", f.c.Info())
	rec.inspect("*Cache", f.cache)
	rec.inspect("Cache", reflect.ValueOf(f.cache).Elem().Interface()) // a copy: how fmt prints a dereferenced Cache
	if f.org != nil {
		rec.inspect("Organization", *f.org)
	}
	return failures
}

// inspectErrorParts inspects the typed errors inside err by themselves, as errors.As hands them to
// a caller: fmt and JSON print their fields, not only the wrapper's text.
func inspectErrorParts(rec *canaryRecorder, label string, err error) {
	var apiErr *secrets.APIError
	var reqErr *secrets.RequestError
	var lookupErr *secrets.LookupError
	var bulkErr *secrets.BulkError
	if errors.As(err, &apiErr) {
		rec.inspect(label+" *APIError", apiErr)
		rec.inspect(label+" APIError.Body", string(apiErr.Body))
		rec.inspect(label+" APIError.Message", apiErr.Message)
		rec.inspect(label+" APIError.RequestID", apiErr.RequestID)
	}
	if errors.As(err, &reqErr) {
		rec.inspect(label+" *RequestError", reqErr)
		rec.inspect(label+" RequestError.Err", reqErr.Err)
	}
	if errors.As(err, &lookupErr) {
		rec.inspect(label+" *LookupError", lookupErr)
	}
	var shareLookupErr *secrets.ShareLookupError
	if errors.As(err, &shareLookupErr) {
		rec.inspect(label+" *ShareLookupError", shareLookupErr)
		for _, le := range shareLookupErr.Lookups {
			rec.inspect(label+" ShareLookupError "+le.Name, le)
		}
	}
	if errors.As(err, &bulkErr) {
		rec.inspect(label+" *BulkError", bulkErr)
		for name, e := range bulkErr.Errors {
			rec.inspect(label+" BulkError "+name, e)
		}
	}
}

// inspectDerived inspects the values reachable from a result: a Secret by value, the elements of
// lists and maps.
func inspectDerived(rec *canaryRecorder, label string, v any) {
	switch v := v.(type) {
	case *secrets.Secret:
		if v != nil {
			rec.inspect(label+" Secret", *v)
		}
	case []*secrets.Secret:
		values := make([]secrets.Secret, 0, len(v))
		for _, s := range v {
			values = append(values, *s)
		}
		rec.inspect(label+" []Secret", values)
	case map[string]*secrets.Secret:
		for name, s := range v {
			rec.inspect(label+" "+name, *s)
		}
	case []*secrets.RoleAccess:
		for _, ra := range v {
			rec.inspect(label+" RoleAccess", *ra)
			for _, g := range ra.Grants {
				rec.inspect(label+" Grant", g)
			}
		}
	case *secrets.Organization:
		if v != nil {
			rec.inspect(label+" Organization", *v)
		}
	}
}

// canaryClient builds the client and cache of a scenario.
func canaryClient(t *testing.T, rec *canaryRecorder, baseURL string, hc *http.Client, opts ...secrets.Option) *canaryFixture {
	t.Helper()
	all := append([]secrets.Option{
		secrets.WithAPIKey(canaryToken), secrets.WithBaseURL(baseURL), secrets.WithHTTPClient(hc),
		secrets.WithLogger(rec.logger), secrets.WithRetryMax(1), secrets.WithRetryWait(time.Millisecond, 2*time.Millisecond),
	}, opts...)
	c, err := secrets.NewClient(all...)
	require.NoError(t, err)
	cache, err := secrets.NewCache(c, secrets.WithCacheLogger(rec.logger), secrets.WithStaleIfError(time.Minute))
	require.NoError(t, err)
	f := &canaryFixture{c: c, cache: cache, id: secretID, delID: secretID}
	f.org, _ = c.Organizations.Current(t.Context())
	return f
}

// TestCanary_Success runs every operation against the emulator, where the secret holds the canary
// value and the API key is the canary token.
func TestCanary_Success(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer(secretstest.WithAPIKey(canaryToken))
	t.Cleanup(srv.Close)
	srv.AddUser("bob@example.com")
	carol := srv.AddUser("carol@example.com")
	srv.AddTeam("ops", carol.ID)
	sec := srv.AddSecret("DB_PASSWORD", canaryValue, "")
	doomed := srv.AddSecret("DOOMED", canaryValue, "")

	rec := newCanaryRecorder(t)
	f := canaryClient(t, rec, srv.URL, srv.Client())
	f.id, f.delID = sec.ID, doomed.ID
	require.NotNil(t, f.org)

	// Positive control: the canary value did flow through.
	s, err := f.c.Secrets.GetByName(t.Context(), "DB_PASSWORD")
	require.NoError(t, err)
	require.Equal(t, canaryValue, *s.Value)

	failures := runCanaryOps(t, rec, f, canaryOps)
	assert.Equal(t, 3, failures, "only the partial GetManys and the unresolved ShareByName fail")
	rec.verifyLogs(`"msg":"secrets: request"`, `msg="secrets: request"`)
	_, ok := srv.Secret("DOOMED")
	assert.False(t, ok, "Delete ran")
}

// canaryEcho answers GET /v1/organizations/current normally (so that Organization.GetSecret can run)
// and everything else with status, quoting the request.
func canaryEcho(w http.ResponseWriter, r *http.Request, status int, style string) {
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/v1/organizations/current" {
		_, _ = w.Write([]byte(`{"orgID":"` + testOrgID + `","name":"Canary Org","firewallRanges":["10.0.0.0/8"]}`))
		return
	}
	body, _ := io.ReadAll(r.Body)
	auth := r.Header.Get("Authorization")
	echo := "you sent " + auth + " with " + string(body) + " to " + r.URL.String()
	w.Header().Set("X-Request-Id", "req "+auth)
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="`+strings.ReplaceAll(auth, `"`, `'`)+`"`)
	w.Header().Set("Retry-After", "3600")
	w.Header().Set("X-Echo-Body", strings.ToValidUTF8(strings.NewReplacer("\r", " ", "\n", " ").Replace(string(body)), "?"))
	var out []byte
	switch style {
	case "json":
		out, _ = json.Marshal(map[string]string{"message": echo, "detail": string(body)})
	case "nested":
		out, _ = json.Marshal(map[string]any{"error": map[string]string{"message": echo}})
	case "error":
		out, _ = json.Marshal(map[string]string{"error": echo})
	case "text":
		w.Header().Set("Content-Type", "text/plain")
		out = []byte(echo)
	case "html":
		w.Header().Set("Content-Type", "text/html")
		out = []byte("<html><body><pre>" + echo + "</pre></body></html>")
	case "badjson":
		out = []byte(`{"secrets":[{"secretID":"` + auth + `","value":` + string(body))
	case "wrongtype":
		quoted, _ := json.Marshal(echo)
		out = []byte(`{"secrets":` + string(quoted) + `,"secretID":7,"orgID":7,"userID":7,"teamID":7}`)
	}
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// TestCanary_FailingServers runs every operation against servers that answer each request with an
// error quoting what they received (token, body with the value, URL) in the message, the body and
// headers, in JSON, text and HTML; against 200s whose body is not what the call expects; and with no
// usable response: nothing listening, connections closed or reset, a server that never answers, a
// certificate the client does not trust.
func TestCanary_FailingServers(t *testing.T) {
	t.Parallel()
	type failing struct {
		name  string
		serve func(t *testing.T) (string, *http.Client)
		opts  []secrets.Option
	}
	var cases []failing
	for _, echo := range []struct {
		status int
		style  string
	}{
		{400, "json"}, {401, "text"}, {403, "json"}, {404, "nested"}, {409, "json"}, {413, "text"},
		{422, "html"}, {429, "json"}, {500, "text"}, {502, "html"}, {503, "json"}, {504, "error"},
		{200, "badjson"}, {200, "wrongtype"},
	} {
		cases = append(cases, failing{fmt.Sprint(echo.status, " ", echo.style), canaryRawServer(func(_ int, w http.ResponseWriter, r *http.Request) {
			canaryEcho(w, r, echo.status, echo.style)
		}), nil})
	}
	echoing := len(cases)
	cases = append(cases, []failing{
		{"refused", func(t *testing.T) (string, *http.Client) {
			tr := &http.Transport{}
			t.Cleanup(tr.CloseIdleConnections)
			return "http://" + closedLoopbackPort(t), &http.Client{Transport: tr}
		}, nil},
		{"closed without an answer", canaryRawServer(func(_ int, w http.ResponseWriter, _ *http.Request) { breakConn(w, "", false) }), nil},
		{"reset mid-body", canaryRawServer(func(_ int, w http.ResponseWriter, r *http.Request) {
			auth := r.Header.Get("Authorization")
			breakConn(w, fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nX-Request-Id: %s\r\n\r\n{\"secrets\":[{\"name\":\"%s", auth, auth), true)
		}), nil},
		{"no answer within WithTimeout", canaryRawServer(hang), []secrets.Option{secrets.WithTimeout(30 * time.Millisecond), secrets.WithRetryMax(0)}},
		{"untrusted certificate", func(t *testing.T) (string, *http.Client) {
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { canaryEcho(w, r, 200, "json") }))
			srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake failures are the point here
			srv.StartTLS()
			t.Cleanup(srv.Close)
			tr := &http.Transport{}
			t.Cleanup(tr.CloseIdleConnections)
			return srv.URL, &http.Client{Transport: tr}
		}, nil},
	}...)
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			baseURL, hc := tc.serve(t)
			rec := newCanaryRecorder(t)
			f := canaryClient(t, rec, baseURL, hc, tc.opts...)
			if i < echoing {
				require.NotNil(t, f.org, "the echoing servers answer Current")
			}
			failures := runCanaryOps(t, rec, f, canaryOps)
			assert.GreaterOrEqual(t, failures, len(canaryOps)-6, "the operations that make requests fail")
			rec.verifyLogs(`"msg":"secrets: request"`, `msg="secrets: request"`)
		})
	}
}

// canaryRawServer serves h on the broken-wire harness (harness_raw_test.go).
func canaryRawServer(h rawHandler) func(t *testing.T) (string, *http.Client) {
	return func(t *testing.T) (string, *http.Client) {
		srv := newRawServer(t, h)
		return srv.URL, srv.client(t)
	}
}

// TestCanary_InvalidInput: arguments refused before any request, the canary value among them where a
// name or an ID belongs, or as a value over the limit.
func TestCanary_InvalidInput(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer(secretstest.WithAPIKey(canaryToken))
	t.Cleanup(srv.Close)
	sec := srv.AddSecret("DB_PASSWORD", canaryValue, "")
	rec := newCanaryRecorder(t)
	f := canaryClient(t, rec, srv.URL, srv.Client())
	f.id = sec.ID
	require.NotNil(t, f.org)
	srv.ResetRequests()

	failures := runCanaryOps(t, rec, f, canaryBadInputOps)
	assert.Equal(t, len(canaryBadInputOps), failures)
	assert.Zero(t, srv.RequestCount(), "refused before any request")
	rec.verifyLogs()
}

// canaryHeldEcho is how a server whose refreshes fail quotes the values a Cache holds: body builds
// the 503's body from those values and the Authorization header.
type canaryHeldEcho struct {
	name        string
	held        string // the value held; canaryQuotedValue when ""
	contentType string
	body        func(quoted []string, auth string) string
	requestID   bool     // the first value quoted in X-Request-Id too
	message     string   // what the error's Message must contain, when set
	wantID      string   // the error's RequestID, when set
	extra       []string // how the encoding spells the marker
}

func (e canaryHeldEcho) value() string { return cmp.Or(e.held, canaryQuotedValue) }

// canaryQuoteStored quotes the stored values and the token in a JSON message and the request ID.
var canaryQuoteStored = canaryHeldEcho{name: "message and request ID", held: canaryValue, contentType: "application/json",
	body: func(quoted []string, auth string) string {
		return mustJSON(nil, map[string]string{"message": "cannot decrypt " + strings.Join(quoted, " and ") + " for " + auth})
	},
	requestID: true, message: "cannot decrypt [REDACTED] for Bearer [REDACTED]", wantID: "req [REDACTED]"}

// canaryHeldEchoes: the stored values quoted by the server's message and request ID; HTML-escaped,
// .NET-escaped, Go-quoted or JSON-escaped twice in a page, whole or cut mid-value; in a message the
// SDK normalizes (white space, control characters) or cuts at its limit; in plain text.
func canaryHeldEchoes() []canaryHeldEcho {
	cases := []canaryHeldEcho{canaryQuoteStored}
	for _, encName := range []string{"html named", "html numeric", ".NET \\uXXXX", "go %q", "json twice"} {
		encode := echoEncoders[encName]
		for _, cut := range []bool{false, true} {
			cases = append(cases, canaryHeldEcho{name: fmt.Sprint(encName, " cut=", cut), contentType: "text/html",
				extra: []string{encode(canaryQuotedMarker)}, body: func(quoted []string, _ string) string {
					body := "<html><p>cannot decrypt " + encode(quoted[0]) + "</p></html>"
					if cut {
						body = body[:strings.Index(body, encode(quoted[0]))+len(encode(canaryQuotedMarker))+4]
					}
					return body
				}})
		}
	}
	message := func(prefix, suffix string) func([]string, string) string {
		return func(quoted []string, _ string) string {
			return mustJSON(nil, map[string]string{"message": prefix + quoted[0] + suffix})
		}
	}
	return append(cases,
		canaryHeldEcho{name: "normalized message", contentType: "application/json", body: message("cannot decrypt ", " now")},
		canaryHeldEcho{name: "message cut at its limit", contentType: "application/json", body: message(strings.Repeat("x", 505), "")},
		canaryHeldEcho{name: "plain text", contentType: "application/json",
			body: func(quoted []string, _ string) string { return "cannot decrypt " + quoted[0] + " now" }})
}

// TestCanary_CacheMasksTheValueItHolds: a Cache holds the value it read; when a refresh fails with an
// error that quotes that value (a server quoting the stored secret), in any encoding, neither the
// error returned nor the stale-value Warn record shows it. (A plain Client call cannot mask a value
// it never saw: SECURITY.md says so.)
func TestCanary_CacheMasksTheValueItHolds(t *testing.T) {
	t.Parallel()
	for _, echo := range canaryHeldEchoes() {
		for _, stale := range []bool{false, true} {
			t.Run(fmt.Sprint(echo.name, "/stale-if-error ", stale), func(t *testing.T) {
				t.Parallel()
				srv, failing := canaryHoldingServer(t, echo)
				clientLogs := newCanaryRecorder(t) // the client cannot mask the value: its records are checked for the token only
				cacheLogs := newCanaryRecorder(t, echo.extra...)
				c, err := secrets.NewClient(secrets.WithAPIKey(canaryToken), secrets.WithBaseURL(srv.URL), secrets.WithHTTPClient(srv.Client()),
					secrets.WithLogger(clientLogs.logger), secrets.WithRetryMax(0))
				require.NoError(t, err)
				clock := newFakeClock(cacheStart)
				opts := []secrets.CacheOption{secrets.WithCacheLogger(cacheLogs.logger), secrets.WithCacheClock(clock.Now), secrets.WithTTL(time.Minute)}
				if stale {
					opts = append(opts, secrets.WithStaleIfError(time.Hour))
				}
				cache, err := secrets.NewCache(c, opts...)
				require.NoError(t, err)

				got, err := cache.GetMany(t.Context(), "DB_PASSWORD", "OTHER")
				require.NoError(t, err)
				require.Equal(t, echo.value(), got["DB_PASSWORD"])

				failing.Store(true)
				clock.Advance(2 * time.Minute)
				_, errGet := cache.Get(t.Context(), "DB_PASSWORD")
				_, errLookup := cache.Lookup(t.Context(), "OTHER")
				clock.Advance(10 * time.Minute)
				_, errMany := cache.GetMany(t.Context(), "DB_PASSWORD", "OTHER")
				if stale {
					assert.NoError(t, errGet)
					assert.NoError(t, errLookup)
					assert.NoError(t, errMany)
					cacheLogs.verifyLogs("cache serving a stale value")
					if echo.message != "" { // the record quotes the message, masked
						cacheLogs.verifyLogs("[REDACTED]")
					}
				} else {
					apiErr := requireAPIError(t, errGet, http.StatusServiceUnavailable)
					assert.Contains(t, apiErr.Message, echo.message)
					if echo.wantID != "" {
						assert.Equal(t, echo.wantID, apiErr.RequestID)
					}
				}
				for name, err := range map[string]error{"Get": errGet, "Lookup": errLookup, "GetMany": errMany} {
					if err != nil {
						cacheLogs.inspect(name+" error", err)
						inspectErrorParts(cacheLogs, name, err)
					}
				}
				cacheLogs.inspect("*Cache", cache)
				cacheLogs.verifyLogs()
				// The client's own records hold the value the server quoted, which it never had: only the
				// token is checked there.
				assert.NotContains(t, clientLogs.records(), "CnryTok")
			})
		}
	}
}

// canaryStoredValueServer is canaryHoldingServer quoting the canary value in a message and the
// request ID.
func canaryStoredValueServer(t *testing.T) (*httptest.Server, *atomic.Bool) {
	return canaryHoldingServer(t, canaryQuoteStored)
}

// canaryHoldingServer serves two secrets holding echo.held until failing is set; then it answers 503
// with echo's body quoting the stored values of the secrets asked for (all of them for a list), as a
// server quoting the stored secret would.
func canaryHoldingServer(t *testing.T, echo canaryHeldEcho) (*httptest.Server, *atomic.Bool) {
	var failing atomic.Bool
	held := echo.value()
	stored := []map[string]string{
		{"secretID": secretID, "name": "DB_PASSWORD", "value": held},
		{"secretID": aliceID, "name": "OTHER", "value": "other-" + held},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if !failing.Load() {
			_ = json.NewEncoder(w).Encode(map[string]any{"secrets": stored})
			return
		}
		var quoted []string
		for _, s := range stored {
			if name := r.URL.Query().Get("name"); name == "" || name == s["name"] {
				quoted = append(quoted, s["value"])
			}
		}
		if echo.requestID {
			w.Header().Set("X-Request-Id", "req "+quoted[0])
		}
		w.Header().Set("Retry-After", "3600")
		w.Header().Set("Content-Type", echo.contentType)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, echo.body(quoted, r.Header.Get("Authorization")))
	}))
	t.Cleanup(srv.Close)
	return srv, &failing
}

// TestCanary_NewClientAndOptionErrors: constructors and options refused, with the canary token in
// the configuration (alone, in a URL, in the environment, as an expired JWT).
func TestCanary_NewClientAndOptionErrors(t *testing.T) {
	t.Parallel()
	expired := makeJWT(t, map[string]any{"exp": 1_000_000_000, "jti": canaryToken})
	env := func(vars map[string]string) secrets.Option {
		return secrets.WithEnvFunc(func(k string) string { return vars[k] })
	}
	key := secrets.WithAPIKey(canaryToken)
	cases := map[string][]secrets.Option{
		"token with a space":         {secrets.WithAPIKey(canaryToken + " x")},
		"token with a newline":       {secrets.WithAPIKey(canaryToken + "\n")},
		"token in the URL":           {key, secrets.WithBaseURL("https://user:" + canaryToken + "@api.example.com")},
		"token in the URL query":     {key, secrets.WithBaseURL("https://api.example.com/?token=" + canaryToken)},
		"token as the URL":           {key, secrets.WithBaseURL(canaryToken)},
		"token in a broken URL":      {key, secrets.WithBaseURL("https://api.example.com/%zz" + canaryToken)},
		"plain http":                 {key, secrets.WithBaseURL("http://api.example.com/" + canaryToken)},
		"expired JWT":                {secrets.WithAPIKey(expired)},
		"env token with a space":     {env(map[string]string{secrets.EnvManagementToken: canaryToken + " x"})},
		"env expired JWT in the URL": {env(map[string]string{secrets.EnvURL: "singlestoredb://admin:" + expired + "@db.example.com:3306/app"})},
		"env URL not a JWT":          {env(map[string]string{secrets.EnvURL: "mysql://admin:" + canaryToken + "@db.example.com:3306/app"})},
		"env base URL":               {env(map[string]string{secrets.EnvManagementToken: canaryToken, secrets.EnvManagementBaseURL: "http://user:" + canaryToken + "@x"})},
		"nil getenv":                 {key, secrets.WithEnvFunc(nil)},
		"no token":                   {},
		"RetryMax":                   {key, secrets.WithRetryMax(-1)},
		"RetryWait":                  {key, secrets.WithRetryWait(time.Second, time.Millisecond)},
		"Timeout":                    {key, secrets.WithTimeout(0)},
		"HTTPClient":                 {key, secrets.WithHTTPClient(nil)},
		"OrganizationID":             {key, secrets.WithOrganizationID(" ")},
		"UserAgent":                  {key, secrets.WithUserAgent("\x00")},
		"APIVersion":                 {key, secrets.WithAPIVersion("")},
	}
	rec := newCanaryRecorder(t, expired)
	for name, opts := range cases {
		c, err := secrets.NewClient(opts...)
		require.Error(t, err, name)
		assert.Nil(t, c, name)
		rec.inspect(name, err)
	}
	_, err := secrets.ManageWorkspaces(canaryToken+" x", env(nil))
	require.Error(t, err)
	rec.inspect("ManageWorkspaces", err)

	c, err := secrets.NewClient(key, secrets.WithBaseURL(testBaseURL))
	require.NoError(t, err)
	_, err = secrets.NewCache(nil)
	rec.inspect("NewCache(nil)", err)
	for name, opt := range map[string]secrets.CacheOption{
		"TTL": secrets.WithTTL(0), "NegativeTTL": secrets.WithNegativeTTL(-1), "StaleIfError": secrets.WithStaleIfError(-1),
		"MaxEntries": secrets.WithMaxEntries(0), "FetchTimeout": secrets.WithFetchTimeout(0),
	} {
		_, err := secrets.NewCache(c, opt)
		require.Error(t, err, name)
		rec.inspect(name, err)
	}
	rec.verifyLogs()
}

// TestCanary_NotebookHelpers: GetSecret and GetSecrets, configured through the environment with the
// canary token, in success and failure. They use t.Setenv, so they are not parallel.
func TestCanary_NotebookHelpers(t *testing.T) {
	emu := secretstest.NewServer(secretstest.WithAPIKey(canaryToken))
	t.Cleanup(emu.Close)
	emu.AddSecret("DB_PASSWORD", canaryValue, "")
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { canaryEcho(w, r, 403, "json") }))
	t.Cleanup(echo.Close)
	expired := makeJWT(t, map[string]any{"exp": 1_000_000_000, "jti": canaryToken})
	rec := newCanaryRecorder(t, expired)

	cases := []struct {
		name  string
		env   map[string]string
		names []string
		ok    bool
	}{
		{"success", map[string]string{secrets.EnvManagementToken: canaryToken, secrets.EnvManagementBaseURL: emu.URL}, []string{"DB_PASSWORD"}, true},
		{"not found", map[string]string{secrets.EnvManagementToken: canaryToken, secrets.EnvManagementBaseURL: emu.URL}, []string{"MISSING"}, false},
		{"server error echoing", map[string]string{secrets.EnvManagementToken: canaryToken, secrets.EnvManagementBaseURL: echo.URL}, []string{"DB_PASSWORD"}, false},
		{"value as the name", map[string]string{secrets.EnvManagementToken: canaryToken, secrets.EnvManagementBaseURL: emu.URL}, []string{canaryValue}, false},
		{"expired JWT", map[string]string{secrets.EnvURL: "admin:" + expired + "@db.example.com:3306", secrets.EnvManagementBaseURL: emu.URL}, []string{"DB_PASSWORD"}, false},
		{"no JWT in the URL", map[string]string{secrets.EnvURL: "admin:" + canaryToken + "@db.example.com:3306"}, []string{"DB_PASSWORD"}, false},
		{"token with a space", map[string]string{secrets.EnvManagementToken: canaryToken + " x"}, []string{"DB_PASSWORD"}, false},
		{"base URL with the token", map[string]string{secrets.EnvManagementToken: canaryToken, secrets.EnvManagementBaseURL: "ftp://" + canaryToken}, []string{"DB_PASSWORD"}, false},
	}
	for _, tc := range cases {
		setEnv(t, tc.env)
		value, err := secrets.GetSecret(t.Context(), tc.names[0])
		values, errMany := secrets.GetSecrets(t.Context(), append(tc.names, "DB_PASSWORD")...)
		if tc.ok {
			require.NoError(t, err, tc.name)
			require.NoError(t, errMany, tc.name)
			assert.Equal(t, canaryValue, value)
			assert.Equal(t, canaryValue, values["DB_PASSWORD"])
			continue
		}
		require.Error(t, err, tc.name)
		assert.Empty(t, value, tc.name)
		rec.inspect(tc.name+" GetSecret", err)
		if errMany != nil {
			rec.inspect(tc.name+" GetSecrets", errMany)
		}
	}
	rec.verifyLogs()
}

// TestCanary_CoversEveryMethod fails when a public method of the services, the Cache or an
// Organization is missing from the canary's operations, so that a new method cannot escape it.
func TestCanary_CoversEveryMethod(t *testing.T) {
	t.Parallel()
	covered := map[string]bool{}
	for _, op := range append(append([]canaryOp(nil), canaryOps...), canaryBadInputOps...) {
		covered[op.name] = true
	}
	formatting := map[string]bool{"Format": true, "LogValue": true, "String": true, "MarshalJSON": true}
	for _, v := range []any{&secrets.SecretsService{}, &secrets.OrganizationsService{}, &secrets.Cache{}, &secrets.Organization{}, &secrets.Client{}} {
		typ := reflect.TypeOf(v)
		for i := 0; i < typ.NumMethod(); i++ {
			name := typ.Elem().Name() + "." + typ.Method(i).Name
			if !formatting[typ.Method(i).Name] {
				assert.True(t, covered[name], "%s is not run by the redaction canary", name)
			}
		}
	}
}

// TestCanary_UnparsableRedirectEchoingTheRequest: a server answers with a redirect whose Location
// does not parse and quotes the request (token, body with the value) in it. net/http's error quotes
// the Location header, and that error becomes the cause of the *RequestError.
func TestCanary_UnparsableRedirectEchoingTheRequest(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Location", "https://api.example.com/%zz?auth="+r.Header.Get("Authorization")+"&body="+string(body))
		w.WriteHeader(http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	rec := newCanaryRecorder(t)
	f := canaryClient(t, rec, srv.URL, srv.Client(), secrets.WithRetryMax(3))
	_, errGet := f.c.Secrets.Get(t.Context(), secretID)
	_, errCreate := f.c.Secrets.Create(t.Context(), "NEW_ONE", canaryValue)
	for _, err := range []error{errGet, errCreate} {
		var reqErr *secrets.RequestError
		require.ErrorAs(t, err, &reqErr)
		assert.Equal(t, 1, reqErr.Attempts, "an unparsable redirect is not retried")
		rec.inspect("error", err)
	}
	rec.verifyLogs()
}

// TestCanary_Formatting: the types that carry a token or a value print (every verb), log (slog's
// JSON and text handlers, in groups and containers) and encode as JSON without them, alone, through
// pointers or in slices, maps and structs, and show where they hid one.
func TestCanary_Formatting(t *testing.T) {
	t.Parallel()
	rec := newCanaryRecorder(t)
	c, api := setup(t, secrets.WithAPIKey(canaryToken), secrets.WithOrganizationID(testOrgID))
	api.on(http.MethodGet, "/v1/organizations/current", fixture(t, 200, "organization.json"))
	org, err := c.Organizations.Current(t.Context())
	require.NoError(t, err)
	deleted := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	s := secrets.Secret{ID: secretID, Name: "DB_PASSWORD", Value: strp(canaryValue), CreatedBy: "u1", DeletedAt: &deleted}
	entry := secrets.CacheEntry{Name: "DB_PASSWORD", Value: canaryValue}
	subjects := map[string]any{
		"Client": *c, "*Client": c, "ClientInfo": c.Info(), "Secret": s, "*Secret": &s, "[]*Secret": []*secrets.Secret{&s, &s},
		"[]Secret": []secrets.Secret{s}, "map": map[string]*secrets.Secret{"a": &s}, "map of values": map[string]secrets.Secret{"k": s},
		"struct": struct{ S *secrets.Secret }{&s}, "CacheEntry": entry, "[]CacheEntry": []secrets.CacheEntry{entry},
		"*APIError":    &secrets.APIError{StatusCode: 400, Method: "POST", Path: "/v1/secrets", Message: "bad", Body: []byte(`{"message":"bad"}`)},
		"Organization": *org, "*Org": org, "*Secrets": c.Secrets, "Secrets": *c.Secrets, "*Orgs": c.Organizations, "Orgs": *c.Organizations,
	}
	for name, v := range subjects {
		rec.inspect(name, v)
	}
	rec.logger.Info("grouped", slog.Group("g", slog.Any("secret", &s), slog.Any("client", c)))
	rec.logger.Info("nil", "secret", (*secrets.Secret)(nil), "client", (*secrets.Client)(nil))
	rec.verifyLogs(`"g":{"secret":{`, `g.secret.value=[REDACTED]`, `"value":"[REDACTED]"`, "Value: [REDACTED]", "secret=<nil>")
	assert.NotContains(t, rec.records(), "panic", "a nil pointer logs as <nil>")

	assert.Equal(t, fmt.Sprintf("secrets.Client{BaseURL: %q, Token: [REDACTED], OrganizationID: %q}", testBaseURL+"/v1", testOrgID), fmt.Sprint(c))
	assert.Contains(t, fmt.Sprint(s), "Value: [REDACTED]")
	assert.Contains(t, fmt.Sprint(secrets.Secret{Name: "X"}), "Value: <withheld>")
	assert.Equal(t, "<nil>", fmt.Sprintf("%v", (*secrets.Secret)(nil)))
	out := mustJSON(t, []any{s, &s, entry})
	assert.Contains(t, out, `"value":"[REDACTED]"`)
	assert.Contains(t, out, `"deletedAt":"2024-05-06T07:08:09Z"`)
	assert.NotContains(t, mustJSON(t, secrets.Secret{ID: secretID, Name: "DB_PASSWORD"}), `"value"`, "a withheld value stays absent")
}

// TestCanary_LoggerRecords: WithLogger's debug records name method, path, status and attempts, and
// never the token, the value or a body (the fixture's value, hunter2), even when the server echoes
// them.
func TestCanary_LoggerRecords(t *testing.T) {
	t.Parallel()
	rec := newCanaryRecorder(t, "hunter2")
	c, api := setup(t, secrets.WithAPIKey(canaryToken), secrets.WithLogger(rec.logger), secrets.WithRetryMax(1))
	api.on(http.MethodPost, "/v1/secrets", httpmock.NewStringResponder(429, "value "+canaryValue+" token "+canaryToken))
	api.on(http.MethodGet, getPath, fixture(t, 200, "secret.json"))

	_, err := c.Secrets.Create(t.Context(), "ECHO", canaryValue)
	require.Error(t, err)
	_, err = c.Secrets.Get(t.Context(), secretID)
	require.NoError(t, err)
	rec.verifyLogs(`"msg":"secrets: retrying request"`, `"path":"/v1/secrets"`, `"status":429`, `"attempts":2`, `"status":200`)
}

// assertNoSecret fails when text holds any secret, or a recognisable piece of one (its first and last
// 8 bytes), raw or JSON-escaped.
func assertNoSecret(t *testing.T, text, where string, secretsToHide ...string) {
	t.Helper()
	for _, s := range secretsToHide {
		pieces := []string{s}
		if len(s) > 16 {
			pieces = append(pieces, s[:8], s[len(s)-8:])
		}
		for _, p := range pieces {
			for _, form := range []string{p, jsonEscape(p)} {
				if !assert.NotContains(t, text, form, "%s shows a secret", where) {
					return
				}
			}
		}
	}
}
