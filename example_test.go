package secrets_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
)

// The examples run against secretstest, the in-memory emulator of the Management API. With the real
// service, leave out WithBaseURL (and the emulator).

// ManageWorkspaces mirrors the Python SDK's
// manage_workspaces(key).organizations.current.get_secret(name).value.
func ExampleManageWorkspaces() {
	srv := secretstest.NewServer()
	defer srv.Close()
	srv.AddSecret("OPENAI_API_KEY", "sk-example-123", "")
	ctx := context.Background()

	c, err := secrets.ManageWorkspaces(srv.APIKey(), secrets.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	org, err := c.Organizations.Current(ctx)
	if err != nil {
		log.Fatal(err)
	}
	s, err := org.GetSecret(ctx, "OPENAI_API_KEY")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(org.Name)
	fmt.Println(s.Name, *s.Value)
	// Output:
	// Emulated Organization
	// OPENAI_API_KEY sk-example-123
}

// Create stores a secret; the caller becomes its Owner. fmt never prints a value.
func ExampleSecretsService_Create() {
	srv := secretstest.NewServer()
	defer srv.Close()
	ctx := context.Background()

	c, err := secrets.NewClient(secrets.WithAPIKey(srv.APIKey()), secrets.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	s, err := c.Secrets.Create(ctx, "DB_PASSWORD", "hunter2")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Name, *s.Value)
	fmt.Println("printed with its value:", strings.Contains(fmt.Sprintf("%+v", s), "hunter2"))

	got, err := c.Secrets.GetByName(ctx, "DB_PASSWORD")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.ID == s.ID, *got.Value)
	// Output:
	// DB_PASSWORD hunter2
	// printed with its value: false
	// true hunter2
}

// Share grants roles to users and teams by ID. A member without a role sees the secret but not its
// value, until the Owner shares it.
func ExampleSecretsService_Share() {
	srv := secretstest.NewServer()
	defer srv.Close()
	alice := srv.AddUser("alice@example.com")
	ctx := context.Background()

	owner, err := secrets.NewClient(secrets.WithAPIKey(srv.APIKey()), secrets.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	asAlice, err := secrets.NewClient(secrets.WithAPIKey(alice.Token), secrets.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	s, err := owner.Secrets.Create(ctx, "HF_TOKEN", "hf_example")
	if err != nil {
		log.Fatal(err)
	}

	before, err := asAlice.Secrets.GetByName(ctx, "HF_TOKEN")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("before sharing, value withheld:", before.Value == nil)

	err = owner.Secrets.Share(ctx, s.ID, &secrets.ShareRequest{
		Grants: []secrets.AccessChange{{Role: secrets.RoleReader, Users: []string{alice.ID}}},
	})
	if err != nil {
		log.Fatal(err)
	}
	after, err := asAlice.Secrets.GetByName(ctx, "HF_TOKEN")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("after sharing:", *after.Value)
	// Output:
	// before sharing, value withheld: true
	// after sharing: hf_example
}

// ShareByName names users by e-mail address and teams by name; a name that does not resolve changes
// nothing and is reported as a *LookupError.
func ExampleSecretsService_ShareByName() {
	srv := secretstest.NewServer()
	defer srv.Close()
	srv.AddUser("alice@example.com")
	bob := srv.AddUser("bob@example.com")
	srv.AddTeam("data-science", bob.ID)
	ctx := context.Background()

	owner, err := secrets.NewClient(secrets.WithAPIKey(srv.APIKey()), secrets.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	s, err := owner.Secrets.Create(ctx, "S3_SECRET_ACCESS_KEY", "wJalrXUtnFEMI")
	if err != nil {
		log.Fatal(err)
	}

	err = owner.Secrets.ShareByName(ctx, s.ID, &secrets.ShareByNameRequest{
		Grants: []secrets.NamedAccessChange{{Role: secrets.RoleReader, UserEmails: []string{"carol@example.com"}}},
	})
	var lookup *secrets.LookupError
	fmt.Println(errors.Is(err, secrets.ErrNotFound), errors.As(err, &lookup) && lookup.Name == "carol@example.com")

	err = owner.Secrets.ShareByName(ctx, s.ID, &secrets.ShareByNameRequest{
		Grants: []secrets.NamedAccessChange{{
			Role:       secrets.RoleReader,
			UserEmails: []string{"alice@example.com"},
			TeamNames:  []string{"data-science"},
		}},
	})
	if err != nil {
		log.Fatal(err)
	}
	asBob, err := secrets.NewClient(secrets.WithAPIKey(bob.Token), secrets.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	got, err := asBob.Secrets.Get(ctx, s.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("bob reads it through his team:", *got.Value)
	// Output:
	// true true
	// bob reads it through his team: wJalrXUtnFEMI
}

// Errors are tested with errors.Is against the sentinels, and their details reached with errors.As.
func Example_errorHandling() {
	srv := secretstest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	c, err := secrets.NewClient(secrets.WithAPIKey(srv.APIKey()), secrets.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	// A name that matches nothing.
	_, err = c.Secrets.GetByName(ctx, "MISSING")
	fmt.Println(errors.Is(err, secrets.ErrNotFound), err)

	// An invalid name is refused before any request.
	_, err = c.Secrets.Create(ctx, "not-valid", "x")
	fmt.Println(errors.Is(err, secrets.ErrInvalidName), errors.Is(err, secrets.ErrInvalidArgument))

	// A status other than 2xx is an *APIError.
	if _, err := c.Secrets.Create(ctx, "DB_PASSWORD", "one"); err != nil {
		log.Fatal(err)
	}
	_, err = c.Secrets.Create(ctx, "DB_PASSWORD", "two")
	var apiErr *secrets.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(errors.Is(err, secrets.ErrConflict), apiErr.StatusCode, apiErr.Method, apiErr.Path)
	}

	// A server asking to wait longer than the client's maximum wait fails at once, saying how long.
	srv.FailNext(1, http.StatusTooManyRequests, 2*time.Minute)
	_, err = c.Secrets.List(ctx, nil)
	if errors.As(err, &apiErr) {
		fmt.Println(errors.Is(err, secrets.ErrRateLimited), apiErr.RetryAfter, apiErr.Attempts)
	}
	// Output:
	// true secrets: no secret named "MISSING": not found
	// true true
	// true 409 POST /v1/secrets
	// true 2m0s 1
}
