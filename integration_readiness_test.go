package secrets_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
)

// The scenarios of what the official sources leave open (issue 12): bulk reads whether or not lists
// carry values, look-ups whether the service matches literally or by pattern, and roles the SDK has
// no constant for. TestIntegration runs them under every profile.

// itBulkReads: GetMany returns the same values and per-name errors under every profile, in at most
// one request more per name than the list when the list carries no values; two names never take more
// than three requests, one name one.
func itBulkReads(t *testing.T, prof secretstest.Profile) {
	e := newITEnv(t, prof)
	ctx := e.ctx
	e.create(e.admin, "A", "value-a")
	e.create(e.admin, "B", "value-b")
	_, bobC := e.member("bob@example.com")
	e.create(bobC, "MINE", "value-mine")

	type step struct {
		c         *secrets.Client
		names     []string
		want      map[string]string
		wantErrs  map[string]error
		withValue []string // the names read by ?name= when lists carry values
	}
	steps := []step{
		{c: e.admin, names: []string{"A", "B"}, want: map[string]string{"A": "value-a", "B": "value-b"}},
		{c: e.admin, names: []string{"B"}, want: map[string]string{"B": "value-b"}},
		{c: bobC, names: []string{"A", "MINE", "MISSING"}, want: map[string]string{"MINE": "value-mine"},
			wantErrs: map[string]error{"A": secrets.ErrValueWithheld, "MISSING": secrets.ErrNotFound}, withValue: []string{"A"}},
	}
	for _, st := range steps {
		before := len(e.srv.Requests())
		found, err := st.c.Secrets.GetMany(ctx, st.names...)
		got := map[string]string{}
		for name, s := range found {
			got[name] = itValue(t, s)
		}
		assert.Equal(t, st.want, got, "%v", st.names)
		if st.wantErrs == nil {
			require.NoError(t, err)
		} else {
			var bulk *secrets.BulkError
			require.ErrorAs(t, err, &bulk)
			assert.Len(t, bulk.Errors, len(st.wantErrs))
			for name, want := range st.wantErrs {
				assert.ErrorIs(t, bulk.Errors[name], want, name)
			}
		}

		// The requests: one ?name= read for one name; else the list, then a read of each name the
		// list gave without a value.
		var byName []string
		var lists int
		for _, r := range e.srv.Requests()[before:] {
			q, _ := url.ParseQuery(r.RawQuery)
			if n := q.Get("name"); n != "" {
				byName = append(byName, n)
			} else {
				lists++
			}
		}
		switch {
		case len(st.names) == 1:
			assert.Equal(t, st.names, byName)
			assert.Zero(t, lists)
		case prof.ValuesOnlyByName:
			assert.Equal(t, 1, lists)
			var existing []string
			for _, n := range st.names {
				if n != "MISSING" {
					existing = append(existing, n)
				}
			}
			assert.ElementsMatch(t, existing, byName)
		default:
			assert.Equal(t, 1, lists)
			assert.ElementsMatch(t, st.withValue, byName)
		}
		if len(st.names) == 2 {
			assert.LessOrEqual(t, lists+len(byName), 3, "two names: at most three requests")
		}
	}

	// The notebook-style Cache on top: the same answers, then from memory.
	cache, err := secrets.NewCache(bobC)
	require.NoError(t, err)
	for range 2 {
		values, err := cache.GetMany(ctx, "A", "MINE")
		assert.Equal(t, map[string]string{"MINE": "value-mine"}, values)
		assert.ErrorIs(t, err, secrets.ErrValueWithheld)
	}
}

// itLookupsFindExactlyTheNamed: UserByEmail, TeamByName and ShareByName find exactly the identity
// named, with metacharacters in the name and look-alikes around it, whether the emulator matches
// literally or by regular expression; a name only look-alikes match is not found.
func itLookupsFindExactlyTheNamed(t *testing.T, prof secretstest.Profile) {
	e := newITEnv(t, prof)
	ctx := e.ctx
	users := map[string]secretstest.User{}
	for _, email := range []string{"alice+ml@example.com", "aliceml@example.com", "aliceeml@example.com",
		"data.eng@example.com", "dataXeng@example.com", "bob@example.com", "xbob@example.com"} {
		users[email] = e.srv.AddUser(email)
	}
	teams := map[string]secretstest.Team{}
	for _, name := range []string{"C++ (eu)", "C (eu)", "CC (eu)", "data.eng", "dataXeng", "ops", "ops-eu", "[x]", "x"} {
		teams[name] = e.srv.AddTeam(name)
	}
	for email, u := range users {
		before := len(e.srv.Requests())
		got, err := e.admin.Organizations.UserByEmail(ctx, strings.ToUpper(email))
		require.NoError(t, err, email)
		assert.Equal(t, u.ID, got.ID, email)
		assert.LessOrEqual(t, len(e.srv.Requests())-before, 2, email)
	}
	for name, team := range teams {
		before := len(e.srv.Requests())
		got, err := e.admin.Organizations.TeamByName(ctx, name)
		require.NoError(t, err, name)
		assert.Equal(t, team.ID, got.ID, name)
		assert.LessOrEqual(t, len(e.srv.Requests())-before, 2, name)
	}

	// Names that only look-alikes match, under one reading or the other.
	for _, email := range []string{"data.en@example.com", "alice+@example.com", "bob@example.co", "ob@example.com"} {
		_, err := e.admin.Organizations.UserByEmail(ctx, email)
		assert.ErrorIs(t, err, secrets.ErrNotFound, email)
	}
	e.srv.RemoveUser(users["data.eng@example.com"].ID)
	_, err := e.admin.Organizations.UserByEmail(ctx, "data.eng@example.com")
	assert.ErrorIs(t, err, secrets.ErrNotFound, "dataXeng is not data.eng")
	for _, name := range []string{"C+ (eu)", "data.en", "ops-", "[x", "C\\+\\+ \\(eu\\)", "^ops$"} {
		_, err := e.admin.Organizations.TeamByName(ctx, name)
		assert.ErrorIs(t, err, secrets.ErrNotFound, name)
	}

	// ShareByName grants exactly the identities named.
	s := e.create(e.admin, "SHARED", "v")
	require.NoError(t, e.admin.Secrets.ShareByName(ctx, s.ID, &secrets.ShareByNameRequest{
		Grants: []secrets.NamedAccessChange{{Role: secrets.RoleReader,
			UserEmails: []string{"alice+ml@example.com", "bob@example.com"},
			TeamNames:  []string{"C++ (eu)", "data.eng", "x"}}},
	}))
	assert.ElementsMatch(t, []string{
		"Owner user:" + e.srv.APIKeyUser().ID + " (inherited)",
		"Owner user:" + e.srv.APIKeyUser().ID,
		"Reader user:" + users["alice+ml@example.com"].ID,
		"Reader user:" + users["bob@example.com"].ID,
		"Reader team:" + teams["C++ (eu)"].ID,
		"Reader team:" + teams["data.eng"].ID,
		"Reader team:" + teams["x"].ID,
	}, e.grants(s.ID))
}

// itCustomRoles: a role the SDK has no constant for reaches the service, which decides: the emulator
// knows only Owner and Reader, so it answers 400 (an *APIError matching ErrInvalidArgument) and
// nothing changes. (A role that cannot be a name never leaves the client: TestValidation_BadArgumentsSendNothing.)
func itCustomRoles(t *testing.T, prof secretstest.Profile) {
	e := newITEnv(t, prof)
	ctx := e.ctx
	bob, _ := e.member("bob@example.com")
	s := e.create(e.admin, "ROLES", "v")
	before := e.grants(s.ID)

	err := e.admin.Secrets.Share(ctx, s.ID, &secrets.ShareRequest{
		Grants: []secrets.AccessChange{{Role: "Auditor", Users: []string{bob.ID}}}})
	ae := requireAPIError(t, err, 400)
	assert.ErrorIs(t, ae, secrets.ErrInvalidArgument)
	err = e.admin.Secrets.ShareByName(ctx, s.ID, &secrets.ShareByNameRequest{
		Grants: []secrets.NamedAccessChange{{Role: "reader", UserEmails: []string{bob.Email}}}})
	requireAPIError(t, err, 400)
	assert.Equal(t, before, e.grants(s.ID))
}
