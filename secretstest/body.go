package secretstest

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/helios-secrets/go-secrets/internal/validate"
)

// maxBodyBytes bounds request bodies: room for a MaxValueBytes value however it is JSON-escaped.
const maxBodyBytes = 8 * validate.MaxValueBytes

// maxPreallocBytes bounds the buffer allocated up front from a declared Content-Length: memory
// follows the bytes that arrive, not what a client declares, beyond this.
const maxPreallocBytes = 1 << 20

// errUnauthenticatedBody marks the body of a request without a valid token: it is never read, so
// that connections nobody authenticated cannot pin memory or a handler.
var errUnauthenticatedBody = errors.New("body of an unauthenticated request not read")

// readBody reads the whole request body through the size limit. Reading it up front also lets
// net/http notice at once when the client goes away (it watches the connection only once the body is
// consumed), which SetLatency relies on. The buffer starts at the declared length (at most
// maxPreallocBytes) and grows with what is received.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > maxBodyBytes {
		return nil, &http.MaxBytesError{Limit: maxBodyBytes} // refuse without reading it
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(min(r.ContentLength, maxPreallocBytes)) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	return buf.Bytes(), err
}

// hasBody reports whether the request announces a body (a declared length, or chunked).
func hasBody(r *http.Request) bool {
	return r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0
}

// decodeBody decodes the body read by readBody into v. It returns a non-nil error reply when the
// body was too large (413), could not be read, is not labelled application/json, is not valid
// UTF-8, holds an escaped lone surrogate, or is not one JSON object (400).
func (c *call) decodeBody(v any) *reply {
	refuse := func(status int, msg string) *reply {
		rep := fail(status, msg)
		return &rep
	}
	if c.bodyErr != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(c.bodyErr, &tooLarge) {
			return refuse(http.StatusRequestEntityTooLarge, "request body is too large")
		}
		return refuse(http.StatusBadRequest, "request body could not be read")
	}
	if !isJSONContentType(c.r.Header.Get("Content-Type")) {
		return refuse(http.StatusBadRequest, "request body must be sent as Content-Type: application/json")
	}
	data := bytes.TrimSpace(c.body)
	if len(data) == 0 || data[0] != '{' {
		return refuse(http.StatusBadRequest, "request body must be a JSON object")
	}
	if !utf8.Valid(data) || hasLoneSurrogate(data) {
		return refuse(http.StatusBadRequest, "request body is not valid UTF-8 JSON")
	}
	if err := json.Unmarshal(data, v); err != nil {
		return refuse(http.StatusBadRequest, "request body is not valid JSON for this endpoint")
	}
	return nil
}

// isJSONContentType accepts application/json with any parameters, case-insensitively, as long as a
// charset, when given, is UTF-8 (JSON exchanged between systems must be UTF-8: RFC 8259 §8.1).
// A missing header, text/plain, form encodings and other JSON-like types are refused.
func isJSONContentType(header string) bool {
	mediaType, params, err := mime.ParseMediaType(header)
	if err != nil || mediaType != "application/json" {
		return false
	}
	charset, given := params["charset"]
	return !given || strings.EqualFold(charset, "utf-8") || strings.EqualFold(charset, "utf8")
}

// hasLoneSurrogate reports whether a JSON text escapes a UTF-16 surrogate that is not half of a
// pair (`"\ud800"`, `"\udc00x"`). encoding/json would store such an escape as U+FFFD, a character
// nobody sent; a strict service refuses it, and so does the emulator. It scans string literals only
// and leaves other malformations to the JSON decoder.
func hasLoneSurrogate(data []byte) bool {
	inString := false
	for i := 0; i < len(data); i++ {
		switch b := data[i]; {
		case !inString:
			inString = b == '"'
		case b == '"':
			inString = false
		case b == '\\':
			if i+1 >= len(data) {
				return false
			}
			if data[i+1] != 'u' {
				i++ // a one-character escape such as \" or \\
				continue
			}
			r, ok := hex4(data, i+2)
			if !ok {
				return false // malformed: the decoder refuses it
			}
			i += 5
			switch {
			case r >= 0xdc00 && r <= 0xdfff:
				return true // a low surrogate with no high one before it
			case r >= 0xd800 && r <= 0xdbff:
				low, ok := hex4(data, i+3)
				if i+2 >= len(data) || data[i+1] != '\\' || data[i+2] != 'u' || !ok || low < 0xdc00 || low > 0xdfff {
					return true
				}
				i += 6
			}
		}
	}
	return false
}

// hex4 decodes the four hexadecimal digits at data[at:].
func hex4(data []byte, at int) (rune, bool) {
	if at < 0 || at+4 > len(data) {
		return 0, false
	}
	var r rune
	for _, c := range data[at : at+4] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
