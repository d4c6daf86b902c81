package redact

import (
	"bytes"
	"math/bits"
	"slices"
)

// maxDepth is how many escape layers a reading peels: a value escaped for JSON, quoted again inside
// another JSON string, and served in an HTML page is three.
const maxDepth = 3

// minTail is the shortest trailing fragment of a value that is masked at the end of a text (a body
// cut short by the connection), unless the value is shorter than twice that: then half the value,
// rounded up, is enough. Shorter fragments end ordinary bodies by chance too often ("}", a newline)
// to mask without a reason; a value leaks at most its first three bytes.
const minTail = 4

// span is a half-open byte range of the original text.
type span struct{ start, end int }

// chain says which decodings may follow a reading.
type chain uint8

const (
	singles chain = 1 << iota // one family at a time: readings that differ where families collide
	mixed                     // every family at once: echoes that mix them in one string
)

// finder collects the spans of a text that spell a secret in some reading of its escapes.
type finder struct {
	src     []byte
	secrets []string
	needles [][]byte // the secrets that may occur whole in some reading; nil for the others
	tail    int      // shortest trailing fragment to mask; 0 for the minTail rule
	spans   []span
	levels  [maxDepth]layer // buffers reused by the readings of each depth
	fail    [][]int         // per secret, its KMP failure table for trailing fragments, built on use
}

// find returns the spans of src to mask, sorted, overlapping ones merged.
func find(src []byte, secrets []string, tail int) []span {
	f := finder{src: src, tail: tail}
	for _, s := range secrets {
		if s != "" && !slices.Contains(f.secrets, s) {
			f.secrets = append(f.secrets, s)
		}
	}
	if len(f.secrets) == 0 || len(src) == 0 {
		return nil
	}
	f.fail = make([][]int, len(f.secrets))
	f.needles = make([][]byte, len(f.secrets))
	for i, s := range f.secrets {
		// Decoding shortens text, but for a few named HTML references ("&nGt;" is 6 bytes of UTF-8).
		// A longer secret cannot occur whole: leaving it out bounds the work by the text (an error
		// body is cut at 64 KiB), not by the value (up to 5 MiB). Its start may still end the text.
		if len(s) <= 2*len(src) {
			f.needles[i] = []byte(s)
		}
	}
	raw := &layer{text: src, cut: len(src), altAt: -1}
	f.search(raw)
	f.walk(raw, 0, singles|mixed)
	return merge(f.spans)
}

// walk reads parent with one more layer of escapes decoded, in each way that changes it, and
// searches every reading. The work is linear in the text: at most 4+16+64 single-family readings and
// 3 mixed ones, and only families whose escapes occur are decoded.
func (f *finder) walk(parent *layer, depth int, c chain) {
	if depth == maxDepth {
		return
	}
	present := kindsIn(parent.text)
	if present == 0 {
		return
	}
	child := &f.levels[depth]
	if c&singles != 0 {
		for _, k := range [...]kind{backslash, entity, percent, form} {
			if present&k != 0 && decode(child, parent, k) {
				f.search(child)
				f.walk(child, depth+1, singles)
			}
		}
	}
	// With one family present, the mixed reading of the original is a single-family one.
	if c&mixed != 0 && (depth > 0 || bits.OnesCount8(uint8(present&all)) > 1) && decode(child, parent, all) {
		f.search(child)
		f.walk(child, depth+1, mixed)
	}
}

// all decodes every family in one pass, + as itself.
const all = backslash | entity | percent

// search records where the reading l spells a secret, and where it ends with the start of one.
func (f *finder) search(l *layer) {
	for i, s := range f.needles {
		if s != nil && len(s) <= len(l.text) {
			f.occurrences(i, l.text, func(at int) {
				f.spans = append(f.spans, span{l.srcStart(at), l.srcEnd(at + len(s) - 1)})
			})
		}
		for _, end := range []int{l.cut, len(l.text)} {
			if k := f.trailing(i, l.text[:end]); k > 0 {
				f.spans = append(f.spans, span{l.srcStart(end - k), len(f.src)})
			}
			if l.cut == len(l.text) {
				break
			}
		}
		if l.altAt >= 0 { // the other reading of the end: rare, so a copy is fine
			other := append(slices.Clip(l.text[:l.altAt]), l.alt...)
			if k := f.trailing(i, other); k > 0 {
				f.spans = append(f.spans, span{l.srcStart(min(len(other)-k, l.altAt)), len(f.src)})
			}
		}
	}
}

// occurrences calls found with the start of every copy of secret i in text, overlapping ones
// included, in time linear in the text: bytes.Index while copies cannot overlap, else, from the
// first copy on, the Knuth-Morris-Pratt automaton.
func (f *finder) occurrences(i int, text []byte, found func(at int)) {
	s := f.needles[i]
	at := bytes.Index(text, s)
	if at < 0 {
		return
	}
	m := len(s)
	fail := f.failure(i, m)
	found(at)
	if fail[m-1] == 0 { // no border: copies never overlap
		for from := at + m; ; {
			next := bytes.Index(text[from:], s)
			if next < 0 {
				return
			}
			found(from + next)
			from += next + m
		}
	}
	q := fail[m-1]
	for pos := at + m; pos < len(text); pos++ {
		c := text[pos]
		for q > 0 && s[q] != c {
			q = fail[q-1]
		}
		if s[q] == c {
			q++
		}
		if q == m {
			found(pos - m + 1)
			q = fail[m-1]
		}
	}
}

// failure returns the KMP table of secret i covering at least its first n bytes.
func (f *finder) failure(i, n int) []int {
	if len(f.fail[i]) < n {
		f.fail[i] = failure(f.secrets[i][:n])
	}
	return f.fail[i]
}

// trailing returns the length of the longest proper prefix of secret i that text ends with, or 0
// when it is shorter than the fragment worth masking.
func (f *finder) trailing(i int, text []byte) int {
	s := f.secrets[i]
	need := f.tail
	if need == 0 {
		need = min(minTail, (len(s)+1)/2)
	}
	n := min(len(text), len(s)-1) // a fragment is at most this long
	if n < need {
		return 0
	}
	window := text[len(text)-n:]
	if bytes.IndexByte(window, s[0]) < 0 {
		return 0
	}
	pattern := s[:n]
	fail := f.failure(i, n)
	q := 0 // length of the longest prefix of pattern that the window read so far ends with
	for _, c := range window {
		for q > 0 && (q == len(pattern) || pattern[q] != c) {
			q = fail[q-1]
		}
		if pattern[q] == c {
			q++
		}
	}
	if q < need {
		return 0
	}
	return q
}

// failure is the Knuth-Morris-Pratt table of p: fail[i] is the length of the longest proper prefix
// of p[:i+1] that is also its suffix.
func failure(p string) []int {
	fail := make([]int, len(p))
	for i, k := 1, 0; i < len(p); i++ {
		for k > 0 && p[i] != p[k] {
			k = fail[k-1]
		}
		if p[i] == p[k] {
			k++
		}
		fail[i] = k
	}
	return fail
}

// merge sorts spans and joins those that overlap (adjacent ones stay apart, one mask each).
func merge(spans []span) []span {
	if len(spans) == 0 {
		return nil
	}
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	out := spans[:1]
	for _, s := range spans[1:] {
		last := &out[len(out)-1]
		if s.start < last.end {
			last.end = max(last.end, s.end)
			continue
		}
		out = append(out, s)
	}
	return out
}

// apply replaces each span of src with Mask; src itself comes back when there is none.
func apply(src []byte, spans []span) []byte {
	if len(spans) == 0 {
		return src
	}
	out := make([]byte, 0, len(src)+len(spans)*len(Mask))
	prev := 0
	for _, s := range spans {
		out = append(out, src[prev:s.start]...)
		out = append(out, Mask...)
		prev = s.end
	}
	return append(out, src[prev:]...)
}
