package secretstest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// Wire shapes of the Management API, as the SDK reads them (internal/wire); the list's two shapes are
// chosen by Profile.BareLists. Slices are always non-nil so they encode as [].

type secretJSON struct {
	SecretID      string  `json:"secretID"`
	Name          string  `json:"name"`
	Value         *string `json:"value,omitempty"`
	CreatedBy     string  `json:"createdBy"`
	CreatedAt     string  `json:"createdAt"`
	LastUpdatedBy string  `json:"lastUpdatedBy"`
	LastUpdatedAt string  `json:"lastUpdatedAt"`
}

type secretListJSON struct {
	Secrets []secretJSON `json:"secrets"`
}

type deletedJSON struct {
	SecretID string `json:"secretID"`
}

type orgJSON struct {
	OrgID          string   `json:"orgID"`
	Name           string   `json:"name"`
	FirewallRanges []string `json:"firewallRanges"`
}

type userJSON struct {
	UserID    string `json:"userID"`
	Email     string `json:"email"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
}

// memberJSON is the full User of /v1/users and /v1/users/current; userJSON alone is the UserInfo
// summary that grants carry.
type memberJSON struct {
	userJSON
	UserKind string `json:"userKind"`
}

// userKindStandard is the kind of every emulated identity: a person, not a service account or a
// cloud principal.
const userKindStandard = "Standard"

type teamJSON struct {
	TeamID      string `json:"teamID"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

type roleJSON struct {
	Role        string      `json:"role"`
	Description string      `json:"description"`
	Grants      []grantJSON `json:"grants"`
}

type grantJSON struct {
	CreatedAt     string       `json:"createdAt"`
	CreatedBy     *userJSON    `json:"createdBy,omitempty"`
	Identity      any          `json:"identity"` // userJSON or teamJSON
	InheritedFrom *inheritJSON `json:"inheritedFrom,omitempty"`
}

type inheritJSON struct {
	ResourceID   string `json:"resourceID"`
	ResourceType string `json:"resourceType"`
	Role         string `json:"role"`
}

type errorJSON struct {
	Message string `json:"message"`
}

type createRequest struct {
	Name  *string `json:"name"`
	Value *string `json:"value"`
}

type updateRequest struct {
	Name  json.RawMessage `json:"name"` // any presence is an attempt to rename
	Value *string         `json:"value"`
}

type accessRequest struct {
	Grants  []accessChange `json:"grants"`
	Revokes []accessChange `json:"revokes"`
}

type accessChange struct {
	Role  string   `json:"role"`
	Users []string `json:"users"`
	Teams []string `json:"teams"`
}

// reply is what a handler answers: a status, a value to encode as JSON and optional extra headers.
type reply struct {
	status int
	body   any
	header map[string]string
}

func ok(body any) reply { return reply{status: http.StatusOK, body: body} }

// fail builds an error reply. Messages are fixed texts: they never echo a name, value, body or token.
func fail(status int, msg string) reply {
	return reply{status: status, body: errorJSON{Message: msg}}
}

func (r reply) with(key, value string) reply {
	h := make(map[string]string, len(r.header)+1)
	for k, v := range r.header {
		h[k] = v
	}
	h[key] = value
	r.header = h
	return r
}

// bufferPool recycles response buffers: a 5 MiB value is then encoded without allocating, which
// keeps allocation measurements of in-process clients about the client.
var bufferPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer caps the buffers kept for reuse.
const maxPooledBuffer = 4 * maxBodyBytes

// encode renders v as compact JSON without HTML escaping, so values round-trip byte for byte, into
// a pooled buffer that the caller must give back with release.
func encode(v any) *bytes.Buffer {
	buf := bufferPool.Get().(*bytes.Buffer)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only our own wire types are encoded; they cannot fail.
		panic("secretstest: encoding a response: " + err.Error())
	}
	buf.Truncate(buf.Len() - 1) // Encode's trailing newline
	return buf
}

func release(buf *bytes.Buffer) {
	if buf.Cap() <= maxPooledBuffer {
		buf.Reset()
		bufferPool.Put(buf)
	}
}

// timestamp formats t as RFC 3339 in UTC.
func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
