package secrets_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mdCitation matches a Markdown file named in prose or a link: "BENCHMARKS.md", "cmd/secrets/README.md".
var mdCitation = regexp.MustCompile(`[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b`)

// TestDocsCiteFilesThatExist: every Markdown file that the repository's documents (the *.md files and
// the package doc.go comments) name is one a reader of the repository can open, relative to the
// citing file or to the repository root.
func TestDocsCiteFilesThatExist(t *testing.T) {
	t.Parallel()
	checked := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != ".") {
			return filepath.SkipDir
		}
		if d.IsDir() || !(strings.HasSuffix(path, ".md") || d.Name() == "doc.go") {
			return nil
		}
		text, err := os.ReadFile(path)
		require.NoError(t, err)
		for _, cited := range mdCitation.FindAllString(string(text), -1) {
			checked++
			_, errRel := os.Stat(filepath.Join(filepath.Dir(path), cited))
			_, errRoot := os.Stat(cited)
			assert.True(t, errRel == nil || errRoot == nil, "%s cites %s, which the repository does not have", path, cited)
		}
		return nil
	})
	require.NoError(t, err)
	assert.Positive(t, checked, "no citation found: the pattern is broken")
}
