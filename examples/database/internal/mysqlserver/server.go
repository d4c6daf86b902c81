// Package mysqlserver runs a MySQL-protocol server in the process, on loopback: go-mysql-server with
// its in-memory storage and real user accounts, so that a client must present the right password
// (mysql_native_password) to connect. The example's demo and its tests use it in place of a
// SingleStore workspace, which speaks the same protocol.
package mysqlserver

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"sync"
	"time"

	sqle "github.com/dolthub/go-mysql-server"
	"github.com/dolthub/go-mysql-server/memory"
	"github.com/dolthub/go-mysql-server/server"
	gmssql "github.com/dolthub/go-mysql-server/sql"
	"github.com/go-sql-driver/mysql"
	"github.com/sirupsen/logrus"
)

// Server is a started server. Its methods are safe for concurrent use.
type Server struct {
	srv      *server.Server
	addr     string
	database string
	tls      *tls.Config // what a client trusts, when the server speaks TLS
	admin    *sql.DB     // root, for account changes, as an operator would make them
	done     chan error  // the serve loop's end
}

// Options configure Start.
type Options struct {
	// Database is the one database the server holds; "app" when empty.
	Database string
	// TLS, when set, is the server's TLS configuration (a certificate); clients may then use TLS.
	// ClientTLS is what a client uses to verify it (roots, server name).
	TLS, ClientTLS *tls.Config
}

var quietLogs sync.Once

// starting serializes the making of engines: go-mysql-server keeps its status variables in a
// package-level registry that each new engine initializes without a lock.
var starting sync.Mutex

// validName is what CreateUser and SetPassword accept as a user or database name: plain
// identifiers, so that they never need quoting.
var validName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,31}$`)

// Start starts a server on 127.0.0.1 (a free port) with one empty database and a root account
// whose password is random and known only to the Server. Close stops it.
func Start(opts Options) (*Server, error) {
	if opts.Database == "" {
		opts.Database = "app"
	}
	if !validName.MatchString(opts.Database) {
		return nil, fmt.Errorf("mysqlserver: invalid database name %q", opts.Database)
	}
	// go-mysql-server reports every connection (Info) and its file-import setting (Warn) through
	// logrus's global logger; keep only errors.
	quietLogs.Do(func() { logrus.SetLevel(logrus.ErrorLevel) })

	starting.Lock()
	defer starting.Unlock()
	db := memory.NewDatabase(opts.Database)
	db.BaseDatabase.EnablePrimaryKeyIndexes()
	provider := memory.NewDBProvider(db)
	engine := sqle.NewDefault(provider)

	rootPassword := randomPassword()
	users := engine.Analyzer.Catalog.MySQLDb
	users.SetPersister(inMemory{}) // account changes need somewhere to go; they live in memory only
	editor := users.Editor()
	users.AddSuperUser(editor, "root", "%", rootPassword) // enables password checks for every account
	editor.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("mysqlserver: %w", err)
	}
	srv, err := server.NewServer(server.Config{
		Protocol:          "tcp",
		Listener:          ln,
		TLSConfig:         opts.TLS,
		MaxLoggedQueryLen: -1,               // statements carry passwords: never log them
		ConnReadTimeout:   30 * time.Second, // a stuck client does not hold a connection forever
		ConnWriteTimeout:  30 * time.Second,
	}, engine, gmssql.NewContext, memory.NewSessionBuilder(provider), nil)
	if err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("mysqlserver: %w", err)
	}
	s := &Server{srv: srv, addr: ln.Addr().String(), database: opts.Database, done: make(chan error, 1)}
	go func() { s.done <- srv.Start() }()

	if opts.TLS != nil {
		s.tls = opts.ClientTLS
	}
	cfg := s.ClientConfig("root", rootPassword)
	s.admin = sql.OpenDB(mustConnector(cfg))
	s.admin.SetMaxIdleConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.admin.PingContext(ctx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("mysqlserver: the server does not answer: %w", err)
	}
	return s, nil
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.addr }

// Database is the name of the server's database.
func (s *Server) Database() string { return s.database }

// ClientConfig returns a driver configuration for user and password, with TLS when the server
// speaks it, and short timeouts.
func (s *Server) ClientConfig(user, password string) *mysql.Config {
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd = user, password
	cfg.Net, cfg.Addr, cfg.DBName = "tcp", s.addr, s.database
	cfg.Timeout, cfg.ReadTimeout, cfg.WriteTimeout = 5*time.Second, 10*time.Second, 10*time.Second
	cfg.InterpolateParams = true // account statements take their password as a parameter
	if s.tls != nil {
		cfg.TLS = s.tls.Clone()
	}
	return cfg
}

// CreateUser creates an account that may connect from any host with password, and may use the
// server's database.
func (s *Server) CreateUser(ctx context.Context, user, password string) error {
	if !validName.MatchString(user) {
		return fmt.Errorf("mysqlserver: invalid user name %q", user)
	}
	if _, err := s.admin.ExecContext(ctx, "CREATE USER '"+user+"'@'%' IDENTIFIED BY ?", password); err != nil {
		return fmt.Errorf("mysqlserver: creating user %s: %w", user, err)
	}
	if _, err := s.admin.ExecContext(ctx, "GRANT ALL ON "+s.database+".* TO '"+user+"'@'%'"); err != nil {
		return fmt.Errorf("mysqlserver: granting user %s: %w", user, err)
	}
	return nil
}

// SetPassword changes user's password (ALTER USER … IDENTIFIED BY), as a rotation does. Open
// connections of the user stay open; new ones must present the new password.
func (s *Server) SetPassword(ctx context.Context, user, password string) error {
	if !validName.MatchString(user) {
		return fmt.Errorf("mysqlserver: invalid user name %q", user)
	}
	if _, err := s.admin.ExecContext(ctx, "ALTER USER '"+user+"'@'%' IDENTIFIED BY ?", password); err != nil {
		return fmt.Errorf("mysqlserver: changing the password of %s: %w", user, err)
	}
	return nil
}

// Kill ends the connection whose CONNECTION_ID() is id, as a server may do to a user's sessions when
// its password changes.
func (s *Server) Kill(ctx context.Context, id int64) error {
	if _, err := s.admin.ExecContext(ctx, "KILL "+strconv.FormatInt(id, 10)); err != nil {
		return fmt.Errorf("mysqlserver: killing connection %d: %w", id, err)
	}
	return nil
}

// Close stops the server and closes every connection to it.
func (s *Server) Close() error {
	var errs []error
	if s.admin != nil {
		errs = append(errs, s.admin.Close())
	}
	errs = append(errs, s.srv.Close())
	if err := <-s.done; err != nil && !errors.Is(err, net.ErrClosed) {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// inMemory is an account store that keeps nothing beyond the engine's own memory.
type inMemory struct{}

func (inMemory) Persist(*gmssql.Context, []byte) error { return nil }

func mustConnector(cfg *mysql.Config) driver.Connector {
	c, err := mysql.NewConnector(cfg)
	if err != nil {
		panic(err) // ClientConfig builds a valid configuration
	}
	return c
}

func randomPassword() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
