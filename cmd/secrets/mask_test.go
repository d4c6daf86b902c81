package main

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// maskReference is the specification of masking: every byte inside an occurrence of a pattern (of
// at least minMaskLen bytes) is covered, and each maximal run of covered bytes becomes maskText.
// When the masker is flushed after the first f bytes for each f in flushes (a flush with a write
// boundary there), a flush writes the bytes held back, those from the first position t where
// data[t:f] is a proper prefix of a pattern; those of them that no occurrence ending by f covers go
// out in clear for good.
func maskReference(data []byte, patterns []string, flushes []int) []byte {
	var ps []string
	for _, p := range patterns {
		if len(p) >= minMaskLen {
			ps = append(ps, p)
		}
	}
	coveredBy := func(f int) []bool { // by the occurrences that end by f
		covered := make([]bool, len(data))
		for _, p := range ps {
			for i := 0; i+len(p) <= f; i++ {
				if string(data[i:i+len(p)]) == p {
					for j := i; j < i+len(p); j++ {
						covered[j] = true
					}
				}
			}
		}
		return covered
	}
	clear := make([]bool, len(data))
	for _, f := range flushes {
		covered := coveredBy(f)
		for t := 0; t < f; t++ {
			if !properPrefixOfAny(data[t:f], ps) {
				continue
			}
			for j := t; j < f; j++ {
				clear[j] = clear[j] || !covered[j]
			}
			break
		}
	}
	covered := coveredBy(len(data))
	out := []byte{}
	for i, c := range data {
		masked := covered[i] && !clear[i]
		switch {
		case !masked:
			out = append(out, c)
		case i == 0 || !covered[i-1] || clear[i-1]:
			out = append(out, maskText...)
		}
	}
	return out
}

func properPrefixOfAny(b []byte, patterns []string) bool {
	for _, p := range patterns {
		if len(b) < len(p) && strings.HasPrefix(p, string(b)) {
			return true
		}
	}
	return false
}

// maskOps writes data to a masker in the pieces and with the flushes ops describes, closes it and
// returns the output and the flush points. Each op is a write of (op>>1)%17 bytes, followed by a
// flush when op is odd; the rest of data is the last write.
func maskOps(t testing.TB, patterns []string, data []byte, ops []byte) (string, []int) {
	t.Helper()
	var out bytes.Buffer
	m := newMasker(&out, newAutomaton(patterns))
	var flushes []int
	pos := 0
	write := func(n int) {
		_, err := m.Write(data[pos : pos+n])
		require.NoError(t, err)
		pos += n
	}
	for _, op := range ops {
		write(min(len(data)-pos, int(op>>1)%17))
		if op&1 == 1 {
			require.NoError(t, m.Flush())
			flushes = append(flushes, pos)
		}
	}
	write(len(data) - pos)
	require.NoError(t, m.Close())
	return out.String(), flushes
}

// assertNoPatternIn fails when a complete pattern (one that maskText cannot form) is in out.
func assertNoPatternIn(t testing.TB, out string, patterns []string, format string, args ...any) {
	t.Helper()
	for _, p := range patterns {
		if len(p) >= minMaskLen && !strings.Contains(p, "*") && strings.Contains(out, p) {
			t.Fatalf("%s: pattern %q is in the output %q", fmt.Sprintf(format, args...), p, out)
		}
	}
}

// maskChunks writes chunks to a masker, one Write each, closes it and returns the output.
func maskChunks(t testing.TB, patterns []string, chunks ...[]byte) string {
	t.Helper()
	var out bytes.Buffer
	m := newMasker(&out, newAutomaton(patterns))
	for _, c := range chunks {
		n, err := m.Write(c)
		require.NoError(t, err)
		require.Equal(t, len(c), n)
	}
	require.NoError(t, m.Close())
	return out.String()
}

// splits returns data cut into pieces of the given sizes (the last piece takes the rest).
func splits(data []byte, sizes ...int) [][]byte {
	var out [][]byte
	for _, n := range sizes {
		n = min(n, len(data))
		out = append(out, data[:n])
		data = data[n:]
	}
	return append(out, data)
}

// TestMaskerCases: each input is masked as the reference says, whatever the writes: one, every cut
// into two and into three, one byte a write, and with a flush at every point and after every byte.
// A "|" in the input is where the program pauses (one flush, the idle flush of `secrets run`): want
// is the output with that flush; the reports are those rows, and their class: at a flush,
// bytes held back that already hold a complete pattern go out masked; only the start of a value
// that is not yet a value may go out in clear.
func TestMaskerCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		patterns []string // the values as stored give maskPatterns(values...)
		in       string
		want     string
	}{
		{"no patterns", nil, "hunter2\n", "hunter2\n"},
		{"empty input", []string{"hunter2"}, "", ""},
		{"one value", []string{"hunter2"}, "password=hunter2\n", "password=*****\n"},
		{"at the start and the end", []string{"hunter2"}, "hunter2 x hunter2", "***** x *****"},
		{"several values", []string{"hunter2", "sk-live-42"}, "a=hunter2 b=sk-live-42\n", "a=***** b=*****\n"},
		{"adjacent occurrences merge", []string{"hunter2"}, "hunter2hunter2!", "*****!"},
		{"overlapping values merge", []string{"abcdef", "defghi"}, "xabcdefghix", "x*****x"},
		{"a value inside another", []string{"sk-live-1234", "live"}, "k=sk-live-1234 live", "k=***** *****"},
		{"self-overlapping value", []string{"aaaa"}, "baaaaaab", "b*****b"},
		{"short patterns are ignored", []string{"abc", "abcd"}, "abc abcd", "abc *****"},
		{"an unfinished prefix is written at the end", []string{"hunter2"}, "say hunt", "say hunt"},
		{"a prefix that fails", []string{"hunter2"}, "hunter3 hunter2", "hunter3 *****"},
		{"multi-line value", []string{"line one\nline two"}, "k:\nline one\nline two\nend", "k:\n*****\nend"},
		{"binary data", []string{"\x00\xff\x00\xfe"}, "\x01\x00\xff\x00\xfe\x00\xff", "\x01*****\x00\xff"},
		{"mask text next to a mask", []string{"hunter2"}, "*****hunter2", "**********"},
		{"repeated first bytes", []string{"aaab"}, "aaaaab", "aa*****"},
		{"prefix sharing values", []string{"abcd", "abcdefgh"}, "abcdefg abcdefgh", "*****efg *****"},
		{"partial overlap at the end", []string{"abcd", "cdzz"}, "xabcdzz", "x*****"},
		{"utf-8", []string{"pässwörd"}, "→pässwörd←", "→*****←"},
		// A pause in the output.
		{"trailing newline value, pause after the value", maskPatterns("hunter2-x\n"), "password: hunter2-x| ok\n", "password: ***** ok\n"},
		{"trailing CRLF value", maskPatterns("hunter2-x\r\n"), "pw=hunter2-x\r|\n", "pw=*****\r*****"},
		{"value and its trimmed form, pause mid-way", maskPatterns("  hunter2-x  \n"), "[ hunter|2-x ]", "[ hunter***** ]"},
		{"multi-line value, one line then a pause", maskPatterns("user=svc\npassword=s3cr3t!\n"), "password=s3cr3t!|\n", "*****\n"},
		{"multi-line value, first line then a pause", maskPatterns("user=svc\npassword=s3cr3t!\n"), "user=svc|\npassword=s3cr3t!\n", "*****"},
		{"multi-line value, whole then a pause", maskPatterns("user=svc\npassword=s3cr3t!\n"), "user=svc\npassword=s3cr3t!|\nok", "*****ok"},
		{"a value that is a prefix of another", maskPatterns("sk_live_X", "sk_live_X_2024"), "key sk_live_X| ok", "key ***** ok"},
		{"a prefix value, then the longer one completes", maskPatterns("sk_live_X", "sk_live_X_2024"), "key sk_live_X|_2024 ok", "key ***** ok"},
		{"a prefix value, then the longer one at the flush", maskPatterns("sk_live_X", "sk_live_X_2024"), "key sk_live_X_20|24 ok", "key *****_20***** ok"},
		{"overlapping values", maskPatterns("abcdef", "defghijk"), "xabcdefgh|ij", "x*****ghij"},
		{"a value inside the start of another", maskPatterns("1234-5678-90", "5678"), "n 1234-5678|-9", "n 1234-*****-9"},
		{"only an unfinished prefix goes out in clear", maskPatterns("hunter2"), "say hun|ter2!", "say hun*****!"},
		{"a shorter value held inside a longer prefix", maskPatterns("aaaa", "aaaab"), "aaaaaa|a!", "*****!"},
		{"several values all held", maskPatterns("ab12", "cd34", "ab12-cd34-ef56-x"), "ab12-cd34-ef56|-", "*****-*****-ef56-"},
		{"a prompt flushed, then the rest of the value masked", maskPatterns("hunter2"), "Password: hun|ter2 ok\n", "Password: hun***** ok\n"},
		{"covered bytes are not released by a flush", maskPatterns("abcd", "cdzz"), "xabcd|zz!", "x*****!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before, after, paused := strings.Cut(tt.in, "|")
			in := []byte(before + after)
			unflushed := string(maskReference(in, tt.patterns, nil))
			if !paused {
				require.Equal(t, tt.want, unflushed, "reference")
			} else {
				require.Equal(t, tt.want, string(maskReference(in, tt.patterns, []int{len(before)})), "reference")
				var out bytes.Buffer
				m := newMasker(&out, newAutomaton(tt.patterns))
				_, _ = m.Write([]byte(before))
				require.NoError(t, m.Flush())
				assert.Zero(t, m.Pending(), "a flush writes all that was held back")
				assert.Equal(t, string(maskReference([]byte(before), tt.patterns, []int{len(before)})), out.String(), "right after the flush")
				assertNoPatternIn(t, out.String(), tt.patterns, "right after the flush")
				_, _ = m.Write([]byte(after))
				require.NoError(t, m.Close())
				assert.Equal(t, tt.want, out.String())
			}

			assert.Equal(t, unflushed, maskChunks(t, tt.patterns, in), "one write")
			for i := 0; i <= len(in); i++ { // every cut into two writes, and into three
				require.Equal(t, unflushed, maskChunks(t, tt.patterns, splits(in, i)...), "cut at %d", i)
				for j := 0; j <= len(in)-i; j++ {
					require.Equal(t, unflushed, maskChunks(t, tt.patterns, splits(in, i, j)...), "cuts at %d+%d", i, j)
				}
			}
			var bytesOne [][]byte
			for i := range in {
				bytesOne = append(bytesOne, in[i:i+1])
			}
			assert.Equal(t, unflushed, maskChunks(t, tt.patterns, bytesOne...), "byte by byte")

			for f := 0; f <= len(in); f++ { // a flush at every split point
				ops := append(bytes.Repeat([]byte{16 << 1}, f/16), byte((f%16)<<1|1)) // one op writes at most 16 bytes
				got, flushes := maskOps(t, tt.patterns, in, ops)
				require.Equal(t, []int{f}, flushes)
				require.Equal(t, string(maskReference(in, tt.patterns, flushes)), got, "flush at %d", f)
				assertNoPatternIn(t, got, tt.patterns, "flush at %d", f)
			}
			got, flushes := maskOps(t, tt.patterns, in, bytes.Repeat([]byte{1<<1 | 1}, len(in)))
			require.Equal(t, string(maskReference(in, tt.patterns, flushes)), got, "flush after every byte")
			assertNoPatternIn(t, got, tt.patterns, "flush after every byte")
		})
	}
}

func TestMaskerRandomAgainstReference(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("ab\n*\x00")
	randBytes := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return b
	}
	for range 2000 {
		patterns := []string{string(randBytes(4 + rng.IntN(4))), string(randBytes(4 + rng.IntN(8)))}
		data := randBytes(rng.IntN(80))
		var chunks [][]byte
		for rest := data; len(rest) > 0; {
			n := min(len(rest), 1+rng.IntN(9))
			chunks, rest = append(chunks, rest[:n]), rest[n:]
		}
		want := string(maskReference(data, patterns, nil))
		require.Equal(t, want, maskChunks(t, patterns, chunks...), "patterns %q, data %q", patterns, data)
	}
}

func TestMaskerWritesWhatCannotStartAValue(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	m := newMasker(&out, newAutomaton([]string{"hunter2"}))

	_, _ = m.Write([]byte("hello\n"))
	assert.Equal(t, "hello\n", out.String(), "a line that cannot start a value is written at once")
	assert.Zero(t, m.Pending())

	_, _ = m.Write([]byte("say hun"))
	assert.Equal(t, "hello\nsay ", out.String(), "only the possible start of a value is held back")
	assert.Equal(t, 3, m.Pending())

	_, _ = m.Write([]byte("ter2\n"))
	assert.Equal(t, "hello\nsay *****\n", out.String())
	assert.Zero(t, m.Pending())
}

type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	w.n++
	return 0, errors.New("broken pipe")
}

func TestMaskerReportsWriteErrors(t *testing.T) {
	t.Parallel()
	w := &failingWriter{}
	m := newMasker(w, newAutomaton([]string{"hunter2"}))
	n, err := m.Write([]byte("hello\n"))
	assert.Equal(t, 6, n, "input is consumed even when the output fails")
	require.EqualError(t, err, "broken pipe")
	_, err = m.Write([]byte("more\n"))
	require.Error(t, err)
	require.Error(t, m.Close())
	assert.Equal(t, 1, w.n, "no writes after the first error")
}

func TestMaskPatterns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		values []string
		want   []string
	}{
		{"plain", []string{"hunter2"}, []string{"hunter2"}},
		{"short values are dropped", []string{"abc", "", "abcd"}, []string{"abcd"}},
		{"trimmed too", []string{"hunter2\n"}, []string{"hunter2", "hunter2\n"}},
		{"each line of a multi-line value", []string{"-----BEGIN KEY-----\nMIIEvQ\nab\n-----END KEY-----\n"}, []string{
			"-----BEGIN KEY-----", "-----BEGIN KEY-----\nMIIEvQ\nab\n-----END KEY-----",
			"-----BEGIN KEY-----\nMIIEvQ\nab\n-----END KEY-----\n", "-----END KEY-----", "MIIEvQ",
		}},
		{"duplicates once", []string{"hunter2", "hunter2"}, []string{"hunter2"}},
		{"none", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, maskPatterns(tt.values...))
		})
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent use that signals each write.
type syncBuffer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes chan struct{}
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{writes: make(chan struct{}, 100)} }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	select {
	case b.writes <- struct{}{}:
	default:
	}
	return n, err
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor waits until b holds want, or fails after a generous deadline.
func (b *syncBuffer) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for b.String() != want {
		select {
		case <-b.writes:
		case <-deadline:
			t.Fatalf("output is %q, want %q", b.String(), want)
		}
	}
}

func TestIdleWriterFlushesAPromptThenMasksTheRest(t *testing.T) {
	t.Parallel()
	out := newSyncBuffer()
	w := newIdleWriter(newMasker(out, newAutomaton([]string{"hunter2"})), time.Millisecond)
	_, err := w.Write([]byte("Password: hun"))
	require.NoError(t, err)
	out.waitFor(t, "Password: hun") // the idle flush, shortly after
	_, err = w.Write([]byte("ter2\n"))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	assert.Equal(t, "Password: hun*****\n", out.String())
}

func TestIdleWriterConcurrentWritesAndClose(t *testing.T) {
	t.Parallel()
	out := newSyncBuffer()
	w := newIdleWriter(newMasker(out, newAutomaton([]string{"hunter2"})), time.Microsecond)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				_, _ = w.Write([]byte("x hunter2\n"))
			}
		}()
	}
	wg.Wait()
	require.NoError(t, w.Close())
	_, err := w.Write([]byte("late hun"))
	require.ErrorIs(t, err, os.ErrClosed)
	assert.Equal(t, strings.Repeat("x *****\n", 200), out.String())
}

func FuzzMasker(f *testing.F) {
	f.Add([]byte("password=hunter2\n"), "hunter2", "sk-live-42", []byte{3, 1, 7})
	f.Add([]byte("xabcdefghix"), "abcdef", "defghi", []byte{1})
	f.Add([]byte("aaaaaaaa"), "aaaa", "aaaaa", []byte{0, 2, 5})
	f.Fuzz(func(t *testing.T, data []byte, p1, p2 string, cuts []byte) {
		patterns := []string{p1, p2}
		var chunks [][]byte
		rest := data
		for _, c := range cuts {
			n := min(len(rest), int(c%17))
			chunks, rest = append(chunks, rest[:n]), rest[n:]
		}
		chunks = append(chunks, rest)
		got := maskChunks(t, patterns, chunks...)
		if want := string(maskReference(data, patterns, nil)); got != want {
			t.Fatalf("patterns %q, chunks %q: got %q, want %q", patterns, chunks, got, want)
		}
		assertNoPatternIn(t, got, patterns, "chunks %q", chunks)
	})
}
