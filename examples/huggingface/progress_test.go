package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// fakeClock advances only when told to.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// feed makes n writes of size bytes to p, every interval of the clock.
func (c *fakeClock) feed(p *progress, n int, every time.Duration, size int) {
	for range n {
		c.advance(every)
		p.add(size)
	}
}

// newTestProgress is a progress writing to a buffer, on a terminal or not, timed by a fake clock.
func newTestProgress(terminal bool) (*progress, *bytes.Buffer, *fakeClock) {
	out := &bytes.Buffer{}
	clock := &fakeClock{t: time.Unix(1e9, 0)}
	return newProgress(out, terminal, clock.now), out, clock
}

func TestProgressBarOnATerminal(t *testing.T) {
	t.Parallel()
	p, out, clock := newTestProgress(true)

	p.begin("model.safetensors", 0)
	p.update(0, 10_000_000)
	// 1,000 writes of 10 kB over 1 s: the bar redraws at most every 100ms.
	clock.feed(p, 1000, time.Millisecond, 10_000)
	draws := strings.Count(out.String(), "\r")
	assert.GreaterOrEqual(t, draws, 10)
	assert.LessOrEqual(t, draws, 12, "throttled to about 10 redraws a second")
	assert.NotContains(t, out.String(), "\n", "one line, redrawn in place")

	last := out.String()[strings.LastIndex(out.String(), "\r")+1:]
	assert.Equal(t, "model.safetensors 100% [========================] 10.0 MB / 10.0 MB  10.0 MB/s", last)

	// Half way, the bar shows it.
	p.begin("b.bin", 0)
	p.update(5_000_000, 10_000_000)
	last = out.String()[strings.LastIndex(out.String(), "\r")+1:]
	assert.Equal(t, "b.bin  50% [============>           ] 5.0 MB / 10.0 MB  ", last)
	p.begin("model.safetensors", 0)
	p.update(0, 10_000_000)
	p.add(10_000_000)
	clock.advance(time.Second)

	out.Reset()
	p.done("sha256 verified")
	want := "model.safetensors: 10.0 MB in 1s (10.0 MB/s), sha256 verified\n"
	assert.True(t, strings.HasPrefix(out.String(), "\r"), "the summary replaces the bar")
	assert.True(t, strings.HasSuffix(out.String(), "\r"+want), "%q", out.String())
}

func TestProgressBarWithoutATotal(t *testing.T) {
	t.Parallel()
	p, out, clock := newTestProgress(true)
	p.begin("tokenizer.json", 0)
	p.update(0, -1)
	clock.advance(2 * time.Second)
	p.add(4_000_000)
	assert.True(t, strings.HasSuffix(out.String(), "\rtokenizer.json  4.0 MB  2.0 MB/s"), "%q", out.String())
}

func TestProgressNotesDoNotBreakTheBar(t *testing.T) {
	t.Parallel()
	p, out, _ := newTestProgress(true)
	p.begin("a.bin", 500)
	p.update(500, 1000)
	p.note("a.bin: connection lost; retrying")
	s := out.String()
	bar := "a.bin  50% [============>           ] 500 B / 1.0 kB  "
	assert.Equal(t, "\r"+bar+"\r"+strings.Repeat(" ", len(bar))+"\r"+"a.bin: connection lost; retrying\n"+"\r"+bar, s)

	out.Reset()
	p.fail()
	assert.Equal(t, "\n", out.String(), "the error printed next gets a line of its own")
}

func TestProgressNoteBetweenFilesDrawsNoBar(t *testing.T) {
	t.Parallel()
	p, out, _ := newTestProgress(true)
	p.begin("a.bin", 0)
	p.update(0, 10)
	p.add(10)
	p.done()
	out.Reset()
	p.skip("b.json", "up to date (2 B)")
	p.note("c.json: the copy in place has 2 B, the Hub's has 3 B: downloading it again")
	assert.Equal(t, "b.json: up to date (2 B)\nc.json: the copy in place has 2 B, the Hub's has 3 B: downloading it again\n", out.String())
}

func TestProgressPlain(t *testing.T) {
	t.Parallel()
	p, out, clock := newTestProgress(false)
	p.begin("model.safetensors", 1_000_000)
	p.update(1_000_000, 3_000_000)
	clock.feed(p, 200, 10*time.Millisecond, 10_000)
	p.fail()
	assert.Empty(t, out.String(), "nothing until the file is done")
	p.done("sha256 verified")
	p.skip("config.json", "up to date (208 B)")
	assert.Equal(t, "model.safetensors: 3.0 MB in 2s (1.0 MB/s), resumed at 1.0 MB, sha256 verified\n"+
		"config.json: up to date (208 B)\n", out.String())
}

func TestFormatBytes(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{
		0: "0 B", 999: "999 B", 1000: "1.0 kB", 1049: "1.0 kB", 1050: "1.1 kB", 999_949: "999.9 kB",
		999_950: "1.0 MB", 2_471_000_000: "2.5 GB", 5e12: "5.0 TB", 5e15: "5000.0 TB",
	} {
		assert.Equal(t, want, formatBytes(n), n)
	}
}

func TestFormatDuration(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "12ms", formatDuration(12345*time.Microsecond))
	assert.Equal(t, "3.5s", formatDuration(3456*time.Millisecond))
	assert.Equal(t, "2m5s", formatDuration(125400*time.Millisecond))
}
