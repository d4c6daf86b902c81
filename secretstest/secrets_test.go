package secretstest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/internal/validate"
	"github.com/helios-secrets/go-secrets/secretstest"
)

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

	access := decode[[]wireRole](t, e.do(e.key, http.MethodGet, "/v1/secrets/"+sec.SecretID+"/accessControls", nil), http.StatusOK)
	require.Len(t, access, 2)
	var direct, inherited int
	for _, g := range access[0].Grants {
		if g.Identity.UserID == keyUser.ID && g.InheritedFrom == nil {
			direct++
		}
		if g.InheritedFrom != nil {
			inherited++
		}
	}
	assert.Equal(t, 1, direct, "the creator's direct grant is listed")
	assert.Equal(t, 1, inherited, "so is the organization-owner grant")
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

// TestCreateValidation: what POST /v1/secrets accepts and what it refuses with 400. A refusal says
// what is wrong: for a name that breaks the rule, the offending character, escaped, and its position,
// as the SDK's own check does, never the rest of the name (a client in another language may send a
// value where the name belongs). Exactly the accepted rows are stored.
func TestCreateValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	maxValue := strings.Repeat("x", validate.MaxValueBytes)
	const tail, notAllowed = "s3cr3t_TAIL", " is not a letter, digit or _"
	named := func(name string) map[string]string { return map[string]string{"name": name, "value": "v"} }
	tests := []struct {
		name   string
		body   any
		stored string // the name stored when the request is accepted; "" when it is refused
		msg    string // the whole message of the refusal, unless ""
	}{
		{"empty name", named(""), "", "invalid secret name: the name is empty"},
		{"missing name", map[string]string{"value": "v"}, "", "name is required"},
		{"null name", `{"name":null,"value":"v"}`, "", "name is required"},
		{"space", named("A B"), "", ""},
		{"space first", named(" " + tail), "", "invalid secret name: character ' ' at position 1" + notAllowed},
		{"dash", named("A-B"), "", ""},
		{"dash before a tail", named("DB-" + tail), "", "invalid secret name: character '-' at position 3" + notAllowed},
		{"dot", named("a.b"), "", ""},
		{"slash", named("a/b"), "", ""},
		{"non-ASCII letter", named("café"), "", ""},
		{"newline", named("A\n"), "", ""},
		{"newline before a tail", named("A\n" + tail), "", `invalid secret name: character '\n' at position 2` + notAllowed},
		{"escape", named("A\x1b" + tail), "", `invalid secret name: character '\x1b' at position 2` + notAllowed},
		{"bidi override", named("AB\u202e" + tail), "", `invalid secret name: character '\u202e' at position 3` + notAllowed},
		{"look-alike", named("\u0410" + tail), "", "invalid secret name: character 'А' (U+0410) at position 1" + notAllowed},
		{"missing value", map[string]string{"name": "NO_VALUE"}, "", ""},
		{"null value", `{"name":"NULL_VALUE","value":null}`, "", ""},
		{"number value", `{"name":"NUMBER","value":5}`, "", ""},
		{"malformed JSON", `{"name":"BROKEN",`, "", ""},
		{"not an object", `["NAME","value"]`, "", ""},
		{"empty body", ``, "", ""},
		{"trailing garbage", `{"name":"TRAILING","value":"v"} x`, "", ""},
		{"value one byte too large", map[string]string{"name": "TOO_LARGE", "value": maxValue + "x"}, "", ""},
		{"value of exactly the limit", map[string]string{"name": "MAX_SIZE", "value": maxValue}, "MAX_SIZE", ""},
		{"empty value", map[string]string{"name": "EMPTY", "value": ""}, "EMPTY", ""},
		{"unknown fields ignored", `{"name":"EXTRA","value":"v","color":"blue"}`, "EXTRA", ""},
		{"letters digits underscore", named("_a1_B2"), "_a1_B2", ""},
	}
	var accepted []string
	for _, tt := range tests {
		if tt.stored != "" {
			accepted = append(accepted, tt.stored)
		}
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := e.do(e.key, http.MethodPost, "/v1/secrets", tt.body)
			if tt.stored != "" {
				require.Equal(t, http.StatusOK, r.status, "body: %.200s", r.body)
				return
			}
			require.Equal(t, http.StatusBadRequest, r.status, "body: %.200s", r.body)
			msg := decode[wireError](t, r, http.StatusBadRequest).Message
			assert.NotEmpty(t, msg)
			if tt.msg != "" {
				assert.Equal(t, tt.msg, msg)
			}
			assert.NotContains(t, string(r.body), tail, "the 400 quotes the rest of the name")
		})
	}
	t.Cleanup(func() {
		var stored []string
		for _, s := range e.srv.Secrets() {
			stored = append(stored, s.Name)
		}
		assert.ElementsMatch(t, accepted, stored)
		value, _ := e.srv.SecretValue("MAX_SIZE")
		assert.Len(t, value, validate.MaxValueBytes)
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

func TestAddSecretAndInspection(t *testing.T) {
	t.Parallel()
	e := newEnv(t, secretstest.WithClock(newFakeClock(0).Now))
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

	// AddSecret panics on what the API would refuse; for an invalid name, the panic says which
	// character.
	tests := []struct {
		name                   string
		secret, value, creator string
		panic                  string // the whole panic value, unless ""
	}{
		{"invalid name", "BAD NAME", "v", "", ""},
		{"invalid name says what is wrong", "a.b", "v", "", "secretstest: AddSecret: invalid secret name: character '.' at position 2 is not a letter, digit or _"},
		{"duplicate", "SEEDED", "v", "", ""},
		{"value too large", "LARGE", strings.Repeat("x", validate.MaxValueBytes+1), "", ""},
		{"unknown creator", "ORPHAN", "v", "nobody", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			add := func() { e.srv.AddSecret(tt.secret, tt.value, tt.creator) }
			if tt.panic != "" {
				assert.PanicsWithValue(t, tt.panic, add)
				return
			}
			assert.Panics(t, add)
		})
	}
}
