package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/helios-secrets/go-secrets/examples/huggingface/internal/hubtest"
)

func TestDownloadsEveryFileByteForByte(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	require.NoError(t, f.run())

	for _, name := range defaultFiles {
		f.assertFile(name)
	}
	// The two LFS files went through the CDN, without the token (checked after every test).
	assert.Len(t, f.requests("cdn", http.MethodGet), 2)
	assert.Len(t, f.requests("hub", http.MethodGet), 4)
	assert.Contains(t, f.stdout.String(), f.dir+": 4 files of acme/tiny-llama, 4.2 MB (4 downloaded, 0 already up to date)")
}

func TestProgressIsOneLinePerFileWhenNotATerminal(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	require.NoError(t, f.run())

	out := f.stderr.String()
	assert.NotContains(t, out, "\r")
	got := lines(out)
	require.Len(t, got, 5, out)
	assert.Contains(t, got[0], "Downloading 4 files from "+f.hub.URL+"/acme/tiny-llama (revision main)")
	assert.Contains(t, got[0], "with the token in secret HF_TOKEN")
	for i, want := range []string{
		"config.json: 208 B in ",
		"tokenizer.json: 1.0 MB in ",
		"tokenizer_config.json: 93 B in ",
		"model.safetensors: 3.2 MB in ",
	} {
		assert.True(t, strings.HasPrefix(got[i+1], want), "line %q, want prefix %q", got[i+1], want)
	}
	// LFS files are verified with the sha256 the Hub announces; git files by their size.
	assert.True(t, strings.HasSuffix(got[1], ", size verified"), got[1])
	assert.True(t, strings.HasSuffix(got[2], ", sha256 verified"), got[2])
	assert.True(t, strings.HasSuffix(got[4], ", sha256 verified"), got[4])
	assert.Regexp(t, `\(\d+(\.\d)? [kMG]?B/s\)`, got[4])
}

func TestProgressBarOnATerminalDuringADownload(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.sys.terminal = true
	require.NoError(t, f.run("-files", "config.json,"+weights))

	out := f.stderr.String()
	assert.Contains(t, out, "\r")
	// Each bar is replaced by its file's summary, which ends the line.
	var summaries []string
	for _, line := range lines(out)[1:] {
		summaries = append(summaries, strings.TrimSpace(line[strings.LastIndex(line, "\r")+1:]))
	}
	require.Len(t, summaries, 2, out)
	assert.Regexp(t, `^config\.json: 208 B in .*, size verified$`, summaries[0])
	assert.Regexp(t, `^model\.safetensors: 3\.2 MB in .*, sha256 verified$`, summaries[1])
	f.assertFile(weights)
}

func TestSecondRunChecksSizesWithHeadRequests(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	require.NoError(t, f.run())
	before := len(f.hub.Requests())

	// A copy in place whose size differs from the Hub's is fetched again.
	require.NoError(t, os.WriteFile(f.path("config.json"), []byte("{}"), 0o644))
	require.NoError(t, f.run())

	f.assertFile("config.json")
	var methods []string
	for _, r := range f.hub.Requests()[before:] {
		if r.Server == "hub" {
			methods = append(methods, r.Method)
		}
	}
	assert.Equal(t, []string{"HEAD", "GET", "HEAD", "HEAD", "HEAD"}, methods)
	assert.Contains(t, f.stderr.String(), "config.json: the copy in place has 2 B, the Hub's has 208 B: downloading it again")
	assert.Contains(t, f.stderr.String(), "model.safetensors: up to date (3.2 MB)")
	assert.Contains(t, f.stdout.String(), "(1 downloaded, 3 already up to date)")
}

// TestPartialFileIsResumedOrStartedOver: a .part file left by an earlier run is resumed with a Range
// request that follows the redirect, and started over when it cannot be the start of the file.
func TestPartialFileIsResumedOrStartedOver(t *testing.T) {
	t.Parallel()
	data, config := fileData(t, weights), fileData(t, "config.json")
	complete := []string{fmt.Sprintf("bytes=%d-", len(data))}
	for _, tc := range []struct {
		name        string
		file        string
		part        []byte
		ignoreRange bool     // the servers answer a Range request with the whole file (200)
		cdn, hub    []string // the Range headers each server received
		stderr      string
	}{
		{"resumed through the CDN", weights, data[:1<<20], false,
			[]string{"bytes=1048576-"}, []string{"bytes=1048576-"}, "resumed at 1.0 MB, sha256 verified"},
		{"small file resumed from the Hub", "config.json", config[:100], false,
			nil, []string{"bytes=100-"}, "resumed at 100 B, size verified"},
		// The CDN answers 416, the Hub's X-Linked-Size matches, the sha256 too: renamed into place.
		{"already complete", weights, data, false, complete, complete, ""},
		{"larger than the file", weights, hubtest.RandomBytes("stale", 4<<20), false,
			[]string{"bytes=4194304-", ""}, []string{"bytes=4194304-", ""}, "does not match the file on the server: starting over"},
		// Wrong bytes in the partial file: appending the whole file to them would be caught, so this
		// proves the 200 truncated them.
		{"server ignoring Range", weights, hubtest.RandomBytes("junk", 1000), true,
			[]string{"bytes=1000-"}, []string{"bytes=1000-"}, "the server sent the whole file instead of the rest: starting over"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.hub.SetIgnoreRange(tc.ignoreRange)
			require.NoError(t, os.MkdirAll(f.dir, 0o755))
			require.NoError(t, os.WriteFile(f.path(tc.file)+partSuffix, tc.part, 0o644))

			require.NoError(t, f.run("-files", tc.file))

			f.assertFile(tc.file)
			assert.Equal(t, tc.cdn, f.ranges("cdn"))
			assert.Equal(t, tc.hub, f.ranges("hub"), "the Range header follows the redirect")
			assert.Contains(t, f.stderr.String(), tc.stderr)
		})
	}
}

func TestCutDownloadResumesOnTheNextRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.hub.CutNext(weights, 1<<20)

	err := f.run("-files", weights, "-retries", "0")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "model.safetensors: connection lost after 1.0 MB")
	assert.Contains(t, err.Error(), "kept in "+f.path(weights)+partSuffix+": the next run resumes from there")
	assert.NoFileExists(t, f.path(weights))
	fi, err := os.Stat(f.path(weights) + partSuffix)
	require.NoError(t, err)
	assert.EqualValues(t, 1<<20, fi.Size())

	f.assertNextRunResumesWeightsAt1MB()
}

func TestCutDownloadIsRetriedWithinTheRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.hub.CutNext(weights, 1<<20)

	require.NoError(t, f.run("-files", weights))

	f.assertFile(weights)
	assert.Equal(t, []string{"", "bytes=1048576-"}, f.ranges("cdn"))
	assert.Contains(t, f.stderr.String(), "model.safetensors: connection lost after 1.0 MB: unexpected EOF; retrying in 1ms (retry 1 of 3)")
}

func TestServerErrorsAreRetried(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.hub.FailNext(2, http.StatusServiceUnavailable)
	require.NoError(t, f.run("-files", "config.json"))
	f.assertFile("config.json")
	assert.Contains(t, f.stderr.String(), "config.json: HTTP 503 Service Unavailable from 127.0.0.1:")
	assert.Contains(t, f.stderr.String(), "(retry 2 of 3)")

	f.hub.FailNext(3, http.StatusBadGateway)
	err := f.run("-files", "tokenizer_config.json", "-retries", "2")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "tokenizer_config.json: HTTP 502 Bad Gateway")
	assert.NoFileExists(t, f.path("tokenizer_config.json"))
}

// TestMismatchIsNotRenamedIntoPlace: a download whose size or sha256 is not the one the Hub announced
// never takes the file's name; the partial file is kept only when it may be resumed.
func TestMismatchIsNotRenamedIntoPlace(t *testing.T) {
	t.Parallel()
	data := fileData(t, weights)
	size := int64(len(data))
	noRetry := []string{"-retries", "0"}
	for _, tc := range []struct {
		name string
		edit func(*hubtest.Server)
		args []string
		want []string // in the error
		part string   // the .part file: "kept" (the whole body), "removed", or "" (not checked)
	}{
		{"announced size differs from Content-Length", func(h *hubtest.Server) { h.SetLinkedSize(weights, size+1000) }, noRetry,
			[]string{fmt.Sprintf("size mismatch: the Hub announced %d bytes (X-Linked-Size), the download server sends %d", size+1000, size)}, ""},
		// Chunked: the CDN sends no Content-Length, so the mismatch shows only at the end.
		{"body shorter than announced", func(h *hubtest.Server) { h.SetLinkedSize(weights, size+1000); h.SetChunked(weights) }, noRetry,
			[]string{fmt.Sprintf("the download ended after %d of the %d bytes announced", size, size+1000)}, "kept"},
		{"body longer than announced", func(h *hubtest.Server) { h.SetLinkedSize(weights, size-1000); h.SetChunked(weights) }, noRetry,
			[]string{fmt.Sprintf("the server sent more than the %d bytes announced; removed", size-1000)}, "removed"},
		// A corrupt partial file is removed, not resumed.
		{"sha256 differs from the announced one", func(h *hubtest.Server) { h.SetCorrupt(weights) }, nil,
			[]string{"model.safetensors: sha256 mismatch: the file has ", "the Hub announced " + hubtest.SHA256(data) + " (X-Linked-Etag)"}, "removed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			tc.edit(f.hub)
			err := f.run(append([]string{"-files", weights}, tc.args...)...)
			require.Error(t, err)
			for _, want := range tc.want {
				assert.Contains(t, err.Error(), want)
			}
			assert.NoFileExists(t, f.path(weights))
			switch tc.part {
			case "kept":
				fi, err := os.Stat(f.path(weights) + partSuffix)
				require.NoError(t, err)
				assert.Equal(t, size, fi.Size())
			case "removed":
				assert.NoFileExists(t, f.path(weights)+partSuffix)
			}
		})
	}
}

func TestWrongTokenIsExplainedWithoutTheToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.wrongKey = true
	const wrong = "hf_WrongToken9876543210zyxwvutsrqpo"
	_, err := f.admin.Secrets.Create(context.Background(), "OTHER_HF_TOKEN", wrong)
	require.NoError(t, err)

	err = f.run("-secret", "OTHER_HF_TOKEN")
	require.Error(t, err)
	assert.Equal(t, "the token in secret OTHER_HF_TOKEN was refused by "+f.hub.URL+" (HTTP 401): check it has access to acme/tiny-llama"+
		" (server said: Invalid credentials in Authorization header)", err.Error())
	assert.NotContains(t, err.Error()+f.stderr.String()+f.stdout.String(), wrong)
	assert.NoDirExists(t, f.dir, "nothing created on disk")
	assert.Len(t, f.requests("hub"), 1, "no retry of a 401")
}

func TestSecretFlagNamesAnotherSecret(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	require.NoError(t, f.admin.Secrets.Delete(context.Background(), mustSecretID(t, f, "HF_TOKEN")))
	f.setSecret("TEAM_HF_TOKEN", hfToken+"\n") // pasted with its newline: trimmed

	require.NoError(t, f.run("-secret", "TEAM_HF_TOKEN", "-files", "config.json"))
	f.assertFile("config.json")
	assert.Contains(t, f.stderr.String(), "with the token in secret TEAM_HF_TOKEN")
}

func mustSecretID(t *testing.T, f *fixture, name string) string {
	t.Helper()
	s, err := f.admin.Secrets.GetByName(context.Background(), name)
	require.NoError(t, err)
	return s.ID
}

func TestHubErrorsNameTheFileOrRepository(t *testing.T) {
	t.Parallel()
	gated := hubtest.TinyModel("meta-llama/Gated-1B", 1000)
	gated.Gated = true
	f := newFixture(t, func(c *hubtest.Config) { c.Repos = append(c.Repos, gated) })
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-files", "missing.json"},
			`file "missing.json" not found in acme/tiny-llama at revision "main" (HTTP 404 from ` + f.hub.URL + `) (server said: Entry not found)`},
		{[]string{"-files", "model.safetensors", "-revision", "v2"},
			`revision "v2" not found in acme/tiny-llama (HTTP 404 from ` + f.hub.URL + `)`},
		{[]string{"-repo", "acme/missing"},
			`repository acme/missing not found on ` + f.hub.URL + ` (HTTP 404)`},
		{[]string{"-repo", "meta-llama/Gated-1B"},
			`the token in secret HF_TOKEN was refused by ` + f.hub.URL + ` (HTTP 403): check it has access to meta-llama/Gated-1B; ` +
				`meta-llama/Gated-1B is gated: accept its terms at ` + f.hub.URL + `/meta-llama/Gated-1B, signed in as the token's owner`},
	} {
		err := f.run(tc.args...)
		if assert.Error(t, err, tc.args) {
			assert.Contains(t, err.Error(), tc.want)
		}
	}
	// Sharded checkpoints have no model.safetensors: the error says what to do.
	hf := hubtest.TinyModel("acme/sharded", 1000)
	hf.Files = hf.Files[:3]
	g := newFixture(t, func(c *hubtest.Config) { c.Repos = []hubtest.Repo{hf} })
	err := g.run("-repo", "acme/sharded")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "large models are often sharded: pass -files with model.safetensors.index.json")
}

func TestRevisionMayBeACommit(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	require.NoError(t, f.run("-files", "config.json", "-revision", hubtest.Commit(tinyModel())))
	f.assertFile("config.json")
}

func TestRenamedRepositoryKeepsTheTokenOnTheHub(t *testing.T) {
	t.Parallel()
	repo := tinyModel()
	repo.FormerIDs = []string{"acme/old-llama"}
	f := newFixture(t, func(c *hubtest.Config) { c.Repos = []hubtest.Repo{repo} })

	require.NoError(t, f.run("-repo", "acme/old-llama", "-files", "config.json,"+weights))

	f.assertFile("config.json")
	f.assertFile(weights)
	var paths []string
	for _, r := range f.requests("hub") {
		paths = append(paths, r.Path)
	}
	assert.Equal(t, []string{
		"/acme/old-llama/resolve/main/config.json", "/acme/tiny-llama/resolve/main/config.json",
		"/acme/old-llama/resolve/main/model.safetensors", "/acme/tiny-llama/resolve/main/model.safetensors",
	}, paths) // each one with the token: checked after the test
}

func TestTokenIsDroppedForAnotherPortOfTheSameHost(t *testing.T) {
	t.Parallel()
	// The CDN on 127.0.0.1 too, on another port: net/http alone would keep the Authorization header
	// (it compares host names only), and the CDN would answer 400.
	f := newFixture(t, func(c *hubtest.Config) { c.CDNHost = "127.0.0.1" })
	require.True(t, strings.HasPrefix(f.hub.CDNURL, "http://127.0.0.1:"))

	require.NoError(t, f.run("-files", weights))

	f.assertFile(weights)
	assert.Len(t, f.requests("cdn"), 1)
}

func TestHTTPSToHTTPRedirectIsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *hubtest.Config) { c.TLS = true })
	f.sys.transport = f.hub.Client().Transport
	require.True(t, strings.HasPrefix(f.hub.URL, "https://"))

	err := f.run("-files", "config.json,"+weights, "-retries", "0")
	require.Error(t, err)
	f.assertFile("config.json") // over https from the Hub itself
	assert.Contains(t, err.Error(), "refused a redirect from https to http://localhost:")
	assert.NotContains(t, err.Error(), "X-Amz-Signature", "no signed URL in errors")
	assert.NoFileExists(t, f.path(weights))
	assert.Empty(t, f.requests("cdn"))
}

func TestFilesInSubdirectories(t *testing.T) {
	t.Parallel()
	repo := hubtest.Repo{ID: repoID, Files: []hubtest.File{
		{Name: "onnx/model.onnx", Data: hubtest.RandomBytes("onnx", 300_000), LFS: true},
		{Name: "weird name+.json", Data: []byte(`{}`)},
		{Name: "pkg/__init__.py", Data: []byte{}},
	}}
	f := newFixture(t, func(c *hubtest.Config) { c.Repos = []hubtest.Repo{repo} })

	require.NoError(t, f.run("-files", "onnx/model.onnx, weird name+.json,pkg/__init__.py"))

	for _, file := range repo.Files {
		got, err := os.ReadFile(f.path(file.Name))
		require.NoError(t, err)
		assert.Equal(t, file.Data, got)
	}
	assert.Equal(t, "/acme/tiny-llama/resolve/main/weird%20name+.json", f.requests("hub")[1].Path)
}

func TestCancelLeavesThePartialFileForTheNextRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const sent = 1 << 20
	stalled := f.hub.StallNext(weights, sent)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- f.runCtx(ctx, "-files", weights) }()

	// Ctrl-C once the stalled response's first megabyte is on disk.
	select {
	case <-stalled:
	case err := <-errc:
		t.Fatalf("run ended before the stall: %v", err)
	}
	part := f.path(weights) + partSuffix
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		if fi, err := os.Stat(part); err == nil && fi.Size() == sent {
			break
		}
		require.True(t, time.Now().Before(deadline), "the first megabyte never reached the disk")
	}
	cancel()
	err := <-errc
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.Canceled), err)
	assert.Contains(t, err.Error(), "model.safetensors: interrupted with 1.0 MB on disk in "+part+"; run the same command again to resume")
	assert.NoFileExists(t, f.path(weights))

	f.assertNextRunResumesWeightsAt1MB()
}

func TestStalledDownloadIsAbandonedAndResumed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.sys.stallTimeout = 100 * time.Millisecond
	f.hub.StallNext(weights, 100_000)

	// Plenty of retries: on a loaded machine the short watchdog may also fire during normal transfer.
	require.NoError(t, f.run("-files", weights, "-retries", "10"))

	f.assertFile(weights)
	ranges := f.ranges("cdn")
	require.GreaterOrEqual(t, len(ranges), 2)
	assert.Empty(t, ranges[0])
	var from int
	_, err := fmt.Sscanf(ranges[1], "bytes=%d-", &from)
	require.NoError(t, err, ranges[1])
	assert.True(t, from > 0 && from <= 100_000, "resumed from %d, at most what was sent before the stall", from)
	assert.Contains(t, f.stderr.String(), "no data received for 100ms; retrying in 1ms (retry 1 of 10)")
}

// assertNextRunResumesWeightsAt1MB: after a first run broke off after 1 MB of the weights, the next
// run completes them from there.
func (f *fixture) assertNextRunResumesWeightsAt1MB() {
	f.t.Helper()
	require.NoError(f.t, f.run("-files", weights))
	f.assertFile(weights)
	assert.Equal(f.t, []string{"", "bytes=1048576-"}, f.ranges("cdn"))
}
