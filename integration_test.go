package secrets_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
)

// The integration tests drive the SDK against the secretstest emulator over loopback HTTP, one
// emulator per test: every scenario of the product description, through the public API only.

// TestIntegration runs every integration scenario under every emulator profile: each combination of
// the behaviours the official sources disagree on (list shape, values in unfiltered lists, literal or
// regular-expression look-ups). The SDK must pass all of them, since the live service may behave as
// any one does. A scenario whose requests only the list shape can change runs with and without
// BareLists only, and checks, last, that it may (assertMeetsOnlyListShape: no unfiltered list, no user
// or team look-up). A new behaviour joins as a row.
func TestIntegration(t *testing.T) {
	t.Parallel()
	listShapeOnly := []secretstest.Profile{{}, {BareLists: true}}
	scenarios := []struct {
		name     string
		run      func(*testing.T, secretstest.Profile)
		profiles []secretstest.Profile // nil: every profile
	}{
		{"SecretLifecycle", itSecretLifecycle, nil},
		{"NameConflict", itNameConflict, nil},
		{"ValueSizeLimit", itValueSizeLimit, listShapeOnly}, // 5 MiB through JSON: the slowest scenario under -race
		{"OnlyCreatorReadsByDefault", itOnlyCreatorReadsByDefault, nil},
		{"ShareRoles", itShareRoles, nil},
		{"CustomRoles", itCustomRoles, nil},
		{"Access", itAccess, nil},
		{"NoOwnerLeftDeletesSecret", itNoOwnerLeftDeletesSecret, nil},
		{"ShareByNameUnknownChangesNothing", itShareByNameUnknownChangesNothing, nil},
		{"LookupsFindExactlyTheNamed", itLookupsFindExactlyTheNamed, nil},
		{"BulkReads", itBulkReads, nil},
		{"Organization", itOrganization, nil},
		{"Unauthorized", itUnauthorized, nil},
		{"Concurrency", itConcurrency, nil},
	}
	for _, sc := range scenarios {
		profiles := sc.profiles
		if profiles == nil {
			profiles = itProfiles()
		}
		for _, p := range profiles {
			t.Run(itProfileName(p)+"/"+sc.name, func(t *testing.T) {
				t.Parallel()
				sc.run(t, p)
			})
		}
	}
}

// itProfiles is every Profile: the zero one (the emulator's default) and each combination of its
// three behaviours, the published specification's reading (all three) among them.
func itProfiles() []secretstest.Profile {
	var out []secretstest.Profile
	for bits := range 8 {
		out = append(out, secretstest.Profile{BareLists: bits&1 != 0, ValuesOnlyByName: bits&2 != 0, RegexLookups: bits&4 != 0})
	}
	return out
}

// itProfileName names a profile by the behaviours it turns on ("default" for none).
func itProfileName(p secretstest.Profile) string {
	var parts []string
	if p.BareLists {
		parts = append(parts, "bare-lists")
	}
	if p.ValuesOnlyByName {
		parts = append(parts, "values-only-by-name")
	}
	if p.RegexLookups {
		parts = append(parts, "regex-lookups")
	}
	if len(parts) == 0 {
		return "default"
	}
	return strings.Join(parts, "+")
}

const itUUID = `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`

// itSecretLifecycle: create, get, get by name, list, update, delete; createdBy and
// lastUpdatedBy name the acting user (or the API key's identity); lastUpdatedAt moves on update while
// createdAt stays; a deleted secret is gone for every read and a second delete is a 404.
func itSecretLifecycle(t *testing.T, prof secretstest.Profile) {
	e := newITEnv(t, prof)
	ctx := e.ctx
	ada, adaC := e.member("ada.lovelace@example.com")
	bob, bobC := e.member("bob@example.com")

	created := e.create(adaC, "DB_PASSWORD", "hunter2")
	assert.Regexp(t, itUUID, created.ID)
	assert.Equal(t, &secrets.Secret{ID: created.ID, Name: "DB_PASSWORD", Value: strp("hunter2"),
		CreatedBy: ada.ID, CreatedAt: itStart, LastUpdatedBy: ada.ID, LastUpdatedAt: itStart}, created)

	got, err := adaC.Secrets.Get(ctx, created.ID)
	require.NoError(t, err)
	assert.Equal(t, created, got)
	got, err = adaC.Secrets.GetByName(ctx, "DB_PASSWORD")
	require.NoError(t, err)
	assert.Equal(t, created, got)

	// A secret of the API key: its creator is the key's synthetic identity.
	e.clock.Advance(time.Minute)
	keys := e.create(e.admin, "API_TOKEN", "sk-live-0123")
	key, at := e.srv.APIKeyUser().ID, itStart.Add(time.Minute)
	assert.Equal(t, &secrets.Secret{ID: keys.ID, Name: "API_TOKEN", Value: strp("sk-live-0123"),
		CreatedBy: key, CreatedAt: at, LastUpdatedBy: key, LastUpdatedAt: at}, keys)

	list, err := adaC.Secrets.List(ctx, nil)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, e.listed(created), list[0], "creation order")
	assert.Equal(t, "API_TOKEN", list[1].Name)
	assert.Nil(t, list[1].Value, "ada holds no role on the API key's secret")
	list, err = e.admin.Secrets.List(ctx, &secrets.ListSecretsOptions{Name: "API_TOKEN"})
	require.NoError(t, err)
	assert.Equal(t, []*secrets.Secret{keys}, list)
	list, err = e.admin.Secrets.List(ctx, &secrets.ListSecretsOptions{Name: "NO_SUCH_SECRET"})
	require.NoError(t, err)
	assert.Empty(t, list)

	// Update: the value changes, lastUpdatedAt moves to the clock's time, createdAt does not.
	at1 := e.clock.Advance(time.Hour)
	upd, err := adaC.Secrets.Update(ctx, created.ID, "hunter3")
	require.NoError(t, err)
	assert.Equal(t, &secrets.Secret{ID: created.ID, Name: "DB_PASSWORD", Value: strp("hunter3"),
		CreatedBy: ada.ID, CreatedAt: itStart, LastUpdatedBy: ada.ID, LastUpdatedAt: at1}, upd)

	// Another Owner updates: lastUpdatedBy names them, createdBy still the creator.
	e.share(adaC, created.ID, &secrets.ShareRequest{Grants: []secrets.AccessChange{{Role: secrets.RoleOwner, Users: []string{bob.ID}}}})
	at2 := e.clock.Advance(30 * time.Second)
	upd, err = bobC.Secrets.Update(ctx, created.ID, "correct horse battery staple")
	require.NoError(t, err)
	assert.Equal(t, &secrets.Secret{ID: created.ID, Name: "DB_PASSWORD", Value: strp("correct horse battery staple"),
		CreatedBy: ada.ID, CreatedAt: itStart, LastUpdatedBy: bob.ID, LastUpdatedAt: at2}, upd)
	got, err = adaC.Secrets.GetByName(ctx, "DB_PASSWORD")
	require.NoError(t, err)
	assert.Equal(t, upd, got, "the creator reads what the other Owner wrote")
	stored, found := e.srv.Secret("DB_PASSWORD")
	require.True(t, found)
	assert.Equal(t, "correct horse battery staple", stored.Value)
	assert.Equal(t, ada.ID, stored.CreatedBy)
	assert.Equal(t, bob.ID, stored.LastUpdatedBy)
	assert.True(t, stored.LastUpdatedAt.Equal(at2))

	// Delete: gone for every read; a second delete is a plain 404 (one attempt, not "done").
	require.NoError(t, adaC.Secrets.Delete(ctx, created.ID))
	e.itGone(created.ID, "DB_PASSWORD")
	err = adaC.Secrets.Delete(ctx, created.ID)
	ae := requireAPIError(t, err, http.StatusNotFound)
	assert.Equal(t, http.MethodDelete, ae.Method)
	assert.Equal(t, "/v1/secrets/"+created.ID, ae.Path)
	assert.Equal(t, 1, ae.Attempts)
	list, err = adaC.Secrets.List(ctx, nil)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "API_TOKEN", list[0].Name)
}

// itNameConflict: one namespace per organization, whoever creates: a taken name is
// ErrConflict (an *APIError 409 from one attempt), the first secret is untouched, and the name is free
// again once the secret is deleted.
func itNameConflict(t *testing.T, prof secretstest.Profile) {
	tests := []struct {
		name          string
		first, second string // "admin", "ada" or "bob"
	}{
		{"same member twice", "ada", "ada"},
		{"another member", "ada", "bob"},
		{"member after the API key", "admin", "bob"},
		{"API key after a member", "ada", "admin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newITEnv(t, prof)
			clients := map[string]*secrets.Client{"admin": e.admin}
			_, clients["ada"] = e.member("ada@example.com")
			_, clients["bob"] = e.member("bob@example.com")

			first := e.create(clients[tt.first], "SHARED_NAME", "first value")
			before := e.srv.RequestCount()
			s, err := clients[tt.second].Secrets.Create(e.ctx, "SHARED_NAME", "second value")
			assert.Nil(t, s)
			assert.ErrorIs(t, err, secrets.ErrConflict)
			ae := requireAPIError(t, err, http.StatusConflict)
			assert.Equal(t, http.MethodPost, ae.Method)
			assert.Equal(t, "/v1/secrets", ae.Path)
			assert.Equal(t, 1, ae.Attempts)
			assert.NotContains(t, err.Error(), "second value")
			assert.Equal(t, 1, e.srv.RequestCount()-before, "a conflict is not retried")

			all := e.srv.Secrets()
			require.Len(t, all, 1)
			assert.Equal(t, first.ID, all[0].ID)
			assert.Equal(t, "first value", all[0].Value)

			require.NoError(t, clients[tt.first].Secrets.Delete(e.ctx, first.ID))
			again := e.create(clients[tt.second], "SHARED_NAME", "second value")
			assert.NotEqual(t, first.ID, again.ID)
		})
	}
}

// itBigValue is a value of exactly n bytes of valid UTF-8 that JSON has to work on at both ends
// (quotes, backslashes, control characters, HTML characters, two-, three- and four-byte characters,
// U+2028) and plain text in between, which keeps it cheap under the race detector.
func itBigValue(n int, seed byte) string {
	const tricky = "ab\"\\\x01\t\n\r<&>é€🔑\u2028z"
	head := strings.Repeat(tricky, 64)
	b := make([]byte, 0, n)
	b = append(b, head...)
	for i := 0; len(b) < n-len(head); i++ {
		b = append(b, 'a'+(seed+byte(i))%26)
	}
	b = append(b, head...)
	return string(b[:n])
}

// itSame compares long strings without printing them.
func itSame(t *testing.T, want, got string, what string) {
	t.Helper()
	if want != got {
		i := 0
		for i < len(want) && i < len(got) && want[i] == got[i] {
			i++
		}
		t.Errorf("%s: got %d bytes, want %d; first difference at byte %d", what, len(got), len(want), i)
	}
}

// itValueSizeLimit: a value of exactly MaxValueBytes is stored and read back byte for byte (two round
// trips only: 5 MiB through JSON is slow under the race detector); one byte more, in two-byte
// characters, is ErrValueTooLarge with no request.
func itValueSizeLimit(t *testing.T, prof secretstest.Profile) {
	e := newITEnv(t, prof)
	_, ada := e.member("ada@example.com")
	ctx := e.ctx
	value := itBigValue(secrets.MaxValueBytes, 0)
	require.Len(t, value, secrets.MaxValueBytes)
	require.True(t, utf8.ValidString(value))

	s := e.create(ada, "BIG", value)
	itSame(t, value, itValue(t, s), "Create's answer")
	stored, _ := e.srv.SecretValue("BIG")
	itSame(t, value, stored, "the emulator's copy")
	got, err := e.admin.Secrets.GetByName(ctx, "BIG")
	require.NoError(t, err)
	itSame(t, value, itValue(t, got), "GetByName")

	// One byte over, counted in bytes, not characters: refused before any request (one byte over in
	// ASCII is TestValidation_BadArgumentsSendNothing's).
	before := e.srv.RequestCount()
	_, err = ada.Secrets.Update(ctx, s.ID, strings.Repeat("é", secrets.MaxValueBytes/2)+"x")
	assert.ErrorIs(t, err, secrets.ErrValueTooLarge, "the limit counts bytes, not characters")
	assert.Equal(t, before, e.srv.RequestCount(), "no request for a value over the limit")
	stored, _ = e.srv.SecretValue("BIG")
	itSame(t, value, stored, "the value after the refused update")
	e.assertMeetsOnlyListShape()
}

// itOnlyCreatorReadsByDefault: another member sees the secret (List, Get, GetByName)
// without its value, gets ErrValueWithheld from the value reads (GetMany, Cache), may not update,
// share, delete or list access (ErrForbidden), and the stored value is untouched. The API key, an
// organization owner, reads it.
func itOnlyCreatorReadsByDefault(t *testing.T, prof secretstest.Profile) {
	e := newITEnv(t, prof)
	ctx := e.ctx
	ada, adaC := e.member("ada@example.com")
	_, bobC := e.member("bob@example.com")
	s := e.create(adaC, "ADA_ONLY", "ada's value")
	e.create(bobC, "BOB_OWN", "bob's value")

	list, err := bobC.Secrets.List(ctx, nil)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, "ADA_ONLY", list[0].Name)
	assert.Nil(t, list[0].Value)
	assert.Equal(t, ada.ID, list[0].CreatedBy, "metadata stays visible")
	if !prof.ValuesOnlyByName {
		assert.Equal(t, "bob's value", itValue(t, list[1]))
	} else {
		assert.Nil(t, list[1].Value, "this profile's lists carry no values")
	}

	got, err := bobC.Secrets.Get(ctx, s.ID)
	require.NoError(t, err)
	assert.Nil(t, got.Value)
	assert.Equal(t, s.ID, got.ID)
	got, err = bobC.Secrets.GetByName(ctx, "ADA_ONLY")
	require.NoError(t, err)
	assert.Nil(t, got.Value)

	many, err := bobC.Secrets.GetMany(ctx, "ADA_ONLY", "BOB_OWN")
	var bulk *secrets.BulkError
	require.ErrorAs(t, err, &bulk)
	assert.ErrorIs(t, bulk.Errors["ADA_ONLY"], secrets.ErrValueWithheld)
	assert.Len(t, bulk.Errors, 1)
	require.Contains(t, many, "BOB_OWN")
	assert.NotContains(t, many, "ADA_ONLY")

	cache, err := secrets.NewCache(bobC)
	require.NoError(t, err)
	_, err = cache.Get(ctx, "ADA_ONLY")
	assert.ErrorIs(t, err, secrets.ErrValueWithheld)
	assert.NotErrorIs(t, err, secrets.ErrNotFound)
	values, err := cache.GetMany(ctx, "ADA_ONLY", "BOB_OWN")
	assert.ErrorIs(t, err, secrets.ErrValueWithheld)
	assert.Equal(t, map[string]string{"BOB_OWN": "bob's value"}, values)

	_, err = bobC.Secrets.Update(ctx, s.ID, "bob was here")
	requireAPIError(t, err, http.StatusForbidden)
	assert.ErrorIs(t, err, secrets.ErrForbidden)
	err = bobC.Secrets.Share(ctx, s.ID, &secrets.ShareRequest{Grants: []secrets.AccessChange{{Role: secrets.RoleReader, Users: []string{ada.ID}}}})
	assert.ErrorIs(t, err, secrets.ErrForbidden)
	assert.ErrorIs(t, bobC.Secrets.Delete(ctx, s.ID), secrets.ErrForbidden)
	_, err = bobC.Secrets.Access(ctx, s.ID)
	assert.ErrorIs(t, err, secrets.ErrForbidden)

	byKey, err := e.admin.Secrets.GetByName(ctx, "ADA_ONLY")
	require.NoError(t, err)
	assert.Equal(t, "ada's value", itValue(t, byKey))
	mine, err := adaC.Secrets.Get(ctx, s.ID)
	require.NoError(t, err)
	assert.Equal(t, "ada's value", itValue(t, mine))
	stored, _ := e.srv.Secret("ADA_ONLY")
	assert.Equal(t, "ada's value", stored.Value)
	assert.Equal(t, []secretstest.Grant{{Role: secretstest.RoleOwner, UserID: ada.ID}}, stored.Grants)
}

// itShareRoles: a Reader reads and may do nothing else (ErrForbidden, nothing changes);
// an Owner reads, updates, shares and deletes. Each holds whether the role is given by user ID
// (Share), by e-mail address (ShareByName, in another case), to a team by ID, or to a team by name;
// a team's member gets the team's role.
func itShareRoles(t *testing.T, prof secretstest.Profile) {
	grants := map[string]func(e *itEnv, p *itPeople, id string, role secrets.Role){
		"user by ID": func(e *itEnv, p *itPeople, id string, role secrets.Role) {
			p.act(e, id, "ada grants "+string(role)+" bob")
		},
		"user by e-mail": func(e *itEnv, p *itPeople, id string, role secrets.Role) {
			require.NoError(e.t, p.adaC.Secrets.ShareByName(e.ctx, id, &secrets.ShareByNameRequest{
				Grants: []secrets.NamedAccessChange{{Role: role, UserEmails: []string{"BOB@Example.com"}}}}))
		},
		"team by ID": func(e *itEnv, p *itPeople, id string, role secrets.Role) {
			p.act(e, id, "ada grants "+string(role)+" team")
		},
		"team by name": func(e *itEnv, p *itPeople, id string, role secrets.Role) {
			require.NoError(e.t, p.adaC.Secrets.ShareByName(e.ctx, id, &secrets.ShareByNameRequest{
				Grants: []secrets.NamedAccessChange{{Role: role, TeamNames: []string{"platform"}}}}))
		},
	}
	for how, grant := range grants {
		for _, role := range []secrets.Role{secrets.RoleReader, secrets.RoleOwner} {
			t.Run(string(role)+"/"+how, func(t *testing.T) {
				t.Parallel()
				e := newITEnv(t, prof)
				p := e.people()
				ctx := e.ctx
				s := e.create(p.adaC, "SHARED", "v1")

				got, err := p.bobC.Secrets.GetByName(ctx, "SHARED")
				require.NoError(t, err)
				require.Nil(t, got.Value, "no role before the grant")

				grant(e, p, s.ID, role)
				got, err = p.bobC.Secrets.GetByName(ctx, "SHARED")
				require.NoError(t, err)
				assert.Equal(t, "v1", itValue(t, got))
				many, err := p.bobC.Secrets.GetMany(ctx, "SHARED")
				require.NoError(t, err)
				assert.Equal(t, "v1", itValue(t, many["SHARED"]))
				_, err = p.bobC.Secrets.Access(ctx, s.ID)
				require.NoError(t, err, "any role may list access")
				got, err = p.carolC.Secrets.Get(ctx, s.ID)
				require.NoError(t, err)
				assert.Nil(t, got.Value, "carol, outside the grant, still cannot read")

				toCarol := &secrets.ShareRequest{Grants: []secrets.AccessChange{{Role: secrets.RoleReader, Users: []string{p.carol.ID}}}}
				if role == secrets.RoleReader {
					before, _ := e.srv.Secret("SHARED")
					_, err = p.bobC.Secrets.Update(ctx, s.ID, "v2")
					assert.ErrorIs(t, err, secrets.ErrForbidden, "update")
					assert.ErrorIs(t, p.bobC.Secrets.Share(ctx, s.ID, toCarol), secrets.ErrForbidden, "share")
					err = p.bobC.Secrets.ShareByName(ctx, s.ID, &secrets.ShareByNameRequest{
						Grants: []secrets.NamedAccessChange{{Role: secrets.RoleOwner, UserEmails: []string{p.bob.Email}}}})
					assert.ErrorIs(t, err, secrets.ErrForbidden, "share by name")
					assert.ErrorIs(t, p.bobC.Secrets.Delete(ctx, s.ID), secrets.ErrForbidden, "delete")
					after, found := e.srv.Secret("SHARED")
					require.True(t, found)
					assert.Equal(t, before, after, "a Reader changed nothing")
					return
				}

				upd, err := p.bobC.Secrets.Update(ctx, s.ID, "v2")
				require.NoError(t, err)
				assert.Equal(t, p.bob.ID, upd.LastUpdatedBy)
				mine, err := p.adaC.Secrets.Get(ctx, s.ID)
				require.NoError(t, err)
				assert.Equal(t, "v2", itValue(t, mine))
				require.NoError(t, p.bobC.Secrets.Share(ctx, s.ID, toCarol))
				got, err = p.carolC.Secrets.Get(ctx, s.ID)
				require.NoError(t, err)
				assert.Equal(t, "v2", itValue(t, got))
				require.NoError(t, p.bobC.Secrets.Delete(ctx, s.ID))
				e.itGone(s.ID, "SHARED")
			})
		}
	}
}

// itAccess: Access lists the Owner and Reader roles with their holders: the API key's
// identity as an Owner inherited from the organization, the creator, users and teams with their
// details, who granted each and when. Any holder of a role may read it; a member without one may not.
func itAccess(t *testing.T, prof secretstest.Profile) {
	e := newITEnv(t, prof, secretstest.WithOrganizationName("Acme Corp"))
	ctx := e.ctx
	p := e.people()
	dave, daveC := e.member("dave.jones@example.com")
	readers := e.srv.AddTeam("readers", dave.ID)
	_, erinC := e.member("erin@example.com")
	key := e.srv.APIKeyUser()

	s := e.create(p.adaC, "DB_PASSWORD", "v")
	at1 := e.clock.Advance(time.Minute)
	p.act(e, s.ID, "ada grants Reader carol and grants Owner team")
	at2 := e.clock.Advance(time.Minute)
	e.share(e.admin, s.ID, &secrets.ShareRequest{Grants: []secrets.AccessChange{{Role: secrets.RoleReader, Teams: []string{readers.ID}}}})

	ada := &secrets.UserInfo{ID: p.ada.ID, Email: "ada@example.com", FirstName: "Ada"}
	keyInfo := &secrets.UserInfo{ID: key.ID, Email: key.Email, FirstName: "API", LastName: "Key"}
	roles, err := p.adaC.Secrets.Access(ctx, s.ID)
	require.NoError(t, err)
	require.Len(t, roles, 2)
	assert.NotEmpty(t, roles[0].Description)
	assert.NotEmpty(t, roles[1].Description)
	assert.Equal(t, []*secrets.RoleAccess{
		{Role: secrets.RoleOwner, Description: roles[0].Description, Grants: []secrets.Grant{
			{User: keyInfo, CreatedAt: itStart, InheritedFrom: &secrets.Inheritance{ResourceID: e.srv.OrganizationID(), ResourceType: "Organization", Role: secrets.RoleOwner}},
			{User: ada, CreatedBy: ada, CreatedAt: itStart}, // the creator
			{Team: &secrets.TeamInfo{ID: p.team.ID, Name: "platform"}, CreatedBy: ada, CreatedAt: at1},
		}},
		{Role: secrets.RoleReader, Description: roles[1].Description, Grants: []secrets.Grant{
			{User: &secrets.UserInfo{ID: p.carol.ID, Email: "carol@example.com", FirstName: "Carol"}, CreatedBy: ada, CreatedAt: at1},
			{Team: &secrets.TeamInfo{ID: readers.ID, Name: "readers"}, CreatedBy: keyInfo, CreatedAt: at2}, // granted by the API key
		}},
	}, roles)

	// Every holder sees the same list: a Reader, a team Owner, a team Reader, the API key.
	for who, c := range map[string]*secrets.Client{"carol": p.carolC, "bob": p.bobC, "dave": daveC, "key": e.admin} {
		got, err := c.Secrets.Access(ctx, s.ID)
		require.NoError(t, err, who)
		assert.Equal(t, roles, got, who)
	}
	_, err = erinC.Secrets.Access(ctx, s.ID)
	assert.ErrorIs(t, err, secrets.ErrForbidden)

	// The emulator's view agrees (it leaves out the API key's implicit grant).
	stored, _ := e.srv.Secret("DB_PASSWORD")
	assert.Equal(t, []secretstest.Grant{
		{Role: secretstest.RoleOwner, UserID: p.ada.ID},
		{Role: secretstest.RoleReader, UserID: p.carol.ID},
		{Role: secretstest.RoleOwner, TeamID: p.team.ID},
		{Role: secretstest.RoleReader, TeamID: readers.ID},
	}, stored.Grants)

	// A revocation shows at once.
	p.act(e, s.ID, "bob revokes Reader carol")
	assert.Equal(t, []string{
		"Owner user:" + key.ID + " (inherited)", "Owner user:" + p.ada.ID, "Owner team:" + p.team.ID,
		"Reader team:" + readers.ID,
	}, e.grants(s.ID))
	got, err := p.carolC.Secrets.Get(ctx, s.ID)
	require.NoError(t, err)
	assert.Nil(t, got.Value)
}

// itNoOwnerLeftDeletesSecret: a secret left without an Owner among the members is
// deleted, whether its last Owner is revoked (by themselves or by the API key) or removed from the
// organization, and whether that Owner held the role directly or through a team; while another Owner
// remains, it survives. Revoking a Reader never deletes anything.
func itNoOwnerLeftDeletesSecret(t *testing.T, prof secretstest.Profile) {
	tests := []struct {
		name     string
		steps    []string // see itPeople.act
		survives []string // the Owner grants left ("ada", "bob", "carol", "team"); nil: the secret is gone
	}{
		{"creator revokes their own Owner", []string{"ada revokes Owner ada"}, nil},
		{"API key revokes the sole Owner", []string{"key revokes Owner ada"}, nil},
		{"sole Owner removed from the organization", []string{"remove ada"}, nil},
		{"one of two Owners revoked", []string{"ada grants Owner bob", "ada revokes Owner ada"}, []string{"bob"}},
		{"one of two Owners removed", []string{"ada grants Owner bob", "remove ada"}, []string{"bob"}},
		{"Reader revoked", []string{"ada grants Reader bob", "ada revokes Reader bob"}, []string{"ada"}},
		{"Reader removed", []string{"ada grants Reader bob", "remove bob"}, []string{"ada"}},
		{"Owner role kept by a team", []string{"ada grants Owner team", "ada revokes Owner ada"}, []string{"team"}},
		{"team Owner revoked", []string{"ada grants Owner team", "ada revokes Owner ada", "bob revokes Owner team"}, nil},
		{"owning team's last member removed", []string{"ada grants Owner team", "ada revokes Owner ada", "remove bob"}, nil},
		{"revoking and granting Owner in one change", []string{"ada grants Owner carol and revokes Owner ada"}, []string{"carol"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newITEnv(t, prof)
			p := e.people()
			s := e.create(p.adaC, "OWNED", "value")
			for _, step := range tt.steps {
				p.act(e, s.ID, step)
			}

			if tt.survives == nil {
				e.itGone(s.ID, "OWNED")
				assert.Empty(t, e.srv.Secrets())
				again := e.create(e.admin, "OWNED", "new") // the name is free again
				assert.NotEqual(t, s.ID, again.ID)
				return
			}
			got, err := e.admin.Secrets.Get(e.ctx, s.ID)
			require.NoError(t, err)
			assert.Equal(t, "value", itValue(t, got))
			var want []secretstest.Grant
			for _, o := range tt.survives {
				want = append(want, p.grant(secretstest.RoleOwner, o))
			}
			stored, found := e.srv.Secret("OWNED")
			require.True(t, found)
			var owners []secretstest.Grant
			for _, g := range stored.Grants {
				if g.Role == secretstest.RoleOwner {
					owners = append(owners, g)
				}
			}
			assert.Equal(t, want, owners)
		})
	}
}

// itShareByNameUnknownChangesNothing: an e-mail address or team name that resolves to
// nothing fails ShareByName with a *LookupError per unknown name (errors.Is ErrNotFound), and no
// change is sent: Access and the stored grants are as before, and no PATCH reached the server — even
// when the request also revoked the last Owner.
func itShareByNameUnknownChangesNothing(t *testing.T, prof secretstest.Profile) {
	type lookup struct{ kind, name string }
	named := func(role secrets.Role, emails, teams []string) secrets.NamedAccessChange {
		return secrets.NamedAccessChange{Role: role, UserEmails: emails, TeamNames: teams}
	}
	tests := []struct {
		name    string
		req     *secrets.ShareByNameRequest
		unknown []lookup
	}{
		{"unknown e-mail", &secrets.ShareByNameRequest{Grants: []secrets.NamedAccessChange{named(secrets.RoleReader, []string{"nobody@example.com"}, nil)}},
			[]lookup{{"user", "nobody@example.com"}}},
		{"unknown team", &secrets.ShareByNameRequest{Grants: []secrets.NamedAccessChange{named(secrets.RoleOwner, nil, []string{"Platform"})}},
			[]lookup{{"team", "Platform"}}},
		{"known and unknown mixed", &secrets.ShareByNameRequest{Grants: []secrets.NamedAccessChange{
			named(secrets.RoleReader, []string{"carol@example.com", "nobody@example.com"}, []string{"platform"}),
			named(secrets.RoleOwner, nil, []string{"nope"}),
		}}, []lookup{{"user", "nobody@example.com"}, {"team", "nope"}}},
		{"revoking the last Owner with an unknown name", &secrets.ShareByNameRequest{Revokes: []secrets.NamedAccessChange{
			named(secrets.RoleOwner, []string{"ada@example.com"}, []string{"ghosts"}),
		}}, []lookup{{"team", "ghosts"}}},
		{"removed member's e-mail", &secrets.ShareByNameRequest{Grants: []secrets.NamedAccessChange{named(secrets.RoleReader, []string{"gone@example.com"}, nil)}},
			[]lookup{{"user", "gone@example.com"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newITEnv(t, prof)
			p := e.people()
			gone := e.srv.AddUser("gone@example.com")
			e.srv.RemoveUser(gone.ID)
			s := e.create(p.adaC, "SHARED", "v")
			p.act(e, s.ID, "ada grants Reader bob")
			accessBefore, err := p.adaC.Secrets.Access(e.ctx, s.ID)
			require.NoError(t, err)
			storedBefore, _ := e.srv.Secret("SHARED")
			n := e.srv.RequestCount()

			err = p.adaC.Secrets.ShareByName(e.ctx, s.ID, tt.req)
			require.Error(t, err)
			assert.ErrorIs(t, err, secrets.ErrNotFound)
			var unresolved *secrets.ShareLookupError
			require.ErrorAs(t, err, &unresolved)
			var got []lookup
			for _, le := range unresolved.Lookups {
				got = append(got, lookup{le.Kind, le.Name})
				assert.ErrorIs(t, le, secrets.ErrNotFound)
			}
			assert.ElementsMatch(t, tt.unknown, got)
			for _, r := range e.requestsSince(n) {
				assert.True(t, strings.HasPrefix(r, "GET /v1/users") || strings.HasPrefix(r, "GET /v1/teams"), "only lookups: %s", r)
			}

			accessAfter, err := p.adaC.Secrets.Access(e.ctx, s.ID)
			require.NoError(t, err)
			assert.Equal(t, accessBefore, accessAfter)
			storedAfter, found := e.srv.Secret("SHARED")
			require.True(t, found, "the secret survives")
			assert.Equal(t, storedBefore, storedAfter)
		})
	}
}

// itOrganization: Organizations.Current and the Python mirror
// organizations.current.get_secret(name), CurrentUser, UserByEmail and TeamByName.
func itOrganization(t *testing.T, prof secretstest.Profile) {
	e := newITEnv(t, prof, secretstest.WithOrganizationName("Acme Corp"))
	ctx := e.ctx
	p := e.people()
	s := e.create(p.adaC, "DB_PASSWORD", "hunter2")
	p.act(e, s.ID, "ada grants Reader bob")

	for who, c := range map[string]*secrets.Client{"key": e.admin, "bob": p.bobC} {
		org, err := c.Organizations.Current(ctx)
		require.NoError(t, err, who)
		assert.Equal(t, e.srv.OrganizationID(), org.ID, who)
		assert.Equal(t, "Acme Corp", org.Name, who)
		assert.Empty(t, org.FirewallRanges, who)
	}

	// manage_workspaces(key).organizations.current.get_secret(name).value
	org, err := p.bobC.Organizations.Current(ctx)
	require.NoError(t, err)
	n := e.srv.RequestCount()
	got, err := org.GetSecret(ctx, "DB_PASSWORD")
	require.NoError(t, err)
	assert.Equal(t, "hunter2", itValue(t, got))
	reqs := e.srv.Requests()[n:]
	require.Len(t, reqs, 1)
	assert.Equal(t, "/v1/secrets", reqs[0].Path)
	assert.Contains(t, reqs[0].RawQuery, "name=DB_PASSWORD")
	assert.Contains(t, reqs[0].RawQuery, "organizationID="+e.srv.OrganizationID())
	assert.Equal(t, p.bob.ID, reqs[0].IdentityID)
	_, err = org.GetSecret(ctx, "NO_SUCH_SECRET")
	assert.ErrorIs(t, err, secrets.ErrNotFound)
	carolOrg, err := p.carolC.Organizations.Current(ctx)
	require.NoError(t, err)
	got, err = carolOrg.GetSecret(ctx, "DB_PASSWORD")
	require.NoError(t, err)
	assert.Nil(t, got.Value, "carol may see the secret but not read it")

	// The organization ID as a client option: the right one works, another one is refused.
	right := e.client(p.bob.Token, secrets.WithOrganizationID(e.srv.OrganizationID()))
	_, err = right.Secrets.GetByName(ctx, "DB_PASSWORD")
	assert.NoError(t, err)
	wrong := e.client(p.bob.Token, secrets.WithOrganizationID("5a5a5a5a-1b1b-4c2c-8d3d-4e4e4e4e4e4e"))
	_, err = wrong.Organizations.Current(ctx)
	assert.ErrorIs(t, err, secrets.ErrForbidden)

	me, err := p.adaC.Organizations.CurrentUser(ctx)
	require.NoError(t, err)
	assert.Equal(t, &secrets.UserInfo{ID: p.ada.ID, Email: "ada@example.com", FirstName: "Ada"}, me)
	key := e.srv.APIKeyUser()
	me, err = e.admin.Organizations.CurrentUser(ctx)
	require.NoError(t, err)
	assert.Equal(t, &secrets.UserInfo{ID: key.ID, Email: key.Email, FirstName: key.FirstName, LastName: key.LastName}, me)

	jo := e.srv.AddUser("jo.smith@example.com")
	u, err := p.adaC.Organizations.UserByEmail(ctx, "  JO.Smith@EXAMPLE.com ")
	require.NoError(t, err)
	assert.Equal(t, &secrets.UserInfo{ID: jo.ID, Email: "jo.smith@example.com", FirstName: "Jo", LastName: "Smith"}, u)
	for _, email := range []string{"nobody@example.com", key.Email} {
		_, err = p.adaC.Organizations.UserByEmail(ctx, email)
		var le *secrets.LookupError
		require.ErrorAs(t, err, &le, email)
		assert.Equal(t, "user", le.Kind)
		assert.Equal(t, email, le.Name)
		assert.ErrorIs(t, err, secrets.ErrNotFound)
	}

	team, err := p.adaC.Organizations.TeamByName(ctx, "platform")
	require.NoError(t, err)
	assert.Equal(t, &secrets.TeamInfo{ID: p.team.ID, Name: "platform"}, team)
	_, err = p.adaC.Organizations.TeamByName(ctx, "Platform")
	assert.ErrorIs(t, err, secrets.ErrNotFound, "team names match exactly")
	e.srv.AddTeam("twins")
	e.srv.AddTeam("twins")
	_, err = p.adaC.Organizations.TeamByName(ctx, "twins")
	var le *secrets.LookupError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, "team", le.Kind)
	assert.ErrorIs(t, err, secrets.ErrAmbiguous)
}

// itUnauthorized: a token the service does not know is ErrUnauthorized (an *APIError
// 401 from one attempt) on every call, and so is the token of a member once removed from the
// organization; their grants go with them.
func itUnauthorized(t *testing.T, prof secretstest.Profile) {
	e := newITEnv(t, prof)
	ctx := e.ctx
	p := e.people()
	s := e.create(p.adaC, "DB_PASSWORD", "v")
	p.act(e, s.ID, "ada grants Owner bob")
	bobCache, err := secrets.NewCache(p.bobC)
	require.NoError(t, err)
	v, err := bobCache.Get(ctx, "DB_PASSWORD")
	require.NoError(t, err)
	require.Equal(t, "v", v)

	calls := map[string]func(c *secrets.Client) error{
		"List":        func(c *secrets.Client) error { _, err := c.Secrets.List(ctx, nil); return err },
		"Get":         func(c *secrets.Client) error { _, err := c.Secrets.Get(ctx, s.ID); return err },
		"GetByName":   func(c *secrets.Client) error { _, err := c.Secrets.GetByName(ctx, "DB_PASSWORD"); return err },
		"Create":      func(c *secrets.Client) error { _, err := c.Secrets.Create(ctx, "NEW_ONE", "v"); return err },
		"Update":      func(c *secrets.Client) error { _, err := c.Secrets.Update(ctx, s.ID, "w"); return err },
		"Delete":      func(c *secrets.Client) error { return c.Secrets.Delete(ctx, s.ID) },
		"Access":      func(c *secrets.Client) error { _, err := c.Secrets.Access(ctx, s.ID); return err },
		"Current":     func(c *secrets.Client) error { _, err := c.Organizations.Current(ctx); return err },
		"CurrentUser": func(c *secrets.Client) error { _, err := c.Organizations.CurrentUser(ctx); return err },
		"TeamByName":  func(c *secrets.Client) error { _, err := c.Organizations.TeamByName(ctx, "platform"); return err },
	}
	check := func(t *testing.T, c *secrets.Client) {
		for name, call := range calls {
			n := e.srv.RequestCount()
			err := call(c)
			assert.ErrorIs(t, err, secrets.ErrUnauthorized, name)
			if ae := requireAPIError(t, err, http.StatusUnauthorized); ae != nil {
				assert.Equal(t, 1, ae.Attempts, name)
			}
			assert.Equal(t, 1, e.srv.RequestCount()-n, "%s: a 401 is not retried", name)
		}
	}
	t.Run("unknown token", func(t *testing.T) {
		check(t, e.client("emu_user_not-a-real-token"))
	})
	t.Run("removed member", func(t *testing.T) {
		e.srv.RemoveUser(p.bob.ID)
		check(t, p.bobC)
		bobCache.InvalidateAll()
		_, err := bobCache.Get(ctx, "DB_PASSWORD")
		assert.ErrorIs(t, err, secrets.ErrUnauthorized)
		// Coming back with the same address makes a new member, with a new token and no grants.
		back, backC := e.member(p.bob.Email)
		assert.NotEqual(t, p.bob.ID, back.ID)
		check(t, p.bobC)
		got, err := backC.Secrets.Get(ctx, s.ID)
		require.NoError(t, err)
		assert.Nil(t, got.Value)
	})
	assert.Equal(t, []string{"Owner user:" + e.srv.APIKeyUser().ID + " (inherited)", "Owner user:" + p.ada.ID}, e.grants(s.ID))
	stored, _ := e.srv.Secret("DB_PASSWORD")
	assert.Equal(t, "v", stored.Value)
	assert.Len(t, e.srv.Secrets(), 1, "nothing was created")
}
