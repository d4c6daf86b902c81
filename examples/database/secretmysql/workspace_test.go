package secretmysql

import (
	"crypto/tls"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWorkspaceDSN: TLS on by default, the default port, no password; TLS off only for loopback;
// bad settings are refused before any connection.
func TestWorkspaceDSN(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		w    Workspace
		want string
		err  string // DSN fails with this
	}{
		{"workspace", Workspace{Host: "svc-1.svc.singlestore.com", User: "app", Database: "db"},
			"app@tcp(svc-1.svc.singlestore.com:3306)/db?timeout=10s&tls=true", ""},
		{"port, no database", Workspace{Host: "svc-1.svc.singlestore.com", Port: 3333, User: "admin"},
			"admin@tcp(svc-1.svc.singlestore.com:3333)/?timeout=10s&tls=true", ""},
		{"database to escape", Workspace{Host: "h", User: "u", Database: "a/b?c"},
			"u@tcp(h:3306)/a%2Fb%3Fc?timeout=10s&tls=true", ""},
		{"plain text to localhost: dialled at 127.0.0.1, never looked up", Workspace{Host: "localhost", User: "u", Plaintext: true},
			"u@tcp(127.0.0.1:3306)/?timeout=10s&tls=false", ""},
		{"TLS to localhost: looked up, the certificate decides", Workspace{Host: "localhost", User: "u"},
			"u@tcp(localhost:3306)/?timeout=10s&tls=true", ""},
		{"plain text to 127.0.0.2", Workspace{Host: "127.0.0.2", User: "u", Plaintext: true},
			"u@tcp(127.0.0.2:3306)/?timeout=10s&tls=false", ""},
		{"plain text to ::1", Workspace{Host: "::1", User: "u", Plaintext: true},
			"u@tcp([::1]:3306)/?timeout=10s&tls=false", ""},
		{"no host", Workspace{User: "app"}, "", "no host"},
		{"no user", Workspace{Host: "h"}, "", "no user"},
		{"negative port", Workspace{Host: "h", User: "u", Port: -1}, "", "port -1 out of range"},
		{"port too large", Workspace{Host: "h", User: "u", Port: 65536}, "", "port 65536 out of range"},
		{"plain text to a remote host", Workspace{Host: "svc-1.svc.singlestore.com", User: "u", Plaintext: true}, "", "not svc-1.svc.singlestore.com"},
		{"plain text to a private address", Workspace{Host: "10.0.0.1", User: "u", Plaintext: true}, "", "not 10.0.0.1"},
		{"plain text to a name that looks local", Workspace{Host: "localhost.example.com", User: "u", Plaintext: true}, "", "not localhost.example.com"},
		{"plain text to 0.0.0.0", Workspace{Host: "0.0.0.0", User: "u", Plaintext: true}, "", "not 0.0.0.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dsn, err := tc.w.DSN()
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, dsn)
			cfg, err := tc.w.Config()
			require.NoError(t, err)
			assert.Empty(t, cfg.Passwd)
			assert.Equal(t, 10*time.Second, cfg.Timeout)
			assert.Equal(t, tc.w.Database, cfg.DBName)
			if tc.w.Plaintext {
				assert.Nil(t, cfg.TLS)
			} else {
				require.NotNil(t, cfg.TLS, "tls=true is a verifying configuration")
				assert.False(t, cfg.TLS.InsecureSkipVerify)
				assert.Equal(t, tc.w.Host, cfg.TLS.ServerName)
			}
		})
	}
}

// TestWorkspaceOwnTLS: a given *tls.Config is used (cloned), its server name defaulting to Host.
func TestWorkspaceOwnTLS(t *testing.T) {
	t.Parallel()
	own := &tls.Config{MinVersion: tls.VersionTLS13}
	cfg, err := Workspace{Host: "svc-1.svc.singlestore.com", User: "app", TLS: own}.Config()
	require.NoError(t, err)
	require.NotNil(t, cfg.TLS)
	assert.Equal(t, uint16(tls.VersionTLS13), cfg.TLS.MinVersion)
	assert.Equal(t, "svc-1.svc.singlestore.com", cfg.TLS.ServerName)
	assert.Empty(t, own.ServerName, "the caller's configuration is not changed")

	named := &tls.Config{ServerName: "other.example.com"}
	cfg, err = Workspace{Host: "10.1.2.3", User: "app", TLS: named}.Config()
	require.NoError(t, err)
	assert.Equal(t, "other.example.com", cfg.TLS.ServerName)
}

// TestWorkspaceFieldsAreNotDSNSyntax: a user or database holding DSN syntax stays what it is (a ':'
// in the user never becomes a password, a '?' never a parameter), in Config and through DSN's round
// trip; the DSN of a user with a ':' (which the DSN form cannot carry), or of a workspace with its own
// *tls.Config, is refused rather than written as something else.
func TestWorkspaceFieldsAreNotDSNSyntax(t *testing.T) {
	t.Parallel()
	colon := Workspace{Host: "h", User: "app:not-a-password"}
	cfg, err := colon.Config()
	require.NoError(t, err)
	assert.Equal(t, colon.User, cfg.User)
	assert.Empty(t, cfg.Passwd)
	_, err = colon.DSN()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "use Config")

	_, err = Workspace{Host: "h", User: "u", TLS: &tls.Config{MinVersion: tls.VersionTLS13}}.DSN()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "use Config")

	for _, w := range []Workspace{
		{Host: "h", User: "a@b", Database: "d@e"},
		{Host: "h", User: "u)/?tls=false&allowAllFiles=true&x=(", Database: "d?tls=false"},
		{Host: "h", User: "u", Database: "d/../e?allowAllFiles=true"},
	} {
		t.Run(w.User+"/"+w.Database, func(t *testing.T) {
			t.Parallel()
			cfg, err := w.Config()
			require.NoError(t, err)
			dsn, err := w.DSN()
			require.NoError(t, err)
			back, err := mysql.ParseDSN(dsn)
			require.NoError(t, err)
			for _, c := range []*mysql.Config{cfg, back} { // Config, and DSN's round trip
				assert.Equal(t, w.User, c.User)
				assert.Equal(t, w.Database, c.DBName)
				assert.Empty(t, c.Passwd)
				assert.False(t, c.AllowAllFiles)
				assert.Equal(t, "true", c.TLSConfig)
			}
		})
	}
}
