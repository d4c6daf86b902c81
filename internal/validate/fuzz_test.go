package validate_test

import (
	"regexp"
	"testing"

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
