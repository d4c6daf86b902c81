package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// TestBinary builds the command and starts it with seed flags. Raw HTTP with the API key and with
// member tokens, then the SDK: the organization API key creates a secret and shares it with a seeded
// member by e-mail; the member reads it, as a Reader may, and is refused an update; a member seeded
// only through -team gets the team's role. SIGTERM then ends the process cleanly, with exit status 0.
func TestBinary(t *testing.T) {
	t.Parallel()
	p := startEmulatorBinary(t,
		"-user", "ada@example.com",
		"-user", "alice@example.com",
		"-team", "platform=alice@example.com,bob@example.com,carol@example.com", // alice once
		"-org", "Acme Corp",
		"-api-key", "binary-key",
	)
	line := p.line
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, line.BaseURL)
	assert.Equal(t, "binary-key", line.APIKey)
	require.Len(t, line.Users, 4)
	assert.Equal(t, []string{"ada@example.com", "alice@example.com", "bob@example.com", "carol@example.com"},
		[]string{line.Users[0].Email, line.Users[1].Email, line.Users[2].Email, line.Users[3].Email})
	require.Len(t, line.Teams, 1)
	assert.Equal(t, "platform", line.Teams[0].Name)
	ada, alice, bob := line.Users[0], line.Users[1], line.Users[2]

	status, body := send(t, line.BaseURL, line.APIKey, http.MethodGet, "/v1/organizations/current", "")
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"orgID":"`+line.OrganizationID+`","name":"Acme Corp","firewallRanges":[]}`, body)
	status, body = send(t, line.BaseURL, alice.Token, http.MethodPost, "/v1/secrets", `{"name":"FROM_BINARY","value":"v"}`)
	assert.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `"createdBy":"`+alice.ID+`"`)
	status, body = send(t, line.BaseURL, bob.Token, http.MethodGet, "/v1/teams?name=platform", "")
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, line.Teams[0].ID)

	// A transport of the test's own, so that its idle connections can be closed before goleak looks.
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	newClient := func(token string) *secrets.Client {
		c, err := secrets.NewClient(
			secrets.WithAPIKey(token),
			secrets.WithBaseURL(line.BaseURL),
			secrets.WithHTTPClient(&http.Client{Transport: tr}),
			secrets.WithRetryWait(time.Millisecond, 10*time.Millisecond),
		)
		require.NoError(t, err)
		return c
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, adaC, bobC := newClient(line.APIKey), newClient(ada.Token), newClient(bob.Token)

	org, err := admin.Organizations.Current(ctx)
	require.NoError(t, err)
	assert.Equal(t, line.OrganizationID, org.ID)
	assert.Equal(t, "Acme Corp", org.Name)

	s, err := admin.Secrets.Create(ctx, "DB_PASSWORD", "hunter2")
	require.NoError(t, err)
	got, err := adaC.Secrets.GetByName(ctx, "DB_PASSWORD")
	require.NoError(t, err)
	assert.Nil(t, got.Value, "not shared yet")

	require.NoError(t, admin.Secrets.ShareByName(ctx, s.ID, &secrets.ShareByNameRequest{
		Grants: []secrets.NamedAccessChange{{Role: secrets.RoleReader, UserEmails: []string{"ADA@example.com"}}},
	}))
	got, err = adaC.Secrets.GetByName(ctx, "DB_PASSWORD")
	require.NoError(t, err)
	require.NotNil(t, got.Value)
	assert.Equal(t, "hunter2", *got.Value)
	orgAsAda, err := adaC.Organizations.Current(ctx)
	require.NoError(t, err)
	got, err = orgAsAda.GetSecret(ctx, "DB_PASSWORD")
	require.NoError(t, err)
	require.NotNil(t, got.Value)
	assert.Equal(t, "hunter2", *got.Value)

	_, err = adaC.Secrets.Update(ctx, s.ID, "ada was here")
	assert.ErrorIs(t, err, secrets.ErrForbidden, "a Reader may not update")
	assert.ErrorIs(t, adaC.Secrets.Delete(ctx, s.ID), secrets.ErrForbidden, "a Reader may not delete")

	// The -team seed: bob gets what the team is given.
	team, err := adaC.Organizations.TeamByName(ctx, "platform")
	require.NoError(t, err)
	assert.Equal(t, line.Teams[0].ID, team.ID)
	require.NoError(t, admin.Secrets.ShareByName(ctx, s.ID, &secrets.ShareByNameRequest{
		Grants: []secrets.NamedAccessChange{{Role: secrets.RoleOwner, TeamNames: []string{"platform"}}},
	}))
	upd, err := bobC.Secrets.Update(ctx, s.ID, "hunter3")
	require.NoError(t, err)
	assert.Equal(t, bob.ID, upd.LastUpdatedBy)
	got, err = admin.Secrets.Get(ctx, s.ID)
	require.NoError(t, err)
	require.NotNil(t, got.Value)
	assert.Equal(t, "hunter3", *got.Value)

	// Unknown tokens are refused.
	_, err = newClient("not-a-token").Secrets.List(ctx, nil)
	assert.ErrorIs(t, err, secrets.ErrUnauthorized)

	tr.CloseIdleConnections()
	p.stop(t)
}

// readmeLines returns the README's emulator command (its flags) and the `secrets` commands of its
// section on the command that create, read and share, as a user would type them.
func readmeLines(t *testing.T) (emulatorArgs []string, commands []string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	readme := string(data)
	m := regexp.MustCompile("`go run ./cmd/secrets-emulator ([^`]*)`").FindStringSubmatch(readme)
	require.NotNil(t, m, "README shows the emulator command")
	emulatorArgs = strings.Fields(m[1])
	_, section, found := strings.Cut(readme, "## The `secrets` command")
	require.True(t, found, "README has a section on the secrets command")
	section, _, _ = strings.Cut(section, "\n## ")
	for _, line := range strings.Split(section, "\n") {
		line, _, _ = strings.Cut(line, "  #") // a trailing comment
		line = strings.TrimSpace(line)
		if _, after, piped := strings.Cut(line, "| "); piped {
			line = after
		}
		for _, verb := range []string{"create", "get", "share"} {
			if strings.HasPrefix(line, "secrets "+verb+" ") {
				commands = append(commands, line)
			}
		}
	}
	return emulatorArgs, commands
}

// TestREADMEShareSequence runs the README's emulator command and then its create, get and share
// lines with the real `secrets` command: the people and teams the share line names must exist.
func TestREADMEShareSequence(t *testing.T) {
	t.Parallel()
	args, commands := readmeLines(t)
	require.Len(t, commands, 3, "create, get, share: %q", commands)
	for i := 1; i < len(args); i++ { // the README's fixed port may be taken here: any free port will do
		if args[i-1] == "-addr" {
			args[i] = "127.0.0.1:0"
		}
	}
	line := startRun(t, args...)

	bin := goBuild(t, "../secrets", "secrets")

	const value = "readme-s3cret"
	for _, command := range commands {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := exec.CommandContext(ctx, bin, strings.Fields(command)[1:]...)
		cmd.Env = []string{
			"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"),
			"SINGLESTOREDB_MANAGEMENT_BASE_URL=" + line.BaseURL,
			"SINGLESTOREDB_MANAGEMENT_TOKEN=" + line.APIKey,
		}
		cmd.Stdin = strings.NewReader(value) // what `printf %s "$PASSWORD" |` gives create
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		cancel()
		require.NoError(t, err, "%s\nstdout: %s\nstderr: %s", command, stdout.String(), stderr.String())
		if strings.HasPrefix(command, "secrets get ") {
			assert.Equal(t, value, stdout.String())
		}
	}

	// What the share line did, as the SDK sees it: ada reads the value with her own (JWT) token,
	// and the team is an Owner.
	var ada readyUser
	for _, u := range line.Users {
		if u.Email == "ada@example.com" {
			ada = u
		}
	}
	require.NotEmpty(t, ada.Token, "the README's emulator command adds ada")
	c, err := secrets.NewClient(secrets.WithAPIKey(ada.Token), secrets.WithBaseURL(line.BaseURL))
	require.NoError(t, err)
	ctx := context.Background()
	sec, err := c.Secrets.GetByName(ctx, "DB_PASSWORD")
	require.NoError(t, err)
	require.NotNil(t, sec.Value)
	assert.Equal(t, value, *sec.Value)
	roles, err := c.Secrets.Access(ctx, sec.ID)
	require.NoError(t, err)
	holders := map[secrets.Role][]string{}
	for _, r := range roles {
		for _, g := range r.Grants {
			switch {
			case g.InheritedFrom != nil:
			case g.User != nil:
				holders[r.Role] = append(holders[r.Role], g.User.Email)
			case g.Team != nil:
				holders[r.Role] = append(holders[r.Role], "team:"+g.Team.Name)
			}
		}
	}
	assert.Contains(t, holders[secrets.RoleReader], "ada@example.com")
	assert.Contains(t, holders[secrets.RoleOwner], "team:platform")
}
