package secrets_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
