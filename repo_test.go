package secrets_test

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// executableMagic are the first bytes of the executables Go builds: ELF, PE (MZ), Mach-O (both byte
// orders, 32 and 64 bits, and universal).
var executableMagic = [][]byte{
	{0x7f, 'E', 'L', 'F'},
	{'M', 'Z'},
	{0xfe, 0xed, 0xfa, 0xce}, {0xfe, 0xed, 0xfa, 0xcf},
	{0xce, 0xfa, 0xed, 0xfe}, {0xcf, 0xfa, 0xed, 0xfe},
	{0xca, 0xfe, 0xba, 0xbe},
}

// TestNoBuildOutputIsCommitted: no file the repository tracks is an executable. Twice this round a
// binary built in the work tree (a cross-build's secrets.exe, cmd/secrets/secrets) was committed with
// the change beside it; .gitignore now covers those outputs, and this catches the next kind.
func TestNoBuildOutputIsCommitted(t *testing.T) {
	t.Parallel()
	if err := exec.Command("git", "rev-parse", "--is-inside-work-tree").Run(); err != nil {
		t.Skip("not a git work tree (a source archive): nothing is committed here")
	}
	out, err := exec.Command("git", "ls-files", "-z").Output()
	require.NoError(t, err)
	files := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	require.NotEmpty(t, files)
	for _, name := range files {
		head, err := readHead(name, 4)
		if os.IsNotExist(err) {
			continue // deleted in the work tree, not yet committed
		}
		require.NoError(t, err)
		for _, magic := range executableMagic {
			assert.False(t, bytes.HasPrefix(head, magic), "%s is an executable: build outputs belong in .gitignore, not in the repository", name)
		}
	}
}

// readHead returns up to n first bytes of the file.
func readHead(name string, n int) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, n)
	k, err := io.ReadFull(f, head)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	return head[:k], err
}

// readmeInstallCommands returns the go commands of README.md's Install section that work from a
// clone (the published forms are left out), trailing comments removed.
func readmeInstallCommands(t *testing.T) []string {
	t.Helper()
	var cmds []string
	inShell := false
	for _, line := range strings.Split(readmeSection(t, "Install"), "\n") {
		switch {
		case strings.HasPrefix(line, "```"):
			inShell = line == "```sh"
		case inShell && strings.HasPrefix(line, "go "):
			cmd, _, _ := strings.Cut(line, "#")
			cmds = append(cmds, strings.TrimSpace(cmd))
		}
	}
	return cmds
}

// TestReadmeInstallFromAClone runs README.md's install commands as a newcomer would, offline (the
// module cache holds what the library needs): the tools install from the clone, and a module of
// one's own builds against the clone through a workspace and through a replace directive.
func TestReadmeInstallFromAClone(t *testing.T) {
	t.Parallel()
	cmds := readmeInstallCommands(t)
	var install, workspace, replace []string
	for _, c := range cmds {
		switch {
		case strings.HasPrefix(c, "go install ./"):
			install = append(install, c)
		case strings.HasPrefix(c, "go work "):
			workspace = append(workspace, c)
		case strings.HasPrefix(c, "go mod "):
			replace = append(replace, c)
		}
		assert.NotContains(t, c, "@latest", "a published form among the from-clone commands")
	}
	require.Len(t, install, 1, "%q", cmds)
	require.NotEmpty(t, workspace, "%q", cmds)
	require.NotEmpty(t, replace, "%q", cmds)

	clone, err := filepath.Abs(".")
	require.NoError(t, err)
	goEnv := append(os.Environ(), "GOPROXY=off", "GOFLAGS=-buildvcs=false", "GOTOOLCHAIN=local", "GOWORK=off")
	run := func(t *testing.T, dir, cmd string, env ...string) {
		t.Helper()
		args := strings.Fields(strings.ReplaceAll(cmd, "../go-secrets", clone))
		c := exec.Command("go", args[1:]...)
		c.Dir, c.Env = dir, append(append([]string(nil), goEnv...), env...)
		out, err := c.CombinedOutput()
		require.NoError(t, err, "%s in %s:\n%s", cmd, dir, out)
	}
	// newApp is a module of one's own that uses the library.
	newApp := func(t *testing.T) string {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/app\n\ngo 1.24\n"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(`package main

import secrets "github.com/helios-secrets/go-secrets"

func main() { _, _ = secrets.ManageWorkspaces("") }
`), 0o644))
		return dir
	}

	t.Run("tools", func(t *testing.T) {
		t.Parallel()
		bin := t.TempDir()
		run(t, clone, install[0], "GOBIN="+bin)
		for _, tool := range []string{"secrets", "secrets-emulator"} {
			assert.FileExists(t, filepath.Join(bin, tool))
		}
	})
	t.Run("workspace", func(t *testing.T) {
		t.Parallel()
		app := newApp(t)
		for _, c := range workspace {
			run(t, app, c)
		}
		run(t, app, "go build ./...", "GOWORK="+filepath.Join(app, "go.work"))
	})
	t.Run("replace", func(t *testing.T) {
		t.Parallel()
		app := newApp(t)
		for _, c := range replace {
			run(t, app, c)
		}
		run(t, app, "go build ./...")
	})
}

// TestRaceFlagScript: scripts/test.sh asks scripts/race-flag.sh whether to pass -race. Without cgo
// (CGO_ENABLED=0, or no C compiler) it must say so in one line and print no flag, so the tests still
// run; with a C compiler it prints -race.
func TestRaceFlagScript(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		env        []string
		wantFlag   string
		wantReason string
	}{
		"cgo disabled":   {[]string{"CGO_ENABLED=0"}, "", "CGO_ENABLED=0"},
		"no C compiler":  {[]string{"CGO_ENABLED=1", "CC=/nonexistent/bin/cc -m64"}, "", "no C compiler (/nonexistent/bin/cc)"},
		"C compiler set": {[]string{"CGO_ENABLED=1", "CC=bash"}, "-race", ""}, // any executable passes the lookup
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command("bash", "scripts/race-flag.sh")
			cmd.Env = append(os.Environ(), tc.env...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			require.NoError(t, cmd.Run(), stderr.String())
			assert.Equal(t, tc.wantFlag, string(bytes.TrimSpace(stdout.Bytes())))
			if tc.wantReason == "" {
				assert.Empty(t, stderr.String())
				return
			}
			assert.Contains(t, stderr.String(), tc.wantReason)
			assert.Contains(t, stderr.String(), "without the race detector")
			assert.Equal(t, 1, bytes.Count(stderr.Bytes(), []byte("\n")), "one line: %q", stderr.String())
		})
	}
}

// TestModulesScript: scripts/test.sh and .ci/run test every module scripts/modules.sh names: the
// root, then every nested go.mod except fixtures under testdata/ and anything under .git/ or
// node_modules/.
func TestModulesScript(t *testing.T) {
	t.Parallel()
	modules := func(args ...string) []string {
		out, err := exec.Command("bash", append([]string{"scripts/modules.sh"}, args...)...).Output()
		require.NoError(t, err)
		return strings.Fields(string(out))
	}
	t.Run("this repository", func(t *testing.T) {
		t.Parallel()
		got := modules()
		require.NotEmpty(t, got)
		assert.Equal(t, ".", got[0])
		assert.Contains(t, got, "examples/s3")
		assert.Contains(t, got, "examples/database")
		assert.Contains(t, got, "compat/official")
	})
	t.Run("a tree with fixtures", func(t *testing.T) {
		t.Parallel()
		root := t.TempDir()
		for _, dir := range []string{"", "a", "b/c", "b/c/testdata/fixture", "testdata/x", "node_modules/y", ".git/z", "d/node_modules/e"} {
			require.NoError(t, os.MkdirAll(filepath.Join(root, dir), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(root, dir, "go.mod"), []byte("module x\n"), 0o644))
		}
		assert.Equal(t, []string{".", "a", "b/c"}, modules(root))
	})
}
