package secrets_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	secrets "github.com/helios-secrets/go-secrets"
)

// fakeSource stands in for the two calls a Cache makes of SecretsService, GetByName and GetMany,
// behind its seam (NewCacheOn): the tests of the cache's own logic count the calls, hold them at a
// gate and fail them with the errors the Client returns, without a server. A call reads its answer
// when it arrives, before any gate, as a request the server has read would.
type fakeSource struct {
	arrived chan struct{} // one token per call, as it arrives (buffered, extra ones dropped)

	mu     sync.Mutex
	values map[string]*string // nil: withheld
	twice  map[string]bool    // two secrets have this name: ErrAmbiguous
	err    error              // non-nil: every call fails with it
	gate   chan struct{}      // non-nil: calls wait until it is closed
	gated  string             // non-empty: only GetByName of this name waits at the gate
	calls  []string           // GetByName: the name; GetMany: "many:" and the names, comma-separated
}

// newFakeSource returns a fakeSource holding readable secrets, given as name, value, name, value….
func newFakeSource(namesAndValues ...string) *fakeSource {
	f := &fakeSource{arrived: make(chan struct{}, 4096), values: map[string]*string{}, twice: map[string]bool{}}
	for i := 0; i+1 < len(namesAndValues); i += 2 {
		f.values[namesAndValues[i]] = &namesAndValues[i+1]
	}
	return f
}

// set makes name readable, with value.
func (f *fakeSource) set(name, value string) { f.change(func() { f.values[name] = &value }) }

// withhold makes name a secret the caller may see but not read.
func (f *fakeSource) withhold(name string) { f.change(func() { f.values[name] = nil }) }

// duplicate gives name to a second secret (the API's odd case, for ErrAmbiguous).
func (f *fakeSource) duplicate(name string) { f.change(func() { f.twice[name] = true }) }

func (f *fakeSource) remove(name string) { f.change(func() { delete(f.values, name) }) }

// fail makes every call return err (nil: answer normally again).
func (f *fakeSource) fail(err error) { f.change(func() { f.err = err }) }

func (f *fakeSource) change(do func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	do()
}

// apiFailure is the *APIError of a read answered with status.
func apiFailure(status int) error {
	return &secrets.APIError{StatusCode: status, Method: http.MethodGet, Path: "/v1/secrets", Message: "stub failure", Attempts: 1}
}

// connectionDropped is the *RequestError of a read that got no answer.
var connectionDropped error = &secrets.RequestError{Method: http.MethodGet, Path: "/v1/secrets", Attempts: 1, Err: io.ErrUnexpectedEOF}

// hold makes calls wait until the returned function is called (which the test must call).
func (f *fakeSource) hold() (release func()) { return f.holdName("") }

// holdName is hold for the GetByName calls of name only ("": all calls). The arrivals of earlier
// calls are forgotten: waitArrival then waits for a call that came after the hold.
func (f *fakeSource) holdName(name string) (release func()) {
	gate := make(chan struct{})
	f.change(func() { f.gate, f.gated = gate, name })
	for drained := false; !drained; {
		select {
		case <-f.arrived:
		default:
			drained = true
		}
	}
	return sync.OnceFunc(func() {
		f.change(func() { f.gate = nil })
		close(gate)
	})
}

func (f *fakeSource) count() int { return len(f.called()) }

func (f *fakeSource) called() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// waitArrival waits for the next call to reach the fake.
func (f *fakeSource) waitArrival(t testing.TB) {
	t.Helper()
	select {
	case <-f.arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("no call reached the source")
	}
}

// arrive records call, reads what names answer (as the fake stands at arrival), and waits at the
// gate, if any, or until ctx ends, which fails the call as the Client would.
func (f *fakeSource) arrive(ctx context.Context, call string, names ...string) (answers map[string]*string, errs map[string]error, _ error) {
	f.mu.Lock()
	f.calls = append(f.calls, call)
	gate, err := f.gate, f.err
	if f.gated != "" && (len(names) > 1 || f.gated != names[0]) {
		gate = nil
	}
	answers, errs = map[string]*string{}, map[string]error{}
	for _, name := range names {
		v, ok := f.values[name]
		switch {
		case !ok:
			errs[name] = secrets.NotFoundError(name)
		case f.twice[name]:
			errs[name] = secrets.AmbiguousError(name)
		default:
			answers[name] = v
		}
	}
	f.mu.Unlock()
	select {
	case f.arrived <- struct{}{}:
	default:
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, nil, &secrets.RequestError{Method: http.MethodGet, Path: "/v1/secrets", Attempts: 1, Err: ctx.Err()}
		}
	}
	return answers, errs, err
}

func (f *fakeSource) GetByName(ctx context.Context, name string) (*secrets.Secret, error) {
	answers, errs, err := f.arrive(ctx, name, name)
	if err == nil {
		err = errs[name]
	}
	if err != nil {
		return nil, err
	}
	return &secrets.Secret{Name: name, Value: answers[name]}, nil // Value nil: withheld
}

func (f *fakeSource) GetMany(ctx context.Context, names ...string) (map[string]*secrets.Secret, error) {
	answers, errs, err := f.arrive(ctx, "many:"+strings.Join(names, ","), names...)
	if err != nil {
		return nil, err
	}
	found := map[string]*secrets.Secret{}
	for name, v := range answers {
		if v == nil {
			errs[name] = secrets.WithheldError(name)
		} else {
			found[name] = &secrets.Secret{Name: name, Value: v}
		}
	}
	if len(errs) > 0 {
		return found, &secrets.BulkError{Errors: errs}
	}
	return found, nil
}

// cacheStart is the fake clock's time at the start of every cache test.
var cacheStart = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
