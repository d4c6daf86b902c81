package s3fake

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func client(url string, creds aws.Credentials) *s3.Client {
	return s3.New(s3.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(url),
		UsePathStyle:     true,
		Credentials:      aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil }),
		RetryMaxAttempts: 1,
	})
}

func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

func TestServerVerifiesAndRecords(t *testing.T) {
	t.Parallel()
	srv := NewServer(map[string]Key{testID: {SecretAccessKey: testSecret}})
	t.Cleanup(srv.Close)
	ctx := context.Background()
	good := client(srv.URL, pair)

	_, err := good.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("demo")})
	require.NoError(t, err)
	_, err = good.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("demo"), Key: aws.String("dir/a b.txt"), Body: strings.NewReader("hello")})
	require.NoError(t, err)
	out, err := good.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("demo"), Key: aws.String("dir/a b.txt")})
	require.NoError(t, err)
	body, err := io.ReadAll(out.Body)
	require.NoError(t, err)
	require.NoError(t, out.Body.Close())
	assert.Equal(t, "hello", string(body))
	list, err := good.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("demo"), Prefix: aws.String("dir/")})
	require.NoError(t, err)
	require.Len(t, list.Contents, 1)

	reqs := srv.Requests()
	require.Len(t, reqs, 4)
	for _, r := range reqs {
		assert.Equal(t, testID, r.AccessKeyID)
		assert.True(t, r.Verified, "%s %s", r.Method, r.Path)
		assert.Empty(t, r.Code)
	}
	assert.Equal(t, http.MethodPut, reqs[1].Method)
	assert.Equal(t, "/demo/dir/a b.txt", reqs[1].Path)

	// A wrong secret key: the fake answers as S3 does, and nothing reaches the store.
	_, err = client(srv.URL, aws.Credentials{AccessKeyID: testID, SecretAccessKey: "wrong"}).
		PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("demo"), Key: aws.String("evil"), Body: strings.NewReader("x")})
	assert.Equal(t, "SignatureDoesNotMatch", errorCode(err))
	last := srv.Requests()[4]
	assert.Equal(t, testID, last.AccessKeyID)
	assert.False(t, last.Verified)
	assert.Equal(t, "SignatureDoesNotMatch", last.Code)
	_, err = good.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("demo"), Key: aws.String("evil")})
	assert.Error(t, err, "the refused upload was not stored")

	// An unknown key, then one removed.
	_, err = client(srv.URL, aws.Credentials{AccessKeyID: "AKIAUNKNOWN", SecretAccessKey: testSecret}).
		ListBuckets(ctx, &s3.ListBucketsInput{})
	assert.Equal(t, "InvalidAccessKeyId", errorCode(err))
	srv.RemoveKey(testID)
	_, err = good.ListBuckets(ctx, &s3.ListBucketsInput{})
	assert.Equal(t, "InvalidAccessKeyId", errorCode(err))
}

func TestServerSessionToken(t *testing.T) {
	t.Parallel()
	srv := NewServer(nil)
	t.Cleanup(srv.Close)
	srv.AddKey(testID, Key{SecretAccessKey: testSecret, SessionToken: "tok"})
	require.NoError(t, srv.CreateBucket("demo"))
	ctx := context.Background()

	_, err := client(srv.URL, pair).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("demo")})
	assert.Equal(t, "InvalidToken", errorCode(err))

	withToken := pair
	withToken.SessionToken = "tok"
	_, err = client(srv.URL, withToken).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("demo")})
	require.NoError(t, err)
	last := srv.Requests()[1]
	assert.True(t, last.Verified)
	assert.Equal(t, "tok", last.SessionToken)
}
