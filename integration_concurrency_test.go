package secrets_test

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
)

// itLedger records what the emulator acknowledged, as the goroutines learn it.
type itLedger struct {
	mu      sync.Mutex
	values  map[string]string // name → last acknowledged value
	deleted map[string]bool   // name → acknowledged as deleted
}

func (l *itLedger) wrote(name, value string) { l.locked(func() { l.values[name] = value }) }
func (l *itLedger) gone(name string) {
	l.locked(func() { delete(l.values, name); l.deleted[name] = true })
}
func (l *itLedger) locked(f func()) { l.mu.Lock(); defer l.mu.Unlock(); f() }

// itSignal is a channel closed once, by its owner goroutine or by its deferred cleanup.
type itSignal struct {
	once sync.Once
	ch   chan struct{}
}

func newITSignal() *itSignal { return &itSignal{ch: make(chan struct{})} }
func (s *itSignal) fire()    { s.once.Do(func() { close(s.ch) }) }
func (s *itSignal) wait(ctx context.Context) bool {
	select {
	case <-s.ch:
		return true
	case <-ctx.Done():
		return false
	}
}

// itConcurrency runs 16 members against one emulator at once, through the SDK, each
// on secrets of their own and on their neighbours' (shared as Reader and as Owner, by ID and by
// e-mail), with everyone racing to create one common name, while readers share one Cache. At the
// end, through the SDK and through the emulator's state: every acknowledged write is there with its
// last acknowledged value, nothing acknowledged as deleted exists, the grants are what the
// acknowledged shares made, and each member's requests reached the server exactly once each.
func itConcurrency(t *testing.T, prof secretstest.Profile) {
	const (
		nUsers      = 16
		nUpdates    = 3
		nReaders    = 4
		nCacheReads = 60
	)
	e := newITEnv(t, prof)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	users := make([]secretstest.User, nUsers)
	clients := make([]*secrets.Client, nUsers)
	for i := range users {
		users[i], clients[i] = e.member(fmt.Sprintf("user%02d@example.com", i))
	}
	name := func(i int, kind string) string { return fmt.Sprintf("U%02d_%s", i, kind) }
	ledger := &itLedger{values: map[string]string{}, deleted: map[string]bool{}}
	sent := make([]int, nUsers) // requests each member's calls made; each goroutine writes its own
	readShared := make([]*itSignal, nUsers)
	readDone := make([]*itSignal, nUsers)
	ownerShared := make([]*itSignal, nUsers)
	for i := range nUsers {
		readShared[i], readDone[i], ownerShared[i] = newITSignal(), newITSignal(), newITSignal()
	}
	commonWinners := make(chan int, nUsers)
	start := make(chan struct{})
	readValue := regexp.MustCompile(`^U\d\d_READ_v\d+$`)

	member := func(i int) {
		prev, next := (i+nUsers-1)%nUsers, (i+1)%nUsers
		// Whatever happens, release the neighbours waiting for this member.
		defer readShared[i].fire()
		defer ownerShared[i].fire()
		defer readDone[prev].fire()
		c := clients[i]
		call := func(n int) { sent[i] += n }
		create := func(kind, value string) (*secrets.Secret, bool) {
			call(1)
			s, err := c.Secrets.Create(ctx, name(i, kind), value)
			if !assert.NoError(t, err, "user %d creates %s", i, kind) {
				return nil, false
			}
			ledger.wrote(s.Name, value)
			return s, true
		}
		update := func(s *secrets.Secret, value string) bool {
			call(1)
			_, err := c.Secrets.Update(ctx, s.ID, value)
			if !assert.NoError(t, err, "user %d updates %s", i, s.Name) {
				return false
			}
			ledger.wrote(s.Name, value)
			return true
		}
		share := func(s *secrets.Secret, req *secrets.ShareRequest) bool {
			call(1)
			return assert.NoError(t, c.Secrets.Share(ctx, s.ID, req), "user %d shares %s", i, s.Name)
		}
		<-start

		// Everyone races for one name: exactly one wins.
		call(1)
		if _, err := c.Secrets.Create(ctx, "COMMON", fmt.Sprintf("common from %d", i)); err == nil {
			ledger.wrote("COMMON", fmt.Sprintf("common from %d", i))
			commonWinners <- i
		} else {
			assert.ErrorIs(t, err, secrets.ErrConflict, "user %d", i)
		}

		// READ: updated a few times, shared with the next member as Reader, who reads it.
		read, ok := create("READ", name(i, "READ_v0"))
		if !ok {
			return
		}
		if !share(read, &secrets.ShareRequest{Grants: []secrets.AccessChange{{Role: secrets.RoleReader, Users: []string{users[next].ID}}}}) {
			return
		}
		readShared[i].fire()
		for v := 1; v <= nUpdates; v++ {
			if !update(read, fmt.Sprintf("%s_v%d", name(i, "READ"), v)) {
				return
			}
		}

		// OWN: given to the next member as Owner by e-mail (one lookup, one change); from then on
		// only they write it.
		own, ok := create("OWN", "own v0")
		if !ok || !update(own, "own v1") {
			return
		}
		call(2)
		err := c.Secrets.ShareByName(ctx, own.ID, &secrets.ShareByNameRequest{
			Grants: []secrets.NamedAccessChange{{Role: secrets.RoleOwner, UserEmails: []string{users[next].Email}}}})
		if !assert.NoError(t, err, "user %d shares OWN by e-mail", i) {
			return
		}
		ownerShared[i].fire()

		// DEL: created, then deleted.
		del, ok := create("DEL", "doomed")
		if !ok {
			return
		}
		call(1)
		if !assert.NoError(t, c.Secrets.Delete(ctx, del.ID)) {
			return
		}
		ledger.gone(del.Name)

		// HANDOFF: Owner given to the next member, then given up: it survives, theirs alone.
		handoff, ok := create("HANDOFF", "handed over")
		if !ok ||
			!share(handoff, &secrets.ShareRequest{Grants: []secrets.AccessChange{{Role: secrets.RoleOwner, Users: []string{users[next].ID}}}}) ||
			!share(handoff, &secrets.ShareRequest{Revokes: []secrets.AccessChange{{Role: secrets.RoleOwner, Users: []string{users[i].ID}}}}) {
			return
		}

		// ORPHAN: its only Owner gives it up: the service deletes it.
		orphan, ok := create("ORPHAN", "orphaned")
		if !ok || !share(orphan, &secrets.ShareRequest{Revokes: []secrets.AccessChange{{Role: secrets.RoleOwner, Users: []string{users[i].ID}}}}) {
			return
		}
		ledger.gone(orphan.Name)
		call(1)
		_, err = c.Secrets.Get(ctx, orphan.ID)
		assert.ErrorIs(t, err, secrets.ErrNotFound, "user %d reads their orphaned secret", i)

		// The previous member's READ: readable, in one of the values they write; not writable.
		if !readShared[prev].wait(ctx) {
			return
		}
		for range nUpdates {
			call(1)
			s, err := c.Secrets.GetByName(ctx, name(prev, "READ"))
			if assert.NoError(t, err) && assert.NotNil(t, s.Value, "user %d reads %s", i, name(prev, "READ")) {
				assert.Regexp(t, readValue, *s.Value)
			}
		}
		call(1)
		_, err = c.Secrets.Update(ctx, "00000000-0000-4000-8000-000000000000", "x")
		assert.ErrorIs(t, err, secrets.ErrNotFound)
		call(1)
		if s, err := c.Secrets.GetByName(ctx, name(prev, "READ")); assert.NoError(t, err) {
			call(1)
			_, err = c.Secrets.Update(ctx, s.ID, "a Reader's write")
			assert.ErrorIs(t, err, secrets.ErrForbidden, "user %d updates a secret they only read", i)
		}
		readDone[prev].fire()

		// The previous member's OWN: now co-owned, written by this member only.
		if !ownerShared[prev].wait(ctx) {
			return
		}
		call(1)
		prevOwn, err := c.Secrets.GetByName(ctx, name(prev, "OWN"))
		if !assert.NoError(t, err) {
			return
		}
		value := fmt.Sprintf("%s written by %d", prevOwn.Name, i)
		call(1)
		if _, err := c.Secrets.Update(ctx, prevOwn.ID, value); assert.NoError(t, err) {
			ledger.wrote(prevOwn.Name, value)
		}

		// Once the next member has read READ, take their Reader role back.
		if !readDone[i].wait(ctx) {
			return
		}
		share(read, &secrets.ShareRequest{Revokes: []secrets.AccessChange{{Role: secrets.RoleReader, Users: []string{users[next].ID}}}})
		call(1)
		list, err := c.Secrets.List(ctx, nil)
		if assert.NoError(t, err) {
			assert.NotEmpty(t, list)
		}
	}

	// Readers of every member's READ through one Cache on the API key, with a short TTL so that they
	// keep going back to the server while the values change.
	cache, err := secrets.NewCache(e.admin, secrets.WithTTL(2*time.Millisecond), secrets.WithNegativeTTL(time.Millisecond))
	require.NoError(t, err)
	reader := func(r int) {
		<-start
		for k := range nCacheReads {
			i := (r*7 + k) % nUsers
			if k%10 == 9 {
				values, err := cache.GetMany(ctx, name(i, "READ"), name((i+1)%nUsers, "READ"), "COMMON")
				var bulk *secrets.BulkError
				if err != nil && assert.ErrorAs(t, err, &bulk) {
					for n, err := range bulk.Errors {
						assert.ErrorIs(t, err, secrets.ErrNotFound, "cache GetMany %s", n)
					}
				}
				for n, v := range values {
					if n != "COMMON" {
						assert.Regexp(t, readValue, v)
					}
				}
				continue
			}
			v, err := cache.Get(ctx, name(i, "READ"))
			if err != nil {
				assert.ErrorIs(t, err, secrets.ErrNotFound, "cache reads %s before it exists", name(i, "READ"))
				continue
			}
			assert.Regexp(t, readValue, v)
		}
	}

	var wg sync.WaitGroup
	for i := range nUsers {
		wg.Add(1)
		go func() { defer wg.Done(); member(i) }()
	}
	for r := range nReaders {
		wg.Add(1)
		go func() { defer wg.Done(); reader(r) }()
	}
	close(start)
	wg.Wait()
	close(commonWinners)
	require.False(t, t.Failed(), "the goroutines failed; the final checks would only repeat it")

	// What the acknowledgements say must be there.
	var winners []int
	for w := range commonWinners {
		winners = append(winners, w)
	}
	require.Len(t, winners, 1, "exactly one create of COMMON succeeded")
	winner := winners[0]
	type want struct {
		value     string
		owners    []string // direct Owner grants (user IDs), in grant order
		readers   []string
		updatedBy string
	}
	expect := map[string]want{
		"COMMON": {fmt.Sprintf("common from %d", winner), []string{users[winner].ID}, nil, users[winner].ID},
	}
	var wantGone []string
	for i := range nUsers {
		next := (i + 1) % nUsers
		expect[name(i, "READ")] = want{fmt.Sprintf("%s_v%d", name(i, "READ"), nUpdates), []string{users[i].ID}, nil, users[i].ID}
		expect[name(i, "OWN")] = want{fmt.Sprintf("%s written by %d", name(i, "OWN"), next), []string{users[i].ID, users[next].ID}, nil, users[next].ID}
		expect[name(i, "HANDOFF")] = want{"handed over", []string{users[next].ID}, nil, users[i].ID}
		wantGone = append(wantGone, name(i, "DEL"), name(i, "ORPHAN"))
	}
	ledger.mu.Lock()
	acked := make(map[string]string, len(ledger.values))
	for n, v := range ledger.values {
		acked[n] = v
		assert.False(t, ledger.deleted[n], "%s both live and deleted in the ledger", n)
	}
	var deleted []string
	for n := range ledger.deleted {
		deleted = append(deleted, n)
	}
	ledger.mu.Unlock()
	for n, w := range expect {
		assert.Equal(t, w.value, acked[n], "last acknowledged value of %s", n)
	}
	assert.Len(t, acked, len(expect))
	assert.ElementsMatch(t, wantGone, deleted)

	// Through the SDK: the API key sees every secret, with its last acknowledged value (read through
	// GetMany: under some profiles lists carry no values).
	list, err := e.admin.Secrets.List(ctx, nil)
	require.NoError(t, err)
	listed := make([]string, len(list))
	for i, s := range list {
		listed[i] = s.Name
	}
	read, err := e.admin.Secrets.GetMany(ctx, listed...)
	require.NoError(t, err)
	got := make(map[string]string, len(read))
	for _, s := range read {
		got[s.Name] = itValue(t, s)
		assert.Equal(t, expect[s.Name].updatedBy, s.LastUpdatedBy, "lastUpdatedBy of %s", s.Name)
	}
	assert.Equal(t, acked, got)
	for _, n := range wantGone {
		_, err := e.admin.Secrets.GetByName(ctx, n)
		assert.ErrorIs(t, err, secrets.ErrNotFound, n)
	}
	for i := range nUsers {
		// Each member reads what they own; the previous member's READ is no longer theirs to read.
		prev := (i + nUsers - 1) % nUsers
		values, err := clients[i].Secrets.GetMany(ctx, name(i, "READ"), name(i, "OWN"), name(prev, "OWN"), name(prev, "HANDOFF"), name(prev, "READ"))
		var bulk *secrets.BulkError
		require.ErrorAs(t, err, &bulk)
		assert.Equal(t, []string{name(prev, "READ")}, slices.Collect(maps.Keys(bulk.Errors)))
		assert.ErrorIs(t, bulk.Errors[name(prev, "READ")], secrets.ErrValueWithheld)
		for n, s := range values {
			assert.Equal(t, acked[n], itValue(t, s), "user %d reads %s", i, n)
		}
	}

	// Through the emulator's state: the same secrets, values and grants.
	stored := e.srv.Secrets()
	assert.Len(t, stored, len(expect))
	for _, s := range stored {
		w, ok := expect[s.Name]
		if !assert.True(t, ok, "unexpected secret %s", s.Name) {
			continue
		}
		assert.Equal(t, w.value, s.Value, s.Name)
		var owners, readers []string
		for _, g := range s.Grants {
			require.NotEmpty(t, g.UserID, "%s: only user grants were made", s.Name)
			if g.Role == secretstest.RoleOwner {
				owners = append(owners, g.UserID)
			} else {
				readers = append(readers, g.UserID)
			}
		}
		assert.Equal(t, w.owners, owners, "owners of %s", s.Name)
		assert.Equal(t, w.readers, readers, "readers of %s", s.Name)
	}

	// Every call of a member reached the server exactly once (no retries, nothing lost or doubled);
	// every request was authenticated.
	perIdentity := map[string]int{}
	for _, r := range e.srv.Requests() {
		perIdentity[r.IdentityID]++
	}
	assert.Zero(t, perIdentity[""], "unauthenticated requests")
	for i := range nUsers {
		// The final GetMany: one list, then a ?name= read of each of the five names it gave without a
		// value: only the withheld one when lists carry values.
		finalReads := 1
		if prof.ValuesOnlyByName {
			finalReads = 5
		}
		assert.Equal(t, sent[i]+1+finalReads, perIdentity[users[i].ID], "requests of user %d (their calls, then the final GetMany)", i)
	}
	assert.Positive(t, perIdentity[e.srv.APIKeyUser().ID], "the cache's requests")
}
