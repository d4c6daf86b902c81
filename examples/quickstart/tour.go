package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	secrets "github.com/helios-secrets/go-secrets"
)

const (
	firstValue  = "correct-horse-battery-staple"
	secondValue = "correct-horse-battery-staple-v2"
)

// tour runs the steps in order and stops at the first unexpected error. Values are never printed:
// the tour shows their length and whether they match what was stored.
func tour(ctx context.Context, out io.Writer, env *environment) (err error) {
	c := env.admin
	name := env.secretName
	step := stepper{out: out}

	step.title("Create secret %q", name)
	created, err := c.Secrets.Create(ctx, name, firstValue)
	if err != nil {
		return err
	}
	defer func() { // on the real API, never leave the tour's secret behind
		if err != nil && !env.emulated {
			_ = c.Secrets.Delete(context.WithoutCancel(ctx), created.ID)
		}
	}()
	step.say("created %s; you are its Owner", describe(created))

	step.title("Read it the Python way: ManageWorkspaces(key).Organizations.Current(ctx) → org.GetSecret(ctx, name)")
	org, err := c.Organizations.Current(ctx)
	if err != nil {
		return err
	}
	s, err := org.GetSecret(ctx, name)
	if err != nil {
		return err
	}
	step.say("organization %q: %s", org.Name, matches(s, firstValue))

	step.title("Read it the notebook way: secrets.GetSecret(ctx, name), credentials from the environment")
	value, err := secrets.GetSecret(ctx, name)
	if err != nil {
		return err
	}
	step.say("%s", matchesValue(value, firstValue))

	step.title("Edit its value")
	updated, err := c.Secrets.Update(ctx, created.ID, secondValue)
	if err != nil {
		return err
	}
	step.say("updated at %s; %s", updated.LastUpdatedAt.Format("15:04:05 MST"), matches(updated, secondValue))

	if err := share(ctx, step, env, created.ID); err != nil {
		return err
	}

	step.title("Typed errors, checked with errors.Is and errors.As")
	_, err = c.Secrets.Create(ctx, name, "again")
	var apiErr *secrets.APIError
	if errors.Is(err, secrets.ErrConflict) && errors.As(err, &apiErr) {
		step.say("creating %q again: ErrConflict, HTTP %d (%s)", name, apiErr.StatusCode, err)
	} else {
		return fmt.Errorf("creating a duplicate: want ErrConflict, got %v", err)
	}
	_, err = c.Secrets.Create(ctx, "not-a-valid-name", "x")
	if !errors.Is(err, secrets.ErrInvalidName) {
		return fmt.Errorf("creating an invalid name: want ErrInvalidName, got %v", err)
	}
	step.say("an invalid name: ErrInvalidName before any request (%s)", err)

	step.title("Delete it")
	if err := c.Secrets.Delete(ctx, created.ID); err != nil {
		return err
	}
	_, err = c.Secrets.GetByName(ctx, name)
	if !errors.Is(err, secrets.ErrNotFound) {
		return fmt.Errorf("reading a deleted secret: want ErrNotFound, got %v", err)
	}
	step.say("deleted; reading it now gives ErrNotFound (%s)", err)

	fmt.Fprintln(out, "\nDone: every step behaved as the product describes.")
	return nil
}

// share grants, checks and revokes roles. The checks that act as the other user need that user's
// token, which only the emulator hands out.
func share(ctx context.Context, step stepper, env *environment, id string) error {
	c := env.admin
	email := env.readerEmail
	if !env.emulated {
		email = env.shareWith
	}
	if email == "" {
		step.title("Share (skipped: set QUICKSTART_SHARE_WITH to an e-mail address of your organization)")
		return nil
	}

	step.title("Share it with %s as Reader", email)
	err := c.Secrets.ShareByName(ctx, id, &secrets.ShareByNameRequest{
		Grants: []secrets.NamedAccessChange{{Role: secrets.RoleReader, UserEmails: []string{email}}},
	})
	if err != nil {
		return err
	}
	if env.reader != nil {
		s, err := env.reader.Secrets.GetByName(ctx, env.secretName)
		if err != nil {
			return err
		}
		step.say("%s reads it: %s", email, matches(s, secondValue))
		_, err = env.reader.Secrets.Update(ctx, id, "not allowed")
		if !errors.Is(err, secrets.ErrForbidden) {
			return fmt.Errorf("a Reader updating: want ErrForbidden, got %v", err)
		}
		step.say("%s cannot edit it: ErrForbidden", email)
	} else {
		step.say("granted")
	}

	if env.teamName != "" {
		step.title("Make team %q a second Owner", env.teamName)
		err = c.Secrets.ShareByName(ctx, id, &secrets.ShareByNameRequest{
			Grants: []secrets.NamedAccessChange{{Role: secrets.RoleOwner, TeamNames: []string{env.teamName}}},
		})
		if err != nil {
			return err
		}
	}
	roles, err := c.Secrets.Access(ctx, id)
	if err != nil {
		return err
	}
	for _, role := range roles {
		holders := make([]string, 0, len(role.Grants))
		for _, g := range role.Grants {
			holders = append(holders, g.String())
		}
		step.say("%-6s %s", string(role.Role)+":", strings.Join(holders, "; "))
	}

	step.title("Revoke Reader from %s", email)
	err = c.Secrets.ShareByName(ctx, id, &secrets.ShareByNameRequest{
		Revokes: []secrets.NamedAccessChange{{Role: secrets.RoleReader, UserEmails: []string{email}}},
	})
	if err != nil {
		return err
	}
	if env.reader != nil {
		s, err := env.reader.Secrets.GetByName(ctx, env.secretName)
		if err != nil {
			return err
		}
		if s.Value != nil {
			return fmt.Errorf("after the revoke, %s can still read the value", email)
		}
		step.say("%s still sees the secret, but its value is withheld (Value is nil)", email)
	} else {
		step.say("revoked")
	}
	return nil
}

// stepper numbers the tour's steps.
type stepper struct {
	out io.Writer
	n   *int
}

func (s *stepper) title(format string, args ...any) {
	if s.n == nil {
		s.n = new(int)
	}
	*s.n++
	fmt.Fprintf(s.out, "%d. %s\n", *s.n, fmt.Sprintf(format, args...))
}

func (s stepper) say(format string, args ...any) {
	fmt.Fprintf(s.out, "   %s\n", fmt.Sprintf(format, args...))
}

func describe(s *secrets.Secret) string {
	return fmt.Sprintf("secret %s (ID %s)", s.Name, s.ID)
}

func matches(s *secrets.Secret, want string) string {
	if s.Value == nil {
		return "value withheld"
	}
	return matchesValue(*s.Value, want)
}

func matchesValue(got, want string) string {
	if got == want {
		return fmt.Sprintf("value of %d bytes, as stored", len(got))
	}
	return fmt.Sprintf("value of %d bytes, NOT what was stored", len(got))
}
