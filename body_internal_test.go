package secrets

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func bodyResponse(r io.Reader, declared int64) *http.Response {
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(r), ContentLength: declared}
}

// TestBodyBuffer_Read: every split of the body into reads gives the same bytes; an honest
// Content-Length ends in a buffer of exactly that size; a body cut short of it is io.ErrUnexpectedEOF;
// a body over the limit is ErrInvalidResponse, declared or streamed.
func TestBodyBuffer_Read(t *testing.T) {
	t.Parallel()
	const limit = 1 << 20
	for _, size := range []int{0, 1, firstBodyRead - 1, firstBodyRead, firstBodyRead + 1, 200_000, limit} {
		body := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
		readers := map[string]func() io.Reader{
			"whole":       func() io.Reader { return bytes.NewReader(body) },
			"byte a time": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(body)) },
			"half":        func() io.Reader { return iotest.HalfReader(bytes.NewReader(body)) },
			"data+EOF":    func() io.Reader { return iotest.DataErrReader(bytes.NewReader(body)) },
		}
		for name, reader := range readers {
			if name == "byte a time" && size > 200_000 {
				continue
			}
			for _, declared := range []int64{int64(size), -1} {
				bb := &bodyBuffer{}
				got, err := bb.read(bodyResponse(reader(), declared), limit)
				require.NoError(t, err, "%d bytes, %s, declared %d", size, name, declared)
				assert.Equal(t, string(body), string(got), "%d bytes, %s, declared %d", size, name, declared)
				if declared >= 0 {
					assert.Equal(t, size, cap(bb.b), "an honest length ends in a buffer of that size")
				}
			}
		}
	}

	bb := &bodyBuffer{}
	_, err := bb.read(bodyResponse(strings.NewReader("{\"secrets\":["), 1<<30), limit)
	assert.ErrorIs(t, err, ErrInvalidResponse, "a declared length over the limit is refused before reading")
	assert.Zero(t, cap(bb.b))

	_, err = bb.read(bodyResponse(strings.NewReader("{\"secrets\":["), limit), limit)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "a body cut short of its length")
	assert.LessOrEqual(t, cap(bb.b), firstBodyRead, "a declared length is not trusted up front")

	_, err = bb.read(bodyResponse(io.LimitReader(zeros{}, limit+1), -1), limit)
	assert.ErrorIs(t, err, ErrInvalidResponse, "a stream past the limit")

	cut := errors.New("connection reset")
	_, err = bb.read(bodyResponse(io.MultiReader(strings.NewReader("{\"sec"), iotest.ErrReader(cut)), -1), limit)
	assert.ErrorIs(t, err, cut)
}

// TestBodyBuffer_GrowsWithWhatArrives: the buffer is at most bodyGrowth times the bytes received
// (or firstBodyRead), whatever the declaration, and a pooled buffer large enough is reused as is.
func TestBodyBuffer_GrowsWithWhatArrives(t *testing.T) {
	t.Parallel()
	for _, received := range []int{12, firstBodyRead, 100_000, 3 << 20} {
		bb := &bodyBuffer{}
		_, err := bb.read(bodyResponse(io.LimitReader(zeros{}, int64(received)), 256<<20), 256<<20)
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		assert.LessOrEqual(t, cap(bb.b), max(bodyGrowth*received, firstBodyRead), "%d bytes received", received)
	}
	bb := &bodyBuffer{b: make([]byte, 0, 1<<20)}
	data, err := bb.read(bodyResponse(io.LimitReader(zeros{}, 500_000), 500_000), 256<<20)
	require.NoError(t, err)
	assert.Len(t, data, 500_000)
	assert.Equal(t, 1<<20, cap(bb.b), "the pooled buffer, not a new one")
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }
