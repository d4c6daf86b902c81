package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	secrets "github.com/helios-secrets/go-secrets"

	"github.com/helios-secrets/go-secrets/examples/s3/secretcreds"
)

// s3Client is the S3 client and what built it, for the steps and their error messages.
type s3Client struct {
	s3       *s3.Client
	cache    *secrets.Cache // the secrets' values
	provider *secretcreds.Provider
	creds    *aws.CredentialsCache // the key pair, as the S3 client signs with it
	opts     *options
}

// newS3Client builds an S3 client whose credentials come from the secrets: a go-secrets Cache (TTL
// o.ttl) under the secretcreds provider, under the AWS SDK's credential cache, which asks the
// provider again when the credentials it returned expire, that is when the secrets' cache entries
// do. It makes no request.
func newS3Client(ctx context.Context, o *options, sc *secrets.Client) (*s3Client, error) {
	// WithStaleIfError: should the Management API be unreachable when the TTL has passed, keep
	// signing with the pair in hand (retrying every few seconds) rather than failing S3 requests
	// that the key would still authorize. A revoked or deleted secret is never masked.
	cache, err := secrets.NewCache(sc, secrets.WithTTL(o.ttl), secrets.WithStaleIfError(15*time.Minute))
	if err != nil {
		return nil, err
	}
	provider, err := secretcreds.New(cache,
		secretcreds.WithAccessKeyIDSecret(o.accessKeyIDSecret),
		secretcreds.WithSecretAccessKeySecret(o.secretAccessKeySecret),
		secretcreds.WithSessionTokenSecret(o.sessionTokenSecret))
	if err != nil {
		return nil, &usageError{msg: err.Error()}
	}
	creds := aws.NewCredentialsCache(provider)
	// The usual AWS configuration (shared config files, AWS_* variables: retries, CA bundle…), with
	// the region of -region and the credentials from the secrets in place of the default chain.
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(o.region), config.WithCredentialsProvider(creds))
	if err != nil {
		return nil, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	client := s3.NewFromConfig(cfg, func(so *s3.Options) {
		if o.endpoint != "" {
			so.BaseEndpoint = aws.String(o.endpoint)
			so.UsePathStyle = true // http://host/bucket/key: S3-compatible stores rarely route by host name
		}
	})
	return &s3Client{s3: client, cache: cache, provider: provider, creds: creds, opts: o}, nil
}

// explain adds what to do to the S3 errors a user can fix, naming the secrets involved.
func (c *s3Client) explain(what string, err error) error {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return fmt.Errorf("%s: %w", what, err)
	}
	var hint string
	switch apiErr.ErrorCode() {
	case "NoSuchBucket":
		hint = "the bucket does not exist (-create-bucket creates it)"
	case "NoSuchKey", "NotFound":
		hint = "no such object"
	case "InvalidAccessKeyId":
		hint = "S3 does not know the access key ID in secret " + c.opts.accessKeyIDSecret +
			": check its value, and that the key is active (and of this partition, or -endpoint)"
	case "SignatureDoesNotMatch":
		hint = "S3 refused the signature: the secret access key in secret " + c.opts.secretAccessKeySecret +
			" does not belong to the access key ID in secret " + c.opts.accessKeyIDSecret
	case "InvalidToken", "ExpiredToken":
		hint = "S3 refused the session token"
		if c.opts.sessionTokenSecret != "" {
			hint += " in secret " + c.opts.sessionTokenSecret
		}
	case "AccessDenied":
		hint = "the key pair's policy does not allow this"
	default:
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%s: %s (%s): %w", what, hint, apiErr.ErrorCode(), err)
}
