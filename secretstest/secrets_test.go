package secretstest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/internal/validate"
	"github.com/helios-secrets/go-secrets/secretstest"
)

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

// TestCreateInvalidNameSaysWhatIsWrong: the emulator's 400 for a name that breaks the rule names the
// offending character, escaped, and its position, as the SDK's own check does, and never quotes the
// rest of the name (a client in another language may send a value where the name belongs).
func TestCreateInvalidNameSaysWhatIsWrong(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const secretTail = "s3cr3t_TAIL"
	tests := []struct {
		name string
		body any
		want string
	}{
		{"missing", map[string]string{"value": "v"}, "name is required"},
		{"null", `{"name":null,"value":"v"}`, "name is required"},
		{"empty", map[string]string{"name": "", "value": "v"}, "invalid secret name: the name is empty"},
		{"dash", map[string]string{"name": "DB-" + secretTail, "value": "v"}, "invalid secret name: character '-' at position 3 is not a letter, digit or _"},
		{"space first", map[string]string{"name": " " + secretTail, "value": "v"}, "invalid secret name: character ' ' at position 1 is not a letter, digit or _"},
		{"newline", map[string]string{"name": "A\n" + secretTail, "value": "v"}, `invalid secret name: character '\n' at position 2 is not a letter, digit or _`},
		{"escape", map[string]string{"name": "A\x1b" + secretTail, "value": "v"}, `invalid secret name: character '\x1b' at position 2 is not a letter, digit or _`},
		{"bidi override", map[string]string{"name": "AB\u202e" + secretTail, "value": "v"}, `invalid secret name: character '\u202e' at position 3 is not a letter, digit or _`},
		{"look-alike", map[string]string{"name": "\u0410" + secretTail, "value": "v"}, "invalid secret name: character 'А' (U+0410) at position 1 is not a letter, digit or _"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := e.do(e.srv.APIKey(), http.MethodPost, "/v1/secrets", tt.body)
			require.Equal(t, http.StatusBadRequest, r.status, "body: %s", r.body)
			msg := decode[wireError](t, r, http.StatusBadRequest).Message
			assert.Equal(t, tt.want, msg)
			assert.NotContains(t, string(r.body), secretTail, "the 400 quotes the rest of the name")
		})
	}
	assert.Empty(t, e.srv.Secrets(), "nothing was stored")
}

// TestAddSecretInvalidNameSaysWhatIsWrong: a test that seeds an invalid name learns which character.
func TestAddSecretInvalidNameSaysWhatIsWrong(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer()
	t.Cleanup(srv.Close)
	assert.PanicsWithValue(t, "secretstest: AddSecret: invalid secret name: character '.' at position 2 is not a letter, digit or _", func() {
		srv.AddSecret("a.b", "v", "")
	})
}

func TestAddSecretAndInspection(t *testing.T) {
	t.Parallel()
	e := newEnv(t, secretstest.WithClock(func() time.Time { return t0 }))
	alice := e.srv.AddUser("alice@example.com")
	bob := e.srv.AddUser("bob@example.com")

	seeded := e.srv.AddSecret("SEEDED", "v", alice.ID)
	assert.Equal(t, secretstest.Secret{
		ID: seeded.ID, Name: "SEEDED", Value: "v",
		CreatedBy: alice.ID, CreatedAt: t0, LastUpdatedBy: alice.ID, LastUpdatedAt: t0,
		Grants: []secretstest.Grant{{Role: secretstest.RoleOwner, UserID: alice.ID}},
	}, seeded)
	byKey := e.srv.AddSecret("BY_KEY", "k", "")
	assert.Equal(t, e.srv.APIKeyUser().ID, byKey.CreatedBy)
	assert.Equal(t, []secretstest.Grant{{Role: secretstest.RoleOwner, UserID: e.srv.APIKeyUser().ID}}, byKey.Grants)

	got := decode[wireSecret](t, e.do(alice.Token, http.MethodGet, "/v1/secrets/"+seeded.ID, nil), http.StatusOK)
	assert.Equal(t, ptr("v"), got.Value)
	got = decode[wireSecret](t, e.do(bob.Token, http.MethodGet, "/v1/secrets/"+seeded.ID, nil), http.StatusOK)
	assert.Nil(t, got.Value)

	all := e.srv.Secrets()
	require.Len(t, all, 2)
	assert.Equal(t, []string{"SEEDED", "BY_KEY"}, []string{all[0].Name, all[1].Name})
	all[0].Grants[0].Role = "Changed"
	again, _ := e.srv.Secret("SEEDED")
	assert.Equal(t, secretstest.RoleOwner, again.Grants[0].Role, "copies share nothing with the state")

	_, ok := e.srv.SecretValue("MISSING")
	assert.False(t, ok)

	tests := []struct {
		name                   string
		secret, value, creator string
	}{
		{"invalid name", "BAD NAME", "v", ""},
		{"duplicate", "SEEDED", "v", ""},
		{"value too large", "LARGE", strings.Repeat("x", validate.MaxValueBytes+1), ""},
		{"unknown creator", "ORPHAN", "v", "nobody"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Panics(t, func() { e.srv.AddSecret(tt.secret, tt.value, tt.creator) })
		})
	}
}
