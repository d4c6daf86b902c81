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

func TestNameError(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"DB_PASSWORD":    "",
		"":               "the name is empty",
		"DB-PASSWORD":    "character '-' at position 3 is not a letter, digit or _",
		"-":              "character '-' at position 1 is not a letter, digit or _",
		"DB PASSWORD":    "character ' ' at position 3 is not a letter, digit or _",
		"KEY\n":          `character '\n' at position 4 is not a letter, digit or _`,
		"KEY\x00X":       `character '\x00' at position 4 is not a letter, digit or _`,
		"KEY\x1b[31m":    `character '\x1b' at position 4 is not a letter, digit or _`,
		"A'B":            `character '\'' at position 2 is not a letter, digit or _`,
		"PASSWÖRD":       "character 'Ö' (U+00D6) at position 6 is not a letter, digit or _",
		"P\u0410SSWORD":  "character 'А' (U+0410) at position 2 is not a letter, digit or _", // Cyrillic A
		"AB\u202eDC":     `character '\u202e' at position 3 is not a letter, digit or _`,     // right-to-left override
		"A\u200bB":       `character '\u200b' at position 2 is not a letter, digit or _`,     // zero width space
		"AB\xff\xfe":     `character '\xff' at position 3 is not a letter, digit or _`,
		"AB\xe2\x80":     `character '\xe2' at position 3 is not a letter, digit or _`, // a cut UTF-8 sequence
		"🔑KEY":           "character '🔑' (U+1F511) at position 1 is not a letter, digit or _",
		"KEY_\U000E0041": `character '\U000e0041' at position 5 is not a letter, digit or _`, // tag character
	}
	for name, want := range cases {
		assert.Equal(t, want, validate.NameError(name), "%q", name)
	}
}

func TestNameError_QuotesOneCharacterOnly(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"sk_live_51Hx9f2e-rest", "password=hunter2", "abc def ghi"} {
		msg := validate.NameError(name)
		for _, part := range []string{"sk_live", "hunter2", "rest", "def", "ghi"} {
			assert.NotContains(t, msg, part, "%q", name)
		}
	}
}

func TestUUID(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		"3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f4a5b":    true,
		"3F2B8A4E-5C6D-4E7F-8A9B-0C1D2E3F4A5B":    true,
		"00000000-0000-0000-0000-000000000000":    true,
		"":                                        false,
		"DB_PASSWORD":                             false,
		"sk_live_51Hx9f2e":                        false,
		"3f2b8a4e5c6d4e7f8a9b0c1d2e3f4a5b":        false, // no dashes
		"{3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f4a5b}":  false,
		"3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f4a5":     false, // short
		"3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f4a5b0":   false, // long
		"3f2b8a4e-5c6d-4e7f-8a9b_0c1d2e3f4a5b":    false,
		"3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f4a5g":    false,
		"3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f4a/b":    false,
		"3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f4a\x00b": false,
		"3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f4ä":      false, // 36 bytes, not 36 hex digits
		"3f2b8a4e--5c6d4e7f-8a9b-0c1d2e3f4a5b":    false,
	}
	for id, want := range cases {
		assert.Equal(t, want, validate.UUID(id), "%q", id)
	}
}
