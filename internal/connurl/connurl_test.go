package connurl_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/helios-secrets/go-secrets/internal/connurl"
)

func TestPassword(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"":                                      "",
		"singlestoredb://u:p%40ss@host:3306/db": "p@ss",
		"u:pw@host:3306/db":                     "pw",
		"mysql://u@host/db":                     "",
		"host:3306":                             "",
		"://broken":                             "",
		"  u:pw@host  ":                         "pw",
	} {
		assert.Equal(t, want, connurl.Password(raw), raw)
	}
}

func TestPasswordForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw  string
		want []string
	}{
		{"", nil},
		{"mysql://u@host/db", nil},
		{"u:pw@host:3306/db", []string{"pw"}},
		{"singlestoredb://u:p%40ss@host:3306/db", []string{"p@ss", "p%40ss"}},
		{"admin:pw%21@host:3306/db", []string{"pw!", "pw%21"}},
		{"u:p%2Fw%3Fx@host/db?tls=true#frag", []string{"p/w?x", "p%2Fw%3Fx"}},
		{"  singlestoredb://u:a%20b@h  ", []string{"a b", "a%20b"}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, connurl.PasswordForms(tt.raw), tt.raw)
	}
}
