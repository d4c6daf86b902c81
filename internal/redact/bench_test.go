package redact_test

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/helios-secrets/go-secrets/internal/redact"
)

// Error bodies are cut at 64 KiB: the benchmarks mask bodies of that size. Plain text takes one
// search; a body dense with every family of escapes (the worst case: every reading is decoded) must
// stay within a small multiple of it, and twice the text must take about twice the time.
func BenchmarkBytes(b *testing.B) {
	const size = 64 << 10
	bodies := map[string]string{
		"plain":         strings.Repeat(`{"message":"conflict"} `, size/23),
		"json-escaped":  strings.Repeat(`{"m":"a\"b\\c\u00e4\ud83d\udd11"} `, size/36),
		"every-family":  strings.Repeat(`\u0026amp;%2B&#x27;\\x41+&lt;\303\244 `, size/38),
		"every-family2": strings.Repeat(`\u0026amp;%2B&#x27;\\x41+&lt;\303\244 `, 2*size/38),
	}
	rng := rand.New(rand.NewSource(1))
	random := make([]byte, size) // escapes of every family at random, most of them half-formed
	for i := range random {
		random[i] = `\&#%+;xuU{}0123456789abcdefABCDEF"'<>/ampltg`[rng.Intn(44)]
	}
	bodies["random-escapes"] = string(random)
	for _, name := range []string{"plain", "json-escaped", "every-family", "every-family2", "random-escapes"} {
		body := []byte(bodies[name])
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				_ = redact.Bytes(body, "tok_0123456789abcdef", `p'a"s<s>&w+o/r\d`)
			}
		})
	}
}
