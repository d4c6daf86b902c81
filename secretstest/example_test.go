package secretstest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/helios-secrets/go-secrets/secretstest"
)

// call sends one request with a bearer token and returns the status and body.
func call(method, url, token, body string) (int, string, http.Header) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		panic(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data), resp.Header
}

func ExampleNewServer() {
	srv := secretstest.NewServer()
	defer srv.Close()

	status, _, _ := call(http.MethodPost, srv.URL+"/v1/secrets", srv.APIKey(), `{"name":"DB_PASSWORD","value":"hunter2"}`)
	fmt.Println("create:", status)

	_, body, _ := call(http.MethodGet, srv.URL+"/v1/secrets?name=DB_PASSWORD", srv.APIKey(), "")
	var list struct {
		Secrets []struct {
			Name  string  `json:"name"`
			Value *string `json:"value"`
		} `json:"secrets"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		panic(err)
	}
	fmt.Println(list.Secrets[0].Name, "=", *list.Secrets[0].Value)
	// Output:
	// create: 200
	// DB_PASSWORD = hunter2
}

func ExampleServer_AddTeam() {
	srv := secretstest.NewServer()
	defer srv.Close()
	alice := srv.AddUser("alice@example.com")
	bob := srv.AddUser("bob@example.com")
	readers := srv.AddTeam("Readers", bob.ID)

	// Alice creates a secret (she becomes its Owner); Bob sees it but not its value.
	_, body, _ := call(http.MethodPost, srv.URL+"/v1/secrets", alice.Token, `{"name":"API_TOKEN","value":"t0k3n"}`)
	var sec struct {
		ID string `json:"secretID"`
	}
	if err := json.Unmarshal([]byte(body), &sec); err != nil {
		panic(err)
	}
	_, body, _ = call(http.MethodGet, srv.URL+"/v1/secrets/"+sec.ID, bob.Token, "")
	fmt.Println("bob reads value:", strings.Contains(body, `"value"`))

	// Alice shares it with Bob's team as Reader.
	share := fmt.Sprintf(`{"grants":[{"role":"Reader","users":[],"teams":[%q]}],"revokes":[]}`, readers.ID)
	status, _, _ := call(http.MethodPatch, srv.URL+"/v1/secrets/"+sec.ID+"/accessControls", alice.Token, share)
	fmt.Println("share:", status)
	_, body, _ = call(http.MethodGet, srv.URL+"/v1/secrets/"+sec.ID, bob.Token, "")
	fmt.Println("bob reads value:", strings.Contains(body, `"value":"t0k3n"`))

	// A Reader may not update it.
	status, _, _ = call(http.MethodPatch, srv.URL+"/v1/secrets/"+sec.ID, bob.Token, `{"value":"mine"}`)
	fmt.Println("bob updates:", status)
	// Output:
	// bob reads value: false
	// share: 200
	// bob reads value: true
	// bob updates: 403
}

func ExampleServer_FailNext() {
	srv := secretstest.NewServer()
	defer srv.Close()
	srv.FailNext(1, http.StatusServiceUnavailable, 1500*time.Millisecond)

	status, _, header := call(http.MethodGet, srv.URL+"/v1/secrets", srv.APIKey(), "")
	fmt.Println(status, "Retry-After:", header.Get("Retry-After"))
	status, _, _ = call(http.MethodGet, srv.URL+"/v1/secrets", srv.APIKey(), "")
	fmt.Println(status)
	fmt.Println("requests:", srv.RequestCount())
	// Output:
	// 503 Retry-After: 2
	// 200
	// requests: 2
}
