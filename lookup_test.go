package secrets_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

// matching is one plausible reading of ?email= and ?name= on /v1/users and /v1/teams.
type matching int

const (
	literalEqual     matching = iota // the value, exactly (e-mail case aside)
	literalContains                  // any entry containing the value
	regexInvalid400                  // an unanchored regular expression; an invalid one is a 400
	regexInvalidNone                 // an unanchored regular expression; an invalid one matches nothing
	regexFull                        // a regular expression that must match the whole entry
)

var matchings = map[string]matching{
	"literal": literalEqual, "literal substring": literalContains, "regex, 400 when invalid": regexInvalid400,
	"regex, nothing when invalid": regexInvalidNone, "regex, whole value": regexFull,
}

// lookupStandIn answers GET /v1/users?email= and GET /v1/teams?name= from fixed directories, by its
// reading m.
type lookupStandIn struct {
	m            matching
	users, teams []string // e-mail addresses and team names; their IDs are lookupID's
}

// directory is a stand-in whose directory of kind ("user" or "team") holds names.
func directory(m matching, kind string, names ...string) *lookupStandIn {
	if kind == "user" {
		return &lookupStandIn{m: m, users: names}
	}
	return &lookupStandIn{m: m, teams: names}
}

// match reports whether entry matches the query q, or whether the service would refuse q (a 400).
func (f *lookupStandIn) match(q, entry string, foldCase bool) (ok, refuse bool) {
	if foldCase {
		q, entry = strings.ToLower(q), strings.ToLower(entry)
	}
	switch f.m {
	case literalEqual:
		return q == entry, false
	case literalContains:
		return strings.Contains(entry, q), false
	}
	pattern := q
	if f.m == regexFull {
		pattern = "^(?:" + q + ")$"
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return false, f.m == regexInvalid400
	}
	return re.MatchString(entry), false
}

// responder answers the entries of kind whose field matches the query parameter of the same name.
func (f *lookupStandIn) responder(kind string, names []string, field string, foldCase bool) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		q := req.URL.Query().Get(field)
		out := []map[string]string{}
		for _, name := range names {
			ok, refuse := f.match(q, name, foldCase)
			if refuse {
				return httpmock.NewStringResponse(http.StatusBadRequest, `{"message":"invalid regular expression"}`), nil
			}
			if ok {
				out = append(out, map[string]string{kind + "ID": lookupID(kind, name), field: name})
			}
		}
		return httpmock.NewJsonResponse(http.StatusOK, out)
	}
}

func (f *lookupStandIn) client(t *testing.T) (*secrets.Client, *fakeAPI) {
	t.Helper()
	c, api := setup(t)
	api.on(http.MethodGet, "/v1/users", f.responder("user", f.users, "email", true))
	api.on(http.MethodGet, "/v1/teams", f.responder("team", f.teams, "name", false))
	return c, api
}

// The directories: each name next to the look-alikes a pattern or a substring would also find.
var (
	allUsers = []string{"alice+ml@example.com", "aliceml@example.com", "aliceeml@example.com", "data.eng@example.com",
		"dataXeng@example.com", "bob@example.com", "bob@example.com.evil", "xbob@example.com", "a(b)c|d@example.com", "abc@example.com"}
	allTeams = []string{"C++ (eu)", "C (eu)", "CC (eu)", "data.eng", "dataXeng", "ops", "ops-eu", "dev-ops", "[x]", "x", "a^b$", "ab", `back\slash`}
)

// lookups are the calls that find one identity (or secret) by name, and the path each asks.
var lookups = map[string]struct {
	path string
	call func(ctx context.Context, c *secrets.Client, arg string) (any, error)
}{
	"secret": {"/v1/secrets", func(ctx context.Context, c *secrets.Client, arg string) (any, error) {
		return ret(c.Secrets.GetByName(ctx, arg))
	}},
	"organization secret": {"/v1/secrets", func(ctx context.Context, c *secrets.Client, arg string) (any, error) {
		org, err := c.Organizations.Current(ctx)
		if err != nil {
			return nil, err
		}
		return ret(org.GetSecret(ctx, arg))
	}},
	"user": {"/v1/users", func(ctx context.Context, c *secrets.Client, arg string) (any, error) {
		return ret(c.Organizations.UserByEmail(ctx, arg))
	}},
	"team": {"/v1/teams", func(ctx context.Context, c *secrets.Client, arg string) (any, error) {
		return ret(c.Organizations.TeamByName(ctx, arg))
	}},
}

// TestLookups_ExactUnderEveryMatching: under every reading of the service's matching, UserByEmail and
// TeamByName find exactly the identity named, in at most two requests, and never a look-alike; when
// only look-alikes exist, ErrNotFound.
func TestLookups_ExactUnderEveryMatching(t *testing.T) {
	t.Parallel()
	for mName, m := range matchings {
		for kind, names := range map[string][]string{"user": allUsers, "team": allTeams} {
			for _, name := range names {
				t.Run(mName+"/"+kind+" "+name, func(t *testing.T) {
					t.Parallel()
					asked := name
					if kind == "user" { // an e-mail address in another case
						asked = strings.ToUpper(name[:1]) + name[1:]
					}
					f := directory(m, kind, names...)
					c, api := f.client(t)
					found, err := lookups[kind].call(t.Context(), c, asked)
					require.NoError(t, err)
					switch found := found.(type) {
					case *secrets.UserInfo:
						assert.Equal(t, lookupID(kind, name), found.ID)
					case *secrets.TeamInfo:
						assert.Equal(t, lookupID(kind, name), found.ID)
					}
					assert.LessOrEqual(t, api.GetTotalCallCount(), 2)

					f = directory(m, kind, without(names, name)...)
					c, api = f.client(t)
					_, err = lookups[kind].call(t.Context(), c, name)
					assertLookupError(t, err, kind, name, secrets.ErrNotFound)
					assert.LessOrEqual(t, api.GetTotalCallCount(), 2)
				})
			}
		}
	}
}

// TestLookups_RequestsSent: a name that matches itself as a pattern is asked once; a name with other
// metacharacters is asked again, anchored and escaped, only when the first answer did not settle it.
func TestLookups_RequestsSent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, team string
		m          matching
		missing    bool
		want       []string
	}{
		{name: "plain name found", team: "data.eng", m: regexInvalid400, want: []string{"data.eng"}},
		{name: "plain name missing: no second request", team: "data.eng", m: regexInvalid400, missing: true, want: []string{"data.eng"}},
		{name: "metacharacters, found literally", team: "C++ (eu)", m: literalEqual, want: []string{"C++ (eu)"}},
		{name: "metacharacters, refused", team: "C++ (eu)", m: regexInvalid400, want: []string{"C++ (eu)", `^C\+\+ \(eu\)$`}},
		{name: "metacharacters, matched nothing", team: "C++ (eu)", m: regexInvalidNone, want: []string{"C++ (eu)", `^C\+\+ \(eu\)$`}},
		{name: "metacharacters, missing", team: "C++ (eu)", m: literalEqual, missing: true, want: []string{"C++ (eu)", `^C\+\+ \(eu\)$`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			teams := allTeams
			if tt.missing {
				teams = without(allTeams, tt.team)
			}
			f := &lookupStandIn{m: tt.m, teams: teams}
			c, api := f.client(t)
			_, _ = c.Organizations.TeamByName(t.Context(), tt.team)
			var got []string
			for _, r := range api.requests() {
				got = append(got, r.URL.Query().Get("name"))
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestLookups_Refusals: a 400 on a name that matches itself, or on both forms, is the service's
// *APIError; a 400 on the pattern after a literal answer is ErrNotFound; other failures pass through.
func TestLookups_Refusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		team           string
		first, second  httpmock.Responder
		wantStatus     int
		wantNotFound   bool
		wantSecondSent bool
	}{
		{name: "plain name refused", team: "ops", first: jsonResponder(400, `{"message":"first"}`), wantStatus: 400},
		{name: "both refused", team: "C++ (eu)", first: jsonResponder(400, `{"message":"first"}`),
			second: jsonResponder(400, `{"message":"second"}`), wantStatus: 400, wantSecondSent: true},
		{name: "pattern refused after a literal answer", team: "C++ (eu)", first: jsonResponder(200, `[]`),
			second: jsonResponder(400, `{"message":"second"}`), wantNotFound: true, wantSecondSent: true},
		{name: "pattern forbidden", team: "C++ (eu)", first: jsonResponder(200, `[]`),
			second: jsonResponder(403, `{"message":"no"}`), wantStatus: 403, wantSecondSent: true},
		{name: "first forbidden", team: "C++ (eu)", first: jsonResponder(403, `{"message":"no"}`), wantStatus: 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, api := setup(t, secrets.WithRetryMax(0))
			api.on(http.MethodGet, "/v1/teams", func(req *http.Request) (*http.Response, error) {
				if req.URL.Query().Get("name") == tt.team {
					return tt.first(req)
				}
				return tt.second(req)
			})
			_, err := c.Organizations.TeamByName(t.Context(), tt.team)
			require.Error(t, err)
			if tt.wantNotFound {
				assertLookupError(t, err, "team", tt.team, secrets.ErrNotFound)
			} else {
				ae := requireAPIError(t, err, tt.wantStatus)
				if tt.wantStatus == 400 {
					assert.Contains(t, ae.Message, "first")
				}
			}
			want := 1
			if tt.wantSecondSent {
				want = 2
			}
			assert.Equal(t, want, api.GetTotalCallCount())
		})
	}
}

// TestLookups_ExactlyOneMatch: GetByName, Organization.GetSecret, UserByEmail and TeamByName keep exact
// matches only (e-mail addresses whatever their case and spaces around them); none is ErrNotFound and
// several ErrAmbiguous, neither an *APIError; users and teams fail with a *LookupError; a withheld
// value comes back nil; one request each.
func TestLookups_ExactlyOneMatch(t *testing.T) {
	t.Parallel()
	alice := &secrets.UserInfo{ID: aliceID, Email: "Alice@Example.com", FirstName: "Alice", LastName: "Liddell"}
	file := func(name string) httpmock.Responder { return fixture(t, 200, name) }
	twoOps := jsonResponder(200, `[{"teamID":"t1","name":"ops"},{"teamID":"t2","name":"ops"}]`)
	notFound := func(name string) string { return `secrets: no secret named "` + name + `": not found` }
	cases := []struct {
		kind, arg string
		reply     httpmock.Responder
		want      any
		err       error  // ErrNotFound or ErrAmbiguous
		text      string // of a secret's error; a user's or team's is its *LookupError's
	}{
		{kind: "secret", arg: "DB_PASSWORD", reply: file("list_wrapped.json"), want: wantDBPassword},
		{kind: "secret", arg: "API_KEY", reply: file("list_bare.json"), want: wantAPIKey},
		{kind: "secret", arg: "DB_PASSWORD", reply: file("list_inexact.json"), want: &secrets.Secret{
			ID: secretID, Name: "DB_PASSWORD", Value: strp("hunter2"), CreatedAt: created1, LastUpdatedAt: wantDBPassword.LastUpdatedAt}},
		{kind: "secret", arg: "DB_PASSWORD", reply: file("list_empty.json"), err: secrets.ErrNotFound, text: notFound("DB_PASSWORD")},
		{kind: "secret", arg: "DB_PASSWORD", reply: file("list_no_exact.json"), err: secrets.ErrNotFound, text: notFound("DB_PASSWORD")},
		{kind: "secret", arg: "DB_PASS", reply: file("list_inexact.json"), err: secrets.ErrNotFound, text: notFound("DB_PASS")},
		{kind: "secret", arg: "DB_PASSWORD", reply: file("list_ambiguous.json"), err: secrets.ErrAmbiguous,
			text: `secrets: more than one secret is named "DB_PASSWORD": ambiguous name`},
		{kind: "organization secret", arg: "API_KEY", reply: file("list_wrapped.json"), want: wantAPIKey},
		{kind: "organization secret", arg: "MISSING", reply: file("list_empty.json"), err: secrets.ErrNotFound, text: notFound("MISSING")},
		{kind: "organization secret", arg: "DB_PASSWORD", reply: file("list_ambiguous.json"), err: secrets.ErrAmbiguous,
			text: `secrets: more than one secret is named "DB_PASSWORD": ambiguous name`},
		{kind: "user", arg: "Alice@Example.com", reply: file("users.json"), want: alice},
		{kind: "user", arg: "alice@example.com", reply: file("users.json"), want: alice},
		{kind: "user", arg: "  alice@example.com ", reply: file("users.json"), want: alice},
		{kind: "user", arg: "alice@example.co", reply: file("users.json"), err: secrets.ErrNotFound},
		{kind: "user", arg: "nobody@example.com", reply: jsonResponder(200, `[]`), err: secrets.ErrNotFound},
		{kind: "user", arg: "alice@example.com", reply: file("users_ambiguous.json"), err: secrets.ErrAmbiguous},
		{kind: "team", arg: "data-science", reply: file("teams.json"),
			want: &secrets.TeamInfo{ID: teamDSID, Name: "data-science", Description: "Models and notebooks"}},
		{kind: "team", arg: "Data-Science", reply: file("teams.json"), err: secrets.ErrNotFound},
		{kind: "team", arg: "ops", reply: jsonResponder(200, `[]`), err: secrets.ErrNotFound},
		{kind: "team", arg: "ops", reply: twoOps, err: secrets.ErrAmbiguous},
	}
	for _, tc := range cases {
		t.Run(tc.kind+"/"+tc.arg+"/"+fmt.Sprint(tc.err), func(t *testing.T) {
			t.Parallel()
			c, api := setup(t)
			kind := lookups[tc.kind]
			api.on(http.MethodGet, "/v1/organizations/current", fixture(t, 200, "organization.json"))
			api.on(http.MethodGet, kind.path, tc.reply)
			got, err := kind.call(t.Context(), c, tc.arg)
			assert.Equal(t, 1, api.GetCallCountInfo()["GET "+kind.path])
			if tc.err == nil {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				return
			}
			assertSentinels(t, err, tc.err)
			var apiErr *secrets.APIError
			assert.NotErrorAs(t, err, &apiErr)
			if tc.text != "" {
				assert.Equal(t, tc.text, err.Error())
				assert.NotContains(t, err.Error(), "amb-value", "no value of an ambiguous match")
				return
			}
			var le *secrets.LookupError
			require.ErrorAs(t, err, &le)
			assert.Equal(t, secrets.LookupError{Kind: tc.kind, Name: tc.arg, Err: tc.err}, *le)
			assert.Equal(t, le.Error(), err.Error())
		})
	}
}

// TestShareByName_GrantsOnlyTheIdentityNamed: under regular-expression matching, ShareByName sends
// the IDs of exactly the users and teams named, never a look-alike's.
func TestShareByName_GrantsOnlyTheIdentityNamed(t *testing.T) {
	t.Parallel()
	for mName, m := range matchings {
		t.Run(mName, func(t *testing.T) {
			t.Parallel()
			f := &lookupStandIn{m: m, users: allUsers, teams: allTeams}
			c, api := f.client(t)
			api.on(http.MethodPatch, accessPath, httpmock.NewStringResponder(200, ""))
			require.NoError(t, c.Secrets.ShareByName(t.Context(), secretID, &secrets.ShareByNameRequest{
				Grants: []secrets.NamedAccessChange{{Role: secrets.RoleReader,
					UserEmails: []string{"alice+ml@example.com", "data.eng@example.com"},
					TeamNames:  []string{"C++ (eu)", "data.eng", "ops"}}},
			}))
			reqs := api.requests()
			last := reqs[len(reqs)-1]
			require.Equal(t, http.MethodPatch, last.Method)
			var body struct {
				Grants []struct{ Users, Teams []string }
			}
			require.NoError(t, json.Unmarshal(last.Body, &body))
			require.Len(t, body.Grants, 1)
			assert.Equal(t, []string{lookupID("user", "alice+ml@example.com"), lookupID("user", "data.eng@example.com")}, body.Grants[0].Users)
			assert.Equal(t, []string{lookupID("team", "C++ (eu)"), lookupID("team", "data.eng"), lookupID("team", "ops")}, body.Grants[0].Teams)
		})
	}
}

func assertLookupError(t *testing.T, err error, kind, name string, want error) {
	t.Helper()
	var le *secrets.LookupError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, secrets.LookupError{Kind: kind, Name: name, Err: want}, *le)
	assertSentinels(t, err, want)
}

// lookupID is the ID the stand-in gives the identity of that kind and name: a UUID, as the service's
// IDs are, derived from both.
func lookupID(kind, name string) string {
	sum := sha256.Sum256([]byte(kind + "/" + name))
	h := hex.EncodeToString(sum[:16])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func without(list []string, drop string) []string {
	var out []string
	for _, s := range list {
		if s != drop {
			out = append(out, s)
		}
	}
	return out
}
