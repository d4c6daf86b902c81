package secretstest

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// call is one authenticated request on its way through the router.
type call struct {
	w       http.ResponseWriter
	r       *http.Request
	body    []byte // the request body, read in full before anything else
	bodyErr error
	me      *user
}

// serveHTTP runs every request through latency, the rate limit, fault injection, authentication, the
// organization check and the router, then writes the reply.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.inflight.Add(1)
	defer s.inflight.Add(-1)

	reqID := newUUID()
	token, _ := bearer(r)
	s.mu.Lock()
	me := s.st.tokens[token]
	s.mu.Unlock()
	rec := RecordedRequest{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, RequestID: reqID}
	if me != nil {
		rec.IdentityID = me.id
	}
	s.recorder.add(rec)

	c := &call{w: w, r: r}
	unread := me == nil && hasBody(r)
	if unread {
		// Nobody authenticated this request: its body is never read, so a client without a token
		// cannot make the server hold memory or wait for bytes. The connection closes after the 401,
		// instead of net/http draining the body to reuse it.
		c.bodyErr = errUnauthenticatedBody
	} else {
		c.body, c.bodyErr = readBody(w, r)
	}
	if !s.wait(r) {
		return // the client gave up or the server is closing: nobody is listening any more
	}
	var rep reply
	kind := faultNone
	if allowed, wait := s.limit(); !allowed {
		rep = rateLimited(wait) // refused before anything else: no fault consumed, nothing changed
	} else {
		var status int
		var retryAfter time.Duration
		kind, status, retryAfter = s.faults.take()
		switch kind {
		case faultDrop:
			s.drop(w)
			return
		case faultFail:
			rep = injectedFailure(status, retryAfter)
		default:
			rep = s.handle(c)
		}
	}

	buf := encode(rep.body)
	defer release(buf)
	body := buf.Bytes()
	h := w.Header()
	if kind == faultTruncate {
		h = http.Header{}
	}
	h.Set("Content-Type", "application/json")
	h.Set("X-Request-Id", reqID)
	for k, v := range rep.header {
		h.Set(k, v)
	}
	if unread {
		h.Set("Connection", "close")
	}
	if kind == faultTruncate {
		s.truncate(w, rep.status, h, body)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rep.status)
	_, _ = w.Write(body)
	if unread {
		// net/http drains up to 256 KiB of an unread body after the handler, however slowly it
		// comes: a read deadline in the past makes that drain fail at once, and the connection close.
		_ = http.NewResponseController(w).SetReadDeadline(time.Now())
	}
}

// bearer extracts the token of an "Authorization: Bearer <token>" header (scheme case-insensitive).
func bearer(r *http.Request) (string, bool) {
	scheme, token, found := strings.Cut(r.Header.Get("Authorization"), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// handle authenticates, checks the organization and routes.
func (s *Server) handle(c *call) reply {
	token, found := bearer(c.r)
	s.mu.Lock()
	me := s.st.tokens[token]
	orgID := s.st.orgID
	s.mu.Unlock()
	if !found || me == nil {
		return fail(http.StatusUnauthorized, "missing or invalid bearer token").with("WWW-Authenticate", "Bearer")
	}
	if q := c.r.URL.Query(); q.Has("organizationID") && q.Get("organizationID") != orgID {
		return fail(http.StatusForbidden, "the organizationID parameter does not name the caller's organization")
	}
	c.me = me
	return s.route(c)
}

// endpoint is one method of a resource.
type endpoint struct {
	method string
	serve  func() reply
}

// dispatch calls the endpoint for the request's method, or answers 405 with an Allow header.
func dispatch(c *call, eps ...endpoint) reply {
	allow := make([]string, 0, len(eps))
	for _, ep := range eps {
		if c.r.Method == ep.method {
			return ep.serve()
		}
		allow = append(allow, ep.method)
	}
	return fail(http.StatusMethodNotAllowed, "method not allowed").with("Allow", strings.Join(allow, ", "))
}

func (s *Server) route(c *call) reply {
	seg := strings.Split(strings.TrimPrefix(c.r.URL.Path, "/"), "/")
	for _, p := range seg {
		if p == "" {
			return fail(http.StatusNotFound, "not found")
		}
	}
	if len(seg) < 2 || seg[0] != "v1" {
		return fail(http.StatusNotFound, "not found")
	}
	switch rest := seg[1:]; {
	case len(rest) == 2 && rest[0] == "organizations" && rest[1] == "current":
		return dispatch(c, endpoint{http.MethodGet, func() reply { return s.currentOrganization(c) }})
	case len(rest) == 1 && rest[0] == "secrets":
		return dispatch(c,
			endpoint{http.MethodGet, func() reply { return s.listSecrets(c) }},
			endpoint{http.MethodPost, func() reply { return s.createSecret(c) }})
	case len(rest) == 2 && rest[0] == "secrets":
		id := rest[1]
		return dispatch(c,
			endpoint{http.MethodGet, func() reply { return s.getSecret(c, id) }},
			endpoint{http.MethodPatch, func() reply { return s.updateSecret(c, id) }},
			endpoint{http.MethodDelete, func() reply { return s.deleteSecret(c, id) }})
	case len(rest) == 3 && rest[0] == "secrets" && rest[2] == "accessControls":
		id := rest[1]
		return dispatch(c,
			endpoint{http.MethodGet, func() reply { return s.getAccess(c, id) }},
			endpoint{http.MethodPatch, func() reply { return s.updateAccess(c, id) }})
	case len(rest) == 1 && rest[0] == "users":
		return dispatch(c, endpoint{http.MethodGet, func() reply { return s.listUsers(c) }})
	case len(rest) == 2 && rest[0] == "users" && rest[1] == "current":
		return dispatch(c, endpoint{http.MethodGet, func() reply { return s.currentUser(c) }})
	case len(rest) == 1 && rest[0] == "teams":
		return dispatch(c, endpoint{http.MethodGet, func() reply { return s.listTeams(c) }})
	}
	return fail(http.StatusNotFound, "not found")
}

// locked runs fn with the state locked, after checking that the caller is still active (a member
// removed while the request was in flight gets 401).
func (s *Server) locked(c *call, fn func(st *state) reply) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.st.active(c.me) {
		return fail(http.StatusUnauthorized, "missing or invalid bearer token").with("WWW-Authenticate", "Bearer")
	}
	return fn(&s.st)
}
