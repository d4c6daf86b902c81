package mysqlserver

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestPasswordsAreChecked(t *testing.T) {
	t.Parallel()
	srv, err := Start(Options{})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, srv.Close()) })
	ctx := context.Background()
	require.NoError(t, srv.CreateUser(ctx, "app", "first"))

	open := func(password string) *sql.DB {
		db := sql.OpenDB(mustConnector(srv.ClientConfig("app", password)))
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	held, err := open("first").Conn(ctx)
	require.NoError(t, err)
	defer held.Close()

	var mysqlErr *mysql.MySQLError
	err = open("wrong").PingContext(ctx)
	require.True(t, errors.As(err, &mysqlErr), "%v", err)
	assert.EqualValues(t, 1045, mysqlErr.Number)

	require.NoError(t, srv.SetPassword(ctx, "app", "second"))
	err = open("first").PingContext(ctx)
	require.True(t, errors.As(err, &mysqlErr), "%v", err)
	assert.NoError(t, open("second").PingContext(ctx))
	var one int
	assert.NoError(t, held.QueryRowContext(ctx, "SELECT 1").Scan(&one))
}

// TestMain fails the run when a test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
