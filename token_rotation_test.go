package secrets_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
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

// liveEnv is an environment that changes while a Client uses it, as a notebook's does when the
// platform rotates its JWT.
type liveEnv struct {
	mu   sync.RWMutex
	vars map[string]string
}

func newLiveEnv(vars map[string]string) *liveEnv { return &liveEnv{vars: vars} }

func (e *liveEnv) get(k string) string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.vars[k]
}

func (e *liveEnv) set(k, v string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.vars[k] = v
}

// authorizations lists the Authorization header of every attempt f saw, without "Bearer ".
func authorizations(f *fakeAPI) []string {
	var out []string
	for _, r := range f.requests() {
		out = append(out, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	}
	return out
}

// TestTokenRotation: a Client whose token comes from the environment (from whichever variable holds
// it) or from a TokenSource sends, on each attempt, the token of that moment: rotated between calls,
// between the retries of one call that then succeeds, and between retries that all fail, where the
// error shows every token the call sent masked.
func TestTokenRotation(t *testing.T) {
	t.Parallel()
	jwts := make([]string, 3)
	exps := map[string]time.Time{}
	for i := range jwts {
		exp := time.Now().Add(time.Duration(i+1) * time.Hour).Truncate(time.Second)
		jwts[i] = makeJWT(t, map[string]any{"sub": "u", "exp": exp.Unix()})
		exps[jwts[i]] = exp
	}
	ok := fixture(t, 200, "secret.json")
	points := map[string]struct {
		answer func(n int, f *fakeAPI, req *http.Request) (*http.Response, error) // attempt n (from 1)
		calls  []string                                                           // the tokens set before each call
		want   []string                                                           // the tokens sent
	}{
		"between calls": {calls: []string{jwts[0], jwts[0], jwts[1], jwts[2]}, want: []string{jwts[0], jwts[0], jwts[1], jwts[2]}},
		"between retries": {calls: jwts[:1], want: jwts, answer: func(n int, _ *fakeAPI, req *http.Request) (*http.Response, error) {
			if n == 3 {
				return ok(req)
			}
			return httpmock.NewStringResponse(map[int]int{1: http.StatusServiceUnavailable, 2: http.StatusBadGateway}[n],
				map[int]string{1: `{"message":"busy"}`}[n]), nil
		}},
		"between failing retries": {calls: jwts[:1], want: jwts, answer: func(_ int, f *fakeAPI, _ *http.Request) (*http.Response, error) {
			echo := `{"message":"rejected ` + strings.Join(authorizations(f), ", ") + `"}`
			return httpmock.NewStringResponse(http.StatusServiceUnavailable, echo), nil
		}},
	}
	for _, variable := range []string{secrets.EnvManagementToken, secrets.EnvHost, secrets.EnvURL, "WithTokenSource"} {
		for pointName, point := range points {
			t.Run(variable+" "+pointName, func(t *testing.T) {
				t.Parallel()
				wrap := func(token string) string { return token }
				if variable == secrets.EnvHost || variable == secrets.EnvURL {
					wrap = func(token string) string { return "admin:" + token + "@svc-1.example.com:3306/db" }
				}
				env := newLiveEnv(map[string]string{variable: wrap(point.calls[0])})
				var asked atomic.Int32
				opt := secrets.WithEnvFunc(env.get)
				if variable == "WithTokenSource" {
					opt = secrets.WithTokenSource(secrets.TokenSourceFunc(func(context.Context) (string, error) {
						asked.Add(1)
						return env.get(variable), nil
					}))
				}
				c, f := setup(t, opt, secrets.WithRetryMax(2))
				if variable == "WithTokenSource" { // NewClient does not call the source: Info knows only the source
					assert.Zero(t, asked.Load())
					assert.Equal(t, secrets.ClientInfo{BaseURL: testBaseURL + "/v1", TokenSource: "WithTokenSource", UserAgent: c.Info().UserAgent}, c.Info())
				}
				var n atomic.Int32
				f.on(http.MethodGet, getPath, func(req *http.Request) (*http.Response, error) {
					if point.answer == nil {
						return ok(req)
					}
					i := int(n.Add(1))
					if i < len(point.want) { // rotated while the server fails
						env.set(variable, wrap(point.want[i]))
					}
					return point.answer(i, f, req)
				})
				var err error
				for _, token := range point.calls {
					env.set(variable, wrap(token))
					_, err = c.Secrets.Get(t.Context(), secretID)
					info := c.Info() // the kind and expiry of the latest token
					assert.True(t, info.TokenIsJWT)
					assert.Contains(t, info.TokenSource, variable)
					assert.True(t, exps[authorizations(f)[len(authorizations(f))-1]].Equal(info.TokenExpiry))
					assert.NotContains(t, fmt.Sprintf("%v %+v %#v", c, info, c), token)
				}
				assert.Equal(t, point.want, authorizations(f))
				if variable == "WithTokenSource" {
					assert.Equal(t, len(point.want), int(asked.Load()), "asked before each attempt")
				}
				if pointName != "between failing retries" {
					require.NoError(t, err)
					return
				}
				apiErr := requireAPIError(t, err, http.StatusServiceUnavailable)
				assert.Equal(t, 3, apiErr.Attempts)
				assert.Contains(t, apiErr.Message, "rejected")
				for _, token := range authorizations(f) {
					assert.NotContains(t, err.Error(), token)
					assert.NotContains(t, string(apiErr.Body), token)
				}
			})
		}
	}
}

// TestTokenRotation_EnvironmentCache: a Cache on a Client built by ManageWorkspaces("")-style options
// fetches with the token of the moment.
func TestTokenRotation_EnvironmentCache(t *testing.T) {
	t.Parallel()
	env := newLiveEnv(map[string]string{secrets.EnvManagementToken: "key-before"})
	c, f := setup(t, secrets.WithEnvFunc(env.get))
	f.on(http.MethodGet, "/v1/secrets", fixture(t, 200, "list_wrapped.json"))
	cache, err := secrets.NewCache(c)
	require.NoError(t, err)
	v, err := cache.Get(t.Context(), "DB_PASSWORD")
	require.NoError(t, err)
	assert.Equal(t, "hunter2", v)
	env.set(secrets.EnvManagementToken, "key-after")
	_, err = cache.Get(t.Context(), "DB_PASSWORD") // a hit: no request
	require.NoError(t, err)
	_, err = cache.Get(t.Context(), "API_KEY") // a miss: the new token
	require.ErrorIs(t, err, secrets.ErrValueWithheld)
	assert.Equal(t, []string{"key-before", "key-after"}, authorizations(f))
}

// TestTokenRotation_EnvironmentFailures: a token that expired, went away or turned invalid in the
// environment fails the call before anything is sent, with an error naming the variables and never
// quoting a token; a fresh token makes the Client work again.
func TestTokenRotation_EnvironmentFailures(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC))
	expiring := makeJWT(t, map[string]any{"sub": "u", "exp": clock.Now().Add(time.Minute).Unix()})
	fresh := makeJWT(t, map[string]any{"sub": "u", "exp": clock.Now().Add(time.Hour).Unix()})

	env := newLiveEnv(map[string]string{secrets.EnvURL: "admin:" + expiring + "@host:3306"})
	c, f := setup(t, secrets.WithEnvFunc(env.get), secrets.WithClock(clock.Now))
	f.on(http.MethodGet, getPath, fixture(t, 200, "secret.json"))
	_, err := c.Secrets.Get(t.Context(), secretID)
	require.NoError(t, err)

	clock.Advance(time.Minute)
	_, err = c.Secrets.Get(t.Context(), secretID)
	assertSentinels(t, err, secrets.ErrTokenExpired, secrets.ErrUnauthorized)
	assert.Contains(t, err.Error(), secrets.EnvURL)
	assert.NotContains(t, err.Error(), expiring)

	env.set(secrets.EnvURL, "admin:not-a-jwt-pw@host:3306")
	_, err = c.Secrets.Get(t.Context(), secretID)
	assertSentinels(t, err, secrets.ErrNoCredentials)
	assert.Contains(t, err.Error(), secrets.EnvURL+" is set, but its password is not a JWT")
	assert.NotContains(t, err.Error(), "not-a-jwt-pw")

	env.set(secrets.EnvURL, "")
	env.set(secrets.EnvManagementToken, "key with-a-space")
	_, err = c.Secrets.Get(t.Context(), secretID)
	assertSentinels(t, err, secrets.ErrInvalidArgument)
	assert.Contains(t, err.Error(), secrets.EnvManagementToken)
	assert.NotContains(t, err.Error(), "with-a-space")
	assert.Len(t, f.requests(), 1, "nothing sent since the first call")

	env.set(secrets.EnvManagementToken, fresh)
	_, err = c.Secrets.Get(t.Context(), secretID)
	require.NoError(t, err)
	assert.Equal(t, []string{expiring, fresh}, authorizations(f))
}

// TestTokenSource_Errors: a TokenSource that fails, or gives a token that cannot be sent, fails the
// call with nothing sent (or nothing more, when a retry needed the token), with an error that matches
// ErrTokenSource and the source's own error and quotes no token.
func TestTokenSource_Errors(t *testing.T) {
	t.Parallel()
	errIdP := errors.New("identity provider unreachable")
	expired := makeJWT(t, map[string]any{"sub": "u", "exp": time.Now().Add(-time.Minute).Unix()})
	cases := map[string]struct {
		tokens   []string // one a call; "" with err at that index fails
		errs     []error
		sent     int
		sentinel []error
		inMsg    string
	}{
		"fails at once":                {tokens: []string{""}, errs: []error{errIdP}, sent: 0, sentinel: []error{secrets.ErrTokenSource}, inMsg: "token source: identity provider unreachable"},
		"fails before the retry":       {tokens: []string{"t1", ""}, errs: []error{nil, errIdP}, sent: 1, sentinel: []error{secrets.ErrTokenSource}, inMsg: "identity provider unreachable"},
		"empty token":                  {tokens: []string{""}, errs: []error{nil}, sent: 0, sentinel: []error{secrets.ErrTokenSource}, inMsg: "empty token"},
		"token with a space":           {tokens: []string{"abc def-secret"}, errs: []error{nil}, sent: 0, sentinel: []error{secrets.ErrTokenSource}, inMsg: "spaces or control characters"},
		"token with a newline":         {tokens: []string{"abc\r\nX-Injected: 1"}, errs: []error{nil}, sent: 0, sentinel: []error{secrets.ErrTokenSource}, inMsg: "control characters"},
		"token with a no-break space":  {tokens: []string{"abc\u00a0def-secret"}, errs: []error{nil}, sent: 0, sentinel: []error{secrets.ErrTokenSource}, inMsg: "outside ASCII"},
		"token not UTF-8":              {tokens: []string{"abc\xffdef-secret"}, errs: []error{nil}, sent: 0, sentinel: []error{secrets.ErrTokenSource}, inMsg: "outside ASCII"},
		"expired JWT":                  {tokens: []string{expired}, errs: []error{nil}, sent: 0, sentinel: []error{secrets.ErrTokenExpired, secrets.ErrUnauthorized}, inMsg: "the token from WithTokenSource expired"},
		"expired JWT before the retry": {tokens: []string{"t1", expired}, errs: []error{nil, nil}, sent: 1, sentinel: []error{secrets.ErrTokenExpired, secrets.ErrUnauthorized}, inMsg: "expired"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			src := secrets.TokenSourceFunc(func(context.Context) (string, error) {
				i := int(calls.Add(1)) - 1
				if i >= len(tc.tokens) {
					i = len(tc.tokens) - 1
				}
				return tc.tokens[i], tc.errs[i]
			})
			c, f := setup(t, secrets.WithTokenSource(src))
			f.on(http.MethodGet, "/v1/secrets/"+secretID, httpmock.NewStringResponder(http.StatusServiceUnavailable, ""))
			_, err := c.Secrets.Get(t.Context(), secretID)
			require.Error(t, err)
			assertSentinels(t, err, tc.sentinel...)
			if tc.errs[len(tc.errs)-1] != nil {
				assert.ErrorIs(t, err, errIdP)
			}
			assert.Contains(t, err.Error(), tc.inMsg)
			for _, token := range tc.tokens {
				if len(token) > 3 {
					assert.NotContains(t, err.Error(), token)
				}
			}
			assert.Len(t, f.requests(), tc.sent)
		})
	}
}

// TestTokenSource_ContextAndMasking: the source gets the call's context, and its error text is
// masked when it quotes the token it gave before.
func TestTokenSource_ContextAndMasking(t *testing.T) {
	t.Parallel()
	type key struct{}
	var calls atomic.Int32
	src := secrets.TokenSourceFunc(func(ctx context.Context) (string, error) {
		if ctx.Value(key{}) != "call-ctx" {
			return "", errors.New("not the call's context")
		}
		if calls.Add(1) == 1 {
			return "first-token-abc", nil
		}
		return "", errors.New("cannot renew first-token-abc")
	})
	c, f := setup(t, secrets.WithTokenSource(src))
	f.on(http.MethodGet, "/v1/secrets/"+secretID, fixture(t, 200, "secret.json"))
	ctx := context.WithValue(t.Context(), key{}, "call-ctx")
	_, err := c.Secrets.Get(ctx, secretID)
	require.NoError(t, err)
	_, err = c.Secrets.Get(ctx, secretID)
	require.ErrorIs(t, err, secrets.ErrTokenSource)
	assert.NotContains(t, err.Error(), "first-token-abc")
	assert.Contains(t, err.Error(), "cannot renew")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = c.Secrets.Get(cancelled, secretID)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Len(t, f.requests(), 1)
}

// TestTokenOptions_LastOneWins: WithAPIKey, WithTokenSource and WithEnv (when the environment holds a
// token) replace one another in order; WithEnv without a token leaves the earlier one alone.
func TestTokenOptions_LastOneWins(t *testing.T) {
	t.Parallel()
	src := secrets.TokenSourceFunc(func(context.Context) (string, error) { return "from-source", nil })
	withToken := secrets.WithEnvFunc(func(k string) string {
		if k == secrets.EnvManagementToken {
			return "from-env"
		}
		return ""
	})
	noToken := secrets.WithEnvFunc(func(string) string { return "" })
	cases := map[string]struct {
		opts   []secrets.Option
		sent   string
		source string
	}{
		"env, then source":        {[]secrets.Option{withToken, secrets.WithTokenSource(src)}, "from-source", "WithTokenSource"},
		"source, then env":        {[]secrets.Option{secrets.WithTokenSource(src), withToken}, "from-env", secrets.EnvManagementToken},
		"source, then empty env":  {[]secrets.Option{secrets.WithTokenSource(src), noToken}, "from-source", "WithTokenSource"},
		"source, then key":        {[]secrets.Option{secrets.WithTokenSource(src), secrets.WithAPIKey("from-key")}, "from-key", "WithAPIKey"},
		"key, then source":        {[]secrets.Option{secrets.WithAPIKey("from-key"), secrets.WithTokenSource(src)}, "from-source", "WithTokenSource"},
		"env, then key":           {[]secrets.Option{withToken, secrets.WithAPIKey("from-key")}, "from-key", "WithAPIKey"},
		"key, then env with none": {[]secrets.Option{secrets.WithAPIKey("from-key"), noToken}, "from-key", "WithAPIKey"},
	}
	_, err := secrets.NewClient(secrets.WithTokenSource(nil))
	assert.ErrorIs(t, err, secrets.ErrInvalidArgument)

	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, f := setup(t, tc.opts...)
			f.on(http.MethodGet, "/v1/secrets/"+secretID, fixture(t, 200, "secret.json"))
			_, err := c.Secrets.Get(t.Context(), secretID)
			require.NoError(t, err)
			assert.Equal(t, []string{tc.sent}, authorizations(f))
			assert.Equal(t, tc.source, c.Info().TokenSource)
		})
	}
}

// TestTokenRotation_Concurrent: requests from many goroutines while the environment and a source
// rotate: each attempt carries one whole token of the set (run with -race).
func TestTokenRotation_Concurrent(t *testing.T) {
	t.Parallel()
	tokens := []string{"rot-a", "rot-b", "rot-c", "rot-d"}
	var tick atomic.Int32
	env := newLiveEnv(map[string]string{secrets.EnvManagementToken: tokens[0]})
	envClient, envAPI := setup(t, secrets.WithEnvFunc(env.get))
	envAPI.on(http.MethodGet, getPath, fixture(t, 200, "secret.json"))
	srcClient, srcAPI := setup(t, secrets.WithTokenSource(secrets.TokenSourceFunc(func(context.Context) (string, error) {
		return tokens[int(tick.Load())%len(tokens)], nil
	})))
	srcAPI.on(http.MethodGet, "/v1/secrets/"+secretID, fixture(t, 200, "secret.json"))

	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			tick.Store(int32(i))
			env.set(secrets.EnvManagementToken, tokens[i%len(tokens)])
			time.Sleep(50 * time.Microsecond)
		}
	}()
	var callers sync.WaitGroup
	for range 8 {
		callers.Add(1)
		go func() {
			defer callers.Done()
			for range 25 {
				_, err := envClient.Secrets.Get(t.Context(), secretID)
				assert.NoError(t, err)
				_, err = srcClient.Secrets.Get(t.Context(), secretID)
				assert.NoError(t, err)
				_ = envClient.Info()
			}
		}()
	}
	callers.Wait()
	close(stop)
	wg.Wait()
	for _, sent := range append(authorizations(envAPI), authorizations(srcAPI)...) {
		assert.Contains(t, tokens, sent)
	}
	assert.Len(t, envAPI.requests(), 200)
	assert.Len(t, srcAPI.requests(), 200)
}

// TestTokenRotation_NotebookAgainstTheEmulator: a notebook's Client, its token the JWT in the password
// of SINGLESTOREDB_URL, acts as whoever the platform's latest JWT names, and a Cache on it reads with
// that identity's rights.
func TestTokenRotation_NotebookAgainstTheEmulator(t *testing.T) {
	t.Parallel()
	srv := newITEnv(t, secretstest.Profile{}).srv
	alice, bob := srv.AddUser("alice@example.com"), srv.AddUser("bob@example.com")
	srv.AddSecret("ALICE_ONLY", "alice-value", alice.ID)
	srv.AddSecret("BOB_ONLY", "bob-value", bob.ID)
	env := newLiveEnv(map[string]string{
		secrets.EnvURL:               "admin:" + alice.Token + "@svc-1.example.com:3306/db",
		secrets.EnvManagementBaseURL: srv.URL,
	})
	c, err := secrets.NewClient(secrets.WithEnvFunc(env.get))
	require.NoError(t, err)
	cache, err := secrets.NewCache(c)
	require.NoError(t, err)
	ctx := t.Context()

	me, err := c.Organizations.CurrentUser(ctx)
	require.NoError(t, err)
	assert.Equal(t, alice.Email, me.Email)
	v, err := cache.Get(ctx, "ALICE_ONLY")
	require.NoError(t, err)
	assert.Equal(t, "alice-value", v)

	env.set(secrets.EnvURL, "admin:"+bob.Token+"@svc-1.example.com:3306/db")
	me, err = c.Organizations.CurrentUser(ctx)
	require.NoError(t, err)
	assert.Equal(t, bob.Email, me.Email)
	v, err = cache.Get(ctx, "BOB_ONLY")
	require.NoError(t, err)
	assert.Equal(t, "bob-value", v)
	assert.True(t, c.Info().TokenIsJWT)
	assert.Equal(t, secrets.EnvURL+" (password)", c.Info().TokenSource)
}
