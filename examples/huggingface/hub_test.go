package main

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseEndpoint(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"":                             "https://huggingface.co",
		"  ":                           "https://huggingface.co",
		"https://huggingface.co/":      "https://huggingface.co",
		"https://hf-mirror.com":        "https://hf-mirror.com",
		"https://hub.example/prefix//": "https://hub.example/prefix",
		"http://127.0.0.1:8081":        "http://127.0.0.1:8081",
		// A plain-http localhost name is pinned to 127.0.0.1: never looked up, never proxied.
		"http://localhost:8081/":       "http://127.0.0.1:8081",
		"http://LocalHost:8081":        "http://127.0.0.1:8081",
		"http://hub.localhost:8081/x/": "http://127.0.0.1:8081/x",
		"http://hub.localhost":         "http://127.0.0.1:80",
		"https://hub.localhost:8443":   "https://hub.localhost:8443", // TLS: the certificate decides
		"http://[::1]:8081":            "http://[::1]:8081",
	} {
		u, err := parseEndpoint(raw)
		if assert.NoError(t, err, raw) {
			assert.Equal(t, want, u.String(), raw)
		}
	}
	for raw, want := range map[string]string{
		"http://huggingface.co":          "plain http would send the token in the clear",
		"http://localhost.example.com":   "plain http would send the token in the clear",
		"http://localhostx":              "plain http would send the token in the clear",
		"ftp://huggingface.co":           "want an https:// URL",
		"huggingface.co":                 "want an https:// URL",
		"https://":                       "has no host",
		"https://user:pw@huggingface.co": "user information",
		"https://huggingface.co/?x=1":    "query or fragment",
		"https://huggingface.co/#x":      "query or fragment",
		"https://huggingface.co/%zz":     "is not a URL",
	} {
		_, err := parseEndpoint(raw)
		if assert.Error(t, err, raw) {
			assert.Contains(t, err.Error(), want, raw)
			assert.NotContains(t, err.Error(), "pw@", "no password in errors")
		}
	}
}

func TestFileURL(t *testing.T) {
	t.Parallel()
	h := testHub(t, "https://hub.example/mirror/", "t")
	for _, tc := range []struct{ repo, revision, file, want string }{
		{"meta-llama/Llama-3.2-1B", "main", "config.json",
			"https://hub.example/mirror/meta-llama/Llama-3.2-1B/resolve/main/config.json"},
		{"gpt2", "main", "model.safetensors", "https://hub.example/mirror/gpt2/resolve/main/model.safetensors"},
		{"acme/m", "refs/pr/1", "onnx/model.onnx", "https://hub.example/mirror/acme/m/resolve/refs%2Fpr%2F1/onnx/model.onnx"},
		{"acme/m", "v1.0", "a b#?.json", "https://hub.example/mirror/acme/m/resolve/v1.0/a%20b%23%3F.json"},
	} {
		got := h.fileURL(tc.repo, tc.revision, tc.file)
		assert.Equal(t, tc.want, got)
		u, err := url.Parse(got)
		if assert.NoError(t, err) {
			assert.Empty(t, u.RawQuery, "nothing of a name may end up in the query")
		}
	}
}

// testHub is a hub at endpoint with token, read from secret HF_TOKEN.
func testHub(t *testing.T, endpoint, token string) *hub {
	t.Helper()
	u, err := parseEndpoint(endpoint)
	require.NoError(t, err)
	return newHub(u, token, "HF_TOKEN", nil)
}

func TestHostKey(t *testing.T) {
	t.Parallel()
	key := func(raw string) string {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		return hostKey(u)
	}
	assert.Equal(t, key("https://HuggingFace.co/x"), key("https://huggingface.co:443/y"))
	assert.NotEqual(t, key("http://127.0.0.1:1"), key("http://127.0.0.1:2"))
	assert.NotEqual(t, key("https://huggingface.co"), key("https://cdn-lfs.huggingface.co"))
	assert.NotEqual(t, key("https://huggingface.co"), key("http://huggingface.co"))
}

func getRequest(t *testing.T, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	return req
}

// redirect runs the redirect policy on a hop from via to target, as http.Client does: it copies the
// first request's headers (Authorization included) and sets Response to the redirect.
func redirect(t *testing.T, h *hub, meta *fileMeta, target string, via ...string) (*http.Request, error) {
	t.Helper()
	var chain []*http.Request
	for _, v := range via {
		chain = append(chain, getRequest(t, v))
	}
	req := getRequest(t, target)
	req.Header.Set("Authorization", "Bearer secret-token")
	req.Header.Set("Range", "bytes=10-")
	req.Response = &http.Response{
		StatusCode: http.StatusFound,
		Request:    chain[len(chain)-1],
		Header: http.Header{
			"X-Linked-Size": {"1234"},
			"X-Linked-Etag": {`"` + strings.Repeat("ab", 32) + `"`},
			"X-Repo-Commit": {"0123abc"},
		},
	}
	return req, h.checkRedirect(meta)(req, chain)
}

func TestRedirectPolicy(t *testing.T) {
	t.Parallel()
	h := testHub(t, "https://huggingface.co", "secret-token")
	hubURL := "https://huggingface.co/acme/m/resolve/main/model.safetensors"

	t.Run("to the CDN: no token, metadata recorded", func(t *testing.T) {
		t.Parallel()
		meta := &fileMeta{linkedSize: -1}
		req, err := redirect(t, h, meta, "https://cdn-lfs.huggingface.co/repos/x?sig=1", hubURL)
		require.NoError(t, err)
		assert.Empty(t, req.Header.Get("Authorization"))
		assert.Equal(t, "bytes=10-", req.Header.Get("Range"), "the range follows the redirect")
		assert.Equal(t, fileMeta{linkedSize: 1234, sha256: strings.Repeat("ab", 32), commit: "0123abc"}, *meta)
	})
	t.Run("a subdomain or another port is another host", func(t *testing.T) {
		t.Parallel()
		for _, target := range []string{"https://sub.huggingface.co/x", "https://huggingface.co:8443/x"} {
			req, err := redirect(t, h, &fileMeta{}, target, hubURL)
			require.NoError(t, err)
			assert.Empty(t, req.Header.Get("Authorization"), target)
		}
	})
	t.Run("on the Hub itself: the token stays", func(t *testing.T) {
		t.Parallel()
		req, err := redirect(t, h, &fileMeta{}, "https://HUGGINGFACE.co:443/acme/renamed/resolve/main/x", hubURL)
		require.NoError(t, err)
		assert.Equal(t, "Bearer secret-token", req.Header.Get("Authorization"))
	})
	t.Run("the CDN's headers are not the Hub's", func(t *testing.T) {
		t.Parallel()
		meta := &fileMeta{linkedSize: -1}
		_, err := redirect(t, h, meta, "https://other.example/y", "https://cdn.example/x")
		require.NoError(t, err)
		assert.Equal(t, fileMeta{linkedSize: -1}, *meta)
	})
	t.Run("https to http is refused", func(t *testing.T) {
		t.Parallel()
		_, err := redirect(t, h, &fileMeta{}, "http://cdn.example/x", hubURL)
		require.Error(t, err)
		assert.Equal(t, "refused a redirect from https to http://cdn.example: it would downgrade the download to plain http", err.Error())
		_, err = redirect(t, h, &fileMeta{}, "http://cdn.example/x", "http://127.0.0.1/a", "https://huggingface.co/b")
		assert.Error(t, err, "the last hop decides")
	})
	t.Run("at most 10 redirects", func(t *testing.T) {
		t.Parallel()
		via := make([]string, maxRedirects)
		for i := range via {
			via[i] = hubURL
		}
		_, err := redirect(t, h, &fileMeta{}, hubURL, via...)
		assert.EqualError(t, err, "stopped after 10 redirects")
	})
}

func TestSHA256FromETag(t *testing.T) {
	t.Parallel()
	sum := strings.Repeat("0f", 32)
	assert.Equal(t, sum, sha256FromETag(`"`+sum+`"`))
	assert.Equal(t, sum, sha256FromETag(`W/"`+strings.ToUpper(sum)+`"`))
	assert.Empty(t, sha256FromETag(`"`+strings.Repeat("0f", 20)+`"`), "a git blob SHA-1")
	assert.Empty(t, sha256FromETag(`"`+strings.Repeat("zz", 32)+`"`))
	assert.Empty(t, sha256FromETag(""))
}

func TestStatusErrorNeverHoldsTheToken(t *testing.T) {
	t.Parallel()
	const token = "hf_SuperSecretTokenValue1234567890"
	h := testHub(t, "https://huggingface.co", token)
	resp := &http.Response{
		StatusCode: http.StatusUnauthorized,
		Request:    getRequest(t, "https://huggingface.co/acme/m/resolve/main/config.json"),
		Header:     http.Header{"X-Error-Code": {"RepoNotFound"}},
		Body:       io.NopCloser(strings.NewReader(`{"error":"bad token ` + token + `\n"}`)),
	}
	err := h.statusError(resp, "acme/m", "main", "config.json")
	assert.Equal(t, "the token in secret HF_TOKEN was refused by https://huggingface.co (HTTP 401): check it has access to acme/m; "+
		"the Hub also answers this way for a repository that does not exist: check -repo (server said: bad token [REDACTED])", err.Error())

	// A refusal by the CDN is about its signed URL, not the token.
	resp = &http.Response{StatusCode: http.StatusForbidden, Request: getRequest(t, "https://cdn-lfs.hf.co/blob?X-Amz-Signature=abc"), Header: http.Header{}, Body: http.NoBody}
	err = h.statusError(resp, "acme/m", "main", "model.safetensors")
	assert.Equal(t, "model.safetensors: the download server cdn-lfs.hf.co answered HTTP 403 Forbidden after the Hub's redirect", err.Error())
}

// TestStatusErrorMasksEscapedEchoes: a token the server (or a proxy) quotes escaped or cut short, in
// X-Error-Message or in the body's error, is masked like the token as written.
func TestStatusErrorMasksEscapedEchoes(t *testing.T) {
	t.Parallel()
	const token = "hf_SuperSecret/Token+Value1234567890"
	h := testHub(t, "https://huggingface.co", token)
	req := getRequest(t, "https://huggingface.co/acme/m/resolve/main/config.json")
	echoes := map[string]string{
		"URL escapes":      url.QueryEscape(token),
		"HTML references":  strings.NewReplacer("_", "&#95;", "/", "&#x2F;", "+", "&#43;").Replace(token),
		"JSON escapes":     strings.NewReplacer("/", `\/`, "+", `+`).Replace(token),
		"Go and C escapes": strings.NewReplacer("_", `\x5f`, "+", `\053`).Replace(token),
		"cut short":        token[:len(token)/2],
	}
	for name, echo := range echoes {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, resp := range []*http.Response{
				{StatusCode: http.StatusUnauthorized, Request: req, Body: http.NoBody,
					Header: http.Header{"X-Error-Message": {"invalid token " + echo}}},
				{StatusCode: http.StatusInternalServerError, Request: req, Header: http.Header{},
					Body: io.NopCloser(strings.NewReader(`{"error":` + strconv.Quote("invalid token "+echo) + `}`))},
			} {
				err := h.statusError(resp, "acme/m", "main", "config.json")
				require.Error(t, err)
				assert.Contains(t, err.Error(), "[REDACTED]")
				for _, part := range []string{token, echo, token[:8], "SuperSecret"} {
					assert.NotContains(t, err.Error(), part)
				}
			}
		})
	}
}

func TestStripURLDropsTheQuery(t *testing.T) {
	t.Parallel()
	err := stripURL(&url.Error{Op: "Get", URL: "https://cdn.example/blob?X-Amz-Signature=abc", Err: io.ErrUnexpectedEOF})
	assert.Equal(t, `Get "https://cdn.example/blob": unexpected EOF`, err.Error())
}
