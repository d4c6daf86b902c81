package main

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
)

// TestShareRequestRoles: the command line of `share` becomes one ShareByNameRequest; --role ROLE --to WHO
// carries any role, merged with --reader or --owner when it names one of them.
func TestShareRequestRoles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		spec    shareSpec
		want    []secrets.NamedAccessChange
		wantErr string
	}{
		{
			name: "reader and owner",
			spec: shareSpec{readers: []string{"a@x.io", "team:ops"}, owners: []string{"user:b@x.io"}},
			want: []secrets.NamedAccessChange{
				{Role: secrets.RoleReader, UserEmails: []string{"a@x.io"}, TeamNames: []string{"ops"}},
				{Role: secrets.RoleOwner, UserEmails: []string{"b@x.io"}},
			},
		},
		{
			name: "a custom role, after the others",
			spec: shareSpec{owners: []string{"b@x.io"}, role: "Auditor", roleSet: true, to: []string{"a@x.io", "team:audit"}},
			want: []secrets.NamedAccessChange{
				{Role: secrets.RoleOwner, UserEmails: []string{"b@x.io"}},
				{Role: "Auditor", UserEmails: []string{"a@x.io"}, TeamNames: []string{"audit"}},
			},
		},
		{
			name: "--role Owner merges with --owner, once per holder",
			spec: shareSpec{owners: []string{"b@x.io"}, role: "Owner", roleSet: true, to: []string{"B@x.io", "c@x.io"}},
			want: []secrets.NamedAccessChange{{Role: secrets.RoleOwner, UserEmails: []string{"b@x.io", "c@x.io"}}},
		},
		{
			name: "case and spaces inside a role are the service's to judge",
			spec: shareSpec{role: "secret viewer", roleSet: true, to: []string{"a@x.io"}},
			want: []secrets.NamedAccessChange{{Role: "secret viewer", UserEmails: []string{"a@x.io"}}},
		},
		{
			name: "a holder named twice (e-mail case aside) is sent once",
			spec: shareSpec{readers: []string{"a@x.io", "team:ops", "A@X.io", "team:ops"}, owners: []string{"b@x.io"}},
			want: []secrets.NamedAccessChange{
				{Role: secrets.RoleReader, UserEmails: []string{"a@x.io"}, TeamNames: []string{"ops"}},
				{Role: secrets.RoleOwner, UserEmails: []string{"b@x.io"}},
			},
		},
		{name: "bad WHO after --owner", spec: shareSpec{owners: []string{"ops"}}, wantErr: "neither an e-mail address nor team:NAME"},
		{name: "empty role", spec: shareSpec{role: "", roleSet: true, to: []string{"a@x.io"}}, wantErr: "--role: empty role"},
		{name: "blank role", spec: shareSpec{role: "\u00a0", roleSet: true, to: []string{"a@x.io"}}, wantErr: "--role: empty role"},
		{name: "padded role", spec: shareSpec{role: "\tOwner", roleSet: true, to: []string{"a@x.io"}}, wantErr: "white space at an end"},
		{name: "control character", spec: shareSpec{role: "Own\x1ber", roleSet: true, to: []string{"a@x.io"}}, wantErr: "control character"},
		{name: "invalid UTF-8", spec: shareSpec{role: "Own\xffer", roleSet: true, to: []string{"a@x.io"}}, wantErr: "invalid UTF-8"},
		{name: "role without --to", spec: shareSpec{role: "Auditor", roleSet: true}, wantErr: "--role needs at least one --to WHO"},
		{name: "--to without role", spec: shareSpec{to: []string{"a@x.io"}}, wantErr: "--to needs --role ROLE"},
		{name: "bad WHO after --role", spec: shareSpec{role: "Auditor", roleSet: true, to: []string{"ops"}}, wantErr: "neither an e-mail address nor team:NAME"},
		{name: "nothing", spec: shareSpec{}, wantErr: "nothing to share"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, revoke := range []bool{false, true} {
				spec := tt.spec
				spec.revoke = revoke
				req, who, err := shareRequest(spec)
				if tt.wantErr != "" {
					require.ErrorContains(t, err, tt.wantErr)
					continue
				}
				require.NoError(t, err)
				got := req.Grants
				if revoke {
					assert.Empty(t, req.Grants)
					got = req.Revokes
				} else {
					assert.Empty(t, req.Revokes)
				}
				assert.Equal(t, tt.want, got)
				for _, change := range tt.want {
					assert.Len(t, who[change.Role], len(change.UserEmails)+len(change.TeamNames), "the holders named for %s", change.Role)
				}
			}
		})
	}
}

// TestRoleFlagOnce: --role may be given once.
func TestRoleFlagOnce(t *testing.T) {
	t.Parallel()
	var f roleFlag
	require.NoError(t, f.Set(""))
	assert.True(t, f.set)
	assert.ErrorContains(t, f.Set("Owner"), "one --role per command")
}

// TestShareGrantsExactlyTheNamedUnderEveryProfile: `secrets share` gives the role to exactly the users
// and teams named, with metacharacters in their names and look-alikes beside them, whether the
// service matches look-ups literally or as regular expressions, and whatever its list shape.
func TestShareGrantsExactlyTheNamedUnderEveryProfile(t *testing.T) {
	t.Parallel()
	for _, p := range []secretstest.Profile{{}, {RegexLookups: true}, {BareLists: true, ValuesOnlyByName: true, RegexLookups: true}} {
		t.Run(fmt.Sprintf("%+v", p), func(t *testing.T) {
			t.Parallel()
			srv, environ := newEmulator(t, secretstest.WithProfile(p))
			alice := srv.AddUser("alice+ml@example.com")
			srv.AddUser("aliceeml@example.com")
			data := srv.AddUser("data.eng@example.com")
			srv.AddUser("dataXeng@example.com")
			cpp := srv.AddTeam("C++ (eu)")
			srv.AddTeam("C (eu)")
			srv.AddTeam("CC (eu)")
			dataTeam := srv.AddTeam("data.eng")
			srv.AddTeam("dataXeng")
			before := srv.AddSecret("SHARED", "v", "").Grants

			got := invoke(t, environ, "", "share", "SHARED", "--reader", "alice+ml@example.com", "--reader", "team:C++ (eu)",
				"--role", "Owner", "--to", "data.eng@example.com", "--to", "team:data.eng")
			require.Equal(t, 0, got.code, got.stderr)
			stored, ok := srv.Secret("SHARED")
			require.True(t, ok)
			assert.ElementsMatch(t, append(before, []secretstest.Grant{
				{Role: secretstest.RoleReader, UserID: alice.ID},
				{Role: secretstest.RoleReader, TeamID: cpp.ID},
				{Role: secretstest.RoleOwner, UserID: data.ID},
				{Role: secretstest.RoleOwner, TeamID: dataTeam.ID},
			}...), stored.Grants)

			// Only look-alikes exist: nothing is granted, and each name is reported.
			got = invoke(t, environ, "", "share", "SHARED", "--reader", "alice+@example.com", "--reader", "team:C+ (eu)", "--reader", "team:data.en")
			assert.Equal(t, exitNotFound, got.code, got.stderr)
			assert.Contains(t, got.stderr, `no user with e-mail "alice+@example.com"; no team named "C+ (eu)"; no team named "data.en"`)
			after, _ := srv.Secret("SHARED")
			assert.Equal(t, stored.Grants, after.Grants)
		})
	}
}
