// Package validate holds the service's input rules, shared by the client (which checks before sending)
// and the emulator (which enforces them as the service does).
package validate

// MaxValueBytes is the largest secret value the service accepts: "5MB" read as 5 MiB, the larger
// reading, so the client never rejects a value the server would accept.
const MaxValueBytes = 5 << 20

// NameProblem reports the first byte of name that breaks the naming rule (letters, digits and '_'),
// or -1 when the name is valid. An empty name reports 0. It never echoes the name itself: callers
// sometimes pass a value where a name belongs, and error messages must not carry values.
func NameProblem(name string) int {
	if name == "" {
		return 0
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '_' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') {
			continue
		}
		return i
	}
	return -1
}

// ValidName reports whether name is non-empty and made only of ASCII letters, digits and '_'.
func ValidName(name string) bool { return NameProblem(name) < 0 }
