package secretstest_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/helios-secrets/go-secrets/secretstest"
)

// The one harness of this package: env, an emulator with its own client, and what the tests send
// and read through it (wire shapes, share bodies, the table of routes), fake clocks and small helpers.

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// env is one emulator with its own HTTP client, closed when the test ends.
type env struct {
	t      *testing.T
	srv    *secretstest.Server
	client *http.Client
	key    string
}

func newEnv(t *testing.T, opts ...secretstest.Option) *env {
	t.Helper()
	srv := secretstest.NewServer(opts...)
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(func() {
		srv.Close()
		tr.CloseIdleConnections()
	})
	return &env{t: t, srv: srv, client: &http.Client{Transport: tr, Timeout: 30 * time.Second}, key: srv.APIKey()}
}

// response is a fully read HTTP response.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends one request; body may be nil, a string or []byte (sent as is), or any value (sent as JSON).
func (e *env) do(token, method, path string, body any) response {
	e.t.Helper()
	r, err := e.try(context.Background(), token, method, path, body)
	require.NoError(e.t, err)
	return r
}

// try is do without assertions, for goroutines other than the test's.
func (e *env) try(ctx context.Context, token, method, path string, body any) (response, error) {
	if body == nil {
		return e.send(ctx, token, method, path, "", nil)
	}
	var data []byte
	switch b := body.(type) {
	case string:
		data = []byte(b)
	case []byte:
		data = b
	default:
		var err error
		if data, err = json.Marshal(body); err != nil {
			return response{}, err
		}
	}
	return e.send(ctx, token, method, path, "application/json", bytes.NewReader(data))
}

// send sends one request with body labelled contentType ("" sends no Content-Type) and reads the
// whole answer; an empty token sends no Authorization.
func (e *env) send(ctx context.Context, token, method, path, contentType string, body io.Reader) (response, error) {
	req, err := http.NewRequestWithContext(ctx, method, e.srv.URL+path, body)
	if err != nil {
		return response{}, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: data}, err
}

// sendTyped sends body with the given Content-Type header ("" sends none), as the API key.
func (e *env) sendTyped(method, path, contentType, body string) response {
	e.t.Helper()
	r, err := e.send(context.Background(), e.key, method, path, contentType, strings.NewReader(body))
	require.NoError(e.t, err)
	return r
}

// fresh returns the env with a client that never reuses connections, so that http.Transport cannot
// silently retry a request on a dropped keep-alive connection.
func (e *env) fresh() *env {
	tr := &http.Transport{DisableKeepAlives: true}
	e.t.Cleanup(tr.CloseIdleConnections)
	f := *e
	f.client = &http.Client{Transport: tr, Timeout: 30 * time.Second}
	return &f
}

// attempt is the outcome of a request sent by start.
type attempt struct {
	r   response
	err error
}

// start sends one request as the API key in a goroutine; its outcome arrives on the channel.
func (e *env) start(ctx context.Context, method, path string, body any) <-chan attempt {
	done := make(chan attempt, 1)
	go func() {
		r, err := e.try(ctx, e.key, method, path, body)
		done <- attempt{r, err}
	}()
	return done
}

// rawRequest writes head (request line and headers, without the blank line) and then body on a new
// connection, and returns the connection and a reader of its responses. The connection is closed
// when the test ends.
func rawRequest(t *testing.T, srv *secretstest.Server, head, body string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	// A guard against a hang, not a timing assertion: every answer below comes at once.
	require.NoError(t, conn.SetDeadline(time.Now().Add(20*time.Second)))
	_, err = io.WriteString(conn, head+"\r\n\r\n"+body)
	require.NoError(t, err)
	return conn, bufio.NewReader(conn)
}

// decode unmarshals a response body that must have the wanted status.
func decode[T any](t *testing.T, r response, status int) T {
	t.Helper()
	require.Equal(t, status, r.status, "body: %s", r.body)
	var v T
	require.NoError(t, json.Unmarshal(r.body, &v), "body: %s", r.body)
	return v
}

// Client-side views of the wire shapes.

type wireSecret struct {
	SecretID      string  `json:"secretID"`
	Name          string  `json:"name"`
	Value         *string `json:"value"`
	CreatedBy     string  `json:"createdBy"`
	CreatedAt     string  `json:"createdAt"`
	LastUpdatedBy string  `json:"lastUpdatedBy"`
	LastUpdatedAt string  `json:"lastUpdatedAt"`
}

type wireList struct {
	Secrets []wireSecret `json:"secrets"`
}

type wireUser struct {
	UserID    string `json:"userID"`
	Email     string `json:"email"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	UserKind  string `json:"userKind"`
}

type wireTeam struct {
	TeamID      string `json:"teamID"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

type wireRole struct {
	Role   string `json:"role"`
	Grants []struct {
		Identity struct {
			UserID string `json:"userID"`
			TeamID string `json:"teamID"`
		} `json:"identity"`
		InheritedFrom *struct {
			ResourceID   string `json:"resourceID"`
			ResourceType string `json:"resourceType"`
			Role         string `json:"role"`
		} `json:"inheritedFrom"`
	} `json:"grants"`
}

type wireError struct {
	Message string `json:"message"`
}

// change is one entry of a share request.
type change struct {
	Role  string   `json:"role"`
	Users []string `json:"users"`
	Teams []string `json:"teams"`
}

type shareBody struct {
	Grants  []change `json:"grants"`
	Revokes []change `json:"revokes"`
}

func users(role string, ids ...string) change {
	return change{Role: role, Users: ids, Teams: []string{}}
}

func teams(role string, ids ...string) change {
	return change{Role: role, Users: []string{}, Teams: ids}
}

func grant(cs ...change) shareBody { return shareBody{Grants: cs, Revokes: []change{}} }

func revoke(cs ...change) shareBody { return shareBody{Grants: []change{}, Revokes: cs} }

const (
	owner  = secretstest.RoleOwner
	reader = secretstest.RoleReader
)

// create makes a secret as token's identity and returns it.
func (e *env) create(token, name, value string) wireSecret {
	e.t.Helper()
	return decode[wireSecret](e.t, e.do(token, http.MethodPost, "/v1/secrets", map[string]string{"name": name, "value": value}), http.StatusOK)
}

// share applies a share request that must succeed.
func (e *env) share(token, secretID string, body shareBody) {
	e.t.Helper()
	r := e.do(token, http.MethodPatch, "/v1/secrets/"+secretID+"/accessControls", body)
	require.Equal(e.t, http.StatusOK, r.status, "body: %s", r.body)
}

func (e *env) exists(secretID string) bool {
	e.t.Helper()
	r := e.do(e.key, http.MethodGet, "/v1/secrets/"+secretID, nil)
	require.Contains(e.t, []int{http.StatusOK, http.StatusNotFound}, r.status)
	return r.status == http.StatusOK
}

// addMembers adds n members, the i-th with the address fmt.Sprintf(format, i), and returns them and
// their IDs.
func addMembers(srv *secretstest.Server, format string, n int) ([]secretstest.User, []string) {
	members, ids := make([]secretstest.User, n), make([]string, n)
	for i := range members {
		members[i] = srv.AddUser(fmt.Sprintf(format, i))
		ids[i] = members[i].ID
	}
	return members, ids
}

// route is one endpoint of the API with a request an Owner may send: {id} in path stands for a
// secret's ID, {user} in body for a member's. The tests that hold for every endpoint, or for every
// one that takes a secret ID or a body, range over routes: a new endpoint joins them with a row.
type route struct{ name, method, path, body string }

// routes are in the order of the emulator's Allow header.
var routes = []route{
	{"list", http.MethodGet, "/v1/secrets", ""},
	{"create", http.MethodPost, "/v1/secrets", `{"name":"CREATED","value":"v"}`},
	{"get", http.MethodGet, "/v1/secrets/{id}", ""},
	{"update", http.MethodPatch, "/v1/secrets/{id}", `{"value":"changed"}`},
	{"delete", http.MethodDelete, "/v1/secrets/{id}", ""},
	{"access", http.MethodGet, "/v1/secrets/{id}/accessControls", ""},
	{"share", http.MethodPatch, "/v1/secrets/{id}/accessControls", `{"grants":[{"role":"Reader","users":["{user}"],"teams":[]}],"revokes":[]}`},
	{"organization", http.MethodGet, "/v1/organizations/current", ""},
	{"users", http.MethodGet, "/v1/users", ""},
	{"current user", http.MethodGet, "/v1/users/current", ""},
	{"teams", http.MethodGet, "/v1/teams", ""},
}

// hasID reports whether the route's path names a secret.
func (rt route) hasID() bool { return strings.Contains(rt.path, "{id}") }

// request returns the route's path and body (nil for none) for a secret and a member.
func (rt route) request(secretID, userID string) (string, any) {
	fill := strings.NewReplacer("{id}", secretID, "{user}", userID)
	if rt.body == "" {
		return fill.Replace(rt.path), nil
	}
	return fill.Replace(rt.path), fill.Replace(rt.body)
}

// lookup returns the IDs of the users or teams GET path answers with, or "status N" when it refuses
// (with a message).
func lookup(e *env, token, path string) []string {
	e.t.Helper()
	r := e.do(token, http.MethodGet, path, nil)
	if r.status != http.StatusOK {
		assert.NotEmpty(e.t, decode[wireError](e.t, r, r.status).Message)
		return []string{fmt.Sprintf("status %d", r.status)}
	}
	ids := []string{}
	for _, found := range decode[[]struct{ UserID, TeamID string }](e.t, r, http.StatusOK) {
		ids = append(ids, found.UserID+found.TeamID) // one of them is empty
	}
	return ids
}

// limitedEnv is an emulator limited to perSecond with burst on a fake clock.
func limitedEnv(t *testing.T, perSecond float64, burst int) (*env, *fakeClock) {
	clock := newFakeClock(0)
	return newEnv(t, secretstest.WithClock(clock.Now), secretstest.WithRateLimit(perSecond, burst)), clock
}

// retryAfter sends one request and returns "" when it passed, else its Retry-After header.
func (e *env) retryAfter() string {
	e.t.Helper()
	r := e.do(e.key, http.MethodGet, "/v1/secrets", nil)
	if r.status == http.StatusOK {
		return ""
	}
	require.Equal(e.t, http.StatusTooManyRequests, r.status, "body: %s", r.body)
	assert.NotEmpty(e.t, decode[wireError](e.t, r, http.StatusTooManyRequests).Message)
	return r.header.Get("Retry-After")
}

var t0 = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// fakeClock starts at t0 and moves only when the test advances it, and by step on every reading.
type fakeClock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

func newFakeClock(step time.Duration) *fakeClock { return &fakeClock{now: t0, step: step} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now
	c.now = c.now.Add(c.step)
	return now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// walkFields calls fn for every object member in doc, depth first, and returns how many it saw.
func walkFields(doc any, fn func(key string, v any)) int {
	n := 0
	switch d := doc.(type) {
	case map[string]any:
		for k, v := range d {
			fn(k, v)
			n += 1 + walkFields(v, fn)
		}
	case []any:
		for _, v := range d {
			n += walkFields(v, fn)
		}
	}
	return n
}

func profileName(p secretstest.Profile) string {
	name := ""
	for _, f := range []struct {
		on   bool
		name string
	}{{p.BareLists, "bare-lists"}, {p.ValuesOnlyByName, "values-only-by-name"}, {p.RegexLookups, "regex-lookups"}} {
		if f.on {
			if name != "" {
				name += ","
			}
			name += f.name
		}
	}
	if name == "" {
		return "default"
	}
	return name
}

func ptr(s string) *string { return &s }

// repeatByte is an endless reader of one byte.
type repeatByte byte

func (b repeatByte) Read(p []byte) (int, error) {
	block := bytes.Repeat([]byte{byte(b)}, min(len(p), 64<<10))
	n := 0
	for n < len(p) {
		n += copy(p[n:], block)
	}
	return n, nil
}
