package secrets_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
)

func ExampleCache() {
	ctx := context.Background()
	client, stop := cacheExampleClient("DB_PASSWORD", "hunter2") // in production: secrets.ManageWorkspaces("") or NewClient(...)
	defer stop()

	cache, err := secrets.NewCache(client,
		secrets.WithTTL(5*time.Minute),          // pick up rotations within 5 minutes
		secrets.WithStaleIfError(time.Hour),     // ride out an API outage of up to an hour
		secrets.WithNegativeTTL(10*time.Second), // a typo costs one request per 10s
	)
	if err != nil {
		log.Fatal(err)
	}

	password, err := cache.Get(ctx, "DB_PASSWORD") // one request; then served from memory
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(password))

	_, err = cache.Get(ctx, "DB_PASWORD")
	fmt.Println(errors.Is(err, secrets.ErrNotFound))
	// Output:
	// 7
	// true
}

func ExampleCache_GetMany() {
	ctx := context.Background()
	client, stop := cacheExampleClient("S3_ACCESS_KEY_ID", "AKIAEXAMPLE", "S3_SECRET_ACCESS_KEY", "wJalrEXAMPLE")
	defer stop()
	cache, err := secrets.NewCache(client)
	if err != nil {
		log.Fatal(err)
	}

	// One request for the pair; each name is then cached on its own.
	values, err := cache.GetMany(ctx, "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_REGION")
	var bulk *secrets.BulkError
	if errors.As(err, &bulk) {
		fmt.Println(err)
	}
	fmt.Println(len(values), len(values["S3_ACCESS_KEY_ID"]))
	// Output:
	// secrets: could not read 1 secret: "S3_REGION": not found
	// 2 11
}

func ExampleWithRefreshAhead() {
	ctx := context.Background()
	client, stop := cacheExampleClient("DB_PASSWORD", "hunter2")
	defer stop()

	cache, err := secrets.NewCache(client,
		secrets.WithTTL(5*time.Minute),
		secrets.WithRefreshAhead(30*time.Second), // a Get in a value's last 30s refreshes it in the background
		secrets.WithStaleIfError(time.Hour),      // a refresh that fails past expiry serves the old value
	)
	if err != nil {
		log.Fatal(err)
	}
	defer cache.Close() // ends a background refresh under way

	password, err := cache.Get(ctx, "DB_PASSWORD") // the first read waits; later ones never do
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(password))
	fmt.Println(cache) // the settings, TTL jitter by default included; never a value
	// Output:
	// 7
	// secrets.Cache{TTL: 5m0s, TTLJitter: 0.1, NegativeTTL: 10s, StaleIfError: 1h0m0s, RefreshAhead: 30s, MaxEntries: 1000, Len: 1}
}

// cacheExampleClient returns a Client on an emulator holding the given secrets (name, value, name,
// value…), and the function that stops the emulator.
func cacheExampleClient(namesAndValues ...string) (*secrets.Client, func()) {
	srv := secretstest.NewServer()
	client, err := secrets.NewClient(secrets.WithAPIKey(srv.APIKey()), secrets.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	for i := 0; i+1 < len(namesAndValues); i += 2 {
		if _, err := client.Secrets.Create(context.Background(), namesAndValues[i], namesAndValues[i+1]); err != nil {
			log.Fatal(err)
		}
	}
	return client, srv.Close
}
