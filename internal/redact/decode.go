package redact

import (
	"bytes"
	"html"
	"unicode/utf16"
	"unicode/utf8"
)

// A layer is a reading of the text with one kind of escape decoded, once more than its parent
// layer. Every byte of it remembers the source span (in the original text) of the escape or
// literal byte it came from, so a match found in the reading masks exactly the source that
// spells it.
type layer struct {
	text       []byte
	start, end []int32 // source span of text[i]; nil for the original text itself
	// cut is where a possibly truncated escape starts at the end of the text (len(text) when
	// there is none): a body cut short mid-escape still ends with the decoded prefix of a value.
	cut int
	// alt, when altAt >= 0, is another reading of text[altAt:cut]: escaped bytes cut inside a
	// UTF-8 sequence, which text holds as code points (\xE4: "ä" in JavaScript, a lead byte in C).
	alt   []byte
	altAt int
}

func (l *layer) srcStart(i int) int {
	if l.start == nil {
		return i
	}
	return int(l.start[i])
}

func (l *layer) srcEnd(i int) int { // end of the source span of text[i]
	if l.end == nil {
		return i + 1
	}
	return int(l.end[i])
}

// kind is a set of escape families a decoding pass reads.
type kind uint8

const (
	backslash kind = 1 << iota // JSON, Go, C, JavaScript: \" \/ \n \xNN \NNN \uXXXX \UXXXXXXXX \u{X}
	entity                     // HTML: &amp; &#39; &#x27; and every named entity
	percent                    // URLs: %HH, and %uXXXX (JavaScript's escape())
	form                       // HTML forms, query strings: %HH, and + for a space
)

// kindsIn returns the escape families whose introducing byte occurs in b.
func kindsIn(b []byte) kind {
	var k kind
	for _, f := range [...]struct {
		c    byte
		kind kind
	}{{'\\', backslash}, {'&', entity}, {'%', percent}, {'+', form}} {
		if bytes.IndexByte(b, f.c) >= 0 {
			k |= f.kind
		}
	}
	return k
}

// decode reads src with the escapes of kinds decoded, into dst (whose buffers it reuses). It
// reports false when there was nothing to decode: the reading would be src again.
func decode(dst, src *layer, kinds kind) bool {
	text := src.text
	if cap(dst.text) < len(text) { // decoding shortens, but for a few named references
		dst.text = make([]byte, 0, len(text)+64)
		dst.start = make([]int32, 0, len(text)+64)
		dst.end = make([]int32, 0, len(text)+64)
	}
	dst.text, dst.start, dst.end, dst.cut = dst.text[:0], dst.start[:0], dst.end[:0], -1
	changed := false
	var scratch [8]byte
	var alt []byte
	dst.alt, dst.altAt = dst.alt[:0], -1
	for i := 0; i < len(text); {
		if j := i + literalRun(text[i:], kinds); j > i { // copied as it is, in bulk
			if dst.cut < 0 && j > src.cut {
				dst.cut = len(dst.text) + max(0, src.cut-i)
			}
			dst.appendLiteral(src, i, j)
			i = j
			continue
		}
		var (
			out       []byte
			n         int
			truncated bool
		)
		switch text[i] {
		case '\\':
			out, n, truncated = decodeBackslash(text[i:], scratch[:0], &alt)
		case '&':
			out, n, truncated = decodeEntity(text[i:], scratch[:0])
		case '%':
			out, n, truncated = decodePercent(text[i:], scratch[:0], &alt)
		case '+':
			out, n = append(scratch[:0], ' '), 1
		}
		if truncated && dst.cut < 0 {
			dst.cut = len(dst.text)
		}
		if len(alt) > 0 { // bytes read up to a cut, which the end of the text may also mean
			dst.alt, dst.altAt, alt = append(dst.alt, alt...), len(dst.text), alt[:0]
		}
		if n == 0 { // not an escape after all: the byte stands for itself
			n, out = 1, text[i:i+1]
		} else {
			changed = true
		}
		if dst.cut < 0 && i+n > src.cut {
			dst.cut = len(dst.text) // this escape reaches into the parent's possibly cut tail
		}
		s, e := int32(src.srcStart(i)), int32(src.srcEnd(i+n-1))
		for _, c := range out {
			dst.text = append(dst.text, c)
			dst.start = append(dst.start, s)
			dst.end = append(dst.end, e)
		}
		i += n
	}
	if dst.cut < 0 {
		dst.cut = len(dst.text)
	}
	// A text that ends inside an escape reads differently too: without it, it may end with the
	// start of a secret.
	return changed || dst.cut < len(dst.text)
}

// literalRun is the length of the start of s that holds no byte introducing an escape of kinds.
func literalRun(s []byte, kinds kind) int {
	for i, c := range s {
		switch {
		case c == '\\' && kinds&backslash != 0,
			c == '&' && kinds&entity != 0,
			c == '%' && kinds&(percent|form) != 0,
			c == '+' && kinds&form != 0:
			return i
		}
	}
	return len(s)
}

// appendLiteral appends src.text[i:j] with the source spans of its bytes.
func (l *layer) appendLiteral(src *layer, i, j int) {
	l.text = append(l.text, src.text[i:j]...)
	if src.start != nil {
		l.start = append(l.start, src.start[i:j]...)
		l.end = append(l.end, src.end[i:j]...)
		return
	}
	for k := i; k < j; k++ {
		l.start = append(l.start, int32(k))
		l.end = append(l.end, int32(k+1))
	}
}

// decodeBackslash decodes the escape at the start of s (s[0] is '\\'), appending it to out. It
// returns the bytes, the length of the escape (0: not an escape, the backslash is literal), and
// whether s ends inside what could be the start of an escape (a body cut mid-escape).
func decodeBackslash(s []byte, out []byte, alt *[]byte) ([]byte, int, bool) {
	if len(s) < 2 {
		return out, 0, true
	}
	switch c := s[1]; c {
	case '"', '\'', '\\', '/', '?', '`':
		return append(out, c), 2, false
	case 'a':
		return append(out, '\a'), 2, false
	case 'b':
		return append(out, '\b'), 2, false
	case 'f':
		return append(out, '\f'), 2, false
	case 'n':
		return append(out, '\n'), 2, false
	case 'r':
		return append(out, '\r'), 2, false
	case 't':
		return append(out, '\t'), 2, false
	case 'v':
		return append(out, '\v'), 2, false
	case 'e':
		return append(out, 0x1b), 2, false
	case 'x':
		return decodeByteEscapes(s, out, hexByte, alt)
	case 'u':
		if len(s) > 2 && s[2] == '{' { // \u{1F511}: JavaScript, Rust, Swift
			return decodeBracedRune(s, out)
		}
		return decodeUTF16(s, out, `\u`)
	case 'U':
		r, ok, short := hexRune(s[2:], 8)
		if !ok {
			return out, 0, short
		}
		return utf8.AppendRune(out, validRune(r)), 10, false
	}
	if s[1] >= '0' && s[1] <= '7' {
		return decodeByteEscapes(s, out, octalByte, alt)
	}
	return out, 0, false
}

// byteEscape reads one \xNN or \NNN escape at the start of s: its byte, its length (0 if none),
// and whether s ends inside one.
type byteEscape func(s []byte) (b byte, n int, short bool)

func hexByte(s []byte) (byte, int, bool) {
	if len(s) < 2 || s[0] != '\\' || s[1] != 'x' {
		return 0, 0, len(s) < 2 && (len(s) == 0 || s[0] == '\\')
	}
	r, ok, short := hexRune(s[2:], 2)
	if !ok {
		return 0, 0, short
	}
	return byte(r), 4, false
}

func octalByte(s []byte) (byte, int, bool) {
	if len(s) < 2 || s[0] != '\\' || s[1] < '0' || s[1] > '7' {
		return 0, 0, len(s) < 2 && (len(s) == 0 || s[0] == '\\')
	}
	v, n := 0, 1
	for n < 4 && n < len(s) && s[n] >= '0' && s[n] <= '7' && v*8+int(s[n]-'0') <= 0xff {
		v = v*8 + int(s[n]-'0')
		n++
	}
	// \1 and \12 at the very end may be \123 cut short.
	return byte(v), n, n < 4 && n == len(s)
}

// decodeByteEscapes reads \xNN (or \NNN) escapes. ASCII is itself. A byte above 0x7f begins a UTF-8
// sequence when the escapes after it complete one (C, Python bytes, nginx logs escape bytes);
// otherwise it is the code point U+00NN (Python and JavaScript strings escape code points).
func decodeByteEscapes(s []byte, out []byte, next byteEscape, alt *[]byte) ([]byte, int, bool) {
	b, n, short := next(s)
	if n == 0 {
		return out, 0, short
	}
	if b < utf8.RuneSelf {
		return append(out, b), n, short
	}
	var seq [utf8.UTFMax]byte
	seq[0] = b
	size, total := 1, n
	for size < utf8.UTFMax && !utf8.FullRune(seq[:size]) {
		c, m, cShort := next(s[total:])
		if cShort {
			// Cut inside what may be a UTF-8 sequence, or code points: read as code points, with
			// the bytes as the other reading of the text's end.
			*alt = append((*alt)[:0], seq[:size]...)
			for _, c := range seq[:size] {
				out = utf8.AppendRune(out, rune(c))
			}
			return out, total, false
		}
		if m == 0 {
			break
		}
		seq[size] = c
		size++
		total += m
	}
	if r, rs := utf8.DecodeRune(seq[:size]); r != utf8.RuneError && rs == size && size > 1 {
		return append(out, seq[:size]...), total, false
	}
	return utf8.AppendRune(out, rune(b)), n, false
}

// decodeUTF16 reads a UTF-16 code unit escaped as intro followed by 4 hex digits (JSON's \uXXXX,
// JavaScript escape()'s %uXXXX), joining a surrogate pair; a lone surrogate reads as U+FFFD, as JSON
// decoders read it.
func decodeUTF16(s []byte, out []byte, intro string) ([]byte, int, bool) {
	r, ok, short := hexRune(s[2:], 4)
	if !ok {
		return out, 0, short
	}
	if utf16.IsSurrogate(r) && r < 0xdc00 {
		rest := s[6:]
		if len(rest) < 6 && isPrefix(rest, intro) && allHex(rest[min(2, len(rest)):]) {
			return utf8.AppendRune(out, utf8.RuneError), 6, true // the pair may be cut
		}
		if len(rest) >= 6 && string(rest[:2]) == intro {
			if r2, ok2, _ := hexRune(rest[2:], 4); ok2 {
				if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
					return utf8.AppendRune(out, pair), 12, false
				}
			}
		}
	}
	return utf8.AppendRune(out, validRune(r)), 6, false
}

func decodeBracedRune(s []byte, out []byte) ([]byte, int, bool) {
	var r rune
	for i := 3; i < len(s) && i < 3+7; i++ {
		switch d := unhex(s[i]); {
		case s[i] == '}' && i > 3:
			return utf8.AppendRune(out, validRune(r)), i + 1, false
		case d < 0 || i == 3+6:
			return out, 0, false
		default:
			r = r<<4 | rune(d)
		}
	}
	return out, 0, len(s) < 3+7
}

// decodeEntity reads an HTML character reference: &#DDD; &#xHHH; (a UTF-16 surrogate pair written
// as two, as naive encoders do, is joined) or a named one (&amp; &quot; and the rest of HTML5's).
func decodeEntity(s []byte, out []byte) ([]byte, int, bool) {
	if len(s) > 1 && s[1] == '#' {
		r, n, short := numericEntity(s)
		if n == 0 {
			return out, 0, short
		}
		if utf16.IsSurrogate(r) && r < 0xdc00 {
			low, m, lowShort := numericEntity(s[n:])
			if lowShort {
				return utf8.AppendRune(out, utf8.RuneError), n, true // the pair may be cut
			}
			if pair := utf16.DecodeRune(r, low); m > 0 && pair != utf8.RuneError {
				return utf8.AppendRune(out, pair), n + m, false
			}
		}
		return utf8.AppendRune(out, validRune(r)), n, false
	}
	end := 1
	for end < len(s) && end <= maxEntityName && isAlnum(s[end]) {
		end++
	}
	if end == len(s) {
		return out, 0, end <= maxEntityName // "&am" at the very end: a reference may have been cut
	}
	if s[end] != ';' || end == 1 {
		return out, 0, false
	}
	if c := commonEntity(s[1:end]); c != 0 {
		return append(out, c), end + 1, false
	}
	name := string(s[:end+1])
	decoded := html.UnescapeString(name)
	if decoded == name {
		return out, 0, false
	}
	return append(out, decoded...), end + 1, false
}

// maxEntityName bounds the name of a named reference (HTML5's longest has 31 characters).
const maxEntityName = 32

// commonEntity decodes the named references encoders write, without a table look-up.
func commonEntity(name []byte) byte {
	switch string(name) { // no allocation: the conversion is only compared

	case "amp", "AMP":
		return '&'
	case "lt", "LT":
		return '<'
	case "gt", "GT":
		return '>'
	case "quot", "QUOT":
		return '"'
	case "apos":
		return '\''
	}
	return 0
}

// numericEntity reads &#DDD; or &#xHHH; at the start of s: the code point, the length (0: none),
// and whether s ends inside what could be one.
func numericEntity(s []byte) (rune, int, bool) {
	if len(s) < 2 || s[0] != '&' || s[1] != '#' {
		return 0, 0, len(s) < 2 && isPrefix(s, "&#")
	}
	i, base := 2, rune(10)
	if i < len(s) && (s[i] == 'x' || s[i] == 'X') {
		i, base = 3, 16
	}
	var r rune
	digits, significant := 0, 0 // leading zeros are allowed, as browsers read them
	for ; i < len(s) && significant <= 8; i, digits = i+1, digits+1 {
		v := unhex(s[i])
		if v < 0 || rune(v) >= base {
			break
		}
		if significant > 0 || v > 0 {
			significant++
		}
		r = r*base + rune(v)
	}
	switch {
	case i == len(s):
		return 0, 0, significant <= 8 // cut before the ';'
	case s[i] != ';' || digits == 0 || significant > 8:
		return 0, 0, false
	}
	return r, i + 1, false
}

// decodePercent reads %HH as a byte (as \xNN: a byte above 0x7f that starts no UTF-8 sequence is
// the code point, as JavaScript's escape() writes it), and escape()'s %uXXXX as a UTF-16 code unit
// (a surrogate pair joined).
func decodePercent(s []byte, out []byte, alt *[]byte) ([]byte, int, bool) {
	if len(s) > 1 && s[1] == 'u' {
		return decodeUTF16(s, out, "%u")
	}
	return decodeByteEscapes(s, out, percentByte, alt)
}

// percentByte reads one %HH at the start of s.
func percentByte(s []byte) (byte, int, bool) {
	if len(s) < 3 {
		return 0, 0, (len(s) == 0 || s[0] == '%') && allHex(s[min(1, len(s)):])
	}
	hi, lo := unhex(s[1]), unhex(s[2])
	if s[0] != '%' || hi < 0 || lo < 0 {
		return 0, 0, false
	}
	return byte(hi<<4 | lo), 3, false
}

// hexRune reads exactly n hex digits at the start of s. short: s ends before n digits, all hex.
func hexRune(s []byte, n int) (r rune, ok, short bool) {
	if len(s) < n {
		return 0, false, allHex(s)
	}
	for _, c := range s[:n] {
		d := unhex(c)
		if d < 0 {
			return 0, false, false
		}
		r = r<<4 | rune(d)
	}
	return r, true, false
}

// validRune maps what no UTF-8 text can hold (surrogates, beyond U+10FFFF) to U+FFFD, as decoders do.
func validRune(r rune) rune {
	if !utf8.ValidRune(r) {
		return utf8.RuneError
	}
	return r
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func allHex(s []byte) bool {
	for _, c := range s {
		if unhex(c) < 0 {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// isPrefix reports whether s and p agree on their common length: s is a start of p, or starts with it.
func isPrefix(s []byte, p string) bool {
	n := min(len(s), len(p))
	return string(s[:n]) == p[:n]
}
