package secrets_test

import (
	"bytes"
	"io"
	"os"
	"os/exec"
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
