package secretstest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/helios-secrets/go-secrets/secretstest"
)

func TestRequestsAreRecordedWithoutSecrets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.srv.AddUser("alice@example.com")
	r1 := e.do(alice.Token, http.MethodPost, "/v1/secrets", map[string]string{"name": "RECORDED", "value": "hidden-value"})
	r2 := e.do(e.key, http.MethodGet, "/v1/secrets?name=RECORDED", nil)
	r3 := e.do("bad-token", http.MethodGet, "/v1/users", nil)

	got := e.srv.Requests()
	want := []secretstest.RecordedRequest{
		{Method: http.MethodPost, Path: "/v1/secrets", IdentityID: alice.ID, RequestID: r1.header.Get("X-Request-Id")},
		{Method: http.MethodGet, Path: "/v1/secrets", RawQuery: "name=RECORDED", IdentityID: e.srv.APIKeyUser().ID, RequestID: r2.header.Get("X-Request-Id")},
		{Method: http.MethodGet, Path: "/v1/users", RequestID: r3.header.Get("X-Request-Id")},
	}
	assert.Equal(t, want, got)
	assert.Equal(t, 3, e.srv.RequestCount())

	got[0].Method = "CHANGED"
	assert.Equal(t, http.MethodPost, e.srv.Requests()[0].Method, "Requests returns a copy")

	e.srv.ResetRequests()
	assert.Zero(t, e.srv.RequestCount())
	assert.Empty(t, e.srv.Requests())
}
