package secrets_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
)

// Helpers of the integration tests: the SDK against a secretstest emulator, one per test, over real
// HTTP on loopback. Names start with "it" to keep clear of the other tests' helpers.

// itStart is the emulator's clock at the start of every integration test.
var itStart = time.Date(2031, 3, 14, 15, 9, 26, 535_000_000, time.UTC)

// itEnv is one emulator, its clock, and a client with the organization API key.
type itEnv struct {
	t     *testing.T
	ctx   context.Context
	srv   *secretstest.Server
	clock *fakeClock
	admin *secrets.Client // the organization API key: an organization owner
	// profile is how the emulator answers where the official sources disagree.
	profile secretstest.Profile
}

// newITEnv starts an emulator for t with profile p (closed by t.Cleanup) on a clock that moves only
// when told.
func newITEnv(t *testing.T, p secretstest.Profile, opts ...secretstest.Option) *itEnv {
	t.Helper()
	clock := newFakeClock(itStart)
	srv := secretstest.NewServer(append([]secretstest.Option{secretstest.WithClock(clock.Now), secretstest.WithProfile(p)}, opts...)...)
	t.Cleanup(srv.Close)
	e := &itEnv{t: t, ctx: context.Background(), srv: srv, clock: clock, profile: p}
	e.admin = e.client(srv.APIKey())
	return e
}

// client is an SDK client for token on the emulator, with retries fast enough for tests; opts come
// last and win.
func (e *itEnv) client(token string, opts ...secrets.Option) *secrets.Client {
	e.t.Helper()
	all := append([]secrets.Option{
		secrets.WithAPIKey(token),
		secrets.WithBaseURL(e.srv.URL),
		secrets.WithRetryWait(time.Millisecond, 5*time.Millisecond),
	}, opts...)
	c, err := secrets.NewClient(all...)
	require.NoError(e.t, err)
	return c
}

// member adds a member and returns them with a client of their own.
func (e *itEnv) member(email string) (secretstest.User, *secrets.Client) {
	e.t.Helper()
	u := e.srv.AddUser(email)
	return u, e.client(u.Token)
}

// itPeople are three members, a team "platform" whose only member is bob, and their clients.
type itPeople struct {
	ada, bob, carol    secretstest.User
	adaC, bobC, carolC *secrets.Client
	team               secretstest.Team
}

func (e *itEnv) people() *itPeople {
	p := &itPeople{}
	p.ada, p.adaC = e.member("ada@example.com")
	p.bob, p.bobC = e.member("bob@example.com")
	p.carol, p.carolC = e.member("carol@example.com")
	p.team = e.srv.AddTeam("platform", p.bob.ID)
	return p
}

// act runs one step on the secret id: "remove bob" removes a member from the organization; "ada
// grants Owner bob" is a Share by ada ("key": the API key) of a role to a member or to "team" (by
// ID); "ada grants Owner carol and revokes Owner ada" makes both changes in one request.
func (p *itPeople) act(e *itEnv, id, step string) {
	e.t.Helper()
	f := strings.Fields(step)
	if f[0] == "remove" {
		e.srv.RemoveUser(p.grant("", f[1]).UserID)
		return
	}
	by := map[string]*secrets.Client{"key": e.admin, "ada": p.adaC, "bob": p.bobC, "carol": p.carolC}[f[0]]
	req := &secrets.ShareRequest{}
	for f = f[1:]; len(f) >= 3; f = f[min(4, len(f)):] { // "grants|revokes ROLE WHO [and]"
		g := p.grant("", f[2])
		change := secrets.AccessChange{Role: secrets.Role(f[1])}
		if g.TeamID != "" {
			change.Teams = []string{g.TeamID}
		} else {
			change.Users = []string{g.UserID}
		}
		if f[0] == "grants" {
			req.Grants = append(req.Grants, change)
		} else {
			req.Revokes = append(req.Revokes, change)
		}
	}
	require.NotNil(e.t, by, step)
	e.share(by, id, req)
}

// grant is the emulator's grant of role to who: "ada", "bob", "carol", or "team".
func (p *itPeople) grant(role, who string) secretstest.Grant {
	if who == "team" {
		return secretstest.Grant{Role: role, TeamID: p.team.ID}
	}
	return secretstest.Grant{Role: role, UserID: map[string]string{"ada": p.ada.ID, "bob": p.bob.ID, "carol": p.carol.ID}[who]}
}

// create creates a secret through c and fails the test if that fails.
func (e *itEnv) create(c *secrets.Client, name, value string) *secrets.Secret {
	e.t.Helper()
	s, err := c.Secrets.Create(e.ctx, name, value)
	require.NoError(e.t, err, "create %s", name)
	return s
}

// share grants (or revokes) one role through c and fails the test if that fails.
func (e *itEnv) share(c *secrets.Client, id string, req *secrets.ShareRequest) {
	e.t.Helper()
	require.NoError(e.t, c.Secrets.Share(e.ctx, id, req))
}

// grants is the Access of a secret, flattened to "Role kind:id[ (inherited)]" lines, read by admin.
func (e *itEnv) grants(id string) []string {
	e.t.Helper()
	roles, err := e.admin.Secrets.Access(e.ctx, id)
	require.NoError(e.t, err)
	return itFlatten(roles)
}

func itFlatten(roles []*secrets.RoleAccess) []string {
	var out []string
	for _, r := range roles {
		for _, g := range r.Grants {
			line := string(r.Role) + " "
			switch {
			case g.User != nil:
				line += "user:" + g.User.ID
			case g.Team != nil:
				line += "team:" + g.Team.ID
			}
			if g.InheritedFrom != nil {
				line += " (inherited)"
			}
			out = append(out, line)
		}
	}
	return out
}

// requestsSince returns "METHOD path" of the requests recorded after the first n.
func (e *itEnv) requestsSince(n int) []string {
	reqs := e.srv.Requests()
	out := make([]string, 0, len(reqs))
	for _, r := range reqs[min(n, len(reqs)):] {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

// assertMeetsOnlyListShape checks that every request the emulator saw is one whose answer only
// Profile.BareLists changes: a secret by ID, by ?name=, or a write. An unfiltered list (which
// ValuesOnlyByName changes) or a user or team look-up (RegexLookups) fails it. A scenario that calls
// it last may run under the list-shape profiles only (see TestIntegration).
func (e *itEnv) assertMeetsOnlyListShape() {
	e.t.Helper()
	require.Equal(e.t, e.srv.RequestCount(), len(e.srv.Requests()), "every request is on record")
	for _, r := range e.srv.Requests() {
		unfilteredList := r.Method == http.MethodGet && r.Path == "/v1/secrets" && !strings.Contains("&"+r.RawQuery, "&name=")
		ok := strings.HasPrefix(r.Path, "/v1/secrets") && !unfilteredList
		assert.True(e.t, ok, "%s %s?%s meets a behaviour other than the list shape", r.Method, r.Path, r.RawQuery)
	}
}

// itGone asserts that no secret named name exists any more, through the SDK (GetByName by the
// organization owner, Get by ID) and through the emulator's state.
func (e *itEnv) itGone(id, name string) {
	e.t.Helper()
	_, err := e.admin.Secrets.GetByName(e.ctx, name)
	assert.ErrorIs(e.t, err, secrets.ErrNotFound, "GetByName %s", name)
	_, err = e.admin.Secrets.Get(e.ctx, id)
	assert.ErrorIs(e.t, err, secrets.ErrNotFound, "Get %s", name)
	requireAPIError(e.t, err, 404)
	_, found := e.srv.Secret(name)
	assert.False(e.t, found, "the emulator still holds %s", name)
}

// listed is s as an unfiltered List shows it under the emulator's profile: without its value when
// lists carry none.
func (e *itEnv) listed(s *secrets.Secret) *secrets.Secret {
	if !e.profile.ValuesOnlyByName || s == nil {
		return s
	}
	c := *s
	c.Value = nil
	return &c
}

func itValue(t *testing.T, s *secrets.Secret) string {
	t.Helper()
	require.NotNil(t, s)
	require.NotNil(t, s.Value, "value of %s withheld", s.Name)
	return *s.Value
}
