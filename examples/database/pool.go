package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	secrets "github.com/helios-secrets/go-secrets"

	"github.com/helios-secrets/go-secrets/examples/database/secretmysql"
)

// openPool returns a database/sql pool whose new connections take their password from the secret
// named secret, through a cache that keeps it for ttl. It makes no request and opens no connection.
func openPool(client *secrets.Client, cfg *mysql.Config, secret string, ttl time.Duration) (*sql.DB, error) {
	// WithStaleIfError: should the Management API be unreachable when the TTL has passed, new
	// connections keep the password in hand rather than fail; a refused password still makes the
	// connector read the secret again.
	cache, err := secrets.NewCache(client, secrets.WithTTL(ttl), secrets.WithStaleIfError(15*time.Minute))
	if err != nil {
		return nil, err
	}
	connector, err := secretmysql.NewConnector(cache, cfg, secretmysql.WithPasswordSecret(secret))
	if err != nil {
		return nil, &usageError{msg: err.Error()}
	}
	db := sql.OpenDB(connector)
	db.SetConnMaxLifetime(time.Hour) // connections do not outlive a password forever
	return db, nil
}

// query runs q and prints its rows, one a line, columns separated by tabs (NULL for a null).
func query(ctx context.Context, db *sql.DB, q string, w io.Writer) error {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		fields := make([]string, len(vals))
		for i, v := range vals {
			fields[i] = "NULL"
			if v.Valid {
				fields[i] = v.String
			}
		}
		if _, err := fmt.Fprintln(w, strings.Join(fields, "\t")); err != nil {
			return err
		}
	}
	return rows.Err()
}
