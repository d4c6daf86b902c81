package secrets

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEnvToken_ParsesOnlyOnChange: reading an unchanged environment before a request costs three
// lookups and a comparison: the same credential, no allocation. A change is parsed once. (Not
// parallel: AllocsPerRun refuses to run beside other tests.)
func TestEnvToken_ParsesOnlyOnChange(t *testing.T) {
	vars := map[string]string{EnvURL: "admin:eyJhbGciOiJub25lIn0.eyJleHAiOjQxMDI0NDQ4MDB9.c2ln@host:3306"}
	e := &envToken{getenv: func(k string) string { return vars[k] }}
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	first, err := e.credential(t.Context(), now)
	require.NoError(t, err)
	assert.True(t, first.isJWT)
	assert.Equal(t, EnvURL+" (password)", first.source)

	allocs := testing.AllocsPerRun(100, func() {
		again, err := e.credential(t.Context(), now)
		if err != nil || again != first {
			t.Fatalf("unchanged environment gave another credential: %v", err)
		}
	})
	assert.Zero(t, allocs)

	vars[EnvManagementToken] = "opaque-key"
	next, err := e.credential(t.Context(), now)
	require.NoError(t, err)
	assert.NotSame(t, first, next)
	assert.Equal(t, EnvManagementToken, next.source)
	again, err := e.credential(t.Context(), now)
	require.NoError(t, err)
	assert.Same(t, next, again)
}

// TestSourceToken_ParsesOnlyOnChange: the same token from a TokenSource reuses its credential.
func TestSourceToken_ParsesOnlyOnChange(t *testing.T) {
	t.Parallel()
	token := "src-1"
	s := &sourceToken{src: TokenSourceFunc(func(context.Context) (string, error) { return token, nil })}
	a, err := s.credential(t.Context(), time.Now())
	require.NoError(t, err)
	b, err := s.credential(t.Context(), time.Now())
	require.NoError(t, err)
	assert.Same(t, a, b)
	token = "src-2"
	c, err := s.credential(t.Context(), time.Now())
	require.NoError(t, err)
	assert.NotSame(t, a, c)
	assert.Equal(t, []string{"Bearer src-2"}, c.authHeader)
}

// BenchmarkTokenPerAttempt is what a Client pays before each attempt to follow its token: a fixed
// key, the process environment unchanged (three os.Getenv and a comparison), and a changed one (a
// JWT parsed again).
func BenchmarkTokenPerAttempt(b *testing.B) {
	jwtURL := "admin:eyJhbGciOiJub25lIn0.eyJleHAiOjQxMDI0NDQ4MDB9.c2ln@host:3306"
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	b.Run("fixed", func(b *testing.B) {
		f := &fixedToken{cred: newCredential("key", "WithAPIKey")}
		b.ReportAllocs()
		for b.Loop() {
			_, _ = f.credential(b.Context(), now)
		}
	})
	b.Run("environment unchanged", func(b *testing.B) {
		b.Setenv(EnvManagementToken, "")
		b.Setenv(EnvHost, "")
		b.Setenv(EnvURL, jwtURL)
		e := &envToken{getenv: os.Getenv}
		b.ReportAllocs()
		for b.Loop() {
			_, _ = e.credential(b.Context(), now)
		}
	})
	b.Run("environment changed", func(b *testing.B) {
		urls := [2]string{jwtURL, strings.Replace(jwtURL, "admin", "other", 1)}
		var i int
		e := &envToken{getenv: func(k string) string {
			if k == EnvURL {
				return urls[i%2]
			}
			return ""
		}}
		b.ReportAllocs()
		for b.Loop() {
			i++
			_, _ = e.credential(b.Context(), now)
		}
	})
}
