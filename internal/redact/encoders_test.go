package redact_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// An encoder writes text the way some server, library or proxy quotes it (without the quotes), and
// decode is its exact inverse written with the standard library where one exists. They are written
// apart from the package, which must mask every one of them without knowing which was used.
type encoder struct {
	name   string
	encode func(string) string
	decode func(string) (string, bool)
}

var encoders = []encoder{
	{"raw", func(s string) string { return s }, func(s string) (string, bool) { return s, true }},
	{"json (Go, HTML-safe)", func(s string) string { return goJSON(s, true) }, unJSON},
	{"json (Go, no HTML escaping)", func(s string) string { return goJSON(s, false) }, unJSON},
	{"json ASCII-only lower-case (Python)", func(s string) string { return asciiJSON(goJSON(s, false), "\\u%04x") }, unJSON},
	{"json ASCII-only upper-case (Java)", func(s string) string { return asciiJSON(goJSON(s, true), "\\u%04X") }, unJSON},
	{"json with \\/ (PHP, org.json)", func(s string) string { return strings.ReplaceAll(goJSON(s, false), "/", `\/`) }, unJSON},
	{"json every non-alphanumeric as \\uXXXX (.NET)", dotNetJSON, unJSON},
	{"json with raw U+2028 (Node)", nodeJSON, unJSON},
	{"html (Go html.EscapeString)", html.EscapeString, unHTML},
	{"html (PHP htmlspecialchars, &#039;)", phpHTML, unHTML},
	{"html every character decimal", func(s string) string { return numericHTML(s, "&#%d;") }, unHTML},
	{"html every character hex", func(s string) string { return numericHTML(s, "&#x%X;") }, unHTML},
	{"html UTF-16 units (naive JavaScript)", utf16HTML, unHTML},
	{"html named where one exists", namedHTML, unHTML},
	{"go %q", goQuote(strconv.Quote), unGoQuote},
	{"go %+q", goQuote(strconv.QuoteToASCII), unGoQuote},
	{"c octal bytes", octalBytes, unC},
	{"c hex bytes", hexBytes, unC},
	{"url query", url.QueryEscape, noErr(url.QueryUnescape)},
	{"url every byte", percentAll, noErr(url.PathUnescape)},
	{"javascript escape()", jsEscape, unJSEscape},
}

// chain applies encoders in order: chain(a, b) is b's quoting of a's.
func chain(es ...encoder) encoder {
	var names []string
	for _, e := range es {
		names = append(names, e.name)
	}
	return encoder{
		name: strings.Join(names, " then "),
		encode: func(s string) string {
			for _, e := range es {
				s = e.encode(s)
			}
			return s
		},
		decode: func(s string) (string, bool) {
			for i := len(es) - 1; i >= 0; i-- {
				var ok bool
				if s, ok = es[i].decode(s); !ok {
					return "", false
				}
			}
			return s, true
		},
	}
}

// encoderChains is every encoder alone, every pair, and JSON escaped three times, HTML around it.
func encoderChains() []encoder {
	out := append([]encoder(nil), encoders[1:]...)
	for _, a := range encoders[1:] {
		for _, b := range encoders[1:] {
			out = append(out, chain(a, b))
		}
	}
	return append(out, chain(encoders[1], encoders[3], encoders[8]), chain(encoders[5], encoders[14], encoders[2]))
}

func goJSON(s string, escapeHTML bool) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s)
	out := strings.TrimSuffix(buf.String(), "\n")
	return out[1 : len(out)-1]
}

func unJSON(s string) (string, bool) {
	var out string
	err := json.Unmarshal([]byte(`"`+s+`"`), &out)
	return out, err == nil
}

// asciiJSON writes the non-ASCII characters of a JSON string as UTF-16 \u escapes.
func asciiJSON(escaped, format string) string {
	var b strings.Builder
	for _, r := range escaped {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, format+format, r1, r2)
		default:
			fmt.Fprintf(&b, format, r)
		}
	}
	return b.String()
}

func dotNetJSON(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && isAlnum(r):
			b.WriteRune(r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04X\u%04X`, r1, r2)
		default:
			fmt.Fprintf(&b, `\u%04X`, r)
		}
	}
	return b.String()
}

// nodeJSON is JSON.stringify: only ", \ and control characters escaped; U+2028 stays raw.
func nodeJSON(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func unHTML(s string) (string, bool) { return html.UnescapeString(s), true }

func phpHTML(s string) string {
	return strings.NewReplacer("&", "&amp;", `"`, "&quot;", "'", "&#039;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func numericHTML(s, format string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, format, r)
	}
	return b.String()
}

func utf16HTML(s string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "&#%d;", u)
	}
	return b.String()
}

func namedHTML(s string) string {
	named := map[rune]string{'&': "&amp;", '<': "&lt;", '>': "&gt;", '"': "&quot;", '\'': "&apos;",
		0xa0: "&nbsp;", 'é': "&eacute;", 'ä': "&auml;", '©': "&copy;", '€': "&euro;", '/': "&sol;", '+': "&plus;", '=': "&equals;"}
	var b strings.Builder
	for _, r := range s {
		if n, ok := named[r]; ok {
			b.WriteString(n)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func goQuote(quote func(string) string) func(string) string {
	return func(s string) string {
		q := quote(s)
		return q[1 : len(q)-1]
	}
}

func unGoQuote(s string) (string, bool) {
	out, err := strconv.Unquote(`"` + s + `"`)
	return out, err == nil
}

// octalBytes writes every byte outside printable ASCII, and the backslash and quote, as \NNN.
func octalBytes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '\\' || c == '"' {
			fmt.Fprintf(&b, `\%03o`, c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// hexBytes writes every byte outside printable ASCII as \xNN (nginx, Python bytes), \ as \\.
func hexBytes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' || c == '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// unC reads the escapes octalBytes and hexBytes write.
func unC(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		switch {
		case i+1 < len(s) && (s[i+1] == '\\' || s[i+1] == '"'):
			b.WriteByte(s[i+1])
			i++
		case i+3 < len(s) && s[i+1] == 'x':
			v, err := strconv.ParseUint(s[i+2:i+4], 16, 8)
			if err != nil {
				return "", false
			}
			b.WriteByte(byte(v))
			i += 3
		case i+3 < len(s):
			v, err := strconv.ParseUint(s[i+1:i+4], 8, 8)
			if err != nil {
				return "", false
			}
			b.WriteByte(byte(v))
			i += 3
		default:
			return "", false
		}
	}
	return b.String(), true
}

func noErr(f func(string) (string, error)) func(string) (string, bool) {
	return func(s string) (string, bool) {
		out, err := f(s)
		return out, err == nil
	}
}

// jsEscape is JavaScript's escape(): %XX below U+0100, %uXXXX (UTF-16) above, letters, digits and
// @*_+-./ as they are.
func jsEscape(s string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		switch {
		case u < 0x80 && (isAlnum(rune(u)) || strings.ContainsRune("@*_+-./", rune(u))):
			b.WriteByte(byte(u))
		case u < 0x100:
			fmt.Fprintf(&b, "%%%02X", u)
		default:
			fmt.Fprintf(&b, "%%u%04X", u)
		}
	}
	return b.String()
}

// unJSEscape is JavaScript's unescape().
func unJSEscape(s string) (string, bool) {
	var units []uint16
	for i := 0; i < len(s); {
		switch {
		case s[i] == '%' && i+5 < len(s) && s[i+1] == 'u':
			v, err := strconv.ParseUint(s[i+2:i+6], 16, 16)
			if err != nil {
				return "", false
			}
			units = append(units, uint16(v))
			i += 6
		case s[i] == '%' && i+2 < len(s):
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return "", false
			}
			units = append(units, uint16(v))
			i += 3
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			units = append(units, utf16.Encode([]rune{r})...)
			i += size
		}
	}
	return string(utf16.Decode(units)), true
}

func percentAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

func isAlnum(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}
