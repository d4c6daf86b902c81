package secrets

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/helios-secrets/go-secrets/internal/jwt"
)

// TokenSource gives the Bearer token of each attempt, for programs whose tokens come from an identity
// provider of their own and rotate (see WithTokenSource). The Client calls Token before every attempt,
// retries included, from as many goroutines as make calls: it must be safe for concurrent use and
// cheap, so cache the token and renew it before it expires. ctx is the call's context.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// TokenSourceFunc adapts a function to TokenSource.
type TokenSourceFunc func(ctx context.Context) (string, error)

// Token calls f(ctx).
func (f TokenSourceFunc) Token(ctx context.Context) (string, error) { return f(ctx) }

// credential is one token and what the client knows about it. It is never modified once built, so a
// request may keep it while another goroutine rotates the client's token. A Client reaches it only
// through pointers: fmt, given a verb it cannot apply to a struct that holds a *Client in an unexported
// field (such as %s of a *SecretsService), prints the Client's fields without calling its Format
// method, but a pointer field only as an address.
type credential struct {
	authHeader []string // {"Bearer <token>"}, shared by every request that uses it; nothing writes to it
	token      string   // kept for the redaction of server messages
	source     string   // where it came from: "WithAPIKey", "WithTokenSource" or a variable, for messages
	isJWT      bool
	expiry     time.Time // zero unless the token is a JWT with exp
	// expiryUnreadable: a JWT whose exp is there but not a time the SDK can read; it is sent, and
	// the service decides.
	expiryUnreadable bool
}

func newCredential(token, source string) *credential {
	c := &credential{authHeader: []string{"Bearer " + token}, token: token, source: source}
	if claims, err := jwt.Parse(token); err == nil {
		c.isJWT, c.expiry, c.expiryUnreadable = true, claims.Expiry, claims.ExpiryUnreadable
	}
	return c
}

// check fails when the token is a JWT past its expiry.
func (c *credential) check(now time.Time) error {
	if !c.expiry.IsZero() && !now.Before(c.expiry) {
		return &tokenExpiredError{source: c.source, at: c.expiry}
	}
	return nil
}

// tokenProvider is where a Client's tokens come from: a fixed token, the environment, or a
// TokenSource. credential is called before every attempt and returns a token that may be sent now
// (not expired), or the error to return with no request sent. current is the credential the next
// attempt would send as far as it is known without asking a TokenSource (for the environment, the token
// it holds now; for a TokenSource, its latest), or nil when none is.
type tokenProvider interface {
	credential(ctx context.Context, now time.Time) (*credential, error)
	current() *credential
	name() string // the source of its tokens, for Info when current is nil
}

// fixedToken is a token given once (WithAPIKey, ManageWorkspaces' key).
type fixedToken struct{ cred *credential }

func (f *fixedToken) credential(_ context.Context, now time.Time) (*credential, error) {
	return f.cred, f.cred.check(now)
}
func (f *fixedToken) current() *credential { return f.cred }
func (f *fixedToken) name() string         { return f.cred.source }

// envToken follows the token variables of an environment (WithEnv, WithEnvFunc): it reads them before
// every attempt and parses the token again only when their text changed, so a token the platform
// rotates is picked up at the next attempt at the cost of three variable lookups.
type envToken struct {
	getenv func(string) string
	state  atomic.Pointer[envTokenState]
}

// envTokenState is a resolution of the token variables, keyed by their raw text.
type envTokenState struct {
	vars envTokenVars
	cred *credential // nil when err is set
	err  error
}

func (e *envToken) credential(_ context.Context, now time.Time) (*credential, error) {
	st := e.refresh()
	if st.err != nil {
		return nil, st.err
	}
	return st.cred, st.cred.check(now)
}

// refresh reads the variables and resolves them again if they changed since the last read.
func (e *envToken) refresh() *envTokenState {
	vars := readTokenVars(e.getenv)
	st := e.state.Load()
	if st != nil && st.vars == vars {
		return st
	}
	st = vars.resolve()
	e.state.Store(st)
	return st
}

func (e *envToken) current() *credential { return e.refresh().cred }
func (e *envToken) name() string         { return "the environment" }

// sourceToken asks a TokenSource before every attempt, and parses a token again only when it differs
// from the previous one.
type sourceToken struct {
	src  TokenSource
	prev atomic.Pointer[credential]
}

const sourceName = "WithTokenSource"

func (s *sourceToken) credential(ctx context.Context, now time.Time) (*credential, error) {
	token, err := s.src.Token(ctx)
	if err != nil {
		return nil, newTokenSourceError(err, s.prev.Load())
	}
	cred := s.prev.Load()
	if cred == nil || cred.token != token {
		if err := checkTokenText(token); err != nil {
			return nil, newTokenSourceError(err, nil)
		}
		cred = newCredential(token, sourceName)
		s.prev.Store(cred)
	}
	return cred, cred.check(now)
}

func (s *sourceToken) current() *credential { return s.prev.Load() }
func (s *sourceToken) name() string         { return sourceName }
