package secretstest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/secretstest"
)

// Every ID the emulator sends is a UUID and every timestamp RFC 3339 in UTC, as the official
// clients parse them (the generated Go client decodes IDs as UUIDs and grant times as time.Time).
func TestEveryIDIsAUUIDAndEveryTimestampRFC3339UTC(t *testing.T) {
	t.Parallel()
	zone := time.FixedZone("UTC+5", 5*3600) // a clock in another zone: the wire is still UTC
	e := newEnv(t, secretstest.WithClock(func() time.Time { return time.Now().In(zone) }))
	ada := e.srv.AddUser("ada@example.com")
	ops := e.srv.AddTeam("Ops", ada.ID)
	sec := e.create(e.key, "WIRE", "v")
	e.share(e.key, sec.SecretID, grant(users(reader, ada.ID), teams(owner, ops.ID)))

	checked := 0
	for _, path := range []string{
		"/v1/organizations/current", "/v1/secrets", "/v1/secrets?name=WIRE", "/v1/secrets/" + sec.SecretID,
		"/v1/secrets/" + sec.SecretID + "/accessControls", "/v1/users", "/v1/users/current", "/v1/teams",
	} {
		r := e.do(e.key, http.MethodGet, path, nil)
		require.Equal(t, http.StatusOK, r.status, "%s: %s", path, r.body)
		var doc any
		require.NoError(t, json.Unmarshal(r.body, &doc))
		checked += walkFields(doc, func(key string, v any) {
			s, isString := v.(string)
			switch {
			case strings.HasSuffix(key, "ID") || key == "createdBy" || key == "lastUpdatedBy":
				if isString { // createdBy is a UserInfo object in grants: walked into below
					assert.Regexp(t, uuidPattern, s, "%s: %s", path, key)
				}
			case strings.HasSuffix(key, "At"):
				require.True(t, isString, "%s: %s", path, key)
				ts, err := time.Parse(time.RFC3339Nano, s)
				assert.NoError(t, err, "%s: %s=%q", path, key, s)
				assert.True(t, strings.HasSuffix(s, "Z"), "%s: %s=%q is not UTC", path, key, s)
				assert.Equal(t, time.UTC, ts.Location())
			}
		})
	}
	r := e.do(e.key, http.MethodDelete, "/v1/secrets/"+sec.SecretID, nil)
	assert.Regexp(t, uuidPattern, decode[map[string]string](t, r, http.StatusOK)["secretID"])
	assert.Greater(t, checked, 30, "the walk saw the fields")
}

// walkFields calls fn for every object member in doc, depth first, and returns how many it saw.
func walkFields(doc any, fn func(key string, v any)) int {
	n := 0
	switch d := doc.(type) {
	case map[string]any:
		for k, v := range d {
			fn(k, v)
			n += 1 + walkFields(v, fn)
		}
	case []any:
		for _, v := range d {
			n += walkFields(v, fn)
		}
	}
	return n
}
