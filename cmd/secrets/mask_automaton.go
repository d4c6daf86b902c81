package main

import (
	"encoding/binary"
	"slices"
)

// automaton is an Aho–Corasick automaton over byte patterns, built once: it reads the output one byte
// at a time, whatever the number and length of the patterns. A state stands for the longest suffix
// of the bytes read so far that is a prefix of some pattern (a node of the patterns' trie).
//
// Shallow states, where output that holds no secret spends nearly all its time, have a dense row of
// resolved transitions (one lookup a byte); deeper states keep only their trie edges and fall back
// along failure links, which keeps memory linear in the patterns' total length (a 100 KB bundle has
// some 200,000 states).
//
// Most output is at state 0 and stays there: skip passes over it without the automaton, four bytes
// at a time, since every pattern is at least minMaskLen (4) bytes long and starts with one of a few
// four-byte prefixes.
type automaton struct {
	starts [1 << 16 / 64]uint64 // bit startHash(b) is set when b may be the first 4 bytes of a pattern

	class       [256]int32 // byte → column of a dense row; column 0 for bytes in no pattern
	width       int32      // columns of a dense row
	denseStates int32      // states below this have a row in dense
	dense       []int32    // dense[s*width+class[c]]: next state t from s on byte c, as a quick entry

	edgeStart []int32 // trie edges of state s: edges[edgeStart[s]:edgeStart[s+1]], sorted by byte
	edges     []edge
	fail      []int32 // the longest proper suffix of s's string that is a state
	match     []int32 // length of the longest pattern that is a suffix of s's string, 0 for none
	hold      []int32 // length of the longest suffix of s's string that is a proper prefix of a pattern
}

// A dense entry for state t is t*width, the start of t's row, when t is quick (it has a row and
// completes no pattern), and ^t (negative) otherwise: the scan's inner loop needs one lookup a byte
// and one sign test to know that nothing happened.
func (a *automaton) quick(t int32) bool { return t < a.denseStates && a.match[t] == 0 }

func (a *automaton) entry(t int32) int32 {
	if a.quick(t) {
		return t * a.width
	}
	return ^t
}

func (a *automaton) state(entry int32) int32 {
	if entry < 0 {
		return ^entry
	}
	return entry / a.width
}

type edge struct {
	b  byte
	to int32
}

// denseEntries bounds the dense rows: 2^19 entries, 2 MiB.
const denseEntries = 1 << 19

// newAutomaton builds the automaton of the patterns of at least minMaskLen bytes (shorter ones are
// ignored), or returns nil when there are none. State 0 is the start: nothing read that could begin
// a pattern. It is read-only once built: maskers on several goroutines may share it.
func newAutomaton(patterns []string) *automaton {
	var long []string
	for _, p := range patterns {
		if len(p) >= minMaskLen {
			long = append(long, p)
		}
	}
	if len(long) == 0 {
		return nil
	}
	a := &automaton{}
	// The trie, with states numbered in creation order and each state's edges in a list: a label,
	// the first child, the next sibling (-1 for none). About 10 bytes a state.
	size := 1 // at most one state a pattern byte, and the start
	for _, p := range long {
		size += len(p)
	}
	label, firstChild, nextSibling := make([]byte, 1, size), make([]int32, 1, size), make([]int32, 1, size)
	end := make([]bool, 1, size)
	firstChild[0], nextSibling[0] = -1, -1
	for _, p := range long {
		s := int32(0)
		for _, c := range []byte(p) {
			t := firstChild[s]
			for t >= 0 && label[t] != c {
				t = nextSibling[t]
			}
			if t < 0 {
				t = int32(len(label))
				label, firstChild, end = append(label, c), append(firstChild, -1), append(end, false)
				nextSibling = append(nextSibling, firstChild[s])
				firstChild[s] = t
			}
			s = t
		}
		end[s] = true
		h := startHash([]byte(p))
		a.starts[h>>6] |= 1 << (h & 63)
	}

	// Renumber breadth first, so that shallow states come first (they get the dense rows) and a
	// state's failure link, being shorter, is numbered before it; the edges of a state become a
	// run of edges sorted by byte.
	n := len(label)
	order := make([]int32, 1, n) // order[new] = old
	newID := make([]int32, n)
	a.edgeStart = make([]int32, n+1)
	a.edges = make([]edge, 0, n-1)
	depth := make([]int32, n)
	for s := 0; s < len(order); s++ {
		a.edgeStart[s] = int32(len(a.edges))
		for t := firstChild[order[s]]; t >= 0; t = nextSibling[t] {
			id := int32(len(order))
			newID[t] = id
			order = append(order, t)
			a.edges = append(a.edges, edge{label[t], id})
			depth[id] = depth[s] + 1
		}
		slices.SortFunc(a.edges[a.edgeStart[s]:], func(x, y edge) int { return int(x.b) - int(y.b) })
	}
	a.edgeStart[n] = int32(len(a.edges))
	label, firstChild, nextSibling, newID = nil, nil, nil, nil
	isEnd := make([]bool, n)
	for s, old := range order {
		isEnd[s] = end[old]
	}
	order, end = nil, nil
	a.fail = make([]int32, n)
	a.match = make([]int32, n)
	a.hold = make([]int32, n)

	// Failure links, in breadth-first order, then what each state reports.
	for s := range int32(n) {
		for _, e := range a.edges[a.edgeStart[s]:a.edgeStart[s+1]] {
			if s != 0 {
				f := a.fail[s]
				for {
					if t, ok := a.child(f, e.b); ok {
						a.fail[e.to] = t
						break
					}
					if f == 0 {
						break
					}
					f = a.fail[f]
				}
			}
		}
		if s == 0 {
			continue
		}
		if isEnd[s] {
			a.match[s] = depth[s]
		} else {
			a.match[s] = a.match[a.fail[s]]
		}
		if a.edgeStart[s+1] > a.edgeStart[s] {
			a.hold[s] = depth[s]
		} else {
			a.hold[s] = a.hold[a.fail[s]]
		}
	}

	// Dense rows: a column per byte that occurs in a pattern, column 0 for the rest (such a byte
	// leads back to state 0 from anywhere).
	var reps []byte
	for _, e := range a.edges {
		if a.class[e.b] == 0 {
			reps = append(reps, e.b)
			a.class[e.b] = int32(len(reps))
		}
	}
	a.width = int32(len(reps)) + 1
	a.denseStates = int32(max(1, min(n, denseEntries/int(a.width))))
	a.dense = make([]int32, int(a.denseStates)*int(a.width))
	for s := range a.denseStates {
		row := a.dense[s*a.width : (s+1)*a.width]
		for k, c := range reps {
			if t, ok := a.child(s, c); ok {
				row[k+1] = a.entry(t)
			} else if s != 0 {
				row[k+1] = a.dense[a.fail[s]*a.width+int32(k+1)]
			}
		}
	}
	return a
}

// startHash hashes four bytes to a bit of starts.
func startHash(b []byte) uint32 { return binary.LittleEndian.Uint32(b) * 0x9E3779B1 >> 16 }

// skip returns the first position from i on where a pattern may start, or len(b)-3 when none may
// start before it (the automaton reads the last bytes, which may begin a pattern that the next
// write completes). The automaton, at state 0 at i, is at state 0 again there: no byte in between
// can begin an occurrence.
func (a *automaton) skip(b []byte, i int) int {
	for ; i+4 <= len(b); i++ {
		h := startHash(b[i:])
		if a.starts[h>>6]&(1<<(h&63)) != 0 {
			return i
		}
	}
	return i
}

// child returns the trie edge of s on byte c.
func (a *automaton) child(s int32, c byte) (int32, bool) {
	es := a.edges[a.edgeStart[s]:a.edgeStart[s+1]]
	if len(es) <= 8 {
		for _, e := range es {
			if e.b == c {
				return e.to, true
			}
		}
		return 0, false
	}
	i, ok := slices.BinarySearchFunc(es, c, func(e edge, c byte) int { return int(e.b) - int(c) })
	if !ok {
		return 0, false
	}
	return es[i].to, true
}

// next returns the state after reading c in state s.
func (a *automaton) next(s int32, c byte) int32 {
	for {
		if s < a.denseStates {
			return a.state(a.dense[s*a.width+a.class[c]])
		}
		if t, ok := a.child(s, c); ok {
			return t
		}
		s = a.fail[s]
	}
}
