package secretstest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/secretstest"
)

// Every combination of the list-shape flags: the shape of GET /v1/secrets (with and without ?name=)
// and where values appear, for a caller who may read a secret and one who may not.
func TestProfileListShapeAndValues(t *testing.T) {
	t.Parallel()
	for _, p := range []secretstest.Profile{
		{}, {BareLists: true}, {ValuesOnlyByName: true}, {BareLists: true, ValuesOnlyByName: true},
		{BareLists: true, ValuesOnlyByName: true, RegexLookups: true},
	} {
		t.Run(profileName(p), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, secretstest.WithProfile(p))
			outsider := e.srv.AddUser("outsider@example.com")
			a := e.create(e.key, "ALPHA", "one")
			e.create(e.key, "BETA", "two")

			list := func(token, query string) []map[string]any {
				r := e.do(token, http.MethodGet, "/v1/secrets"+query, nil)
				require.Equal(t, http.StatusOK, r.status, "body: %s", r.body)
				var items []map[string]any
				if p.BareLists {
					require.NoError(t, json.Unmarshal(r.body, &items), "a bare array: %s", r.body)
				} else {
					var wrapped map[string][]map[string]any
					require.NoError(t, json.Unmarshal(r.body, &wrapped), "a wrapped list: %s", r.body)
					require.Len(t, wrapped, 1)
					items = wrapped["secrets"]
				}
				require.NotNil(t, items, "an empty list is [], never null: %s", r.body)
				return items
			}

			all := list(e.key, "")
			require.Len(t, all, 2)
			for _, item := range all {
				_, has := item["value"]
				assert.Equal(t, !p.ValuesOnlyByName, has, "value in an unfiltered list: %v", item)
				assert.Regexp(t, uuidPattern, item["secretID"])
			}
			byName := list(e.key, "?name=ALPHA")
			require.Len(t, byName, 1)
			assert.Equal(t, "one", byName[0]["value"], "?name= always carries the value")
			assert.Empty(t, list(e.key, "?name=NONE"))

			for _, item := range append(list(outsider.Token, ""), list(outsider.Token, "?name=ALPHA")...) {
				assert.NotContains(t, item, "value", "no role, no value, in any profile")
			}
			one := decode[wireSecret](t, e.do(e.key, http.MethodGet, "/v1/secrets/"+a.SecretID, nil), http.StatusOK)
			require.NotNil(t, one.Value, "a read by ID carries the value in every profile")
			assert.Equal(t, "one", *one.Value)
		})
	}
}

// Look-ups of users by e-mail and teams by name, literal (the default) and as regular expressions
// (RegexLookups): the cases where the two readings give different answers.
func TestProfileLookups(t *testing.T) {
	t.Parallel()
	for _, regex := range []bool{false, true} {
		t.Run(profileName(secretstest.Profile{RegexLookups: regex}), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, secretstest.WithProfile(secretstest.Profile{RegexLookups: regex}))
			plus := e.srv.AddUser("alice+ml@example.com").ID
			lookalike := e.srv.AddUser("aliceeml@example.com").ID
			bob := e.srv.AddUser("Bob@Example.com")
			jimbob := e.srv.AddUser("jimbob@example.com.au").ID
			dotted := e.srv.AddTeam("data.eng").ID
			x := e.srv.AddTeam("dataXeng").ID
			cpp := e.srv.AddTeam("C++ (eu)").ID
			devops := e.srv.AddTeam("devops").ID

			const refused = "status 400"
			tests := []struct {
				path           string
				literal, regex []string
				why            string
			}{
				{"/v1/users?email=alice+ml@example.com", []string{plus}, []string{lookalike}, `"+" is a quantifier: the address misses itself and finds a look-alike`},
				{`/v1/users?email=^alice\+ml@example\.com$`, []string{}, []string{plus}, "anchored and escaped"},
				{"/v1/users?email=bob@example.com", []string{bob.ID}, []string{bob.ID, jimbob}, "case-insensitive; a pattern is unanchored"},
				{"/v1/users?email=bob", []string{}, []string{bob.ID, jimbob}, "a part of an address"},
				{"/v1/users?email=(unclosed", []string{}, []string{refused}, "an invalid pattern"},
				{"/v1/teams?name=data.eng", []string{dotted}, []string{dotted, x}, `"." matches any character`},
				{`/v1/teams?name=^data\.eng$`, []string{}, []string{dotted}, "anchored and escaped"},
				{"/v1/teams?name=C++ (eu)", []string{cpp}, []string{refused}, "an invalid pattern"},
				{"/v1/teams?name=ops", []string{}, []string{devops}, "unanchored"},
				{"/v1/teams?description=x", []string{}, []string{}, "teams have no description here"},
				{"/v1/teams?description=^$", []string{}, []string{dotted, x, cpp, devops}, "an empty description matches ^$"},
				{"/v1/teams?name=ops&description=^$", []string{}, []string{devops}, "both filters apply"},
				{"/v1/teams?description=(", []string{}, []string{refused}, "an invalid pattern"},
			}
			for _, tt := range tests {
				path, query, _ := strings.Cut(tt.path, "?")
				values, err := url.ParseQuery(strings.ReplaceAll(query, "+", "%2B"))
				require.NoError(t, err)
				want := tt.literal
				if regex {
					want = tt.regex
				}
				assert.Equal(t, want, lookup(e, bob.Token, path+"?"+values.Encode()), "%s: %s", tt.path, tt.why)
			}
		})
	}
}
