package secrets

import (
	"errors"
	"io"
	"net/http"
	"sync"

	"github.com/helios-secrets/go-secrets/internal/retry"
)

var errBodyTooLarge = errors.New("response body is larger than any valid response")

// Sizes of the buffer a 2xx body is read into.
const (
	// firstBodyRead is the most the buffer holds before any byte has arrived: a Content-Length is a
	// claim, and trusting it up front would let a server that declares 256 MiB and sends 12 bytes
	// make every call allocate 256 MiB.
	firstBodyRead = 16 << 10
	// bodyGrowth is the factor the buffer grows by when full. A large factor keeps the bytes copied
	// while growing small (an honest 5 MiB body read into a fresh buffer costs about 1.2 times its
	// size, where doubling would cost 2.5), and what a lying server can make the client hold stays
	// bounded by what it sent: at most bodyGrowth times the bytes received, plus firstBodyRead.
	bodyGrowth = 8
	// maxPooledBuffer: buffers that grew past it are let go rather than kept alive by the pool.
	maxPooledBuffer = 8 << 20
)

// bodyBuffer is the pooled buffer 2xx bodies are read into: a body is only needed until it is
// decoded, and decoding copies what it keeps, so a steady stream of reads allocates no read buffers.
type bodyBuffer struct{ b []byte }

var bodyBuffers = sync.Pool{New: func() any { return new(bodyBuffer) }}

func getBuffer() *bodyBuffer { return bodyBuffers.Get().(*bodyBuffer) }

func putBuffer(bb *bodyBuffer) {
	if cap(bb.b) <= maxPooledBuffer {
		bb.b = bb.b[:0]
		bodyBuffers.Put(bb)
	}
}

// read reads a 2xx body, refusing one over limit, and returns its bytes (backed by bb until bb is
// put back). The buffer grows with what arrives: it starts at firstBodyRead at most and grows
// bodyGrowth times when full, never past the Content-Length (which the transport enforces: a body
// never exceeds it) nor past limit. So memory follows the bytes a server sends, not those it
// declares, and an honest body of n bytes with a Content-Length ends in a buffer of exactly n (a
// pooled buffer that is already large enough is used as is). A declared length over limit is refused before
// reading; a stream that goes past limit, just after the limit.
func (bb *bodyBuffer) read(resp *http.Response, limit int64) ([]byte, error) {
	defer resp.Body.Close()
	declared := resp.ContentLength
	if declared > limit {
		return nil, retry.Permanent(invalidResponse(errBodyTooLarge))
	}
	end := limit + 1 // one byte past the limit tells a body over it
	if declared >= 0 {
		end = declared
	}
	data, err := readGrowing(resp.Body, bb.b[:0], end)
	bb.b = data[:0]
	if err != nil {
		return nil, err
	}
	if declared >= 0 && int64(len(data)) < declared {
		return nil, io.ErrUnexpectedEOF
	}
	if int64(len(data)) > limit {
		return nil, retry.Permanent(invalidResponse(errBodyTooLarge))
	}
	return data, nil
}

// readGrowing appends to data what r yields, up to end bytes in all, until io.EOF, growing the slice
// geometrically with what has arrived (see bodyBuffer.read).
func readGrowing(r io.Reader, data []byte, end int64) ([]byte, error) {
	for int64(len(data)) < end {
		if len(data) == cap(data) {
			next := min(max(bodyGrowth*int64(cap(data)), firstBodyRead), end)
			grown := make([]byte, len(data), next)
			copy(grown, data)
			data = grown
		}
		room := data[len(data):min(int64(cap(data)), end)]
		n, err := r.Read(room)
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return data, err
		}
	}
	return data, nil
}
