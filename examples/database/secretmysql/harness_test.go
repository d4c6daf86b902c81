package secretmysql

import (
	"context"
	"database/sql"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/helios-secrets/go-secrets/examples/database/internal/mysqlserver"
)

const (
	user        = "app"
	oldPassword = "old-Pa55word"
	newPassword = "new-Pa55word"
)

// world is a MySQL-protocol server that checks passwords (over TLS) with the user app, and a secrets
// emulator holding DB_PASSWORD.
type world struct {
	db       *mysqlserver.Server
	workload Workspace // where app connects, without TLS settings beyond the test CA
	emu      *secretstest.Server
	admin    *secrets.Client
	secretID string
	dials    atomic.Int64 // connections the pools opened to the server: authentication attempts
}

// newWorld starts both, with serverPassword as app's password at the server and secretValue in the
// secret (no secret when it is "").
func newWorld(t testing.TB, serverPassword, secretValue string) *world {
	t.Helper()
	serverTLS, clientTLS, err := mysqlserver.SelfSignedTLS()
	require.NoError(t, err)
	db, err := mysqlserver.Start(mysqlserver.Options{TLS: serverTLS, ClientTLS: clientTLS})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, db.Close()) })
	require.NoError(t, db.CreateUser(context.Background(), user, serverPassword))

	host, port, err := net.SplitHostPort(db.Addr())
	require.NoError(t, err)
	portNum, err := strconv.Atoi(port)
	require.NoError(t, err)

	emu := secretstest.NewServer()
	t.Cleanup(emu.Close)
	admin, err := secrets.NewClient(secrets.WithAPIKey(emu.APIKey()), secrets.WithBaseURL(emu.URL))
	require.NoError(t, err)
	w := &world{db: db, emu: emu, admin: admin,
		workload: Workspace{Host: host, Port: portNum, User: user, Database: db.Database(), TLS: clientTLS}}
	if secretValue != "" {
		s, err := admin.Secrets.Create(context.Background(), DefaultPasswordSecret, secretValue)
		require.NoError(t, err)
		w.secretID = s.ID
	}
	emu.ResetRequests()
	return w
}

// pool opens a database/sql pool through a Connector on a cache with a long TTL (rotations are seen
// through the refused password, not through expiry), keeping no idle connection, so that each
// db.Conn is a new connection.
func (w *world) pool(t testing.TB, opts ...Option) (*sql.DB, *Connector) {
	t.Helper()
	return w.poolWithTTL(t, time.Hour, opts...)
}

func (w *world) poolWithTTL(t testing.TB, ttl time.Duration, opts ...Option) (*sql.DB, *Connector) {
	t.Helper()
	client, err := secrets.NewClient(secrets.WithAPIKey(w.emu.APIKey()), secrets.WithBaseURL(w.emu.URL))
	require.NoError(t, err)
	cache, err := secrets.NewCache(client, secrets.WithTTL(ttl))
	require.NoError(t, err)
	cfg, err := w.workload.Config()
	require.NoError(t, err)
	cfg.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		w.dials.Add(1)
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	connector, err := NewConnector(cache, cfg, opts...)
	require.NoError(t, err)
	db := sql.OpenDB(connector)
	db.SetMaxIdleConns(0)
	t.Cleanup(func() { assert.NoError(t, db.Close()) })
	return db, connector
}

func (w *world) setServerPassword(t *testing.T, password string) {
	t.Helper()
	require.NoError(t, w.db.SetPassword(context.Background(), user, password))
}

func (w *world) setSecret(t *testing.T, value string) {
	t.Helper()
	_, err := w.admin.Secrets.Update(context.Background(), w.secretID, value)
	require.NoError(t, err)
}

// rotate changes the password to newPassword at the server, then in the secret.
func (w *world) rotate(t *testing.T) {
	t.Helper()
	w.setServerPassword(t, newPassword)
	w.setSecret(t, newPassword)
}

// resetCounts starts the counts of secret reads and of connection attempts again.
func (w *world) resetCounts() {
	w.emu.ResetRequests()
	w.dials.Store(0)
}

// secretReads is how many requests reached the emulator since the last reset.
func (w *world) secretReads() int { return w.emu.RequestCount() }

// currentUser runs a query on conn and returns the user the server says it is.
func currentUser(t *testing.T, conn *sql.Conn) string {
	t.Helper()
	var u string
	require.NoError(t, conn.QueryRowContext(context.Background(), "SELECT CURRENT_USER()").Scan(&u))
	return u
}

func newConn(t *testing.T, db *sql.DB) *sql.Conn {
	t.Helper()
	conn, err := db.Conn(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// TestMain fails the run when a test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
