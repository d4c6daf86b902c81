// Package validate holds the service's input rules, shared by the client (which checks before sending)
// and the emulator (which enforces them as the service does).
package validate

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// MaxValueBytes is the largest secret value the service accepts: "5MB" read as 5 MiB, the larger
// reading, so the client never rejects a value the server would accept.
const MaxValueBytes = 5 << 20

// NameProblem reports the first byte of name that breaks the naming rule (letters, digits and '_'),
// or -1 when the name is valid. An empty name reports 0.
func NameProblem(name string) int {
	if name == "" {
		return 0
	}
	for i := 0; i < len(name); i++ {
		if !nameByte(name[i]) {
			return i
		}
	}
	return -1
}

func nameByte(c byte) bool {
	return c == '_' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// ValidName reports whether name is non-empty and made only of ASCII letters, digits and '_'.
func ValidName(name string) bool { return NameProblem(name) < 0 }

// NameError says what is wrong with name, or "" when it follows the rule: "the name is empty", or
// `character '-' at position 3 is not a letter, digit or _`. The position counts characters from 1 (every
// character before the offending one is ASCII, so it is also the byte offset plus one). It quotes the
// offending character alone, escaped (control characters, invalid bytes, and characters that print as
// nothing or reorder text all come out as Go escapes), never the rest of the name.
func NameError(name string) string {
	i := NameProblem(name)
	switch {
	case i < 0:
		return ""
	case name == "":
		return "the name is empty"
	}
	return fmt.Sprintf("character %s at position %d is not a letter, digit or _", quoteChar(name[i:]), i+1) // the bytes before i are ASCII
}

// quoteChar quotes the first character of s as a Go character literal: '-', '\n', '\x00', '\u202e'.
// Control and format characters (such as bidirectional overrides) are escaped; a printable
// non-ASCII character is shown with its code point, so that a look-alike is told apart: 'А' (U+0410).
// A byte that does not start valid UTF-8 is quoted as '\xff'.
func quoteChar(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	switch {
	case s == "":
		return "''"
	case r == utf8.RuneError && size == 1:
		return fmt.Sprintf(`'\x%02x'`, s[0])
	case r >= utf8.RuneSelf && strconv.IsPrint(r):
		return fmt.Sprintf("%s (U+%04X)", strconv.QuoteRune(r), r)
	}
	return strconv.QuoteRuneToASCII(r)
}

// UUID reports whether id has the shape of the IDs the service issues (organizations, users, teams,
// secrets): 36 characters, hexadecimal digits in groups of 8-4-4-4-12 separated by '-', either case.
func UUID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9') && !('a' <= c && c <= 'f') && !('A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
