package official_test

import (
	"bytes"
	"context"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/singlestore-labs/singlestore-go/management"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// spec is the profile that answers as the published OpenAPI document reads.
var spec = secretstest.Profile{BareLists: true, ValuesOnlyByName: true, RegexLookups: true}

// official returns the generated client, authenticated with token, on srv.
func official(t *testing.T, srv *secretstest.Server, token string) *management.ClientWithResponses {
	t.Helper()
	c, err := management.NewClientWithResponses(srv.URL,
		management.WithHTTPClient(srv.Client()),
		management.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+token)
			return nil
		}))
	require.NoError(t, err)
	return c
}

// requireOK stops the test unless the call succeeded with 200 OK; the message holds the body.
func requireOK(t *testing.T, resp interface{ StatusCode() int }, err error) {
	t.Helper()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode(), "%s", reflect.Indirect(reflect.ValueOf(resp)).FieldByName("Body"))
}

func uuidOf(t *testing.T, id string) management.SecretID {
	t.Helper()
	var u management.SecretID
	require.NoError(t, u.UnmarshalText([]byte(id)))
	return u
}

// The official client through the product tour against the spec profile: organization, users,
// teams, create, duplicate, list (values only by name), read, update, share, access list, revoke,
// delete; and this SDK reading what the official client wrote.
func TestOfficialClientTour(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := secretstest.NewServer(secretstest.WithProfile(spec), secretstest.WithOrganizationName("Acme"))
	defer srv.Close()
	ada := srv.AddUser("ada@example.com")
	srv.AddUser("ada+ml@example.com")
	platform := srv.AddTeam("platform", ada.ID)
	admin := official(t, srv, srv.APIKey())
	asAda := official(t, srv, ada.Token)

	org, err := admin.GetV1OrganizationsCurrentWithResponse(ctx)
	requireOK(t, org, err)
	assert.Equal(t, srv.OrganizationID(), org.JSON200.OrgID.String())
	require.NotNil(t, org.JSON200.Name)
	assert.Equal(t, "Acme", *org.JSON200.Name)

	me, err := asAda.GetV1UsersCurrentWithResponse(ctx, &management.GetV1UsersCurrentParams{})
	requireOK(t, me, err)
	assert.Equal(t, ada.ID, me.JSON200.UserID.String())
	assert.Equal(t, management.UserUserKindStandard, me.JSON200.UserKind)

	// Look-ups match as regular expressions: an anchored, escaped pattern finds exactly one user.
	exact := `^ada@example\.com$`
	users, err := admin.GetV1UsersWithResponse(ctx, &management.GetV1UsersParams{Email: &exact})
	requireOK(t, users, err)
	require.Len(t, *users.JSON200, 1)
	assert.Equal(t, ada.ID, (*users.JSON200)[0].UserID.String())
	assert.Equal(t, management.UserUserKindStandard, (*users.JSON200)[0].UserKind)
	loose := "ada"
	users, err = admin.GetV1UsersWithResponse(ctx, &management.GetV1UsersParams{Email: &loose})
	require.NoError(t, err)
	assert.Len(t, *users.JSON200, 2, "unanchored")
	teamName := "^platform$"
	teams, err := admin.GetV1TeamsWithResponse(ctx, &management.GetV1TeamsParams{Name: &teamName})
	requireOK(t, teams, err)
	require.Len(t, *teams.JSON200, 1)
	assert.Equal(t, platform.ID, (*teams.JSON200)[0].TeamID.String())

	created, err := admin.PostV1SecretsWithResponse(ctx, management.SecretCreate{Name: "DB_PASSWORD", Value: "hunter2"})
	requireOK(t, created, err)
	sec := *created.JSON200
	require.NotNil(t, sec.Value)
	assert.Equal(t, "hunter2", *sec.Value)
	assert.Equal(t, srv.APIKeyUser().ID, sec.CreatedBy.String())
	createdAt, err := time.Parse(time.RFC3339, sec.CreatedAt)
	require.NoError(t, err, "createdAt is RFC 3339")
	assert.Equal(t, time.UTC, createdAt.Location())

	dup, err := admin.PostV1SecretsWithResponse(ctx, management.SecretCreate{Name: "DB_PASSWORD", Value: "again"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusConflict, dup.StatusCode())

	list, err := admin.GetV1SecretsWithResponse(ctx, &management.GetV1SecretsParams{})
	require.NoError(t, err, "a bare list decodes")
	require.Equal(t, http.StatusOK, list.StatusCode(), "%s", list.Body)
	require.Len(t, *list.JSON200, 1)
	assert.Equal(t, sec.SecretID, (*list.JSON200)[0].SecretID)
	assert.Nil(t, (*list.JSON200)[0].Value, "no values in an unfiltered list")
	name := "DB_PASSWORD"
	list, err = admin.GetV1SecretsWithResponse(ctx, &management.GetV1SecretsParams{Name: &name})
	require.NoError(t, err)
	require.Len(t, *list.JSON200, 1)
	require.NotNil(t, (*list.JSON200)[0].Value)
	assert.Equal(t, "hunter2", *(*list.JSON200)[0].Value)

	newValue := "n3w"
	updated, err := admin.PatchV1SecretsSecretIDWithResponse(ctx, sec.SecretID, management.SecretUpdate{Value: &newValue})
	requireOK(t, updated, err)
	assert.Equal(t, "n3w", *updated.JSON200.Value)

	// Ada sees the secret but not its value until she is granted Reader; the team gets Owner.
	got, err := asAda.GetV1SecretsSecretIDWithResponse(ctx, sec.SecretID)
	requireOK(t, got, err)
	assert.Nil(t, got.JSON200.Value)
	share, err := admin.PatchV1SecretsSecretIDAccessControlsWithResponse(ctx, sec.SecretID, management.ControlAccessAction{
		Grants: []management.ControlAccessRole{
			{Role: "Reader", Users: []management.UserID{uuidOf(t, ada.ID)}, Teams: []management.UserID{}},
			{Role: "Owner", Users: []management.UserID{}, Teams: []management.UserID{uuidOf(t, platform.ID)}},
		},
		Revokes: []management.ControlAccessRole{},
	})
	requireOK(t, share, err)
	got, err = asAda.GetV1SecretsSecretIDWithResponse(ctx, sec.SecretID)
	require.NoError(t, err)
	require.NotNil(t, got.JSON200.Value)
	assert.Equal(t, "n3w", *got.JSON200.Value)

	access, err := admin.GetV1SecretsSecretIDAccessControlsWithResponse(ctx, sec.SecretID)
	requireOK(t, access, err)
	seen := map[string][]string{} // role → user and team IDs granted
	for _, role := range *access.JSON200 {
		for _, g := range role.Grants {
			assert.False(t, g.CreatedAt.IsZero())
			if g.InheritedFrom != nil {
				assert.Equal(t, srv.OrganizationID(), g.InheritedFrom.ResourceID.String())
				continue
			}
			raw, err := g.Identity.MarshalJSON()
			require.NoError(t, err)
			if bytes.Contains(raw, []byte(`"userID"`)) { // the document's rule: a user has userID
				u, err := g.Identity.AsUserInfo()
				require.NoError(t, err)
				seen[role.Role] = append(seen[role.Role], "user:"+u.UserID.String())
				continue
			}
			team, err := g.Identity.AsTeamInfo()
			require.NoError(t, err)
			seen[role.Role] = append(seen[role.Role], "team:"+team.TeamID.String())
		}
	}
	assert.ElementsMatch(t, []string{"user:" + srv.APIKeyUser().ID, "team:" + platform.ID}, seen["Owner"])
	assert.Equal(t, []string{"user:" + ada.ID}, seen["Reader"])

	// This SDK reads, through its own client, what the official client wrote.
	c, err := secrets.NewClient(secrets.WithAPIKey(ada.Token), secrets.WithBaseURL(srv.URL), secrets.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	mine, err := c.Secrets.GetByName(ctx, "DB_PASSWORD")
	require.NoError(t, err)
	require.NotNil(t, mine.Value)
	assert.Equal(t, "n3w", *mine.Value)
	assert.Equal(t, sec.SecretID.String(), mine.ID)

	revoke, err := admin.PatchV1SecretsSecretIDAccessControlsWithResponse(ctx, sec.SecretID, management.ControlAccessAction{
		Grants:  []management.ControlAccessRole{},
		Revokes: []management.ControlAccessRole{{Role: "Reader", Users: []management.UserID{uuidOf(t, ada.ID)}, Teams: []management.UserID{}}},
	})
	requireOK(t, revoke, err)

	// Ada is still an Owner through the team: she may delete it. Then it is gone.
	deleted, err := asAda.DeleteV1SecretsSecretIDWithResponse(ctx, sec.SecretID)
	requireOK(t, deleted, err)
	assert.Equal(t, sec.SecretID, deleted.JSON200.SecretID)
	gone, err := admin.GetV1SecretsSecretIDWithResponse(ctx, sec.SecretID)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, gone.StatusCode())
}

// Under the default profile the official client cannot read a list: it expects the bare array the
// published document specifies, and the default answers {"secrets":[…]} as the Python SDK reads it.
// This pins the difference the spec profile exists for.
func TestOfficialClientNeedsBareLists(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer()
	defer srv.Close()
	_, err := official(t, srv, srv.APIKey()).GetV1SecretsWithResponse(context.Background(), &management.GetV1SecretsParams{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot unmarshal object")
}
