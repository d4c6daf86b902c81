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
