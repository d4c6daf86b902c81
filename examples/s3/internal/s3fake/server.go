// Package s3fake is an in-process S3 for tests: gofakes3 with its in-memory backend, behind an
// httptest server, with a front door that does what gofakes3 does not: it checks each request's AWS
// Signature Version 4 against the key pairs the test declares, answers 403 as S3 does when the
// signature is wrong or the key unknown, and records which access key signed each request.
//
// Clients must use path-style addressing (http://127.0.0.1:PORT/bucket/key).
package s3fake

import (
	"encoding/xml"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Key is what the fake S3 knows of an access key ID.
type Key struct {
	SecretAccessKey string
	SessionToken    string // when set, requests must carry it, signed, in X-Amz-Security-Token
}

// Request is one request the Server received.
type Request struct {
	Method       string
	Path         string // URL path, such as /bucket/key
	AccessKeyID  string // from the Authorization header; "" when unsigned or unparsable
	Region       string // of the credential scope
	SessionToken string // the X-Amz-Security-Token header
	Verified     bool   // the signature was checked and matched the access key's secret key
	Code         string // the S3 error code the front door answered with, "" when it let it through
}

// Server is a running fake S3. Its methods are safe for concurrent use.
type Server struct {
	URL string // http://127.0.0.1:PORT, the endpoint for path-style clients

	srv     *httptest.Server
	backend *s3mem.Backend

	mu       sync.Mutex
	keys     map[string]Key
	requests []Request
}

// NewServer starts a fake S3 that accepts requests signed with the given keys (access key ID → key);
// AddKey and RemoveKey change them later. Close it when done.
func NewServer(keys map[string]Key) *Server {
	s := &Server{backend: s3mem.New(), keys: make(map[string]Key, len(keys))}
	for id, k := range keys {
		s.keys[id] = k
	}
	faker := gofakes3.New(s.backend, gofakes3.WithLogger(gofakes3.DiscardLog()))
	s.srv = httptest.NewServer(s.frontDoor(faker.Server()))
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// AddKey accepts requests signed with the key from now on (a key created during rotation).
func (s *Server) AddKey(accessKeyID string, k Key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[accessKeyID] = k
}

// RemoveKey refuses requests signed with the key from now on (a key deactivated after rotation).
func (s *Server) RemoveKey(accessKeyID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.keys, accessKeyID)
}

// Requests returns a copy of the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// CreateBucket creates a bucket directly in the backend, without a request.
func (s *Server) CreateBucket(name string) error { return s.backend.CreateBucket(name) }

// frontDoor checks the signature, records the request, and passes it on when it is valid.
func (s *Server) frontDoor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := Request{Method: r.Method, Path: r.URL.Path, SessionToken: r.Header.Get("X-Amz-Security-Token")}
		code, msg := s.check(r, &rec)
		rec.Code = code
		s.mu.Lock()
		s.requests = append(s.requests, rec)
		s.mu.Unlock()
		if code != "" {
			writeError(w, code, msg)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// check verifies r, filling in rec, and returns the S3 error code and message to answer with, or "".
func (s *Server) check(r *http.Request, rec *Request) (code, msg string) {
	header := r.Header.Get("Authorization")
	if header == "" {
		return "AccessDenied", errMissingAuth.Error()
	}
	auth, err := ParseAuthorization(header)
	if err != nil {
		return "AuthorizationHeaderMalformed", err.Error()
	}
	rec.AccessKeyID, rec.Region = auth.AccessKeyID, auth.Region
	s.mu.Lock()
	key, known := s.keys[auth.AccessKeyID]
	s.mu.Unlock()
	if !known {
		return "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."
	}
	if key.SessionToken != "" && rec.SessionToken != key.SessionToken {
		return "InvalidToken", "The provided token is malformed or otherwise invalid."
	}
	if auth.Service != "s3" {
		return "AuthorizationHeaderMalformed", "the credential scope is not for s3"
	}
	switch err := Verify(r, auth, key.SecretAccessKey); {
	case err == nil:
		rec.Verified = true
		return "", ""
	case errors.Is(err, errSignature):
		return "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method."
	case errors.Is(err, errPayloadHash):
		return "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed."
	default:
		return "AccessDenied", err.Error()
	}
}

// writeError answers as S3 does: 403 (400 for a body mismatch) with an XML error document.
func writeError(w http.ResponseWriter, code, msg string) {
	status := http.StatusForbidden
	if code == "XAmzContentSHA256Mismatch" || code == "AuthorizationHeaderMalformed" {
		status = http.StatusBadRequest
	}
	body, _ := xml.Marshal(struct {
		XMLName xml.Name `xml:"Error"`
		Code    string
		Message string
	}{Code: code, Message: msg})
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = w.Write(append([]byte(xml.Header), body...))
}
