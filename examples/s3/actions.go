package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// createBucket creates bucket; one that the caller can already use is fine.
func (c *s3Client) createBucket(ctx context.Context, bucket string, stderr io.Writer) error {
	in := &s3.CreateBucketInput{Bucket: aws.String(bucket)}
	if c.opts.region != "us-east-1" { // S3 wants the region named everywhere but in us-east-1
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{
			LocationConstraint: types.BucketLocationConstraint(c.opts.region),
		}
	}
	_, err := c.s3.CreateBucket(ctx, in)
	var owned *types.BucketAlreadyOwnedByYou
	var taken *types.BucketAlreadyExists
	switch {
	case errors.As(err, &owned):
		fmt.Fprintf(stderr, "s3: bucket %s exists already, and is yours\n", bucket)
		return nil
	case errors.As(err, &taken):
		// S3 says this of another account's bucket; stores without accounts say it of any bucket.
		if _, herr := c.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); herr != nil {
			return c.explain("create bucket "+bucket+": the name is taken", err)
		}
		fmt.Fprintf(stderr, "s3: bucket %s exists already, and you can use it\n", bucket)
		return nil
	case err != nil:
		return c.explain("create bucket "+bucket, err)
	}
	fmt.Fprintf(stderr, "s3: created bucket %s\n", bucket)
	return nil
}

// put uploads the file at path as the object key.
func (c *s3Client) put(ctx context.Context, bucket, key, path string, stderr io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("-file %s is not a regular file", path)
	}
	// An *os.File is seekable: the SDK hashes it for the signature, then sends it.
	_, err = c.s3.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(bucket),
		Key:           aws.String(key),
		Body:          f,
		ContentLength: aws.Int64(info.Size()),
	})
	if err != nil {
		return c.explain("upload s3://"+bucket+"/"+key, err)
	}
	fmt.Fprintf(stderr, "s3: uploaded %s (%d bytes) to s3://%s/%s\n", path, info.Size(), bucket, key)
	return nil
}

// get downloads the object key to out: a path (written whole, then renamed into place), or - for w.
func (c *s3Client) get(ctx context.Context, bucket, key, out string, w, stderr io.Writer) error {
	res, err := c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return c.explain("download s3://"+bucket+"/"+key, err)
	}
	defer res.Body.Close()
	if out == "-" {
		if _, err := io.Copy(w, res.Body); err != nil {
			return fmt.Errorf("download s3://%s/%s: %w", bucket, key, err)
		}
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*.part")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename, there is nothing left to remove
	n, err := io.Copy(tmp, res.Body)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("download s3://%s/%s: %w", bucket, key, err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "s3: downloaded s3://%s/%s to %s (%d bytes)\n", bucket, key, out, n)
	return nil
}

// list prints one line per object: size in bytes, last modified (UTC), key.
func (c *s3Client) list(ctx context.Context, bucket, prefix string, w, stderr io.Writer) error {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket)}
	if prefix != "" {
		in.Prefix = aws.String(prefix)
	}
	count := 0
	for pages := s3.NewListObjectsV2Paginator(c.s3, in); pages.HasMorePages(); {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return c.explain("list s3://"+bucket+"/"+prefix, err)
		}
		for _, obj := range page.Contents {
			fmt.Fprintf(w, "%12d  %s  %s\n", aws.ToInt64(obj.Size), aws.ToTime(obj.LastModified).UTC().Format(time.RFC3339), aws.ToString(obj.Key))
			count++
		}
	}
	noun := "objects"
	if count == 1 {
		noun = "object"
	}
	fmt.Fprintf(stderr, "s3: %d %s in s3://%s/%s\n", count, noun, bucket, prefix)
	return nil
}
