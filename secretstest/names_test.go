package secretstest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/secretstest"
)

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
