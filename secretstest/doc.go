// Package secretstest is an in-memory emulator of the SingleStore Helios Management API secrets
// endpoints, for testing code that uses them (through this module's client or plain net/http)
// without a network or an account.
//
// NewServer starts an emulator on a random loopback port. Its URL field is the base URL to give a
// client; APIKey returns the organization API key, which acts as an organization owner. AddUser and
// AddTeam create members with their own tokens (JWT-shaped, as Helios gives users; the API key stays
// opaque), so that tests can exercise sharing and permissions:
//
//	srv := secretstest.NewServer()
//	defer srv.Close()
//	alice := srv.AddUser("alice@example.com")
//
//	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/secrets",
//		strings.NewReader(`{"name":"DB_PASSWORD","value":"hunter2"}`))
//	req.Header.Set("Authorization", "Bearer "+alice.Token)
//	req.Header.Set("Content-Type", "application/json")
//	resp, err := http.DefaultClient.Do(req) // 200: alice created the secret and owns it
//
// The emulator follows the service's rules: one namespace of secret names per organization (a
// duplicate name is 409); names of letters, digits and '_' (else 400, naming the first character
// that breaks the rule and its position) and values of at most 5 MiB (else 400);
// unknown IDs are 404 and bad tokens 401. Request bodies are strict: Content-Type application/json
// (parameters allowed, a charset only if UTF-8), valid UTF-8 with no escaped lone surrogate such as
// "\ud800", one JSON object; anything else is 400 (413 above 40 MiB), never a value nobody sent. The
// body of a request without a valid token is never read: the answer is 401 and the connection closes.
// Every member sees every secret, but its value only with a Reader or Owner grant (directly or
// through a team); only Owners may update, share or delete it; and a secret left without any Owner
// grant is deleted. The API key acts as an organization owner: Owner of every secret by inheritance,
// which does not count as an Owner grant; like any creator, it gets a direct Owner grant on the
// secrets it creates.
//
// For failure paths, FailNext, DropNext, TruncateNext and SetLatency inject faults, and WithRateLimit
// answers 429 above a rate, as the service does to bursts. WithProfile answers as each official
// source reads the API where they disagree (list shape, values in lists, regular-expression
// look-ups). RequestCount and Requests tell what reached the server, and Secrets, Secret and
// SecretValue inspect the state directly.
//
// The cmd/secrets-emulator program serves the same emulator as a standalone process.
package secretstest
