package secrets_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// notIDs are arguments that are not the UUIDs the service issues: values that look like IDs, names,
// near-UUIDs, path tricks.
var notIDs = []string{
	"sk_live_51Hx9f2e", // a value that happens to look like an ID
	"DB_PASSWORD",      // a name
	"Ab-9_z",
	"3f2b8a4e5c6d4e7f8a9b0c1d2e3f4a5b",       // no dashes
	"{3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f4a5b}", // braces
	"urn:uuid:3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f4a5b",
	"3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f4a5b/accessControls",
	"3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f4a5b\n",
	" 3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f4a5",
	"3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f4a5g",
	"../3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f",
	"%2e%2e",
	"hunter2 with spaces",
}

// idCalls are the methods that take a secret ID.
var idCalls = map[string]func(ctx context.Context, c *secrets.Client, id string) error{
	"Get": func(ctx context.Context, c *secrets.Client, id string) error {
		_, err := c.Secrets.Get(ctx, id)
		return err
	},
	"Update": func(ctx context.Context, c *secrets.Client, id string) error {
		_, err := c.Secrets.Update(ctx, id, "v")
		return err
	},
	"Delete": func(ctx context.Context, c *secrets.Client, id string) error { return c.Secrets.Delete(ctx, id) },
	"Access": func(ctx context.Context, c *secrets.Client, id string) error {
		_, err := c.Secrets.Access(ctx, id)
		return err
	},
	"Share": func(ctx context.Context, c *secrets.Client, id string) error {
		return c.Secrets.Share(ctx, id, &secrets.ShareRequest{Grants: []secrets.AccessChange{{Role: secrets.RoleReader, Users: []string{aliceID}}}})
	},
	"ShareByName": func(ctx context.Context, c *secrets.Client, id string) error {
		return c.Secrets.ShareByName(ctx, id, &secrets.ShareByNameRequest{Grants: []secrets.NamedAccessChange{{Role: secrets.RoleReader, UserEmails: []string{"a@example.com"}}}})
	},
}

func TestIDs_OnlyUUIDsAreSent(t *testing.T) {
	t.Parallel()
	for name, call := range idCalls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, api := setup(t)
			// An empty or dot-segment ID must never become a request such as DELETE /v1/secrets/.
			for _, id := range append([]string{"", ".", ".."}, notIDs...) {
				err := call(t.Context(), c, id)
				require.Error(t, err, "%q", id)
				assertSentinels(t, err, secrets.ErrInvalidArgument)
				if len(id) > 2 { // too short to tell a quote from the message's own text
					assert.NotContains(t, err.Error(), strings.TrimSpace(id), "the argument is never quoted")
				}
				assert.NotContains(t, err.Error(), "51Hx9f2e")
			}
			assert.Zero(t, api.GetTotalCallCount(), "nothing is sent")
		})
	}
}

// TestIDs_ANameWhereAnIDBelongs: a name passed to Get (issue 14) says which call takes names, without
// quoting the argument, which may as well be a value.
func TestIDs_ANameWhereAnIDBelongs(t *testing.T) {
	t.Parallel()
	c, api := setup(t)
	for _, arg := range []string{"DB_PASSWORD", "sk_live_51Hx9f2e", "x"} {
		for name, call := range idCalls {
			err := call(t.Context(), c, arg)
			require.ErrorIs(t, err, secrets.ErrInvalidArgument, name)
			assert.Contains(t, err.Error(), "looks like a name: use GetByName", name)
			assert.NotContains(t, err.Error(), arg, name)
		}
	}
	for _, arg := range []string{"a/b", "3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f4a5g", "a b"} {
		_, err := c.Secrets.Get(t.Context(), arg)
		require.ErrorIs(t, err, secrets.ErrInvalidArgument)
		assert.NotContains(t, err.Error(), "looks like a name", "%q cannot be a name", arg)
		assert.Contains(t, err.Error(), "not a UUID")
	}
	assert.Zero(t, api.GetTotalCallCount())
}

func TestIDs_UserAndTeamIDs(t *testing.T) {
	t.Parallel()
	c, api := setup(t)
	for _, id := range append([]string{""}, notIDs...) {
		for _, change := range []secrets.AccessChange{
			{Role: secrets.RoleReader, Users: []string{aliceID, id}},
			{Role: secrets.RoleOwner, Teams: []string{id}},
		} {
			for _, req := range []*secrets.ShareRequest{{Grants: []secrets.AccessChange{change}}, {Revokes: []secrets.AccessChange{change}}} {
				err := c.Secrets.Share(t.Context(), secretID, req)
				require.Error(t, err, "%q", id)
				assertSentinels(t, err, secrets.ErrInvalidArgument)
				if id != "" {
					assert.NotContains(t, err.Error(), strings.TrimSpace(id))
					assert.Contains(t, err.Error(), "ShareByName", "names the call that takes e-mail addresses and team names")
				}
			}
		}
	}
	assert.Zero(t, api.GetTotalCallCount())
}

func TestIDs_OrganizationID(t *testing.T) {
	t.Parallel()
	for _, id := range notIDs {
		_, err := secrets.NewClient(secrets.WithAPIKey(testToken), secrets.WithOrganizationID(id))
		require.Error(t, err, "%q", id)
		assertSentinels(t, err, secrets.ErrInvalidArgument)
		assert.Contains(t, err.Error(), "WithOrganizationID")
		assert.NotContains(t, err.Error(), strings.TrimSpace(id))

		env := map[string]string{secrets.EnvManagementToken: testToken, secrets.EnvOrganization: id}
		_, err = secrets.NewClient(secrets.WithEnvFunc(func(k string) string { return env[k] }))
		if strings.TrimSpace(id) == "3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f4a5b" {
			require.NoError(t, err, "the environment's value is trimmed") // as every variable is
			continue
		}
		require.Error(t, err, "%q", id)
		assertSentinels(t, err, secrets.ErrInvalidArgument)
		assert.Contains(t, err.Error(), secrets.EnvOrganization)
		assert.NotContains(t, err.Error(), strings.TrimSpace(id))
	}

	c, api := setup(t, secrets.WithOrganizationID(strings.ToUpper(testOrgID)))
	api.on(http.MethodGet, "/v1/secrets", jsonResponder(http.StatusOK, `{"secrets":[]}`))
	_, err := c.Secrets.List(t.Context(), nil)
	require.NoError(t, err)
	assert.Equal(t, strings.ToUpper(testOrgID), api.only().URL.Query().Get("organizationID"))
}
