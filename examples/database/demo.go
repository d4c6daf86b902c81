package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"

	"github.com/helios-secrets/go-secrets/examples/database/internal/mysqlserver"
	"github.com/helios-secrets/go-secrets/examples/database/secretmysql"
)

// demo runs the rotation tour with no account and no install: the go-secrets emulator and a
// MySQL-protocol server that checks passwords over TLS (go-mysql-server), both in this process on
// loopback. It prints what happens, never a password.
func demo(ctx context.Context, w io.Writer) error {
	emu := secretstest.NewServer()
	defer emu.Close()
	serverTLS, clientTLS, err := mysqlserver.SelfSignedTLS()
	if err != nil {
		return err
	}
	server, err := mysqlserver.Start(mysqlserver.Options{TLS: serverTLS, ClientTLS: clientTLS})
	if err != nil {
		return err
	}
	defer server.Close()
	fmt.Fprintf(w, "secrets emulator at %s; MySQL-protocol server (go-mysql-server, TLS) at %s\n", emu.URL, server.Addr())

	// The operator's side: the database user and the secret holding its password.
	admin, err := secrets.NewClient(secrets.WithAPIKey(emu.APIKey()), secrets.WithBaseURL(emu.URL))
	if err != nil {
		return err
	}
	const user = "app"
	password := newPassword()
	if err := server.CreateUser(ctx, user, password); err != nil {
		return err
	}
	secret, err := admin.Secrets.Create(ctx, secretmysql.DefaultPasswordSecret, password)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "1. user %s created with a random password, stored in secret %s\n", user, secret.Name)

	// The service's side: a pool whose connections take the password from the secret.
	client, err := secrets.NewClient(secrets.WithAPIKey(emu.APIKey()), secrets.WithBaseURL(emu.URL))
	if err != nil {
		return err
	}
	cache, err := secrets.NewCache(client, secrets.WithTTL(5*time.Minute))
	if err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(server.Addr())
	if err != nil {
		return err
	}
	portNum, err := strconv.Atoi(port)
	if err != nil {
		return err
	}
	cfg, err := secretmysql.Workspace{Host: host, Port: portNum, User: user, Database: server.Database(), TLS: clientTLS}.Config()
	if err != nil {
		return err
	}
	connector, err := secretmysql.NewConnector(cache, cfg)
	if err != nil {
		return err
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	db.SetMaxIdleConns(0) // every db.Conn below is a new connection, as after a pool's churn

	emu.ResetRequests()
	before, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer before.Close()
	fmt.Fprintf(w, "2. connected as %s; the secret was read with %d request\n", whoAmI(ctx, before), emu.RequestCount())

	password = newPassword()
	if err := server.SetPassword(ctx, user, password); err != nil {
		return err
	}
	if _, err := admin.Secrets.Update(ctx, secret.ID, password); err != nil {
		return err
	}
	fmt.Fprintf(w, "3. rotated: a new password for %s at the server (ALTER USER), then in the secret (PATCH /v1/secrets/{id}); the service's cache still holds the old one\n", user)
	fmt.Fprintf(w, "4. the connection opened before the rotation still works: %s\n", whoAmI(ctx, before))

	emu.ResetRequests()
	after, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer after.Close()
	fmt.Fprintf(w, "5. a new connection from the same pool: the server refused the cached password (MySQL error 1045), "+
		"the connector read the secret again (%d request) and connected as %s\n", emu.RequestCount(), whoAmI(ctx, after))

	if _, err := admin.Secrets.Update(ctx, secret.ID, newPassword()); err != nil {
		return err
	}
	cache.Invalidate(secret.Name) // as when the TTL has passed
	emu.ResetRequests()
	_, err = db.Conn(ctx)
	var pe *secretmysql.PasswordError
	if !errors.As(err, &pe) || !pe.Refused() {
		return fmt.Errorf("a wrong password in the secret: want a refused *PasswordError, got %v", err)
	}
	fmt.Fprintf(w, "6. with a wrong password in the secret, a new connection fails after one more read of the secret (%d requests in all) and one more try:\n   %v\n",
		emu.RequestCount(), err)
	return nil
}

// whoAmI says which account and connection the server sees on conn.
func whoAmI(ctx context.Context, conn *sql.Conn) string {
	var account string
	var id int64
	if err := conn.QueryRowContext(ctx, "SELECT CURRENT_USER(), CONNECTION_ID()").Scan(&account, &id); err != nil {
		return "(query failed: " + err.Error() + ")"
	}
	return fmt.Sprintf("%s (connection %d)", account, id)
}

// newPassword returns a random password, which the demo never prints.
func newPassword() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
