package connurl_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/helios-secrets/go-secrets/internal/connurl"
)

// TestMain fails the run when a test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestPassword: Password decodes the password of a connection URL (a scheme optional); PasswordForms
// gives it, then the form written in the URL when that differs.
func TestPassword(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw      string
		password string
		forms    []string
	}{
		{"", "", nil},
		{"mysql://u@host/db", "", nil},
		{"host:3306", "", nil},
		{"://broken", "", nil},
		{"u:pw@host:3306/db", "pw", []string{"pw"}},
		{"  u:pw@host  ", "pw", []string{"pw"}},
		{"singlestoredb://u:p%40ss@host:3306/db", "p@ss", []string{"p@ss", "p%40ss"}},
		{"admin:pw%21@host:3306/db", "pw!", []string{"pw!", "pw%21"}},
		{"u:p%2Fw%3Fx@host/db?tls=true#frag", "p/w?x", []string{"p/w?x", "p%2Fw%3Fx"}},
		{"  singlestoredb://u:a%20b@h  ", "a b", []string{"a b", "a%20b"}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.password, connurl.Password(tt.raw), tt.raw)
		assert.Equal(t, tt.forms, connurl.PasswordForms(tt.raw), tt.raw)
	}
}
