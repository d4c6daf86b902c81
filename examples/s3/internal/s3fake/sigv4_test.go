package s3fake

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testID     = "AKIAIOSFODNN7EXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// signed builds a request and signs it with the AWS SDK's own SigV4 signer, as the S3 client does
// (no double encoding of the path), then mutate changes it, and it is read back as a server sees it.
func signed(t *testing.T, method, url string, body []byte, creds aws.Credentials, mutate func(*http.Request)) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("X-Amz-Meta-Note", "  two   spaces  ")
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	if creds.SessionToken != "" {
		req.Header.Set("X-Amz-Security-Token", creds.SessionToken)
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	require.NoError(t, signer.SignHTTP(context.Background(), creds, req, payloadHash, "s3", "eu-west-3", time.Now()))
	if mutate != nil {
		mutate(req)
	}
	var wire bytes.Buffer
	require.NoError(t, req.Write(&wire))
	got, err := http.ReadRequest(bufio.NewReader(&wire))
	require.NoError(t, err)
	return got
}

func verify(r *http.Request, secret string) (Authorization, error) {
	auth, err := ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return auth, err
	}
	return auth, Verify(r, auth, secret)
}

var pair = aws.Credentials{AccessKeyID: testID, SecretAccessKey: testSecret}

func TestVerifyAcceptsTheSDKSignature(t *testing.T) {
	t.Parallel()
	for name, url := range map[string]string{
		"list":           "http://127.0.0.1:9000/bucket?list-type=2&prefix=a%2Fb&max-keys=10",
		"odd key":        "http://127.0.0.1:9000/bucket/dir/a%20b%2Bc~%C3%A9.txt",
		"empty value":    "http://127.0.0.1:9000/bucket?location=",
		"repeated param": "http://127.0.0.1:9000/bucket/k?b=2&a=1&b=1",
		"root":           "http://127.0.0.1:9000/",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			auth, err := verify(signed(t, http.MethodGet, url, nil, pair, nil), testSecret)
			require.NoError(t, err)
			assert.Equal(t, testID, auth.AccessKeyID)
			assert.Equal(t, "eu-west-3", auth.Region)
			assert.Equal(t, "s3", auth.Service)
			assert.Contains(t, auth.SignedHeaders, "x-amz-meta-note")
		})
	}
	t.Run("put with body and token", func(t *testing.T) {
		t.Parallel()
		withToken := pair
		withToken.SessionToken = "session-token-example"
		r := signed(t, http.MethodPut, "http://127.0.0.1:9000/bucket/k", []byte("hello"), withToken, nil)
		auth, err := verify(r, testSecret)
		require.NoError(t, err)
		assert.Contains(t, auth.SignedHeaders, "content-length")
		assert.Contains(t, auth.SignedHeaders, "x-amz-security-token")
		body, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		assert.Equal(t, "hello", string(body), "the body is put back after the hash check")
	})
}

func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	const url = "http://127.0.0.1:9000/bucket/key?x-id=GetObject"
	cases := map[string]struct {
		creds  aws.Credentials
		body   []byte
		mutate func(*http.Request)
		secret string
		want   error
	}{
		"wrong secret key":          {creds: aws.Credentials{AccessKeyID: testID, SecretAccessKey: "not-the-secret-key"}, want: errSignature},
		"verified with another key": {secret: "other", want: errSignature},
		"changed path":              {mutate: func(r *http.Request) { r.URL.Path = "/bucket/other" }, want: errSignature},
		"changed query":             {mutate: func(r *http.Request) { r.URL.RawQuery += "&versionId=1" }, want: errSignature},
		"changed signed header":     {mutate: func(r *http.Request) { r.Header.Set("X-Amz-Meta-Note", "changed") }, want: errSignature},
		"changed host":              {mutate: func(r *http.Request) { r.Host = "127.0.0.1:9001" }, want: errSignature},
		"changed body":              {body: []byte("hello"), mutate: func(r *http.Request) { r.Body = io.NopCloser(strings.NewReader("HELLO")) }, want: errPayloadHash},
		"unsigned token":            {mutate: func(r *http.Request) { r.Header.Set("X-Amz-Security-Token", "added") }, want: errUnsignedHeader},
		"date of another day":       {mutate: func(r *http.Request) { r.Header.Set("X-Amz-Date", "19990101T000000Z") }, want: errMalformedAuth},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			creds := pair
			if c.creds.AccessKeyID != "" {
				creds = c.creds
			}
			secret := testSecret
			if c.secret != "" {
				secret = c.secret
			}
			method := http.MethodGet
			if c.body != nil {
				method = http.MethodPut
			}
			_, err := verify(signed(t, method, url, c.body, creds, c.mutate), secret)
			assert.ErrorIs(t, err, c.want)
		})
	}
}

func TestParseAuthorization(t *testing.T) {
	t.Parallel()
	auth, err := ParseAuthorization("AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=ABCDEF")
	require.NoError(t, err)
	assert.Equal(t, Authorization{AccessKeyID: "AKID", Date: "20240102", Region: "us-east-1", Service: "s3",
		SignedHeaders: []string{"host", "x-amz-date"}, Signature: "abcdef"}, auth)

	for _, bad := range []string{
		"",
		"Bearer token",
		"AWS AKID:signature",
		"AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/s3, SignedHeaders=host, Signature=ab",
		"AWS4-HMAC-SHA256 Credential=AKID/2024/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=ab",
		"AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/s3/aws4_request, Signature=ab",
		"AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/s3/aws4_request, SignedHeaders=x-amz-date;host, Signature=ab",
		"AWS4-HMAC-SHA256 Credential",
	} {
		_, err := ParseAuthorization(bad)
		assert.ErrorIs(t, err, errMalformedAuth, "%q", bad)
	}
}
