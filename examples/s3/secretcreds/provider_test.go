package secretcreds_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"

	"github.com/helios-secrets/go-secrets/examples/s3/secretcreds"
)

const (
	akid      = "AKIAIOSFODNN7EXAMPLE"
	secretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	token     = "FwoGZXIvYXdzEXAMPLETOKEN"
)

// fixture is an emulator holding the key pair, and a cache reading it with the API key.
type fixture struct {
	srv   *secretstest.Server
	admin *secrets.Client
	cache *secrets.Cache
}

func newFixture(t *testing.T, ttl time.Duration, seed map[string]string) *fixture {
	t.Helper()
	return newFixtureWith(t, seed, nil, secrets.WithTTL(ttl), secrets.WithTTLJitter(0)) // expiries at exactly the TTL
}

// newFixtureWith is newFixture on an emulator with the given options and a cache with opts.
func newFixtureWith(t *testing.T, seed map[string]string, srvOpts []secretstest.Option, opts ...secrets.CacheOption) *fixture {
	t.Helper()
	srv := secretstest.NewServer(srvOpts...)
	t.Cleanup(srv.Close)
	for name, value := range seed {
		srv.AddSecret(name, value, "")
	}
	admin, err := secrets.NewClient(secrets.WithAPIKey(srv.APIKey()), secrets.WithBaseURL(srv.URL), secrets.WithRetryMax(0))
	require.NoError(t, err)
	cache, err := secrets.NewCache(admin, opts...)
	require.NoError(t, err)
	srv.ResetRequests()
	return &fixture{srv: srv, admin: admin, cache: cache}
}

// provider is a Provider reading f's cache.
func (f *fixture) provider(t *testing.T, opts ...secretcreds.Option) *secretcreds.Provider {
	t.Helper()
	return newProvider(t, f.cache, opts...)
}

// retrieve returns what p retrieves, failing the test on an error.
func retrieve(t *testing.T, p aws.CredentialsProvider) aws.Credentials {
	t.Helper()
	creds, err := p.Retrieve(context.Background())
	require.NoError(t, err)
	return creds
}

func newProvider(t *testing.T, cache *secrets.Cache, opts ...secretcreds.Option) *secretcreds.Provider {
	t.Helper()
	p, err := secretcreds.New(cache, opts...)
	require.NoError(t, err)
	return p
}

// foreignProvider is a Provider reading f's emulator with another API key, through a cache of its own.
func (f *fixture) foreignProvider(t *testing.T, apiKey string) *secretcreds.Provider {
	t.Helper()
	client, err := secrets.NewClient(secrets.WithAPIKey(apiKey), secrets.WithBaseURL(f.srv.URL))
	require.NoError(t, err)
	cache, err := secrets.NewCache(client)
	require.NoError(t, err)
	return newProvider(t, cache)
}

func keyPair() map[string]string {
	return map[string]string{"AWS_ACCESS_KEY_ID": akid, "AWS_SECRET_KEY": secretKey}
}

// TestColdReadIsOneRequestForAllNames: the provider reads the names it is given, trimmed, with one
// request, and a warm read makes none.
func TestColdReadIsOneRequestForAllNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		seed    map[string]string
		opts    []secretcreds.Option
		session string // the session token read
	}{
		{"default names", keyPair(), nil, ""},
		{"values trimmed", map[string]string{"AWS_ACCESS_KEY_ID": akid + "\n", "AWS_SECRET_KEY": " " + secretKey + "\r\n"}, nil, ""},
		{"custom names", map[string]string{"PROD_AKID": akid, "PROD_SECRET": secretKey, "PROD_TOKEN": token}, []secretcreds.Option{
			secretcreds.WithAccessKeyIDSecret("PROD_AKID"),
			secretcreds.WithSecretAccessKeySecret("PROD_SECRET"),
			secretcreds.WithSessionTokenSecret("PROD_TOKEN")}, token},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, time.Minute, tc.seed)
			p := f.provider(t, tc.opts...)

			creds := retrieve(t, p)
			assert.Equal(t, aws.Credentials{AccessKeyID: akid, SecretAccessKey: secretKey, SessionToken: tc.session,
				Source: secretcreds.ProviderName, CanExpire: true, Expires: creds.Expires}, creds)
			reqs := f.srv.Requests()
			require.Len(t, reqs, 1, "one request reads every name")
			assert.Equal(t, http.MethodGet, reqs[0].Method)
			assert.Equal(t, "/v1/secrets", reqs[0].Path)

			// Warm: no request at all.
			assert.Equal(t, creds, retrieve(t, p))
			assert.Equal(t, 1, f.srv.RequestCount())
		})
	}
}

func TestSessionTokenIsOptional(t *testing.T) {
	t.Parallel()
	seed := keyPair()
	seed["AWS_SESSION_TOKEN"] = token
	f := newFixture(t, time.Minute, seed)

	without := f.provider(t)
	creds := retrieve(t, without)
	assert.Empty(t, creds.SessionToken, "no session token unless a secret is named for it")

	f.srv.ResetRequests()
	with := f.provider(t, secretcreds.WithSessionTokenSecret("AWS_SESSION_TOKEN"))
	creds = retrieve(t, with)
	assert.Equal(t, token, creds.SessionToken)
	assert.Equal(t, akid, creds.AccessKeyID)
	assert.Equal(t, 1, f.srv.RequestCount(), "the two cached names cost nothing, the token one request")
}

func TestExpiresFollowsTheCache(t *testing.T) {
	t.Parallel()
	const ttl = time.Minute
	f := newFixture(t, ttl, keyPair())
	ctx := context.Background()

	// The secret key enters the cache first; the access key ID later: the pair expires with the
	// earlier entry.
	_, err := f.cache.Get(ctx, "AWS_SECRET_KEY")
	require.NoError(t, err)
	first, err := f.cache.Lookup(ctx, "AWS_SECRET_KEY")
	require.NoError(t, err)
	for start := time.Now(); !time.Now().After(start); {
		time.Sleep(time.Millisecond) // let the clock move, so that the two entries differ
	}

	p := f.provider(t)
	creds := retrieve(t, p)
	second, err := f.cache.Lookup(ctx, "AWS_ACCESS_KEY_ID")
	require.NoError(t, err)
	require.True(t, second.ExpiresAt.After(first.ExpiresAt))

	assert.True(t, creds.CanExpire)
	assert.True(t, creds.Expires.Equal(first.ExpiresAt), "expires %s, want the earlier entry's %s", creds.Expires, first.ExpiresAt)
	assert.Equal(t, ttl, first.ExpiresAt.Sub(first.FetchedAt))
	assert.False(t, creds.Expired())
	assert.Equal(t, 2, f.srv.RequestCount(), "the Get, then one request for the missing name")
}

// TestAWSCredentialsCacheAsksAgainAfterTTL is the rotation story at the provider's level: the AWS SDK's
// credential cache keeps the pair until the go-secrets cache entries expire, then reads the rotated
// one, with one request.
func TestAWSCredentialsCacheAsksAgainAfterTTL(t *testing.T) {
	t.Parallel()
	const ttl = 50 * time.Millisecond
	f := newFixture(t, ttl, keyPair())
	awsCache := aws.NewCredentialsCache(f.provider(t))

	creds := retrieve(t, awsCache)
	require.Equal(t, akid, creds.AccessKeyID)
	oldExpires := creds.Expires

	rotatedAt := time.Now()
	rotate(t, f, "AKIANEWKEYEXAMPLE000", "newSecretKeyEXAMPLE/0123456789abcdefghij")
	f.srv.ResetRequests()

	// Before the entries expire the AWS cache serves the old pair without asking; after, the new one.
	deadline := time.Now().Add(5 * time.Second)
	for {
		creds = retrieve(t, awsCache)
		if creds.AccessKeyID != akid {
			break
		}
		require.True(t, time.Now().Before(deadline), "the rotated key was never picked up")
		time.Sleep(2 * time.Millisecond)
	}
	assert.False(t, time.Now().Before(oldExpires), "the old pair was replaced only once it expired")
	assert.Equal(t, "AKIANEWKEYEXAMPLE000", creds.AccessKeyID)
	assert.Equal(t, "newSecretKeyEXAMPLE/0123456789abcdefghij", creds.SecretAccessKey)
	assert.Equal(t, 1, f.srv.RequestCount(), "the refresh reads both names with one request")
	assert.True(t, creds.Expires.After(rotatedAt))
}

// TestStaleValueDuringAnOutage: with secrets.WithStaleIfError, a refresh that fails for a transient
// reason keeps the pair in use, and its new expiry is the cache's next retry, a few seconds on.
func TestStaleValueDuringAnOutage(t *testing.T) {
	t.Parallel()
	const ttl = 20 * time.Millisecond
	f := newFixtureWith(t, keyPair(), nil, secrets.WithTTL(ttl), secrets.WithStaleIfError(time.Minute), secrets.WithCacheLogger(nil))
	p := f.provider(t)

	creds := retrieve(t, p)
	for !time.Now().After(creds.Expires) {
		time.Sleep(2 * time.Millisecond)
	}
	f.srv.FailNext(1, http.StatusServiceUnavailable, 0)
	stale := retrieve(t, p)
	assert.Equal(t, akid, stale.AccessKeyID)
	assert.Equal(t, secretKey, stale.SecretAccessKey)
	assert.True(t, stale.Expires.After(time.Now().Add(time.Second)), "the next try is seconds away, not at once")
	assert.True(t, stale.Expires.Before(time.Now().Add(10*time.Second)))
}

func TestConcurrentColdRetrievesThroughTheAWSCacheShareOneRequest(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Minute, keyPair())
	p := f.provider(t)
	awsCache := aws.NewCredentialsCache(p)

	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			creds, err := awsCache.Retrieve(context.Background())
			assert.NoError(t, err)
			assert.Equal(t, akid, creds.AccessKeyID)
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, f.srv.RequestCount())
}

func TestErrorsNameTheSecretNeverTheValue(t *testing.T) {
	t.Parallel()
	onlyID := map[string]string{"AWS_ACCESS_KEY_ID": akid}
	for _, tc := range []struct {
		name     string
		seed     map[string]string
		provider func(*testing.T, *fixture) aws.CredentialsProvider // nil: f.provider(t)
		is       error
		secret   string   // the *SecretError's Secret, when one is checked
		want     []string // in the message
		not      []string // never in the message; nor is any value, in every row
		requests int      // to the service, when checked
		then     func(t *testing.T, err error, p aws.CredentialsProvider)
	}{
		{name: "not found", seed: onlyID, is: secrets.ErrNotFound, secret: "AWS_SECRET_KEY",
			want: []string{"secret AWS_SECRET_KEY not found"}, not: []string{"AWS_ACCESS_KEY_ID"}, requests: 1}, // only the missing secret is blamed
		{name: "both not found", is: secrets.ErrNotFound,
			want: []string{"secret AWS_ACCESS_KEY_ID not found", "secret AWS_SECRET_KEY not found"}},
		{name: "withheld", seed: keyPair(), is: secrets.ErrValueWithheld,
			provider: func(t *testing.T, f *fixture) aws.CredentialsProvider {
				return f.foreignProvider(t, f.srv.AddUser("ada@example.com").Token) // a member with no role on the secrets
			},
			want: []string{"you may see secret AWS_ACCESS_KEY_ID but not read it; ask an Owner to grant you Reader",
				"you may see secret AWS_SECRET_KEY but not read it"}},
		{name: "empty", seed: map[string]string{"AWS_ACCESS_KEY_ID": akid, "AWS_SECRET_KEY": " \n"}, is: secretcreds.ErrEmptyValue,
			then: func(t *testing.T, err error, _ aws.CredentialsProvider) {
				assert.EqualError(t, err, "secretcreds: secret AWS_SECRET_KEY is empty: it should hold the AWS secret access key")
			}},
		{name: "server failure reported once", seed: keyPair(),
			provider: func(t *testing.T, f *fixture) aws.CredentialsProvider {
				f.srv.FailNext(1, http.StatusInternalServerError, 0)
				return f.provider(t)
			},
			want: []string{"secretcreds: reading secret AWS_ACCESS_KEY_ID (the AWS access key ID): secrets: GET /v1/secrets: 500"},
			not:  []string{"AWS_SECRET_KEY", "\n"}, // one failed request, one message
			then: func(t *testing.T, err error, p aws.CredentialsProvider) {
				var apiErr *secrets.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, http.StatusInternalServerError, apiErr.StatusCode)
				// The failure is not remembered: the next call reads the pair.
				assert.Equal(t, akid, retrieve(t, p).AccessKeyID)
			}},
		{name: "bad token", seed: keyPair(), is: secrets.ErrUnauthorized,
			provider: func(t *testing.T, f *fixture) aws.CredentialsProvider { return f.foreignProvider(t, "not-a-key") },
			want:     []string{"reading secret AWS_ACCESS_KEY_ID: the Management API token was refused"}, not: []string{"not-a-key"}},
		{name: "through the AWS credential cache", seed: onlyID, is: secrets.ErrNotFound, secret: "AWS_SECRET_KEY",
			provider: func(t *testing.T, f *fixture) aws.CredentialsProvider { return aws.NewCredentialsCache(f.provider(t)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, time.Minute, tc.seed)
			var p aws.CredentialsProvider = f.provider(t)
			if tc.provider != nil {
				p = tc.provider(t, f)
			}
			_, err := p.Retrieve(context.Background())
			require.Error(t, err)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
			if tc.secret != "" {
				var se *secretcreds.SecretError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, tc.secret, se.Secret)
			}
			for _, want := range tc.want {
				assert.Contains(t, err.Error(), want)
			}
			for _, not := range append(tc.not, akid, secretKey) {
				assert.NotContains(t, err.Error(), not)
			}
			if tc.requests > 0 {
				assert.Equal(t, tc.requests, f.srv.RequestCount())
			}
			if tc.then != nil {
				tc.then(t, err, p)
			}
		})
	}
}

func TestNewRejectsBadNames(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Minute, nil)
	_, err := secretcreds.New(nil)
	assert.Error(t, err)

	_, err = secretcreds.New(f.cache, secretcreds.WithAccessKeyIDSecret(""))
	assert.EqualError(t, err, "secretcreds: no secret name for the AWS access key ID")

	// A value pasted where a name belongs is not echoed.
	_, err = secretcreds.New(f.cache, secretcreds.WithSecretAccessKeySecret(secretKey))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), secretKey)
	assert.NotContains(t, err.Error(), "wJalr")
	assert.Contains(t, err.Error(), "the name given for the AWS secret access key is not a secret name")

	_, err = secretcreds.New(f.cache, secretcreds.WithSessionTokenSecret("AWS_SECRET_KEY"))
	assert.EqualError(t, err, "secretcreds: secret AWS_SECRET_KEY is named for both the AWS secret access key and the AWS session token")
	assert.Equal(t, 0, f.srv.RequestCount())
}

func TestPrintsNoValue(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Minute, keyPair())
	p := f.provider(t, secretcreds.WithSessionTokenSecret("AWS_SESSION_TOKEN"))
	f.srv.AddSecret("AWS_SESSION_TOKEN", token, "")
	_, err := p.Retrieve(context.Background()) // the cache now holds the values
	require.NoError(t, err)

	var out bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		fmt.Fprintf(&out, verb+"\n", p)
		fmt.Fprintf(&out, verb+"\n", *p)
		fmt.Fprintf(&out, verb+"\n", struct{ P *secretcreds.Provider }{p})
	}
	slog.New(slog.NewJSONHandler(&out, nil)).Info("provider", "p", p)
	slog.New(slog.NewTextHandler(&out, nil)).Info("provider", "p", p)
	text := out.String()
	for _, value := range []string{akid, secretKey, token} {
		assert.NotContains(t, text, value)
	}
	assert.Contains(t, text, "secretcreds.Provider{AccessKeyID: secret AWS_ACCESS_KEY_ID, SecretAccessKey: secret AWS_SECRET_KEY, SessionToken: secret AWS_SESSION_TOKEN}")
	assert.Contains(t, text, `"secretAccessKeySecret":"AWS_SECRET_KEY"`)
}

// rotate updates both secrets through the SDK, as an Owner rotating the key would.
func rotate(t *testing.T, f *fixture, newID, newSecret string) {
	t.Helper()
	ctx := context.Background()
	for name, value := range map[string]string{"AWS_ACCESS_KEY_ID": newID, "AWS_SECRET_KEY": newSecret} {
		s, err := f.admin.Secrets.GetByName(ctx, name)
		require.NoError(t, err)
		_, err = f.admin.Secrets.Update(ctx, s.ID, value)
		require.NoError(t, err)
	}
}

// TestColdReadUnderEveryListBehaviour: whether the service's unfiltered lists carry values is not
// documented. Under each reading the provider returns the pair: one request where lists carry values,
// the list and a ?name= read per name where they do not; and with the default TTL jitter the pair's
// entries expire together (one draw), the earlier expiry being the credentials' Expires.
func TestColdReadUnderEveryListBehaviour(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		profile  secretstest.Profile
		requests int
	}{
		"lists carry values":         {secretstest.Profile{}, 1},
		"bare lists carry values":    {secretstest.Profile{BareLists: true}, 1},
		"values only by name":        {secretstest.Profile{ValuesOnlyByName: true}, 3},
		"the published spec (all 3)": {secretstest.Profile{BareLists: true, ValuesOnlyByName: true, RegexLookups: true}, 3},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixtureWith(t, keyPair(), []secretstest.Option{secretstest.WithProfile(tc.profile)},
				secrets.WithTTL(time.Minute)) // default jitter
			p, srv, cache := f.provider(t), f.srv, f.cache

			creds := retrieve(t, p)
			assert.Equal(t, akid, creds.AccessKeyID)
			assert.Equal(t, secretKey, creds.SecretAccessKey)
			assert.Equal(t, tc.requests, srv.RequestCount())

			id, err := cache.Lookup(context.Background(), "AWS_ACCESS_KEY_ID")
			require.NoError(t, err)
			key, err := cache.Lookup(context.Background(), "AWS_SECRET_KEY")
			require.NoError(t, err)
			// One jitter draw and one settling instant for the read (independent draws would differ by
			// up to 6 s here).
			assert.Equal(t, id.ExpiresAt, key.ExpiresAt, "read together, the pair expires at the same instant")
			first := id.ExpiresAt
			if key.ExpiresAt.Before(first) {
				first = key.ExpiresAt
			}
			assert.Equal(t, first, creds.Expires, "the earlier entry's expiry")

			retrieve(t, p)
			assert.Equal(t, tc.requests, srv.RequestCount(), "warm: no request")
		})
	}
}

// TestMain fails the run when a test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
