package secrets_test

import (
	"context"
	"errors"
	"fmt"

	secrets "github.com/helios-secrets/go-secrets"
)

// Secret IDs are the UUIDs the service issues; a name passed where an ID belongs is refused before
// any request, with a hint and without quoting the argument (it could as well be a value).
func ExampleSecretsService_Get_nameWhereAnIDBelongs() {
	c, err := secrets.NewClient(secrets.WithAPIKey("example-key"))
	if err != nil {
		panic(err)
	}
	_, err = c.Secrets.Get(context.Background(), "DB_PASSWORD")
	fmt.Println(errors.Is(err, secrets.ErrInvalidArgument))
	fmt.Println(err)
	// Output:
	// true
	// secrets: the secret ID (11 bytes) is not a UUID; it looks like a name: use GetByName to look a secret up by name
}

// A name that breaks the naming rule is refused with its first offending character, escaped, and its
// position counted from 1.
func ExampleSecretsService_GetByName_invalidName() {
	c, err := secrets.NewClient(secrets.WithAPIKey("example-key"))
	if err != nil {
		panic(err)
	}
	_, err = c.Secrets.GetByName(context.Background(), "DB-PASSWORD\n")
	fmt.Println(errors.Is(err, secrets.ErrInvalidName))
	fmt.Println(err)
	// Output:
	// true
	// secrets: invalid secret name: character '-' at position 3 is not a letter, digit or _
}
