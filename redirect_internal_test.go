package secrets

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSameOrigin(t *testing.T) {
	t.Parallel()
	cases := []struct {
		a, b string
		want bool
	}{
		{"https://api.singlestore.com/v1/secrets", "https://api.singlestore.com/v2/elsewhere?x=1", true},
		{"https://api.singlestore.com", "https://API.SingleStore.com/v1", true},
		{"https://api.singlestore.com", "https://api.singlestore.com:443/v1", true},
		{"HTTPS://api.singlestore.com", "https://api.singlestore.com/", true},
		{"http://127.0.0.1", "http://127.0.0.1:80/", true},
		{"http://[::1]:8080", "http://[::1]:8080/x", true},
		{"https://api.singlestore.com", "http://api.singlestore.com", false},
		{"https://api.singlestore.com", "https://api.singlestore.com:8443", false},
		{"https://api.singlestore.com", "https://api.singlestore.com.evil.example", false},
		{"https://api.singlestore.com", "https://evil.example", false},
		{"https://api.singlestore.com", "https://api.singlestore.com@evil.example", false},
		{"http://127.0.0.1:8080", "http://localhost:8080", false},
		{"http://127.0.0.1:80", "https://127.0.0.1:443", false},
		{"http://[::1]:8080", "http://127.0.0.1:8080", false},
		{"https://api.singlestore.com", "ftp://api.singlestore.com", false},
		// Other spellings that may reach the same machine are refused all the same: the origin is
		// compared as written, never resolved.
		{"https://api.singlestore.com", "https://api.singlestore.com./v1", false},
		{"http://127.0.0.1:8080", "http://[::ffff:127.0.0.1]:8080", false},
		{"http://127.0.0.1:8080", "http://2130706433:8080", false},
		{"http://127.0.0.1:8080", "http://127.1:8080", false},
	}
	for _, tc := range cases {
		a, err := url.Parse(tc.a)
		require.NoError(t, err)
		b, err := url.Parse(tc.b)
		require.NoError(t, err)
		assert.Equal(t, tc.want, sameOrigin(a, b), "%s vs %s", tc.a, tc.b)
		assert.Equal(t, tc.want, sameOrigin(b, a), "%s vs %s", tc.b, tc.a)
	}
}
