package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// redrawEvery throttles the terminal bar: at most 10 redraws a second.
const redrawEvery = 100 * time.Millisecond

// barWidth is the number of cells between the brackets of the bar.
const barWidth = 24

// progress reports the download of one file at a time. On a terminal it keeps a one-line bar up to
// date with "\r"; elsewhere (a pipe, a log file, CI) it writes one plain line per file when the file
// is done. Retry notices get a line of their own in both modes.
type progress struct {
	w        io.Writer
	terminal bool
	now      func() time.Time

	active   bool // a file is under way: the bar may be drawn
	name     string
	size     int64 // bytes of the file on disk
	total    int64 // expected size, -1 when unknown
	resumed  int64 // bytes already on disk when this run started on the file
	received int64 // bytes received in this run
	start    time.Time
	lastDraw time.Time
	drawn    int // width of what the bar last drew, to blank it out
}

func newProgress(w io.Writer, terminal bool, now func() time.Time) *progress {
	return &progress{w: w, terminal: terminal, now: now}
}

// isTerminal reports whether w is a character device (a terminal), as the bar needs.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// begin starts reporting file name, of which size bytes are already on disk.
func (p *progress) begin(name string, size int64) {
	p.clear()
	p.active = true
	p.name, p.size, p.total, p.resumed, p.received = name, size, -1, size, 0
	p.start, p.lastDraw = p.now(), time.Time{}
}

// update sets where the download stands after a response: size bytes on disk (0 after a restart)
// and the expected total (-1 when unknown).
func (p *progress) update(size, total int64) {
	if size < p.size {
		p.resumed = min(p.resumed, size)
	}
	p.size, p.total = size, total
	p.draw(false)
}

// add counts n more bytes written.
func (p *progress) add(n int) {
	p.size += int64(n)
	p.received += int64(n)
	p.draw(false)
}

// note prints a line of its own (a retry, a restart) without breaking the bar.
func (p *progress) note(format string, args ...any) {
	p.clear()
	fmt.Fprintf(p.w, format+"\n", args...)
	p.draw(true)
}

// done replaces the bar by the file's summary line; extra notes follow the numbers.
func (p *progress) done(extra ...string) {
	line := fmt.Sprintf("%s: %s in %s", p.name, formatBytes(p.size), formatDuration(p.now().Sub(p.start)))
	if rate := p.rate(); rate != "" {
		line += " (" + rate + ")"
	}
	if p.resumed > 0 {
		line += ", resumed at " + formatBytes(p.resumed)
	}
	for _, e := range extra {
		line += ", " + e
	}
	p.finish(line)
}

// skip reports a file that needed no download.
func (p *progress) skip(name, why string) {
	p.name = name
	p.finish(name + ": " + why)
}

// fail ends the bar's line, so that the error printed next starts on a line of its own.
func (p *progress) fail() {
	if p.terminal && p.drawn > 0 {
		fmt.Fprintln(p.w)
		p.drawn = 0
	}
	p.active = false
}

func (p *progress) finish(line string) {
	p.clear()
	fmt.Fprintln(p.w, line)
	p.active = false
}

// clear blanks the bar's line on a terminal.
func (p *progress) clear() {
	if p.terminal && p.drawn > 0 {
		fmt.Fprint(p.w, "\r"+strings.Repeat(" ", p.drawn)+"\r")
		p.drawn = 0
	}
}

// draw redraws the bar on a terminal, at most every redrawEvery unless forced.
func (p *progress) draw(force bool) {
	if !p.terminal || !p.active {
		return
	}
	now := p.now()
	if !force && !p.lastDraw.IsZero() && now.Sub(p.lastDraw) < redrawEvery {
		return
	}
	p.lastDraw = now
	line := p.bar()
	pad := ""
	if len(line) < p.drawn {
		pad = strings.Repeat(" ", p.drawn-len(line))
	}
	fmt.Fprint(p.w, "\r"+line+pad)
	p.drawn = len(line)
}

// bar is the bar's text: name, percent, bar, bytes and rate, or bytes and rate when the size is unknown.
func (p *progress) bar() string {
	rate := p.rate()
	if p.total <= 0 {
		return fmt.Sprintf("%s  %s  %s", p.name, formatBytes(p.size), rate)
	}
	frac := min(float64(p.size)/float64(p.total), 1)
	full := int(frac * barWidth)
	cells := strings.Repeat("=", full)
	if full < barWidth {
		cells += ">" + strings.Repeat(" ", barWidth-full-1)
	}
	return fmt.Sprintf("%s %3d%% [%s] %s / %s  %s",
		p.name, int(frac*100), cells, formatBytes(p.size), formatBytes(p.total), rate)
}

// rate is the average speed of this run's bytes, "" before there is anything to average.
func (p *progress) rate() string {
	elapsed := p.now().Sub(p.start)
	if elapsed <= 0 || p.received == 0 {
		return ""
	}
	return formatBytes(int64(float64(p.received)/elapsed.Seconds())) + "/s"
}

// formatBytes writes n in decimal units, as the Hub shows file sizes: 999 B, 1.2 kB, 3.4 MB, 2.5 GB.
func formatBytes(n int64) string {
	if n < 1000 {
		return fmt.Sprintf("%d B", n)
	}
	f := float64(n)
	for _, unit := range []string{"kB", "MB", "GB", "TB"} {
		f /= 1000
		if f < 999.95 || unit == "TB" {
			return fmt.Sprintf("%.1f %s", f, unit)
		}
	}
	panic("unreachable")
}

// formatDuration rounds d for people: 12ms, 3.4s, 2m5s.
func formatDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	default:
		return d.Round(time.Second).String()
	}
}
