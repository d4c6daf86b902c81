package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"

	"github.com/helios-secrets/go-secrets/examples/s3/internal/s3fake"
)

// The key pairs of the tests: the one in the secrets at first, and the one they are rotated to.
const (
	oldID     = "AKIAOLDKEYEXAMPLE001"
	oldSecret = "oldSecretKeyEXAMPLE/0123456789abcdefghij"
	newID     = "AKIANEWKEYEXAMPLE002"
	newSecret = "newSecretKeyEXAMPLE/klmnopqrstuvwxyz0123"
)

// world is a secrets emulator holding the key pair and an S3 fake that checks signatures.
type world struct {
	secrets *secretstest.Server
	admin   *secrets.Client
	s3      *s3fake.Server
}

// newWorld stores the secrets (those of values that are not empty) and starts an S3 fake that
// knows both key pairs, as AWS does while a key is rotated.
func newWorld(t *testing.T, akid, secretKey string) *world {
	t.Helper()
	srv := secretstest.NewServer()
	t.Cleanup(srv.Close)
	admin, err := secrets.NewClient(secrets.WithAPIKey(srv.APIKey()), secrets.WithBaseURL(srv.URL))
	require.NoError(t, err)
	ctx := context.Background()
	for name, value := range map[string]string{"AWS_ACCESS_KEY_ID": akid, "AWS_SECRET_KEY": secretKey} {
		if value != "" {
			_, err := admin.Secrets.Create(ctx, name, value)
			require.NoError(t, err)
		}
	}
	fake := s3fake.NewServer(map[string]s3fake.Key{
		oldID: {SecretAccessKey: oldSecret},
		newID: {SecretAccessKey: newSecret},
	})
	t.Cleanup(fake.Close)
	srv.ResetRequests()
	return &world{secrets: srv, admin: admin, s3: fake}
}

// env is the environment of the program: the emulator's address and API key.
func (w *world) env() func(string) string {
	return mapEnv(map[string]string{
		secrets.EnvManagementToken:   w.secrets.APIKey(),
		secrets.EnvManagementBaseURL: w.secrets.URL,
	})
}

// run runs the program against the fake with w's environment.
func (w *world) run(stdout, stderr io.Writer, args ...string) error {
	return run(context.Background(), append([]string{"-endpoint", w.s3.URL}, args...), stdout, stderr, w.env())
}

func mapEnv(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// client builds the program's S3 client against the fake, with the given TTL.
func (w *world) client(t *testing.T, ttl time.Duration, more ...string) *s3Client {
	t.Helper()
	args := append([]string{"-endpoint", w.s3.URL, "-bucket", "demo", "-ttl", ttl.String()}, more...)
	o, err := parseArgs(args, io.Discard, mapEnv(nil))
	require.NoError(t, err)
	sc, err := secrets.NewClient(secrets.WithEnvFunc(w.env()))
	require.NoError(t, err)
	c, err := newS3Client(context.Background(), o, sc)
	require.NoError(t, err)
	return c
}

// rotate updates both secrets to the new key pair, as an Owner rotating the key does.
func (w *world) rotate(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	for name, value := range map[string]string{"AWS_ACCESS_KEY_ID": newID, "AWS_SECRET_KEY": newSecret} {
		s, err := w.admin.Secrets.GetByName(ctx, name)
		require.NoError(t, err)
		_, err = w.admin.Secrets.Update(ctx, s.ID, value)
		require.NoError(t, err)
	}
}

// lastSigner is the access key ID of the last request the fake received, and whether its signature
// verified with that key's secret key.
func (w *world) lastSigner(t *testing.T) (string, bool) {
	t.Helper()
	reqs := w.s3.Requests()
	require.NotEmpty(t, reqs)
	last := reqs[len(reqs)-1]
	return last.AccessKeyID, last.Verified
}

func upload(t *testing.T, c *s3Client, key, body string) {
	t.Helper()
	_, err := c.s3.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String("demo"), Key: aws.String(key), Body: strings.NewReader(body),
	})
	require.NoError(t, err)
}

func download(t *testing.T, c *s3Client, key string) string {
	t.Helper()
	out, err := c.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("demo"), Key: aws.String(key)})
	require.NoError(t, err)
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	require.NoError(t, err)
	return string(b)
}

// TestRequestsAreSignedWithTheKeyFromTheSecrets: every S3 request carries the access key ID of the
// secret, and its signature verifies with the secret key of the other secret.
func TestRequestsAreSignedWithTheKeyFromTheSecrets(t *testing.T) {
	t.Parallel()
	w := newWorld(t, oldID, oldSecret)
	c := w.client(t, time.Minute)
	require.NoError(t, c.createBucket(context.Background(), "demo", io.Discard))
	upload(t, c, "notes.txt", "hello")
	assert.Equal(t, "hello", download(t, c, "notes.txt"))
	var out bytes.Buffer
	require.NoError(t, c.list(context.Background(), "demo", "", &out, io.Discard))
	assert.Contains(t, out.String(), "notes.txt")

	reqs := w.s3.Requests()
	require.Len(t, reqs, 4)
	for _, r := range reqs {
		assert.Equal(t, oldID, r.AccessKeyID, "%s %s", r.Method, r.Path)
		assert.True(t, r.Verified, "%s %s: the signature verifies with the secret key from AWS_SECRET_KEY", r.Method, r.Path)
		assert.Equal(t, "us-east-1", r.Region)
	}
	secretReqs := w.secrets.Requests()
	require.Len(t, secretReqs, 1, "the key pair is read once, both names with one request")
	assert.Equal(t, "/v1/secrets", secretReqs[0].Path)
}

// TestWrongSecretKeyFailsVerification: the access key ID is right, the secret key in the secret is
// not: S3 (the fake) refuses the signature, and the error names the secrets, not the value.
func TestWrongSecretKeyFailsVerification(t *testing.T) {
	t.Parallel()
	w := newWorld(t, oldID, "wrongSecretKeyEXAMPLE/0123456789abcdefgh")
	err := w.run(io.Discard, io.Discard, "-bucket", "demo", "-create-bucket")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "S3 refused the signature: the secret access key in secret AWS_SECRET_KEY does not belong to the access key ID in secret AWS_ACCESS_KEY_ID (SignatureDoesNotMatch)")
	assert.NotContains(t, err.Error(), "wrongSecretKey")

	reqs := w.s3.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, oldID, reqs[0].AccessKeyID)
	assert.False(t, reqs[0].Verified)
	assert.Equal(t, "SignatureDoesNotMatch", reqs[0].Code)
}

// TestRotatedKeyIsUsedAfterTheTTL updates both secrets, as an Owner rotating the key does, and checks
// that once the TTL has passed the very next S3 request is signed, verifiably, with the new key,
// read with one request to the secrets service.
func TestRotatedKeyIsUsedAfterTheTTL(t *testing.T) {
	t.Parallel()
	const ttl = 50 * time.Millisecond
	w := newWorld(t, oldID, oldSecret)
	c := w.client(t, ttl)
	ctx := context.Background()
	require.NoError(t, c.createBucket(ctx, "demo", io.Discard))
	upload(t, c, "before.txt", "written with the old key")
	id, verified := w.lastSigner(t)
	require.Equal(t, oldID, id)
	require.True(t, verified)

	w.rotate(t)
	rotatedAt := time.Now()
	w.s3.RemoveKey(oldID) // the old key is deactivated: only the new one can work from now on

	// The pair in use was read before the rotation, so it expires before rotatedAt+TTL. Wait for that
	// instant in short steps (no single sleep), then make exactly one S3 request.
	deadline := time.Now().Add(10 * time.Second)
	for time.Since(rotatedAt) <= ttl {
		require.True(t, time.Now().Before(deadline))
		time.Sleep(2 * time.Millisecond)
	}
	w.secrets.ResetRequests()
	assert.Equal(t, "written with the old key", download(t, c, "before.txt"))

	id, verified = w.lastSigner(t)
	assert.Equal(t, newID, id, "the first request after the TTL is signed with the rotated key")
	assert.True(t, verified, "and its signature verifies with the rotated secret key")
	assert.Len(t, w.secrets.Requests(), 1, "both rotated secrets came with one request")

	upload(t, c, "after.txt", "written with the new key")
	id, verified = w.lastSigner(t)
	assert.Equal(t, newID, id)
	assert.True(t, verified)
}

// TestRotationWithinTheTTLNeedsInvalidate: with a long TTL the cached pair stays in use after a
// rotation, until the program drops both caches, which takes effect at the next request.
func TestRotationWithinTheTTLNeedsInvalidate(t *testing.T) {
	t.Parallel()
	w := newWorld(t, oldID, oldSecret)
	c := w.client(t, time.Hour)
	ctx := context.Background()
	require.NoError(t, c.createBucket(ctx, "demo", io.Discard))

	w.rotate(t)
	upload(t, c, "a.txt", "a")
	id, _ := w.lastSigner(t)
	assert.Equal(t, oldID, id, "the TTL has not passed: the cached pair is still used")

	c.cache.Invalidate("AWS_ACCESS_KEY_ID")
	c.cache.Invalidate("AWS_SECRET_KEY")
	c.creds.Invalidate()
	upload(t, c, "b.txt", "b")
	id, verified := w.lastSigner(t)
	assert.Equal(t, newID, id)
	assert.True(t, verified)
}

// TestRunListPutGet runs the program as a user does: create the bucket and upload, download to a
// file and to stdout, list. No output holds the secret key.
func TestRunListPutGet(t *testing.T) {
	t.Parallel()
	w := newWorld(t, oldID, oldSecret)
	dir := t.TempDir()
	src := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(src, []byte("hello from go-secrets\n"), 0o600))
	var all bytes.Buffer
	runOK := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		err := w.run(&stdout, &stderr, append([]string{"-bucket", "demo"}, args...)...)
		require.NoError(t, err, "stderr: %s", stderr.String())
		all.Write(stdout.Bytes())
		all.Write(stderr.Bytes())
		return stdout.String() + stderr.String()
	}

	out := runOK("-v", "-create-bucket", "-put", "docs/notes.txt", "-file", src)
	assert.Contains(t, out, "s3: signing with access key ID ****************E001 from secret AWS_ACCESS_KEY_ID, secret key from secret AWS_SECRET_KEY")
	assert.Contains(t, out, "s3: created bucket demo")
	assert.Contains(t, out, "s3: uploaded "+src+" (22 bytes) to s3://demo/docs/notes.txt")

	out = runOK("-create-bucket")
	assert.Contains(t, out, "s3: bucket demo exists already, and you can use it")

	dst := filepath.Join(dir, "copy.txt")
	runOK("-get", "docs/notes.txt", "-out", dst)
	got, err := os.ReadFile(dst)
	require.NoError(t, err)
	assert.Equal(t, "hello from go-secrets\n", string(got))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "no partial file is left behind")

	var stdout bytes.Buffer
	require.NoError(t, w.run(&stdout, io.Discard, "-bucket", "demo", "-get", "docs/notes.txt"))
	assert.Equal(t, "hello from go-secrets\n", stdout.String())

	out = runOK()
	assert.Regexp(t, `(?m)^ +22  \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ  docs/notes.txt$`, out)
	assert.Contains(t, out, "s3: 1 object in s3://demo/")
	out = runOK("-prefix", "other/")
	assert.Contains(t, out, "s3: 0 objects in s3://demo/other/")

	assert.NotContains(t, all.String(), oldSecret)
	assert.NotContains(t, all.String(), oldID, "the access key ID is shown masked")
	for _, r := range w.s3.Requests() {
		assert.Equal(t, oldID, r.AccessKeyID)
		assert.True(t, r.Verified)
	}
}

func TestRunSessionToken(t *testing.T) {
	t.Parallel()
	w := newWorld(t, oldID, oldSecret)
	_, err := w.admin.Secrets.Create(context.Background(), "AWS_SESSION_TOKEN", "session-token-EXAMPLE")
	require.NoError(t, err)
	w.s3.AddKey(oldID, s3fake.Key{SecretAccessKey: oldSecret, SessionToken: "session-token-EXAMPLE"})

	err = w.run(io.Discard, io.Discard, "-bucket", "demo", "-create-bucket")
	require.Error(t, err, "without the token, S3 refuses")
	assert.Contains(t, err.Error(), "(InvalidToken)")

	require.NoError(t, w.run(io.Discard, io.Discard, "-bucket", "demo", "-create-bucket", "-session-token-secret", "AWS_SESSION_TOKEN"))
	reqs := w.s3.Requests()
	last := reqs[len(reqs)-1]
	assert.True(t, last.Verified)
	assert.Equal(t, "session-token-EXAMPLE", last.SessionToken)
}

// TestRunSecretErrors: problems with the secrets are reported as such, naming the secret, before any
// S3 request.
func TestRunSecretErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		akid, key  string
		args       []string
		reader     bool // read as a member with no role on the secrets
		want       string
		wantIs     error
		wantNotHas string
	}{
		{name: "secret key missing", akid: oldID, want: "secretcreds: secret AWS_SECRET_KEY not found", wantIs: secrets.ErrNotFound, wantNotHas: oldID},
		{name: "renamed", akid: oldID, key: oldSecret, args: []string{"-secret-key-secret", "PROD_AWS_SECRET"},
			want: "secretcreds: secret PROD_AWS_SECRET not found", wantIs: secrets.ErrNotFound},
		{name: "withheld", akid: oldID, key: oldSecret, reader: true,
			want: "secretcreds: you may see secret AWS_ACCESS_KEY_ID but not read it; ask an Owner to grant you Reader", wantIs: secrets.ErrValueWithheld},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, c.akid, c.key)
			env := w.env()
			if c.reader {
				ada := w.secrets.AddUser("ada@example.com")
				env = mapEnv(map[string]string{secrets.EnvManagementToken: ada.Token, secrets.EnvManagementBaseURL: w.secrets.URL})
			}
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), append([]string{"-endpoint", w.s3.URL, "-bucket", "demo"}, c.args...), &stdout, &stderr, env)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.ErrorIs(t, err, c.wantIs)
			if c.wantNotHas != "" {
				assert.NotContains(t, err.Error(), c.wantNotHas)
			}
			assert.NotContains(t, err.Error(), oldSecret)
			assert.Empty(t, w.s3.Requests(), "no S3 request without a key pair")
			assert.Equal(t, 1, exitCode(err, io.Discard))
		})
	}

	t.Run("no token", func(t *testing.T) {
		t.Parallel()
		err := run(context.Background(), []string{"-bucket", "demo"}, io.Discard, io.Discard, mapEnv(nil))
		assert.ErrorIs(t, err, secrets.ErrNoCredentials)
		assert.Contains(t, err.Error(), secrets.EnvManagementToken)
	})
}

func TestRunS3Errors(t *testing.T) {
	t.Parallel()
	w := newWorld(t, oldID, oldSecret)
	err := w.run(io.Discard, io.Discard, "-bucket", "nope")
	assert.ErrorContains(t, err, "list s3://nope/: the bucket does not exist (-create-bucket creates it) (NoSuchBucket)")
	var apiErr smithy.APIError
	require.ErrorAs(t, err, &apiErr)

	err = w.run(io.Discard, io.Discard, "-bucket", "demo", "-create-bucket", "-get", "missing.txt")
	assert.ErrorContains(t, err, "download s3://demo/missing.txt: no such object (NoSuchKey)")

	w.s3.RemoveKey(oldID)
	err = w.run(io.Discard, io.Discard, "-bucket", "demo")
	assert.ErrorContains(t, err, "S3 does not know the access key ID in secret AWS_ACCESS_KEY_ID")
}

func TestUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{},
		{"-bucket", "b", "extra"},
		{"-bucket", "b", "-put", "k"},
		{"-bucket", "b", "-file", "f"},
		{"-bucket", "b", "-out", "f"},
		{"-bucket", "b", "-ttl", "0s"},
		{"-bucket", "b", "-endpoint", "localhost:9000"},
		{"-bucket", "b", "-no-such-flag"},
		{"-bucket", "b", "-access-key-id-secret", "not a name"},
		{"-bucket", "b", "-secret-key-secret", "AWS_ACCESS_KEY_ID"},
	} {
		var stderr bytes.Buffer
		err := run(context.Background(), args, io.Discard, &stderr, mapEnv(map[string]string{secrets.EnvManagementToken: "t", secrets.EnvManagementBaseURL: "http://127.0.0.1:1"}))
		var usage *usageError
		assert.True(t, errors.As(err, &usage), "%q: %v", args, err)
		assert.Equal(t, 2, exitCode(err, io.Discard), "%q", args)
	}

	var stderr bytes.Buffer
	err := run(context.Background(), []string{"-h"}, io.Discard, &stderr, mapEnv(nil))
	assert.Equal(t, 0, exitCode(err, io.Discard))
	assert.Contains(t, stderr.String(), "Usage: go run . -bucket NAME")
	assert.Contains(t, stderr.String(), "-access-key-id-secret")

	o, err := parseArgs([]string{"-bucket", "b"}, io.Discard, mapEnv(map[string]string{"AWS_REGION": "eu-west-3"}))
	require.NoError(t, err)
	assert.Equal(t, "eu-west-3", o.region)
	assert.True(t, o.list)
	o, err = parseArgs([]string{"-bucket", "b"}, io.Discard, mapEnv(nil))
	require.NoError(t, err)
	assert.Equal(t, "us-east-1", o.region)
}

func TestMaskID(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "****************MPLE", maskID("AKIAIOSFODNN7EXAMPLE"))
	assert.Equal(t, "****", maskID("SHORT"))
	assert.Equal(t, "*****6789", maskID("123456789"))
}
