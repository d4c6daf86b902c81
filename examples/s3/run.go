package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"time"

	secrets "github.com/helios-secrets/go-secrets"

	"github.com/helios-secrets/go-secrets/examples/s3/secretcreds"
)

// options are the command line.
type options struct {
	bucket   string
	region   string
	endpoint string

	accessKeyIDSecret     string
	secretAccessKeySecret string
	sessionTokenSecret    string
	ttl                   time.Duration

	createBucket bool
	list         bool
	prefix       string
	put, file    string
	get, out     string
	verbose      bool
}

// usageError is a bad command line (exit status 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{msg: fmt.Sprintf(format, args...)} }

const usageHead = `Usage: go run . -bucket NAME [flags]

Lists, uploads (-put KEY -file PATH) or downloads (-get KEY -out PATH) objects in an S3 bucket,
signing with an AWS key pair read from SingleStore Helios secrets. The Management API token comes
from SINGLESTOREDB_MANAGEMENT_TOKEN (or a JWT password in SINGLESTOREDB_HOST or SINGLESTOREDB_URL);
the API's address from SINGLESTOREDB_MANAGEMENT_BASE_URL (default https://api.singlestore.com).

Steps run in this order: -create-bucket, -put, -get, then -list (the default when neither -put
nor -get is given).

Flags:
`

// parseArgs reads the command line; getenv gives the default region.
func parseArgs(args []string, stderr io.Writer, getenv func(string) string) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("s3", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageHead)
		fs.PrintDefaults()
	}
	region := getenv("AWS_REGION")
	if region == "" {
		region = "us-east-1"
	}
	fs.StringVar(&o.bucket, "bucket", "", "the bucket (required)")
	fs.StringVar(&o.region, "region", region, "the AWS region (default: $AWS_REGION, else us-east-1)")
	fs.StringVar(&o.endpoint, "endpoint", "", "URL of an S3-compatible store, such as http://127.0.0.1:9000; path-style addressing")
	fs.StringVar(&o.accessKeyIDSecret, "access-key-id-secret", secretcreds.DefaultAccessKeyIDSecret, "name of the secret holding the AWS access key ID")
	fs.StringVar(&o.secretAccessKeySecret, "secret-key-secret", secretcreds.DefaultSecretAccessKeySecret, "name of the secret holding the AWS secret access key")
	fs.StringVar(&o.sessionTokenSecret, "session-token-secret", "", "name of the secret holding an AWS session token (temporary credentials); none by default")
	fs.DurationVar(&o.ttl, "ttl", 5*time.Minute, "how long the key pair is used before the secrets are read again")
	fs.BoolVar(&o.createBucket, "create-bucket", false, "create the bucket first (fine if you already own it)")
	fs.BoolVar(&o.list, "list", false, "list the objects (the default when neither -put nor -get is given)")
	fs.StringVar(&o.prefix, "prefix", "", "list only the keys that start with this")
	fs.StringVar(&o.put, "put", "", "upload -file as the object `KEY`")
	fs.StringVar(&o.file, "file", "", "the `PATH` of the file to upload with -put")
	fs.StringVar(&o.get, "get", "", "download the object `KEY` to -out")
	fs.StringVar(&o.out, "out", "-", "where -get writes the object: a `PATH`, or - for standard output")
	fs.BoolVar(&o.verbose, "v", false, "say which secrets and access key ID are used (the ID masked, never the secret key)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{msg: err.Error()}
	}
	switch {
	case fs.NArg() > 0:
		return nil, usagef("unexpected argument %q: every input is a flag", fs.Arg(0))
	case o.bucket == "":
		return nil, usagef("-bucket is required")
	case o.put != "" && o.file == "":
		return nil, usagef("-put %s needs -file PATH, the file to upload", o.put)
	case o.put == "" && o.file != "":
		return nil, usagef("-file needs -put KEY, the object to upload it as")
	case o.get == "" && o.out != "-":
		return nil, usagef("-out needs -get KEY, the object to download")
	case o.ttl <= 0:
		return nil, usagef("-ttl must be positive")
	case o.region == "":
		return nil, usagef("-region must not be empty")
	}
	if o.endpoint != "" {
		u, err := url.Parse(o.endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, usagef("-endpoint %q is not an http:// or https:// URL", o.endpoint)
		}
	}
	if o.put == "" && o.get == "" {
		o.list = true
	}
	return o, nil
}

// run parses the command line, builds the S3 client from the secrets, and runs the steps.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	o, err := parseArgs(args, stderr, getenv)
	if err != nil {
		return err
	}
	sc, err := secrets.NewClient(secrets.WithEnvFunc(getenv))
	if err != nil {
		return err
	}
	cl, err := newS3Client(ctx, o, sc)
	if err != nil {
		return err
	}
	// Read the key pair now, so that a missing or unreadable secret is reported as itself rather than
	// deep inside an S3 error. The S3 client reads it again from the cache, without a request.
	creds, err := cl.provider.Retrieve(ctx)
	if err != nil {
		return err
	}
	if o.verbose {
		token := ""
		if creds.SessionToken != "" {
			token = " and a session token from secret " + o.sessionTokenSecret
		}
		fmt.Fprintf(stderr, "s3: signing with access key ID %s from secret %s, secret key from secret %s%s; read again after %s\n",
			maskID(creds.AccessKeyID), o.accessKeyIDSecret, o.secretAccessKeySecret, token, time.Until(creds.Expires).Round(time.Second))
	}

	if o.createBucket {
		if err := cl.createBucket(ctx, o.bucket, stderr); err != nil {
			return err
		}
	}
	if o.put != "" {
		if err := cl.put(ctx, o.bucket, o.put, o.file, stderr); err != nil {
			return err
		}
	}
	if o.get != "" {
		if err := cl.get(ctx, o.bucket, o.get, o.out, stdout, stderr); err != nil {
			return err
		}
	}
	if o.list {
		return cl.list(ctx, o.bucket, o.prefix, stdout, stderr)
	}
	return nil
}

// maskID shows the last four characters of an access key ID, as the AWS CLI does.
func maskID(id string) string {
	if len(id) <= 8 {
		return "****"
	}
	return "****************"[:min(16, len(id)-4)] + id[len(id)-4:]
}
