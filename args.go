package secrets

// The argument checks of every call, in one place: each refuses a bad argument before any request,
// with an error matching ErrInvalidArgument (and ErrInvalidName or ErrValueTooLarge where they apply).

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/helios-secrets/go-secrets/internal/validate"
)

// checkName enforces the naming rule. Its error shows the first offending character, escaped, and
// its position (a name is not a secret, and "position 3" alone does not say what to fix), but never
// the rest of the name.
func checkName(name string) error {
	if problem := validate.NameError(name); problem != "" {
		return &argError{msg: "invalid secret name: " + problem, kind: ErrInvalidName}
	}
	return nil
}

// checkValue enforces the size limit, and UTF-8: the API carries values in JSON strings, where
// encoding/json would silently turn invalid bytes into U+FFFD and store a different value.
func checkValue(value string) error {
	if len(value) > MaxValueBytes {
		return &argError{msg: fmt.Sprintf("value of %d bytes is over the limit of %d bytes (MaxValueBytes)", len(value), MaxValueBytes), kind: ErrValueTooLarge}
	}
	if !utf8.ValidString(value) {
		return invalidArgument("the value is not valid UTF-8 and would not survive the API's JSON; encode binary values, with base64 for instance")
	}
	return nil
}

// checkID accepts the IDs the service issues, UUIDs, and refuses anything else before any request,
// without quoting it: a value passed by mistake where an ID belongs (Update(ctx, value, id), or a
// token that happens to look like an ID) stays out of the request line, the error and the logs, and
// path tricks such as "." or "a/b" cannot name another resource. An argument that follows the naming
// rule is most likely a secret name: the error says so, and which call takes names.
func checkID(what, id string) error {
	switch {
	case id == "":
		return invalidArgument("empty %s", what)
	case validate.UUID(id):
		return nil
	case validate.ValidName(id) && what == secretIDArg:
		return invalidArgument("the %s (%d bytes) is not a UUID; it looks like a name: use GetByName to look a secret up by name", what, len(id))
	}
	return invalidArgument("the %s (%d bytes) is not a UUID, the form of the IDs the service issues", what, len(id))
}

// checkOrgID is the rule of checkID for organization IDs; its error is a phrase for a caller's message.
func checkOrgID(id string) error {
	if !validate.UUID(id) {
		return fmt.Errorf("an ID of %d bytes that is not a UUID, the form of the IDs the service issues", len(id))
	}
	return nil
}

// secretIDArg names the secret ID argument in errors.
const secretIDArg = "secret ID"

// checkRole refuses, before any request, what cannot be a role name: empty or blank, white space at
// either end, a control character, or bytes that are not UTF-8. The rest is the service's to judge.
func checkRole(r Role) error {
	s := string(r)
	switch {
	case strings.TrimSpace(s) == "":
		return errors.New("empty role")
	case strings.TrimSpace(s) != s:
		return fmt.Errorf("role %q has white space at an end", s)
	case !utf8.ValidString(s):
		return errors.New("role is not valid UTF-8")
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return fmt.Errorf("role %q has a control character", s)
	}
	return nil
}

// checkChange validates the i-th grant or revoke before any request: a role name checkRole accepts,
// at least one holder, and every holder accepted by checkHolder. Share and ShareByName both use it.
func checkChange(part string, i int, role Role, holders []string, checkHolder func(string) error) error {
	if err := checkRole(role); err != nil {
		return invalidArgument("share: %s %d: %v", part, i, err)
	}
	if len(holders) == 0 {
		return invalidArgument("share: %s %d: no users or teams", part, i)
	}
	for _, h := range holders {
		if err := checkHolder(h); err != nil {
			return invalidArgument("share: %s %d: %v", part, i, err)
		}
	}
	return nil
}

// checkHolderID accepts user and team IDs by the rule of checkID (UUIDs), without quoting a rejected
// one.
func checkHolderID(id string) error {
	switch {
	case id == "":
		return errors.New("an empty user or team ID")
	case !validate.UUID(id):
		return errors.New("a user or team ID that is not a UUID (ShareByName takes e-mail addresses and team names)")
	}
	return nil
}

// checkNamedChanges refuses, before any lookup is sent, what Share would refuse only after the lookups.
func checkNamedChanges(req *ShareByNameRequest) error {
	for _, part := range []struct {
		name    string
		changes []NamedAccessChange
	}{{"grant", req.Grants}, {"revoke", req.Revokes}} {
		for i, ch := range part.changes {
			if err := checkChange(part.name, i, ch.Role, concat(ch.UserEmails, ch.TeamNames), checkHolderName); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkHolderName accepts any e-mail address or team name that is not blank.
func checkHolderName(name string) error {
	if strings.TrimSpace(name) == "" {
		return errors.New("empty e-mail address or team name")
	}
	return nil
}

// checkTokenText rejects what cannot be sent as a Bearer token: nothing, or anything but printable
// ASCII (RFC 6750's token characters are a subset of it). A space or control character could also split
// the header; a character outside ASCII (a no-break or zero-width space pasted with a key, a byte that
// is not UTF-8) would only earn a 401 that does not say why.
func checkTokenText(token string) error {
	switch {
	case token == "":
		return errors.New("empty token")
	case strings.ContainsFunc(token, func(r rune) bool { return r <= ' ' || r >= 0x7f }):
		return errors.New("the token holds spaces or control characters, or characters outside ASCII")
	}
	return nil
}
