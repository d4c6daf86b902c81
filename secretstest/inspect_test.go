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
