package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckArgSize(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("v", 100)
	values := map[string]string{"BIG": big, "SMALL": "s3cr3t", "MID": strings.Repeat("m", 40)}
	specs := []envSpec{{"SMALL", "SMALL"}, {"BIG", "B"}, {"MID", "MID"}}
	env := []string{"SMALL=s3cr3t", "B=" + big, "MID=" + values["MID"]}
	argv := []string{"cmd", "arg"}
	// Bytes of path, argv and env with NULs and pointers: 5 + (4+8) + (4+8) + (13+8) + (103+8) + (45+8).
	const total = 214

	tests := []struct {
		name    string
		lim     argLimits
		wantErr string // "" for none
	}{
		{"no limits", argLimits{}, ""},
		{"everything fits exactly", argLimits{perString: len("B=") + 100 + 1, total: total}, ""},
		{"one variable one byte too long", argLimits{perString: len("B=") + 100}, "run: secret BIG is 100 bytes, too large for an environment variable (at most 99 bytes with B= on this system); pass it in a file with --file BIG=VAR"},
		{"together one byte too much", argLimits{total: total - 1}, "run: the command line and environment would take 214 bytes, more than this system lets a program start with (213); pass the largest secrets in files with --file NAME=VAR: BIG (100 bytes), MID (40 bytes), SMALL (6 bytes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := checkArgSize(tt.lim, "/cmd", argv, env, specs, values)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.wantErr)
			assert.Equal(t, exitUsage, exitCode(err))
		})
	}
}

func TestSystemArgLimits(t *testing.T) {
	t.Parallel()
	lim := systemArgLimits()
	if runtime.GOOS != "linux" {
		assert.Equal(t, argLimits{}, lim)
		return
	}
	assert.Equal(t, 32*os.Getpagesize(), lim.perString, "MAX_ARG_STRLEN")
	assert.GreaterOrEqual(t, lim.total, 32*os.Getpagesize())
	assert.LessOrEqual(t, lim.total, 6<<20)
}

func TestWriteSecretFiles(t *testing.T) {
	t.Parallel()
	values := map[string]string{"CA": "-----BEGIN CERTIFICATE-----\nMIIB\x00\n", "KEY": "k3y-value"}
	f, err := writeSecretFiles([]envSpec{{"CA", "CA_FILE"}, {"KEY", "KEY_FILE"}, {"CA", "CA_AGAIN"}}, values)
	require.NoError(t, err)
	require.Len(t, f.vars, 3)

	info, err := os.Stat(f.dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), info.Mode().Perm(), "a private directory")
	for i, want := range []struct{ variable, value string }{{"CA_FILE", values["CA"]}, {"KEY_FILE", values["KEY"]}, {"CA_AGAIN", values["CA"]}} {
		variable, path, ok := strings.Cut(f.vars[i], "=")
		require.True(t, ok)
		assert.Equal(t, want.variable, variable)
		assert.Equal(t, filepath.Join(f.dir, want.variable), path)
		got, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, want.value, string(got), "byte for byte, NUL included")
		info, err := os.Stat(path)
		require.NoError(t, err)
		if runtime.GOOS != "windows" {
			assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
		}
	}
	f.remove()
	_, err = os.Stat(f.dir)
	assert.ErrorIs(t, err, os.ErrNotExist, "removed with its files")

	none, err := writeSecretFiles(nil, values)
	require.NoError(t, err)
	assert.Empty(t, none.dir, "no directory without --file")
	none.remove()
}
