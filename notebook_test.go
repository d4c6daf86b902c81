package secrets_test

import (
	"cmp"
	"context"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
)

// These tests use t.Setenv, so none of them is parallel.

// TestGetSecret: the environment → what GetSecret reads, the one request it sends (token, path, query),
// or its error: the sentinels, what the message names, no credential or value quoted, and no request
// when it fails before one.
func TestGetSecret(t *testing.T) {
	srv := newRawServer(t, (&bulkStandIn{entries: []bulkEntry{
		{"id-o", "OPENAI_API_KEY", strp("sk-value")}, {"id-e", "EMPTY", strp("")}, {"id-w", "WITHHELD", nil}}}).handle)
	validJWT := makeJWT(t, map[string]any{"sub": "user-1", "exp": time.Now().Add(time.Hour).Unix()})
	noExpJWT := makeJWT(t, map[string]any{"sub": "user-2"})
	expiredJWT := makeJWT(t, map[string]any{"sub": "user-1", "exp": time.Now().Add(-time.Minute).Unix()})
	const tok, conn = secrets.EnvManagementToken, secrets.EnvURL
	expired := []error{secrets.ErrTokenExpired, secrets.ErrUnauthorized}

	tests := []struct {
		name   string
		env    map[string]string // the server's URL is put before any EnvManagementBaseURL given
		secret string            // "" for OPENAI_API_KEY
		// success: the value and the request (Authorization, then path and query if not the defaults)
		value             string
		auth, path, query string
		wantErr           []error
		wantInMsg         []string
		noServer          bool // the base URL is the row's own
		wantRequests      int  // of a failure
	}{
		{name: "management token", env: map[string]string{tok: "org-api-key"}, value: "sk-value", auth: "org-api-key"},
		{name: "management token, surrounding spaces trimmed", env: map[string]string{tok: "  org-api-key\n"}, value: "sk-value", auth: "org-api-key"},
		{name: "JWT as the password of a connection URL without scheme",
			env: map[string]string{conn: "admin:" + validJWT + "@svc-1234.aws.singlestore.com:3306/db"}, value: "sk-value", auth: validJWT},
		{name: "JWT without exp in a singlestoredb:// URL",
			env: map[string]string{conn: "singlestoredb://admin:" + noExpJWT + "@svc.example.com:3306/db?ssl=true"}, value: "sk-value", auth: noExpJWT},
		{name: "the token variable wins over the URL",
			env: map[string]string{tok: "org-api-key", conn: "admin:" + validJWT + "@svc.example.com:3306"}, value: "sk-value", auth: "org-api-key"},
		{name: "base URL with a path prefix", env: map[string]string{tok: "k", secrets.EnvManagementBaseURL: "/gateway"},
			value: "sk-value", auth: "k", path: "/gateway/v1/secrets"},
		{name: "version", env: map[string]string{tok: "k", secrets.EnvManagementVersion: "v2"}, value: "sk-value", auth: "k", path: "/v2/secrets"},
		{name: "organization", env: map[string]string{tok: "k", secrets.EnvOrganization: testOrgID},
			value: "sk-value", auth: "k", query: "name=OPENAI_API_KEY&organizationID=" + testOrgID},
		{name: "an empty value is a value", env: map[string]string{tok: "k"}, secret: "EMPTY", auth: "k", query: "name=EMPTY"},

		{name: "no credentials", env: map[string]string{},
			wantErr: []error{secrets.ErrNoCredentials}, wantInMsg: []string{tok, conn}},
		{name: "a connection URL whose password is not a JWT", env: map[string]string{conn: "admin:db-password-123@svc.example.com:3306"},
			wantErr: []error{secrets.ErrNoCredentials}, wantInMsg: []string{tok, conn + " is set, but its password is not a JWT"}},
		{name: "expired JWT in the URL", env: map[string]string{conn: "admin:" + expiredJWT + "@svc.example.com:3306"},
			wantErr: expired, wantInMsg: []string{conn, "expired"}},
		{name: "expired JWT in the token variable", env: map[string]string{tok: expiredJWT},
			wantErr: expired, wantInMsg: []string{tok, "expired"}},
		{name: "plain http to a remote host", env: map[string]string{tok: "k", secrets.EnvManagementBaseURL: "http://api.example.com"}, noServer: true,
			wantErr: []error{secrets.ErrInvalidArgument}, wantInMsg: []string{secrets.EnvManagementBaseURL}},
		{name: "bad version", env: map[string]string{tok: "k", secrets.EnvManagementVersion: "v1/../x y"},
			wantErr: []error{secrets.ErrInvalidArgument}, wantInMsg: []string{secrets.EnvManagementVersion}},
		{name: "invalid name", env: map[string]string{tok: "k"}, secret: "not-a-name", wantErr: []error{secrets.ErrInvalidName}},
		{name: "not found", env: map[string]string{tok: "k"}, secret: "MISSING",
			wantErr: []error{secrets.ErrNotFound}, wantInMsg: []string{`"MISSING"`}, wantRequests: 1},
		{name: "value withheld", env: map[string]string{tok: "k"}, secret: "WITHHELD",
			wantErr: []error{secrets.ErrValueWithheld}, wantInMsg: []string{`"WITHHELD"`}, wantRequests: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := maps.Clone(tt.env)
			if !tt.noServer {
				env[secrets.EnvManagementBaseURL] = srv.URL + env[secrets.EnvManagementBaseURL] // the server, plus any prefix
			}
			setEnv(t, env)
			name := cmp.Or(tt.secret, "OPENAI_API_KEY")
			before := srv.requests()

			got, err := secrets.GetSecret(context.Background(), name)
			reqs := srv.recorded()[before:]
			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, tt.value, got)
				require.Len(t, reqs, 1, "one request per call")
				assert.Equal(t, []string{http.MethodGet, cmp.Or(tt.path, "/v1/secrets"), cmp.Or(tt.query, "name=OPENAI_API_KEY"), "Bearer " + tt.auth},
					[]string{reqs[0].Method, reqs[0].Path, reqs[0].Query, reqs[0].Auth})
				return
			}
			require.Error(t, err)
			assert.Empty(t, got)
			for _, want := range tt.wantErr {
				assert.ErrorIs(t, err, want)
			}
			for _, want := range tt.wantInMsg {
				assert.Contains(t, err.Error(), want)
			}
			for _, secret := range []string{expiredJWT, "db-password-123", "sk-value"} {
				assert.NotContains(t, err.Error(), secret)
			}
			assert.Len(t, reqs, tt.wantRequests)
		})
	}
}

func TestGetSecretReadsTheEnvironmentOnEveryCall(t *testing.T) {
	srv := newRawServer(t, (&bulkStandIn{entries: []bulkEntry{{"id-d", "DB_PASSWORD", strp("hunter2")}}}).handle)
	ctx := context.Background()

	tokens := []string{"token-one", "token-two", makeJWT(t, map[string]any{"sub": "user-3", "exp": time.Now().Add(time.Hour).Unix()})}
	for _, token := range tokens {
		setEnv(t, map[string]string{secrets.EnvManagementToken: token, secrets.EnvManagementBaseURL: srv.URL})
		got, err := secrets.GetSecret(ctx, "DB_PASSWORD")
		require.NoError(t, err)
		assert.Equal(t, "hunter2", got)
	}
	reqs := srv.recorded()
	require.Len(t, reqs, len(tokens), "one request per call")
	for i, token := range tokens {
		assert.Equal(t, "Bearer "+token, reqs[i].Auth)
	}

	// Unsetting the token takes effect at once too.
	setEnv(t, map[string]string{secrets.EnvManagementBaseURL: srv.URL})
	_, err := secrets.GetSecret(ctx, "DB_PASSWORD")
	assert.ErrorIs(t, err, secrets.ErrNoCredentials)
	assert.Len(t, srv.recorded(), len(tokens))
}

func TestGetSecretHonoursTheContext(t *testing.T) {
	srv := newRawServer(t, hang)
	setEnv(t, map[string]string{secrets.EnvManagementToken: "k", secrets.EnvManagementBaseURL: srv.URL})

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	got, err := secrets.GetSecret(ctx, "DB_PASSWORD")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Empty(t, got)
}

func TestGetSecrets(t *testing.T) {
	srv := newRawServer(t, (&bulkStandIn{entries: []bulkEntry{{"id-a", "S3_ACCESS_KEY", strp("AKIAEXAMPLE")},
		{"id-s", "S3_SECRET_KEY", strp("wJalrXUtnFEMI")}, {"id-u", "UNASKED", strp("not-for-you")}, {"id-h", "HIDDEN", nil}}}).handle)
	setEnv(t, map[string]string{secrets.EnvManagementToken: "k", secrets.EnvManagementBaseURL: srv.URL,
		secrets.EnvOrganization: testOrgID})
	ctx := context.Background()

	got, err := secrets.GetSecrets(ctx, "S3_ACCESS_KEY", "S3_SECRET_KEY")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"S3_ACCESS_KEY": "AKIAEXAMPLE", "S3_SECRET_KEY": "wJalrXUtnFEMI"}, got)
	require.Equal(t, 1, srv.requests())
	first := srv.recorded()[0]
	assert.Equal(t, []string{http.MethodGet, "/v1/secrets", "organizationID=" + testOrgID, "Bearer k"},
		[]string{first.Method, first.Path, first.Query, first.Auth})

	got, err = secrets.GetSecrets(ctx, "S3_ACCESS_KEY", "HIDDEN", "MISSING")
	assert.Equal(t, map[string]string{"S3_ACCESS_KEY": "AKIAEXAMPLE"}, got)
	var bulk *secrets.BulkError
	require.ErrorAs(t, err, &bulk)
	assert.ErrorIs(t, err, secrets.ErrValueWithheld)
	assert.ErrorIs(t, err, secrets.ErrNotFound)
	assert.Equal(t, `secrets: could not read 2 secrets: "HIDDEN": value withheld; "MISSING": not found`, err.Error())
	require.Equal(t, 3, srv.requests(), "the list, then HIDDEN by name: a list may leave values out")
	assert.Equal(t, "name=HIDDEN&organizationID="+testOrgID, srv.recorded()[2].Query)

	got, err = secrets.GetSecrets(ctx, "S3_ACCESS_KEY", "bad name")
	assert.ErrorIs(t, err, secrets.ErrInvalidName)
	assert.Nil(t, got)
	assert.Equal(t, 3, srv.requests())

	setEnv(t, map[string]string{secrets.EnvManagementBaseURL: srv.URL})
	got, err = secrets.GetSecrets(ctx, "S3_ACCESS_KEY")
	assert.ErrorIs(t, err, secrets.ErrNoCredentials)
	assert.Nil(t, got)
	assert.Equal(t, 3, srv.requests())
	assert.False(t, strings.Contains(err.Error(), "WithAPIKey"), "the helpers take no options")
}

// BenchmarkGetSecret reads one secret from the emulator: with the notebook-style helper, which reads
// the environment and builds a Client on every call, and with a Client built once, for comparison.
func BenchmarkGetSecret(b *testing.B) {
	srv := secretstest.NewServer()
	b.Cleanup(srv.Close)
	ctx := context.Background()
	client, err := secrets.NewClient(secrets.WithAPIKey(srv.APIKey()), secrets.WithBaseURL(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := client.Secrets.Create(ctx, "BENCH_SECRET", "bench-value"); err != nil {
		b.Fatal(err)
	}
	setEnv(b, map[string]string{secrets.EnvManagementToken: srv.APIKey(), secrets.EnvManagementBaseURL: srv.URL})

	b.Run("GetSecret", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			v, err := secrets.GetSecret(ctx, "BENCH_SECRET")
			if err != nil {
				b.Fatal(err)
			}
			benchSink = v
		}
	})
	b.Run("Client.GetByName", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			s, err := client.Secrets.GetByName(ctx, "BENCH_SECRET")
			if err != nil {
				b.Fatal(err)
			}
			benchSink = *s.Value
		}
	})
}
