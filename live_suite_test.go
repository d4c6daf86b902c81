package secrets_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
	"github.com/helios-secrets/go-secrets/secretstest"
)

// The live suite: the product tour against a Management API, and a report of what the service did
// on each question the official sources leave open (README.md, "The live suite"). TestLive
// (live_test.go, build tag "live") runs it against the real service; TestLiveSuiteOnEmulator runs it
// against the emulator under every profile, so that its code is exercised on every test run and its
// report is checked against behaviour known in advance.

// liveTarget is where the tour runs.
type liveTarget struct {
	name       string           // for the report
	opts       []secrets.Option // how to reach the service (credentials, base URL)
	shareEmail string           // a second identity to share with and revoke; "" skips that step
	shareTeam  string           // a team to look up by name; "" skips that probe
	reportPath string           // where to write the report; "" for t.TempDir()
}

// liveFindings is what the tour observed; report() writes it out.
type liveFindings struct {
	target           string
	listShape        string // "wrapped", "bare" or the shape seen
	valuesInLists    string // "yes", "no" or what was seen
	bulkRequests     int    // requests of GetMany for two names
	userLookup       string // "literal", "regular expression", or why not probed
	teamLookup       string
	invalidPattern   string // what an invalid pattern got
	createStatus     int
	deleteStatus     int
	deleteAgain      int
	notFoundStatus   int
	conflictStatus   int
	errorShape       string
	errorType        string
	requestIDHeaders []string
	apiErrRequestID  bool // the SDK's *APIError carried a request ID
	roles            []string
	share            string
	exchanges        []liveExchange
}

// runLiveTour runs the product tour on target, deleting everything it created even when a step
// fails, and returns what it observed.
func runLiveTour(t *testing.T, target liveTarget) *liveFindings {
	t.Helper()
	base := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(base.CloseIdleConnections)
	rec := &liveRecorder{base: base}
	opts := append(append([]secrets.Option{}, target.opts...), secrets.WithHTTPClient(&http.Client{Transport: rec}))
	c, err := secrets.NewClient(opts...)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	f := &liveFindings{target: target.name}
	reportPath := target.reportPath
	if reportPath == "" {
		reportPath = filepath.Join(t.TempDir(), "live-report.md")
	}
	t.Cleanup(func() { // after the deletions below (cleanups run last first), so that they are in it
		f.exchanges, _ = rec.since(0)
		f.report(t, reportPath)
	})

	run := liveRandom(t, 6)
	nameA, nameB := "GO_SECRETS_LIVE_"+run+"_A", "GO_SECRETS_LIVE_"+run+"_B"
	valueA, valueB := "live-a-"+liveRandom(t, 16), "live-b-"+liveRandom(t, 16)
	created := map[string]string{} // ID → name, deleted at the end whatever happens
	t.Cleanup(func() {
		cleanupCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for id, name := range created {
			if err := c.Secrets.Delete(cleanupCtx, id); err != nil && !errors.Is(err, secrets.ErrNotFound) {
				t.Errorf("cleanup: deleting %s: %v", name, err)
			}
		}
	})
	step := func(name string, fn func(t *testing.T)) {
		t.Helper()
		if !t.Run(name, fn) {
			t.FailNow()
		}
	}

	var a, b *secrets.Secret
	step("create", func(t *testing.T) {
		n := rec.count()
		a, err = c.Secrets.Create(ctx, nameA, valueA)
		require.NoError(t, err)
		created[a.ID] = nameA
		f.createStatus = liveStatusOf(rec, n, http.MethodPost, "/v1/secrets")
		b, err = c.Secrets.Create(ctx, nameB, valueB)
		require.NoError(t, err)
		created[b.ID] = nameB
		assert.Equal(t, nameA, a.Name)
	})
	step("read by ID and by name", func(t *testing.T) {
		got, err := c.Secrets.Get(ctx, a.ID)
		require.NoError(t, err)
		liveSameValue(t, valueA, got)
		got, err = c.Secrets.GetByName(ctx, nameA)
		require.NoError(t, err)
		assert.Equal(t, a.ID, got.ID)
		liveSameValue(t, valueA, got)
	})
	step("list", func(t *testing.T) {
		n := rec.count()
		list, err := c.Secrets.List(ctx, nil)
		require.NoError(t, err)
		var mine *secrets.Secret
		for _, s := range list {
			if s.ID == a.ID {
				mine = s
			}
		}
		require.NotNil(t, mine, "the list holds the secret just created")
		f.valuesInLists = "no: an unfiltered list leaves values out, even of a secret the caller owns"
		if mine.Value != nil {
			f.valuesInLists = "yes: an unfiltered list carries the values the caller may read"
		}
		exs, _ := rec.since(n)
		f.listShape = "not seen"
		for _, ex := range exs {
			if ex.Method == http.MethodGet && ex.Path == "/v1/secrets" && len(ex.Params) == 0 && ex.Status == http.StatusOK {
				f.listShape = liveListShape(ex.Shape)
			}
		}
	})
	step("bulk read", func(t *testing.T) {
		n := rec.count()
		found, err := c.Secrets.GetMany(ctx, nameA, nameB, "GO_SECRETS_LIVE_"+run+"_MISSING")
		var bulk *secrets.BulkError
		require.ErrorAs(t, err, &bulk)
		assert.Len(t, bulk.Errors, 1)
		for _, e := range bulk.Errors {
			assert.ErrorIs(t, e, secrets.ErrNotFound)
		}
		liveSameValue(t, valueA, found[nameA])
		liveSameValue(t, valueB, found[nameB])
		f.bulkRequests = rec.count() - n
	})
	step("update", func(t *testing.T) {
		valueA = "live-a2-" + liveRandom(t, 16)
		_, err := c.Secrets.Update(ctx, a.ID, valueA)
		require.NoError(t, err)
		got, err := c.Secrets.GetByName(ctx, nameA)
		require.NoError(t, err)
		liveSameValue(t, valueA, got)
	})
	step("access", func(t *testing.T) {
		roles, err := c.Secrets.Access(ctx, a.ID)
		require.NoError(t, err)
		require.NotEmpty(t, roles, "the creator holds a role")
		for _, r := range roles {
			f.roles = append(f.roles, fmt.Sprintf("%s (%d holders)", r.Role, len(r.Grants)))
		}
	})
	step("share and revoke", func(t *testing.T) {
		if target.shareEmail == "" {
			f.share = "skipped: no second identity given (LIVE_SHARE_EMAIL)"
			return
		}
		u, err := c.Organizations.UserByEmail(ctx, target.shareEmail)
		require.NoError(t, err)
		grant := &secrets.ShareByNameRequest{Grants: []secrets.NamedAccessChange{{Role: secrets.RoleReader, UserEmails: []string{target.shareEmail}}}}
		require.NoError(t, c.Secrets.ShareByName(ctx, a.ID, grant))
		assert.True(t, liveHolds(t, ctx, c, a.ID, secrets.RoleReader, u.ID), "Reader after the grant")
		revoke := &secrets.ShareByNameRequest{Revokes: grant.Grants}
		require.NoError(t, c.Secrets.ShareByName(ctx, a.ID, revoke))
		assert.False(t, liveHolds(t, ctx, c, a.ID, secrets.RoleReader, u.ID), "no Reader after the revoke")
		f.share = "granted Reader by e-mail, seen in Access, revoked, gone from Access"
	})
	step("look-ups", func(t *testing.T) {
		f.userLookup, f.invalidPattern = liveProbeLookup(t, ctx, c, rec, "/v1/users", target.shareEmail, func(ctx context.Context, q string) error {
			_, err := c.Organizations.UserByEmail(ctx, q)
			return err
		})
		f.teamLookup, _ = liveProbeLookup(t, ctx, c, rec, "/v1/teams", target.shareTeam, func(ctx context.Context, q string) error {
			_, err := c.Organizations.TeamByName(ctx, q)
			return err
		})
	})
	step("errors", func(t *testing.T) {
		n := rec.count()
		_, err := c.Secrets.Get(ctx, "00000000-0000-4000-8000-000000000000")
		var ae *secrets.APIError
		require.ErrorAs(t, err, &ae)
		f.notFoundStatus = ae.StatusCode
		f.apiErrRequestID = ae.RequestID != ""
		exs, _ := rec.since(n)
		if len(exs) > 0 {
			last := exs[len(exs)-1]
			f.errorShape, f.errorType, f.requestIDHeaders = last.Shape, last.Type, last.IDHeaders
		}
		_, err = c.Secrets.Create(ctx, nameB, "live-dup-"+liveRandom(t, 8))
		require.ErrorAs(t, err, &ae)
		f.conflictStatus = ae.StatusCode
	})
	step("delete", func(t *testing.T) {
		n := rec.count()
		require.NoError(t, c.Secrets.Delete(ctx, a.ID))
		f.deleteStatus = liveStatusOf(rec, n, http.MethodDelete, "/v1/secrets/{id}")
		delete(created, a.ID)
		// B is left to the cleanup, so that the path a failed step takes runs every time.
		_, err := c.Secrets.GetByName(ctx, nameA)
		assert.ErrorIs(t, err, secrets.ErrNotFound)
		n = rec.count()
		err = c.Secrets.Delete(ctx, a.ID)
		assert.ErrorIs(t, err, secrets.ErrNotFound)
		f.deleteAgain = liveStatusOf(rec, n, http.MethodDelete, "/v1/secrets/{id}")
	})
	return f
}

// liveProbeLookup asks path with a pattern that matches known only as a regular expression (known
// escaped, its first character replaced by "."), and with an invalid pattern, through the SDK, and reads the
// answers the recorder saw.
func liveProbeLookup(t *testing.T, ctx context.Context, c *secrets.Client, rec *liveRecorder, path, known string, lookUp func(context.Context, string) error) (matching, invalid string) {
	t.Helper()
	if known == "" {
		return "not probed: no known name given", "not probed"
	}
	first := func(n int) liveExchange {
		exs, _ := rec.since(n)
		for _, ex := range exs {
			if ex.Path == path {
				return ex
			}
		}
		return liveExchange{Entries: -1}
	}
	n := rec.count()
	err := lookUp(ctx, "."+regexp.QuoteMeta(known[1:]))
	ex := first(n)
	switch {
	case ex.Status == http.StatusOK && ex.Entries > 0:
		matching = "regular expression: a pattern that matches only as one found the name"
		assert.ErrorIs(t, err, secrets.ErrNotFound, "never a look-alike")
	case ex.Status == http.StatusOK && ex.Entries == 0:
		matching = "literal: a pattern that matches only as one found nothing"
	default:
		matching = fmt.Sprintf("unclear: status %d, %d entries", ex.Status, ex.Entries)
	}
	n = rec.count()
	_ = lookUp(ctx, "(("+known)
	ex = first(n)
	invalid = fmt.Sprintf("status %d", ex.Status)
	if ex.Entries >= 0 {
		invalid += fmt.Sprintf(", %d entries", ex.Entries)
	}
	return matching, invalid
}

func liveHolds(t *testing.T, ctx context.Context, c *secrets.Client, secretID string, role secrets.Role, userID string) bool {
	t.Helper()
	roles, err := c.Secrets.Access(ctx, secretID)
	require.NoError(t, err)
	for _, r := range roles {
		for _, g := range r.Grants {
			if r.Role == role && g.User != nil && g.User.ID == userID && g.InheritedFrom == nil {
				return true
			}
		}
	}
	return false
}

// liveStatusOf is the status of the last exchange since n with that method and path.
func liveStatusOf(rec *liveRecorder, n int, method, path string) int {
	exs, _ := rec.since(n)
	status := 0
	for _, ex := range exs {
		if ex.Method == method && ex.Path == path {
			status = ex.Status
		}
	}
	return status
}

func liveListShape(shape string) string {
	switch {
	case strings.HasPrefix(shape, "{secrets:["), shape == "{secrets:[]}":
		return `wrapped: {"secrets":[…]}`
	case strings.HasPrefix(shape, "["):
		return "bare: […]"
	}
	return "other: " + shape
}

// liveSameValue checks a value without printing it.
func liveSameValue(t *testing.T, want string, s *secrets.Secret) {
	t.Helper()
	require.NotNil(t, s, "secret missing")
	require.NotNil(t, s.Value, "value of %s withheld", s.Name)
	assert.True(t, *s.Value == want, "value of %s differs from the one written", s.Name)
}

func liveRandom(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return strings.ToUpper(hex.EncodeToString(b))
}

// report writes the findings and every exchange to path, and logs them.
func (f *liveFindings) report(t *testing.T, path string) {
	t.Helper()
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("# go-secrets live report: %s", f.target)
	w("")
	w("| question | what the service did |")
	w("|---|---|")
	w("| list shape (GET /v1/secrets) | %s |", f.listShape)
	w("| values in unfiltered lists | %s |", f.valuesInLists)
	w("| requests of GetMany for two names and a missing one | %d |", f.bulkRequests)
	w("| GET /v1/users?email= | %s |", f.userLookup)
	w("| GET /v1/users?email= with an invalid pattern | %s |", f.invalidPattern)
	w("| GET /v1/teams?name= | %s |", f.teamLookup)
	w("| create status (POST /v1/secrets) | %d |", f.createStatus)
	w("| delete status (DELETE /v1/secrets/{id}); again | %d; %d |", f.deleteStatus, f.deleteAgain)
	w("| unknown ID; duplicate name | %d; %d |", f.notFoundStatus, f.conflictStatus)
	w("| error body shape (key names); content type | %s; %s |", orNone(f.errorShape), orNone(f.errorType))
	w("| request-ID headers; *APIError.RequestID set | %s; %t |", orNone(strings.Join(f.requestIDHeaders, ", ")), f.apiErrRequestID)
	w("| roles on a new secret (Access) | %s |", orNone(strings.Join(f.roles, ", ")))
	w("| share and revoke | %s |", orNone(f.share))
	w("")
	w("## Every attempt")
	w("")
	for _, ex := range f.exchanges {
		w("- %s %s %v → %d %s; request-ID headers %v; shape %s; entries %d, with value %d",
			ex.Method, ex.Path, ex.Params, ex.Status, orNone(ex.Type), ex.IDHeaders, orNone(ex.Shape), ex.Entries, ex.WithValue)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Errorf("writing the live report: %v", err)
		return
	}
	t.Logf("live report (%s):\n%s", path, b.String())
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// TestLiveSuiteOnEmulator runs the live suite against the emulator under every profile: the tour
// must pass, and its report must tell each profile's behaviour apart, as it will the real service's.
// It holds neither the token nor any value written.
func TestLiveSuiteOnEmulator(t *testing.T) {
	t.Parallel()
	for _, p := range itProfiles() {
		t.Run(itProfileName(p), func(t *testing.T) {
			t.Parallel()
			srv := secretstest.NewServer(secretstest.WithProfile(p))
			t.Cleanup(srv.Close)
			share := srv.AddUser("live.share+1@example.com")
			srv.AddTeam("live (team)", share.ID)
			reportPath := filepath.Join(t.TempDir(), "report.md")
			ok := t.Run("tour", func(t *testing.T) {
				runLiveTour(t, liveTarget{
					name: "emulator, profile " + itProfileName(p),
					opts: []secrets.Option{secrets.WithAPIKey(srv.APIKey()), secrets.WithBaseURL(srv.URL),
						secrets.WithRetryWait(time.Millisecond, 5*time.Millisecond)},
					shareEmail: share.Email,
					shareTeam:  "live (team)",
					reportPath: reportPath,
				})
			})
			require.True(t, ok, "the tour passes on the emulator")
			assert.Empty(t, srv.Secrets(), "the tour deleted everything it created")

			data, err := os.ReadFile(reportPath)
			require.NoError(t, err)
			report := string(data)
			row := func(question string) string {
				for _, line := range strings.Split(report, "\n") {
					if strings.HasPrefix(line, "| "+question+" |") {
						return strings.TrimSuffix(strings.TrimPrefix(line, "| "+question+" | "), " |")
					}
				}
				t.Fatalf("no row %q in the report", question)
				return ""
			}
			wantShape, wantValues, wantBulk := `wrapped: {"secrets":[…]}`, "yes", "1"
			if p.BareLists {
				wantShape = "bare: […]"
			}
			if p.ValuesOnlyByName {
				wantValues, wantBulk = "no", "3"
			}
			wantLookup, wantInvalid := "literal", "status 200, 0 entries"
			if p.RegexLookups {
				wantLookup, wantInvalid = "regular expression", "status 400"
			}
			assert.Equal(t, wantShape, row("list shape (GET /v1/secrets)"))
			assert.True(t, strings.HasPrefix(row("values in unfiltered lists"), wantValues+":"), row("values in unfiltered lists"))
			assert.Equal(t, wantBulk, row("requests of GetMany for two names and a missing one"))
			assert.True(t, strings.HasPrefix(row("GET /v1/users?email="), wantLookup+":"), row("GET /v1/users?email="))
			assert.True(t, strings.HasPrefix(row("GET /v1/teams?name="), wantLookup+":"), row("GET /v1/teams?name="))
			assert.Equal(t, wantInvalid, row("GET /v1/users?email= with an invalid pattern"))
			assert.Equal(t, "200", row("create status (POST /v1/secrets)"))
			assert.Equal(t, "200; 404", row("delete status (DELETE /v1/secrets/{id}); again"))
			assert.Equal(t, "404; 409", row("unknown ID; duplicate name"))
			assert.Equal(t, "{message}; application/json", row("error body shape (key names); content type"))
			assert.Equal(t, "X-Request-Id; true", row("request-ID headers; *APIError.RequestID set"))
			assert.Contains(t, row("roles on a new secret (Access)"), "Owner")
			assert.True(t, strings.HasPrefix(row("share and revoke"), "granted Reader"), row("share and revoke"))

			assert.NotContains(t, report, srv.APIKey())
			for _, value := range []string{"live-a", "live-b", "live-dup", "live.share"} {
				assert.NotContains(t, report, value, "the report holds no value, and no e-mail address")
			}
		})
	}
}
