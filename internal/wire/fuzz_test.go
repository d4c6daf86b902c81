package wire_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/internal/wire"
)

// The fuzz targets of this file run their seed corpus (testdata/fuzz/FuzzXxx plus the f.Add calls)
// in every `go test`; `go test -fuzz FuzzXxx` explores beyond it (see scripts/fuzz.sh).

// FuzzDecodeSecretList: DecodeSecretList never panics, accepts only valid JSON, and what it accepts
// survives a round trip through both list shapes (wrapped and bare) unchanged.
func FuzzDecodeSecretList(f *testing.F) {
	one := `{"secretID":"s1","name":"A","value":"v","createdBy":"u","createdAt":"2024-05-01T10:20:30Z","lastUpdatedAt":1714558830.5}`
	for _, seed := range []string{
		`{"secrets":[` + one + `]}`,
		`[` + one + `,{"secretID":"s2","name":"B"}]`,
		`{"secrets":[{"secretID":"s3","value":"","deletedAt":"garbage","deletedBy":"u"}]}`,
		`{"secrets":null}`, `null`, `[]`, ``, ` `, `[1]`, `{"secrets":{}}`, `{"secrets":[` + one,
		`[{"createdAt":1e15,"lastUpdatedAt":"9999-12-31T23:59:59-01:00","deletedAt":"0000-01-01T00:00:00+01:00"}]`,
		`[{"SECRETID":"case","Value":"insensitive keys"}]`,
		"[{\"name\":\"\xff\xfe\"}]",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		list, err := wire.DecodeSecretList(data)
		if err != nil {
			return
		}
		require.True(t, json.Valid(data), "accepted a body that is not JSON")
		for _, shape := range []any{wire.SecretList{Secrets: list}, list} {
			encoded, err := json.Marshal(shape)
			require.NoError(t, err, "an accepted list must encode")
			again, err := wire.DecodeSecretList(encoded)
			require.NoError(t, err, "%s", encoded)
			require.Len(t, again, len(list))
			for i := range list {
				assertSameSecret(t, list[i], again[i])
			}
		}
	})
}

// FuzzDecodeSecret: one Secret object, as Get, Create and Update decode it: never an error for an
// odd timestamp, and a round trip keeps everything.
func FuzzDecodeSecret(f *testing.F) {
	for _, seed := range []string{
		`{"secretID":"s","name":"N","value":"v","createdBy":"u","createdAt":"2024-05-01T10:20:30Z","lastUpdatedBy":"u","lastUpdatedAt":"2024-05-01 10:20:30.5"}`,
		`{"secretID":"s","name":"N","deletedAt":1714558830000,"deletedBy":"x"}`,
		`{"createdAt":{"a":1},"lastUpdatedAt":[1,2],"deletedAt":true}`,
		`{"value":null}`, `{"value":""}`, `{}`, `null`, `"x"`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s wire.Secret
		if json.Unmarshal(data, &s) != nil {
			return
		}
		encoded, err := json.Marshal(s)
		require.NoError(t, err)
		var again wire.Secret
		require.NoError(t, json.Unmarshal(encoded, &again), "%s", encoded)
		assertSameSecret(t, s, again)
	})
}

// FuzzDecodeResourceRoles: the answer of GET …/accessControls decodes without panicking, with
// lenient timestamps, and round-trips.
func FuzzDecodeResourceRoles(f *testing.F) {
	for _, seed := range []string{
		`[{"role":"Owner","description":"d","grants":[{"createdAt":"2024-05-01T10:20:30Z","createdBy":{"userID":"u","email":"a@x"},` +
			`"identity":{"userID":"u2","email":"b@x","firstName":"B","lastName":"C"},"inheritedFrom":{"resourceID":"o","resourceType":"Organization","role":"Owner"}}]}]`,
		`[{"role":"Reader","grants":[{"identity":{"teamID":"t","name":"ops","description":"d"},"createdAt":1714558830}]}]`,
		`[{"grants":[{"identity":{}}]}]`, `[{"grants":null}]`, `[]`, `null`, `[{"grants":[{"createdAt":"x"}]}]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var roles []wire.ResourceRole
		if json.Unmarshal(data, &roles) != nil {
			return
		}
		encoded, err := json.Marshal(roles)
		require.NoError(t, err)
		var again []wire.ResourceRole
		require.NoError(t, json.Unmarshal(encoded, &again), "%s", encoded)
		require.Len(t, again, len(roles))
		for i := range roles {
			a, b := roles[i], again[i]
			assert.Equal(t, a.Role, b.Role)
			assert.Equal(t, a.Description, b.Description)
			require.Len(t, b.Grants, len(a.Grants))
			for j := range a.Grants {
				assertSameTime(t, a.Grants[j].CreatedAt, b.Grants[j].CreatedAt)
				assert.Equal(t, a.Grants[j].CreatedBy, b.Grants[j].CreatedBy)
				assert.Equal(t, a.Grants[j].Identity, b.Grants[j].Identity)
				assert.Equal(t, a.Grants[j].InheritedFrom, b.Grants[j].InheritedFrom)
			}
		}
	})
}

// FuzzParseTime: the lenient timestamp reader never panics, returns UTC or the zero time, and every
// time it returns can be written back (MarshalJSON) and read again as the same instant.
func FuzzParseTime(f *testing.F) {
	for _, seed := range []string{
		`"2024-05-01T10:20:30Z"`, `"2024-05-01T10:20:30.123+02:00"`, `"2024-05-01 10:20:30"`, `"2024-05-01"`,
		`1714558830`, `1714558830000`, `1714558830.25`, `1e15`, `99999999999`, `100000000001`, `0`, `-1`, `NaN`,
		`"9999-12-31T23:59:59-01:00"`, `"0000-01-01T00:00:00+01:00"`, `"0000-01-01T00:00:00Z"`, `null`, `""`, `"`, `true`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got := wire.ParseTime(raw)
		if got.IsZero() {
			return
		}
		require.Equal(t, time.UTC, got.Location())
		encoded, err := json.Marshal(wire.Time{Time: got})
		require.NoError(t, err)
		back := wire.ParseTime(encoded)
		require.True(t, got.Equal(back), "%s read as %v, written as %s, read back as %v", raw, got, encoded, back)
	})
}

// assertSameSecret compares two decoded secrets; a DeletedAt that is present but unreadable counts as
// absent, as it does for the SDK's Secret.
func assertSameSecret(t *testing.T, a, b wire.Secret) {
	t.Helper()
	assert.Equal(t, a.SecretID, b.SecretID)
	assert.Equal(t, a.Name, b.Name)
	assert.Equal(t, a.Value, b.Value)
	assert.Equal(t, a.CreatedBy, b.CreatedBy)
	assert.Equal(t, a.LastUpdatedBy, b.LastUpdatedBy)
	assert.Equal(t, a.DeletedBy, b.DeletedBy)
	assertSameTime(t, a.CreatedAt, b.CreatedAt)
	assertSameTime(t, a.LastUpdatedAt, b.LastUpdatedAt)
	var da, db wire.Time
	if a.DeletedAt != nil {
		da = *a.DeletedAt
	}
	if b.DeletedAt != nil {
		db = *b.DeletedAt
	}
	assertSameTime(t, da, db)
}

func assertSameTime(t *testing.T, a, b wire.Time) {
	t.Helper()
	assert.True(t, a.Equal(b.Time), "%v vs %v", a.Time, b.Time)
}
