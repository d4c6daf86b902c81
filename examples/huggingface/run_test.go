package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/examples/huggingface/internal/hubtest"
	"github.com/helios-secrets/go-secrets/secretstest"
)

// The tests in this file run the program as main does: run reads the token with secrets.GetSecret,
// which takes the SingleStore credentials from the process environment. They set it with t.Setenv,
// so they cannot run in parallel; the other tests use runWith with a reader bound to the emulator.

// ambient points the SingleStore variables at emu (with token) and HF_ENDPOINT at endpoint.
func ambient(t *testing.T, emu *secretstest.Server, token, endpoint string) {
	t.Setenv(secrets.EnvManagementToken, token)
	t.Setenv(secrets.EnvManagementBaseURL, emu.URL)
	t.Setenv(secrets.EnvURL, "")
	t.Setenv(secrets.EnvOrganization, "")
	t.Setenv(secrets.EnvManagementVersion, "")
	t.Setenv("HF_ENDPOINT", endpoint)
}

func TestRunEndToEnd(t *testing.T) {
	hub := hubtest.NewServer(hfToken, tinyModel())
	defer hub.Close()
	emu := secretstest.NewServer()
	defer emu.Close()
	admin, err := secrets.NewClient(secrets.WithAPIKey(emu.APIKey()), secrets.WithBaseURL(emu.URL))
	require.NoError(t, err)
	_, err = admin.Secrets.Create(context.Background(), "HF_TOKEN", hfToken)
	require.NoError(t, err)
	ambient(t, emu, emu.APIKey(), hub.URL)
	dir := filepath.Join(t.TempDir(), "out")

	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-repo", repoID, "-dir", dir}, &stdout, &stderr, os.Getenv))

	for _, file := range tinyModel().Files {
		got, err := os.ReadFile(filepath.Join(dir, file.Name))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(file.Data, got), file.Name)
	}
	assert.Equal(t, dir+": 4 files of acme/tiny-llama, 4.2 MB (4 downloaded, 0 already up to date)\n", stdout.String())
	assert.Len(t, lines(stderr.String()), 5) // the heading and one line per file: stderr is not a terminal
	for _, r := range hub.Requests() {
		if r.Server == "cdn" {
			assert.Empty(t, r.Authorization, r.Path)
		} else {
			assert.Equal(t, "Bearer "+hfToken, r.Authorization, r.Path)
		}
	}
	assert.NotContains(t, stdout.String()+stderr.String(), hfToken)

	// The one request to the Management API: GET /v1/secrets?name=HF_TOKEN.
	reqs := emu.Requests()
	require.Len(t, reqs, 2) // the Create above, then the program's read
	assert.Equal(t, "GET", reqs[1].Method)
	assert.Equal(t, "/v1/secrets", reqs[1].Path)
	assert.Equal(t, "name=HF_TOKEN", reqs[1].RawQuery)
}

// TestRunExplainsWhyTheTokenCannotBeRead: each way the read of the token fails is explained, and
// the Hub is never asked.
func TestRunExplainsWhyTheTokenCannotBeRead(t *testing.T) {
	for _, tc := range []struct {
		name   string
		user   func(emu *secretstest.Server) string // the SingleStore token the program runs with
		is     error
		want   []string
		noRead bool // the Management API is not asked either
	}{
		{"without the secret", func(emu *secretstest.Server) string { return emu.APIKey() }, secrets.ErrNotFound, []string{
			"no secret named HF_TOKEN in your organization: create it in the Cloud Portal (Secrets)",
			"or name another one with -secret"}, false},
		{"without credentials", func(*secretstest.Server) string { return "" }, secrets.ErrNoCredentials, []string{
			"cannot read secret HF_TOKEN: no SingleStore credentials in the environment: set SINGLESTOREDB_MANAGEMENT_TOKEN"}, true},
		{"not shared with you", func(emu *secretstest.Server) string {
			emu.AddSecret("HF_TOKEN", hfToken, "") // the organization's, not shared with ada
			return emu.AddUser("ada@example.com").Token
		}, secrets.ErrValueWithheld, []string{
			"you may see secret HF_TOKEN but not read its value: ask one of its Owners to share it with you as Reader"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hub := hubtest.NewServer(hfToken, tinyModel())
			defer hub.Close()
			emu := secretstest.NewServer()
			defer emu.Close()
			ambient(t, emu, tc.user(emu), hub.URL)

			var stdout, stderr bytes.Buffer
			err := run(context.Background(), []string{"-repo", repoID, "-dir", t.TempDir()}, &stdout, &stderr, os.Getenv)

			require.Error(t, err)
			assert.True(t, errors.Is(err, tc.is), err)
			for _, want := range tc.want {
				assert.Contains(t, err.Error(), want)
			}
			assert.NotContains(t, err.Error()+stdout.String()+stderr.String(), hfToken)
			assert.Empty(t, hub.Requests(), "no request to the Hub without a token")
			if tc.noRead {
				assert.Zero(t, emu.RequestCount())
			}
		})
	}
}

func TestRunRejectsBadCommandLines(t *testing.T) {
	// No environment needed: the command line is checked before anything is read.
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"-repo", "../etc"}, &bytes.Buffer{}, &stderr, func(string) string { return "" })
	var usage *usageError
	require.ErrorAs(t, err, &usage)
	assert.Contains(t, err.Error(), `-repo "../etc" is not a repository ID`)

	err = run(context.Background(), []string{"-h"}, &bytes.Buffer{}, &stderr, func(string) string { return "" })
	assert.ErrorIs(t, err, flag.ErrHelp)
	assert.Contains(t, stderr.String(), "Usage: huggingface -repo ID [flags]")
}
