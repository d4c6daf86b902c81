package secretmysql

import (
	"errors"
	"fmt"

	secrets "github.com/helios-secrets/go-secrets"
)

// PasswordError is a connection that failed because of the password's secret: it could not be read,
// held nothing, or holds a password the server refuses. It names the secret, the user and the server,
// never the password.
type PasswordError struct {
	Secret string // the secret's name
	User   string // the database user
	Addr   string // the server's host:port
	// Err is the cause: a go-secrets error (secrets.ErrNotFound, ErrValueWithheld, an *APIError…),
	// ErrEmptyValue, the context's error, or the server's *mysql.MySQLError 1045 (access denied),
	// returned after the secret was read again and the password tried a second time.
	Err error
	// Refusal is the server's *mysql.MySQLError 1045 that made the connector read the secret again,
	// when that read failed (Err); nil otherwise.
	Refusal error
}

// Error says what failed and what to do.
func (e *PasswordError) Error() string {
	who := fmt.Sprintf("the password of database user %s from secret %s", e.User, e.Secret)
	switch {
	case e.Refusal != nil:
		return fmt.Sprintf("secretmysql: %s refused %s, and reading the secret again failed: %v (the server said: %v)",
			e.Addr, who, e.Err, e.Refusal)
	case refused(e.Err):
		return fmt.Sprintf("secretmysql: %s refused %s, also after reading the secret again "+
			"(set the secret to the user's current password): %v", e.Addr, who, e.Err)
	case errors.Is(e.Err, ErrEmptyValue):
		return fmt.Sprintf("secretmysql: reading %s: the secret is empty", who)
	case errors.Is(e.Err, secrets.ErrNotFound):
		return fmt.Sprintf("secretmysql: reading %s: not found (create the secret, or name another): %v", who, e.Err)
	case errors.Is(e.Err, secrets.ErrValueWithheld):
		return fmt.Sprintf("secretmysql: reading %s: you may see the secret but not read it "+
			"(ask an Owner to grant you Reader): %v", who, e.Err)
	default:
		return fmt.Sprintf("secretmysql: reading %s: %v", who, e.Err)
	}
}

// Unwrap returns the cause, and the refusal that preceded it if any, for errors.Is and errors.As.
func (e *PasswordError) Unwrap() []error {
	if e.Refusal != nil {
		return []error{e.Err, e.Refusal}
	}
	return []error{e.Err}
}

// Refused reports whether the server refused the password (MySQL error 1045) on both attempts.
func (e *PasswordError) Refused() bool { return refused(e.Err) }
