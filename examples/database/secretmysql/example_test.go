package secretmysql_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"time"

	"github.com/go-sql-driver/mysql"
	secrets "github.com/helios-secrets/go-secrets"

	"github.com/helios-secrets/go-secrets/examples/database/secretmysql"
)

// A pool on a SingleStore workspace whose password is the secret DB_PASSWORD.
func ExampleNewConnector() {
	client, err := secrets.ManageWorkspaces("") // SINGLESTOREDB_MANAGEMENT_TOKEN, …
	if err != nil {
		log.Fatal(err)
	}
	cache, err := secrets.NewCache(client, secrets.WithTTL(5*time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := secretmysql.Workspace{Host: "svc-example.svc.singlestore.com", User: "app", Database: "db"}.Config()
	if err != nil {
		log.Fatal(err)
	}
	connector, err := secretmysql.NewConnector(cache, cfg)
	if err != nil {
		log.Fatal(err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	var now string
	if err := db.QueryRowContext(context.Background(), "SELECT NOW()").Scan(&now); err != nil {
		log.Fatal(err) // a *secretmysql.PasswordError when the password is the problem
	}
}

// The hook alone, with the driver's BeforeConnect: each new connection takes the password from the
// cache, but a refused password is not read again.
func Example_beforeConnect() {
	client, err := secrets.ManageWorkspaces("")
	if err != nil {
		log.Fatal(err)
	}
	cache, err := secrets.NewCache(client, secrets.WithTTL(5*time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := mysql.ParseDSN("app@tcp(svc-example.svc.singlestore.com:3306)/db?tls=true")
	if err != nil {
		log.Fatal(err)
	}
	err = cfg.Apply(mysql.BeforeConnect(func(ctx context.Context, c *mysql.Config) error {
		var err error
		c.Passwd, err = cache.Get(ctx, "DB_PASSWORD")
		return err
	}))
	if err != nil {
		log.Fatal(err)
	}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		log.Fatal(err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()
}

// The data source name of a workspace: TLS on, no password.
func ExampleWorkspace_DSN() {
	dsn, err := secretmysql.Workspace{Host: "svc-example.svc.singlestore.com", User: "app", Database: "db"}.DSN()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(dsn)
	// Output: app@tcp(svc-example.svc.singlestore.com:3306)/db?timeout=10s&tls=true
}
