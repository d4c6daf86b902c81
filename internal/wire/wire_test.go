package wire_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/helios-secrets/go-secrets/internal/wire"
)

// TestMain fails the run when a test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var ref = time.Date(2024, 5, 1, 10, 20, 30, 0, time.UTC)

// parseTimeCases are the readings of ParseTime; they seed FuzzParseTime too.
var parseTimeCases = []struct {
	raw  string
	want time.Time
}{
	{`"2024-05-01T10:20:30Z"`, ref},
	{`"2024-05-01T10:20:30.000000001Z"`, ref.Add(1)},
	{`"2024-05-01T12:20:30+02:00"`, ref},
	{`"2024-05-01T10:20:30"`, ref},
	{`"2024-05-01T10:20:30.123"`, ref.Add(123 * time.Millisecond)},
	{`"2024-05-01 10:20:30"`, ref},
	{`"2024-05-01 10:20:30.5"`, ref.Add(500 * time.Millisecond)},
	{`"2024-05-01 10:20:30Z"`, ref},
	{`"2024-05-01 13:20:30+03:00"`, ref},
	{`"2024-05-01"`, time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)},
	{`1714558830`, ref},
	{` 1714558830 `, ref},
	{`1714558830.25`, ref.Add(250 * time.Millisecond)},
	{`1714558830000`, ref},
	{`"1714558830"`, ref},
	{`"1714558830000"`, ref},
	{`null`, time.Time{}},
	{``, time.Time{}},
	{`""`, time.Time{}},
	{`"`, time.Time{}},
	{`"garbage"`, time.Time{}},
	{`"2024-02-30T10:20:30Z"`, time.Time{}},
	{`"10:20:30"`, time.Time{}},
	{`0`, time.Time{}},
	{`-1714558830`, time.Time{}},
	{`1e16`, time.Time{}},
	{`NaN`, time.Time{}},
	{`"NaN"`, time.Time{}},
	{`"-Inf"`, time.Time{}},
	{`"+Inf"`, time.Time{}},
	{`true`, time.Time{}},
	{`{}`, time.Time{}},
	{`[]`, time.Time{}},
}

func TestParseTime(t *testing.T) {
	t.Parallel()
	for _, tc := range parseTimeCases {
		t.Run(tc.raw, func(t *testing.T) {
			t.Parallel()
			got := wire.ParseTime([]byte(tc.raw))
			assert.True(t, tc.want.Equal(got), "got %v, want %v", got, tc.want)
			assert.Equal(t, tc.want.IsZero(), got.IsZero())
			if !got.IsZero() {
				assert.Equal(t, time.UTC, got.Location())
			}
		})
	}
}

// TestTime_NeverFailsDecoding: an odd timestamp inside a document decodes as the zero time.
func TestTime_NeverFailsDecoding(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{`"x"`, `{"a":[1,2]}`, `[1,"2"]`, `false`, `-0.5`, `"2024-05-01T10:20:30Z"`} {
		var v struct {
			At  wire.Time  `json:"at"`
			Ptr *wire.Time `json:"ptr"`
		}
		require.NoError(t, json.Unmarshal([]byte(`{"at":`+raw+`,"ptr":`+raw+`}`), &v), raw)
		require.NotNil(t, v.Ptr)
		assert.Equal(t, v.At, *v.Ptr)
	}
}

func TestTime_MarshalJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(wire.Time{})
	require.NoError(t, err)
	assert.Equal(t, `null`, string(b))
	paris := time.FixedZone("CEST", 2*3600)
	b, err = json.Marshal(wire.Time{Time: ref.Add(5 * time.Millisecond).In(paris)})
	require.NoError(t, err)
	assert.Equal(t, `"2024-05-01T10:20:30.005Z"`, string(b))
	var back wire.Time
	require.NoError(t, json.Unmarshal(b, &back))
	assert.True(t, back.Equal(ref.Add(5*time.Millisecond)))
}

var (
	listOne = `{"secretID":"s1","name":"A","value":"v","createdAt":"2024-05-01T10:20:30Z"}`
	listTwo = `{"secretID":"s2","name":"B"}`
)

// decodeListCases are the readings of DecodeSecretList; they seed FuzzDecodeSecretList too.
var decodeListCases = []struct {
	name, body string
	ids        []string
	fails      bool
}{
	{"wrapped", `{"secrets":[` + listOne + `,` + listTwo + `]}`, []string{"s1", "s2"}, false},
	{"bare", `[` + listOne + `,` + listTwo + `]`, []string{"s1", "s2"}, false},
	{"bare after whitespace", " \r\n\t[" + listOne + "]", []string{"s1"}, false},
	{"wrapped with other fields", `{"count":1,"secrets":[` + listOne + `]}`, []string{"s1"}, false},
	{"wrapped empty", `{"secrets":[]}`, nil, false},
	{"bare empty", `[]`, nil, false},
	{"wrapped null", `{"secrets":null}`, nil, false},
	{"object without secrets", `{"items":[1]}`, nil, false},
	{"null", `null`, nil, false},
	{"empty body", ``, nil, true},
	{"whitespace body", " \n ", nil, true},
	{"garbage", `hunter2`, nil, true},
	{"string", `"secrets"`, nil, true},
	{"bare of numbers", `[1,2]`, nil, true},
	{"secrets not an array", `{"secrets":{"a":1}}`, nil, true},
	{"truncated", `{"secrets":[` + listOne, nil, true},
}

func TestDecodeSecretList(t *testing.T) {
	t.Parallel()
	list, err := wire.DecodeSecretList([]byte(`[` + listOne + `,` + listTwo + `]`))
	require.NoError(t, err)
	require.NotNil(t, list[0].Value)
	assert.Equal(t, "v", *list[0].Value)
	assert.Nil(t, list[1].Value, "missing value stays nil")
	assert.True(t, list[0].CreatedAt.Equal(ref))
	assert.True(t, list[1].CreatedAt.IsZero())

	for _, tc := range decodeListCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			list, err := wire.DecodeSecretList([]byte(tc.body))
			if tc.fails {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			var ids []string
			for _, s := range list {
				ids = append(ids, s.SecretID)
			}
			assert.Equal(t, tc.ids, ids)
		})
	}
}

func TestRequestBodies(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(wire.CreateSecret{Name: "N", Value: ""})
	require.NoError(t, err)
	assert.JSONEq(t, `{"name":"N","value":""}`, string(b))
	b, err = json.Marshal(wire.UpdateSecret{Value: "v"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"value":"v"}`, string(b))
	b, err = json.Marshal(wire.AccessControls{
		Grants:  []wire.AccessChange{{Role: "Reader", Users: []string{"u"}, Teams: []string{}}},
		Revokes: []wire.AccessChange{},
	})
	require.NoError(t, err)
	assert.JSONEq(t, `{"grants":[{"role":"Reader","users":["u"],"teams":[]}],"revokes":[]}`, string(b))
}

func TestSecretRoundTrip(t *testing.T) {
	t.Parallel()
	var s wire.Secret
	require.NoError(t, json.Unmarshal([]byte(`{"secretID":"s","name":"N","value":"","deletedAt":"2024-05-01T10:20:30Z","deletedBy":"u"}`), &s))
	require.NotNil(t, s.Value)
	assert.Empty(t, *s.Value, "an empty value is a value")
	require.NotNil(t, s.DeletedAt)
	assert.True(t, s.DeletedAt.Equal(ref))
	assert.Equal(t, "u", s.DeletedBy)
}

// The fuzz targets of this file run their seed corpus (testdata/fuzz/FuzzXxx plus the f.Add calls)
// in every `go test`; `go test -fuzz FuzzXxx` explores beyond it (see scripts/fuzz.sh).

// FuzzDecodeSecretList: DecodeSecretList never panics, accepts only valid JSON, and what it accepts
// survives a round trip through both list shapes (wrapped and bare) unchanged.
func FuzzDecodeSecretList(f *testing.F) {
	one := `{"secretID":"s1","name":"A","value":"v","createdBy":"u","createdAt":"2024-05-01T10:20:30Z","lastUpdatedAt":1714558830.5}`
	for _, tc := range decodeListCases {
		f.Add([]byte(tc.body))
	}
	for _, seed := range []string{ // beside the table's: every field, odd timestamps and keys
		`{"secrets":[` + one + `]}`,
		`{"secrets":[{"secretID":"s3","value":"","deletedAt":"garbage","deletedBy":"u"}]}`,
		`[1]`, `{"secrets":{}}`,
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
	for _, tc := range parseTimeCases {
		f.Add([]byte(tc.raw))
	}
	for _, seed := range []string{ // the edges of the ranges, beside the readings of the table
		`"2024-05-01T10:20:30.123+02:00"`, `1e15`, `99999999999`, `100000000001`, `-1`,
		`"9999-12-31T23:59:59-01:00"`, `"0000-01-01T00:00:00+01:00"`, `"0000-01-01T00:00:00Z"`,
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
