package secretmysql

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// DefaultPort is the MySQL-protocol port of a SingleStore workspace.
const DefaultPort = 3306

// Workspace is where a SingleStore workspace (or any MySQL-protocol server) takes connections, as
// the Cloud Portal's Connect dialog shows it. It has no password field: the password is in a secret.
type Workspace struct {
	Host     string // the endpoint, such as svc-….svc.singlestore.com
	Port     int    // DefaultPort when 0
	User     string
	Database string // optional
	// TLS, when set, replaces the default verification by the system's roots: a private CA, a
	// client certificate. Its ServerName defaults to Host.
	TLS *tls.Config
	// Plaintext turns TLS off. Only for a server on this machine: a Host that is not a loopback
	// address (localhost, 127.0.0.0/8, ::1) is refused, since queries and results would cross the
	// network in clear. localhost is dialled at 127.0.0.1, never looked up (Go's resolver may ask DNS,
	// which may answer with any address), as the SDK does with a plain-http base URL.
	Plaintext bool
}

// DSN returns the data source name of go-sql-driver/mysql for w, without a password:
// user@tcp(host:3306)/db?timeout=10s&tls=true (tls=false with Plaintext). Errors as Config, and
// one for what the DSN form cannot carry (use Config then): w.TLS, which a DSN without it would
// drop, connecting in clear, and a ':' in User, which would split it into a user and a password.
func (w Workspace) DSN() (string, error) {
	switch {
	case w.TLS != nil && !w.Plaintext:
		return "", errors.New("secretmysql: Workspace.TLS has no DSN form; use Config")
	case strings.Contains(w.User, ":"):
		return "", errors.New("secretmysql: a user with ':' has no DSN form; use Config")
	}
	cfg, err := w.Config()
	if err != nil {
		return "", err
	}
	return cfg.FormatDSN(), nil
}

// Config returns the driver configuration for w, without a password, for NewConnector: TLS on
// (server certificate verified against the system's roots, or w.TLS), a 10-second dial timeout.
// Its fields are set one by one, never parsed from a string, so a user or database name holding
// DSN syntax (':', '@', '/', '?') stays what it is. Errors: a missing host or user, a bad port,
// Plaintext for a host that is not loopback.
func (w Workspace) Config() (*mysql.Config, error) {
	if w.Host == "" {
		return nil, errors.New("secretmysql: no host: give the workspace's endpoint")
	}
	if w.User == "" {
		return nil, errors.New("secretmysql: no user")
	}
	port := w.Port
	if port == 0 {
		port = DefaultPort
	}
	if port < 0 || port > 65535 {
		return nil, fmt.Errorf("secretmysql: port %d out of range", port)
	}
	if w.Plaintext && !isLoopback(w.Host) {
		return nil, fmt.Errorf("secretmysql: TLS may be turned off only for a server on this machine (localhost, 127.0.0.1, ::1), not %s", w.Host)
	}
	host := w.Host
	if w.Plaintext && host == "localhost" {
		host = "127.0.0.1" // the password and the queries stay on this machine whatever DNS says
	}
	cfg := mysql.NewConfig()
	cfg.User = w.User
	cfg.Net = "tcp"
	cfg.Addr = net.JoinHostPort(host, strconv.Itoa(port))
	cfg.DBName = w.Database
	cfg.Timeout = 10 * time.Second
	switch {
	case w.Plaintext:
		cfg.TLSConfig = "false"
	case w.TLS != nil:
		cfg.TLS = w.TLS.Clone() // no TLSConfig name: a *tls.Config has no DSN form
		if cfg.TLS.ServerName == "" {
			cfg.TLS.ServerName = w.Host
		}
	default:
		cfg.TLSConfig = "true"
		cfg.TLS = &tls.Config{ServerName: w.Host} // what the driver makes of tls=true
	}
	return cfg, nil
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
