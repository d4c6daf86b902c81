package secrets_test

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// repoFiles returns the repository's files as slash paths, leaving out hidden directories (.git and
// the like) and node_modules, and the files under testdata/ unless withTestdata.
func repoFiles(t *testing.T, withTestdata bool) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".") && path != "."):
			return filepath.SkipDir
		case d.IsDir() && d.Name() == "testdata" && !withTestdata:
			return filepath.SkipDir
		case !d.IsDir():
			files = append(files, filepath.ToSlash(path))
		}
		return nil
	})
	require.NoError(t, err)
	return files
}

// readmeSection returns the text of README.md's section "## heading", failing the test without it.
func readmeSection(t *testing.T, heading string) string {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	_, section, found := strings.Cut(string(readme), "\n## "+heading+"\n")
	require.True(t, found, "README.md has no %s section", heading)
	section, _, _ = strings.Cut(section, "\n## ")
	return section
}

// mdCitation matches a Markdown file named in prose or a link: "BENCHMARKS.md", "cmd/secrets/README.md".
var mdCitation = regexp.MustCompile(`[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b`)

// TestDocsCiteFilesThatExist: every Markdown file that the repository's documents (the *.md files and
// the package doc.go comments) name is one a reader of the repository can open, relative to the
// citing file or to the repository root.
func TestDocsCiteFilesThatExist(t *testing.T) {
	t.Parallel()
	checked := 0
	for _, path := range repoFiles(t, false) {
		if !strings.HasSuffix(path, ".md") && filepath.Base(path) != "doc.go" {
			continue
		}
		text, err := os.ReadFile(path)
		require.NoError(t, err)
		for _, cited := range mdCitation.FindAllString(string(text), -1) {
			checked++
			_, errRel := os.Stat(filepath.Join(filepath.Dir(path), cited))
			_, errRoot := os.Stat(cited)
			assert.True(t, errRel == nil || errRoot == nil, "%s cites %s, which the repository does not have", path, cited)
		}
	}
	assert.Positive(t, checked, "no citation found: the pattern is broken")
}

// testNameCitation matches a test, fuzz target or benchmark named in a document.
var testNameCitation = regexp.MustCompile(`\b(?:Test|Fuzz|Benchmark)[A-Z][A-Za-z0-9_]*`)

// TestDocsNameTestsThatExist: every test, fuzz target and benchmark that README.md, SECURITY.md,
// BENCHMARKS.md and the other READMEs offer as proof is defined in some module of the repository, so
// that a promise cannot outlive the test that proved it.
func TestDocsNameTestsThatExist(t *testing.T) {
	t.Parallel()
	defined := map[string]bool{}
	var docs []string
	for _, path := range repoFiles(t, false) {
		switch {
		case strings.HasSuffix(path, "_test.go"):
			text, err := os.ReadFile(path)
			require.NoError(t, err)
			for _, m := range testFunc.FindAllStringSubmatch(string(text), -1) {
				defined[m[1]] = true
			}
		case strings.HasSuffix(path, ".md"):
			docs = append(docs, path)
		}
	}
	require.Contains(t, docs, "SECURITY.md")
	checked := 0
	for _, doc := range docs {
		text, err := os.ReadFile(doc)
		require.NoError(t, err)
		for _, name := range testNameCitation.FindAllString(string(text), -1) {
			if strings.HasSuffix(name, "Xxx") { // a placeholder: testdata/fuzz/FuzzXxx
				continue
			}
			checked++
			assert.True(t, defined[name], "%s names %s, which no _test.go file defines", doc, name)
		}
	}
	assert.Greater(t, checked, 50, "too few test names found: the pattern is broken")
}

// testFunc matches the definition of a test, fuzz target or benchmark, and captures its name.
var testFunc = regexp.MustCompile(`(?m)^func ((?:Test|Fuzz|Benchmark)[A-Za-z0-9_]*)\(`)

// TestCodeCitesNothingOutsideTheRepository: comments and documents cite what a reader of the
// repository can open. The design notes the team works from (DESIGN.md, one directory up) are not
// part of it.
func TestCodeCitesNothingOutsideTheRepository(t *testing.T) {
	t.Parallel()
	outside := regexp.MustCompile(`DESIGN(?:\.md| ?§)|\.\./shared\b`)
	for _, path := range repoFiles(t, false) {
		if path == "docs_test.go" || !strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, ".md") && !strings.HasSuffix(path, ".sh") {
			continue // docs_test.go names the pattern
		}
		text, err := os.ReadFile(path)
		require.NoError(t, err)
		for _, m := range outside.FindAllString(string(text), -1) {
			assert.Fail(t, "a citation outside the repository", "%s cites %q, which the repository does not have", path, m)
		}
	}
}

// TestReadmeLayoutNamesEveryFile: the Layout table of README.md names every non-test Go file of the
// root package and every nested module, so that a newcomer's map of the repository stays whole.
func TestReadmeLayoutNamesEveryFile(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	layout := readmeSection(t, "Layout")

	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") {
			assert.Contains(t, layout, "`"+f+"`", "README.md's Layout does not name %s", f)
		}
	}
	out, err := exec.Command("bash", "scripts/modules.sh").Output()
	require.NoError(t, err)
	for _, mod := range strings.Fields(string(out))[1:] {
		_, name := filepath.Split(mod)
		assert.Contains(t, layout, name, "README.md's Layout does not name the nested module %s", mod)
		assert.Contains(t, string(readme), "`"+mod+"`", "README.md never names the nested module %s", mod)
	}
	scripts, err := filepath.Glob("scripts/*.sh")
	require.NoError(t, err)
	for _, s := range scripts {
		assert.Contains(t, layout, "`"+filepath.Base(s)+"`", "README.md's Layout does not name %s", s)
	}
}

// sourceCitation matches a source file or script named in code font in a document: `body.go`,
// `cmd/secrets/mask_automaton.go`, `scripts/test.sh`, `testdata/script/run.txtar`.
var sourceCitation = regexp.MustCompile("`([A-Za-z0-9_./-]+\\.(?:go|sh|txtar))`")

// TestDocsCiteSourceFilesThatExist: every source file a document names in code font exists, relative
// to the document, to the repository root, or as the end of a path in the repository (a document may
// name `body_test.go` without its directory), unless the document says at once that it lies outside
// this repository.
func TestDocsCiteSourceFilesThatExist(t *testing.T) {
	t.Parallel()
	files := repoFiles(t, true)
	var docs []string
	for _, path := range files {
		if strings.HasSuffix(path, ".md") && !strings.Contains(path, "testdata/") {
			docs = append(docs, path)
		}
	}
	exists := func(doc, cited string) bool {
		for _, p := range []string{filepath.Join(filepath.Dir(doc), cited), cited} {
			if _, err := os.Stat(p); err == nil {
				return true
			}
		}
		for _, f := range files {
			if strings.HasSuffix(f, "/"+cited) {
				return true
			}
		}
		return false
	}
	checked := 0
	for _, doc := range docs {
		text, err := os.ReadFile(doc)
		require.NoError(t, err)
		for _, loc := range sourceCitation.FindAllStringSubmatchIndex(string(text), -1) {
			cited := string(text[loc[2]:loc[3]])
			after := string(text[loc[1]:min(loc[1]+80, len(text))])
			if strings.Contains(strings.Join(strings.Fields(after), " "), "outside this repository") {
				continue // named as a file elsewhere, on purpose
			}
			checked++
			assert.True(t, exists(doc, cited), "%s names %s, which the repository does not have", doc, cited)
		}
	}
	assert.Greater(t, checked, 20, "too few citations found: the pattern is broken")
}
