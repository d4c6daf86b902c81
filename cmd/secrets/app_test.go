package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestAPICommandsCheckArgumentsFirst: every command that calls the API refuses a bad command line
// (exit 2) before it looks for credentials, so a mistyped command never gets an answer about the
// environment instead. The environment holds no credentials: the last row shows what a good command
// line gets from it.
func TestAPICommandsCheckArgumentsFirst(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want int
	}{
		{[]string{"get"}, exitUsage},
		{[]string{"get", "A", "B"}, exitUsage},
		{[]string{"list", "A"}, exitUsage},
		{[]string{"whoami", "A"}, exitUsage},
		{[]string{"access"}, exitUsage},
		{[]string{"create", "A", "value"}, exitUsage},
		{[]string{"update"}, exitUsage},
		{[]string{"delete", "A"}, exitUsage}, // no --yes and no terminal to ask on
		{[]string{"delete", "A", "B", "--yes"}, exitUsage},
		{[]string{"share", "A"}, exitUsage}, // nothing to share
		{[]string{"share", "--reader", "a@example.com"}, exitUsage},
		{[]string{"get", "A"}, exitAuth},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), tc.args, strings.NewReader(""), &stdout, &stderr, nil)
			assert.Equal(t, tc.want, code, "stderr: %s", stderr.String())
			assert.Empty(t, stdout.String())
			if tc.want == exitUsage {
				assert.NotContains(t, stderr.String(), "credentials")
			}
		})
	}
}
