// Package secretcreds is an AWS credentials provider for aws-sdk-go-v2 that reads an access key pair
// (and, optionally, a session token) from SingleStore Helios secrets, through a go-secrets Cache.
//
// The file stands alone: copy it into your program to use it.
//
//	client, err := secrets.ManageWorkspaces("")            // SINGLESTOREDB_MANAGEMENT_TOKEN, …
//	cache, err := secrets.NewCache(client, secrets.WithTTL(5*time.Minute))
//	provider, err := secretcreds.New(cache)                  // AWS_ACCESS_KEY_ID and AWS_SECRET_KEY
//	cfg, err := config.LoadDefaultConfig(ctx,
//		config.WithCredentialsProvider(aws.NewCredentialsCache(provider)))
//	s3Client := s3.NewFromConfig(cfg)
//
// How a rotated key is picked up: the provider returns credentials that expire when the first of
// their cache entries does (Credentials.CanExpire and Expires, from secrets.CacheEntry.ExpiresAt).
// The AWS SDK's credential cache (aws.NewCredentialsCache, which the S3 client also adds on its own
// when given a bare provider) then asks the provider again, the go-secrets cache reads the secrets
// again, and requests made after that are signed with the new pair. A rotation therefore takes
// effect within the cache's TTL (secrets.WithTTL), or at once after Cache.Invalidate of the names
// and CredentialsCache.Invalidate.
//
// When the secrets are not in the cache, the provider reads them together (secrets.Cache.GetMany):
// a cold start or a refresh costs one list request to the Management API where its lists carry
// values, and one more ?name= read per secret where they do not. Read together, their cache
// entries expire together. Values are trimmed of surrounding white space (a value stored with `echo` ends in
// a newline; AWS keys never hold spaces).
//
// Errors name the secret, never its value, and say what to do: *SecretError, which wraps the
// go-secrets error, so errors.Is(err, secrets.ErrNotFound) and the like hold through the AWS
// SDK's wrapping too. The provider prints (fmt, slog) the names of its secrets only.
package secretcreds

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	secrets "github.com/helios-secrets/go-secrets"
)

// The default secret names, as the product's documentation uses them.
const (
	DefaultAccessKeyIDSecret     = "AWS_ACCESS_KEY_ID"
	DefaultSecretAccessKeySecret = "AWS_SECRET_KEY"
)

// ProviderName is the Source of the credentials the provider returns.
const ProviderName = "HeliosSecretsProvider"

// ErrEmptyValue is the cause (SecretError.Err) when a secret holds nothing but white space.
var ErrEmptyValue = errors.New("empty value")

// Provider is an aws.CredentialsProvider reading the key pair from secrets through a secrets.Cache.
// It holds no value itself (the cache does) and is safe for concurrent use. Build it with New.
type Provider struct {
	cache           *secrets.Cache
	accessKeyID     string // secret names
	secretAccessKey string
	sessionToken    string // "" when there is none
}

var _ aws.CredentialsProvider = (*Provider)(nil)

// Option configures a Provider.
type Option func(*Provider)

// WithAccessKeyIDSecret names the secret holding the access key ID; default AWS_ACCESS_KEY_ID.
func WithAccessKeyIDSecret(name string) Option { return func(p *Provider) { p.accessKeyID = name } }

// WithSecretAccessKeySecret names the secret holding the secret access key; default AWS_SECRET_KEY.
func WithSecretAccessKeySecret(name string) Option {
	return func(p *Provider) { p.secretAccessKey = name }
}

// WithSessionTokenSecret names a secret holding a session token, for temporary credentials; default
// "": none, the credentials are a long-term key pair.
func WithSessionTokenSecret(name string) Option { return func(p *Provider) { p.sessionToken = name } }

// New returns a Provider that reads through cache. It makes no request. It fails when cache is nil,
// or a name is not a valid secret name (letters, digits and '_'), or two names are the same.
func New(cache *secrets.Cache, opts ...Option) (*Provider, error) {
	if cache == nil {
		return nil, errors.New("secretcreds: nil cache")
	}
	p := &Provider{cache: cache, accessKeyID: DefaultAccessKeyIDSecret, secretAccessKey: DefaultSecretAccessKeySecret}
	for _, opt := range opts {
		if opt != nil {
			opt(p)
		}
	}
	seen := make(map[string]string, 3)
	for i, name := range p.names() {
		field := fields[i]
		if at := nameProblem(name); at >= 0 {
			// The name is not echoed: a value pasted where a name belongs must not end up in a log.
			if name == "" {
				return nil, fmt.Errorf("secretcreds: no secret name for the %s", field)
			}
			return nil, fmt.Errorf("secretcreds: the name given for the %s is not a secret name (byte %d is not a letter, digit or '_')", field, at)
		}
		if other, dup := seen[name]; dup {
			return nil, fmt.Errorf("secretcreds: secret %s is named for both the %s and the %s", name, other, field)
		}
		seen[name] = field
	}
	return p, nil
}

// fields are the roles of the secrets, in the order of names.
var fields = [...]string{"AWS access key ID", "AWS secret access key", "AWS session token"}

// names returns the secret names: access key ID, secret access key, and the session token if any.
func (p *Provider) names() []string {
	if p.sessionToken == "" {
		return []string{p.accessKeyID, p.secretAccessKey}
	}
	return []string{p.accessKeyID, p.secretAccessKey, p.sessionToken}
}

// Retrieve returns the credentials held in the secrets, expiring when the first of their cache
// entries does. Secrets fresh in the cache cost no request; the others are read together with one
// Cache.GetMany (GET /v1/secrets, then GET /v1/secrets?name= for a value the list left out).
// Errors: a *SecretError per secret that could not be read (joined when several could not).
func (p *Provider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	names := p.names()
	// One request for every name the cache lacks (none when all are fresh) …
	if _, err := p.cache.GetMany(ctx, names...); err != nil {
		return aws.Credentials{}, p.explain(err)
	}
	// … then the entries with their timing, from memory. (Should one expire in between, Lookup reads
	// it again, and its value and expiry still go together.)
	creds := aws.Credentials{Source: ProviderName, CanExpire: true}
	for i, name := range names {
		entry, err := p.cache.Lookup(ctx, name)
		if err != nil {
			return aws.Credentials{}, &SecretError{Secret: name, Field: fields[i], Err: err}
		}
		value := strings.TrimSpace(entry.Value)
		if value == "" {
			return aws.Credentials{}, &SecretError{Secret: name, Field: fields[i], Err: ErrEmptyValue}
		}
		switch i {
		case 0:
			creds.AccessKeyID = value
		case 1:
			creds.SecretAccessKey = value
		case 2:
			creds.SessionToken = value
		}
		if i == 0 || entry.ExpiresAt.Before(creds.Expires) {
			creds.Expires = entry.ExpiresAt
		}
	}
	return creds, nil
}

// explain turns an error of Cache.GetMany into SecretErrors, in the order of the names. A request
// that failed as a whole fails every name with the same error: it is reported once.
func (p *Provider) explain(err error) error {
	var bulk *secrets.BulkError
	if !errors.As(err, &bulk) {
		return &SecretError{Secret: p.accessKeyID, Field: fields[0], Err: err}
	}
	var errs []error
	var prev error
	for i, name := range p.names() {
		cause, failed := bulk.Errors[name]
		if !failed || cause == nil || sameError(cause, prev) {
			continue
		}
		prev = cause
		errs = append(errs, &SecretError{Secret: name, Field: fields[i], Err: cause})
	}
	if len(errs) == 0 {
		return fmt.Errorf("secretcreds: %w", err)
	}
	return errors.Join(errs...)
}

func sameError(a, b error) bool {
	return a != nil && b != nil && reflect.TypeOf(a) == reflect.TypeOf(b) && reflect.TypeOf(a).Comparable() && a == b
}

// String names the secrets the provider reads; it holds no value to print.
func (p Provider) String() string {
	token := "none"
	if p.sessionToken != "" {
		token = "secret " + p.sessionToken
	}
	return fmt.Sprintf("secretcreds.Provider{AccessKeyID: secret %s, SecretAccessKey: secret %s, SessionToken: %s}",
		p.accessKeyID, p.secretAccessKey, token)
}

// Format prints what String does, whatever the verb (%v, %+v, %#v, %s…), so no verb can reach the
// cache behind the provider. (Value receivers, so that a dereferenced Provider prints the same.)
func (p Provider) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(p.String())) }

// LogValue logs the names of the secrets.
func (p Provider) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("accessKeyIDSecret", p.accessKeyID),
		slog.String("secretAccessKeySecret", p.secretAccessKey),
		slog.String("sessionTokenSecret", p.sessionToken))
}

// SecretError is a secret the provider could not use. It names the secret, never its value.
type SecretError struct {
	Secret string // the secret's name, such as AWS_SECRET_KEY
	Field  string // what it should hold, such as "AWS secret access key"
	Err    error  // the cause: a go-secrets error (secrets.ErrNotFound…), or ErrEmptyValue
}

// Error says what went wrong and what to do, such as "secretcreds: secret AWS_SECRET_KEY not found:
// create it with the AWS secret access key as its value, or name the secret that holds it".
func (e *SecretError) Error() string {
	var apiErr *secrets.APIError
	switch {
	case errors.Is(e.Err, ErrEmptyValue):
		return "secretcreds: secret " + e.Secret + " is empty: it should hold the " + e.Field
	case errors.Is(e.Err, secrets.ErrValueWithheld):
		return "secretcreds: you may see secret " + e.Secret + " but not read it; ask an Owner to grant you Reader"
	case errors.Is(e.Err, secrets.ErrNotFound) && !errors.As(e.Err, &apiErr):
		return "secretcreds: secret " + e.Secret + " not found: create it with the " + e.Field +
			" as its value, or name the secret that holds it"
	case errors.Is(e.Err, secrets.ErrAmbiguous):
		return "secretcreds: more than one secret is named " + e.Secret + ": delete the extra ones"
	case errors.Is(e.Err, secrets.ErrUnauthorized):
		return "secretcreds: reading secret " + e.Secret + ": the Management API token was refused (missing, wrong or expired): " + e.Err.Error()
	case errors.Is(e.Err, secrets.ErrForbidden):
		return "secretcreds: reading secret " + e.Secret + ": not allowed: " + e.Err.Error()
	}
	return "secretcreds: reading secret " + e.Secret + " (the " + e.Field + "): " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *SecretError) Unwrap() error { return e.Err }

// nameProblem is the secret name rule (ASCII letters, digits and '_'): the index of the first byte
// that breaks it, 0 for an empty name, or -1 when the name is valid.
func nameProblem(name string) int {
	if name == "" {
		return 0
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c != '_' && (c < '0' || c > '9') && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
			return i
		}
	}
	return -1
}
