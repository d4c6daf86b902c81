package validate_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/helios-secrets/go-secrets/internal/validate"
)

func TestNameProblem(t *testing.T) {
	t.Parallel()
	cases := map[string]int{
		"":                                0, // empty reports 0
		"A":                               -1,
		"_":                               -1,
		"9":                               -1,
		"DB_PASSWORD":                     -1,
		"abcXYZ_0123456789":               -1,
		strings.Repeat("a", 10_000):       -1,
		"-":                               0,
		"DB-PASSWORD":                     2,
		"DB PASSWORD":                     2,
		"db.password":                     2,
		"KEY\n":                           3,
		"KEY\x00":                         3,
		"PASSWÖRD":                        5,
		"🔑":                               0,
		strings.Repeat("a", 10_000) + "/": 10_000,
	}
	for name, want := range cases {
		assert.Equal(t, want, validate.NameProblem(name), "%q", name)
		assert.Equal(t, want < 0, validate.ValidName(name), "%q", name)
	}
}

func TestMaxValueBytes(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 5*1024*1024, validate.MaxValueBytes)
}
