package validate_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/helios-secrets/go-secrets/internal/validate"
)

// TestMain fails the run when a test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// nameProblems maps names to the offset NameProblem reports; they seed FuzzNameProblem too.
var nameProblems = map[string]int{
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

func TestNameProblem(t *testing.T) {
	t.Parallel()
	for name, want := range nameProblems {
		assert.Equal(t, want, validate.NameProblem(name), "%q", name)
		assert.Equal(t, want < 0, validate.ValidName(name), "%q", name)
	}
}

func TestMaxValueBytes(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 5*1024*1024, validate.MaxValueBytes)
}

// nameErrors maps names to their NameError; they seed FuzzNameError too.
var nameErrors = map[string]string{
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

func TestNameError(t *testing.T) {
	t.Parallel()
	for name, want := range nameErrors {
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

// uuids maps strings to whether they are UUIDs; they seed FuzzUUID too.
var uuids = map[string]bool{
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

func TestUUID(t *testing.T) {
	t.Parallel()
	for id, want := range uuids {
		assert.Equal(t, want, validate.UUID(id), "%q", id)
	}
}

// nameRule is the naming rule written independently of NameProblem, as the oracle of the fuzz test.
var nameRule = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// FuzzNameProblem: NameProblem reports -1 exactly when the name is non-empty and every byte is a
// letter, digit or '_' (checked against a regular expression); otherwise the offset it reports is
// that of the first byte that breaks the rule (0 for an empty name).
func FuzzNameProblem(f *testing.F) {
	for name := range nameProblems {
		f.Add(name)
	}
	for _, seed := range []string{"a b", "\xff", "A\u0130"} {
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
	for id := range uuids {
		f.Add(id)
	}
	f.Fuzz(func(t *testing.T, id string) {
		assert.Equal(t, uuidRule.MatchString(id), validate.UUID(id), "%q", id)
	})
}

// FuzzNameError: NameError is empty exactly for valid names; otherwise it holds at most one
// character of the name, and nothing a terminal would act on (it is printable ASCII, bar the one
// printable character it quotes).
func FuzzNameError(f *testing.F) {
	for name := range nameErrors {
		f.Add(name)
	}
	f.Fuzz(func(t *testing.T, name string) {
		msg := validate.NameError(name)
		require.Equal(t, validate.ValidName(name), msg == "", "%q", name)
		for _, r := range msg {
			if r < ' ' || r == 0x7f || r == utf8.RuneError || (r >= 0x80 && !strconv.IsPrint(r)) {
				t.Fatalf("NameError(%q) = %q holds %U", name, msg, r)
			}
		}
	})
}
