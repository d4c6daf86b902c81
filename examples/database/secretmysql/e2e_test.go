package secretmysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	secrets "github.com/helios-secrets/go-secrets"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRotationReachesNewConnections: the pool is never rebuilt; after the password changes at the
// server and in the secret, in either order, connections opened before keep working and new ones
// authenticate, the secret read once more.
func TestRotationReachesNewConnections(t *testing.T) {
	t.Parallel()
	for _, serverFirst := range []bool{true, false} {
		name := map[bool]string{true: "server then secret", false: "secret then server"}[serverFirst]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, oldPassword, oldPassword)
			db, _ := w.pool(t)
			before := newConn(t, db)
			assert.Contains(t, currentUser(t, before), user+"@")
			assert.Equal(t, 1, w.secretReads(), "the first connection reads the secret")
			newConn(t, db)
			assert.Equal(t, 1, w.secretReads(), "later ones take it from the cache")
			assert.EqualValues(t, 2, w.dials.Load(), "one attempt per connection")

			if serverFirst {
				w.rotate(t)
			} else {
				w.setSecret(t, newPassword)
				newConn(t, db) // the server still has the old password, which the cache serves
				w.setServerPassword(t, newPassword)
			}
			w.resetCounts()

			after := newConn(t, db)
			assert.Contains(t, currentUser(t, after), user+"@")
			assert.Equal(t, 1, w.secretReads(), "the refused password made the connector read the secret again, once")
			assert.EqualValues(t, 2, w.dials.Load(), "refused with the cached password, then accepted with the new one")
			newConn(t, db)
			assert.Equal(t, 1, w.secretReads(), "the new password is in the cache")
			assert.Contains(t, currentUser(t, before), user+"@", "a connection opened before the rotation still works")
		})
	}
}

// TestRotationAfterTheTTL: once the cached value has expired, a new connection reads the secret
// and connects with the new password at the first attempt, with no refusal.
func TestRotationAfterTheTTL(t *testing.T) {
	t.Parallel()
	const ttl = time.Millisecond
	w := newWorld(t, oldPassword, oldPassword)
	db, _ := w.poolWithTTL(t, ttl)
	before := newConn(t, db)
	w.rotate(t)
	time.Sleep(2 * ttl)
	w.resetCounts()

	after := newConn(t, db)
	assert.Contains(t, currentUser(t, after), user+"@")
	assert.Equal(t, 1, w.secretReads(), "the expired value was read again")
	assert.EqualValues(t, 1, w.dials.Load(), "the new password at the first attempt")
	assert.Contains(t, currentUser(t, before), user+"@")
}

// TestServerThatEndsSessionsAtRotation: should the server end a user's open connections when its
// password changes (MySQL does not; another server may), the pool drops the dead connection and opens
// a new one with the new password, and the query that found it dead does not fail.
func TestServerThatEndsSessionsAtRotation(t *testing.T) {
	t.Parallel()
	w := newWorld(t, oldPassword, oldPassword)
	db, _ := w.pool(t)
	db.SetMaxIdleConns(1)
	ctx := context.Background()
	var before, after int64
	require.NoError(t, db.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&before)) // then idle in the pool

	w.rotate(t)
	require.NoError(t, w.db.Kill(ctx, before))
	w.emu.ResetRequests()

	require.NoError(t, db.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&after))
	assert.NotEqual(t, before, after, "a new connection")
	assert.Equal(t, 1, w.secretReads(), "the refused cached password made the connector read the secret again")
}

// TestNothingPrintsThePassword: the connector and its errors print (fmt, any verb) no password.
func TestNothingPrintsThePassword(t *testing.T) {
	t.Parallel()
	w := newWorld(t, oldPassword, "not-"+oldPassword)
	db, connector := w.pool(t)
	err := db.PingContext(context.Background())
	require.Error(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, x := range []any{connector, *connector, err} {
			out := fmt.Sprintf(verb, x)
			assert.NotContains(t, out, oldPassword, verb)
		}
	}
}

// TestConcurrentConnectsAfterRotationReadTheSecretOnce: when the password changes under a busy pool,
// every new connection is refused once, and they all share one fresh read of the secret.
func TestConcurrentConnectsAfterRotationReadTheSecretOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t, oldPassword, oldPassword)
	db, _ := w.pool(t)
	newConn(t, db)
	w.rotate(t)
	w.resetCounts()

	const n = 8
	conns := make([]*sql.Conn, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			conns[i], errs[i] = db.Conn(context.Background())
		}()
	}
	close(start)
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		assert.Contains(t, currentUser(t, conns[i]), user+"@")
		assert.NoError(t, conns[i].Close())
	}
	assert.Equal(t, 1, w.secretReads(), "%d connections refused at once read the secret once", n)
	assert.EqualValues(t, 2*n, w.dials.Load(), "each refused once, then accepted")
}

// TestWrongPasswordIsAClearError: a secret whose password the server refuses gives, after one fresh
// read and one more attempt, a *PasswordError naming the secret and the user, wrapping MySQL's 1045,
// and never the password.
func TestWrongPasswordIsAClearError(t *testing.T) {
	t.Parallel()
	const wrong = "not-the-Pa55word"
	w := newWorld(t, oldPassword, wrong)

	for _, connect := range []struct {
		name string
		run  func(db *sql.DB, connector *Connector) error
	}{
		{"Connector.Connect", func(_ *sql.DB, connector *Connector) error {
			conn, err := connector.Connect(context.Background())
			if conn != nil {
				_ = conn.Close()
			}
			return err
		}},
		{"sql.DB.PingContext", func(db *sql.DB, _ *Connector) error { return db.PingContext(context.Background()) }},
	} {
		db, connector := w.pool(t) // a cold cache each time
		w.resetCounts()
		err := connect.run(db, connector)
		require.Error(t, err, connect.name)
		var pe *PasswordError
		require.True(t, errors.As(err, &pe), "%s: %T %v", connect.name, err, err)
		assert.True(t, pe.Refused(), connect.name)
		var mysqlErr *mysql.MySQLError
		require.True(t, errors.As(err, &mysqlErr), connect.name)
		assert.EqualValues(t, 1045, mysqlErr.Number)
		msg := err.Error()
		assert.Contains(t, msg, "secret DB_PASSWORD")
		assert.Contains(t, msg, "database user app")
		assert.Contains(t, msg, "also after reading the secret again")
		assert.NotContains(t, msg, wrong)
		assert.NotContains(t, msg, oldPassword)
		assert.Equal(t, 2, w.secretReads(), "%s: the cached value, then one fresh read", connect.name)
		assert.EqualValues(t, 2, w.dials.Load(), "%s: one attempt, then one more", connect.name)
	}
}

// TestSecretGoneAtRotation: when the server refuses the cached password and the secret can no longer
// be read (deleted here), the error says both: the read's failure and the server's refusal.
func TestSecretGoneAtRotation(t *testing.T) {
	t.Parallel()
	w := newWorld(t, oldPassword, oldPassword)
	db, _ := w.pool(t)
	newConn(t, db)
	w.setServerPassword(t, newPassword)
	require.NoError(t, w.admin.Secrets.Delete(context.Background(), w.secretID))
	w.dials.Store(0)

	err := db.PingContext(context.Background())
	var pe *PasswordError
	require.True(t, errors.As(err, &pe), "%T %v", err, err)
	assert.ErrorIs(t, err, secrets.ErrNotFound)
	var mysqlErr *mysql.MySQLError
	require.True(t, errors.As(err, &mysqlErr), "the refusal is kept")
	assert.EqualValues(t, 1045, mysqlErr.Number)
	assert.False(t, pe.Refused(), "the password was tried once, not twice")
	assert.Contains(t, err.Error(), "refused the password of database user app from secret DB_PASSWORD, and reading the secret again failed")
	assert.NotContains(t, err.Error(), oldPassword)
	assert.EqualValues(t, 1, w.dials.Load(), "no second attempt without a password")
}

// TestSecretProblemsFailBeforeConnecting: a secret that is missing or empty gives a *PasswordError
// naming it; a value stored with a trailing newline (echo) works.
func TestSecretProblemsFailBeforeConnecting(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, value string
		want        error // nil: the connection works
	}{
		{"missing", "", secrets.ErrNotFound},
		{"only a newline", "\n", ErrEmptyValue},
		{"only CRLF", "\r\n", ErrEmptyValue},
		{"trailing newline", oldPassword + "\n", nil},
		{"trailing CRLF", oldPassword + "\r\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, oldPassword, tc.value)
			db, _ := w.pool(t)
			err := db.PingContext(context.Background())
			if tc.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.Zero(t, w.dials.Load(), "no connection without a password")
			var pe *PasswordError
			require.True(t, errors.As(err, &pe), "%T %v", err, err)
			assert.ErrorIs(t, err, tc.want)
			assert.False(t, pe.Refused())
			assert.Contains(t, err.Error(), "secret DB_PASSWORD")
			assert.Equal(t, DefaultPasswordSecret, pe.Secret)
			assert.Equal(t, user, pe.User)
		})
	}
}

// TestTLSIsVerified: the default configuration (tls=true) verifies the server's certificate: a
// server whose certificate the system's roots do not vouch for is refused, before any password.
func TestTLSIsVerified(t *testing.T) {
	t.Parallel()
	w := newWorld(t, oldPassword, oldPassword)
	w.workload.TLS = nil // the system's roots, which do not hold the test CA
	db, _ := w.pool(t)
	err := db.PingContext(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "certificate")
	var pe *PasswordError
	assert.False(t, errors.As(err, &pe), "a TLS failure is not the password's fault")
}

// TestSilentServerDoesNotHang: a server that accepts the connection and never speaks fails the
// Connect at the connect timeout, as do a context that ends first.
func TestSilentServerDoesNotHang(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var held []net.Conn
	var mu sync.Mutex
	acceptDone := make(chan struct{})
	go func() {
		defer close(acceptDone)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-acceptDone
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			_ = c.Close()
		}
	})

	w := newWorld(t, oldPassword, oldPassword)
	w.workload.Host, w.workload.Port, w.workload.TLS = "127.0.0.1", ln.Addr().(*net.TCPAddr).Port, nil
	w.workload.Plaintext = true
	// The secret is read first, so that the short bounds below are spent on the silent server alone,
	// and no read of the secret is left running when the test ends.
	warm := func(c *Connector) *Connector {
		_, err := c.cache.Lookup(context.Background(), c.secret)
		require.NoError(t, err)
		return c
	}
	_, connector := w.pool(t, WithConnectTimeout(50*time.Millisecond))
	_, err = warm(connector).Connect(context.Background())
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded) || isTimeout(err), "%T %v", err, err)

	_, connector = w.pool(t) // the default timeout, and a caller's deadline that comes first
	warm(connector)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = connector.Connect(ctx)
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded) || isTimeout(err), "%T %v", err, err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestNewConnectorRejectsBadArguments before any request or connection.
func TestNewConnectorRejectsBadArguments(t *testing.T) {
	t.Parallel()
	client, err := secrets.NewClient(secrets.WithAPIKey("k"), secrets.WithBaseURL("http://127.0.0.1:1"))
	require.NoError(t, err)
	cache, err := secrets.NewCache(client)
	require.NoError(t, err)
	good, err := Workspace{Host: "db.example.com", User: "app"}.Config()
	require.NoError(t, err)
	withPassword := good.Clone()
	withPassword.Passwd = "hunter2"
	badTLS := good.Clone()
	badTLS.TLS, badTLS.TLSConfig = nil, "carrier-pigeon" // no TLS configuration registered under that name

	c, err := NewConnector(cache, good, nil, WithPasswordSecret("SINGLESTORE_PASSWORD"))
	require.NoError(t, err)
	assert.Equal(t, "SINGLESTORE_PASSWORD", c.secret)
	assert.Empty(t, good.Passwd)

	for _, tc := range []struct {
		name  string
		cache *secrets.Cache
		cfg   *mysql.Config
		opts  []Option
		want  string
	}{
		{"nil cache", nil, good, nil, "nil cache"},
		{"nil config", cache, nil, nil, "nil config"},
		{"password in the config", cache, withPassword, nil, "holds a password"},
		{"bad secret name", cache, good, []Option{WithPasswordSecret("DB-PASSWORD")}, `invalid secret name "DB-PASSWORD"`},
		{"empty secret name", cache, good, []Option{WithPasswordSecret("")}, "invalid secret name"},
		{"zero timeout", cache, good, []Option{WithConnectTimeout(0)}, "must be positive"},
		{"negative timeout", cache, good, []Option{WithConnectTimeout(-time.Second)}, "must be positive"},
		{"unknown TLS configuration", cache, badTLS, nil, "carrier-pigeon"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewConnector(tc.cache, tc.cfg, tc.opts...)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "hunter2")
		})
	}
}
