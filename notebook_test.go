package secrets_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// These tests use t.Setenv, so none of them is parallel.

func TestGetSecretAmbientCredentials(t *testing.T) {
	stub := newAPIStub(t)
	stub.set("OPENAI_API_KEY", "sk-value")
	validJWT := makeJWT(t, map[string]any{"sub": "user-1", "exp": time.Now().Add(time.Hour).Unix()})
	noExpJWT := makeJWT(t, map[string]any{"sub": "user-2"})

	tests := []struct {
		name      string
		env       map[string]string
		wantAuth  string
		wantPath  string
		wantQuery string
	}{
		{
			name:     "management token",
			env:      map[string]string{secrets.EnvManagementToken: "org-api-key"},
			wantAuth: "Bearer org-api-key",
		},
		{
			name:     "management token, surrounding spaces trimmed",
			env:      map[string]string{secrets.EnvManagementToken: "  org-api-key\n"},
			wantAuth: "Bearer org-api-key",
		},
		{
			name:     "JWT as the password of a connection URL without scheme",
			env:      map[string]string{secrets.EnvURL: "admin:" + validJWT + "@svc-1234.aws.singlestore.com:3306/db"},
			wantAuth: "Bearer " + validJWT,
		},
		{
			name:     "JWT without exp in a singlestoredb:// URL",
			env:      map[string]string{secrets.EnvURL: "singlestoredb://admin:" + noExpJWT + "@svc.example.com:3306/db?ssl=true"},
			wantAuth: "Bearer " + noExpJWT,
		},
		{
			name: "the token variable wins over the URL",
			env: map[string]string{secrets.EnvManagementToken: "org-api-key",
				secrets.EnvURL: "admin:" + validJWT + "@svc.example.com:3306"},
			wantAuth: "Bearer org-api-key",
		},
		{
			name:     "base URL with a path prefix",
			env:      map[string]string{secrets.EnvManagementToken: "k", secrets.EnvManagementBaseURL: "/gateway"},
			wantAuth: "Bearer k",
			wantPath: "/gateway/v1/secrets",
		},
		{
			name:     "version",
			env:      map[string]string{secrets.EnvManagementToken: "k", secrets.EnvManagementVersion: "v2"},
			wantAuth: "Bearer k",
			wantPath: "/v2/secrets",
		},
		{
			name:      "organization",
			env:       map[string]string{secrets.EnvManagementToken: "k", secrets.EnvOrganization: testOrgID},
			wantAuth:  "Bearer k",
			wantQuery: "name=OPENAI_API_KEY&organizationID=" + testOrgID,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range tt.env {
				env[k] = v
			}
			env[secrets.EnvManagementBaseURL] = stub.srv.URL + env[secrets.EnvManagementBaseURL] // the stub, plus any prefix
			setEnv(t, env)
			before := len(stub.recorded())

			got, err := secrets.GetSecret(context.Background(), "OPENAI_API_KEY")
			require.NoError(t, err)
			assert.Equal(t, "sk-value", got)

			reqs := stub.recorded()[before:]
			require.Len(t, reqs, 1, "one request per call")
			want := stubRequest{Method: http.MethodGet, Path: "/v1/secrets", RawQuery: "name=OPENAI_API_KEY", Authorization: tt.wantAuth}
			if tt.wantPath != "" {
				want.Path = tt.wantPath
			}
			if tt.wantQuery != "" {
				want.RawQuery = tt.wantQuery
			}
			assert.Equal(t, want, reqs[0])
		})
	}
}

func TestGetSecretFailsClearly(t *testing.T) {
	stub := newAPIStub(t)
	stub.set("READABLE", "the-value")
	stub.set("EMPTY", "")
	stub.withhold("WITHHELD")
	expiredJWT := makeJWT(t, map[string]any{"sub": "user-1", "exp": time.Now().Add(-time.Minute).Unix()})
	withStub := func(env map[string]string) map[string]string {
		env[secrets.EnvManagementBaseURL] = stub.srv.URL
		return env
	}

	tests := []struct {
		name         string
		env          map[string]string
		secret       string
		wantErr      []error
		wantInMsg    []string
		wantRequests int
	}{
		{
			name:      "no credentials",
			env:       withStub(map[string]string{}),
			secret:    "READABLE",
			wantErr:   []error{secrets.ErrNoCredentials},
			wantInMsg: []string{secrets.EnvManagementToken, secrets.EnvURL},
		},
		{
			name:      "a connection URL whose password is not a JWT",
			env:       withStub(map[string]string{secrets.EnvURL: "admin:db-password-123@svc.example.com:3306"}),
			secret:    "READABLE",
			wantErr:   []error{secrets.ErrNoCredentials},
			wantInMsg: []string{secrets.EnvManagementToken, secrets.EnvURL + " is set, but its password is not a JWT"},
		},
		{
			name:      "expired JWT in the URL",
			env:       withStub(map[string]string{secrets.EnvURL: "admin:" + expiredJWT + "@svc.example.com:3306"}),
			secret:    "READABLE",
			wantErr:   []error{secrets.ErrTokenExpired, secrets.ErrUnauthorized},
			wantInMsg: []string{secrets.EnvURL, "expired"},
		},
		{
			name:      "expired JWT in the token variable",
			env:       withStub(map[string]string{secrets.EnvManagementToken: expiredJWT}),
			secret:    "READABLE",
			wantErr:   []error{secrets.ErrTokenExpired, secrets.ErrUnauthorized},
			wantInMsg: []string{secrets.EnvManagementToken, "expired"},
		},
		{
			name:      "plain http to a remote host",
			env:       map[string]string{secrets.EnvManagementToken: "k", secrets.EnvManagementBaseURL: "http://api.example.com"},
			secret:    "READABLE",
			wantErr:   []error{secrets.ErrInvalidArgument},
			wantInMsg: []string{secrets.EnvManagementBaseURL},
		},
		{
			name:      "bad version",
			env:       withStub(map[string]string{secrets.EnvManagementToken: "k", secrets.EnvManagementVersion: "v1/../x y"}),
			secret:    "READABLE",
			wantErr:   []error{secrets.ErrInvalidArgument},
			wantInMsg: []string{secrets.EnvManagementVersion},
		},
		{
			name:    "invalid name",
			env:     withStub(map[string]string{secrets.EnvManagementToken: "k"}),
			secret:  "not-a-name",
			wantErr: []error{secrets.ErrInvalidName},
		},
		{
			name:         "not found",
			env:          withStub(map[string]string{secrets.EnvManagementToken: "k"}),
			secret:       "MISSING",
			wantErr:      []error{secrets.ErrNotFound},
			wantInMsg:    []string{`"MISSING"`},
			wantRequests: 1,
		},
		{
			name:         "value withheld",
			env:          withStub(map[string]string{secrets.EnvManagementToken: "k"}),
			secret:       "WITHHELD",
			wantErr:      []error{secrets.ErrValueWithheld},
			wantInMsg:    []string{`"WITHHELD"`},
			wantRequests: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setEnv(t, tt.env)
			before := stub.count()

			got, err := secrets.GetSecret(context.Background(), tt.secret)
			require.Error(t, err)
			assert.Empty(t, got)
			for _, want := range tt.wantErr {
				assert.ErrorIs(t, err, want)
			}
			for _, want := range tt.wantInMsg {
				assert.Contains(t, err.Error(), want)
			}
			for _, secret := range []string{expiredJWT, "db-password-123", "the-value"} {
				assert.NotContains(t, err.Error(), secret)
			}
			assert.Equal(t, tt.wantRequests, stub.count()-before)
		})
	}

	t.Run("an empty value is a value", func(t *testing.T) {
		setEnv(t, withStub(map[string]string{secrets.EnvManagementToken: "k"}))
		got, err := secrets.GetSecret(context.Background(), "EMPTY")
		require.NoError(t, err)
		assert.Equal(t, "", got)
	})
}

func TestGetSecretReadsTheEnvironmentOnEveryCall(t *testing.T) {
	stub := newAPIStub(t)
	stub.set("DB_PASSWORD", "hunter2")
	ctx := context.Background()

	tokens := []string{"token-one", "token-two", makeJWT(t, map[string]any{"sub": "user-3", "exp": time.Now().Add(time.Hour).Unix()})}
	for _, token := range tokens {
		setEnv(t, map[string]string{secrets.EnvManagementToken: token, secrets.EnvManagementBaseURL: stub.srv.URL})
		got, err := secrets.GetSecret(ctx, "DB_PASSWORD")
		require.NoError(t, err)
		assert.Equal(t, "hunter2", got)
	}
	reqs := stub.recorded()
	require.Len(t, reqs, len(tokens), "one request per call")
	for i, token := range tokens {
		assert.Equal(t, "Bearer "+token, reqs[i].Authorization)
	}

	// Unsetting the token takes effect at once too.
	setEnv(t, map[string]string{secrets.EnvManagementBaseURL: stub.srv.URL})
	_, err := secrets.GetSecret(ctx, "DB_PASSWORD")
	assert.ErrorIs(t, err, secrets.ErrNoCredentials)
	assert.Len(t, stub.recorded(), len(tokens))
}

func TestGetSecretHonoursTheContext(t *testing.T) {
	stub := newAPIStub(t)
	stub.set("DB_PASSWORD", "hunter2")
	setEnv(t, map[string]string{secrets.EnvManagementToken: "k", secrets.EnvManagementBaseURL: stub.srv.URL})
	t.Cleanup(stub.hold())

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	got, err := secrets.GetSecret(ctx, "DB_PASSWORD")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Empty(t, got)
}

func TestGetSecrets(t *testing.T) {
	stub := newAPIStub(t)
	stub.set("S3_ACCESS_KEY", "AKIAEXAMPLE")
	stub.set("S3_SECRET_KEY", "wJalrXUtnFEMI")
	stub.set("UNASKED", "not-for-you")
	stub.withhold("HIDDEN")
	setEnv(t, map[string]string{secrets.EnvManagementToken: "k", secrets.EnvManagementBaseURL: stub.srv.URL,
		secrets.EnvOrganization: testOrgID})
	ctx := context.Background()

	got, err := secrets.GetSecrets(ctx, "S3_ACCESS_KEY", "S3_SECRET_KEY")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"S3_ACCESS_KEY": "AKIAEXAMPLE", "S3_SECRET_KEY": "wJalrXUtnFEMI"}, got)
	require.Equal(t, 1, stub.count())
	assert.Equal(t, stubRequest{Method: http.MethodGet, Path: "/v1/secrets", RawQuery: "organizationID=" + testOrgID,
		Authorization: "Bearer k"}, stub.recorded()[0])

	got, err = secrets.GetSecrets(ctx, "S3_ACCESS_KEY", "HIDDEN", "MISSING")
	assert.Equal(t, map[string]string{"S3_ACCESS_KEY": "AKIAEXAMPLE"}, got)
	var bulk *secrets.BulkError
	require.ErrorAs(t, err, &bulk)
	assert.ErrorIs(t, err, secrets.ErrValueWithheld)
	assert.ErrorIs(t, err, secrets.ErrNotFound)
	assert.Equal(t, `secrets: could not read 2 secrets: "HIDDEN": value withheld; "MISSING": not found`, err.Error())
	require.Equal(t, 3, stub.count(), "the list, then HIDDEN by name: a list may leave values out")
	assert.Equal(t, "name=HIDDEN&organizationID="+testOrgID, stub.recorded()[2].RawQuery)

	got, err = secrets.GetSecrets(ctx, "S3_ACCESS_KEY", "bad name")
	assert.ErrorIs(t, err, secrets.ErrInvalidName)
	assert.Nil(t, got)
	assert.Equal(t, 3, stub.count())

	setEnv(t, map[string]string{secrets.EnvManagementBaseURL: stub.srv.URL})
	got, err = secrets.GetSecrets(ctx, "S3_ACCESS_KEY")
	assert.ErrorIs(t, err, secrets.ErrNoCredentials)
	assert.Nil(t, got)
	assert.Equal(t, 3, stub.count())
	assert.False(t, strings.Contains(err.Error(), "WithAPIKey"), "the helpers take no options")
}
