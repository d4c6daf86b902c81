package secretstest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
)

// TestConcurrentUse runs many members at once against one server: each creates, updates, shares,
// revokes and deletes its own secrets while all of them race for one name and update one shared
// secret. At the end every acknowledged write must be visible and consistent.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	const (
		workers       = 32
		secretsEach   = 9
		updatesEach   = 3
		sharedUpdates = 8
	)
	// A clock that advances on every reading, under the server's lock, orders all writes.
	e := newEnv(t, secretstest.WithClock(newFakeClock(time.Microsecond).Now))
	members, ids := addMembers(e.srv, "worker%d@example.com", workers)
	everyone := e.srv.AddTeam("Everyone", ids...)
	shared := e.create(e.key, "SHARED", "initial")
	e.share(e.key, shared.SecretID, grant(teams(owner, everyone.ID)))

	type expectation struct {
		exists bool
		value  string
		grants []secretstest.Grant
	}
	var (
		mu        sync.Mutex
		expected  = map[string]expectation{} // by secret name
		contested = map[int]int{}            // status → count
		acks      []wireSecret               // acknowledged updates of SHARED
	)

	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			me := members[w]
			neighbor := members[(w+1)%workers]
			ctx := context.Background()
			call := func(method, path string, body any, want int) (response, bool) {
				r, err := e.try(ctx, me.Token, method, path, body)
				if !assert.NoError(t, err) || !assert.Equal(t, want, r.status, "%s %s: %s", method, path, r.body) {
					return r, false
				}
				return r, true
			}
			share := func(id string, body shareBody) bool {
				_, ok := call(http.MethodPatch, "/v1/secrets/"+id+"/accessControls", body, http.StatusOK)
				return ok
			}

			r, err := e.try(ctx, me.Token, http.MethodPost, "/v1/secrets", map[string]string{"name": "CONTESTED", "value": me.ID})
			if assert.NoError(t, err) {
				mu.Lock()
				contested[r.status]++
				mu.Unlock()
			}

			for j := range secretsEach {
				name := fmt.Sprintf("W%d_S%d", w, j)
				r, ok := call(http.MethodPost, "/v1/secrets", map[string]string{"name": name, "value": "v0"}, http.StatusOK)
				if !ok {
					return
				}
				var sec wireSecret
				if !assert.NoError(t, json.Unmarshal(r.body, &sec)) {
					return
				}
				value := "v0"
				for k := 1; k <= updatesEach; k++ {
					value = fmt.Sprintf("w%d-s%d-v%d", w, j, k)
					if _, ok := call(http.MethodPatch, "/v1/secrets/"+sec.SecretID, map[string]string{"value": value}, http.StatusOK); !ok {
						return
					}
				}
				// Read something another worker is writing, for contention.
				call(http.MethodGet, "/v1/secrets?name="+fmt.Sprintf("W%d_S%d", (w+1)%workers, j), nil, http.StatusOK)

				var exp expectation
				switch j % 3 {
				case 0: // delete
					_, ok = call(http.MethodDelete, "/v1/secrets/"+sec.SecretID, nil, http.StatusOK)
					exp = expectation{exists: false}
				case 1: // hand over to the team, keep a Reader
					ok = share(sec.SecretID, grant(users(reader, neighbor.ID), teams(owner, everyone.ID))) &&
						share(sec.SecretID, revoke(users(owner, me.ID)))
					exp = expectation{exists: true, value: value, grants: []secretstest.Grant{
						{Role: reader, UserID: neighbor.ID}, {Role: owner, TeamID: everyone.ID},
					}}
				case 2: // revoke the only Owner: the secret goes
					ok = share(sec.SecretID, grant(users(reader, neighbor.ID))) &&
						share(sec.SecretID, revoke(users(owner, me.ID)))
					exp = expectation{exists: false}
				}
				if !ok {
					return
				}
				mu.Lock()
				expected[name] = exp
				mu.Unlock()
			}

			for k := range sharedUpdates {
				r, ok := call(http.MethodPatch, "/v1/secrets/"+shared.SecretID, map[string]string{"value": fmt.Sprintf("w%d-u%d", w, k)}, http.StatusOK)
				if !ok {
					return
				}
				var ack wireSecret
				if assert.NoError(t, json.Unmarshal(r.body, &ack)) {
					mu.Lock()
					acks = append(acks, ack)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	require.False(t, t.Failed())

	assert.Equal(t, map[int]int{http.StatusOK: 1, http.StatusConflict: workers - 1}, contested)
	winner, ok := e.srv.Secret("CONTESTED")
	require.True(t, ok)
	assert.Equal(t, winner.Value, winner.CreatedBy, "the stored value is the winner's own write")

	require.Len(t, expected, workers*secretsEach)
	for name, exp := range expected {
		got, ok := e.srv.Secret(name)
		if assert.Equal(t, exp.exists, ok, name) && ok {
			assert.Equal(t, exp.value, got.Value, name)
			assert.Equal(t, exp.grants, got.Grants, name)
		}
	}

	// No lost update: the stored value is the one acknowledged last (timestamps are unique and taken
	// under the server's lock).
	require.Len(t, acks, workers*sharedUpdates)
	var last wireSecret
	var lastAt time.Time
	seen := map[time.Time]bool{}
	for _, a := range acks {
		at, err := time.Parse(time.RFC3339Nano, a.LastUpdatedAt)
		require.NoError(t, err)
		assert.False(t, seen[at], "timestamps are unique")
		seen[at] = true
		if at.After(lastAt) {
			last, lastAt = a, at
		}
	}
	final, ok := e.srv.Secret("SHARED")
	require.True(t, ok)
	assert.Equal(t, *last.Value, final.Value)
	assert.Equal(t, last.LastUpdatedBy, final.LastUpdatedBy)

	// Every secret is listed once, and nothing else survived.
	list := decode[wireList](t, e.do(e.key, http.MethodGet, "/v1/secrets", nil), http.StatusOK)
	live := 2 // SHARED and CONTESTED
	for _, exp := range expected {
		if exp.exists {
			live++
		}
	}
	assert.Len(t, list.Secrets, live)
	assert.Len(t, e.srv.Secrets(), live)
}

// TestDurability runs writers and readers through the SDK against one emulator while faults are
// injected (503, 429, connections closed before processing, responses cut after it). Writers keep
// what they were told: a write acknowledged is expected to be visible; a write that failed without
// a verdict is settled the way a careful caller does, by reading back. At the end every acknowledged
// write is visible and no secret is in an impossible state. One run lasts a fixed time, one makes a
// fixed number of operations (the same amount of work on every machine).
func TestDurability(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct {
		name     string
		duration time.Duration
		ops      int
	}{
		{name: "for 1s", duration: time.Second},
		{name: "60 operations per writer", ops: 60},
	} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			runDurability(t, mode.duration, mode.ops)
		})
	}
}

const (
	durWriters = 5 // members; one more writer uses the API key
	durReaders = 3
	durLive    = 6 // secrets a writer keeps at most, so that lists stay short
)

var durNameRule = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// durSecret is what a writer believes about one of its secrets.
type durSecret struct {
	id, name, value string
	exists          bool
	readerGranted   bool // a reader holds Reader (acknowledged, or found by reading back)
	handedOver      bool // the team holds Owner and the writer revoked its own
	// abandoned: the run ended while a write to it was in flight. The client gave up, but the server
	// may still apply the request after any read-back, so only the state rules are checked for it.
	abandoned bool
}

// durWorld is shared by all goroutines of a run.
type durWorld struct {
	srv     *secretstest.Server
	key     *secrets.Client
	team    secretstest.Team
	readers []secretstest.User

	mu        sync.Mutex
	attempted map[string]map[string]bool // name → every value ever sent for it
	names     []string                   // every name ever created, for the readers

	acked, settled, readsChecked atomic.Int64
}

func (w *durWorld) attempt(name, value string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.attempted[name] == nil {
		w.attempted[name] = map[string]bool{}
	}
	w.attempted[name][value] = true
}

func (w *durWorld) wasAttempted(name, value string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.attempted[name][value]
}

func runDurability(t *testing.T, duration time.Duration, ops int) {
	e := newEnv(t)
	srv := e.srv
	client := func(token string) *secrets.Client {
		c, err := secrets.NewClient(secrets.WithAPIKey(token), secrets.WithBaseURL(srv.URL), secrets.WithHTTPClient(e.client),
			secrets.WithRetryMax(3), secrets.WithRetryWait(time.Millisecond, 3*time.Millisecond))
		require.NoError(t, err)
		return c
	}

	world := &durWorld{srv: srv, key: client(srv.APIKey()), attempted: map[string]map[string]bool{}}
	writers, ids := addMembers(srv, "writer%d@example.com", durWriters)
	world.readers, _ = addMembers(srv, "reader%d@example.com", durReaders)
	world.team = srv.AddTeam("writers", ids...)

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	if duration > 0 {
		var stop context.CancelFunc
		ctx, stop = context.WithTimeout(ctx, duration)
		defer stop()
	}

	var wg sync.WaitGroup
	beliefs := make([]map[string]*durSecret, durWriters+1)
	for w := range durWriters + 1 {
		token, member := srv.APIKey(), w < durWriters
		if member {
			token = writers[w].Token
		}
		c := client(token)
		beliefs[w] = map[string]*durSecret{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			durWrite(ctx, t, world, c, w, member, ops, beliefs[w])
		}()
	}
	var readersDone sync.WaitGroup
	readCtx, stopReading := context.WithCancel(ctx)
	for r := range durReaders {
		c := client(world.readers[r].Token)
		readersDone.Add(1)
		go func() {
			defer readersDone.Done()
			durRead(readCtx, t, world, c, r)
		}()
	}
	wg.Wait()
	stopReading()
	readersDone.Wait()
	srv.FailNext(0, 500, 0)
	srv.DropNext(0)
	srv.TruncateNext(0)
	require.False(t, t.Failed())

	// Requests the clients abandoned at the end of the run may still be in the server's hands.
	require.Eventually(t, func() bool { return srv.InFlight() == 0 }, 5*time.Second, time.Millisecond)

	// Every acknowledged (or settled) write is visible, through the SDK and in the emulator's state.
	for w, mine := range beliefs {
		for name, b := range mine {
			if b.abandoned {
				continue
			}
			stored, ok := srv.Secret(name)
			require.Equal(t, b.exists, ok, "writer %d, %s", w, name)
			if !ok {
				_, err := world.key.Secrets.GetByName(t.Context(), name)
				assert.ErrorIs(t, err, secrets.ErrNotFound, name)
				continue
			}
			assert.Equal(t, b.id, stored.ID, name)
			assert.Equal(t, b.value, stored.Value, name)
			s, err := world.key.Secrets.GetByName(t.Context(), name)
			if assert.NoError(t, err, name) {
				assert.Equal(t, b.value, *s.Value, name)
			}
			reader, teamOwner, ownOwner := false, false, false
			for _, g := range stored.Grants {
				reader = reader || (g.Role == secretstest.RoleReader && g.UserID != "")
				teamOwner = teamOwner || (g.Role == secretstest.RoleOwner && g.TeamID == world.team.ID)
				ownOwner = ownOwner || (g.Role == secretstest.RoleOwner && w < durWriters && g.UserID == writers[w].ID)
			}
			assert.Equal(t, b.readerGranted, reader, "%s: Reader grant", name)
			assert.Equal(t, b.handedOver, teamOwner, "%s: team Owner", name)
			if w < durWriters {
				assert.Equal(t, !b.handedOver, ownOwner, "%s: the writer's own Owner", name)
			}
		}
	}

	// No secret is in an impossible state.
	members := map[string]bool{}
	for _, u := range append(append([]secretstest.User(nil), writers...), world.readers...) {
		members[u.ID] = true
	}
	keyID := srv.APIKeyUser().ID
	seenNames, seenIDs := map[string]bool{}, map[string]bool{}
	for _, s := range srv.Secrets() {
		assert.Regexp(t, durNameRule, s.Name)
		assert.Regexp(t, uuidPattern, s.ID)
		assert.False(t, seenNames[s.Name], "names are unique: %s", s.Name)
		assert.False(t, seenIDs[s.ID], "IDs are unique: %s", s.ID)
		seenNames[s.Name], seenIDs[s.ID] = true, true
		assert.LessOrEqual(t, len(s.Value), secrets.MaxValueBytes)
		assert.True(t, world.wasAttempted(s.Name, s.Value), "%s holds a value nobody sent", s.Name)
		assert.False(t, s.LastUpdatedAt.Before(s.CreatedAt), "%s: updated before it was created", s.Name)
		owned := false
		for _, g := range s.Grants {
			owned = owned || (g.Role == secretstest.RoleOwner && (members[g.UserID] || g.UserID == keyID || g.TeamID == world.team.ID))
		}
		assert.True(t, owned, "%s has no Owner grant", s.Name)
	}

	t.Logf("acknowledged writes: %d, settled by reading back: %d, reads checked: %d, requests: %d",
		world.acked.Load(), world.settled.Load(), world.readsChecked.Load(), srv.RequestCount())
	assert.GreaterOrEqual(t, world.acked.Load(), int64(durWriters+1)*3, "the run did some work")
	assert.Positive(t, world.readsChecked.Load())
}

// durWrite runs one writer: creates, updates, shares, hands over and deletes its own secrets,
// injecting a fault before every fourth operation (it may hit anyone's request).
func durWrite(ctx context.Context, t *testing.T, w *durWorld, c *secrets.Client, id int, member bool, ops int, mine map[string]*durSecret) {
	var live []*durSecret // oldest first
	for k := 0; ops == 0 || k < ops; k++ {
		if ctx.Err() != nil {
			return
		}
		if k%4 == 3 {
			switch (k / 4) % 4 {
			case 0:
				w.srv.FailNext(1, http.StatusServiceUnavailable, 0)
			case 1:
				w.srv.FailNext(1, http.StatusTooManyRequests, 0)
			case 2:
				w.srv.DropNext(1)
			case 3:
				w.srv.TruncateNext(1)
			}
		}
		op := k % 6
		if len(live) == 0 {
			op = 0
		}
		var ok bool
		switch op {
		case 0, 5:
			if op == 5 && len(live) > durLive/2 {
				ok = durDelete(ctx, t, w, c, live[0])
				if ok && !live[0].exists {
					live = live[1:]
				}
				break
			}
			var s *durSecret
			if s, ok = durCreate(ctx, t, w, c, fmt.Sprintf("W%d_%d", id, k), fmt.Sprintf("w%d-k%d-v0", id, k)); s != nil {
				mine[s.name] = s
				if s.exists {
					live = append(live, s)
				}
			}
		case 1, 3:
			s := live[len(live)-1]
			if op == 3 {
				s = live[0]
			}
			ok = durUpdate(ctx, t, w, c, s, fmt.Sprintf("w%d-k%d", id, k))
		case 2:
			ok = durGrantReader(ctx, t, w, c, live[len(live)-1], w.readers[k%len(w.readers)].ID)
		case 4:
			ok = durHandOver(ctx, t, w, c, live[len(live)-1], member)
		}
		if !ok {
			return // the run is ending, or the test has failed
		}
		if len(live) > durLive {
			if durDelete(ctx, t, w, c, live[0]) && !live[0].exists {
				live = live[1:]
			}
		}
	}
}

// unsettled reports an error that leaves the outcome of a write unknown (the request may or may not
// have been processed); other errors are test failures.
func unsettled(t *testing.T, err error) bool {
	var reqErr *secrets.RequestError
	var apiErr *secrets.APIError
	switch {
	case errors.As(err, &reqErr):
		return true
	case errors.As(err, &apiErr) && (apiErr.StatusCode == 429 || apiErr.StatusCode >= 500):
		return true
	}
	assert.NoError(t, err)
	return false
}

// settle retries read until it gives a verdict, as a caller would after a lost answer.
func settle[T any](ctx context.Context, t *testing.T, read func(context.Context) (T, error)) (T, error, bool) {
	for {
		v, err := read(ctx)
		if err == nil || errors.Is(err, secrets.ErrNotFound) {
			return v, err, true
		}
		if ctx.Err() != nil || !unsettled(t, err) {
			return v, err, false
		}
	}
}

func durCreate(ctx context.Context, t *testing.T, w *durWorld, c *secrets.Client, name, value string) (*durSecret, bool) {
	w.attempt(name, value)
	s, err := c.Secrets.Create(ctx, name, value)
	if err == nil {
		w.acked.Add(1)
		w.addName(name)
		return &durSecret{id: s.ID, name: name, value: value, exists: true}, true
	}
	if ctx.Err() != nil {
		return &durSecret{name: name, abandoned: true}, false
	}
	if !unsettled(t, err) {
		return nil, false
	}
	// Did it happen? Ask by name, with a context of its own: a write whose verdict is unknown is
	// settled even when the run is ending.
	w.settled.Add(1)
	found, err, ok := settle(context.WithoutCancel(ctx), t, func(ctx context.Context) (*secrets.Secret, error) {
		return w.key.Secrets.GetByName(ctx, name)
	})
	switch {
	case !ok:
		return nil, false
	case err != nil: // not found: it did not happen
		return &durSecret{name: name}, true
	}
	assert.Equal(t, value, *found.Value, "a lost create stored what was sent")
	w.addName(name)
	return &durSecret{id: found.ID, name: name, value: value, exists: true}, true
}

func (w *durWorld) addName(name string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.names = append(w.names, name)
}

func durUpdate(ctx context.Context, t *testing.T, w *durWorld, c *secrets.Client, s *durSecret, value string) bool {
	w.attempt(s.name, value)
	_, err := c.Secrets.Update(ctx, s.id, value)
	return w.written(ctx, t, s, err, func() { s.value = value }, func(ctx context.Context) bool {
		got, err, ok := w.read(ctx, t, s)
		if !ok || !assert.NoError(t, err) {
			return false
		}
		assert.Contains(t, []string{s.value, value}, *got.Value, "an update is all or nothing")
		s.value = *got.Value
		return true
	})
}

// written sorts out a write to s that ended with err. Acknowledged, it counts and calls acked.
// Failed, when the run ended mid-request, s is marked abandoned; an error that says the write did not
// happen is a test failure; otherwise the outcome is unknown and readBack settles it, with a context
// of its own (a write whose verdict is unknown is settled even when the run is ending). It returns
// false when the writer must stop.
func (w *durWorld) written(ctx context.Context, t *testing.T, s *durSecret, err error, acked func(), readBack func(context.Context) bool) bool {
	switch {
	case err == nil:
		w.acked.Add(1)
		acked()
		return true
	case ctx.Err() != nil:
		s.abandoned = true
		return false
	case !unsettled(t, err):
		return false
	}
	w.settled.Add(1)
	return readBack(context.WithoutCancel(ctx))
}

// read reads s back through the API key until it gets a verdict.
func (w *durWorld) read(ctx context.Context, t *testing.T, s *durSecret) (*secrets.Secret, error, bool) {
	return settle(ctx, t, func(ctx context.Context) (*secrets.Secret, error) { return w.key.Secrets.Get(ctx, s.id) })
}

func durDelete(ctx context.Context, t *testing.T, w *durWorld, c *secrets.Client, s *durSecret) bool {
	err := c.Secrets.Delete(ctx, s.id)
	return w.written(ctx, t, s, err, func() { s.exists = false }, func(ctx context.Context) bool {
		_, err, ok := w.read(ctx, t, s)
		if ok {
			s.exists = err == nil
		}
		return ok
	})
}

func durGrantReader(ctx context.Context, t *testing.T, w *durWorld, c *secrets.Client, s *durSecret, readerID string) bool {
	err := c.Secrets.Share(ctx, s.id, &secrets.ShareRequest{Grants: []secrets.AccessChange{{Role: secrets.RoleReader, Users: []string{readerID}}}})
	return w.written(ctx, t, s, err, func() { s.readerGranted = true }, func(ctx context.Context) bool {
		roles, ok := durAccess(ctx, t, w, s)
		if ok {
			s.readerGranted = roles[secrets.RoleReader] > 0
		}
		return ok
	})
}

// durHandOver gives Owner to the writers' team and (for a member) revokes the writer's own Owner,
// in one Share: the secret stays owned through the team.
func durHandOver(ctx context.Context, t *testing.T, w *durWorld, c *secrets.Client, s *durSecret, member bool) bool {
	if s.handedOver {
		return true
	}
	req := &secrets.ShareRequest{Grants: []secrets.AccessChange{{Role: secrets.RoleOwner, Teams: []string{w.team.ID}}}}
	if member {
		me, err := c.Organizations.CurrentUser(ctx)
		if err != nil {
			return ctx.Err() == nil && unsettled(t, err) // a failed read: try again later
		}
		req.Revokes = []secrets.AccessChange{{Role: secrets.RoleOwner, Users: []string{me.ID}}}
	}
	err := c.Secrets.Share(ctx, s.id, req)
	return w.written(ctx, t, s, err, func() { s.handedOver = true }, func(ctx context.Context) bool {
		roles, ok := durAccess(ctx, t, w, s)
		if ok {
			s.handedOver = roles["team Owner"] > 0
		}
		return ok
	})
}

// durAccess reads the grants of s back through the API key, counting Reader users and Owner teams.
func durAccess(ctx context.Context, t *testing.T, w *durWorld, s *durSecret) (map[secrets.Role]int, bool) {
	access, err, ok := settle(ctx, t, func(ctx context.Context) ([]*secrets.RoleAccess, error) {
		return w.key.Secrets.Access(ctx, s.id)
	})
	if !ok || !assert.NoError(t, err) {
		return nil, false
	}
	out := map[secrets.Role]int{}
	for _, r := range access {
		for _, g := range r.Grants {
			switch {
			case r.Role == secrets.RoleReader && g.User != nil:
				out[secrets.RoleReader]++
			case r.Role == secrets.RoleOwner && g.Team != nil:
				out["team Owner"]++
			}
		}
	}
	return out, true
}

// durRead lists and reads by name while the writers write, checking each secret it sees.
func durRead(ctx context.Context, t *testing.T, w *durWorld, c *secrets.Client, r int) {
	check := func(s *secrets.Secret) {
		w.readsChecked.Add(1)
		assert.Regexp(t, durNameRule, s.Name)
		if !s.CreatedAt.IsZero() {
			assert.False(t, s.LastUpdatedAt.Before(s.CreatedAt), "%s: updated before it was created", s.Name)
		}
		if s.Value != nil {
			assert.True(t, w.wasAttempted(s.Name, *s.Value), "%s: a value nobody sent", s.Name)
			assert.LessOrEqual(t, len(*s.Value), secrets.MaxValueBytes)
		}
	}
	for i := 0; ctx.Err() == nil; i++ {
		if i%4 == 0 {
			list, err := c.Secrets.List(ctx, nil)
			if err != nil {
				if ctx.Err() == nil && !unsettled(t, err) {
					return
				}
				continue
			}
			seen := map[string]bool{}
			for _, s := range list {
				assert.False(t, seen[s.Name], "a list names each secret once")
				seen[s.Name] = true
				check(s)
			}
			continue
		}
		w.mu.Lock()
		var name string
		if len(w.names) > 0 {
			name = w.names[(i*7+r)%len(w.names)]
		}
		w.mu.Unlock()
		if name == "" {
			runtimeYield()
			continue
		}
		s, err := c.Secrets.GetByName(ctx, name)
		switch {
		case err == nil:
			check(s)
		case errors.Is(err, secrets.ErrNotFound), ctx.Err() != nil:
		case !unsettled(t, err):
			return
		}
	}
}

// runtimeYield lets the writers run before the first name exists.
func runtimeYield() { time.Sleep(time.Millisecond) }
