package wire_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/internal/wire"
)

var ref = time.Date(2024, 5, 1, 10, 20, 30, 0, time.UTC)

func TestParseTime(t *testing.T) {
	t.Parallel()
	cases := []struct {
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
	for _, tc := range cases {
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

func TestDecodeSecretList(t *testing.T) {
	t.Parallel()
	one := `{"secretID":"s1","name":"A","value":"v","createdAt":"2024-05-01T10:20:30Z"}`
	two := `{"secretID":"s2","name":"B"}`
	cases := []struct {
		name, body string
		ids        []string
		fails      bool
	}{
		{"wrapped", `{"secrets":[` + one + `,` + two + `]}`, []string{"s1", "s2"}, false},
		{"bare", `[` + one + `,` + two + `]`, []string{"s1", "s2"}, false},
		{"bare after whitespace", " \r\n\t[" + one + "]", []string{"s1"}, false},
		{"wrapped with other fields", `{"count":1,"secrets":[` + one + `]}`, []string{"s1"}, false},
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
		{"truncated", `{"secrets":[` + one, nil, true},
	}
	for _, tc := range cases {
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
	list, err := wire.DecodeSecretList([]byte(`[` + one + `,` + two + `]`))
	require.NoError(t, err)
	require.NotNil(t, list[0].Value)
	assert.Equal(t, "v", *list[0].Value)
	assert.Nil(t, list[1].Value, "missing value stays nil")
	assert.True(t, list[0].CreatedAt.Equal(ref))
	assert.True(t, list[1].CreatedAt.IsZero())
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
