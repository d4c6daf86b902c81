package secrets_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// The live suite's recording transport: it sits under the SDK's retry layer (through
// WithHTTPClient) and keeps, for every attempt, what the service did: method, path with IDs
// replaced, the names of the query parameters, status, content type, the names of the response
// headers that carry a request ID, and the JSON shape of the body (key names and entry counts only).
// It never keeps a value, a body, a token, a query value or a header value.

// liveExchange is one attempt as the recorder saw it.
type liveExchange struct {
	Method    string
	Path      string   // IDs replaced by {id}
	Params    []string // names of the query parameters, sorted
	Status    int      // 0 when no response came
	Type      string   // Content-Type, without parameters
	IDHeaders []string // names of response headers that carry a request ID
	Shape     string   // JSON shape of the body: {key,key:[{…}]} with key names only; "" if not JSON
	Entries   int      // entries of the list the body is (bare, or inside a one-key object); -1 if none
	WithValue int      // of those entries, how many have a "value" key
}

type liveRecorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	log  []liveExchange
}

// liveMaxShapeBody bounds the bodies the recorder reads to work out a shape.
const liveMaxShapeBody = 8 << 20

func (r *liveRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	ex := liveExchange{Method: req.Method, Path: liveIDPattern.ReplaceAllString(req.URL.Path, "{id}"), Entries: -1}
	for name := range req.URL.Query() {
		ex.Params = append(ex.Params, name)
	}
	slices.Sort(ex.Params)
	resp, err := r.base.RoundTrip(req)
	if err == nil {
		ex.Status = resp.StatusCode
		ex.Type, _, _ = strings.Cut(resp.Header.Get("Content-Type"), ";")
		for name := range resp.Header {
			if liveRequestIDHeader.MatchString(name) {
				ex.IDHeaders = append(ex.IDHeaders, name)
			}
		}
		slices.Sort(ex.IDHeaders)
		if resp.Body != nil && resp.ContentLength <= liveMaxShapeBody {
			data, readErr := io.ReadAll(io.LimitReader(resp.Body, liveMaxShapeBody+1))
			_ = resp.Body.Close()
			resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(data), &liveErrReader{readErr}))
			if readErr == nil && len(data) <= liveMaxShapeBody {
				ex.Shape, ex.Entries, ex.WithValue = liveShape(data)
			}
		}
	}
	r.mu.Lock()
	r.log = append(r.log, ex)
	r.mu.Unlock()
	return resp, err
}

// liveErrReader hands the body's reader the error reading it first met, after the bytes read.
type liveErrReader struct{ err error }

func (e *liveErrReader) Read([]byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return 0, io.EOF
}

// since returns the exchanges recorded after the first n, and the count so far.
func (r *liveRecorder) since(n int) ([]liveExchange, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]liveExchange(nil), r.log[min(n, len(r.log)):]...), len(r.log)
}

func (r *liveRecorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.log)
}

var (
	liveIDPattern       = regexp.MustCompile(`[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}`)
	liveRequestIDHeader = regexp.MustCompile(`(?i)request-?id|trace|correlation`)
)

// liveShape describes a JSON body by its key names only, and counts the entries of the list it is
// (a bare array, or the array of an object with a single key) and those with a "value" key.
func liveShape(data []byte) (shape string, entries, withValue int) {
	var v any
	if json.Unmarshal(data, &v) != nil {
		return "", -1, 0
	}
	entries = -1
	list, isList := v.([]any)
	if obj, ok := v.(map[string]any); ok && len(obj) == 1 {
		for _, inner := range obj {
			list, isList = inner.([]any)
		}
	}
	if isList {
		entries = len(list)
		for _, item := range list {
			if obj, ok := item.(map[string]any); ok {
				if _, has := obj["value"]; has {
					withValue++
				}
			}
		}
	}
	return liveShapeOf(v, 0), entries, withValue
}

func liveShapeOf(v any, depth int) string {
	if depth > 4 {
		return "…"
	}
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k, inner := range x {
			switch inner.(type) {
			case map[string]any, []any:
				keys = append(keys, k+":"+liveShapeOf(inner, depth+1))
			default:
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		return "{" + strings.Join(keys, ",") + "}"
	case []any:
		if len(x) == 0 {
			return "[]"
		}
		// The union of the entries' keys: a key only some entries have is still seen.
		union := map[string]any{}
		for _, item := range x {
			obj, ok := item.(map[string]any)
			if !ok {
				return "[" + liveShapeOf(item, depth+1) + "]"
			}
			for k, inner := range obj {
				union[k] = inner
			}
		}
		return "[" + liveShapeOf(union, depth+1) + "]"
	case string:
		return "string"
	case nil:
		return "null"
	default:
		return "scalar"
	}
}
