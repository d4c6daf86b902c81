package s3fake

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Authorization is the parsed Authorization header of a request signed with AWS Signature Version 4:
//
//	AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=…
type Authorization struct {
	AccessKeyID   string
	Date          string // YYYYMMDD, the day of the scope
	Region        string
	Service       string
	SignedHeaders []string // lower case, in the order given (which must be sorted)
	Signature     string   // lower-case hex
}

const (
	algorithm    = "AWS4-HMAC-SHA256"
	scopeEnd     = "aws4_request"
	maxBodyBytes = 64 << 20 // bodies read to check x-amz-content-sha256
)

// Problems found by Verify; VerifyError.Code is the S3 error code of each.
var (
	errMissingAuth    = errors.New("the request is not signed")
	errMalformedAuth  = errors.New("the Authorization header is malformed")
	errSignature      = errors.New("the signature does not match")
	errPayloadHash    = errors.New("x-amz-content-sha256 does not match the body")
	errUnsignedHeader = errors.New("a header that must be signed is not")
)

// ParseAuthorization parses the value of a SigV4 Authorization header.
func ParseAuthorization(h string) (Authorization, error) {
	rest, ok := strings.CutPrefix(h, algorithm+" ")
	if !ok {
		return Authorization{}, fmt.Errorf("%w: not %s", errMalformedAuth, algorithm)
	}
	parts := map[string]string{}
	for _, field := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(field), "=")
		if !ok {
			return Authorization{}, fmt.Errorf("%w: field %q", errMalformedAuth, field)
		}
		parts[k] = v
	}
	scope := strings.Split(parts["Credential"], "/")
	if len(scope) != 5 || scope[0] == "" || len(scope[1]) != 8 || scope[2] == "" || scope[3] == "" || scope[4] != scopeEnd {
		return Authorization{}, fmt.Errorf("%w: Credential is not AKID/date/region/service/aws4_request", errMalformedAuth)
	}
	if parts["SignedHeaders"] == "" || parts["Signature"] == "" {
		return Authorization{}, fmt.Errorf("%w: no SignedHeaders or Signature", errMalformedAuth)
	}
	signed := strings.Split(parts["SignedHeaders"], ";")
	if !sort.StringsAreSorted(signed) {
		return Authorization{}, fmt.Errorf("%w: SignedHeaders are not sorted", errMalformedAuth)
	}
	return Authorization{
		AccessKeyID: scope[0], Date: scope[1], Region: scope[2], Service: scope[3],
		SignedHeaders: signed, Signature: strings.ToLower(parts["Signature"]),
	}, nil
}

// Verify checks the SigV4 signature of r, as S3 does, with secretAccessKey: it rebuilds the canonical
// request from what arrived (method, raw path, query, the signed headers, x-amz-content-sha256),
// the string to sign, and the signature with the HMAC-SHA256 chain of the signing key. When
// x-amz-content-sha256 is a hash, it also checks the body against it (the body is read and put back).
func Verify(r *http.Request, auth Authorization, secretAccessKey string) error {
	signed := make(map[string]bool, len(auth.SignedHeaders))
	for _, h := range auth.SignedHeaders {
		signed[h] = true
	}
	for _, h := range []string{"host", "x-amz-date", "x-amz-content-sha256"} {
		if !signed[h] {
			return fmt.Errorf("%w: %s", errUnsignedHeader, h)
		}
	}
	if r.Header.Get("X-Amz-Security-Token") != "" && !signed["x-amz-security-token"] {
		return fmt.Errorf("%w: x-amz-security-token", errUnsignedHeader)
	}
	amzDate := r.Header.Get("X-Amz-Date")
	if len(amzDate) != len("20060102T150405Z") || amzDate[:8] != auth.Date {
		return fmt.Errorf("%w: x-amz-date %q is not of the day of the credential scope", errMalformedAuth, amzDate)
	}
	payloadHash := r.Header.Get("X-Amz-Content-Sha256")
	if isHexSHA256(payloadHash) {
		if err := checkBody(r, payloadHash); err != nil {
			return err
		}
	}

	canonicalHeaders, err := canonicalHeaders(r, auth.SignedHeaders)
	if err != nil {
		return err
	}
	canonicalRequest := strings.Join([]string{
		r.Method,
		canonicalURI(r),
		canonicalQuery(r.URL.RawQuery),
		canonicalHeaders,
		strings.Join(auth.SignedHeaders, ";"),
		payloadHash,
	}, "\n")
	scope := strings.Join([]string{auth.Date, auth.Region, auth.Service, scopeEnd}, "/")
	stringToSign := strings.Join([]string{algorithm, amzDate, scope, hexSHA256([]byte(canonicalRequest))}, "\n")
	key := hmacSHA256([]byte("AWS4"+secretAccessKey), auth.Date)
	key = hmacSHA256(key, auth.Region)
	key = hmacSHA256(key, auth.Service)
	key = hmacSHA256(key, scopeEnd)
	want := hex.EncodeToString(hmacSHA256(key, stringToSign))
	if !hmac.Equal([]byte(want), []byte(auth.Signature)) {
		return errSignature
	}
	return nil
}

// canonicalURI is the path as sent, already URI-encoded once (S3 does not encode it twice).
func canonicalURI(r *http.Request) string {
	path := r.RequestURI
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		path = r.URL.EscapedPath()
	}
	if path == "" {
		return "/"
	}
	return path
}

// canonicalQuery sorts the parameters by name, then value, each encoded with the SigV4 rules.
func canonicalQuery(raw string) string {
	values, err := url.ParseQuery(raw)
	if err != nil {
		return raw // will not match: the signer never sends a malformed query
	}
	type param struct{ k, v string }
	var params []param
	for k, vs := range values {
		for _, v := range vs {
			params = append(params, param{uriEncode(k), uriEncode(v)})
		}
	}
	sort.Slice(params, func(i, j int) bool {
		if params[i].k != params[j].k {
			return params[i].k < params[j].k
		}
		return params[i].v < params[j].v
	})
	var b strings.Builder
	for i, p := range params {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

// uriEncode keeps the unreserved characters and percent-encodes every other byte in upper-case hex.
func uriEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// canonicalHeaders is "name:value\n" for each signed header, values trimmed, inner runs of spaces
// collapsed, several values joined by commas.
func canonicalHeaders(r *http.Request, names []string) (string, error) {
	var b strings.Builder
	for _, name := range names {
		var values []string
		switch name {
		case "host":
			values = []string{r.Host}
		case "content-length":
			values = r.Header.Values("Content-Length")
			if len(values) == 0 && r.ContentLength >= 0 {
				values = []string{strconv.FormatInt(r.ContentLength, 10)}
			}
		default:
			values = r.Header.Values(name)
		}
		if len(values) == 0 {
			return "", fmt.Errorf("%w: signed header %s is not in the request", errMalformedAuth, name)
		}
		for i, v := range values {
			values[i] = strings.Join(strings.Fields(v), " ")
		}
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(strings.Join(values, ","))
		b.WriteByte('\n')
	}
	return b.String(), nil
}

// checkBody reads the body (bounded), compares its SHA-256 with want, and puts it back.
func checkBody(r *http.Request, want string) error {
	var body []byte
	if r.Body != nil {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
		_ = r.Body.Close()
		if err != nil {
			return fmt.Errorf("reading the body: %w", err)
		}
		if len(body) > maxBodyBytes {
			return fmt.Errorf("%w: body over %d bytes", errPayloadHash, maxBodyBytes)
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if hexSHA256(body) != strings.ToLower(want) {
		return errPayloadHash
	}
	return nil
}

func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
