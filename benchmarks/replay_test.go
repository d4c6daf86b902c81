package benchmarks

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// replay is a loopback server that answers every route with fixed bytes, so that both clients read
// exactly the same responses and the server costs next to nothing.
type replay struct {
	srv      *httptest.Server
	routes   map[string][]byte // "METHOD /path" → body
	requests atomic.Int64
	// chunked drops Content-Length, as a server streaming its answer would.
	chunked bool
}

func newReplay(tb testing.TB, routes map[string][]byte) *replay {
	tb.Helper()
	r := &replay{routes: routes}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	tb.Cleanup(r.srv.Close)
	return r
}

func (r *replay) serve(w http.ResponseWriter, req *http.Request) {
	r.requests.Add(1)
	body, ok := r.routes[req.Method+" "+req.URL.Path]
	if !ok {
		http.Error(w, `{"message":"no route"}`, http.StatusNotFound)
		return
	}
	if req.Header.Get("Authorization") != "Bearer "+benchToken {
		http.Error(w, `{"message":"bad token"}`, http.StatusUnauthorized)
		return
	}
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
	}
	h := w.Header()
	h["Content-Type"] = jsonType
	if !r.chunked {
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
	}
	_, _ = w.Write(body)
}

var jsonType = []string{"application/json"}

const (
	benchToken = "bench-token-0123456789"
	benchID    = "0b5f9d3e-6f0a-4c55-9a43-1c1f0c1a2b3c"
	benchName  = "DB_PASSWORD"
)

// wireSecret is the service's secret JSON, for building fixtures.
type wireSecret struct {
	SecretID      string  `json:"secretID"`
	Name          string  `json:"name"`
	Value         *string `json:"value,omitempty"`
	CreatedBy     string  `json:"createdBy"`
	CreatedAt     string  `json:"createdAt"`
	LastUpdatedBy string  `json:"lastUpdatedBy"`
	LastUpdatedAt string  `json:"lastUpdatedAt"`
}

func secretJSON(id, name, value string) wireSecret {
	ts := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC).Format(time.RFC3339)
	return wireSecret{SecretID: id, Name: name, Value: &value, CreatedBy: "5e1e8e36-6a1f-4a47-9f0d-6d0a9c1f2e3d",
		CreatedAt: ts, LastUpdatedBy: "5e1e8e36-6a1f-4a47-9f0d-6d0a9c1f2e3d", LastUpdatedAt: ts}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// listJSON is {"secrets":[…]} with n secrets, the one named benchName first.
func listJSON(n int, value string) []byte {
	list := make([]wireSecret, n)
	for i := range list {
		name := benchName
		if i > 0 {
			name = fmt.Sprintf("SECRET_%04d", i)
		}
		list[i] = secretJSON(fmt.Sprintf("0b5f9d3e-6f0a-4c55-9a43-%012d", i), name, value)
	}
	return mustJSON(map[string]any{"secrets": list})
}

// standardRoutes answers the calls the benchmarks make, with a small value.
func standardRoutes() map[string][]byte {
	one := mustJSON(secretJSON(benchID, benchName, benchValue))
	return map[string][]byte{
		"GET /v1/secrets":              listJSON(1, benchValue),
		"POST /v1/secrets":             one,
		"PATCH /v1/secrets/" + benchID: one,
		"GET /v1/secrets/" + benchID:   one,
	}
}

func valueOf(n int) string { return strings.Repeat("v", n) }
