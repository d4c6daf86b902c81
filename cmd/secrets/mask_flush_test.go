package main

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every input up to 6 bytes over a two-letter alphabet, under every way of cutting it into writes
// with or without a flush at each cut, against the reference, for pattern sets with the relations
// that matter: prefixes, overlaps, self-overlap, one inside another.
func TestMaskerExhaustiveSmallAlphabet(t *testing.T) {
	t.Parallel()
	patternSets := [][]string{
		{"abab"}, {"aaaa"}, {"abba"}, {"aabb"},
		{"abab", "ababa"}, {"aaaa", "aaaab"}, {"abba", "abbab"},
		{"abab", "baba"}, {"aabb", "bbaa"}, {"abba", "bbab"},
		{"aaaa", "baaaab"}, {"abab", "babab"}, {"aaba", "abaa", "baab"},
	}
	const maxLen = 6
	runs := 0
	for _, patterns := range patternSets {
		ac := newAutomaton(patterns)
		for n := 0; n <= maxLen; n++ {
			for bits := 0; bits < 1<<n; bits++ {
				data := make([]byte, n)
				for i := range data {
					data[i] = "ab"[bits>>i&1]
				}
				// Each of the n-1 inner cuts: none, a write boundary, or a boundary and a flush.
				cuts := 1
				for range n - 1 {
					cuts *= 3
				}
				for code := 0; code < cuts; code++ {
					var out bytes.Buffer
					m := newMasker(&out, ac)
					var flushes []int
					from, c := 0, code
					for pos := 1; pos <= n; pos++ {
						kind := 1 // the end: the last write
						if pos < n {
							kind = c % 3
							c /= 3
						}
						if kind == 0 {
							continue
						}
						_, _ = m.Write(data[from:pos])
						from = pos
						if kind == 2 {
							require.NoError(t, m.Flush())
							flushes = append(flushes, pos)
						}
					}
					require.NoError(t, m.Close())
					runs++
					want := string(maskReference(data, patterns, flushes))
					if out.String() != want {
						t.Fatalf("patterns %q, data %q, flushes at %v: got %q, want %q", patterns, data, flushes, out.String(), want)
					}
					assertNoPatternIn(t, out.String(), patterns, "data %q, flushes at %v", data, flushes)
				}
			}
		}
	}
	t.Logf("%d runs", runs)
}

// FuzzMaskerFlush checks the masking invariant with flushes: for any patterns, any input, any split
// into writes and any flush points, no complete pattern is in the output, and the output is the
// reference's.
func FuzzMaskerFlush(f *testing.F) {
	f.Add([]byte("password: hunter2\n ok"), "hunter2\n", "", "", []byte{34, 1})
	f.Add([]byte("user=svc\npassword=s3cr3t!\nok"), "user=svc\npassword=s3cr3t!\n", "", "", []byte{33, 1, 9})
	f.Add([]byte("key sk_live_X ok"), "sk_live_X", "sk_live_X_2024", "", []byte{25, 4})
	f.Add([]byte("xabcdefghijx"), "abcdef", "defghijk", "", []byte{19, 3, 3})
	f.Add([]byte("aaaaaaab"), "aaaa", "aaaab", "aaaaaaaaa", []byte{3, 3, 3, 3, 3, 3, 3})
	f.Add([]byte("ab12-cd34-ef56-x"), "ab12", "cd34", "ab12-cd34-ef56-x", []byte{29, 1})
	f.Fuzz(func(t *testing.T, data []byte, p1, p2, p3 string, ops []byte) {
		// The reference is slow: keep inputs small, where the boundary cases are anyway.
		data, ops = data[:min(len(data), 160)], ops[:min(len(ops), 40)]
		values := []string{p1, p2, p3}
		for _, patterns := range [][]string{values, maskPatterns(values...)} {
			got, flushes := maskOps(t, patterns, data, ops)
			assertNoPatternIn(t, got, patterns, "data %q, ops %v", data, ops)
			if want := string(maskReference(data, patterns, flushes)); got != want {
				t.Fatalf("patterns %q, data %q, ops %v: got %q, want %q", patterns, data, ops, got, want)
			}
		}
	})
}

// A 100 KB bundle of PEM certificates gives some 200,000 states, most of them past the dense rows:
// the whole bundle, each line, and lines amid log output are masked, whatever the writes and
// flushes, and the log lines around them come out untouched.
func TestMaskerLargeBundle(t *testing.T) {
	t.Parallel()
	bundle := benchPEMBundle(rand.New(rand.NewPCG(1, 1)), 100_000)
	patterns := maskPatterns(bundle)
	ac := newAutomaton(patterns)
	require.Less(t, ac.denseStates, int32(len(ac.fail)), "the test must reach states without a dense row")

	lines := strings.Split(strings.TrimSpace(bundle), "\n")
	logs := string(benchLogLines(8 << 10))
	in := logs + "bundle: " + bundle + logs + "line: " + lines[7] + " and " + lines[len(lines)/2] + "\n" + logs
	want := logs + "bundle: *****" + logs + "line: ***** and *****\n" + logs

	rng := rand.New(rand.NewPCG(2, 3))
	for round := range 8 {
		var out bytes.Buffer
		m := newMasker(&out, ac)
		flushed := false
		for rest := []byte(in); len(rest) > 0; {
			n := min(len(rest), 1+rng.IntN(1<<rng.IntN(16)))
			_, _ = m.Write(rest[:n])
			rest = rest[n:]
			if round > 0 && rng.IntN(8) == 0 {
				require.NoError(t, m.Flush())
				flushed = true
			}
		}
		require.NoError(t, m.Close())
		got := out.String()
		if !flushed {
			require.Equal(t, want, got, "round %d", round)
		}
		assert.True(t, strings.HasPrefix(got, logs+"bundle: "), "round %d", round)
		assert.True(t, strings.HasSuffix(got, "\n"+logs), "round %d", round)
		assertNoPatternIn(t, got, patterns, "round %d", round)
	}
}
