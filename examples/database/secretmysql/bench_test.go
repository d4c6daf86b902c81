package secretmysql

import (
	"context"
	"database/sql/driver"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"
)

// BenchmarkConnect opens and closes one connection (TLS, authentication) to the in-process server,
// through the Connector (password from the cache: a hit) and through the driver's own connector with
// the password in its configuration, side by side: the Connector's share of a connection's cost.
//
//	go test -run '^$' -bench Connect -benchmem ./secretmysql
func BenchmarkConnect(b *testing.B) {
	w := newWorld(b, oldPassword, oldPassword)
	_, connector := w.pool(b)
	cfg, err := w.workload.Config()
	require.NoError(b, err)
	cfg.Passwd = oldPassword
	plain, err := mysql.NewConnector(cfg)
	require.NoError(b, err)

	for _, bc := range []struct {
		name string
		c    driver.Connector
	}{{"secretmysql", connector}, {"driver", plain}} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				conn, err := bc.c.Connect(ctx)
				if err != nil {
					b.Fatal(err)
				}
				_ = conn.Close()
			}
		})
	}
}
