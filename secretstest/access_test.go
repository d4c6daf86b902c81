package secretstest_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/secretstest"
)

func TestValueVisibility(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.srv.AddUser("alice@example.com")
	rita := e.srv.AddUser("rita@example.com")    // Reader
	tess := e.srv.AddUser("tess@example.com")    // Reader through a team
	carol := e.srv.AddUser("carol@example.com")  // no role
	readers := e.srv.AddTeam("Readers", tess.ID) //nolint:misspell
	sec := e.create(alice.Token, "VISIBLE", "the value")
	e.share(alice.Token, sec.SecretID, grant(users(reader, rita.ID), teams(reader, readers.ID)))

	tests := []struct {
		name    string
		token   string
		canRead bool // the value, and the access list
	}{
		{"api key", e.key, true},
		{"owner", alice.Token, true},
		{"reader", rita.Token, true},
		{"reader through team", tess.Token, true},
		{"member without role", carol.Token, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want, accessStatus := (*string)(nil), http.StatusForbidden
			if tt.canRead {
				want, accessStatus = ptr("the value"), http.StatusOK
			}
			got := decode[wireSecret](t, e.do(tt.token, http.MethodGet, "/v1/secrets/"+sec.SecretID, nil), http.StatusOK)
			assert.Equal(t, want, got.Value)
			assert.Equal(t, sec.Name, got.Name)
			assert.Equal(t, sec.CreatedBy, got.CreatedBy)

			list := decode[wireList](t, e.do(tt.token, http.MethodGet, "/v1/secrets?name=VISIBLE", nil), http.StatusOK)
			require.Len(t, list.Secrets, 1)
			assert.Equal(t, want, list.Secrets[0].Value)

			access := e.do(tt.token, http.MethodGet, "/v1/secrets/"+sec.SecretID+"/accessControls", nil)
			assert.Equal(t, accessStatus, access.status)
			if !tt.canRead {
				assert.NotContains(t, string(access.body), "the value")
			}
		})
	}
}

func TestNonOwnersCannotWrite(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.srv.AddUser("alice@example.com")
	rita := e.srv.AddUser("rita@example.com")
	carol := e.srv.AddUser("carol@example.com")
	sec := e.create(alice.Token, "GUARDED", "v1")
	e.share(alice.Token, sec.SecretID, grant(users(reader, rita.ID)))

	type op struct {
		name, method, path string
		body               any
	}
	access := "/v1/secrets/" + sec.SecretID + "/accessControls"
	ops := []op{
		{"share Owner", http.MethodPatch, access, grant(users(owner, carol.ID))},
		{"revoke", http.MethodPatch, access, revoke(users(owner, alice.ID))},
	}
	for _, rt := range routes { // and every other write to a secret
		if rt.hasID() && rt.method != http.MethodGet {
			path, body := rt.request(sec.SecretID, carol.ID)
			ops = append(ops, op{rt.name, rt.method, path, body})
		}
	}
	for _, who := range []struct {
		name  string
		token string
	}{{"reader", rita.Token}, {"member without role", carol.Token}} {
		for _, op := range ops {
			t.Run(who.name+" "+op.name, func(t *testing.T) {
				t.Parallel()
				r := e.do(who.token, op.method, op.path, op.body)
				assert.Equal(t, http.StatusForbidden, r.status)
				assert.NotEmpty(t, decode[wireError](t, r, http.StatusForbidden).Message)
			})
		}
	}
	t.Cleanup(func() {
		got, ok := e.srv.Secret("GUARDED")
		require.True(t, ok)
		assert.Equal(t, "v1", got.Value)
		assert.Equal(t, []secretstest.Grant{{Role: owner, UserID: alice.ID}, {Role: reader, UserID: rita.ID}}, got.Grants)
	})
}

// TestOwnershipDecidesExistence: a secret lives while an Owner grant is left (to a member, to a team
// with members, or to the API key's identity when the key created it), whatever the history of its
// grants. Each step must succeed; after it the secret exists, or not, through the API and in the
// state. Names in a step's changes stand for the IDs of those members and teams.
func TestOwnershipDecidesExistence(t *testing.T) {
	t.Parallel()
	type step struct {
		as     string    // who acts: "key" or a member
		change shareBody // by names
		remove string    // a member removed instead of a share
		delete bool      // a delete instead of a share
		exists bool
		why    string
	}
	tests := []struct {
		name, creator string
		steps         []step
	}{
		{"a second Owner", "alice", []step{
			{as: "alice", change: grant(users(owner, "bob"), users(reader, "rita")), exists: true},
			{as: "bob", change: revoke(users(owner, "alice")), exists: true, why: "a second Owner keeps it alive when the first leaves"},
			{as: "bob", change: revoke(users(reader, "rita"), users(owner, "alice")), exists: true, why: "revoking a Reader, or an Owner binding that does not exist, deletes nothing"},
			{as: "bob", change: revoke(users(owner, "bob")), why: "the last member Owner leaves; the API key's inherited ownership does not count"},
		}},
		{"a member of an Owner team", "alice", []step{
			{as: "alice", change: grant(teams(owner, "ops")), exists: true},
			{as: "bob", change: revoke(users(owner, "alice")), exists: true, why: "bob, an Owner through ops, may revoke alice: the team still owns it"},
			{as: "bob", delete: true, why: "and may delete it"},
		}},
		{"an Owner team", "alice", []step{
			{as: "alice", change: grant(teams(owner, "solo")), exists: true},
			{as: "alice", change: revoke(users(owner, "alice")), exists: true, why: "alice still owns it through the team"},
			{as: "key", change: revoke(teams(owner, "solo")), why: "no member owns it any more"},
		}},
		{"the API key as creator", "key", []step{
			{as: "key", change: grant(users(owner, "alice")), exists: true},
			{as: "key", change: revoke(users(owner, "alice")), exists: true, why: "the key's own Owner grant remains"},
			{as: "key", change: grant(users(owner, "bob")), exists: true},
			{remove: "bob", exists: true, why: "removing a member who co-owned it leaves the key's grant"},
			{as: "key", change: revoke(users(owner, "key")), why: "no Owner grant is left"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			token := map[string]string{"key": e.key}
			id := map[string]string{"key": e.srv.APIKeyUser().ID}
			for _, name := range []string{"alice", "bob", "rita"} {
				u := e.srv.AddUser(name + "@example.com")
				token[name], id[name] = u.Token, u.ID
			}
			id["solo"], id["ops"] = e.srv.AddTeam("Solo", id["alice"]).ID, e.srv.AddTeam("Ops", id["bob"]).ID
			sec := e.create(token[tt.creator], "OWNED", "v")
			for i, st := range tt.steps {
				switch {
				case st.remove != "":
					e.srv.RemoveUser(id[st.remove])
				case st.delete:
					assert.Equal(t, http.StatusOK, e.do(token[st.as], http.MethodDelete, "/v1/secrets/"+sec.SecretID, nil).status)
				default:
					e.share(token[st.as], sec.SecretID, byID(st.change, id))
				}
				assert.Equal(t, st.exists, e.exists(sec.SecretID), "step %d: %s", i, st.why)
				_, stored := e.srv.Secret("OWNED")
				assert.Equal(t, st.exists, stored, "step %d: %s", i, st.why)
			}
		})
	}
}

// byID returns body with the names of members and teams replaced by their IDs.
func byID(body shareBody, id map[string]string) shareBody {
	ids := func(cs []change) []change {
		out := []change{}
		for _, c := range cs {
			c.Users, c.Teams = slices.Clone(c.Users), slices.Clone(c.Teams)
			for i := range c.Users {
				c.Users[i] = id[c.Users[i]]
			}
			for i := range c.Teams {
				c.Teams[i] = id[c.Teams[i]]
			}
			out = append(out, c)
		}
		return out
	}
	return shareBody{Grants: ids(body.Grants), Revokes: ids(body.Revokes)}
}

func TestUserWithBothRoles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.srv.AddUser("alice@example.com")
	sec := e.create(alice.Token, "BOTH", "v")
	e.share(alice.Token, sec.SecretID, grant(users(reader, alice.ID), users(owner, alice.ID))) // owner again: no-op
	got, _ := e.srv.Secret("BOTH")
	assert.Equal(t, []secretstest.Grant{{Role: owner, UserID: alice.ID}, {Role: reader, UserID: alice.ID}}, got.Grants)

	e.share(alice.Token, sec.SecretID, revoke(users(reader, alice.ID)))
	got, _ = e.srv.Secret("BOTH")
	assert.Equal(t, []secretstest.Grant{{Role: owner, UserID: alice.ID}}, got.Grants)
}

func TestShareIsAtomic(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.srv.AddUser("alice@example.com")
	bob := e.srv.AddUser("bob@example.com")
	team := e.srv.AddTeam("Team", bob.ID)
	sec := e.create(alice.Token, "ATOMIC", "v")
	before, _ := e.srv.Secret("ATOMIC")

	tests := []struct {
		name string
		body any
	}{
		{"unknown user after a valid grant", grant(users(reader, bob.ID), users(owner, "0b6f3c1e-8a4d-4c59-9d3e-1f2a3b4c5d6e"))},
		{"unknown user in a revoke", shareBody{Grants: []change{users(reader, bob.ID)}, Revokes: []change{users(owner, alice.ID, "nope")}}},
		{"unknown team", grant(users(reader, bob.ID), teams(reader, "nope"))},
		{"user ID given as team", grant(teams(reader, bob.ID))},
		{"team ID given as user", grant(users(reader, team.ID))},
		{"unknown role", grant(users("Admin", bob.ID))},
		{"lowercase role", grant(users("reader", bob.ID))},
		{"empty role", grant(change{Users: []string{bob.ID}})},
		{"grant and revoke the same binding", shareBody{Grants: []change{users(reader, bob.ID)}, Revokes: []change{users(reader, bob.ID)}}},
		{"malformed JSON", `{"grants":[`},
		{"wrong types", `{"grants":{"role":"Owner"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := e.do(alice.Token, http.MethodPatch, "/v1/secrets/"+sec.SecretID+"/accessControls", tt.body)
			assert.Equal(t, http.StatusBadRequest, r.status, "body: %s", r.body)
			assert.NotEmpty(t, decode[wireError](t, r, http.StatusBadRequest).Message)
		})
	}
	t.Cleanup(func() {
		after, ok := e.srv.Secret("ATOMIC")
		require.True(t, ok)
		assert.Equal(t, before, after)
	})
}

func TestShareResponseAndNoOps(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.srv.AddUser("alice@example.com")
	sec := e.create(alice.Token, "NOOP", "v")
	for _, body := range []string{`{}`, `{"grants":[],"revokes":[]}`, `{"grants":null}`} {
		r := e.do(alice.Token, http.MethodPatch, "/v1/secrets/"+sec.SecretID+"/accessControls", body)
		assert.Equal(t, http.StatusOK, r.status)
		assert.JSONEq(t, `{}`, string(r.body))
	}
	assert.True(t, e.exists(sec.SecretID))
}

func TestAPIKeyIsOrganizationOwner(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.srv.AddUser("alice@example.com")
	sec := e.create(alice.Token, "MEMBER_SECRET", "v")

	roles := decode[[]wireRole](t, e.do(e.key, http.MethodGet, "/v1/secrets/"+sec.SecretID+"/accessControls", nil), http.StatusOK)
	require.Len(t, roles, 2)
	assert.Equal(t, owner, roles[0].Role)
	assert.Equal(t, reader, roles[1].Role)
	assert.Empty(t, roles[1].Grants)
	require.Len(t, roles[0].Grants, 2)
	inherited := roles[0].Grants[0]
	require.NotNil(t, inherited.InheritedFrom)
	assert.Equal(t, e.srv.OrganizationID(), inherited.InheritedFrom.ResourceID)
	assert.Equal(t, "Organization", inherited.InheritedFrom.ResourceType)
	assert.Equal(t, owner, inherited.InheritedFrom.Role)
	assert.Equal(t, e.srv.APIKeyUser().ID, inherited.Identity.UserID)
	assert.Nil(t, roles[0].Grants[1].InheritedFrom)
	assert.Equal(t, alice.ID, roles[0].Grants[1].Identity.UserID)

	updated := decode[wireSecret](t, e.do(e.key, http.MethodPatch, "/v1/secrets/"+sec.SecretID, map[string]string{"value": "by key"}), http.StatusOK)
	assert.Equal(t, e.srv.APIKeyUser().ID, updated.LastUpdatedBy)
	assert.Equal(t, http.StatusOK, e.do(e.key, http.MethodDelete, "/v1/secrets/"+sec.SecretID, nil).status)
}

func TestRemoveUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.srv.AddUser("alice@example.com")
	bob := e.srv.AddUser("bob@example.com")
	carol := e.srv.AddUser("carol@example.com")
	team := e.srv.AddTeam("Alice and Carol", alice.ID, carol.ID)

	solo := e.create(alice.Token, "ALICE_ONLY", "v")           // alice is the sole Owner
	sharedOwner := e.create(alice.Token, "ALICE_AND_BOB", "v") // bob is a second Owner
	readOnly := e.create(alice.Token, "BOB_READS", "v")        // bob only reads
	bobs := e.create(bob.Token, "BOBS", "v")                   // alice reads
	teamOwned := e.create(alice.Token, "TEAM_OWNED", "v")      // the team, with carol, owns
	keyOwned := e.create(e.key, "KEY_OWNED", "v")              // owned through the organization
	e.share(alice.Token, sharedOwner.SecretID, grant(users(owner, bob.ID)))
	e.share(alice.Token, readOnly.SecretID, grant(users(reader, bob.ID)))
	e.share(bob.Token, bobs.SecretID, grant(users(reader, alice.ID)))
	e.share(alice.Token, teamOwned.SecretID, grant(teams(owner, team.ID)))
	e.share(e.key, keyOwned.SecretID, grant(users(reader, alice.ID)))

	e.srv.RemoveUser(alice.ID)
	e.srv.RemoveUser(alice.ID)              // no-op
	e.srv.RemoveUser("unknown")             // no-op
	e.srv.RemoveUser(e.srv.APIKeyUser().ID) // ignored: the key is not a member

	assert.False(t, e.exists(solo.SecretID))
	assert.False(t, e.exists(readOnly.SecretID), "bob only reads it: no Owner is left")
	assert.True(t, e.exists(sharedOwner.SecretID))
	assert.True(t, e.exists(bobs.SecretID))
	assert.True(t, e.exists(teamOwned.SecretID), "carol still owns it through the team")
	assert.True(t, e.exists(keyOwned.SecretID), "alice was only a Reader")

	assert.Equal(t, http.StatusUnauthorized, e.do(alice.Token, http.MethodGet, "/v1/secrets", nil).status)
	for _, name := range []string{"ALICE_AND_BOB", "BOBS", "TEAM_OWNED", "KEY_OWNED"} {
		sec, ok := e.srv.Secret(name)
		require.True(t, ok)
		for _, g := range sec.Grants {
			assert.NotEqual(t, alice.ID, g.UserID, "alice's grants are revoked")
		}
	}
	members := decode[[]wireUser](t, e.do(e.key, http.MethodGet, "/v1/users", nil), http.StatusOK)
	assert.Len(t, members, 2)
	assert.Empty(t, decode[[]wireUser](t, e.do(e.key, http.MethodGet, "/v1/users?email=alice@example.com", nil), http.StatusOK))

	// Carol, the last member of the owning team, leaves: the team owns nothing any more.
	e.srv.RemoveUser(carol.ID)
	assert.False(t, e.exists(teamOwned.SecretID))
	assert.Equal(t, http.StatusOK, e.do(e.key, http.MethodGet, "/v1/users/current", nil).status)
}
