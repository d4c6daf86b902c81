package secretstest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
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
			plus := e.srv.AddUser("alice+ml@example.com")
			lookalike := e.srv.AddUser("aliceeml@example.com")
			bob := e.srv.AddUser("Bob@Example.com")
			jimbob := e.srv.AddUser("jimbob@example.com.au")
			dotted := e.srv.AddTeam("data.eng")
			x := e.srv.AddTeam("dataXeng")
			cpp := e.srv.AddTeam("C++ (eu)")
			devops := e.srv.AddTeam("devops")

			users := func(email string) []string {
				r := e.do(bob.Token, http.MethodGet, "/v1/users?email="+url.QueryEscape(email), nil)
				var ids []string
				for _, u := range decode[[]wireUser](t, r, http.StatusOK) {
					ids = append(ids, u.UserID)
				}
				return ids
			}
			teams := func(name string) (int, []string) {
				r := e.do(bob.Token, http.MethodGet, "/v1/teams?name="+url.QueryEscape(name), nil)
				if r.status != http.StatusOK {
					return r.status, nil
				}
				var ids []string
				for _, team := range decode[[]wireTeam](t, r, http.StatusOK) {
					ids = append(ids, team.TeamID)
				}
				return r.status, ids
			}

			if !regex {
				assert.Equal(t, []string{plus.ID}, users("alice+ml@example.com"))
				assert.Equal(t, []string{bob.ID}, users("bob@example.com"), "case-insensitive")
				assert.Empty(t, users("bob"))
				assert.Equal(t, []string{dotted.ID}, must(teams("data.eng")))
				assert.Equal(t, []string{cpp.ID}, must(teams("C++ (eu)")))
				assert.Empty(t, must(teams("ops")))
				assert.Empty(t, mustTeams(e, bob.Token, "?description=x"), "teams have no description here")
				return
			}
			assert.Len(t, mustTeams(e, bob.Token, "?description=^$"), 4, "an empty description matches ^$")
			assert.Equal(t, []string{devops.ID}, mustTeams(e, bob.Token, "?name=ops&description=^$"), "both filters apply")
			assert.Equal(t, http.StatusBadRequest, e.do(bob.Token, http.MethodGet, "/v1/teams?description=(", nil).status)
			assert.Equal(t, []string{lookalike.ID}, users("alice+ml@example.com"), `"+" is a quantifier: the address misses itself and finds a look-alike`)
			assert.Equal(t, []string{plus.ID}, users(`^alice\+ml@example\.com$`))
			assert.Equal(t, []string{bob.ID, jimbob.ID}, users("bob@example.com"), "unanchored and case-insensitive")
			assert.Equal(t, []string{dotted.ID, x.ID}, must(teams("data.eng")), `"." matches any character`)
			assert.Equal(t, []string{dotted.ID}, must(teams(`^data\.eng$`)))
			assert.Equal(t, []string{devops.ID}, must(teams("ops")), "unanchored")
			status, _ := teams("C++ (eu)")
			assert.Equal(t, http.StatusBadRequest, status, "an invalid pattern")
			r := e.do(bob.Token, http.MethodGet, "/v1/users?email="+url.QueryEscape("(unclosed"), nil)
			assert.NotEmpty(t, decode[wireError](t, r, http.StatusBadRequest).Message)
		})
	}
}
