package main

import (
	"bytes"
	"context"
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

	goTool, err := exec.LookPath("go")
	require.NoError(t, err, "the go tool builds the secrets command")
	bin := filepath.Join(t.TempDir(), "secrets")
	out, err := exec.Command(goTool, "build", "-buildvcs=false", "-o", bin, "../secrets").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

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
