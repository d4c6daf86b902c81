package validate_test

import (
	"regexp"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/internal/validate"
)

// nameRule is the naming rule written independently of NameProblem, as the oracle of the fuzz test.
var nameRule = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// FuzzNameProblem: NameProblem reports -1 exactly when the name is non-empty and every byte is a
// letter, digit or '_' (checked against a regular expression); otherwise the offset it reports is
// that of the first byte that breaks the rule (0 for an empty name).
func FuzzNameProblem(f *testing.F) {
	for _, seed := range []string{"", "DB_PASSWORD", "db-password", "KEY\n", "KEY\x00", "PASSWÖRD", "🔑", "_", "9", "a b", "\xff", "A\u0130"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := validate.NameProblem(name)
		valid := nameRule.MatchString(name)
		require.Equal(t, valid, got == -1, "NameProblem(%q) = %d", name, got)
		assert.Equal(t, valid, validate.ValidName(name))
		if valid {
			return
		}
		if name == "" {
			assert.Equal(t, 0, got)
			return
		}
		require.GreaterOrEqual(t, got, 0)
		require.Less(t, got, len(name))
		assert.True(t, nameRule.MatchString(name[:got]) || got == 0, "the bytes before offset %d of %q follow the rule", got, name)
		assert.False(t, nameRule.MatchString(name[got:got+1]), "the byte at offset %d of %q breaks the rule", got, name)
	})
}

// uuidRule is the UUID shape written independently of UUID, as the oracle of FuzzUUID.
var uuidRule = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// FuzzUUID: UUID agrees with a regular expression of the 8-4-4-4-12 shape.
func FuzzUUID(f *testing.F) {
	for _, seed := range []string{"", "3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f4a5b", "DB_PASSWORD", "3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f4a5g"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, id string) {
		assert.Equal(t, uuidRule.MatchString(id), validate.UUID(id), "%q", id)
	})
}

// FuzzNameError: NameError is empty exactly for valid names; otherwise it holds at most one
// character of the name, and nothing a terminal would act on (it is printable ASCII, bar the one
// printable character it quotes).
func FuzzNameError(f *testing.F) {
	for _, seed := range []string{"", "DB_PASSWORD", "db-password", "KEY\n", "PASSWÖRD", "\xff", "A\u202eB"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		msg := validate.NameError(name)
		require.Equal(t, validate.ValidName(name), msg == "", "%q", name)
		for _, r := range msg {
			if r < ' ' || r == 0x7f || r == utf8.RuneError || (r >= 0x80 && !unicode.IsPrint(r)) {
				t.Fatalf("NameError(%q) = %q holds %U", name, msg, r)
			}
		}
	})
}
