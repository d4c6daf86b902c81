package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

func TestParseArgsDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := parseArgs([]string{"-repo", "meta-llama/Llama-3.2-1B"}, &bytes.Buffer{}, func(string) string { return "" })
	require.NoError(t, err)
	assert.Equal(t, "meta-llama/Llama-3.2-1B", cfg.repo)
	assert.Equal(t, "main", cfg.revision)
	assert.Equal(t, []string{"config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors"}, cfg.files)
	assert.Equal(t, filepath.Join("models", "meta-llama", "Llama-3.2-1B"), cfg.dir)
	assert.Equal(t, "HF_TOKEN", cfg.secret)
	assert.Equal(t, 3, cfg.retries)
	assert.Equal(t, "https://huggingface.co", cfg.endpoint.String())

	cfg, err = parseArgs([]string{"-repo", "gpt2", "-revision", "refs/pr/1", "-files", " a.json,,b/c.bin , a.json",
		"-dir", "out", "-secret", "MY_TOKEN", "-retries", "0"}, &bytes.Buffer{},
		func(k string) string { return map[string]string{"HF_ENDPOINT": "https://hf-mirror.com/"}[k] })
	require.NoError(t, err)
	assert.Equal(t, []string{"a.json", "b/c.bin"}, cfg.files)
	assert.Equal(t, "out", cfg.dir)
	assert.Equal(t, "MY_TOKEN", cfg.secret)
	assert.Equal(t, "refs/pr/1", cfg.revision)
	assert.Equal(t, 0, cfg.retries)
	assert.Equal(t, "https://hf-mirror.com", cfg.endpoint.String())
}

func TestParseArgsRejects(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args     []string
		endpoint string
		want     string
	}{
		{nil, "", "-repo is required"},
		{[]string{"-repo", "a/b/c"}, "", `-repo "a/b/c" is not a repository ID`},
		{[]string{"-repo", "a/.."}, "", "is not a repository ID"},
		{[]string{"-repo", "-x"}, "", "is not a repository ID"},
		{[]string{"-repo", "a/b", "-files", "../../.bashrc"}, "", `-files: "../../.bashrc" is not a file of the repository`},
		{[]string{"-repo", "a/b", "-files", "/etc/passwd"}, "", "is not a file of the repository"},
		{[]string{"-repo", "a/b", "-files", "x/./y"}, "", "is not a file of the repository"},
		{[]string{"-repo", "a/b", "-files", `x\y`}, "", "is not a file of the repository"},
		{[]string{"-repo", "a/b", "-files", "model.safetensors.incomplete"}, "", "is not a file of the repository"},
		{[]string{"-repo", "a/b", "-files", ","}, "", "-files names no file"},
		{[]string{"-repo", "a/b", "-revision", " "}, "", "is not a branch, tag or commit"},
		{[]string{"-repo", "a/b", "-retries", "-1"}, "", "-retries -1: want 0 or more"},
		{[]string{"-repo", "a/b", "config.json"}, "", `unexpected argument "config.json"`},
		{[]string{"-repo", "a/b"}, "http://hub.example", "plain http would send the token in the clear"},
		{[]string{"-nope"}, "", "flag provided but not defined: -nope"},
	} {
		var stderr bytes.Buffer
		_, err := parseArgs(tc.args, &stderr, func(string) string { return tc.endpoint })
		var usage *usageError
		if assert.ErrorAs(t, err, &usage, tc.args) {
			assert.Contains(t, err.Error(), tc.want)
			assert.Equal(t, usage.printed, stderr.Len() > 0, "the flag package printed it, or main will")
		}
	}
}

func TestReadTokenExplainsSecretErrors(t *testing.T) {
	t.Parallel()
	const value = "hf_ValueThatMustNeverBePrinted0000"
	reader := func(v string, err error) secretReader {
		return func(context.Context, string) (string, error) { return v, err }
	}
	for _, tc := range []struct {
		value    string
		err      error
		want     string
		sentinel error
	}{
		{"", fmt.Errorf("secrets: GET /v1/secrets: %w", secrets.ErrNotFound),
			"no secret named HF_TOKEN in your organization", secrets.ErrNotFound},
		{"", secrets.ErrNoCredentials, "no SingleStore credentials in the environment: set SINGLESTOREDB_MANAGEMENT_TOKEN", secrets.ErrNoCredentials},
		{"", secrets.ErrValueWithheld, "ask one of its Owners to share it with you as Reader", secrets.ErrValueWithheld},
		{"", secrets.ErrInvalidName, `-secret "HF_TOKEN" is not a secret name`, secrets.ErrInvalidName},
		{"", secrets.ErrTokenExpired, "your SingleStore token has expired", secrets.ErrTokenExpired},
		{"", &secrets.APIError{StatusCode: 401, Method: "GET", Path: "/v1/secrets"},
			"the Management API refused your SingleStore credentials (HTTP 401)", secrets.ErrUnauthorized},
		{"", &secrets.APIError{StatusCode: 403, Method: "GET", Path: "/v1/secrets"}, "(HTTP 403)", secrets.ErrForbidden},
		{"", context.Canceled, "context canceled", context.Canceled},
		{"", errors.New("boom"), "reading secret HF_TOKEN: boom", nil},
		{"  \n", nil, "secret HF_TOKEN is empty", nil},
		{"hf_abc def" + value, nil, "the value of secret HF_TOKEN holds spaces or control characters", nil},
	} {
		_, err := readToken(context.Background(), reader(tc.value, tc.err), "HF_TOKEN")
		if assert.Error(t, err) {
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), value)
			if tc.sentinel != nil {
				assert.ErrorIs(t, err, tc.sentinel)
			}
		}
	}
	token, err := readToken(context.Background(), reader(" "+value+"\r\n", nil), "HF_TOKEN")
	require.NoError(t, err)
	assert.Equal(t, value, token)
}

func TestParseContentRange(t *testing.T) {
	t.Parallel()
	for v, want := range map[string][3]int64{ // start, total, ok
		"bytes 100-199/200": {100, 200, 1},
		"bytes 0-0/1":       {0, 1, 1},
		"bytes 5-9/*":       {5, -1, 1},
		"bytes */200":       {0, 200, 1},
		"bytes 100-199/150": {0, -1, 0},
		"bytes 9-5/200":     {0, -1, 0},
		"bytes=100-199/200": {0, -1, 0},
		"bytes 100-/200":    {0, -1, 0},
		"":                  {0, -1, 0},
	} {
		start, total, ok := parseContentRange(v)
		assert.Equal(t, want, [3]int64{start, total, map[bool]int64{true: 1}[ok]}, v)
	}
}

func TestExpectedSize(t *testing.T) {
	t.Parallel()
	for _, tc := range [][3]int64{ // from the response, X-Linked-Size, want
		{10, -1, 10}, {-1, 10, 10}, {10, 10, 10}, {-1, -1, -1},
	} {
		got, err := expectedSize("f", tc[0], tc[1])
		require.NoError(t, err)
		assert.Equal(t, tc[2], got)
	}
	_, err := expectedSize("f", 10, 11)
	assert.EqualError(t, err, "f: size mismatch: the Hub announced 11 bytes (X-Linked-Size), the download server sends 10")
}

func TestValidFileName(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"config.json", "onnx/model.onnx", "a b.json", ".gitattributes"} {
		assert.True(t, validFileName(ok), ok)
	}
	for _, bad := range []string{"", "/x", "../x", "x/..", "x//y", "./x", `a\b`, "c:x", "x\n", "a.incomplete"} {
		assert.False(t, validFileName(bad), bad)
	}
	assert.False(t, strings.Contains(strings.Join(defaultFiles, ","), partSuffix))
}
