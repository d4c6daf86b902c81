package secrets_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// invalidNames breaks the naming rule: non-empty, ASCII letters, digits and '_' only.
var invalidNames = map[string]string{
	"empty":                "",
	"dash":                 "DB-PASSWORD",
	"space":                "DB PASSWORD",
	"leading space":        " DB_PASSWORD",
	"trailing newline":     "DB_PASSWORD\n",
	"dot":                  "db.password",
	"slash":                "db/password",
	"query characters":     "a?b=c&d",
	"unicode letter":       "PASSWÖRD",
	"emoji":                "KEY_🔑",
	"NUL byte":             "KEY\x00",
	"very long invalid":    strings.Repeat("A", 10_000) + "-",
	"value passed as name": "sk-live-9f8e7d6c5b4a",
}

// TestValidation_InvalidNameSaysWhatIsWrong (issue 14): the error shows the offending character,
// escaped when it is not printable ASCII, and its position counted from 1.
func TestValidation_InvalidNameSaysWhatIsWrong(t *testing.T) {
	t.Parallel()
	c, _ := setup(t)
	cases := map[string]string{
		"":                "secrets: invalid secret name: the name is empty",
		"DB-PASSWORD":     "secrets: invalid secret name: character '-' at position 3 is not a letter, digit or _",
		" DB_PASSWORD":    "secrets: invalid secret name: character ' ' at position 1 is not a letter, digit or _",
		"DB_PASSWORD\n":   `secrets: invalid secret name: character '\n' at position 12 is not a letter, digit or _`,
		"KEY\x1b]0;pwn\a": `secrets: invalid secret name: character '\x1b' at position 4 is not a letter, digit or _`,
		"PASSWÖRD":        "secrets: invalid secret name: character 'Ö' (U+00D6) at position 6 is not a letter, digit or _",
		"KEY\u202eDROW":   `secrets: invalid secret name: character '\u202e' at position 4 is not a letter, digit or _`,
		"KEY\xff":         `secrets: invalid secret name: character '\xff' at position 4 is not a letter, digit or _`,
	}
	for name, want := range cases {
		_, err := c.Secrets.GetByName(t.Context(), name)
		require.ErrorIs(t, err, secrets.ErrInvalidName)
		assert.Equal(t, want, err.Error(), "%q", name)
	}
}

// TestValidation_InvalidNames checks every method taking a name: ErrInvalidName (and
// ErrInvalidArgument) before any request, with an error that does not quote the name (a value passed
// by mistake must not end up in logs): only its first offending character.
func TestValidation_InvalidNames(t *testing.T) {
	t.Parallel()
	methods := map[string]func(ctx context.Context, c *secrets.Client, name string) error{
		"Create": func(ctx context.Context, c *secrets.Client, name string) error {
			_, err := c.Secrets.Create(ctx, name, "v")
			return err
		},
		"GetByName": func(ctx context.Context, c *secrets.Client, name string) error {
			_, err := c.Secrets.GetByName(ctx, name)
			return err
		},
		"List": func(ctx context.Context, c *secrets.Client, name string) error {
			_, err := c.Secrets.List(ctx, &secrets.ListSecretsOptions{Name: name})
			return err
		},
	}
	for desc, name := range invalidNames {
		for method, call := range methods {
			if method == "List" && name == "" {
				continue // an empty filter means no filter (TestProtocol_EveryMethod)
			}
			t.Run(method+"/"+desc, func(t *testing.T) {
				t.Parallel()
				c, api := setup(t)
				err := call(t.Context(), c, name)
				assertSentinels(t, err, secrets.ErrInvalidName, secrets.ErrInvalidArgument)
				assert.Equal(t, 0, api.GetTotalCallCount())
				if name != "" {
					assert.NotContains(t, err.Error(), name)
				}
			})
		}
	}
	t.Run("Organization.GetSecret", func(t *testing.T) {
		t.Parallel()
		c, api := setup(t)
		api.on(http.MethodGet, "/v1/organizations/current", fixture(t, 200, "organization.json"))
		org, err := c.Organizations.Current(t.Context())
		require.NoError(t, err)
		for _, name := range invalidNames {
			_, err := org.GetSecret(t.Context(), name)
			assert.ErrorIs(t, err, secrets.ErrInvalidName)
		}
		assert.Equal(t, 1, api.GetTotalCallCount(), "only Current")
	})
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

// TestValidation_ValueSize: MaxValueBytes is accepted and sent; one byte more is refused before any
// request with ErrValueTooLarge, which also matches ErrInvalidArgument; the error does not quote it.
func TestValidation_ValueSize(t *testing.T) {
	t.Parallel()
	calls := map[string]struct {
		method, path string
		emptyBody    string // the body sent for an empty value
		call         func(ctx context.Context, c *secrets.Client, value string) error
	}{
		"Create": {http.MethodPost, "/v1/secrets", `{"name":"BIG","value":""}`, func(ctx context.Context, c *secrets.Client, v string) error {
			_, err := c.Secrets.Create(ctx, "BIG", v)
			return err
		}},
		"Update": {http.MethodPatch, "/v1/secrets/" + secretID, `{"value":""}`, func(ctx context.Context, c *secrets.Client, v string) error {
			_, err := c.Secrets.Update(ctx, secretID, v)
			return err
		}},
	}
	maxValue := strings.Repeat("v", secrets.MaxValueBytes)
	for name, tc := range calls {
		t.Run(name+"/at the limit", func(t *testing.T) {
			t.Parallel()
			c, api := setup(t)
			api.on(tc.method, tc.path, fixture(t, 200, "secret.json"))
			require.NoError(t, tc.call(t.Context(), c, maxValue))
			req := api.only()
			assert.Len(t, req.Body, len(tc.emptyBody)+secrets.MaxValueBytes)
		})
		t.Run(name+"/invalid UTF-8", func(t *testing.T) {
			t.Parallel()
			c, api := setup(t)
			err := tc.call(t.Context(), c, "a\xff\xfeb") // JSON would store "a\uFFFD\uFFFDb"
			assertSentinels(t, err, secrets.ErrInvalidArgument)
			assert.NotErrorIs(t, err, secrets.ErrValueTooLarge)
			assert.Contains(t, err.Error(), "UTF-8")
			assert.Equal(t, 0, api.GetTotalCallCount())
		})
		t.Run(name+"/one byte over", func(t *testing.T) {
			t.Parallel()
			c, api := setup(t)
			err := tc.call(t.Context(), c, maxValue+"x")
			assertSentinels(t, err, secrets.ErrValueTooLarge, secrets.ErrInvalidArgument)
			assert.Equal(t, 0, api.GetTotalCallCount())
			assert.Less(t, len(err.Error()), 200)
		})
	}
	t.Run("empty value is a value", func(t *testing.T) {
		t.Parallel()
		c, api := setup(t)
		api.on(http.MethodPost, "/v1/secrets", fixture(t, 200, "secret_empty_value.json"))
		s, err := c.Secrets.Create(t.Context(), "EMPTY", "")
		require.NoError(t, err)
		assert.JSONEq(t, `{"name":"EMPTY","value":""}`, string(api.only().Body))
		require.NotNil(t, s.Value)
		assert.Empty(t, *s.Value)
	})
}

// TestValidation_ShareRequests: nil or empty requests, roles that cannot be names and empty holders are
// refused before any request, by Share and by ShareByName (which would otherwise look names up first).
func TestValidation_ShareRequests(t *testing.T) {
	t.Parallel()
	byID := map[string]*secrets.ShareRequest{
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
		"empty user ID":   {Grants: []secrets.AccessChange{{Role: secrets.RoleReader, Users: []string{aliceID, ""}}}},
		"empty team ID":   {Revokes: []secrets.AccessChange{{Role: secrets.RoleOwner, Teams: []string{""}}}},
		"value as an ID":  {Grants: []secrets.AccessChange{{Role: secrets.RoleReader, Users: []string{"hunter2 correct horse"}}}},
		"bad second item": {Grants: []secrets.AccessChange{{Role: secrets.RoleReader, Users: []string{aliceID}}, {Role: "\nWriter", Users: []string{aliceID}}}},
	}
	for name, req := range byID {
		t.Run("Share/"+name, func(t *testing.T) {
			t.Parallel()
			c, api := setup(t)
			err := c.Secrets.Share(t.Context(), secretID, req)
			assertSentinels(t, err, secrets.ErrInvalidArgument)
			assert.Equal(t, 0, api.GetTotalCallCount())
		})
	}
	byName := map[string]*secrets.ShareByNameRequest{
		"nil":             nil,
		"empty":           {},
		"no role":         {Grants: []secrets.NamedAccessChange{{UserEmails: []string{"alice@example.com"}}}},
		"control in role": {Revokes: []secrets.NamedAccessChange{{Role: "Ad\rmin", TeamNames: []string{"data-science"}}}},
		"blank role":      {Grants: []secrets.NamedAccessChange{{Role: "\u00a0", UserEmails: []string{"alice@example.com"}}}},
		"nobody":          {Grants: []secrets.NamedAccessChange{{Role: secrets.RoleReader}}},
		"empty e-mail":    {Grants: []secrets.NamedAccessChange{{Role: secrets.RoleReader, UserEmails: []string{" "}}}},
		"empty team":      {Grants: []secrets.NamedAccessChange{{Role: secrets.RoleReader, TeamNames: []string{""}}}},
		"bad later item":  {Grants: []secrets.NamedAccessChange{{Role: secrets.RoleReader, UserEmails: []string{"alice@example.com"}}}, Revokes: []secrets.NamedAccessChange{{Role: " reader", TeamNames: []string{"x"}}}},
	}
	for name, req := range byName {
		t.Run("ShareByName/"+name, func(t *testing.T) {
			t.Parallel()
			c, api := setup(t)
			api.on(http.MethodGet, "/v1/users", fixture(t, 200, "users.json"))
			api.on(http.MethodGet, "/v1/teams", fixture(t, 200, "teams.json"))
			err := c.Secrets.ShareByName(t.Context(), secretID, req)
			assertSentinels(t, err, secrets.ErrInvalidArgument)
			assert.Equal(t, 0, api.GetTotalCallCount())
		})
	}
}

// TestValidation_Lookups: empty e-mail addresses and team names are refused before any request.
func TestValidation_Lookups(t *testing.T) {
	t.Parallel()
	c, api := setup(t)
	for _, email := range []string{"", "  "} {
		_, err := c.Organizations.UserByEmail(t.Context(), email)
		assertSentinels(t, err, secrets.ErrInvalidArgument)
	}
	for _, team := range []string{"", "\t"} {
		_, err := c.Organizations.TeamByName(t.Context(), team)
		assertSentinels(t, err, secrets.ErrInvalidArgument)
	}
	assert.Equal(t, 0, api.GetTotalCallCount())
}

// TestValidation_NilContextAndOrganization: a nil context or an Organization not from Current is an
// argument error, not a panic.
func TestValidation_NilContextAndOrganization(t *testing.T) {
	t.Parallel()
	c, api := setup(t)
	var nilCtx context.Context
	_, err := c.Secrets.Get(nilCtx, secretID)
	assertSentinels(t, err, secrets.ErrInvalidArgument)

	var nilOrg *secrets.Organization
	_, err = nilOrg.GetSecret(t.Context(), "DB_PASSWORD")
	assertSentinels(t, err, secrets.ErrInvalidArgument)
	_, err = (&secrets.Organization{ID: testOrgID}).GetSecret(t.Context(), "DB_PASSWORD")
	assertSentinels(t, err, secrets.ErrInvalidArgument)
	assert.Equal(t, 0, api.GetTotalCallCount())
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
		for _, option := range []string{"WithAPIKey", "WithTokenSource", "WithEnv()", `ManageWorkspaces("")`} {
			assert.Contains(t, err.Error(), option)
		}
		assert.NotContains(t, err.Error(), "SINGLESTOREDB_")
	}
}
