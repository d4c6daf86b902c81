package secrets_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// invalidNames breaks the naming rule: non-empty, ASCII letters, digits and '_' only.
var invalidNames = []string{
	"", "DB-PASSWORD", "DB PASSWORD", " DB_PASSWORD", " LEADING", "DB_PASSWORD\n", "TRAILING\n", "tab\there", "db.password",
	"db/password", "a/b", "../etc", "a?b=c&d", "%2F", "PASSWÖRD", "KEY_🔑", "KEY\x00", strings.Repeat("A", 1000) + "-",
	strings.Repeat("A", 10_000) + "-",
	"sk-live-9f8e7d6c5b4a", // a value passed as a name
}

// notIDs are arguments that are not the UUIDs the service issues: values that look like IDs, names,
// near-UUIDs, path tricks.
var notIDs = []string{
	"sk_live_51Hx9f2e", // a value that happens to look like an ID
	"DB_PASSWORD",      // a name
	"Ab-9_z",
	"3f2b8a4e5c6d4e7f8a9b0c1d2e3f4a5b",       // no dashes
	"{3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f4a5b}", // braces
	"urn:uuid:3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f4a5b",
	"3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f4a5b/accessControls",
	"3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f4a5b\n",
	" 3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f4a5",
	"3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f4a5g",
	"../3f2b8a4e-5c6d-4e7f-8a9b-0c1d2e3f",
	"%2e%2e",
	"hunter2 with spaces",
}

// argEnv is what a call with a bad argument may use: a client, an Organization read through it, and a
// Cache on it.
type argEnv struct {
	ctx   context.Context
	c     *secrets.Client
	org   *secrets.Organization
	cache *secrets.Cache
}

// badArg is one call with a bad argument, and how it must be refused, before any request.
type badArg struct {
	name      string
	call      func(e argEnv) error
	sentinels []error  // exactly these match
	msg       string   // the whole error text, when set
	contains  []string // parts of the error text
	hidden    string   // what the error text must not quote (the argument), when set
}

// badArgs is every method × every bad argument it checks: names, values, IDs, share requests,
// lookups, contexts and organizations.
func badArgs(t *testing.T) []badArg {
	var rows []badArg
	nameErr := []error{secrets.ErrInvalidName, secrets.ErrInvalidArgument}
	byName := map[string]func(e argEnv, n string) error{
		"Create":    func(e argEnv, n string) error { _, err := e.c.Secrets.Create(e.ctx, n, "v"); return err },
		"GetByName": func(e argEnv, n string) error { _, err := e.c.Secrets.GetByName(e.ctx, n); return err },
		"List": func(e argEnv, n string) error {
			_, err := e.c.Secrets.List(e.ctx, &secrets.ListSecretsOptions{Name: n})
			return err
		},
		"Secrets.GetMany":        func(e argEnv, n string) error { _, err := e.c.Secrets.GetMany(e.ctx, "VALID", n); return err },
		"Organization.GetSecret": func(e argEnv, n string) error { _, err := e.org.GetSecret(e.ctx, n); return err },
		"Cache.Get":              func(e argEnv, n string) error { _, err := e.cache.Get(e.ctx, n); return err },
		"Cache.Lookup":           func(e argEnv, n string) error { _, err := e.cache.Lookup(e.ctx, n); return err },
		"Cache.GetMany":          func(e argEnv, n string) error { _, err := e.cache.GetMany(e.ctx, "VALID", n); return err },
	}
	for method, call := range byName {
		for _, name := range invalidNames {
			if method == "List" && name == "" {
				continue // an empty filter means no filter (TestProtocol_EveryMethod)
			}
			// The error does not quote the name (a value passed by mistake must not end up in logs);
			// a bulk read names the argument by its index.
			var where []string
			if strings.HasSuffix(method, "GetMany") {
				where = []string{"names[1]"}
			}
			rows = append(rows, badArg{name: method + "/" + name, sentinels: nameErr, hidden: name, contains: where,
				call: func(e argEnv) error { return call(e, name) }})
		}
	}
	// The error shows the offending character, escaped when it is not printable ASCII, and its
	// position counted from 1 (issue 14).
	for name, problem := range map[string]string{
		"":                "the name is empty",
		"DB-PASSWORD":     "character '-' at position 3 is not a letter, digit or _",
		" DB_PASSWORD":    "character ' ' at position 1 is not a letter, digit or _",
		"DB_PASSWORD\n":   `character '\n' at position 12 is not a letter, digit or _`,
		"KEY\x1b]0;pwn\a": `character '\x1b' at position 4 is not a letter, digit or _`,
		"PASSWÖRD":        "character 'Ö' (U+00D6) at position 6 is not a letter, digit or _",
		"KEY\u202eDROW":   `character '\u202e' at position 4 is not a letter, digit or _`,
		"KEY\xff":         `character '\xff' at position 4 is not a letter, digit or _`,
	} {
		rows = append(rows, badArg{name: "GetByName message/" + name, sentinels: nameErr,
			msg:  "secrets: invalid secret name: " + problem,
			call: func(e argEnv) error { return byName["GetByName"](e, name) }})
	}

	// Secret IDs: only UUIDs are sent; an empty or dot-segment ID must never become a request such as
	// DELETE /v1/secrets/. The error gives the length, never the text, and says which call takes names.
	byID := map[string]func(e argEnv, id string) error{
		"Get":    func(e argEnv, id string) error { _, err := e.c.Secrets.Get(e.ctx, id); return err },
		"Update": func(e argEnv, id string) error { _, err := e.c.Secrets.Update(e.ctx, id, "v"); return err },
		"Delete": func(e argEnv, id string) error { return e.c.Secrets.Delete(e.ctx, id) },
		"Access": func(e argEnv, id string) error { _, err := e.c.Secrets.Access(e.ctx, id); return err },
		"Share": func(e argEnv, id string) error {
			return e.c.Secrets.Share(e.ctx, id, &secrets.ShareRequest{Grants: []secrets.AccessChange{{Role: secrets.RoleReader, Users: []string{aliceID}}}})
		},
		"ShareByName": func(e argEnv, id string) error {
			return e.c.Secrets.ShareByName(e.ctx, id, &secrets.ShareByNameRequest{Grants: []secrets.NamedAccessChange{{Role: secrets.RoleReader, UserEmails: []string{"a@example.com"}}}})
		},
	}
	nameLike := map[string]bool{"DB_PASSWORD": true, "sk_live_51Hx9f2e": true, "x": true, "3f2b8a4e5c6d4e7f8a9b0c1d2e3f4a5b": true}
	for method, call := range byID {
		for _, id := range append([]string{"", ".", "..", "x", "a/b?c#d", "q r", "%2e", "ü", "x.y", "a b"}, notIDs...) {
			msg := fmt.Sprintf("secrets: the secret ID (%d bytes) is not a UUID, the form of the IDs the service issues", len(id))
			switch {
			case id == "":
				msg = "secrets: empty secret ID"
			case nameLike[id]:
				msg = fmt.Sprintf("secrets: the secret ID (%d bytes) is not a UUID; it looks like a name: use GetByName to look a secret up by name", len(id))
			}
			rows = append(rows, badArg{name: method + "/id=" + id, sentinels: []error{secrets.ErrInvalidArgument}, msg: msg,
				call: func(e argEnv) error { return call(e, id) }})
		}
	}

	// Values: MaxValueBytes plus one is ErrValueTooLarge, described by its size; invalid UTF-8 (which
	// JSON would store as "a\uFFFD\uFFFDb") is an argument error.
	byValue := map[string]func(e argEnv, v string) error{
		"Create": func(e argEnv, v string) error { _, err := e.c.Secrets.Create(e.ctx, "BIG", v); return err },
		"Update": func(e argEnv, v string) error { _, err := e.c.Secrets.Update(e.ctx, secretID, v); return err },
	}
	for method, call := range byValue {
		rows = append(rows,
			badArg{name: method + "/one byte over", sentinels: []error{secrets.ErrValueTooLarge, secrets.ErrInvalidArgument},
				msg:  fmt.Sprintf("secrets: value of %d bytes is over the limit of %d bytes (MaxValueBytes)", secrets.MaxValueBytes+1, secrets.MaxValueBytes),
				call: func(e argEnv) error { return call(e, strings.Repeat("v", secrets.MaxValueBytes+1)) }},
			badArg{name: method + "/invalid UTF-8", sentinels: []error{secrets.ErrInvalidArgument}, contains: []string{"UTF-8"},
				call: func(e argEnv) error { return call(e, "a\xff\xfeb") }})
	}

	// Share requests: nil or empty requests, roles that cannot be names and empty holders are refused,
	// by Share and by ShareByName (which would otherwise look names up first).
	for name, req := range map[string]*secrets.ShareRequest{
		"nil":             nil,
		"empty":           {},
		"empty slices":    {Grants: []secrets.AccessChange{}, Revokes: []secrets.AccessChange{}},
		"no role":         {Grants: []secrets.AccessChange{{Users: []string{aliceID}}}},
		"blank role":      {Grants: []secrets.AccessChange{{Role: " \t", Users: []string{aliceID}}}},
		"padded role":     {Grants: []secrets.AccessChange{{Role: "Owner ", Users: []string{aliceID}}}},
		"control in role": {Revokes: []secrets.AccessChange{{Role: "Read\ner", Teams: []string{teamDSID}}}},
		"NUL in role":     {Revokes: []secrets.AccessChange{{Role: "Owner\x00", Teams: []string{teamDSID}}}},
		"DEL in role":     {Revokes: []secrets.AccessChange{{Role: "Own\x7fer", Teams: []string{teamDSID}}}},
		"C1 in role":      {Revokes: []secrets.AccessChange{{Role: "Own\u0085er", Teams: []string{teamDSID}}}},
		"non-UTF-8 role":  {Revokes: []secrets.AccessChange{{Role: "Own\xffer", Teams: []string{teamDSID}}}},
		"nobody":          {Grants: []secrets.AccessChange{{Role: secrets.RoleReader}}},
		"bad second item": {Grants: []secrets.AccessChange{{Role: secrets.RoleReader, Users: []string{aliceID}}, {Role: "\nWriter", Users: []string{aliceID}}}},
	} {
		rows = append(rows, badArg{name: "Share/" + name, sentinels: []error{secrets.ErrInvalidArgument},
			call: func(e argEnv) error { return e.c.Secrets.Share(e.ctx, secretID, req) }})
	}
	// User and team IDs are UUIDs too; the error names the call that takes e-mail addresses and team names.
	for _, id := range append([]string{""}, notIDs...) {
		for _, change := range []secrets.AccessChange{
			{Role: secrets.RoleReader, Users: []string{aliceID, id}},
			{Role: secrets.RoleOwner, Teams: []string{id}},
		} {
			for part, req := range map[string]*secrets.ShareRequest{"grant": {Grants: []secrets.AccessChange{change}}, "revoke": {Revokes: []secrets.AccessChange{change}}} {
				row := badArg{name: fmt.Sprintf("Share/%s %v", part, change), sentinels: []error{secrets.ErrInvalidArgument},
					call: func(e argEnv) error { return e.c.Secrets.Share(e.ctx, secretID, req) }}
				if id != "" {
					row.contains, row.hidden = []string{"ShareByName"}, strings.TrimSpace(id)
				}
				rows = append(rows, row)
			}
		}
	}
	for name, req := range map[string]*secrets.ShareByNameRequest{
		"nil":             nil,
		"empty":           {},
		"no role":         {Grants: []secrets.NamedAccessChange{{UserEmails: []string{"alice@example.com"}}}},
		"control in role": {Revokes: []secrets.NamedAccessChange{{Role: "Ad\rmin", TeamNames: []string{"data-science"}}}},
		"blank role":      {Grants: []secrets.NamedAccessChange{{Role: "\u00a0", UserEmails: []string{"alice@example.com"}}}},
		"nobody":          {Grants: []secrets.NamedAccessChange{{Role: secrets.RoleReader}}},
		"empty e-mail":    {Grants: []secrets.NamedAccessChange{{Role: secrets.RoleReader, UserEmails: []string{" "}}}},
		"empty team":      {Grants: []secrets.NamedAccessChange{{Role: secrets.RoleReader, TeamNames: []string{""}}}},
		"bad later item":  {Grants: []secrets.NamedAccessChange{{Role: secrets.RoleReader, UserEmails: []string{"alice@example.com"}}}, Revokes: []secrets.NamedAccessChange{{Role: " reader", TeamNames: []string{"x"}}}},
	} {
		rows = append(rows, badArg{name: "ShareByName/" + name, sentinels: []error{secrets.ErrInvalidArgument},
			call: func(e argEnv) error { return e.c.Secrets.ShareByName(e.ctx, secretID, req) }})
	}

	// Lookups: empty e-mail addresses and team names.
	for _, s := range []string{"", "  ", "\t"} {
		rows = append(rows,
			badArg{name: "UserByEmail/" + s, sentinels: []error{secrets.ErrInvalidArgument},
				call: func(e argEnv) error { _, err := e.c.Organizations.UserByEmail(e.ctx, s); return err }},
			badArg{name: "TeamByName/" + s, sentinels: []error{secrets.ErrInvalidArgument},
				call: func(e argEnv) error { _, err := e.c.Organizations.TeamByName(e.ctx, s); return err }})
	}

	// A nil context, or an Organization not from Current, is an argument error, not a panic.
	for _, pc := range protocolCases(t) {
		if strings.Contains(pc.name, "/") {
			continue // one row per method
		}
		rows = append(rows, badArg{name: "nil context/" + pc.name, sentinels: []error{secrets.ErrInvalidArgument},
			call: func(e argEnv) error {
				var nilCtx context.Context
				_, err := pc.call(nilCtx, e.c)
				return err
			}})
	}
	var nilOrg *secrets.Organization
	rows = append(rows,
		badArg{name: "nil Organization", sentinels: []error{secrets.ErrInvalidArgument},
			call: func(e argEnv) error { _, err := nilOrg.GetSecret(e.ctx, "DB_PASSWORD"); return err }},
		badArg{name: "Organization not from Current", sentinels: []error{secrets.ErrInvalidArgument},
			call: func(e argEnv) error {
				_, err := (&secrets.Organization{ID: testOrgID}).GetSecret(e.ctx, "DB_PASSWORD")
				return err
			}})
	return rows
}

// TestValidation_BadArgumentsSendNothing: every method refuses every bad argument it checks with a typed
// error (exactly its sentinels), whose text says what is wrong without quoting the argument, before any
// request.
func TestValidation_BadArgumentsSendNothing(t *testing.T) {
	t.Parallel()
	for _, tc := range badArgs(t) {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, api := setup(t)
			cache, err := secrets.NewCache(c)
			require.NoError(t, err)
			t.Cleanup(cache.Close)
			e := argEnv{ctx: t.Context(), c: c, org: currentOrg(t, c, api), cache: cache}
			before := api.GetTotalCallCount()

			var callErr error
			require.NotPanics(t, func() { callErr = tc.call(e) })
			require.Error(t, callErr)
			assertSentinels(t, callErr, tc.sentinels...)
			text := callErr.Error()
			assert.True(t, strings.HasPrefix(text, "secrets: "), text)
			if tc.msg != "" {
				assert.Equal(t, tc.msg, text)
			}
			for _, part := range tc.contains {
				assert.Contains(t, text, part)
			}
			if tc.hidden != "" {
				assert.NotContains(t, text, tc.hidden)
			}
			assert.NotContains(t, text, "51Hx9f2e")
			assert.Equal(t, before, api.GetTotalCallCount(), "nothing is sent")
		})
	}
}

// TestValidation_ValidNames are accepted as they are.
func TestValidation_ValidNames(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"A", "_", "9", "DB_PASSWORD", "db_password_2", strings.Repeat("x", 256)} {
		c, api := setup(t)
		api.on(http.MethodGet, "/v1/secrets", jsonResponder(200, `{"secrets":[{"secretID":"1","name":"`+name+`","value":"v"}]}`))
		s, err := c.Secrets.GetByName(t.Context(), name)
		require.NoError(t, err, name)
		assert.Equal(t, name, s.Name)
		assert.Equal(t, name, api.only().URL.Query().Get("name"))
	}
}

// TestValidation_ValueSizeLimit: MaxValueBytes is accepted and sent, and an empty value is a value
// (one byte more: TestValidation_BadArgumentsSendNothing).
func TestValidation_ValueSizeLimit(t *testing.T) {
	t.Parallel()
	maxValue := strings.Repeat("v", secrets.MaxValueBytes)
	cases := map[string]struct {
		method, path, value, body string // body: what is sent, with the value left out
		call                      wireCall
	}{
		"Create": {http.MethodPost, "/v1/secrets", maxValue, `{"name":"BIG","value":""}`, func(ctx context.Context, c *secrets.Client) (any, error) {
			return ret(c.Secrets.Create(ctx, "BIG", maxValue))
		}},
		"Update": {http.MethodPatch, getPath, maxValue, `{"value":""}`, func(ctx context.Context, c *secrets.Client) (any, error) {
			return ret(c.Secrets.Update(ctx, secretID, maxValue))
		}},
		"empty value": {http.MethodPost, "/v1/secrets", "", `{"name":"EMPTY","value":""}`, func(ctx context.Context, c *secrets.Client) (any, error) {
			return ret(c.Secrets.Create(ctx, "EMPTY", ""))
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, api := setup(t)
			api.on(tc.method, tc.path, fixture(t, 200, "secret_empty_value.json"))
			s, err := tc.call(t.Context(), c)
			require.NoError(t, err)
			assert.Equal(t, strp(""), s.(*secrets.Secret).Value, "an empty value read back is a value")
			body := string(api.only().Body)
			assert.Len(t, body, len(tc.body)+len(tc.value))
			assert.JSONEq(t, tc.body, strings.Replace(body, tc.value, "", 1))
		})
	}
}

// TestNewClient_InvalidOptions: every invalid option makes NewClient fail with ErrInvalidArgument,
// never panic.
func TestNewClient_InvalidOptions(t *testing.T) {
	t.Parallel()
	cases := map[string]secrets.Option{
		"WithAPIKey empty":            secrets.WithAPIKey(""),
		"WithAPIKey space":            secrets.WithAPIKey("abc def"),
		"WithAPIKey newline":          secrets.WithAPIKey("abc\n"),
		"WithAPIKey DEL":              secrets.WithAPIKey("abc\x7f"),
		"WithAPIKey no-break space":   secrets.WithAPIKey("abc\u00a0def"),
		"WithAPIKey zero-width space": secrets.WithAPIKey("abc\u200b"),
		"WithAPIKey C1 control":       secrets.WithAPIKey("abc\u0085"),
		"WithAPIKey invalid UTF-8":    secrets.WithAPIKey("abc\xff"),
		"WithBaseURL empty":           secrets.WithBaseURL(""),
		"WithBaseURL not a URL":       secrets.WithBaseURL("://nope"),
		"WithBaseURL no scheme":       secrets.WithBaseURL("api.singlestore.com"),
		"WithBaseURL ftp":             secrets.WithBaseURL("ftp://api.singlestore.com"),
		"WithBaseURL no host":         secrets.WithBaseURL("https://"),
		"WithBaseURL user info":       secrets.WithBaseURL("https://user:pass@api.singlestore.com"),
		"WithBaseURL query":           secrets.WithBaseURL("https://api.singlestore.com?x=1"),
		"WithBaseURL fragment":        secrets.WithBaseURL("https://api.singlestore.com#x"),
		"WithBaseURL plain http":      secrets.WithBaseURL("http://api.singlestore.com"),
		"WithBaseURL with version":    secrets.WithBaseURL("https://api.singlestore.com/v1"),
		"WithBaseURL with version/":   secrets.WithBaseURL("http://127.0.0.1:8080/v1/"),
		"WithAPIVersion empty":        secrets.WithAPIVersion(""),
		"WithAPIVersion slashes only": secrets.WithAPIVersion("//"),
		"WithAPIVersion two segments": secrets.WithAPIVersion("v1/secrets"),
		"WithAPIVersion query":        secrets.WithAPIVersion("v1?x"),
		"WithAPIVersion space":        secrets.WithAPIVersion("v 1"),
		"WithOrganizationID empty":    secrets.WithOrganizationID(""),
		"WithOrganizationID blank":    secrets.WithOrganizationID("  "),
		"WithHTTPClient nil":          secrets.WithHTTPClient(nil),
		"WithUserAgent newline":       secrets.WithUserAgent("app\r\nX-Evil: 1"),
		"WithRetryMax negative":       secrets.WithRetryMax(-1),
		"WithRetryMax too many":       secrets.WithRetryMax(101),
		"WithRetryWait negative min":  secrets.WithRetryWait(-1, 1),
		"WithRetryWait zero max":      secrets.WithRetryWait(0, 0),
		"WithRetryWait min above max": secrets.WithRetryWait(2, 1),
		"WithTimeout zero":            secrets.WithTimeout(0),
		"WithTimeout negative":        secrets.WithTimeout(-1),
	}
	for _, id := range notIDs {
		cases["WithOrganizationID "+id] = secrets.WithOrganizationID(id)
	}
	for name, opt := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var c *secrets.Client
			var err error
			require.NotPanics(t, func() {
				c, err = secrets.NewClient(secrets.WithAPIKey(testToken), opt)
			})
			assert.Nil(t, c)
			assertSentinels(t, err, secrets.ErrInvalidArgument)
			assert.True(t, strings.HasPrefix(err.Error(), "secrets: "), err.Error())
			option, arg, _ := strings.Cut(name, " ")
			assert.Contains(t, err.Error(), option)
			if slices.Contains(notIDs, arg) {
				assert.NotContains(t, err.Error(), strings.TrimSpace(arg), "an ID is never quoted")
			}
		})
	}
}

// TestNewClient_ValidOptions: the edges of each option are accepted, nil options are skipped, and the
// configuration shows in Info without the token.
func TestNewClient_ValidOptions(t *testing.T) {
	t.Parallel()
	c, err := secrets.NewClient(nil,
		secrets.WithAPIKey(testToken),
		secrets.WithBaseURL(" https://api.test.example/prefix/ "),
		secrets.WithAPIVersion("/v2/"),
		secrets.WithOrganizationID(testOrgID),
		secrets.WithHTTPClient(&http.Client{Transport: httpmock.NewMockTransport()}),
		secrets.WithUserAgent(" tool/1.0 "),
		secrets.WithRetryMax(0), secrets.WithRetryMax(100),
		secrets.WithRetryWait(0, 1),
		secrets.WithTimeout(1),
		secrets.WithLogger(nil),
	)
	require.NoError(t, err)
	assert.Equal(t, secrets.ClientInfo{
		BaseURL:        "https://api.test.example/prefix/v2",
		OrganizationID: testOrgID,
		TokenSource:    "WithAPIKey",
		UserAgent:      "go-secrets/" + secrets.Version + " tool/1.0",
	}, c.Info())
}

// TestNewClient_Credentials: no token is ErrNoCredentials naming the options that give one. NewClient
// never reads the environment, so its message names no variable: setting one would change nothing.
func TestNewClient_Credentials(t *testing.T) {
	t.Parallel()
	for _, opts := range [][]secrets.Option{nil, {secrets.WithBaseURL(testBaseURL)}} {
		c, err := secrets.NewClient(opts...)
		assert.Nil(t, c)
		assertSentinels(t, err, secrets.ErrNoCredentials)
		assert.EqualError(t, err, `secrets: no token: pass WithAPIKey or WithTokenSource, or read the environment with WithEnv() or ManageWorkspaces(""): no credentials`)
	}
}

// TestNewClient_OrganizationID: SINGLESTOREDB_ORGANIZATION takes UUIDs only (WithOrganizationID: rows of
// TestNewClient_InvalidOptions), and the error names the variable, never its value; an upper-case UUID
// is sent as given.
func TestNewClient_OrganizationID(t *testing.T) {
	t.Parallel()
	for _, id := range notIDs {
		env := map[string]string{secrets.EnvManagementToken: testToken, secrets.EnvOrganization: id}
		_, err := secrets.NewClient(secrets.WithEnvFunc(func(k string) string { return env[k] }))
		if strings.TrimSpace(id) == secretID {
			require.NoError(t, err, "the environment's value is trimmed") // as every variable is
			continue
		}
		assertSentinels(t, err, secrets.ErrInvalidArgument)
		assert.Contains(t, err.Error(), secrets.EnvOrganization)
		assert.NotContains(t, err.Error(), strings.TrimSpace(id))
	}

	c, api := setup(t, secrets.WithOrganizationID(strings.ToUpper(testOrgID)))
	api.on(http.MethodGet, "/v1/secrets", jsonResponder(http.StatusOK, `{"secrets":[]}`))
	_, err := c.Secrets.List(t.Context(), nil)
	require.NoError(t, err)
	assert.Equal(t, strings.ToUpper(testOrgID), api.only().URL.Query().Get("organizationID"))
}
