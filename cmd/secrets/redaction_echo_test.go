package main

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"

	secrets "github.com/helios-secrets/go-secrets"
)

// TestErrorsQuoteNoEscapedValue: what `secrets create` and `secrets update` print when the server
// answers with an error that quotes the value sent (HTML-escaped, .NET-escaped, Go-quoted, JSON
// escaped twice, or cut mid-value) holds no copy of it: the command prints the SDK's errors, which
// are masked however the value was escaped.
func TestErrorsQuoteNoEscapedValue(t *testing.T) {
	t.Parallel()
	const marker = "CliEcho_41b7"
	const value = marker + `"<&>'+/\ü🔑`
	encoders := map[string]func(string) string{
		"html": html.EscapeString,
		"json twice": func(s string) string {
			b, _ := json.Marshal(s)
			b, _ = json.Marshal(string(b))
			return string(b[3 : len(b)-3])
		},
		".NET": func(s string) string {
			var b strings.Builder
			for _, u := range utf16.Encode([]rune(s)) {
				fmt.Fprintf(&b, `\u%04X`, u)
			}
			return b.String()
		},
		"go %q": func(s string) string { q := strconv.Quote(s); return q[1 : len(q)-1] },
	}
	for name, encode := range encoders {
		for _, cut := range []bool{false, true} {
			t.Run(fmt.Sprint(name, " cut=", cut), func(t *testing.T) {
				t.Parallel()
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Method == http.MethodGet { // the name look-up before an update
						_, _ = io.WriteString(w, `{"secrets":[{"secretID":"0b0f6d35-5a3c-4c59-9f53-2c5e0d6b9a11","name":"DB_PASSWORD"}]}`)
						return
					}
					var sent struct{ Value string }
					_ = json.NewDecoder(r.Body).Decode(&sent)
					body := "refused " + encode(sent.Value) + " (policy)"
					if cut {
						body = body[:len("refused ")+len(encode(marker))+3]
					}
					w.Header().Set("Content-Type", "text/plain")
					w.WriteHeader(http.StatusBadRequest)
					_, _ = io.WriteString(w, body)
				}))
				t.Cleanup(srv.Close)
				environ := []string{secrets.EnvManagementToken + "=tok_cli_0123456789", secrets.EnvManagementBaseURL + "=" + srv.URL}
				for _, args := range [][]string{{"create", "DB_PASSWORD"}, {"update", "DB_PASSWORD"}} {
					got := invoke(t, environ, value, args...)
					assert.NotEqual(t, 0, got.code, "%v", args)
					assert.Contains(t, got.stderr, "[REDACTED]", "%v", args)
					for _, form := range []string{marker, encode(marker), marker[:6]} {
						assert.NotContains(t, got.stderr+got.stdout, form, "%v", args)
					}
				}
			})
		}
	}
}
