package secretstest_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/internal/validate"
	"github.com/helios-secrets/go-secrets/secretstest"
)

var t0 = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

func TestSecretLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t, secretstest.WithClock(steppingClock(t0, time.Minute))) // reading 0: organization
	alice := e.srv.AddUser("alice@example.com")
	bob := e.srv.AddUser("bob@example.com")

	created := e.create(alice.Token, "DB_PASSWORD", "hunter2") // reading 1
	assert.Regexp(t, uuidPattern, created.SecretID)
	assert.Equal(t, "DB_PASSWORD", created.Name)
	assert.Equal(t, ptr("hunter2"), created.Value)
	assert.Equal(t, alice.ID, created.CreatedBy)
	assert.Equal(t, alice.ID, created.LastUpdatedBy)
	assert.Equal(t, "2024-01-02T03:05:05Z", created.CreatedAt)
	assert.Equal(t, "2024-01-02T03:05:05Z", created.LastUpdatedAt)

	got := decode[wireSecret](t, e.do(alice.Token, http.MethodGet, "/v1/secrets/"+created.SecretID, nil), http.StatusOK)
	assert.Equal(t, created, got)

	list := decode[wireList](t, e.do(alice.Token, http.MethodGet, "/v1/secrets", nil), http.StatusOK)
	assert.Equal(t, []wireSecret{created}, list.Secrets)

	e.share(alice.Token, created.SecretID, grant(users(secretstest.RoleOwner, bob.ID))) // reading 2
	updated := decode[wireSecret](t, e.do(bob.Token, http.MethodPatch, "/v1/secrets/"+created.SecretID,
		map[string]string{"value": "correct horse"}), http.StatusOK) // reading 3
	assert.Equal(t, ptr("correct horse"), updated.Value)
	assert.Equal(t, alice.ID, updated.CreatedBy)
	assert.Equal(t, created.CreatedAt, updated.CreatedAt)
	assert.Equal(t, bob.ID, updated.LastUpdatedBy)
	assert.Equal(t, "2024-01-02T03:07:05Z", updated.LastUpdatedAt)

	value, ok := e.srv.SecretValue("DB_PASSWORD")
	assert.True(t, ok)
	assert.Equal(t, "correct horse", value)

	deleted := decode[map[string]string](t, e.do(alice.Token, http.MethodDelete, "/v1/secrets/"+created.SecretID, nil), http.StatusOK)
	assert.Equal(t, map[string]string{"secretID": created.SecretID}, deleted)
	assert.Equal(t, http.StatusNotFound, e.do(alice.Token, http.MethodGet, "/v1/secrets/"+created.SecretID, nil).status)
	assert.Equal(t, http.StatusNotFound, e.do(alice.Token, http.MethodDelete, "/v1/secrets/"+created.SecretID, nil).status)
	assert.Empty(t, e.srv.Secrets())

	// The name is free again.
	again := e.create(bob.Token, "DB_PASSWORD", "new")
	assert.NotEqual(t, created.SecretID, again.SecretID)
}

func TestAPIKeyWritesAsItsIdentity(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	keyUser := e.srv.APIKeyUser()
	sec := e.create(e.key, "FROM_KEY", "v")
	assert.Equal(t, keyUser.ID, sec.CreatedBy)
	assert.Equal(t, keyUser.ID, sec.LastUpdatedBy)
	stored, ok := e.srv.Secret("FROM_KEY")
	require.True(t, ok)
	assert.Equal(t, []secretstest.Grant{{Role: secretstest.RoleOwner, UserID: keyUser.ID}}, stored.Grants,
		"like any creator, the API key's identity gets a direct Owner grant (besides its inherited one)")
}

func TestCreateDuplicateName(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.srv.AddUser("alice@example.com")
	e.create(alice.Token, "TAKEN", "one")
	for _, token := range []string{alice.Token, e.key} {
		r := e.do(token, http.MethodPost, "/v1/secrets", map[string]string{"name": "TAKEN", "value": "two"})
		assert.Equal(t, http.StatusConflict, r.status)
		assert.NotEmpty(t, decode[wireError](t, r, http.StatusConflict).Message)
	}
	value, _ := e.srv.SecretValue("TAKEN")
	assert.Equal(t, "one", value)
	// Names are case-sensitive: a different case is a different name.
	e.create(alice.Token, "taken", "three")
}

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	maxValue := strings.Repeat("x", validate.MaxValueBytes)
	tests := []struct {
		name   string
		body   any
		status int
	}{
		{"empty name", map[string]string{"name": "", "value": "v"}, http.StatusBadRequest},
		{"missing name", map[string]string{"value": "v"}, http.StatusBadRequest},
		{"space", map[string]string{"name": "A B", "value": "v"}, http.StatusBadRequest},
		{"dash", map[string]string{"name": "A-B", "value": "v"}, http.StatusBadRequest},
		{"dot", map[string]string{"name": "a.b", "value": "v"}, http.StatusBadRequest},
		{"slash", map[string]string{"name": "a/b", "value": "v"}, http.StatusBadRequest},
		{"non-ASCII letter", map[string]string{"name": "café", "value": "v"}, http.StatusBadRequest},
		{"newline", map[string]string{"name": "A\n", "value": "v"}, http.StatusBadRequest},
		{"missing value", map[string]string{"name": "NO_VALUE"}, http.StatusBadRequest},
		{"null value", `{"name":"NULL_VALUE","value":null}`, http.StatusBadRequest},
		{"number value", `{"name":"NUMBER","value":5}`, http.StatusBadRequest},
		{"malformed JSON", `{"name":"BROKEN",`, http.StatusBadRequest},
		{"not an object", `["NAME","value"]`, http.StatusBadRequest},
		{"empty body", ``, http.StatusBadRequest},
		{"trailing garbage", `{"name":"TRAILING","value":"v"} x`, http.StatusBadRequest},
		{"value one byte too large", map[string]string{"name": "TOO_LARGE", "value": maxValue + "x"}, http.StatusBadRequest},
		{"value of exactly the limit", map[string]string{"name": "MAX_SIZE", "value": maxValue}, http.StatusOK},
		{"empty value", map[string]string{"name": "EMPTY", "value": ""}, http.StatusOK},
		{"unknown fields ignored", `{"name":"EXTRA","value":"v","color":"blue"}`, http.StatusOK},
		{"letters digits underscore", map[string]string{"name": "_a1_B2", "value": "v"}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := e.do(e.key, http.MethodPost, "/v1/secrets", tt.body)
			require.Equal(t, tt.status, r.status, "body: %.200s", r.body)
			if tt.status != http.StatusOK {
				assert.NotEmpty(t, decode[wireError](t, r, tt.status).Message)
			}
		})
	}
	t.Cleanup(func() {
		value, ok := e.srv.SecretValue("MAX_SIZE")
		assert.True(t, ok)
		assert.Len(t, value, validate.MaxValueBytes)
		_, ok = e.srv.SecretValue("TOO_LARGE")
		assert.False(t, ok)
	})
}

func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const limit = 8 * validate.MaxValueBytes
	tests := []struct {
		name          string
		contentLength bool
	}{
		{"declared length", true},
		{"chunked", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if !tt.contentLength && testing.Short() {
				t.Skip("streams 40 MiB")
			}
			prefix, suffix := `{"name":"HUGE","value":"`, `"}`
			size := int64(limit + 1)
			body := io.MultiReader(strings.NewReader(prefix),
				io.LimitReader(repeatByte('x'), size-int64(len(prefix)+len(suffix))),
				strings.NewReader(suffix))
			req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/v1/secrets", body)
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+e.key)
			req.Header.Set("Content-Type", "application/json")
			if tt.contentLength {
				req.ContentLength = size
			}
			resp, err := e.client.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
		})
	}
	t.Cleanup(func() {
		_, ok := e.srv.SecretValue("HUGE")
		assert.False(t, ok)
	})
}

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

func TestUpdateValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sec := e.create(e.key, "UPDATE_ME", "original")
	tests := []struct {
		name   string
		body   any
		status int
	}{
		{"rename", map[string]string{"name": "OTHER", "value": "v"}, http.StatusBadRequest},
		{"same name", map[string]string{"name": "UPDATE_ME", "value": "v"}, http.StatusBadRequest},
		{"null name", `{"name":null,"value":"v"}`, http.StatusBadRequest},
		{"missing value", `{}`, http.StatusBadRequest},
		{"malformed", `{"value":`, http.StatusBadRequest},
		{"too large", map[string]string{"value": strings.Repeat("y", validate.MaxValueBytes+1)}, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := e.do(e.key, http.MethodPatch, "/v1/secrets/"+sec.SecretID, tt.body)
			assert.Equal(t, tt.status, r.status, "body: %.200s", r.body)
		})
	}
	t.Cleanup(func() {
		value, _ := e.srv.SecretValue("UPDATE_ME")
		assert.Equal(t, "original", value)
	})
}

func TestUnknownSecretIDs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.create(e.key, "PRESENT", "v")
	ids := []string{
		"0b6f3c1e-8a4d-4c59-9d3e-1f2a3b4c5d6e", // well-formed, unknown
		"not-a-uuid",
		"PRESENT", // a name is not an ID
		"%20",
	}
	for _, id := range ids {
		for _, m := range []struct{ method, suffix string }{
			{http.MethodGet, ""}, {http.MethodPatch, ""}, {http.MethodDelete, ""},
			{http.MethodGet, "/accessControls"}, {http.MethodPatch, "/accessControls"},
		} {
			t.Run(m.method+" "+id+m.suffix, func(t *testing.T) {
				t.Parallel()
				var body any
				if m.method == http.MethodPatch {
					body = map[string]string{"value": "v"}
				}
				r := e.do(e.key, m.method, "/v1/secrets/"+id+m.suffix, body)
				assert.Equal(t, http.StatusNotFound, r.status)
				assert.NotEmpty(t, decode[wireError](t, r, http.StatusNotFound).Message)
			})
		}
	}
}

func TestListByName(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.create(e.key, "ALPHA", "1")
	b := e.create(e.key, "BETA", "2")
	tests := []struct {
		query string
		want  []wireSecret
	}{
		{"", []wireSecret{a, b}},
		{"?name=", []wireSecret{a, b}},
		{"?name=ALPHA", []wireSecret{a}},
		{"?name=BETA", []wireSecret{b}},
		{"?name=alpha", []wireSecret{}},
		{"?name=ALPH", []wireSecret{}},
		{"?name=NONE", []wireSecret{}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			t.Parallel()
			r := e.do(e.key, http.MethodGet, "/v1/secrets"+tt.query, nil)
			assert.Equal(t, tt.want, decode[wireList](t, r, http.StatusOK).Secrets)
			assert.Contains(t, string(r.body), `"secrets":[`, "an empty result is [], never null")
		})
	}
}
