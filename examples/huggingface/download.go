package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// partSuffix marks a file being downloaded; it is renamed into place once complete and verified.
const partSuffix = ".incomplete"

// downloader fetches the files of one repository at one revision into dir.
type downloader struct {
	hub          *hub
	repo         string
	revision     string
	dir          string
	retries      int           // further attempts after a transient failure
	retryWait    time.Duration // wait before the first retry; doubles each time
	stallTimeout time.Duration // an attempt that receives nothing for this long is abandoned and retried
	progress     *progress
	buf          []byte
}

// outcome is what happened to one file.
type outcome struct {
	path     string
	size     int64
	upToDate bool // already in place: nothing downloaded
}

// Errors of one attempt, by what the download loop does next.
type (
	// transientError: the connection failed, the body was cut short, the server was unwell: retry,
	// resuming from what is on disk.
	transientError struct{ err error }
	// corruptError: the partial file cannot become the file (too long, wrong sha256): delete it.
	corruptError struct{ err error }
)

func (e *transientError) Error() string { return e.err.Error() }
func (e *transientError) Unwrap() error { return e.err }
func (e *corruptError) Error() string   { return e.err.Error() }
func (e *corruptError) Unwrap() error   { return e.err }

// errStartOver: the partial file is not a prefix of the file on the server; it was emptied, and the
// next request asks for the whole file. It costs no retry.
var errStartOver = errors.New("start over")

// errStalled is the cause of an attempt abandoned by the stall watchdog.
var errStalled = errors.New("no data received")

// partial is the .incomplete file and what is known about it.
type partial struct {
	f        *os.File // nil until there is something to write, unless the file was there
	path     string
	size     int64     // bytes in the file
	expected int64     // the file's size as the servers announced it, -1 when unknown
	sha256   string    // the file's sha256 as the Hub announced it, "" when unknown
	hash     hash.Hash // sha256 of f's size bytes, when sha256 is known (nil: to be computed)
}

// fetch downloads file unless an up-to-date copy is in place, resuming a partial download left by an
// earlier run. The file is renamed into place only once complete and verified.
func (d *downloader) fetch(ctx context.Context, file string) (*outcome, error) {
	dest := filepath.Join(d.dir, filepath.FromSlash(file))
	fileURL := d.hub.fileURL(d.repo, d.revision, file)

	if fi, err := os.Stat(dest); err == nil {
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("%s exists and is not a regular file", dest)
		}
		current, err := d.upToDate(ctx, file, fileURL, fi.Size())
		if err != nil || current {
			return &outcome{path: dest, size: fi.Size(), upToDate: current}, err
		}
	}

	// The partial file, and the directories above it, are created with the first byte received: a
	// refused token or a wrong name leaves nothing behind.
	p := &partial{path: dest + partSuffix, expected: -1}
	if _, err := os.Stat(p.path); err == nil {
		if err := p.open(); err != nil {
			return nil, err
		}
		fi, err := p.f.Stat()
		if err != nil {
			p.f.Close()
			return nil, err
		}
		p.size = fi.Size()
	}

	d.progress.begin(file, p.size)
	err := d.download(ctx, file, fileURL, p)
	if err == nil {
		err = p.open() // for an empty file, nothing was written
	}
	if err == nil {
		err = p.verify(file)
	}
	if err == nil {
		err = p.f.Sync()
	}
	if p.f != nil {
		if cerr := p.f.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = os.Rename(p.path, dest)
	}
	if err != nil {
		d.progress.fail()
		var corrupt *corruptError
		switch {
		case ctx.Err() != nil && p.size == 0:
			err = fmt.Errorf("%s: interrupted before the first byte: %w", file, ctx.Err())
		case ctx.Err() != nil:
			err = fmt.Errorf("%s: interrupted with %s on disk in %s; run the same command again to resume: %w",
				file, formatBytes(p.size), p.path, ctx.Err())
		case errors.As(err, &corrupt):
			if rerr := os.Remove(p.path); rerr == nil {
				err = fmt.Errorf("%w; removed %s, the next run downloads it afresh", err, p.path)
			}
		case p.size > 0:
			err = fmt.Errorf("%w (%s kept in %s: the next run resumes from there)", err, formatBytes(p.size), p.path)
		case p.f != nil:
			_ = os.Remove(p.path) // nothing to resume
		}
		return nil, err
	}
	var notes []string
	switch {
	case p.sha256 != "":
		notes = append(notes, "sha256 verified")
	case p.expected >= 0:
		notes = append(notes, "size verified")
	default:
		notes = append(notes, "size not announced, not verified")
	}
	d.progress.done(notes...)
	return &outcome{path: dest, size: p.size}, nil
}

// upToDate asks the Hub (HEAD, as huggingface_hub does) for the size of file and compares it with the
// copy in place. A copy of unknown expected size is kept. Hashes are not recomputed for files in place.
func (d *downloader) upToDate(ctx context.Context, file, fileURL string, size int64) (bool, error) {
	resp, meta, err := d.hub.do(ctx, http.MethodHead, fileURL, 0)
	if err != nil {
		return false, fmt.Errorf("%s: checking the copy in place: %w", file, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, d.hub.statusError(resp, d.repo, d.revision, file)
	}
	want := meta.linkedSize
	if want < 0 {
		want = resp.ContentLength
	}
	switch {
	case want < 0:
		d.progress.skip(file, fmt.Sprintf("in place (%s; the Hub announced no size to compare)", formatBytes(size)))
		return true, nil
	case want == size:
		d.progress.skip(file, fmt.Sprintf("up to date (%s)", formatBytes(size)))
		return true, nil
	}
	d.progress.note("%s: the copy in place has %s, the Hub's has %s: downloading it again", file, formatBytes(size), formatBytes(want))
	return false, nil
}

// download runs attempts until the partial file holds the whole file, retrying transient failures.
func (d *downloader) download(ctx context.Context, file, fileURL string, p *partial) error {
	startedOver := false
	for retry := 0; ; {
		err := d.attempt(ctx, file, fileURL, p)
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, errStartOver) && !startedOver:
			startedOver = true
			d.progress.note("%s: the partial download does not match the file on the server: starting over", file)
			continue
		}
		var transient *transientError
		var he *hubError
		retryable := errors.As(err, &transient) || (errors.As(err, &he) && he.retryable)
		if !retryable || retry >= d.retries {
			return err
		}
		retry++
		wait := d.retryWait << (retry - 1)
		d.progress.note("%v; retrying in %s (retry %d of %d)", err, formatDuration(wait), retry, d.retries)
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// attempt makes one request and appends what it receives to the partial file: from its end when it
// holds something (Range: bytes=<size>-; 206 appends, 200 starts over, 416 means it is complete when
// its size is the file's), else from the start.
func (d *downloader) attempt(ctx context.Context, file, fileURL string, p *partial) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// The watchdog abandons an attempt that receives nothing for stallTimeout, headers included.
	stall := time.AfterFunc(d.stallTimeout, func() { cancel(errStalled) })
	defer stall.Stop()
	failed := func(what string, err error) error {
		if context.Cause(ctx) == errStalled {
			err = fmt.Errorf("%w for %s", errStalled, d.stallTimeout)
		}
		return &transientError{fmt.Errorf("%s: %s after %s: %w", file, what, formatBytes(p.size), err)}
	}

	resp, meta, err := d.hub.do(ctx, http.MethodGet, fileURL, p.size)
	if err != nil {
		return failed("request failed", err)
	}
	defer resp.Body.Close()

	total := int64(-1) // the size of the whole file, according to this response
	switch resp.StatusCode {
	case http.StatusOK:
		if p.size > 0 { // the server ignored Range and sent the whole file: start over
			if err := p.truncate(); err != nil {
				return err
			}
			d.progress.note("%s: the server sent the whole file instead of the rest: starting over", file)
		}
		total = resp.ContentLength
	case http.StatusPartialContent:
		start, tot, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok || start != p.size {
			if err := p.truncate(); err != nil {
				return err
			}
			return fmt.Errorf("%s: asked for bytes from %d on, got Content-Range %q: %w",
				file, p.size, resp.Header.Get("Content-Range"), errStartOver)
		}
		total = tot
	case http.StatusRequestedRangeNotSatisfiable:
		_, tot, _ := parseContentRange(resp.Header.Get("Content-Range"))
		want, err := expectedSize(file, tot, meta.linkedSize)
		if err != nil {
			return err
		}
		if want >= 0 && want == p.size { // complete: an earlier run stopped before renaming it
			p.expected, p.sha256 = want, meta.sha256
			d.progress.update(p.size, want)
			return nil
		}
		if err := p.truncate(); err != nil {
			return err
		}
		return fmt.Errorf("%s: the server has no bytes after the %d on disk: %w", file, p.size, errStartOver)
	default:
		return d.hub.statusError(resp, d.repo, d.revision, file)
	}

	want, err := expectedSize(file, total, meta.linkedSize)
	if err != nil {
		return err
	}
	p.expected, p.sha256 = want, meta.sha256
	if p.sha256 != "" && p.hash == nil {
		stall.Stop() // reading gigabytes back from disk is no network stall
		if err := p.rehash(); err != nil {
			return err
		}
		stall.Reset(d.stallTimeout)
	}
	d.progress.update(p.size, want)

	if d.buf == nil {
		d.buf = make([]byte, 256<<10)
	}
	for {
		n, rerr := resp.Body.Read(d.buf)
		stall.Reset(d.stallTimeout)
		if n > 0 {
			if want >= 0 && p.size+int64(n) > want {
				return &corruptError{fmt.Errorf("%s: the server sent more than the %d bytes announced", file, want)}
			}
			if err := p.write(d.buf[:n]); err != nil {
				return err
			}
			d.progress.add(n)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return failed("connection lost", rerr)
		}
	}
	if want >= 0 && p.size < want {
		return &transientError{fmt.Errorf("%s: the download ended after %d of the %d bytes announced", file, p.size, want)}
	}
	return nil
}

// expectedSize reconciles the size of the file announced by the response (Content-Length of a 200,
// the total of a Content-Range) with the Hub's X-Linked-Size (LFS files): -1 when neither is known, an
// error when they disagree.
func expectedSize(file string, fromResponse, linked int64) (int64, error) {
	switch {
	case fromResponse >= 0 && linked >= 0 && fromResponse != linked:
		return 0, fmt.Errorf("%s: size mismatch: the Hub announced %d bytes (X-Linked-Size), the download server sends %d",
			file, linked, fromResponse)
	case fromResponse >= 0:
		return fromResponse, nil
	default:
		return linked, nil
	}
}

// parseContentRange reads "bytes <start>-<end>/<total>" and "bytes */<total>"; total is -1 for "*".
func parseContentRange(v string) (start, total int64, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(v), "bytes ")
	if !found {
		return 0, -1, false
	}
	span, size, found := strings.Cut(rest, "/")
	if !found {
		return 0, -1, false
	}
	total = -1
	if size != "*" {
		n, err := strconv.ParseInt(size, 10, 64)
		if err != nil || n < 0 {
			return 0, -1, false
		}
		total = n
	}
	if span == "*" {
		return 0, total, true
	}
	from, to, found := strings.Cut(span, "-")
	if !found {
		return 0, -1, false
	}
	start, err1 := strconv.ParseInt(from, 10, 64)
	end, err2 := strconv.ParseInt(to, 10, 64)
	if err1 != nil || err2 != nil || start < 0 || end < start || (total >= 0 && end >= total) {
		return 0, -1, false
	}
	return start, total, true
}

// open opens the partial file, creating it and its directories when needed.
func (p *partial) open() error {
	if p.f != nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p.path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p.path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	p.f = f
	return nil
}

func (p *partial) write(b []byte) error {
	if err := p.open(); err != nil {
		return err
	}
	n, err := p.f.WriteAt(b, p.size)
	if p.hash != nil {
		p.hash.Write(b[:n])
	}
	p.size += int64(n)
	return err
}

func (p *partial) truncate() error {
	p.size, p.hash = 0, nil
	if p.f == nil {
		return nil
	}
	return p.f.Truncate(0)
}

// rehash computes the sha256 of what is on disk, before appending to it.
func (p *partial) rehash() error {
	h := sha256.New()
	if p.size > 0 {
		if _, err := io.Copy(h, io.NewSectionReader(p.f, 0, p.size)); err != nil {
			return err
		}
	}
	p.hash = h
	return nil
}

// verify checks the complete partial file against the size and sha256 the servers announced.
func (p *partial) verify(file string) error {
	if p.expected >= 0 && p.size != p.expected {
		return fmt.Errorf("%s: got %d bytes, expected %d", file, p.size, p.expected)
	}
	if p.sha256 == "" {
		return nil
	}
	if p.hash == nil {
		if err := p.rehash(); err != nil {
			return err
		}
	}
	if got := hex.EncodeToString(p.hash.Sum(nil)); got != p.sha256 {
		return &corruptError{fmt.Errorf("%s: sha256 mismatch: the file has %s, the Hub announced %s (X-Linked-Etag)", file, got, p.sha256)}
	}
	return nil
}
