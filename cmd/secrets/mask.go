package main

import (
	"io"
	"slices"
	"sort"
	"strings"
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
// One automaton reads each byte once, whatever the number and length of the patterns; it finds
// every occurrence as soon as its last byte arrives, also inside the bytes held back.
//
// Close writes what is held back. Flush (see idleWriter) writes it too, masked by every pattern it
// already contains, but keeps it in mind, so that if the rest of a value follows, the rest is
// masked: only the unfinished start of a value (a proper prefix of a pattern, which is not itself a
// pattern) can go out in clear, and a value written in two parts with a pause between them shows
// at most its first part.
//
// A masker is not safe for concurrent use; idleWriter adds the locking.
type masker struct {
	w     io.Writer
	ac    *automaton // nil: no patterns, the input is copied unchanged
	state int32      // the automaton's state after the last byte read

	pend     []byte // bytes read but not yet decided: a proper prefix of some pattern
	cov      []span // the parts of pend inside an occurrence found so far: sorted, disjoint, not adjacent
	released int    // pend[:released] was written by Flush
	inMask   bool   // the last thing written was maskText
	out      []byte // output of the current call, written at its end
	err      error  // the first error of w; later input is consumed and dropped
}

type span struct{ start, end int }

// newMasker returns a masker writing to w what it reads with the occurrences of ac's patterns
// masked; with a nil ac (no patterns), it copies its input unchanged. Maskers may share ac.
func newMasker(w io.Writer, ac *automaton) *masker {
	return &masker{w: w, ac: ac}
}

// Write masks p and writes what can be decided. It always consumes all of p; it reports the first
// error of the underlying writer.
func (m *masker) Write(p []byte) (int, error) {
	if m.ac == nil {
		if m.err == nil {
			_, m.err = m.w.Write(p)
		}
		return len(p), m.err
	}
	b := p
	if len(m.pend) > 0 {
		m.pend = append(m.pend, p...)
		b = m.pend
	}
	m.scan(b, len(b)-len(p))
	m.emit(b, len(b)-int(m.ac.hold[m.state]))
	return len(p), m.err
}

// scan runs the automaton over b[from:], recording the occurrences that end there.
func (m *masker) scan(b []byte, from int) {
	a, s := m.ac, m.state
	for i := from; i < len(b); {
		if s == 0 {
			if i = a.skip(b, i); i == len(b) {
				break
			}
		}
		if a.quick(s) {
			// One table lookup a byte, until a byte leads back to state 0, completes a pattern or
			// leads deeper than the dense rows go.
			r, e := s*a.width, int32(0)
			for ; i < len(b); i++ {
				if e = a.dense[r+a.class[b[i]]]; e <= 0 {
					break
				}
				r = e
			}
			s = r / a.width
			if i == len(b) {
				break
			}
			if e == 0 {
				s, i = 0, i+1
				continue
			}
		}
		s = a.next(s, b[i])
		i++
		if n := int(a.match[s]); n > 0 {
			m.cover(i-n, i)
		}
	}
	m.state = s
}

// cover records that b[start:end] is an occurrence. Occurrences are found in the order of their
// ends, so only the last spans can overlap or touch it.
func (m *masker) cover(start, end int) {
	n := len(m.cov)
	for n > 0 && m.cov[n-1].end >= start {
		start = min(start, m.cov[n-1].start)
		n--
	}
	m.cov = append(m.cov[:n], span{start, end})
}

// emit writes b[:decided], then keeps b[decided:] as the pending bytes.
func (m *masker) emit(b []byte, decided int) {
	if len(m.cov) == 0 && m.released == 0 {
		// Nothing to mask, nothing written by Flush: the common case, written without a copy.
		if decided > 0 && m.err == nil {
			_, m.err = m.w.Write(b[:decided])
			m.inMask = false
		}
	} else {
		next := m.writeMasked(b, decided)
		m.drain()
		// Keep the spans that reach past decided, shifted to the kept bytes.
		kept := m.cov[:0]
		for _, sp := range m.cov[next:] {
			kept = append(kept, span{max(sp.start, decided) - decided, sp.end - decided})
		}
		m.cov = kept
	}
	m.pend = append(m.pend[:0], b[decided:]...)
	m.released = max(0, m.released-decided)
}

// writeMasked writes b[:to] with the spans in cov masked, skipping what Flush already wrote, and
// returns the index of the first span that reaches past to.
func (m *masker) writeMasked(b []byte, to int) int {
	pos, i := 0, 0
	for ; i < len(m.cov) && m.cov[i].start < to; i++ {
		sp := m.cov[i]
		m.writeRange(b, pos, sp.start, false)
		m.writeRange(b, sp.start, min(sp.end, to), true)
		pos = min(sp.end, to)
		if sp.end > to {
			break
		}
	}
	m.writeRange(b, pos, to, false)
	return i
}

// Close writes everything held back, masked, and returns the first error of the underlying writer.
func (m *masker) Close() error {
	if m.ac != nil {
		m.emit(m.pend, len(m.pend))
		m.state = 0
	}
	return m.err
}

// Pending reports how many held-back bytes have not been written yet.
func (m *masker) Pending() int { return len(m.pend) - m.released }

// Flush writes the held-back bytes, masked by every occurrence they contain, while still holding
// them for matching, so that the rest of a value that follows is masked. What goes out in clear is
// only the unfinished start of a pattern. Used when the program has been silent for a while: it may
// be waiting at a prompt.
func (m *masker) Flush() error {
	m.writeMasked(m.pend, len(m.pend))
	m.released = len(m.pend)
	m.drain()
	return m.err
}

// writeRange writes b[from:to] raw, or masked, skipping what Flush already wrote.
func (m *masker) writeRange(b []byte, from, to int, masked bool) {
	from = max(from, m.released)
	if from >= to {
		return
	}
	if masked {
		if !m.inMask {
			m.out = append(m.out, maskText...)
			m.inMask = true
		}
		return
	}
	m.out = append(m.out, b[from:to]...)
	m.inMask = false
}

// drain writes the output of the current call in one call to w.
func (m *masker) drain() {
	if len(m.out) > 0 && m.err == nil {
		_, m.err = m.w.Write(m.out)
	}
	m.out = m.out[:0]
}
