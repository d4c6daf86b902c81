package secrets_test

import (
	"context"
	"fmt"
	"log"
	"sync"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
)

// identityProvider stands for a program's own source of short-lived tokens. It keeps the current
// token and renews it when told to: Token is called before every attempt, so it must be cheap.
type identityProvider struct {
	mu    sync.Mutex
	token string
}

func (p *identityProvider) Token(context.Context) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.token, nil
}

func (p *identityProvider) renew(token string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.token = token
}

// WithTokenSource asks a TokenSource for the token before every attempt, so a Client built once
// follows the tokens it renews.
func ExampleWithTokenSource() {
	srv := secretstest.NewServer()
	defer srv.Close()
	alice, bob := srv.AddUser("alice@example.com"), srv.AddUser("bob@example.com")
	ctx := context.Background()

	idp := &identityProvider{token: alice.Token}
	c, err := secrets.NewClient(secrets.WithTokenSource(idp), secrets.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	for _, next := range []string{bob.Token, ""} {
		me, err := c.Organizations.CurrentUser(ctx)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(me.Email, c.Info().TokenSource, c.Info().TokenIsJWT)
		idp.renew(next)
	}
	_, err = c.Organizations.CurrentUser(ctx)
	fmt.Println(err)
	// Output:
	// alice@example.com WithTokenSource true
	// bob@example.com WithTokenSource true
	// secrets: token source: empty token
}
