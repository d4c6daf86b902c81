// Package secretmysql opens MySQL-protocol connections (a SingleStore workspace, MySQL, MariaDB)
// whose password is the value of a SingleStore Helios secret, read through a go-secrets Cache for
// each new connection, so that a database/sql pool follows a rotated password without a restart.
//
//	client, err := secrets.ManageWorkspaces("")          // SINGLESTOREDB_MANAGEMENT_TOKEN, …
//	cache, err := secrets.NewCache(client, secrets.WithTTL(5*time.Minute))
//	cfg, err := secretmysql.Workspace{Host: "svc-….singlestore.com", User: "app", Database: "db"}.Config()
//	connector, err := secretmysql.NewConnector(cache, cfg) // the password is the secret DB_PASSWORD
//	db := sql.OpenDB(connector)
//
// How a rotation reaches the pool: database/sql asks the Connector for every new connection, and the
// Connector takes the password from the cache then (a hit costs no request). Connections already open
// are authenticated and stay as they are; MySQL does not recheck them when a password changes. A new
// connection uses the value in the cache: within the TTL after the secret was updated, the old one.
// When the server refuses that password (MySQL error 1045, access denied), the Connector reads the
// secret again from the service, past the cache, and tries once more with what it got. So once both
// the server and the secret hold the new password, the next new connection uses it: at once (one
// refusal, one request to the Management API) rather than after the TTL. Between the two steps of a
// rotation, new connections whose cached password the server does not take fail with a
// *PasswordError; keep the steps close together (see the README for the order).
//
// Errors name the secret and the user, never the password: *PasswordError, which wraps the
// go-secrets error (errors.Is(err, secrets.ErrNotFound)…) or the server's *mysql.MySQLError.
package secretmysql

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	secrets "github.com/helios-secrets/go-secrets"
)

// DefaultPasswordSecret is the secret a Connector reads unless WithPasswordSecret names another.
const DefaultPasswordSecret = "DB_PASSWORD"

// DefaultConnectTimeout bounds a Connect unless WithConnectTimeout sets another bound.
const DefaultConnectTimeout = 30 * time.Second

// erAccessDenied is MySQL's "Access denied for user … (using password: YES)": a wrong password.
const erAccessDenied = 1045

// ErrEmptyValue is the cause (PasswordError.Err) when the secret holds no password.
var ErrEmptyValue = errors.New("empty value")

// validSecretName is the service's rule for secret names, checked before any request.
var validSecretName = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// Connector is a driver.Connector for go-sql-driver/mysql that takes the password of each new
// connection from a secret. It holds no password itself (the cache does) and is safe for concurrent
// use. Build it with NewConnector, and hand it to sql.OpenDB.
type Connector struct {
	cache   *secrets.Cache
	secret  string
	cfg     *mysql.Config // without a password; cloned for each connection
	timeout time.Duration
	// reread lets one Connect at a time decide whether the secret must be read again after a refused
	// password, so that a pool whose connections all fail at once reads it once, not once each.
	reread chan struct{}
}

var _ driver.Connector = (*Connector)(nil)

// Option configures a Connector.
type Option func(*Connector)

// WithPasswordSecret names the secret that holds the password; default DB_PASSWORD.
func WithPasswordSecret(name string) Option { return func(c *Connector) { c.secret = name } }

// WithConnectTimeout bounds one Connect from start to end: reading the secret, dialing, TLS and
// authentication, and the second attempt after a refused password; default DefaultConnectTimeout.
// A server that accepts the TCP connection and then says nothing fails with
// context.DeadlineExceeded, not a hang.
func WithConnectTimeout(d time.Duration) Option { return func(c *Connector) { c.timeout = d } }

// NewConnector returns a Connector that connects as cfg says, with the password read from the secret
// through cache. cfg must not hold a password (its Passwd is empty): the secret is the only source.
// A BeforeConnect hook of cfg still runs, after the password is set. NewConnector makes no request
// and opens no connection; bad arguments give an error before any.
func NewConnector(cache *secrets.Cache, cfg *mysql.Config, opts ...Option) (*Connector, error) {
	if cache == nil {
		return nil, errors.New("secretmysql: nil cache")
	}
	if cfg == nil {
		return nil, errors.New("secretmysql: nil config")
	}
	if cfg.Passwd != "" {
		return nil, errors.New("secretmysql: the config holds a password; leave it empty, the password comes from the secret")
	}
	c := &Connector{cache: cache, secret: DefaultPasswordSecret, cfg: cfg.Clone(),
		timeout: DefaultConnectTimeout, reread: make(chan struct{}, 1)}
	for _, opt := range opts {
		if opt != nil {
			opt(c)
		}
	}
	if !validSecretName.MatchString(c.secret) {
		return nil, fmt.Errorf("secretmysql: invalid secret name %q: letters, digits and _ only", c.secret)
	}
	if c.timeout <= 0 {
		return nil, fmt.Errorf("secretmysql: connect timeout %v: must be positive", c.timeout)
	}
	if _, err := mysql.NewConnector(c.cfg); err != nil { // the driver's own checks of the config
		return nil, fmt.Errorf("secretmysql: %w", err)
	}
	return c, nil
}

// Connect opens a connection with the password the secret holds: from the cache (a miss costs one
// request, GET /v1/secrets?name=), or, when the server refuses it (MySQL error 1045), read again from
// the service and tried once more. It returns a
// *PasswordError when the secret cannot be read, holds nothing, or holds a password the server still
// refuses; other failures are the driver's errors, unchanged. The whole call is bounded by the
// connect timeout and by ctx.
func (c *Connector) Connect(ctx context.Context) (driver.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	entry, err := c.cache.Lookup(ctx, c.secret)
	if err != nil {
		return nil, c.errorf(err)
	}
	conn, err := c.connect(ctx, entry.Value)
	if !refused(err) {
		return conn, err
	}
	refusal := err
	if entry, err = c.readAgain(ctx, entry); err != nil {
		return nil, &PasswordError{Secret: c.secret, User: c.cfg.User, Addr: c.cfg.Addr, Err: err, Refusal: refusal}
	}
	conn, err = c.connect(ctx, entry.Value)
	if refused(err) {
		return nil, c.errorf(err)
	}
	return conn, err
}

// Driver returns go-sql-driver/mysql's driver.
func (c *Connector) Driver() driver.Driver { return &mysql.MySQLDriver{} }

// connect opens one connection with password.
func (c *Connector) connect(ctx context.Context, password string) (driver.Conn, error) {
	password = strings.TrimSuffix(strings.TrimSuffix(password, "\n"), "\r") // stored with echo
	if password == "" {
		return nil, c.errorf(ErrEmptyValue)
	}
	cfg := c.cfg.Clone()
	cfg.Passwd = password
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	return connector.Connect(ctx)
}

// readAgain returns the secret's value as the service has it now, after failed (the entry whose
// password the server refused). When another Connect has read it since failed was fetched, that value
// is used as it is; otherwise the cache entry is dropped and the secret read again.
func (c *Connector) readAgain(ctx context.Context, failed secrets.CacheEntry) (secrets.CacheEntry, error) {
	select {
	case c.reread <- struct{}{}:
		defer func() { <-c.reread }()
	case <-ctx.Done():
		return secrets.CacheEntry{}, ctx.Err()
	}
	current, err := c.cache.Lookup(ctx, c.secret)
	if err != nil || current.FetchedAt.After(failed.FetchedAt) {
		return current, err
	}
	c.cache.Invalidate(c.secret)
	return c.cache.Lookup(ctx, c.secret)
}

// refused reports whether err is the server's "access denied" for a wrong password.
func refused(err error) bool {
	var mysqlErr *mysql.MySQLError
	return errors.As(err, &mysqlErr) && mysqlErr.Number == erAccessDenied
}

func (c *Connector) errorf(err error) error {
	var pe *PasswordError
	if errors.As(err, &pe) {
		return err
	}
	return &PasswordError{Secret: c.secret, User: c.cfg.User, Addr: c.cfg.Addr, Err: err}
}
