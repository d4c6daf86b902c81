package secrets_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// wantDBPassword is testdata/responses/secret.json decoded.
var wantDBPassword = &secrets.Secret{
	ID:            secretID,
	Name:          "DB_PASSWORD",
	Value:         strp("hunter2"),
	CreatedBy:     "a1b2c3d4-0000-4000-8000-000000000001",
	CreatedAt:     time.Date(2024, 5, 1, 10, 20, 30, 0, time.UTC),
	LastUpdatedBy: "a1b2c3d4-0000-4000-8000-000000000002",
	LastUpdatedAt: time.Date(2024, 6, 2, 11, 22, 33, 456_000_000, time.UTC),
}

// wantAPIKey is the withheld secret of the list fixtures.
var wantAPIKey = &secrets.Secret{
	ID:            "9c8b7a6f-5e4d-4c3b-8a29-1f0e9d8c7b6a",
	Name:          "API_KEY",
	CreatedBy:     "a1b2c3d4-0000-4000-8000-000000000003",
	CreatedAt:     time.Date(2024, 5, 1, 10, 20, 30, 0, time.UTC),
	LastUpdatedBy: "a1b2c3d4-0000-4000-8000-000000000003",
	LastUpdatedAt: time.Date(2024, 5, 1, 10, 20, 30, 0, time.UTC),
}

// TestSecrets_DecodeSecret checks every field of the Secret shapes the API sends.
func TestSecrets_DecodeSecret(t *testing.T) {
	t.Parallel()
	deletedAt := time.Date(2024, 8, 9, 7, 6, 5, 0, time.UTC)
	cases := []struct {
		fixture string
		want    *secrets.Secret
	}{
		{"secret.json", wantDBPassword},
		{"secret_withheld.json", wantAPIKey},
		{"secret_empty_value.json", &secrets.Secret{
			ID: "5d1c2b3a-4e5f-4a6b-9c7d-8e9f0a1b2c3d", Name: "EMPTY", Value: strp(""),
			CreatedBy: "a1b2c3d4-0000-4000-8000-000000000001", CreatedAt: time.Date(2024, 5, 1, 10, 20, 30, 0, time.UTC),
			LastUpdatedBy: "a1b2c3d4-0000-4000-8000-000000000001", LastUpdatedAt: time.Date(2024, 5, 1, 10, 20, 30, 0, time.UTC),
		}},
		{"secret_deleted.json", &secrets.Secret{
			ID: secretID, Name: "DB_PASSWORD",
			CreatedBy: wantDBPassword.CreatedBy, CreatedAt: wantDBPassword.CreatedAt,
			LastUpdatedBy: wantDBPassword.LastUpdatedBy, LastUpdatedAt: wantDBPassword.LastUpdatedAt,
			DeletedBy: "a1b2c3d4-0000-4000-8000-000000000002", DeletedAt: &deletedAt,
		}},
		{"secret_odd_timestamps.json", &secrets.Secret{
			ID: secretID, Name: "DB_PASSWORD", Value: strp("hunter2"),
			CreatedBy: wantDBPassword.CreatedBy, CreatedAt: time.Date(2024, 5, 1, 10, 20, 30, 0, time.UTC),
			LastUpdatedBy: wantDBPassword.LastUpdatedBy, LastUpdatedAt: time.Unix(1717327353, 0).UTC(),
		}},
	}
	for _, tc := range cases {
		t.Run(tc.fixture, func(t *testing.T) {
			t.Parallel()
			c, api := setup(t)
			api.on(http.MethodGet, getPath, fixture(t, 200, tc.fixture))
			s, err := c.Secrets.Get(t.Context(), secretID)
			require.NoError(t, err)
			assert.Equal(t, tc.want, s)
		})
	}
}

// TestSecrets_LenientTimestamps: every layout the service's clients read is read; numbers are Unix
// seconds or milliseconds; anything else is the zero time, never an error.
func TestSecrets_LenientTimestamps(t *testing.T) {
	t.Parallel()
	ref := time.Date(2024, 5, 1, 10, 20, 30, 0, time.UTC)
	cases := []struct {
		raw  string
		want time.Time
	}{
		{`"2024-05-01T10:20:30Z"`, ref},
		{`"2024-05-01T10:20:30.123456789Z"`, ref.Add(123456789)},
		{`"2024-05-01T12:20:30+02:00"`, ref},
		{`"2024-05-01T10:20:30"`, ref},
		{`"2024-05-01T10:20:30.5"`, ref.Add(500 * time.Millisecond)},
		{`"2024-05-01 10:20:30"`, ref},
		{`"2024-05-01 10:20:30.25"`, ref.Add(250 * time.Millisecond)},
		{`"2024-05-01 05:20:30-05:00"`, ref},
		{`"2024-05-01"`, time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)},
		{`1714558830`, ref},
		{`1714558830.5`, ref.Add(500 * time.Millisecond)},
		{`1714558830000`, ref},
		{`"1714558830"`, ref},
		{`null`, time.Time{}},
		{`""`, time.Time{}},
		{`"garbage"`, time.Time{}},
		{`"2024-13-45T99:99:99Z"`, time.Time{}},
		{`0`, time.Time{}},
		{`-5`, time.Time{}},
		{`1e300`, time.Time{}},
		{`"NaN"`, time.Time{}},
		{`true`, time.Time{}},
		{`{"seconds":1}`, time.Time{}},
		{`[1,2]`, time.Time{}},
	}
	for _, tc := range cases {
		t.Run(tc.raw, func(t *testing.T) {
			t.Parallel()
			c, api := setup(t)
			body := `{"secretID":"` + secretID + `","name":"N","value":"v","createdAt":` + tc.raw +
				`,"lastUpdatedAt":` + tc.raw + `,"deletedAt":` + tc.raw + `}`
			api.on(http.MethodGet, getPath, jsonResponder(200, body))
			s, err := c.Secrets.Get(t.Context(), secretID)
			require.NoError(t, err, "an odd timestamp never fails a call")
			assert.True(t, tc.want.Equal(s.CreatedAt), "CreatedAt %v, want %v", s.CreatedAt, tc.want)
			assert.True(t, tc.want.Equal(s.LastUpdatedAt), "LastUpdatedAt %v, want %v", s.LastUpdatedAt, tc.want)
			assert.Equal(t, time.UTC, s.CreatedAt.Location())
			if tc.want.IsZero() {
				assert.Nil(t, s.DeletedAt)
			} else if assert.NotNil(t, s.DeletedAt) {
				assert.True(t, tc.want.Equal(*s.DeletedAt))
			}
		})
	}
}

// TestSecrets_List: the wrapped form the live service sends and the bare array of the published
// specification decode alike; a withheld value stays nil.
func TestSecrets_List(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"list_wrapped.json", "list_bare.json"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, api := setup(t)
			api.on(http.MethodGet, "/v1/secrets", fixture(t, 200, name))
			list, err := c.Secrets.List(t.Context(), nil)
			require.NoError(t, err)
			assert.Equal(t, []*secrets.Secret{wantDBPassword, wantAPIKey}, list)
			assert.Nil(t, list[1].Value, "withheld")
		})
	}
	for body, desc := range map[string]string{`{"secrets":[]}`: "wrapped empty", `[]`: "bare empty", `{}`: "no secrets field", `{"secrets":null}`: "null"} {
		t.Run(desc, func(t *testing.T) {
			t.Parallel()
			c, api := setup(t)
			api.on(http.MethodGet, "/v1/secrets", jsonResponder(200, body))
			list, err := c.Secrets.List(t.Context(), nil)
			require.NoError(t, err)
			assert.Empty(t, list)
		})
	}
}

// TestSecrets_GetByName: exact matches only; none is ErrNotFound (not an *APIError), several
// ErrAmbiguous; a withheld value comes back nil.
func TestSecrets_GetByName(t *testing.T) {
	t.Parallel()
	cases := []struct {
		fixture string
		name    string
		want    *secrets.Secret
		err     error
		errText string
	}{
		{fixture: "list_wrapped.json", name: "DB_PASSWORD", want: wantDBPassword},
		{fixture: "list_bare.json", name: "API_KEY", want: wantAPIKey},
		{fixture: "list_inexact.json", name: "DB_PASSWORD", want: &secrets.Secret{
			ID: secretID, Name: "DB_PASSWORD", Value: strp("hunter2"),
			CreatedAt: wantDBPassword.CreatedAt, LastUpdatedAt: wantDBPassword.LastUpdatedAt,
		}},
		{fixture: "list_empty.json", name: "DB_PASSWORD", err: secrets.ErrNotFound, errText: `secrets: no secret named "DB_PASSWORD": not found`},
		{fixture: "list_no_exact.json", name: "DB_PASSWORD", err: secrets.ErrNotFound, errText: `secrets: no secret named "DB_PASSWORD": not found`},
		{fixture: "list_inexact.json", name: "DB_PASS", err: secrets.ErrNotFound, errText: `secrets: no secret named "DB_PASS": not found`},
		{fixture: "list_ambiguous.json", name: "DB_PASSWORD", err: secrets.ErrAmbiguous, errText: `secrets: more than one secret is named "DB_PASSWORD": ambiguous name`},
	}
	for _, tc := range cases {
		t.Run(tc.fixture+"/"+tc.name, func(t *testing.T) {
			t.Parallel()
			c, api := setup(t)
			api.on(http.MethodGet, "/v1/secrets", fixture(t, 200, tc.fixture))
			s, err := c.Secrets.GetByName(t.Context(), tc.name)
			assert.Equal(t, 1, api.GetTotalCallCount())
			if tc.err == nil {
				require.NoError(t, err)
				assert.Equal(t, tc.want, s)
				return
			}
			assert.Nil(t, s)
			assertSentinels(t, err, tc.err)
			var apiErr *secrets.APIError
			assert.NotErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.errText, err.Error())
			assert.NotContains(t, err.Error(), "amb-value", "no value of an ambiguous match")
		})
	}
}

// TestSecrets_Delete accepts {"secretID"}, an empty body, 204 and any JSON.
func TestSecrets_Delete(t *testing.T) {
	t.Parallel()
	answers := map[string]httpmock.Responder{
		"secretID":                  fixture(t, 200, "delete.json"),
		"empty 200, unknown length": httpmock.NewStringResponder(200, ""),
		"empty 200, Content-Length": httpmock.NewStringResponder(200, "").SetContentLength(),
		"204":                       httpmock.NewStringResponder(204, ""),
		"other JSON":                jsonResponder(200, `{"deleted":true}`),
	}
	for name, r := range answers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, api := setup(t)
			api.on(http.MethodDelete, getPath, r)
			require.NoError(t, c.Secrets.Delete(t.Context(), secretID))
			assert.Equal(t, 1, api.GetTotalCallCount())
		})
	}
}

// TestSecrets_CreateAndUpdateDecode checks what Create and Update return.
func TestSecrets_CreateAndUpdateDecode(t *testing.T) {
	t.Parallel()
	c, api := setup(t)
	api.on(http.MethodPost, "/v1/secrets", fixture(t, 200, "secret.json"))
	api.on(http.MethodPatch, getPath, fixture(t, 200, "secret_updated.json"))
	s, err := c.Secrets.Create(t.Context(), "DB_PASSWORD", "hunter2")
	require.NoError(t, err)
	assert.Equal(t, wantDBPassword, s)
	s, err = c.Secrets.Update(t.Context(), secretID, "hunter3")
	require.NoError(t, err)
	assert.Equal(t, "hunter3", *s.Value)
	assert.Equal(t, time.Date(2024, 7, 3, 12, 0, 0, 0, time.UTC), s.LastUpdatedAt)
}

// TestSecrets_InvalidResponses: a 2xx body that is not the expected JSON is ErrInvalidResponse in a
// *RequestError, whose text does not quote the body (it may hold values); never retried.
func TestSecrets_InvalidResponses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, method, path, body string
		call                     func(c *secrets.Client, t *testing.T) error
		text                     string
	}{
		{"Get not JSON", http.MethodGet, getPath, "hunter2 is the password",
			func(c *secrets.Client, t *testing.T) error {
				_, err := c.Secrets.Get(t.Context(), secretID)
				return err
			},
			"invalid response: malformed JSON at byte 1"},
		{"Get truncated", http.MethodGet, getPath, `{"secretID":"x","value":"hunter2`,
			func(c *secrets.Client, t *testing.T) error {
				_, err := c.Secrets.Get(t.Context(), secretID)
				return err
			},
			"invalid response: "},
		{"Get empty", http.MethodGet, getPath, "",
			func(c *secrets.Client, t *testing.T) error {
				_, err := c.Secrets.Get(t.Context(), secretID)
				return err
			},
			"invalid response: "},
		{"Get wrong type", http.MethodGet, getPath, `{"secretID":"x","value":["hunter2"]}`,
			func(c *secrets.Client, t *testing.T) error {
				_, err := c.Secrets.Get(t.Context(), secretID)
				return err
			},
			`invalid response: JSON field "value" has the wrong type`},
		{"List garbage", http.MethodGet, "/v1/secrets", `"hunter2"`,
			func(c *secrets.Client, t *testing.T) error { _, err := c.Secrets.List(t.Context(), nil); return err },
			"invalid response: "},
		{"List empty body", http.MethodGet, "/v1/secrets", ``,
			func(c *secrets.Client, t *testing.T) error { _, err := c.Secrets.List(t.Context(), nil); return err },
			"invalid response: "},
		{"Access object", http.MethodGet, getPath + "/accessControls", `{"role":"Owner"}`,
			func(c *secrets.Client, t *testing.T) error {
				_, err := c.Secrets.Access(t.Context(), secretID)
				return err
			},
			"invalid response: "},
		{"Current HTML", http.MethodGet, "/v1/organizations/current", `<html>hunter2</html>`,
			func(c *secrets.Client, t *testing.T) error {
				_, err := c.Organizations.Current(t.Context())
				return err
			},
			"invalid response: malformed JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, api := setup(t)
			api.on(tc.method, tc.path, httpmock.NewStringResponder(200, tc.body))
			err := tc.call(c, t)
			assertSentinels(t, err, secrets.ErrInvalidResponse)
			var reqErr *secrets.RequestError
			require.ErrorAs(t, err, &reqErr)
			assert.Equal(t, tc.method, reqErr.Method)
			assert.Equal(t, tc.path, reqErr.Path)
			assert.Equal(t, 1, api.GetTotalCallCount())
			assert.Contains(t, err.Error(), tc.text)
			assert.True(t, strings.HasPrefix(err.Error(), "secrets: "+tc.method+" "+tc.path+": "), err.Error())
			assert.NotContains(t, err.Error(), "hunter2")
		})
	}
}
