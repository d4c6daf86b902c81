// Package hubtest is a local stand-in for the file downloads of the Hugging Face Hub, for the tests
// of the huggingface example and for its no-account demo (../fakehub).
//
// It runs two HTTP servers, as the real service is two: the Hub, which answers
// GET|HEAD /{repo_id}/resolve/{revision}/{filename} only with "Authorization: Bearer <Token>", and a
// CDN on another host name (localhost, when the Hub is 127.0.0.1). Small files come straight from the
// Hub; files marked LFS get a 302 to a signed CDN URL, with the X-Linked-Size, X-Linked-Etag (sha256)
// and X-Repo-Commit headers of the real Hub. Like the S3 behind the real CDN, the CDN refuses a request
// that carries an Authorization header (400): a client must drop the token when it leaves the Hub.
// Both servers answer Range requests (206 with Content-Range, 416 past the end). Errors carry the
// Hub's X-Error-Code and X-Error-Message headers (RepoNotFound, RevisionNotFound, EntryNotFound,
// GatedRepo).
//
// Every request is recorded (Requests), and faults can be injected: FailNext, CutNext, StallNext,
// SetLinkedSize, SetChunked, SetCorrupt, SetIgnoreRange.
package hubtest

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// File is a file of a repository.
type File struct {
	Name string // path in the repository, such as "config.json" or "onnx/model.onnx"
	Data []byte
	LFS  bool // served through a redirect to the CDN, as files in Git LFS (or Xet) are on the Hub
}

// Repo is a model repository at one revision.
type Repo struct {
	ID        string   // "owner/name"
	Revision  string   // the branch it is on; "main" when empty
	Files     []File   //
	Gated     bool     // every file answers 403 with X-Error-Code GatedRepo
	FormerIDs []string // former names: answered with a relative 307 to the current name, as the Hub does
}

// Config configures Start.
type Config struct {
	Token   string    // the only Bearer token the Hub accepts; required
	Repos   []Repo    //
	HubAddr string    // listen address of the Hub; "127.0.0.1:0" when empty
	CDNAddr string    // listen address of the CDN; "127.0.0.1:0" when empty
	CDNHost string    // host name in the CDN's URLs; "localhost" when empty (it must resolve to CDNAddr's IP)
	TLS     bool      // serve the Hub over https with httptest's certificate (the CDN stays http)
	Log     io.Writer // when set, one line per request (never a token)
}

// Request is a request one of the servers received.
type Request struct {
	Server        string // "hub" or "cdn"
	Method        string
	Path          string // escaped path, without the query
	Range         string // the Range header
	Authorization string // the Authorization header, "" when absent
}

// Server is a running stand-in. Its methods are safe for concurrent use.
type Server struct {
	URL    string // the Hub's endpoint, for HF_ENDPOINT: http://127.0.0.1:port (https with TLS)
	CDNURL string // the CDN's base URL: http://localhost:port

	token string
	log   io.Writer
	hub   *httptest.Server
	cdn   *httptest.Server
	done  chan struct{} // closed by Close: releases stalled responses
	once  sync.Once

	mu          sync.Mutex
	repos       map[string]*Repo  // by current and former ID
	blobs       map[string]*File  // LFS files by sha256
	requests    []Request         //
	failures    []int             // statuses for the next Hub requests
	cuts        map[string]int64  // file name → bytes to send before dropping the connection, once
	stalls      map[string]*stall // file name → bytes to send before stalling, once
	linkedSizes map[string]int64  // file name → X-Linked-Size to announce instead of the true size
	chunked     map[string]bool   // file name → send without Content-Length
	corrupt     map[string]bool   // file name → flip a byte in the middle
	ignoreRange bool
}

type stall struct {
	after int64
	sent  chan struct{}
}

// Start starts a stand-in as cfg says.
func Start(cfg Config) (*Server, error) {
	if cfg.Token == "" {
		return nil, fmt.Errorf("hubtest: Config.Token is required")
	}
	s := &Server{
		token:       cfg.Token,
		log:         cfg.Log,
		done:        make(chan struct{}),
		repos:       map[string]*Repo{},
		blobs:       map[string]*File{},
		cuts:        map[string]int64{},
		stalls:      map[string]*stall{},
		linkedSizes: map[string]int64{},
		chunked:     map[string]bool{},
		corrupt:     map[string]bool{},
	}
	for i := range cfg.Repos {
		r := cfg.Repos[i]
		if r.Revision == "" {
			r.Revision = "main"
		}
		for _, id := range append([]string{r.ID}, r.FormerIDs...) {
			s.repos[id] = &r
		}
		for j := range r.Files {
			if f := &r.Files[j]; f.LFS {
				s.blobs[sha256Hex(f.Data)] = f
			}
		}
	}
	hubLn, err := listen(cfg.HubAddr)
	if err != nil {
		return nil, err
	}
	cdnLn, err := listen(cfg.CDNAddr)
	if err != nil {
		hubLn.Close()
		return nil, err
	}
	s.cdn = httptest.NewUnstartedServer(http.HandlerFunc(s.serveCDN))
	s.cdn.Listener.Close()
	s.cdn.Listener = cdnLn
	s.cdn.Start()
	host := cfg.CDNHost
	if host == "" {
		host = "localhost"
	}
	s.CDNURL = "http://" + net.JoinHostPort(host, strconv.Itoa(cdnLn.Addr().(*net.TCPAddr).Port))

	s.hub = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHub))
	s.hub.Listener.Close()
	s.hub.Listener = hubLn
	if cfg.TLS {
		s.hub.StartTLS()
	} else {
		s.hub.Start()
	}
	s.URL = s.hub.URL
	return s, nil
}

// NewServer starts a stand-in with default addresses that accepts token and serves repos. It panics
// when it cannot listen, as httptest.NewServer does.
func NewServer(token string, repos ...Repo) *Server {
	s, err := Start(Config{Token: token, Repos: repos})
	if err != nil {
		panic(err)
	}
	return s
}

func listen(addr string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("hubtest: listen on %s: %w", addr, err)
	}
	return ln, nil
}

// Client returns an HTTP client that trusts the Hub's certificate (with Config.TLS).
func (s *Server) Client() *http.Client { return s.hub.Client() }

// Close stops both servers, cutting stalled responses short.
func (s *Server) Close() {
	s.once.Do(func() { close(s.done) })
	s.hub.CloseClientConnections()
	s.cdn.CloseClientConnections()
	s.hub.Close()
	s.cdn.Close()
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// locked runs f with the server's lock held.
func (s *Server) locked(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f()
}

// FailNext makes the next n requests to the Hub answer status (with Retry-After: 0).
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures = append(s.failures, status)
	}
}

// CutNext makes the next response with the body of file send after bytes of it, then drop the
// connection: the client sees the body end early.
func (s *Server) CutNext(file string, after int64) { s.locked(func() { s.cuts[file] = after }) }

// StallNext makes the next response with the body of file send after bytes of it, then send nothing
// more until the client goes away. The channel is closed once the bytes are sent.
func (s *Server) StallNext(file string, after int64) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &stall{after: after, sent: make(chan struct{})}
	s.stalls[file] = st
	return st.sent
}

// SetLinkedSize makes the Hub announce size as the X-Linked-Size of the LFS file file.
func (s *Server) SetLinkedSize(file string, size int64) {
	s.locked(func() { s.linkedSizes[file] = size })
}

// SetChunked makes responses with the body of file omit Content-Length (chunked encoding).
func (s *Server) SetChunked(file string) { s.locked(func() { s.chunked[file] = true }) }

// SetCorrupt makes responses with the body of file serve it with one byte changed (same size).
func (s *Server) SetCorrupt(file string) { s.locked(func() { s.corrupt[file] = true }) }

// SetIgnoreRange makes both servers ignore Range headers and always send whole files (200).
func (s *Server) SetIgnoreRange(ignore bool) { s.locked(func() { s.ignoreRange = ignore }) }

func (s *Server) record(server string, r *http.Request) {
	rec := Request{
		Server:        server,
		Method:        r.Method,
		Path:          r.URL.EscapedPath(),
		Range:         r.Header.Get("Range"),
		Authorization: r.Header.Get("Authorization"),
	}
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	s.mu.Unlock()
	if s.log != nil {
		notes := "no Authorization header"
		if rec.Authorization != "" {
			notes = "with an Authorization header"
		}
		if rec.Range != "" {
			notes += ", Range: " + rec.Range
		}
		fmt.Fprintf(s.log, "%-3s %-4s %s (%s)\n", server, rec.Method, rec.Path, notes)
	}
}

func (s *Server) serveHub(w http.ResponseWriter, r *http.Request) {
	s.record("hub", r)
	s.mu.Lock()
	status := 0
	if len(s.failures) > 0 {
		status, s.failures = s.failures[0], s.failures[1:]
	}
	s.mu.Unlock()
	if status != 0 {
		w.Header().Set("Retry-After", "0")
		http.Error(w, http.StatusText(status), status)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.token {
		hubError(w, http.StatusUnauthorized, "", "Invalid credentials in Authorization header")
		return
	}
	repoID, revision, name, rest, ok := parseResolvePath(r.URL.EscapedPath())
	if !ok {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	repo := s.repos[repoID]
	s.mu.Unlock()
	switch {
	case repo == nil:
		hubError(w, http.StatusNotFound, "RepoNotFound", "Repository not found")
		return
	case repo.ID != repoID: // a former name: relative redirect on the Hub's own host
		w.Header().Set("Location", "/"+repo.ID+"/resolve/"+rest)
		w.WriteHeader(http.StatusTemporaryRedirect)
		return
	case repo.Gated:
		hubError(w, http.StatusForbidden, "GatedRepo",
			"Access to model "+repo.ID+" is restricted. You must have access to it and be authenticated to access it.")
		return
	case revision != repo.Revision && revision != commitOf(repo):
		hubError(w, http.StatusNotFound, "RevisionNotFound", "Invalid rev id: "+revision)
		return
	}
	var file *File
	for i := range repo.Files {
		if repo.Files[i].Name == name {
			file = &repo.Files[i]
		}
	}
	if file == nil {
		hubError(w, http.StatusNotFound, "EntryNotFound", "Entry not found")
		return
	}
	h := w.Header()
	h.Set("X-Repo-Commit", commitOf(repo))
	if !file.LFS {
		sum := sha1.Sum(append([]byte(fmt.Sprintf("blob %d\x00", len(file.Data))), file.Data...))
		h.Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`) // a git blob SHA-1, as the Hub sends for small files
		s.serveData(w, r, file)
		return
	}
	sum := sha256Hex(file.Data)
	size := int64(len(file.Data))
	s.mu.Lock()
	if n, ok := s.linkedSizes[file.Name]; ok {
		size = n
	}
	s.mu.Unlock()
	sig := sha256.Sum256([]byte(sum + s.token))
	h.Set("X-Linked-Size", strconv.FormatInt(size, 10))
	h.Set("X-Linked-Etag", `"`+sum+`"`)
	h.Set("ETag", `"`+sum+`"`)
	h.Set("Location", s.CDNURL+"/blobs/"+sum+"?X-Amz-Expires=3600&X-Amz-Signature="+hex.EncodeToString(sig[:8]))
	w.WriteHeader(http.StatusFound)
}

// parseResolvePath splits /{repo_id}/resolve/{revision}/{filename}; rest is what follows "resolve/",
// still escaped.
func parseResolvePath(escaped string) (repoID, revision, name, rest string, ok bool) {
	segs := strings.Split(strings.TrimPrefix(escaped, "/"), "/")
	at := -1
	for i, seg := range segs {
		if seg == "resolve" && (i == 1 || i == 2) {
			at = i
			break
		}
	}
	if at < 0 || len(segs) < at+3 {
		return "", "", "", "", false
	}
	var err error
	unescape := func(seg string) string {
		v, e := url.PathUnescape(seg)
		if e != nil {
			err = e
		}
		return v
	}
	ids := make([]string, at)
	for i := range at {
		ids[i] = unescape(segs[i])
	}
	revision = unescape(segs[at+1])
	names := make([]string, 0, len(segs)-at-2)
	for _, seg := range segs[at+2:] {
		names = append(names, unescape(seg))
	}
	if err != nil {
		return "", "", "", "", false
	}
	return strings.Join(ids, "/"), revision, strings.Join(names, "/"), strings.Join(segs[at+1:], "/"), true
}

func hubError(w http.ResponseWriter, status int, code, msg string) {
	h := w.Header()
	if code != "" {
		h.Set("X-Error-Code", code)
	}
	h.Set("X-Error-Message", msg)
	h.Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func (s *Server) serveCDN(w http.ResponseWriter, r *http.Request) {
	s.record("cdn", r)
	if r.Header.Get("Authorization") != "" {
		http.Error(w, "InvalidArgument: Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "+
			"Signature query string parameter or the Authorization header should be specified", http.StatusBadRequest)
		return
	}
	if r.URL.Query().Get("X-Amz-Signature") == "" {
		http.Error(w, "AccessDenied", http.StatusForbidden)
		return
	}
	s.mu.Lock()
	file := s.blobs[strings.TrimPrefix(r.URL.Path, "/blobs/")]
	s.mu.Unlock()
	if file == nil {
		http.NotFound(w, r)
		return
	}
	s.serveData(w, r, file)
}

// serveData sends file's data, or the range asked for, applying the faults set for it.
func (s *Server) serveData(w http.ResponseWriter, r *http.Request, file *File) {
	s.mu.Lock()
	cut, isCut := s.cuts[file.Name]
	delete(s.cuts, file.Name)
	st := s.stalls[file.Name]
	delete(s.stalls, file.Name)
	chunked, corrupt, ignoreRange := s.chunked[file.Name], s.corrupt[file.Name], s.ignoreRange
	s.mu.Unlock()

	data := file.Data
	if corrupt {
		data = bytes.Clone(data)
		data[len(data)/2] ^= 0xff
	}
	if ignoreRange {
		r.Header.Del("Range")
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	if !isCut && st == nil && !chunked {
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
		return
	}

	// By hand, to control what is sent. Only "bytes=N-" ranges, the kind downloaders send.
	start, status := int64(0), http.StatusOK
	if v := r.Header.Get("Range"); v != "" {
		n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(v, "bytes="), "-"), 10, 64)
		switch {
		case err != nil:
		case n >= int64(len(data)):
			w.Header().Set("Content-Range", "bytes */"+strconv.Itoa(len(data)))
			w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
			return
		default:
			start, status = n, http.StatusPartialContent
			w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", n, len(data)-1, len(data)))
		}
	}
	body := data[start:]
	if !chunked {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	flush := func() { _ = http.NewResponseController(w).Flush() }
	switch {
	case isCut:
		_, _ = w.Write(body[:min(cut, int64(len(body)))])
		flush()
		panic(http.ErrAbortHandler) // drops the connection, without a log line
	case st != nil:
		_, _ = w.Write(body[:min(st.after, int64(len(body)))])
		flush()
		close(st.sent)
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
	default: // chunked
		for len(body) > 0 {
			n := min(64<<10, len(body))
			if _, err := w.Write(body[:n]); err != nil {
				return
			}
			flush()
			body = body[n:]
		}
	}
}

func commitOf(r *Repo) string {
	sum := sha1.Sum([]byte(r.ID + "@" + r.Revision))
	return hex.EncodeToString(sum[:])
}

// Commit returns the commit hash the Hub reports (X-Repo-Commit) for the repository; a revision may
// name it too.
func Commit(r Repo) string {
	if r.Revision == "" {
		r.Revision = "main"
	}
	return commitOf(&r)
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// SHA256 returns the hex sha256 of b, as the Hub announces it for LFS files.
func SHA256(b []byte) string { return sha256Hex(b) }

// RandomBytes returns n pseudo-random bytes, the same for the same seed.
func RandomBytes(seed string, n int) []byte {
	key := sha256.Sum256([]byte(seed))
	b := make([]byte, n)
	_, _ = rand.NewChaCha8(key).Read(b)
	return b
}

// TinyModel is a repository with the files of a transformers model, small enough for tests: a
// config.json and tokenizer_config.json kept in git (served by the Hub itself), and a tokenizer.json
// and model.safetensors in LFS (redirected to the CDN). weights is the size of model.safetensors.
func TinyModel(id string, weights int) Repo {
	config := fmt.Sprintf(`{
  "_name_or_path": %q,
  "architectures": ["LlamaForCausalLM"],
  "hidden_size": 64,
  "num_attention_heads": 4,
  "num_hidden_layers": 2,
  "torch_dtype": "bfloat16",
  "vocab_size": 1024
}
`, id)
	tokenizerConfig := `{"bos_token": "<|begin_of_text|>", "eos_token": "<|end_of_text|>", "model_max_length": 2048}` + "\n"
	return Repo{
		ID: id,
		Files: []File{
			{Name: "config.json", Data: []byte(config)},
			{Name: "tokenizer.json", Data: RandomBytes(id+"/tokenizer.json", 1<<20+333), LFS: true},
			{Name: "tokenizer_config.json", Data: []byte(tokenizerConfig)},
			{Name: "model.safetensors", Data: RandomBytes(id+"/model.safetensors", weights), LFS: true},
		},
	}
}
