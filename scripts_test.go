package secrets_test

import (
	"bytes"
	"os"
	"os/exec"
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
