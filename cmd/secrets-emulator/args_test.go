package main

import (
	"encoding/json"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/secretstest"
)

// TestParseArgs: every flag, as a row of what parseArgs makes of it. A row's want leaves addr and
// org empty when they keep their defaults; errHas is a text the error must contain.
func TestParseArgs(t *testing.T) {
	t.Parallel()
	all := secretstest.Profile{BareLists: true, ValuesOnlyByName: true, RegexLookups: true}
	const profiles = "bare-lists, values-only-by-name, regex-lookups" // the error lists the names
	tests := []struct {
		name    string
		args    []string
		want    config
		wantErr bool
		errHas  string
	}{
		{name: "defaults", want: config{addr: "127.0.0.1:0", org: secretstest.DefaultOrganizationName}},
		{name: "everything", args: []string{"-addr", "127.0.0.1:9999", "-org", "Acme", "-api-key", "k", "-user", "a@x.com", "-user", " b@x.com ", "-team", "Ops=a@x.com, c@x.com", "-team", "Empty="},
			want: config{
				addr: "127.0.0.1:9999", org: "Acme", apiKey: "k", users: []string{"a@x.com", "b@x.com"},
				teams: []teamSpec{{name: "Ops", emails: []string{"a@x.com", "c@x.com"}}, {name: "Empty"}},
			}},
		{name: "team without '='", args: []string{"-team", "Solo"}, want: config{teams: []teamSpec{{name: "Solo"}}}},
		{name: "team without name", args: []string{"-team", "=a@x.com"}, wantErr: true},
		{name: "empty user", args: []string{"-user", ""}, wantErr: true},
		{name: "api key with space", args: []string{"-api-key", "a b"}, wantErr: true},
		{name: "unknown flag", args: []string{"-nope"}, wantErr: true},
		{name: "positional argument", args: []string{"extra"}, wantErr: true},

		{name: "profile empty", args: []string{"-profile", ""}},
		{name: "profile default", args: []string{"-profile", "default"}},
		{name: "profile spec", args: []string{"-profile", "spec"}, want: config{profile: all}},
		{name: "profile SPEC", args: []string{"-profile", "SPEC"}, want: config{profile: all}},
		{name: "profile bare-lists", args: []string{"-profile", "bare-lists"}, want: config{profile: secretstest.Profile{BareLists: true}}},
		{name: "profile values-only-by-name", args: []string{"-profile", "values-only-by-name"}, want: config{profile: secretstest.Profile{ValuesOnlyByName: true}}},
		{name: "profile regex-lookups", args: []string{"-profile", "regex-lookups"}, want: config{profile: secretstest.Profile{RegexLookups: true}}},
		{name: "profile two, spaced", args: []string{"-profile", "bare-lists, regex-lookups"}, want: config{profile: secretstest.Profile{BareLists: true, RegexLookups: true}}},
		{name: "profile all three", args: []string{"-profile", "bare-lists,values-only-by-name,regex-lookups"}, want: config{profile: all}},
		{name: "profile one and spec", args: []string{"-profile", "regex-lookups,spec"}, want: config{profile: all}},
		{name: "profile misspelt", args: []string{"-profile", "bare-list"}, wantErr: true, errHas: profiles},
		{name: "profile unknown in a list", args: []string{"-profile", "bare-lists,nope"}, wantErr: true, errHas: profiles},

		{name: "burst defaults to the rate", args: []string{"-rate", "10"}, want: config{rate: 10, burst: 10}},
		{name: "and to at least 1", args: []string{"-rate", "0.5"}, want: config{rate: 0.5, burst: 1}},
		{name: "rounded up", args: []string{"-rate", "2.5"}, want: config{rate: 2.5, burst: 3}},
		{name: "burst given", args: []string{"-rate", "5", "-burst", "50"}, want: config{rate: 5, burst: 50}},
		{name: "negative rate", args: []string{"-rate", "-1"}, wantErr: true},
		{name: "NaN rate", args: []string{"-rate", "NaN"}, wantErr: true},
		{name: "infinite rate", args: []string{"-rate", "Inf"}, wantErr: true},
		{name: "burst without rate", args: []string{"-burst", "5"}, wantErr: true},
		{name: "negative burst", args: []string{"-rate", "5", "-burst", "-1"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseArgs(tt.args, io.Discard)
			if tt.wantErr {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.errHas)
				return
			}
			require.NoError(t, err)
			if tt.want.addr == "" {
				tt.want.addr = "127.0.0.1:0"
			}
			if tt.want.org == "" {
				tt.want.org = secretstest.DefaultOrganizationName
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestSeed(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer(secretstest.WithAPIKey("seed-key"))
	defer srv.Close()
	line := seed(srv, config{
		users: []string{"a@x.com", "b@x.com", "A@X.com"},
		teams: []teamSpec{{name: "Ops", emails: []string{"b@x.com", "c@x.com"}}, {name: "Empty"}},
	})
	assert.Equal(t, srv.URL, line.BaseURL)
	assert.Equal(t, "seed-key", line.APIKey)
	assert.Equal(t, srv.OrganizationID(), line.OrganizationID)
	emails := make([]string, 0, len(line.Users))
	for _, u := range line.Users {
		emails = append(emails, u.Email)
		assert.NotEmpty(t, u.ID)
		assert.NotEmpty(t, u.Token)
	}
	assert.Equal(t, []string{"a@x.com", "b@x.com", "c@x.com"}, emails)
	require.Len(t, line.Teams, 2)
	assert.Equal(t, "Ops", line.Teams[0].Name)
	assert.Equal(t, "Empty", line.Teams[1].Name)

	data, err := json.Marshal(seed(srv, config{}))
	require.NoError(t, err)
	assert.Contains(t, string(data), `"users":[]`)
	assert.Contains(t, string(data), `"teams":[]`)
}
