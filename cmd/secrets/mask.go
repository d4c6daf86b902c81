package main

import (
	"bytes"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// minMaskLen is the length, in bytes, of the shortest value that `run` masks: shorter values
// ("1", "yes", "443") occur everywhere by chance and masking them would garble the output while
// hiding nothing.
const minMaskLen = 4

// maskText replaces each run of output bytes that belong to a secret value.
const maskText = "*****"

// defaultIdle is how long output that might be the start of a secret waits for its next bytes
// before it is written anyway (see idleWriter).
const defaultIdle = 50 * time.Millisecond

// idleFlushAfter is defaultIdle, except in the tests.
var idleFlushAfter = defaultIdle

// maskPatterns returns the byte strings to mask for the given secret values: each value, the value
// without surrounding white space, and each line of a value of several lines (also trimmed), as a
// program may print a PEM key line by line. Patterns shorter than minMaskLen are left out; the
// result is sorted and free of duplicates.
func maskPatterns(values ...string) []string {
	var out []string
	add := func(p string) {
		if len(p) >= minMaskLen {
			out = append(out, p)
		}
	}
	for _, v := range values {
		add(v)
		add(strings.TrimSpace(v))
		if strings.Contains(v, "\n") {
			for _, line := range strings.Split(v, "\n") {
				add(strings.TrimSpace(line))
			}
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// masker is a writer that copies its input to w with every occurrence of every pattern replaced by
// maskText. Every byte that belongs to some occurrence is hidden (overlapping and adjacent
// occurrences are merged into one maskText), so the output is the same however the input is split
// into writes: a value cut in two by a read boundary is still found, because masker holds back the
// bytes at the end of a write that could be the start of a pattern, and only those. Output that
// cannot be the start of a pattern (a newline, in practice, unless a value begins with one) is
// written at once, so line-oriented output gets no added latency.
//
// Close writes what is held back. Flush (see idleWriter) writes it too, but keeps it in mind, so
// that if the rest of a value follows, the rest is masked: a value written in two parts with a
// pause between them shows at most its first part.
//
// A masker is not safe for concurrent use; idleWriter adds the locking.
type masker struct {
	w        io.Writer
	patterns [][]byte
	maxLen   int
	first    [256]bool // first bytes of the patterns: only there can a held-back tail start

	pend     []byte // bytes read but not yet decided
	covered  int    // pend[:covered] belongs to an occurrence already found
	released int    // pend[:released] was written by Flush
	inMask   bool   // the last thing written was maskText
	out      []byte // output of the current call, written at its end
	err      error  // the first error of w; later input is consumed and dropped
}

// newMasker returns a masker writing to w. Patterns shorter than minMaskLen are ignored; with none
// left, the masker copies its input unchanged.
func newMasker(w io.Writer, patterns []string) *masker {
	m := &masker{w: w}
	for _, p := range patterns {
		if len(p) < minMaskLen {
			continue
		}
		m.patterns = append(m.patterns, []byte(p))
		m.maxLen = max(m.maxLen, len(p))
		m.first[p[0]] = true
	}
	return m
}

// Write masks p and writes what can be decided. It always consumes all of p; it reports the first
// error of the underlying writer.
func (m *masker) Write(p []byte) (int, error) {
	if len(m.patterns) == 0 {
		if m.err == nil {
			_, m.err = m.w.Write(p)
		}
		return len(p), m.err
	}
	m.pend = append(m.pend, p...)
	m.process(false)
	return len(p), m.err
}

// Close writes everything held back, masked, and returns the first error of the underlying writer.
func (m *masker) Close() error {
	if len(m.patterns) > 0 {
		m.process(true)
	}
	return m.err
}

// Pending reports how many held-back bytes have not been written yet.
func (m *masker) Pending() int { return len(m.pend) - m.released }

// Flush writes the held-back bytes as they are (except those already known to be part of a value,
// which are masked) while still holding them for matching, so that the rest of a value that follows
// is masked. Used when the program has been silent for a while: it may be waiting at a prompt.
func (m *masker) Flush() error {
	for i := m.released; i < len(m.pend); {
		if i < m.covered {
			m.writeMask()
			i = m.covered
			continue
		}
		m.write(m.pend[i:])
		break
	}
	m.released = len(m.pend)
	m.drain()
	return m.err
}

type span struct{ start, end int }

// process writes the decided prefix of pend. Without final, it holds back the tail from the first
// position where a pattern could begin but would need bytes not read yet.
func (m *masker) process(final bool) {
	defer m.drain()
	b := m.pend
	n := len(b)

	// hold: the first position whose bytes are a proper prefix of some pattern.
	hold := n
	if !final {
		for t := max(0, n-m.maxLen+1); t < n; t++ {
			if m.first[b[t]] && m.couldStart(b[t:]) {
				hold = t
				break
			}
		}
	}

	// Occurrences that start before hold are complete (else hold would be earlier); those starting
	// later are found again when more input has come. pend[:covered] is covered by an occurrence
	// that started in an earlier call.
	spans := make([]span, 0, 4)
	if m.covered > 0 {
		spans = append(spans, span{0, m.covered})
	}
	for _, p := range m.patterns {
		for i := 0; i < hold; {
			j := bytes.Index(b[i:], p)
			if j < 0 || i+j >= hold {
				break
			}
			spans = append(spans, span{i + j, i + j + len(p)})
			i += j + 1
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })

	// Write [0, hold): raw bytes between merged spans, one maskText per merged span.
	pos, carry := 0, 0
	for i := 0; i < len(spans); {
		cur := spans[i]
		for i++; i < len(spans) && spans[i].start <= cur.end; i++ {
			cur.end = max(cur.end, spans[i].end)
		}
		if cur.start > hold {
			break
		}
		if cur.start == hold {
			if cur.end > hold {
				carry = cur.end - hold
			}
			break
		}
		m.writeRange(b, pos, cur.start, false)
		m.writeRange(b, cur.start, min(cur.end, hold), true)
		pos = min(cur.end, hold)
		if cur.end > hold {
			carry = cur.end - hold
			break
		}
	}
	m.writeRange(b, pos, hold, false)

	if final {
		m.pend, m.covered, m.released = m.pend[:0], 0, 0
		return
	}
	m.pend = m.pend[:copy(m.pend, b[hold:])]
	m.covered = carry
	m.released = max(0, m.released-hold)
}

// couldStart reports whether tail is a proper prefix of some pattern: a pattern that may yet be
// completed by the next write.
func (m *masker) couldStart(tail []byte) bool {
	for _, p := range m.patterns {
		if len(p) > len(tail) && bytes.Equal(p[:len(tail)], tail) {
			return true
		}
	}
	return false
}

// writeRange writes b[from:to] raw, or masked, skipping what Flush already wrote.
func (m *masker) writeRange(b []byte, from, to int, masked bool) {
	from = max(from, m.released)
	if from >= to {
		return
	}
	if masked {
		m.writeMask()
		return
	}
	m.write(b[from:to])
}

func (m *masker) writeMask() {
	if !m.inMask {
		m.emit([]byte(maskText))
		m.inMask = true
	}
}

func (m *masker) write(p []byte) {
	if len(p) > 0 {
		m.emit(p)
		m.inMask = false
	}
}

// emit queues p for the underlying writer; drain writes the queue in one call.
func (m *masker) emit(p []byte) { m.out = append(m.out, p...) }

func (m *masker) drain() {
	if len(m.out) > 0 && m.err == nil {
		_, m.err = m.w.Write(m.out)
	}
	m.out = m.out[:0]
}

// idleWriter makes a masker safe for concurrent use and flushes what it holds back once no input
// has come for the idle duration, so that a prompt that happens to end like the start of a secret
// still reaches the user.
type idleWriter struct {
	mu     sync.Mutex
	m      *masker
	idle   time.Duration
	timer  *time.Timer
	closed bool
}

func newIdleWriter(m *masker, idle time.Duration) *idleWriter {
	return &idleWriter{m: m, idle: idle}
}

func (w *idleWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return 0, os.ErrClosed
	}
	n, err := w.m.Write(p)
	if w.m.Pending() > 0 {
		if w.timer == nil {
			w.timer = time.AfterFunc(w.idle, w.flush)
		} else {
			w.timer.Reset(w.idle)
		}
	}
	return n, err
}

func (w *idleWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		_ = w.m.Flush()
	}
}

// Close stops the idle timer and writes everything held back.
func (w *idleWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	if w.timer != nil {
		w.timer.Stop()
	}
	return w.m.Close()
}
