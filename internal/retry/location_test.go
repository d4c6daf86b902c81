package retry_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/internal/retry"
)

// TestCheckRetry_UnparsableLocation: net/http fails a redirect whose Location header does not parse,
// the same way on every attempt; the policy does not retry it. The error is produced by a real
// http.Client, so that a change of its wording in a later Go shows here.
func TestCheckRetry_UnparsableLocation(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.Header().Set("Location", "https://example.com/%zz")
		w.WriteHeader(http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	resp, err := srv.Client().Get(srv.URL)
	if resp != nil {
		resp.Body.Close()
	}
	require.Error(t, err)
	var ue *url.Error
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, int32(1), hits.Load())

	p := retry.Policy{WaitMax: time.Minute}
	for _, idempotent := range []bool{true, false} {
		ctx := retry.WithState(context.Background(), &retry.State{Idempotent: idempotent})
		for _, e := range []error{err, ue.Err, fmt.Errorf("wrapped: %w", err)} {
			ok, checkErr := p.CheckRetry(ctx, nil, e)
			assert.NoError(t, checkErr)
			assert.False(t, ok, "idempotent=%v: %v", idempotent, e)
		}
	}
}
