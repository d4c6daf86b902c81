package secrets_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// apiStub is a minimal GET /v1/secrets on 127.0.0.1 that counts and records what reaches it: enough
// for the cache, bulk and notebook tests, which need exact request counts and full control of the
// answers (failures, blocking).
type apiStub struct {
	srv      *httptest.Server
	requests atomic.Int64
	arrived  chan struct{} // one token per request, as it arrives (buffered, extra ones dropped)

	mu      sync.Mutex
	secrets []stubSecret
	status  int           // non-zero: answer every request with this status
	gate    chan struct{} // non-nil: requests wait until it is closed
	gated   string        // non-empty: only requests for this ?name= wait at the gate
	log     []stubRequest
}

type stubSecret struct {
	name  string
	value *string // nil: withheld
}

type stubRequest struct {
	Method, Path, RawQuery, Authorization string
}

func newAPIStub(t testing.TB) *apiStub {
	t.Helper()
	s := &apiStub{arrived: make(chan struct{}, 4096)}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// set adds or replaces a readable secret.
func (s *apiStub) set(name, value string) { s.put(name, strp(value)) }

// withhold adds or replaces a secret whose value the caller may not read.
func (s *apiStub) withhold(name string) { s.put(name, nil) }

func (s *apiStub) put(name string, value *string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.secrets {
		if s.secrets[i].name == name {
			s.secrets[i].value = value
			return
		}
	}
	s.secrets = append(s.secrets, stubSecret{name: name, value: value})
}

// duplicate adds a second secret with an existing name (the API's odd case, for ErrAmbiguous).
func (s *apiStub) duplicate(name, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.secrets = append(s.secrets, stubSecret{name: name, value: strp(value)})
}

func (s *apiStub) remove(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.secrets {
		if s.secrets[i].name == name {
			s.secrets = append(s.secrets[:i], s.secrets[i+1:]...)
			return
		}
	}
}

// dropConnection, passed to fail, makes the stub close connections without answering.
const dropConnection = -1

// fail makes every request answer status (0: answer normally again; dropConnection: no answer).
func (s *apiStub) fail(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status = status
}

// hold makes requests wait until the returned function is called (which the test must call).
func (s *apiStub) hold() (release func()) { return s.holdName("") }

// holdName is hold for the requests of one ?name= only ("": all requests). The arrivals of
// earlier requests are forgotten: waitArrival then waits for a request that came after the hold.
func (s *apiStub) holdName(name string) (release func()) {
	gate := make(chan struct{})
	s.mu.Lock()
	s.gate, s.gated = gate, name
	s.mu.Unlock()
	for drained := false; !drained; {
		select {
		case <-s.arrived:
		default:
			drained = true
		}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			s.gate = nil
			s.mu.Unlock()
			close(gate)
		})
	}
}

func (s *apiStub) count() int { return int(s.requests.Load()) }

func (s *apiStub) recorded() []stubRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]stubRequest(nil), s.log...)
}

// waitArrival waits for the next request to reach the stub.
func (s *apiStub) waitArrival(t testing.TB) {
	t.Helper()
	select {
	case <-s.arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("no request reached the server")
	}
}

func (s *apiStub) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	s.mu.Lock()
	s.log = append(s.log, stubRequest{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization")})
	gate, status := s.gate, s.status
	if s.gated != "" && s.gated != r.URL.Query().Get("name") {
		gate = nil
	}
	list := append([]stubSecret(nil), s.secrets...)
	s.mu.Unlock()
	select {
	case s.arrived <- struct{}{}:
	default:
	}
	if gate != nil {
		select {
		case <-gate:
		case <-r.Context().Done():
			return
		}
	}
	if status == dropConnection {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if status != 0 {
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"message":"stub failure"}`))
		return
	}
	if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/secrets") {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"message":"no such route"}`))
		return
	}
	type wireSecret struct {
		SecretID  string  `json:"secretID"`
		Name      string  `json:"name"`
		Value     *string `json:"value,omitempty"`
		CreatedBy string  `json:"createdBy"`
		CreatedAt string  `json:"createdAt"`
	}
	out := []wireSecret{}
	name := r.URL.Query().Get("name")
	for i, sec := range list {
		if name == "" || sec.name == name {
			out = append(out, wireSecret{SecretID: "id-" + sec.name + "-" + string(rune('a'+i%26)), Name: sec.name,
				Value: sec.value, CreatedBy: "user-1", CreatedAt: "2024-05-01T12:00:00Z"})
		}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"secrets": out})
}

// client returns a Client on the stub without retries, so that request counts are exact.
func (s *apiStub) client(t testing.TB, opts ...secrets.Option) *secrets.Client {
	t.Helper()
	all := append([]secrets.Option{
		secrets.WithAPIKey("stub-api-key"),
		secrets.WithBaseURL(s.srv.URL),
		secrets.WithHTTPClient(s.srv.Client()),
		secrets.WithRetryMax(0),
	}, opts...)
	c, err := secrets.NewClient(all...)
	require.NoError(t, err)
	return c
}

// cacheStart is the fake clock's time at the start of every cache test.
var cacheStart = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
