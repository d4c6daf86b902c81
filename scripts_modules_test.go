package secrets_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
