package secretstest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
	e := newEnv(t, secretstest.WithClock(steppingClock(t0, time.Microsecond)))
	members := make([]secretstest.User, workers)
	ids := make([]string, workers)
	for i := range members {
		members[i] = e.srv.AddUser(fmt.Sprintf("worker%d@example.com", i))
		ids[i] = members[i].ID
	}
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
